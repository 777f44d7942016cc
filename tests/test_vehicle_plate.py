"""The vehicle plate detector: plates beside their context words, product and part codes of the same shape
(with and without a vehicle word beside them), the masks, a parking-permit CSV through the CLI, a plain
Presidio analyzer, the labelled corpus, and privacy statements that declare a vehicle's registration
number — and the word "rekisteri" that does not."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.accuracy import harava_run, load_truth, lookalike_hits, score
from detectors import vehicle_plate as plate
from detectors.base import VALID
from detectors.vehicle_plate import VehiclePlateRecognizer
from scanner.registers import taxonomy
from tests.conftest import find
from tests.test_cli import run
from tests.test_presidio import plain_analyzer
from tests.test_realistic import CORPUS

PLATE = "FI_VEHICLE_PLATE"


def plates(engine, *lines: str) -> list[str]:
    return [t for e, t in find(engine, *lines) if e == PLATE]


# --- what is found -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "value"),
    [
        ("Auton rekisterinumero ABC-123", "ABC-123"),
        ("rek.nro XY-12, Skoda Octavia", "XY-12"),
        ("Rek. nro: KÄÄ-7", "KÄÄ-7"),
        ("Ajoneuvo ÖRN-305 pysäköity luvatta", "ÖRN-305"),
        ("Pysäköintivirhemaksu, ajoneuvo GHT-218", "GHT-218"),
        ("auto: BMX-640 (sähköauto)", "BMX-640"),
        ("Asiakkaan auto JKL-903 on huollossa", "JKL-903"),
        ("Sijaisauto VWX-31 palautetaan", "VWX-31"),
        ("Bilens registreringsnummer: RST-55", "RST-55"),
        ("Vehicle: TUV-7 (rental)", "TUV-7"),
        ("Licence plate CD-214", "CD-214"),
        ("Parking permit for car reg. AAA-1", "AAA-1"),
    ],
)
def test_plates_beside_a_vehicle_word(engine, line, value):
    assert find(engine, line) == [(PLATE, value)]


def test_a_plate_counts_only_with_context(engine):
    assert plates(engine, "ABC-123") == []
    assert plates(engine, "Katso ABC-123 ja XY-12.") == []
    assert plates(engine, "Ajoneuvon tiedot", "ABC-123") == ["ABC-123"]  # the line above
    assert list(engine.scan(pa.array(["ABC-123"], pa.large_string()), hint=PLATE).text) == ["ABC-123"]  # a column
    hits = engine.scan(pa.array(["1;Aino;ABC-123"], pa.large_string()), labels="id;nimi;rekisterinumero")
    assert list(hits.text) == ["ABC-123"]  # a CSV header


def test_the_word_register_alone_is_no_context(engine):
    assert plates(engine, "Rekisterin nimi: Asiakasrekisteri ABC-123") == []
    assert plates(engine, "Rekisterinpitäjä HKI-12") == []


def test_automatic_and_authorisation_are_no_cars(engine):
    assert plates(engine, "Automaattinen varmuuskopio, salaus SHA-256") == []
    assert plates(engine, "autorisointi OK, koodi XY-12") == []


def test_diplomatic_plates_say_so(engine):
    hits = engine.scan(pa.array(["Auton rekisterinumero CD-214", "auto ABC-123"], pa.large_string()))
    texts = pa.array(list(hits.text), pa.large_string())
    assert VehiclePlateRecognizer().detail_array(texts).to_pylist() == [plate.DIPLOMATIC, None]
    assert VehiclePlateRecognizer().detail_array(pa.array(["ABC-123"], pa.large_string())) is None


def test_context_words_raise_the_score(engine):
    hits = engine.scan(pa.array(["Ajoneuvo ABC-123"], pa.large_string()))
    assert list(hits.score) == [0.65]


# --- what is not ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Auto huollettu, tuotekoodi BRK-220",  # labelled as a product code, a vehicle word beside it
        "Autoon vaihdettu öljynsuodatin, Art.nro OF-112",
        "auto: varaosa JP-45",
        "Pyyhkijänsulat autoon (malli WB-65)",
        "Auton tilaus ABC-123 vahvistettu",
        "Auton SKU: XY-12",
        "ajoneuvo ABC-123-4",  # a part of a longer code
        "ajoneuvo X-AB-12",
        "ajoneuvo ABC-1234",  # four digits
        "ajoneuvo ABCD-123",  # four letters
        "ajoneuvo ABC-012",  # a number starting 0
        "ajoneuvo abc-123",  # lower case
        "ajoneuvo ABC-12.5",  # a decimal
        "ajoneuvo ABC123",  # no hyphen
        "Ajoneuvo-TÄHTI-12",
        "Tuotekoodi ABC-123",  # no context at all
        "COVID-19 ja UTF-8",
    ],
)
def test_look_alikes_are_no_plates(engine, text):
    assert plates(engine, text) == []


def test_a_code_column_of_a_vehicle_sheet_is_no_plate(engine):
    lines = pa.array(["OF-112", "ABC-123"], pa.large_string())
    hits = engine.scan(lines, labels=pa.array(["tuotekoodi", "rekisterinumero"], pa.large_string()))
    assert list(hits.text) == ["ABC-123"]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("ABC-012", "a plate's number never starts with 0"),
        ("ABCD-123", "not of the form ABC-123"),
        ("A-123", "not of the form ABC-123"),
        ("ABC-1234", "not of the form ABC-123"),
    ],
)
def test_invalid_plates_say_why(value, reason):
    with pytest.raises(ValueError, match=reason):
        plate.validate(value)


def test_the_other_detectors_keep_their_values(engine):
    line = "Hetu 131052-308T, auto ABC-123, puh. 040 123 4567, aino@example.fi"
    assert find(engine, line) == [
        ("FI_PERSONAL_IDENTITY_CODE", "131052-308T"),
        (PLATE, "ABC-123"),
        ("PHONE_NUMBER", "040 123 4567"),
        ("EMAIL_ADDRESS", "aino@example.fi"),
    ]


# --- output, Presidio, the corpus ------------------------------------------------------------------


def test_masks_hide_the_digits():
    assert [plate.mask(v) for v in ("ABC-123", "XY-12", "KÄÄ-7")] == ["ABC-***", "XY-**", "KÄÄ-*"]


def test_a_parking_permit_export_end_to_end(tmp_path: Path):
    (tmp_path / "luvat.csv").write_text(
        "lupa;asukas;rekisterinumero;paikka\nPL-2026-0014;Aino Heikkinen;KLM-482;17\nPL-2026-0015;Veikko Laine;CD-19;4\n",
        "utf-8",
    )
    code, out, _ = run("scan", str(tmp_path), "--format", "jsonl", "--no-progress")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["entity"], r["value"], r["detail"]) for r in rows if r["entity"] == PLATE] == [
        (PLATE, "KLM-***", None),
        (PLATE, "CD-**", plate.DIPLOMATIC),
    ]
    assert "KLM-482" not in out


def test_in_a_plain_presidio_analyzer():
    analyzer = plain_analyzer()
    text = "Auton rekisterinumero ABC-123, tuotekoodi XY-12."
    found = [(r.entity_type, text[r.start : r.end]) for r in analyzer.analyze(text, language="fi")]
    assert found == [(PLATE, "ABC-123")]
    assert analyzer.analyze("Tuote ABC-123", language="fi") == []


def test_precision_and_recall_on_the_labelled_corpus():
    truth, found = load_truth(CORPUS), harava_run(CORPUS)
    result = score(truth, found.findings)[PLATE]
    wrong = sorted(k for k in found.keys - truth.expected if k[1] == PLATE)
    missed = sorted(k for k in truth.expected - found.keys if k[1] == PLATE)
    assert result.precision >= 0.95 and result.recall >= 0.95, f"wrongly reported {wrong}; missed {missed}"
    assert [
        h.lookalike.text for h in lookalike_hits(truth, CORPUS, found.findings) if h.lookalike.entity == PLATE
    ] == []


# --- the statement vocabulary ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "ajoneuvon rekisterinumero",
        "auton rekisterinumero",
        "ajoneuvorekisterinumero",
        "rekisterinumero",
        "rek.nro",
        "rekisterikilpi",
        "fordonets registreringsnummer",
        "registreringsskylt",
        "vehicle registration number",
        "licence plates",
    ],
)
def test_statements_name_the_registration_number(text):
    assert [c.key for c, _, _ in taxonomy.categories_in(text)] == ["rekisterinumero"]


@pytest.mark.parametrize(
    "text", ["Rekisterin nimi", "rekisterinpitäjä", "Rekisteriseloste", "kaupparekisterinumero", "registration number"]
)
def test_the_register_itself_is_no_vehicle(text):
    assert "rekisterinumero" not in [c.key for c, _, _ in taxonomy.categories_in(text)]


# --- the whole-array functions agree with the per-value ones ----------------------------------------

_SHAPES = st.from_regex(r"[A-ZÅÄÖ]{2,3}-[0-9]{1,3}", fullmatch=True)


@settings(max_examples=150, deadline=None)
@given(st.lists(_SHAPES, min_size=1, max_size=20))
def test_the_array_functions_agree_with_the_per_value_ones(values):
    recognizer = VehiclePlateRecognizer()
    texts = pa.array(values, pa.large_string())
    assert [v == VALID for v in plate.valid_array(texts).tolist()] == [plate.is_valid(v) for v in values]
    assert recognizer.mask_array(texts).to_pylist() == [plate.mask(v) for v in values]


@settings(max_examples=150, deadline=None)
@given(value=st.from_regex(r"[A-ZÅÄÖ]{2,3}-[1-9][0-9]{0,2}", fullmatch=True))
def test_generated_plates_are_found_beside_a_vehicle_word(engine, value):
    assert plates(engine, f"Auton rekisterinumero {value}.") == [value]
    assert plates(engine, f"Tuotekoodi {value}.") == []
