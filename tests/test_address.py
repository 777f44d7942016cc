"""The street address detector (``ADDRESS``): streets, house numbers, staircases and flats, postal codes and
municipalities, and what looks like them (road numbers, years, chapters, scores, post office boxes). The
addresses are made up; the municipalities are real."""

from __future__ import annotations

import json
import re

import pyarrow as pa
import pytest

from bench.accuracy import harava_run, load_truth, lookalike_hits, score
from detectors import address
from detectors.address import municipalities
from tests.conftest import find
from tests.test_cli import run
from tests.test_presidio import plain_analyzer
from tests.test_realistic import CORPUS

ADDRESS = "ADDRESS"


def addresses(engine, *lines: str) -> list[str]:
    return [t for e, t in find(engine, *lines) if e == ADDRESS]


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("Hämeentie 12 B 5, 00530 Helsinki", "Hämeentie 12 B 5, 00530 Helsinki"),
        ("Hämeentie 12 B 5 00530 HELSINKI", "Hämeentie 12 B 5, 00530 Helsinki"),
        ("Kalevankatu 3 A 12", "Kalevankatu 3 A 12"),
        ("Rinnetie 4 as. 3", "Rinnetie 4 as. 3"),
        ("Kuusitie 7 C 4 b", "Kuusitie 7 C 4 b"),
        ("Koivukuja 2b", "Koivukuja 2b"),
        ("Vanha Porvoontie 230", "Vanha Porvoontie 230"),
        ("Aleksis Kiven katu 5", "Aleksis Kiven katu 5"),
        ("Slottsgatan 3 B, 65100 Vasa", "Slottsgatan 3 B, 65100 Vasa"),
        ("Norra Esplanaden 4 B 7, 00130 Helsingfors", "Norra Esplanaden 4 B 7, 00130 Helsingfors"),
        ("Strandvägen 14 A 2", "Strandvägen 14 A 2"),
        ("Mänttäläntie 2, 35800 Mänttä-Vilppula", "Mänttäläntie 2, 35800 Mänttä-Vilppula"),
        ("Kirkonmäki 3 B, 08100 Lohja", "Kirkonmäki 3 B, 08100 Lohja"),  # a weak street word with a staircase
    ],
)
def test_addresses_as_written(engine, written, canonical):
    assert addresses(engine, f"Uusi osoite: {written}.") == [written]
    assert addresses(engine, written) == [written]
    assert address.compact(written) == canonical


def test_a_tail_that_names_no_municipality_is_left_out(engine):
    assert addresses(engine, "Koivukuja 9, 21620 Kuusisto") == ["Koivukuja 9"]
    with pytest.raises(ValueError, match="Kuusisto is no municipality"):
        address.validate("Koivukuja 9, 21620 Kuusisto")


def test_a_phone_number_after_an_address_is_still_one(engine):
    assert find(engine, "Lemmikinkuja 1 0400 551 923") == [
        (ADDRESS, "Lemmikinkuja 1"),
        ("PHONE_NUMBER", "0400 551 923"),
    ]
    assert find(engine, "Kalevankatu 3, 00100 Helsinki, puh. 040 123 4567") == [
        (ADDRESS, "Kalevankatu 3, 00100 Helsinki"),
        ("PHONE_NUMBER", "040 123 4567"),
    ]


def test_a_name_before_an_address_is_a_name(engine):
    assert find(engine, "Aino Virtanen, Kalevankatu 3 A 12, 00100 Helsinki") == [
        ("PERSON", "Aino Virtanen"),
        (ADDRESS, "Kalevankatu 3 A 12, 00100 Helsinki"),
    ]
    # Written without a comma, the capitalised words before a street go with the address (so that no run of them
    # read as a name takes the street): the address is found, the name before it is not — a known trade-off.
    assert find(engine, "Esimerkki Oy Kalevankatu 3") == [(ADDRESS, "Kalevankatu 3")]
    assert find(engine, "Aino Virtanen Kalevankatu 3") == [(ADDRESS, "Kalevankatu 3")]


@pytest.mark.parametrize(
    "text",
    [
        "Kappale 3",  # no street word
        "Vaihe 2 alkaa",
        "Versio 12",
        "Koulutie 2026 on hankkeen nimi",  # four digits: a year
        "Valtatie 4 ruuhkautui",  # road numbers
        "Kantatie 51",
        "Moottoritie 1",
        "Eloranta 3 maalia",  # a surname ending in a weak street word
        "Kivimäki 2 syöttöä",
        "Sektori 4",
        "Moottori 2",
        "Yhtiön postiosoite on PL 44, 00101 Helsinki",  # a post office box
        "Asun Hämeentiellä",  # no number
        "hämeentie 12",  # lower case
    ],
)
def test_look_alikes_are_no_addresses(engine, text):
    assert addresses(engine, text) == []


def test_a_weak_street_word_counts_beside_an_address_word(engine):
    assert addresses(engine, "Eloranta 3") == []
    assert addresses(engine, "Osoite: Eloranta 3") == ["Eloranta 3"]
    hits = engine.scan(pa.array(["Eloranta 3"], pa.large_string()), hint=ADDRESS)  # a column named osoite
    assert list(hits.text) == ["Eloranta 3"]


def test_mask_keeps_the_initial_and_the_municipality():
    assert address.mask("Hämeentie 12 B 5, 00530 Helsinki") == "H******** ** * *, 00*** Helsinki"
    assert address.mask("Kalevankatu 3 A 12") == "K********** * * **"


def test_the_municipality_list():
    towns = municipalities()
    assert {"Helsinki", "Mänttä-Vilppula", "Koski Tl", "Maarianhamina", "Mariehamn", "Helsingfors"} <= towns
    from detectors.data.municipalities import FINNISH

    assert len(FINNISH.split()) >= 300 and "Kuusisto" not in towns


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("Valtatie 4", "Valtatie is a road"),
        ("Kappale 3", "not a street, a house number"),
        ("Mannerheimintie 12, 00100 Kello", "Kello is no municipality"),
    ],
)
def test_not_addresses_say_why(value, reason):
    with pytest.raises(ValueError, match=re.escape(reason)):
        address.validate(value)


def test_in_a_plain_presidio_analyzer():
    analyzer = plain_analyzer()
    text = "Toimitus: Hämeentie 12 B 5, 00530 Helsinki. Valtatie 4 ja Koulutie 2026 eivät ole osoitteita."
    found = {(r.entity_type, text[r.start : r.end]) for r in analyzer.analyze(text, language="fi")}
    assert {f for f in found if f[0] == ADDRESS} == {(ADDRESS, "Hämeentie 12 B 5, 00530 Helsinki")}


def test_the_cli_reports_masked_addresses(tmp_path):
    (tmp_path / "kirje.txt").write_text("Lähetysosoite Rantakatu 7 A 4, 20100 Turku\nVaihe 2\n", "utf-8")
    code, out, _ = run("scan", str(tmp_path), "--format", "jsonl", "--no-progress", "--entities", ADDRESS)
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [(r["entity"], r["value"]) for r in rows] == [(ADDRESS, "R******** * * *, 20*** Turku")]


@pytest.fixture(scope="module")
def realistic():
    return load_truth(CORPUS), harava_run(CORPUS)


def test_precision_on_the_realistic_corpus(realistic):
    truth, found = realistic
    result = score(truth, found.findings)[ADDRESS]
    assert result.precision >= 0.95 and result.recall >= 0.9, result
    assert [h for h in lookalike_hits(truth, CORPUS, found.findings) if h.lookalike.entity == ADDRESS] == []
