"""The European health insurance card detector (Kela's EHIC numbers): the forms the number is written in,
the context it needs (it has no check digit), 20-digit look-alikes and longer digit runs, the mask, a CSV
through the CLI, a plain Presidio analyzer, the labelled corpus and the statement vocabulary. The numbers
are made up after the prefix 80246."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.accuracy import harava_run, load_truth, lookalike_hits, score
from detectors import health_card as ehic
from detectors.base import VALID
from detectors.health_card import HealthCardRecognizer
from scanner.registers import taxonomy
from tests.conftest import find
from tests.test_cli import run
from tests.test_presidio import plain_analyzer
from tests.test_realistic import CORPUS

EHIC = "FI_HEALTH_INSURANCE_CARD"
NUMBER = "80246802460091735268"


def cards(engine, *lines: str) -> list[str]:
    return [t for e, t in find(engine, *lines) if e == EHIC]


def fives(number: str) -> str:
    return " ".join(number[i : i + 5] for i in range(0, 20, 5))


# --- what is found -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        NUMBER,
        "80246 80246 00917 35268",
        "80246-80246-00917-35268",
        "8024680246 0091735268",
        "8024680246-0091735268",
        "8024 6802 4600 9173 5268",
    ],
)
@pytest.mark.parametrize(
    "context",
    [
        "Eurooppalaisen sairaanhoitokortin numero: {}",
        "Kela-kortti {}",
        "EHIC {}",
        "sairausvakuutuskortti nro {}.",
        "Europeiskt sjukvårdskort: {}",
        "Sjukförsäkringskortets nummer {}",
        "European Health Insurance Card no. {}",
    ],
)
def test_numbers_beside_a_card_word(engine, written, context):
    assert ehic.validate(written) == NUMBER
    assert find(engine, context.format(written)) == [(EHIC, written)]


def test_a_number_counts_only_with_context(engine):
    assert cards(engine, f"Numero {fives(NUMBER)}") == []
    assert cards(engine, NUMBER) == []
    assert cards(engine, "Kela-kortin tiedot:", NUMBER) == [NUMBER]  # the line above
    assert list(engine.scan(pa.array([NUMBER], pa.large_string()), hint=EHIC).text) == [NUMBER]  # a column
    hits = engine.scan(pa.array([f"1;Aino;{NUMBER}"], pa.large_string()), labels="id;nimi;ehic_numero")
    assert list(hits.text) == [NUMBER]  # a CSV header


def test_context_words_raise_the_score(engine):
    assert list(engine.scan(pa.array([f"EHIC {NUMBER}"], pa.large_string())).score) == [0.75]


# --- what is not ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Kela-kortti 80247802460091735268",  # another prefix
        "Kela-kortti 1234 5678 9012 3456 7890",  # a 20-digit reference in groups
        "Kela-kortti 8024680246009173526",  # 19 digits
        "Kela-kortti 802468024600917352681",  # 21 digits: part of a longer run
        "Kela-kortti 80246802461000000000000",
        "Kela-kortti 12 80246 80246 00917 35268",  # more digit groups before
        "Kela-kortti 80246 80246 00917 35268 12",  # and after
        "Kela-kortti +80246802460091735268",
        "Kela-kortti 80246 80246 0091 735268",  # not in its groups
        "Tilausnumero 80246802460091735268",  # no card word: an order number
    ],
)
def test_look_alikes_are_no_cards(engine, text):
    assert cards(engine, text) == []


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("80247802460091735268", "starting 80246, not 80247"),
        ("8024680246009173526", "not 20 digits"),
        ("8024680246009173526X", "not 20 digits"),
    ],
)
def test_invalid_numbers_say_why(value, reason):
    with pytest.raises(ValueError, match=reason):
        ehic.validate(value)


def test_the_other_detectors_keep_their_values(engine):
    line = "Hetu 131052-308T, EHIC 80246 80246 00917 35268, puh. 040 123 4567"
    assert [(e, t) for e, t in find(engine, line) if e != "PERSON"] == [
        ("FI_PERSONAL_IDENTITY_CODE", "131052-308T"),
        (EHIC, "80246 80246 00917 35268"),
        ("PHONE_NUMBER", "040 123 4567"),
    ]


# --- output, Presidio, the corpus ------------------------------------------------------------------


def test_the_mask_keeps_the_issuer_and_the_last_four():
    assert ehic.mask("80246 80246 00917 35268") == "80246 ***** ***** *5268"
    assert ehic.mask(NUMBER) == "80246***********5268"


def test_a_kela_export_end_to_end(tmp_path: Path):
    (tmp_path / "korvaukset.csv").write_text(
        f"hakemus;summa;eurooppalainen sairaanhoitokortti\n4411;212,40;{fives(NUMBER)}\n4412;80,00;8024680246 0012345678\n",
        "utf-8",
    )
    code, out, _ = run("scan", str(tmp_path), "--format", "jsonl", "--no-progress")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["entity"], r["value"]) for r in rows if r["entity"] == EHIC] == [
        (EHIC, "80246 ***** ***** *5268"),
        (EHIC, "80246***** ******5678"),
    ]
    assert NUMBER not in out and "00917" not in out


def test_in_a_plain_presidio_analyzer():
    analyzer = plain_analyzer()
    text = f"Kela-kortti {fives(NUMBER)}"
    found = [(r.entity_type, text[r.start : r.end]) for r in analyzer.analyze(text, language="fi")]
    assert found == [(EHIC, fives(NUMBER))]
    assert analyzer.analyze(f"tilaus {NUMBER}", language="fi") == []


def test_precision_and_recall_on_the_labelled_corpus():
    truth, found = load_truth(CORPUS), harava_run(CORPUS)
    result = score(truth, found.findings)[EHIC]
    wrong = sorted(k for k in found.keys - truth.expected if k[1] == EHIC)
    missed = sorted(k for k in truth.expected - found.keys if k[1] == EHIC)
    assert result.precision >= 0.95 and result.recall >= 0.95, f"wrongly reported {wrong}; missed {missed}"
    assert [h.lookalike.text for h in lookalike_hits(truth, CORPUS, found.findings) if h.lookalike.entity == EHIC] == []


@pytest.mark.parametrize(
    "text",
    [
        "Kela-kortin numero",
        "sairausvakuutuskortin numero",
        "eurooppalaisen sairaanhoitokortin numero",
        "EHIC-numero",
        "sjukförsäkringskortets nummer",
        "europeiska sjukvårdskortets nummer",
        "European health insurance card number",
    ],
)
def test_statements_name_the_card(text):
    # "card number" of a health insurance card is no payment card
    assert [c.key for c, _, _ in taxonomy.categories_in(text)] == ["kela_kortti"]


# --- property tests --------------------------------------------------------------------------------

numbers = st.text("0123456789", min_size=15, max_size=15).map(lambda tail: ehic.PREFIX + tail)


@settings(max_examples=150, deadline=None)
@given(number=numbers, style=st.integers(0, 2))
def test_generated_numbers_are_found_beside_a_card_word(engine, number, style):
    written = [number, fives(number), f"{number[:10]} {number[10:]}"][style]
    assert cards(engine, f"EHIC: {written}") == [written]
    assert cards(engine, f"EHIC: {written}9") == []  # one digit more
    assert cards(engine, f"Tilausnumero {written}") == []


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(numbers, numbers.map(fives), st.from_regex(r"[0-9]{20}", fullmatch=True)), max_size=20))
def test_the_array_functions_agree_with_the_per_value_ones(values):
    recognizer = HealthCardRecognizer()
    texts = pa.array(values, pa.large_string())
    assert [v == VALID for v in ehic.valid_array(texts).tolist()] == [ehic.is_valid(v) for v in values]
    valid = [v for v in values if ehic.is_valid(v)]
    texts = pa.array(valid, pa.large_string())
    assert recognizer.compact_array(texts).to_pylist() == [ehic.validate(v) for v in valid]
    assert recognizer.mask_array(texts).to_pylist() == [ehic.mask(v) for v in valid]
