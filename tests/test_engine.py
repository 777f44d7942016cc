"""The engine's passes: guards stop only the detectors they protect, and plug-ins compete by score."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

import scanner.engine
from detectors import HaravaRecognizer, load_detectors, presidio_recognizers
from detectors.base import VALID
from scanner.engine import Adapter, Engine, HitGroup
from scanner.hits import prefer
from tests.conftest import find

PHONE = "PHONE_NUMBER"


class EventDate(HaravaRecognizer):
    """A Harava-style plug-in for dates: the date guard exists for the phone detector, not for it."""

    ENTITY = "EVENT_DATE"
    NAME = "event_date"
    CATEGORY = "tapahtuma"
    PATTERNS = [("dmy", r"\b\d{1,2}-\d{1,2}-\d{4}\b", 0.5)]

    def __init__(self, priority: int) -> None:
        self.PRIORITY = priority
        super().__init__()

    def valid_array(self, texts: pa.Array) -> np.ndarray:
        return np.full(len(texts), VALID, np.int8)


def test_date_guard_keeps_phone_numbers_out_of_dates(monkeypatch: pytest.MonkeyPatch):
    lines = ["päivä 01-03-2024", "soita 040 123 4567"]
    assert find(Engine(presidio_recognizers()), *lines) == [(PHONE, "040 123 4567")]
    monkeypatch.setattr(scanner.engine, "GUARDS", [])  # what the guard prevents
    assert find(Engine(presidio_recognizers()), *lines) == [(PHONE, "01-03-2024"), (PHONE, "040 123 4567")]


@pytest.mark.parametrize("priority", [50, 95])  # before the guards, and after them and the phone detector
def test_a_guard_stops_only_the_detectors_it_protects(priority: int):
    engine = Engine([*presidio_recognizers(), EventDate(priority)])
    assert engine.is_vectorised(engine.adapters[-1].recognizer)
    assert find(engine, "päivä 01-03-2024, puh. 040 123 4567") == [
        ("EVENT_DATE", "01-03-2024"),
        (PHONE, "040 123 4567"),
    ]


def customer_number_file(tmp_path: Path, score: float) -> Path:
    """A Presidio YAML recognizer whose pattern also takes phone numbers written 040 123 4567."""
    path = tmp_path / "customer.yaml"
    path.write_text(
        f"""recognizers:
  - name: "Asiakasnumero"
    supported_language: "fi"
    supported_entity: "CUSTOMER_ID"
    patterns:
      - name: "asiakasnumero"
        regex: '\\b0\\d{{2}} \\d{{3}} \\d{{4}}\\b'
        score: {score}
""",
        "utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("score", "without_context", "with_context"),
    [
        (0.4, PHONE, PHONE),
        (0.5, PHONE, PHONE),  # a tie: the built-in detector's
        (0.6, "CUSTOMER_ID", PHONE),  # a phone number beside "puh." scores 0.85
        (0.9, "CUSTOMER_ID", "CUSTOMER_ID"),
    ],
)
def test_overlapping_plug_in_and_built_in_the_higher_score_wins(tmp_path, score, without_context, with_context):
    detectors = load_detectors([customer_number_file(tmp_path, score)], entry_points=False)
    engine = Engine([d.recognizer for d in detectors])
    lines = ["asiakas 040 123 4567", "puh. 040 123 4567", "nro 012 345 6789", "ei mitään"]
    hits = engine.scan(pa.array(lines, pa.large_string()))
    assert [(r, t, e) for r, t, e in zip(hits.row, hits.text, hits.entity, strict=True)] == [
        (0, "040 123 4567", without_context),
        (1, "040 123 4567", with_context),
        (2, "012 345 6789", "CUSTOMER_ID"),  # no phone number here: nothing to compete with
    ]


def _group(adapter: Adapter, *hits: tuple[int, int, int, float]) -> HitGroup:
    row, start, end, score = (np.array(column) for column in zip(*hits, strict=True))
    return HitGroup(adapter, row, start, end, pa.array(["x"] * len(hits), pa.large_string()), score)


def test_prefer_drops_only_hits_outscored_by_an_overlapping_one():
    builtin, plugin = (Adapter(r) for r in presidio_recognizers()[:2])
    first = [_group(builtin, (0, 0, 5, 0.5), (0, 10, 15, 0.9), (1, 0, 4, 0.5), (3, 0, 4, 0.5))]
    second = [_group(plugin, (0, 3, 12, 0.7), (1, 4, 8, 0.9), (2, 0, 3, 0.1), (3, 2, 3, 0.5))]
    kept = sorted(
        (g.adapter is builtin, *hit) for g in prefer(first, second) for hit in zip(g.row, g.start, g.end, strict=True)
    )
    assert kept == [
        (False, 1, 4, 8),  # touching is not overlapping
        (False, 2, 0, 3),  # alone on its row
        (True, 0, 10, 15),  # 0.9 beats the plug-in's 0.7; its 0.5 neighbour does not
        (True, 1, 0, 4),
        (True, 3, 0, 4),  # a tie inside: the built-in's
    ]


def test_letters_beyond_ascii_belong_to_words_but_punctuation_and_symbols_do_not():
    """Addresses in other alphabets are found whole, and the quote, dash or currency sign after one is not
    taken into it (the letter classes are ranges, not ``\\p{L}``, which made every engine call slow)."""
    engine = Engine(presidio_recognizers(), entities=["EMAIL_ADDRESS"])
    assert find(engine, "Yhteys: jyrki.mäkelä@esimerkkiyhtiö.fi.") == [("EMAIL_ADDRESS", "jyrki.mäkelä@esimerkkiyhtiö.fi")]
    assert find(engine, "Пишите: иван@пример.рф") == [("EMAIL_ADDRESS", "иван@пример.рф")]
    assert find(engine, "”aino@example.fi”, aino@example.fi€ tai aino@example.fi…") == [
        ("EMAIL_ADDRESS", "aino@example.fi"),
    ] * 3
    assert find(engine, "sähköposti:aino@example.fi") == [("EMAIL_ADDRESS", "aino@example.fi")]


def test_a_csv_header_shared_by_its_rows_refuses_no_value_when_read_with_other_texts():
    """A CSV header is one label for every column of its rows: the ``version`` column's header must not
    refuse the address in the ``ip`` column, whether the file is read alone or in a group of small files."""
    from detectors import presidio_recognizers

    engine = Engine(presidio_recognizers())
    csv_lines = pa.array(["192.0.2.5;1.2"], pa.large_string())
    alone = engine.scan(csv_lines, None, "ip;version")
    grouped = engine.scan_many(
        [
            (pa.array(["ei mitään"], pa.large_string()), None, None),
            (csv_lines, None, "ip;version"),
            (pa.array(["2.0.1.1"], pa.large_string()), None, pa.array(["version"], pa.large_string())),
        ]
    )
    assert [[t.as_py() for t in g.text] for g in alone.groups] == [["192.0.2.5"]]
    assert [[t.as_py() for t in g.text] for g in grouped[1].groups] == [["192.0.2.5"]]
    assert grouped[2].groups == []  # a label of its own still refuses: a JSON "version" field
