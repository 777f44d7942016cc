"""Spans that look like a value of some built-in detector but are something else.

A date such as ``01-03-2024`` is also a plausible phone-number candidate. A guard is an alternative in
the engine's first-pass alternation, placed just before the detectors it protects: when a date starts
at a position, the guard takes the span and nothing is reported for it. A guard says which entities it
protects because it must stop nothing else — a plug-in that looks for birth dates must still find them.

IBANs needed a guard of their own until there was an IBAN detector: the detector (``detectors.iban``)
comes first in the alternation, so the span of anything IBAN-shaped is its own, valid or not, and no
phone number is ever read out of one.
"""

from __future__ import annotations

from typing import NamedTuple

PHONE_NUMBER = "PHONE_NUMBER"
EMAIL_ADDRESS = "EMAIL_ADDRESS"
IP_ADDRESS = "IP_ADDRESS"
#: A message id is ASCII (RFC 5322): printable characters but "<", ">" and "@" on either side of the "@".
_ID_CHARS = r"[\x21-\x3b\x3d\x3f\x41-\x7e]+"
_MESSAGE_ID = rf"<{_ID_CHARS}@{_ID_CHARS}>"


#: A label that says what a number right after it is: an order, invoice, customer, case or payment reference
#: number, or an id of some record (``tilausnumero 157020-12348``, ``trace=5454741075080936``,
#: ``"order_id": "…"``). Account and card numbers that would be read in such a place are those numbers. A
#: ``REJECT_BEFORE`` tail (RE2 and Python syntax): anchor it with ``$``.
NUMBER_LABEL = (
    r"(?:^|[\W_])(?i:tilaus|order|ordre|bestell|lasku|invoice|faktura|asiakas|kund|customer|tapaus|case|ärende"
    r"|viite|ref|id|trace|session|sid|uuid|txn|transaction|request|correlation|serial|sarja)[\w-]*[\"']?"
    r"[ .:#=]*(?:(?i:no|nr|nro|num|number|numero)[ .:#=]*)?[\"']?"
)


class Guard(NamedTuple):
    name: str
    pattern: str
    #: Entities of the built-in detectors that must never report this span.
    protects: frozenset[str]


GUARDS: list[Guard] = [
    # A message id names a message, not a mailbox: "Message-ID: <44087D8C.9090407@example.ch>",
    # postfix's "message-id=<…>", and the lines of angle-bracketed ids In-Reply-To/References quoted in
    # text (ids separated by white space only, nothing else on the line; addresses in a "Cc:" line are
    # not such a line).
    Guard(
        "message_id",
        rf"(?i:message-id)[:=] ?{_MESSAGE_ID}|^[ \t>]*(?i:in-reply-to|references): ?(?:{_MESSAGE_ID}[ \t]*)+"
        rf"|^[ \t>]*{_MESSAGE_ID}(?:[ \t]+{_MESSAGE_ID})+",
        frozenset({EMAIL_ADDRESS, IP_ADDRESS, PHONE_NUMBER}),
    ),
    # 12.03.2024, 1.3.24, 12/03/2024, 12-03-2024 (the phone pattern knows no dots, but hyphens and
    # slashes occur in both)
    Guard("date_dmy", r"\b\d{1,2}[./\-]\d{1,2}[./\-](?:\d{4}|\d{2})\b", frozenset({PHONE_NUMBER})),
    # 2024-03-12 and 2024/03/12
    Guard("date_iso", r"\b\d{4}[\-/]\d{2}[\-/]\d{2}\b", frozenset({PHONE_NUMBER})),
    # Five or more groups of four digits: an order, batch or reference number in print groups
    # ("1234 0647 7797 5678 9012"), of which no part is a phone number. Four groups are a card's
    # (the card detector comes earlier and takes them); no phone number is written in four-digit groups.
    Guard("digit_groups", r"\b\d{4}(?:[ \-]\d{4}){4,}(?:[ \-]\d{1,3})?\b", frozenset({PHONE_NUMBER})),
]
