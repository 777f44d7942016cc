"""The name detector (``PERSON``): the ways registers, letters and mail write names, the capitalised words that
are no names (titles, organisations, companies, streets, names that are common words), the column-level hint,
and the realistic corpus. Every name here is made up from the commonest given names and surnames."""

from __future__ import annotations

import json
import re

import pyarrow as pa
import pytest

from bench.accuracy import harava_run, load_truth, lookalike_hits, score
from detectors import person
from detectors.base import UNDECIDED, VALID
from detectors.person import PersonRecognizer
from tests.conftest import find
from tests.test_cli import run
from tests.test_presidio import plain_analyzer
from tests.test_realistic import CORPUS

PERSON = "PERSON"


def names(engine, *lines: str) -> list[str]:
    return [t for e, t in find(engine, *lines) if e == PERSON]


# --- what is found -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "name", "canonical"),
    [
        ("Asiakas Aino Virtanen soitti.", "Aino Virtanen", "Aino Virtanen"),
        ("Virtanen Aino 1.1.1980", "Virtanen Aino", "Aino Virtanen"),
        ("Virtanen, Aino: jäsenmaksu maksettu", "Virtanen, Aino", "Aino Virtanen"),
        ("yhteyshenkilönä Anna-Liisa Korhonen", "Anna-Liisa Korhonen", "Anna-Liisa Korhonen"),
        ("Heikkinen Eeva Maria, Pappilantie 9", "Heikkinen Eeva Maria", "Eeva Maria Heikkinen"),
        ("tekijä Mikko Tapani Järvinen", "Mikko Tapani Järvinen", "Mikko Tapani Järvinen"),
        ("Kontakt: Johan Lindqvist, säljare", "Johan Lindqvist", "Johan Lindqvist"),
        ("vastaava Tiina Lampinen-Ahonen", "Tiina Lampinen-Ahonen", "Tiina Lampinen-Ahonen"),
        ("Kaisa Lastunen hyväksyi", "Kaisa Lastunen", "Kaisa Lastunen"),  # -nen: a surname by its shape
    ],
)
def test_names_in_the_forms_registers_and_letters_use(engine, line, name, canonical):
    assert names(engine, line) == [name]
    assert person.compact(name) == canonical


def test_a_name_inside_a_run_of_capitalised_words(engine):
    """The engine's leftmost match is a run of capitalised words; the lists pick the name out of it."""
    assert names(engine, "Soita Matti Virtaselle huomenna.") == ["Matti Virtaselle"]
    assert names(engine, "Helsingin Sanomat Aino Virtanen kertoi") == ["Aino Virtanen"]
    assert names(engine, "Tapasin Aino Virtasen ja Matti Korhosen") == ["Aino Virtasen", "Matti Korhosen"]
    texts = pa.array(["Soita Matti Virtanen", "Aino Virtanen", "Helsingin Sanomat"], pa.large_string())
    assert PersonRecognizer().valid_array(texts).tolist()[1:] == [VALID, 0]
    assert PersonRecognizer().valid_array(texts)[0] == UNDECIDED


@pytest.mark.parametrize(
    ("written", "base"),
    [
        ("Aino Virtaselle", "Aino Virtanen"),
        ("Aino Virtasen", "Aino Virtanen"),
        ("Aino Virtasta", "Aino Virtanen"),
        ("Matti Ahon", "Matti Aho"),
        ("Johan Lindqvistille", "Johan Lindqvist"),
        ("Jukka Heikkilän", "Jukka Heikkilä"),
    ],
)
def test_inflected_surnames_have_their_base_form_as_value(engine, written, base):
    assert names(engine, f"Lasku lähetettiin {written} eilen.") == [written]
    assert person.compact(written) == base


def test_one_person_written_three_ways_has_one_value_hash(tmp_path):
    (tmp_path / "jasenet.txt").write_text(
        "Jäsen Aino Virtanen liittyi.\nVirtanen, Aino maksoi.\nLasku Aino Virtaselle.\n", "utf-8"
    )
    code, out, _ = run("scan", str(tmp_path), "--format", "jsonl", "--no-progress", "--entities", PERSON)
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["value"] for r in rows] == ["A*** V*******", "V*******, A***", "A*** V*********"]
    assert len({r["value_hash"] for r in rows}) == 1


def test_mask_keeps_the_initials():
    assert person.mask("Aino Virtanen") == "A*** V*******"
    assert person.mask("Anna-Liisa Korhonen") == "A***-L**** K*******"


# --- what is not ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "Helsingin Sanomat kertoi asiasta.",  # a newspaper
        "Suomen Pankki nosti korkoa.",
        "Kaupunki Uudistaa Keskustan Liikennettä",  # a headline in title case
        "Rautakauppa Virtanen Oy",  # companies
        "Virtanen Aino Oy:n hallitus",
        "Korhonen Matti Ky",
        "Tmi Aino Virtanen",
        "Kotiseutuyhdistys Aino Laine ry",
        "Aleksis Kiven katu 5",  # a street named after a person
        "Aalto-yliopiston Kivi-sali",  # compounds
        "Kiitos Matti, sanoi hän.",  # a given name alone beside another word
        "Matti Meikäläinen, Esimerkkikatu 1",  # a placeholder
        "aino virtanen",  # lower case
        "Onni potkaisi palloa.",  # a common word before a lower-case word
        "Toivo Aalto, niin sanoo sananlasku.",  # two common words, no name word near
    ],
)
def test_capitalised_words_that_are_no_names(engine, line):
    assert names(engine, line) == []


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("Helsingin Sanomat", "no given name and surname"),
        ("Virtanen Aino Oy", "a company's name: Oy follows"),
        ("Tmi Aino Virtanen", "a company's name: Tmi is before"),
        ("Aino Virtasen tie", "a street's name"),
        ("Kivi", "no given name or surname of the lists"),
    ],
)
def test_not_names_say_why(value, reason):
    with pytest.raises(ValueError, match=re.escape(reason)):
        person.validate(value)


def test_common_word_names_need_a_name_word_near(engine):
    assert names(engine, "Toivo Aalto") == []
    assert names(engine, "Asiakas: Toivo Aalto") == ["Toivo Aalto"]
    assert names(engine, "Yhteyshenkilö", "Toivo Aalto") == ["Toivo Aalto"]  # the line above
    assert names(engine, "Onni Virtanen voitti") == ["Onni Virtanen"]  # one side is nothing but a name
    assert names(engine, "Anna Virtaselle kirja.") == []  # "give Virtanen the book"
    assert names(engine, "Nimi: Anna Virtaselle") == ["Anna Virtaselle"]


def test_a_single_name_counts_only_in_a_name_column_or_under_a_name_word(engine):
    assert names(engine, "Virtanen") == []
    assert names(engine, "Sukunimi:", "Virtanen") == ["Virtanen"]
    hits = engine.scan(pa.array(["Virtanen", "Aino", "Kivi", "Helsinki"], pa.large_string()), hint=PERSON)
    assert list(hits.text) == ["Virtanen", "Aino"]  # a column named sukunimi/etunimi: its cells
    labelled = engine.scan(pa.array(["Aino", "Tilaus"], pa.large_string()), labels=pa.array(["etunimi", "etunimi"]))
    assert list(labelled.text) == ["Aino"]  # a spreadsheet's column header


def test_column_hints():
    from detectors import column_hint_of, presidio_recognizers

    builtin = presidio_recognizers()
    for column in ("etunimi", "sukunimi", "asiakas_nimi", "first_name", "last_name", "fornamn", "full_name"):
        assert column_hint_of(column, builtin) == PERSON, column
    assert column_hint_of("nimike", builtin) is None
    assert column_hint_of("email_address", builtin) == "EMAIL_ADDRESS"


# --- Presidio, the CLI, the corpus ----------------------------------------------------------------------


def test_in_a_plain_presidio_analyzer():
    analyzer = plain_analyzer()
    text = "Soita Matti Virtaselle tai Virtanen, Aino. Helsingin Sanomat ja Rautakauppa Virtanen Oy eivät ole nimiä."
    found = {(r.entity_type, text[r.start : r.end]) for r in analyzer.analyze(text, language="fi")}
    assert {f for f in found if f[0] == PERSON} == {(PERSON, "Matti Virtaselle"), (PERSON, "Virtanen, Aino")}
    assert [r for r in analyzer.analyze("Toivo Aalto", language="fi") if r.entity_type == PERSON] == []


def test_the_cli_reports_masked_names(tmp_path):
    (tmp_path / "asiakkaat.csv").write_text(
        "nro;nimi;huom\n1;Virtanen Aino;soitto\n2;Helsingin Sanomat;lehti\n", "utf-8"
    )
    code, out, _ = run("scan", str(tmp_path), "--format", "jsonl", "--no-progress")
    rows = [json.loads(line) for line in out.splitlines() if json.loads(line).get("entity") == PERSON]
    assert code == 0 and [r["value"] for r in rows] == ["V******* A***"]
    assert json.loads(rows[0]["location"] if isinstance(rows[0]["location"], str) else json.dumps(rows[0]["location"]))


@pytest.fixture(scope="module")
def realistic():
    return load_truth(CORPUS), harava_run(CORPUS)


def test_precision_on_the_realistic_corpus(realistic):
    truth, found = realistic
    result = score(truth, found.findings)[PERSON]
    assert result.precision >= 0.95 and result.recall >= 0.85, result
    assert [h for h in lookalike_hits(truth, CORPUS, found.findings) if h.lookalike.entity == PERSON] == []
