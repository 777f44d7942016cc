"""The European health insurance card number Kela issues (entity ``FI_HEALTH_INSURANCE_CARD``).

The card's identification number (field 8 of the EHIC) is 20 digits. Those of the cards Kela issues begin
``80246`` — the health sector's issuer prefix ``80`` of ISO/IEC 7812 and ``246``, Finland's numeric
country code — and in practice ``8024680246``. Written solid, in groups of five as printed on the card,
as two halves of ten, or in groups of four when someone retypes it::

    80246802460012345678   80246 80246 00123 45678   8024680246 0012345678   8024 6802 4600 1234 5678

**No check digit.** No check of the number is published: Microsoft Purview's definition of the Finnish
EHIC number says "Checksum: No", and the card's specification names no check digit; the number is not
ISO/IEC 7812's Luhn-checked form either (that has at most 19 digits). So nothing but the prefix tells it
from any other 20-digit number — an order number, a tracking number, a database key — and a number
counts only beside a word that says it is such a card (*sairausvakuutuskortti*, *Kela-kortti*,
*eurooppalainen sairaanhoitokortti*, *EHIC*, *sjukförsäkringskort*, *europeiskt sjukvårdskort*, *health
insurance card*), in its line, the line above, its label or a column named so. A number that runs on
into more digits or digit groups is part of something longer, and never reported.

The number says that a person is insured in Finland, not what their health is: it is ordinary personal
data, not a special category. Findings keep the issuer prefix (the same on every Finnish card) and the
last four digits: ``80246 ***** ***** *5678``.

>>> validate('80246 80246 00123 45678')
'80246802460012345678'
>>> validate('8024680246-0012345678')
'80246802460012345678'
>>> validate('80247 80246 00123 45678')
Traceback (most recent call last):
    ...
detectors.base.InvalidValue: a card Kela issues has a number starting 80246, not 80247
>>> validate('80246 80246 00123 4567')
Traceback (most recent call last):
    ...
detectors.base.InvalidValue: not 20 digits
>>> format('80246802460012345678')
'80246 80246 00123 45678'
>>> mask('80246 80246 00123 45678'), mask('80246802460012345678'), mask('8024680246 0012345678')
('80246 ***** ***** *5678', '80246***********5678', '80246***** ******5678')
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from detectors.base import INVALID, VALID, HaravaRecognizer, InvalidValue, mask_digits_between

#: The first digits of every European health insurance card number Kela issues.
PREFIX = "80246"
LENGTH = 20

_SEPARATORS = re.compile(r"[ -]")


def compact(value: str) -> str:
    """The digits alone: one number written in groups or solid is one value."""
    return _SEPARATORS.sub("", value.strip())


def validate(value: str) -> str:
    """Return the 20 digits or raise :class:`InvalidValue` with the precise reason."""
    number = compact(value)
    if not number.isdigit() or not number.isascii() or len(number) != LENGTH:
        raise InvalidValue("not 20 digits")
    if not number.startswith(PREFIX):
        raise InvalidValue(f"a card Kela issues has a number starting {PREFIX}, not {number[:5]}")
    return number


def is_valid(value: str) -> bool:
    try:
        validate(value)
    except InvalidValue:
        return False
    return True


def format(value: str) -> str:
    """In groups of five, as printed on the card."""
    number = validate(value)
    return " ".join(number[i : i + 5] for i in range(0, LENGTH, 5))


# --- arrays ----------------------------------------------------------------------------------------


def compact_array(texts: pa.Array) -> pa.Array:
    return pc.replace_substring_regex(texts.cast(pa.large_string()), "[ -]", "")


def valid_array(texts: pa.Array) -> np.ndarray:
    """:func:`is_valid` for a whole array of pattern candidates."""
    ok = pc.match_substring_regex(compact_array(texts), f"^{PREFIX}[0-9]{{{LENGTH - len(PREFIX)}}}$")
    return np.where(ok.to_numpy(zero_copy_only=False), VALID, INVALID).astype(np.int8)


def mask_array(texts: pa.Array) -> pa.Array:
    """Keep the issuer prefix and the last four digits; hide the digits between, separators kept."""
    return mask_digits_between(texts, len(PREFIX))


def mask(value: str) -> str:
    return mask_array(pa.array([value.strip()], pa.large_string()))[0].as_py()



class HealthCardRecognizer(HaravaRecognizer):
    ENTITY = "FI_HEALTH_INSURANCE_CARD"
    NAME = "health_card"
    CATEGORY = "kela_kortti"
    COLUMN_HINTS = (
        r"ehic\w*|kela_?kortti\w*|sairausvakuutuskortti\w*|sairaanhoitokortti\w*|health_?(?:insurance_?)?card\w*"
        r"|sjukforsakringskort\w*|sjukförsäkringskort\w*|sjukvardskort\w*|sjukvårdskort\w*"
    )
    # After the payment cards (a card number never starts with 8) and before the e-mail addresses' guard:
    # a detector after it would run in a second pass of its own.
    PRIORITY = 26
    CONTEXT_REQUIRED = True  # a Kela card number has no check digit (see the module's docstring)
    PATTERNS = [
        # solid, 5-5-5-5 and 10-10 (spaces or hyphens); 4-4-4-4-4 as retyped
        ("ehic", r"\b80246(?:\d{15}|(?:[ -]\d{5}){3}|\d{5}[ -]\d{10})\b|\b8024(?:[ -]\d{4}){4}\b", 0.4),
    ]
    # More digit groups on either side, or an international phone number's "+": part of something longer.
    REJECT_BEFORE = r"(?:\d[ .,-]|\+)$"
    REJECT_AFTER = r"^[ .,-]\d"
    CONTEXT = [
        "sairausvakuutuskort",
        "sairaanhoitokort",
        "sairausvakuutusnumer",
        "kela-kort",
        "kelakort",
        "kela",
        "ehic",
        "fpa-kort",
        "sjukförsäkringskort",
        "sjukvårdskort",
        "health insurance card",
        "health card",
        "hälsokort",
    ]
