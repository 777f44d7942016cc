"""Spans that look like phone numbers but are something else, and so must never become one.

A guard is an alternative in the engine's single alternation, ordered before the phone detector:
when a date or an IBAN starts at a position, the guard takes the span and nothing is reported for it.
"""

from __future__ import annotations

GUARDS: list[tuple[str, str]] = [
    # 12.03.2024, 1.3.24, 12/03/2024, 12-03-2024 (the phone pattern knows no dots, but hyphens and
    # slashes occur in both)
    ("date_dmy", r"\b\d{1,2}[./\-]\d{1,2}[./\-](?:\d{4}|\d{2})\b"),
    # 2024-03-12 and 2024/03/12
    ("date_iso", r"\b\d{4}[\-/]\d{2}[\-/]\d{2}\b"),
    # IBAN, printed in groups of four or not: FI21 1234 5600 0007 85
    ("iban", r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b"),
]
