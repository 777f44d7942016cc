"""Y-tunnus — the Finnish business ID (entity ``FI_BUSINESS_ID``), also in its VAT form.

Form ``NNNNNNN-C``: seven digits weighted 7, 9, 10, 5, 8, 4, 2; the remainder mod 11 gives the check
digit (0 → 0, else 11 − r); remainder 1 is never issued. The VAT (ALV) number is ``FI`` followed by
the eight digits without the hyphen. Old six-digit IDs are written today with a leading zero
(``0737546-2``); a bare six-digit ``737546-2`` is not detected, because six digits, a hyphen and a
digit occur far more often as something else (times, serials, phone fragments).

For a sole trader the business ID identifies a natural person, hence it is personal data.

>>> validate('2077474-0')
'2077474-0'
>>> validate('FI20774740')
'2077474-0'
>>> validate('0737546-2')
'0737546-2'
>>> validate('2077474-1')
Traceback (most recent call last):
    ...
detectors.base.InvalidValue: check digit is 1, expected 0
>>> validate('1000008-1')
Traceback (most recent call last):
    ...
detectors.base.InvalidValue: remainder 1: no valid check digit exists for 1000008
>>> mask('2077474-0')
'207****-0'
>>> mask('FI20774740')
'FI207****0'
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from detectors.base import INVALID, VALID, HaravaRecognizer, InvalidValue, ascii_matrix, digits_value

WEIGHTS = (7, 9, 10, 5, 8, 4, 2)
_FORM = re.compile(r"(\d{7})-(\d)", re.ASCII)
_VAT = re.compile(r"FI(\d{7})(\d)", re.ASCII)


def compact(value: str) -> str:
    """Canonical ``NNNNNNN-C``; the VAT form is converted."""
    value = value.strip().replace(" ", "")
    vat = _VAT.fullmatch(value)
    return f"{vat.group(1)}-{vat.group(2)}" if vat else value


def check_digit(body: str) -> str:
    """The check digit for the seven digits (raises when remainder 1 leaves none).

    >>> check_digit('2077474')
    '0'
    """
    remainder = sum(w * int(d) for w, d in zip(WEIGHTS, body, strict=True)) % 11
    if remainder == 1:
        raise InvalidValue(f"remainder 1: no valid check digit exists for {body}")
    return "0" if remainder == 0 else str(11 - remainder)


def validate(value: str) -> str:
    value = compact(value)
    match = _FORM.fullmatch(value)
    if not match:
        raise InvalidValue("not of the form NNNNNNN-C or FINNNNNNNN")
    expected = check_digit(match.group(1))
    if match.group(2) != expected:
        raise InvalidValue(f"check digit is {match.group(2)}, expected {expected}")
    return value


def is_valid(value: str) -> bool:
    try:
        validate(value)
    except InvalidValue:
        return False
    return True


def format(value: str) -> str:
    return compact(value)


def valid_array(texts: pa.Array) -> np.ndarray:
    """:func:`is_valid` for a whole array of pattern candidates (both forms), in numpy."""
    m = ascii_matrix(pc.replace_substring_regex(texts, r"[^0-9]", ""), 8)
    if m is None:
        return np.array([VALID if is_valid(t) else INVALID for t in texts.to_pylist()], np.int8)
    weighted = sum(w * digits_value(m, (i,)) for i, w in enumerate(WEIGHTS))
    remainder = weighted % 11
    expected = np.where(remainder == 0, 0, 11 - remainder)
    ok = (remainder != 1) & (digits_value(m, (7,)) == expected)
    return np.where(ok, VALID, INVALID).astype(np.int8)


def compact_array(texts: pa.Array) -> pa.Array:
    return pc.replace_substring_regex(texts, r"^FI(\d{7})(\d)$", r"\1-\2")


def mask_array(texts: pa.Array) -> pa.Array:
    """Keep the first three digits and the check digit: ``207****-0``, ``FI207****0``."""
    return pc.replace_substring_regex(texts, r"^(FI)?(\d{3})\d{4}", r"\1\2****")


def mask(value: str) -> str:
    return mask_array(pa.array([value.strip()]))[0].as_py()


class YtunnusRecognizer(HaravaRecognizer):
    ENTITY = "FI_BUSINESS_ID"
    NAME = "ytunnus"
    CATEGORY = "y_tunnus"
    COLUMN_HINTS = r"y_?tunnus|ytunnus|business_?id|vat_?(id|number)?|alv|fo_?nummer|org_?nr"
    PRIORITY = 20
    PATTERNS = [
        ("ytunnus", r"\b\d{7}-\d\b", 0.6),
        ("alv", r"\bFI\d{8}\b", 0.6),
    ]
    CONTEXT = [
        "y-tun",
        "ytun",
        "y-tunnus",
        "yritystun",
        "alv",
        "vat",
        "business id",
        "company id",
        "fo-nummer",
        "företagsnummer",
        "org.nr",
        "toiminimi",
    ]
