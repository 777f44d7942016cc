"""The diagnosis-code detector: ICD-10 as THL writes it and ATC drug codes, counted only with health context
(its line, the line above, the label of its cell); the look-alikes (font sizes, paper sizes, seats, cells,
vitamins, fuels, part numbers, colours); generated codes (property tests); a plain Presidio analyzer and the
command line. The codes are real classification codes; the people and the files are fictional."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.accuracy import harava_run, load_truth, lookalike_hits, score
from detectors import diagnosis
from detectors.base import VALID
from detectors.diagnosis import ATC_GROUPS, ICD_RANGES, DiagnosisRecognizer
from tests.conftest import find
from tests.test_cli import run
from tests.test_presidio import plain_analyzer
from tests.test_realistic import CORPUS

CODE = "FI_DIAGNOSIS_CODE"


def codes(engine, *lines: str, labels=None) -> list[str]:
    hits = engine.scan(pa.array(list(lines), pa.large_string()), labels=labels)
    return [t for a, t in zip(hits.adapter, hits.text, strict=True) if a.entity == CODE]


# --- what is found -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("Diagnoosi: J45.0 astma", "J45.0"),
        ("Dg F32.1, keskivaikea masennustila", "F32.1"),
        ("päädiagnoosi S72.00 (reisiluun kaulan murtuma)", "S72.00"),
        ("ICD-10: E11", "E11"),
        ("Lääkitys: essitalopraami N06AB10 10 mg", "N06AB10"),
        ("Potilaan lääke R03AC02 tarvittaessa", "R03AC02"),
        ("Diagnos: I10 (essentiell hypertoni)", "I10"),
        ("Patient diagnosis M54.5", "M54.5"),
        ("Medication: A10BA02", "A10BA02"),
        ("Sjukdom: J06.9", "J06.9"),
    ],
)
def test_codes_beside_a_health_word(engine, line, code):
    assert codes(engine, line) == [code]


def test_the_line_above_and_the_label_give_context(engine):
    assert codes(engine, "Potilaan käynnit", "03.02.2026 M54.5 kontrolli") == ["M54.5"]
    header = "käynti;pvm;diagnoosi;lääkitys"
    assert codes(engine, "TTH-1;03.02.2026;J45.0;R03AC02", labels=header) == ["J45.0", "R03AC02"]
    labels = pa.array(["potilas.icd10", "tuote.koodi"], pa.large_string())  # JSON keys, one per value
    assert codes(engine, "F32.1", "F32.1", labels=labels) == ["F32.1"]


def test_an_asterisk_dagger_pair_is_one_diagnosis(engine):
    assert codes(engine, "Dg G63.2*E11.4 diabeettinen polyneuropatia") == ["G63.2*E11.4"]
    assert codes(engine, "Diagnoosi E11.4+G63.2*") == ["E11.4+G63.2*"]
    assert diagnosis.validate("g63.2*e11.4") == "G63.2*E11.4"


def test_the_kind_is_the_detail_and_the_mask_keeps_the_block(engine):
    recognizer = DiagnosisRecognizer()
    texts = pa.array(["J45.0", "N06AB10", "G63.2*E11.4", "S72.00"], pa.large_string())
    assert recognizer.detail_array(texts).to_pylist() == ["ICD-10", "ATC", "ICD-10", "ICD-10"]
    assert recognizer.mask_array(texts).to_pylist() == ["J4*.*", "N06****", "G6*.**E1*.*", "S7*.**"]
    assert recognizer.compact_array(pa.array(["j45.0 "], pa.large_string())).to_pylist() == ["J45.0"]


def test_in_a_plain_presidio_analyzer():
    analyzer = plain_analyzer()
    text = "Diagnoosi J45.0, lääkitys R03AC02."
    found = {(r.entity_type, text[r.start : r.end]) for r in analyzer.analyze(text, language="fi")}
    assert {(e, t) for e, t in found if e == CODE} == {(CODE, "J45.0"), (CODE, "R03AC02")}
    assert [r for r in analyzer.analyze("Kirjasin F32, paperi A4.", language="fi") if r.entity_type == CODE] == []


def test_the_command_line_reports_codes_masked(tmp_path: Path):
    (tmp_path / "kaynnit.csv").write_text("pvm;potilas;diagnoosi\n03.02.2026;Aino;F32.1\n", "utf-8")
    (tmp_path / "tuotteet.csv").write_text("koodi;nimi\nF32;Kirjasin 32 pt\n", "utf-8")
    code, out, _ = run("scan", str(tmp_path), "--format", "jsonl", "--entities", CODE, "--no-progress")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["entity"], r["value"], r["detail"]) for r in rows] == [(CODE, "F3*.*", "ICD-10")]
    assert rows[0]["source"].endswith("kaynnit.csv") and "F32.1" not in out


# --- what is not ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("U07.1", "U codes are reserved for special purposes"),
        ("D95.1", "no ICD-10 category D95 \\(chapter D ends at D89\\)"),
        ("K99", "no ICD-10 category K99"),
        ("V00.1", "chapter V starts at V01"),
        ("N09AB03", "no ATC therapeutic group N09 \\(main group N has N01-N07\\)"),
        ("A00AA01", "no ATC therapeutic group A00"),
        ("F06AB03", "no ATC anatomical main group F"),
        ("J4.5", "J4.5 is not of the form A00 or A00.0"),
    ],
)
def test_invalid_codes_say_why(engine, value, reason):
    with pytest.raises(ValueError, match=reason):
        diagnosis.validate(value)
    assert codes(engine, f"Diagnoosi {value}") == []


@pytest.mark.parametrize(
    "text",
    [
        "Otsikot kirjasimella F32, leipäteksti F12.",  # font sizes
        "Tulosteet A4-kokoon, kirjekuoret C5.",
        "Tankkaa E10 tai E5.",  # fuels
        "B12 ja D3 ovat hyviä vitamiineja.",
        "Istumapaikka C12, rivi 4.",
        "Varaosa N06AB03 (tiiviste), 3,20 €",  # an ATC-shaped part number
        "Väri #E11A22 ja #C12D00",
        "Hotellin huone B12, kerros 2",
    ],
)
def test_look_alikes_without_context(engine, text):
    assert codes(engine, text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Potilaalle B12-vitamiini kuuriksi",  # a vitamin, beside a health word
        "Potilaan auto tankattiin E10-bensiinillä",
        "Potilastietojen summa solussa =SUMMA(A10:B12)",
        "Potilas istui paikalla C12 odotustilassa",
        "Potilaskertomus sivu X12A",  # runs on into letters
        "Potilasnumero 12J45",  # inside a longer code
        "Potilasrekisterin kirjasin F32",
    ],
)
def test_look_alikes_beside_health_words(engine, text):
    assert codes(engine, text) == []


def test_the_other_detectors_keep_their_values(engine):
    line = "Potilas 131052-308T, Y-tunnus 2077474-0, dg J45.0, puh. 040 123 4567"
    found = find(engine, line)
    assert ("FI_PERSONAL_IDENTITY_CODE", "131052-308T") in found and (CODE, "J45.0") in found
    assert ("FI_BUSINESS_ID", "2077474-0") in found and ("PHONE_NUMBER", "040 123 4567") in found


def test_precision_and_recall_on_the_labelled_corpus():
    truth, result = load_truth(CORPUS), harava_run(CORPUS)
    scored = score(truth, result.findings)[CODE]
    wrong = sorted(k for k in result.keys - truth.expected if k[1] == CODE)
    missed = sorted(k for k in truth.expected - result.keys if k[1] == CODE)
    assert scored.precision >= 0.95 and scored.recall >= 0.95, f"wrongly reported {wrong}; missed {missed}"
    assert [
        h.lookalike.text for h in lookalike_hits(truth, CORPUS, result.findings) if h.lookalike.entity == CODE
    ] == []


# --- property tests: generated valid codes are found with context, never without -------------------


@st.composite
def icd_codes(draw: st.DrawFn) -> str:
    letter = draw(st.sampled_from([c for c in "ABCDEFGHIJKLMNOPQRSTVWXYZ"]))
    first, last = ICD_RANGES.get(letter, (0, 99))
    code = f"{letter}{draw(st.integers(first, last)):02d}"
    sub = draw(st.one_of(st.just(""), st.from_regex(r"\.[0-9]{1,2}", fullmatch=True)))
    return code + sub


@st.composite
def atc_codes(draw: st.DrawFn) -> str:
    letter = draw(st.sampled_from(sorted(ATC_GROUPS)))
    low, high = ATC_GROUPS[letter]
    group = draw(st.integers(low, high))
    return f"{letter}{group:02d}{draw(st.from_regex(r'[A-Z]{2}[0-9]{2}', fullmatch=True))}"


any_code = st.one_of(icd_codes(), atc_codes())
surroundings = st.sampled_from(["Diagnoosi: {}", "dg {}.", "potilas;{};x", "({}) lääkitys", "- sairaus {}\n", "icd={}"])


@settings(max_examples=200, deadline=None)
@given(code=any_code, around=surroundings)
def test_generated_codes_are_found_with_context(engine, code, around):
    assert diagnosis.validate(code) == code
    assert codes(engine, around.format(code)) == [code]


@settings(max_examples=200, deadline=None)
@given(code=any_code, around=st.sampled_from(["Tuote {}", "{} kpl", "koodi;{};x", "malli {}."]))
def test_generated_codes_are_never_found_alone(engine, code, around):
    assert codes(engine, around.format(code)) == []


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.one_of(
            any_code, st.from_regex(r"[A-Z][0-9]{2}(\.[0-9A-Z]{1,2})?|[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}", fullmatch=True)
        ),
        min_size=1,
        max_size=20,
    )
)
def test_the_array_functions_agree_with_the_per_value_ones(values):
    texts = pa.array(values, pa.large_string())
    assert [v == VALID for v in diagnosis.valid_array(texts).tolist()] == [diagnosis.is_valid(v) for v in values]
    assert diagnosis.compact_array(texts).to_pylist() == [diagnosis.compact(v) for v in values]
