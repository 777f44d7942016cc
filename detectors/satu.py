"""SATU — the electronic identification number (*sähköinen asiointitunnus*, FINUID; entity ``FI_SATU``).

DVV gives every person in the Population Information System an electronic identification number; it is
written on the identity card and in its certificates, and identifies the person in electronic services as
the identity code does. Form ``NNNNNNNNC``: eight digits and a check character, the number modulo 31 in
``0123456789ABCDEFHJKLMNPRSTUVWXY`` — the identity code's table, without ``G I O Q Z``.

One digit run in 31 passes the check by chance, and nine digits are common as customer, order and case
numbers, so a SATU counts only beside a word that says it is one (*SATU*, *FINUID*, *sähköinen
asiointitunnus*, *elektronisk kommunikationskod*, *electronic identification number*), in its line, the
line above, its label or a column named so; and never right after a label of another number
(*asiakasnumero*, *viite*, *tilaus*, ``id=``) or inside a longer run of digit groups. *SATU* counts as a
label in every form (``SATU:``, ``SATU 12345678N``, *SATU-tunnus*, ``(SATU)``, a CSV column ``satu``), so
the start of a word is enough — and context words are matched regardless of case: *satunnainen*
(random), *satuja* (fairy tales) and the first name *Satu* count too. A line naming a Satu, or saying
"satunnainen", and holding a nine-character code whose check holds (one in 31) is reported.

A number starting with ``0`` is looked for only when its check character is a letter: nine digits
starting with ``0`` are a phone number's (``091234567``), which would otherwise be read as a SATU first.

>>> validate('12345678N')
'12345678N'
>>> validate(' 12345678n ')
'12345678N'
>>> validate('12345678P')
Traceback (most recent call last):
    ...
detectors.base.InvalidValue: check character is P, expected N
>>> validate('1234567GN')
Traceback (most recent call last):
    ...
detectors.base.InvalidValue: not of the form NNNNNNNNC (eight digits and a check character)
>>> check_character('12345678')
'N'
>>> mask('12345678N')
'123*****N'
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from detectors.base import INVALID, VALID, HaravaRecognizer, InvalidValue, ascii_matrix, digits_value
from detectors.guards import NUMBER_LABEL
from detectors.hetu import check_character, check_codes  # DVV checks both with the same table

_FORM = re.compile(r"(\d{8})([0-9A-FHJ-NPR-Y])", re.ASCII)


def compact(value: str) -> str:
    """Upper case, without surrounding white space."""
    return value.strip().upper()


def validate(value: str) -> str:
    """Return the compact number or raise :class:`InvalidValue` with the precise reason."""
    value = compact(value)
    match = _FORM.fullmatch(value)
    if not match:
        raise InvalidValue("not of the form NNNNNNNNC (eight digits and a check character)")
    digits, check = match.groups()
    expected = check_character(digits)
    if check != expected:
        raise InvalidValue(f"check character is {check}, expected {expected}")
    return value


def is_valid(value: str) -> bool:
    try:
        validate(value)
    except InvalidValue:
        return False
    return True


def format(value: str) -> str:
    return compact(value)


# --- arrays ----------------------------------------------------------------------------------------


def valid_array(texts: pa.Array) -> np.ndarray:
    """:func:`is_valid` for a whole array of pattern candidates, in numpy."""
    m = ascii_matrix(texts, 9)
    if m is None:
        return np.array([VALID if is_valid(t) else INVALID for t in texts.to_pylist()], np.int8)
    digits = ((m[:, :8] >= 48) & (m[:, :8] <= 57)).all(axis=1)
    check = check_codes(np.where(digits, digits_value(m, range(8)), 0)) == m[:, 8]
    return np.where(digits & check, VALID, INVALID).astype(np.int8)


def compact_array(texts: pa.Array) -> pa.Array:
    """Pattern candidates are already compact (upper case, no white space)."""
    return texts


def mask_array(texts: pa.Array) -> pa.Array:
    """Keep the first three digits and the check character, as for a business ID: ``123*****N``."""
    return pc.utf8_replace_slice(texts, start=3, stop=8, replacement="*****")


def mask(value: str) -> str:
    return mask_array(pa.array([compact(value)], pa.large_string()))[0].as_py()



class SatuRecognizer(HaravaRecognizer):
    ENTITY = "FI_SATU"
    NAME = "satu"
    CATEGORY = "satu"
    COLUMN_HINTS = r"satu|finuid|satu_?(?:numero|nro|tunnus|id)|sahkoinen_?asiointitunnus|asiointitunnus"
    # After the payment cards, before the e-mail addresses' guard (see health_card).
    PRIORITY = 27
    CONTEXT_REQUIRED = True  # one nine-character run in 31 passes the check (see the module's docstring)
    PATTERNS = [("satu", r"\b(?:[1-9]\d{7}[0-9A-FHJ-NPR-Y]|0\d{7}[A-FHJ-NPR-Y])\b", 0.4)]
    # A label of another number right before it; another digit group on either side.
    REJECT_BEFORE = rf"(?:\d[ .,-]|\+|{NUMBER_LABEL})$"
    REJECT_AFTER = r"^[-.,/]\d"
    # "satu" starts a word: a label ("SATU:", "SATU-tunnus", "(SATU)", a column "satu" at the end of a CSV
    # header), and also "satunnainen" (random), "satuja" (fairy tales) and the first name Satu.
    CONTEXT = [
        "satu",
        "finuid",
        "asiointitunnu",
        "asiointitunnus",
        "kommunikationskod",
        "electronic identification number",
        "electronic id number",
    ]
