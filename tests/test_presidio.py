"""Harava's detectors work inside a plain Presidio AnalyzerEngine, and Presidio recognizers in Harava."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
from presidio_analyzer.nlp_engine import NoOpNlpEngine

from detectors import load_detectors, presidio_recognizers
from scanner.engine import CONTEXT_BOOST, Engine


def plain_analyzer() -> AnalyzerEngine:
    registry = RecognizerRegistry(supported_languages=["fi"])
    for recognizer in presidio_recognizers("fi"):
        registry.add_recognizer(recognizer)
    return AnalyzerEngine(
        registry=registry,
        supported_languages=["fi"],
        nlp_engine=NoOpNlpEngine(models=[{"lang_code": "fi", "model_name": "none"}]),
    )


def test_detectors_in_a_plain_presidio_analyzer():
    analyzer = plain_analyzer()
    text = "Hetu 131052-308T, väärä 131052-308U, Y-tunnus 2077474-0, puh. 040 123 4567, aino@example.fi, 192.0.2.1"
    found = {(r.entity_type, text[r.start : r.end]) for r in analyzer.analyze(text, language="fi")}
    assert found == {
        ("FI_PERSONAL_IDENTITY_CODE", "131052-308T"),
        ("FI_BUSINESS_ID", "2077474-0"),
        ("PHONE_NUMBER", "040 123 4567"),
        ("EMAIL_ADDRESS", "aino@example.fi"),
        ("IP_ADDRESS", "192.0.2.1"),
    }


def test_forms_that_need_context_need_it_in_presidio_too():
    """A bare "358…" run or an address in plain English words counts only beside a context word, in
    Presidio as in Harava's engine."""
    analyzer = plain_analyzer()

    def found(text: str) -> list[str]:
        return [text[r.start : r.end] for r in analyzer.analyze(text, language="fi")]

    assert found("tilausnumero 358401234567") == []
    assert found("GSM 358401234567") == ["358401234567"]
    assert found("We met at example dot com") == []
    assert found("Sähköposti:\nnimi at example dot fi") == ["nimi at example dot fi"]
    assert found("nimi(at)example.fi") == ["nimi(at)example.fi"]
    assert found("sasl_username=aino@example.fi") == ["aino@example.fi"]
    assert found("puh. 040 123 4567 12 kpl") == ["040 123 4567"]


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


PLUG_INS = r"""recognizers:
  - name: "Tilinumero"
    supported_language: "fi"
    supported_entity: "FI_IBAN"
    patterns:
      - name: "iban_fi"
        regex: '\bFI\d{2}(?: ?\d{4}){3} ?\d{2}\b'
        score: 0.6
    context: ["tilinumero", "iban"]
  - name: "Syntymäaika"
    supported_language: "fi"
    supported_entity: "BIRTH_DATE"
    patterns:
      - name: "dmy"
        regex: '\b\d{1,2}\.\d{1,2}\.(?:19|20)\d{2}\b'
        score: 0.4
    context: ["syntynyt", "syntymäaika"]
"""

LINES = [
    "Maksu tilille FI2112345600000785, eräpäivä 1.4.2026 ja 31.12.1999.",
    "Tilinumero FI21 1234 5600 0007 85",
    "syntynyt 12.3.1985",
    "fi21 1234 5600 0007 85 / puh. 040 123 4567 / 01-03-2024",
]


def test_yaml_recognizers_the_guards_would_have_stopped(tmp_path: Path):
    """A birth date is what a guard keeps from the phone detector, not from a plug-in; an IBAN is the built-in
    IBAN detector's, which a plug-in for IBANs competes with by score (and the phone detector never gets)."""
    path = tmp_path / "plug_ins.yaml"
    path.write_text(PLUG_INS, "utf-8")
    plug_ins = [d.recognizer for d in load_detectors([path], entry_points=False)[-2:]]
    engine = Engine([*presidio_recognizers(), *plug_ins])
    assert all(engine.is_vectorised(r) for r in plug_ins)
    hits = engine.scan(pa.array(LINES))
    found = list(zip(hits.row, hits.entity, hits.text, hits.start, hits.end, hits.score, strict=True))
    assert found == [
        (0, "IBAN_CODE", "FI2112345600000785", 14, 32, 1.0),  # the built-in's 0.8 and "tilille" beat 0.6
        (0, "BIRTH_DATE", "1.4.2026", 43, 51, 0.4),
        (0, "BIRTH_DATE", "31.12.1999", 55, 65, 0.4),
        (1, "IBAN_CODE", "FI21 1234 5600 0007 85", 11, 33, 1.0),  # and 0.8 and "tilinumero" beat 0.95
        (2, "BIRTH_DATE", "12.3.1985", 9, 18, 0.75),
        (3, "FI_IBAN", "fi21 1234 5600 0007 85", 0, 22, 0.6),  # Presidio's patterns ignore case
        (3, "PHONE_NUMBER", "040 123 4567", 30, 42, 0.85),  # and none inside the IBANs or dates
    ]
    # The same spans as the recognizers' own analyze, line by line (whose score has no context boost).
    for row, line in enumerate(LINES):
        alone = sorted(
            (r.start, r.end, r.entity_type, r.score)
            for rec in plug_ins
            for r in rec.analyze(line, rec.supported_entities)
        )
        mine = [(s, e, ent, sc) for r, ent, _, s, e, sc in found if r == row and ent.startswith(("FI_", "BIRTH"))]
        builtin = [(s, e) for r, ent, _, s, e, _ in found if r == row and ent in ("IBAN_CODE", "PHONE_NUMBER")]
        alone = [a for a in alone if not any(s < a[1] and a[0] < e for s, e in builtin)]  # outscored
        assert [a[:3] for a in alone] == [m[:3] for m in mine]
        assert all(m[3] in (a[3], round(a[3] + CONTEXT_BOOST, 2)) for a, m in zip(alone, mine, strict=True))


class DigitRun(PatternRecognizer):
    """Digit groups separated by white space; the look-ahead keeps it off the vectorised path."""

    def __init__(self) -> None:
        super().__init__("DIGIT_RUN", patterns=[Pattern("digits", r"\b(?=\d)\d{2,}(?:\s+\d{2,})*\b", 0.5)])


def test_per_text_fallback_never_matches_across_rows():
    recognizer = DigitRun()
    engine = Engine([recognizer])
    assert not engine.is_vectorised(recognizer)
    rows = ["tilaus 12", "3456 7890 ok", "", "ORD", "55 66", "x 77"]
    hits = engine.scan(pa.array(rows))
    found = list(zip(hits.row, hits.start, hits.end, hits.text, strict=True))
    assert found == [
        (0, 7, 9, "12"),
        (1, 0, 9, "3456 7890"),
        (4, 0, 5, "55 66"),
        (5, 2, 4, "77"),
    ]
    alone = [(row, r.start, r.end) for row, text in enumerate(rows) for r in recognizer.analyze(text, ["DIGIT_RUN"])]
    assert alone == [f[:3] for f in found]
