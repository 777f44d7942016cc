"""Harava's detectors work inside a plain Presidio AnalyzerEngine, and Presidio recognizers in Harava."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
from presidio_analyzer.nlp_engine import NoOpNlpEngine

from detectors import load_detectors, presidio_recognizers
from scanner.engine import Engine


def test_detectors_in_a_plain_presidio_analyzer():
    registry = RecognizerRegistry(supported_languages=["fi"])
    for recognizer in presidio_recognizers("fi"):
        registry.add_recognizer(recognizer)
    analyzer = AnalyzerEngine(
        registry=registry,
        supported_languages=["fi"],
        nlp_engine=NoOpNlpEngine(models=[{"lang_code": "fi", "model_name": "none"}]),
    )
    text = "Hetu 131052-308T, väärä 131052-308U, Y-tunnus 2077474-0, puh. 040 123 4567, aino@example.fi, 192.0.2.1"
    found = {(r.entity_type, text[r.start : r.end]) for r in analyzer.analyze(text, language="fi")}
    assert found == {
        ("FI_PERSONAL_IDENTITY_CODE", "131052-308T"),
        ("FI_BUSINESS_ID", "2077474-0"),
        ("PHONE_NUMBER", "040 123 4567"),
        ("EMAIL_ADDRESS", "aino@example.fi"),
        ("IP_ADDRESS", "192.0.2.1"),
    }


class Ticket(PatternRecognizer):
    """A third-party recognizer with an RE2-compatible pattern and a validator."""

    def __init__(self) -> None:
        super().__init__("TICKET_ID", patterns=[Pattern("ticket", r"\bTKT-\d{6}\b", 0.6)], context=["tiketti"])

    def validate_result(self, pattern_text: str) -> bool:
        return pattern_text != "TKT-000000"


class Lookahead(PatternRecognizer):
    """A pattern RE2 cannot run (look-ahead): Harava falls back to Presidio's per-text path."""

    def __init__(self) -> None:
        super().__init__("ORDER_ID", patterns=[Pattern("order", r"\bORD(?=\d{4}\b)\d{4}", 0.7)])


def test_third_party_recognizers_run_vectorised_or_per_text():
    engine = Engine([Ticket(), Lookahead(), *presidio_recognizers()])
    assert engine.is_vectorised(engine.adapters[0].recognizer)
    assert not engine.is_vectorised(engine.adapters[1].recognizer)
    hits = engine.scan(pa.array(["tiketti TKT-123456 ja TKT-000000", "tilaus ORD1234, puh. 040 123 4567"]))
    found = [(a.entity, t, r, s) for a, t, r, s in zip(hits.adapter, hits.text, hits.row, hits.start, strict=True)]
    assert found == [
        ("TICKET_ID", "TKT-123456", 0, 8),
        ("ORDER_ID", "ORD1234", 1, 7),
        ("PHONE_NUMBER", "040 123 4567", 1, 21),
    ]
    assert hits.score[0] == 1.0  # validated: Presidio's convention


def test_presidio_yaml_recognizer_file(tmp_path: Path):
    yaml_file = tmp_path / "extra.yaml"
    yaml_file.write_text(
        """recognizers:
  - name: "Kiinteistötunnus"
    supported_language: "fi"
    supported_entity: "FI_PROPERTY_ID"
    patterns:
      - name: "kiinteistotunnus"
        regex: "\\\\b\\\\d{3}-\\\\d{3}-\\\\d{4}-\\\\d{4}\\\\b"
        score: 0.7
    context: ["kiinteistö"]
""",
        "utf-8",
    )
    detectors = load_detectors([yaml_file], entry_points=False)
    assert detectors[-1].origin == f"yaml {yaml_file}"
    hits = Engine([d.recognizer for d in detectors]).scan(pa.array(["Kiinteistötunnus 091-004-0012-0003."]))
    assert [(a.entity, t, s) for a, t, s in zip(hits.adapter, hits.text, hits.score, strict=True)] == [
        ("FI_PROPERTY_ID", "091-004-0012-0003", 1.0)
    ]
