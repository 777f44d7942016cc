"""The passport detector: numbers beside their context words, booking references, hotel and insurance codes of
the same shape (with and without a passport word beside them), the mask, a booking export through the CLI, a
plain Presidio analyzer, the labelled corpus and the statement vocabulary. The numbers are made up."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.accuracy import harava_run, load_truth, lookalike_hits, score
from detectors import passport
from detectors.base import VALID
from detectors.passport import PassportRecognizer
from scanner.registers import taxonomy
from tests.conftest import find
from tests.test_cli import run
from tests.test_presidio import plain_analyzer
from tests.test_realistic import CORPUS

PASSPORT = "FI_PASSPORT"


def passports(engine, *lines: str) -> list[str]:
    return [t for e, t in find(engine, *lines) if e == PASSPORT]


@pytest.mark.parametrize(
    "line",
    [
        "Passin numero: FP4418203, voimassa 02.09.2030",
        "Passi FP4418203",
        "passinumero FP4418203",
        "Passport no: FP4418203",
        "Passport number FP4418203 (Finland)",
        "Passnummer FP4418203",
        "Pass: FP4418203",
        "Matkustusasiakirja FP4418203",
    ],
)
def test_numbers_beside_a_passport_word(engine, line):
    assert find(engine, line) == [(PASSPORT, "FP4418203")]


def test_a_number_counts_only_with_context(engine):
    assert passports(engine, "Koodi FP4418203") == []
    assert passports(engine, "FP4418203") == []
    assert passports(engine, "password reset FP4418203") == []
    assert passports(engine, "Passin tiedot", "FP4418203") == ["FP4418203"]  # the line above
    assert list(engine.scan(pa.array(["FP4418203"], pa.large_string()), hint=PASSPORT).text) == ["FP4418203"]
    hits = engine.scan(pa.array(["1;Aino;FP4418203"], pa.large_string()), labels="id;nimi;passin_numero")
    assert list(hits.text) == ["FP4418203"]


@pytest.mark.parametrize(
    "text",
    [
        "Passport no: see Booking ref: AK2604115",  # labelled as a booking, a passport word beside it
        "Passi tarkistettu, varausnumero AK2604115",
        "Passi mukana, tilaus AK2604115",
        "Passport, SKU AB1234567",
        "Passi FP441820",  # six digits
        "Passi FP44182033",  # eight digits
        "Passi FPX4418203",
        "Passi fp4418203",  # lower case
        "Passi FP4418203-2",  # part of a longer code
        "Passi FP4418203.pdf",
        "IBAN FI21 1234 5600 0007 85 passi",
        "Y-tunnus FI20774740 passi",  # a VAT number
    ],
)
def test_look_alikes_are_no_passports(engine, text):
    assert passports(engine, text) == []


def test_a_booking_column_is_no_passport(engine):
    lines = pa.array(["AK2604115", "FP4418203"], pa.large_string())
    hits = engine.scan(lines, labels=pa.array(["booking_ref", "passport"], pa.large_string()))
    assert list(hits.text) == ["FP4418203"]


def test_invalid_numbers_say_why():
    with pytest.raises(ValueError, match="not of the form AB1234567"):
        passport.validate("FP441820")


def test_the_mask_keeps_the_series_and_the_last_two_digits():
    assert passport.mask("FP4418203") == "FP*****03"


def test_a_booking_export_end_to_end(tmp_path: Path):
    (tmp_path / "matkustajat.csv").write_text(
        "varaus;matkustaja;passi;voimassa\n2604115;Helmi Aaltonen;FP4418203;2030-09-02\n", "utf-8"
    )
    code, out, _ = run("scan", str(tmp_path), "--format", "jsonl", "--no-progress")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["entity"], r["value"]) for r in rows if r["entity"] == PASSPORT] == [(PASSPORT, "FP*****03")]
    assert "FP4418203" not in out


def test_in_a_plain_presidio_analyzer():
    analyzer = plain_analyzer()
    text = "Passport no: FP4418203, Booking ref: AK2604115"
    found = [(r.entity_type, text[r.start : r.end]) for r in analyzer.analyze(text, language="fi")]
    assert found == [(PASSPORT, "FP4418203")]
    assert analyzer.analyze("Koodi FP4418203", language="fi") == []


def test_precision_and_recall_on_the_labelled_corpus():
    truth, found = load_truth(CORPUS), harava_run(CORPUS)
    result = score(truth, found.findings)[PASSPORT]
    wrong = sorted(k for k in found.keys - truth.expected if k[1] == PASSPORT)
    missed = sorted(k for k in truth.expected - found.keys if k[1] == PASSPORT)
    assert result.precision >= 0.95 and result.recall >= 0.95, f"wrongly reported {wrong}; missed {missed}"
    hits = lookalike_hits(truth, CORPUS, found.findings)
    assert [h.lookalike.text for h in hits if h.lookalike.entity == PASSPORT] == []


@pytest.mark.parametrize(
    "text", ["passin numero", "passinumero", "passikopio", "passport number", "passnummer", "travel document"]
)
def test_statements_name_the_passport(text):
    assert [c.key for c, _, _ in taxonomy.categories_in(text)] == ["passi"]


@pytest.mark.parametrize("text", ["passiiviset asiakkaat", "we do not pass your data", "passage"])
def test_passive_and_passing_are_no_passports(text):
    assert "passi" not in [c.key for c, _, _ in taxonomy.categories_in(text)]


@settings(max_examples=150, deadline=None)
@given(value=st.from_regex(r"[A-Z]{2}[0-9]{7}", fullmatch=True))
def test_generated_numbers_are_found_beside_a_passport_word(engine, value):
    assert passports(engine, f"Passin numero {value}.") == [value]
    assert passports(engine, f"Passin numero {value}1") == []
    assert passports(engine, f"Tilaus {value}") == []


@settings(max_examples=100, deadline=None)
@given(st.lists(st.from_regex(r"[A-Z]{2}[0-9]{6,8}", fullmatch=True), max_size=20))
def test_the_array_functions_agree_with_the_per_value_ones(values):
    texts = pa.array(values, pa.large_string())
    assert [v == VALID for v in passport.valid_array(texts).tolist()] == [passport.is_valid(v) for v in values]
    valid = [v for v in values if passport.is_valid(v)]
    masked = PassportRecognizer().mask_array(pa.array(valid, pa.large_string())).to_pylist()
    assert masked == [passport.mask(v) for v in valid]
