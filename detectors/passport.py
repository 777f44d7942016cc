"""Finnish passport numbers (entity ``FI_PASSPORT``).

A Finnish passport's number is two letters and seven digits, written solid: ``XP1234567``. It carries no
check digit (the check digits of a passport's machine-readable zone are printed there, not in the number
as people write it), so nothing in the value tells it from a product code, a booking reference or a serial
number of the same shape. A passport number counts only beside a word that says it is one — *passi*,
*passin numero*, *passport*, *pass*, *passnummer*, *matkustusasiakirja* — in its line, the line above, its
label or a column named so; and never right after a label of another code (*tilaus*, *tuotekoodi*,
*Booking ref*, ``SKU:``), nor hyphenated into a longer one.

Findings keep the two letters (the passport series) and the last two digits, which tell two findings in
one file apart; the five digits between, hidden, leave 100 000 numbers in the series: ``XP*****67``.

>>> validate('XP1234567'), validate(' xp1234567 ')
('XP1234567', 'XP1234567')
>>> validate('XP123456')
Traceback (most recent call last):
    ...
detectors.base.InvalidValue: not of the form AB1234567 (two letters and seven digits)
>>> mask('XP1234567')
'XP*****67'
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from detectors.base import INVALID, VALID, HaravaRecognizer, InvalidValue
from detectors.vehicle_plate import CODE_KEY, CODE_LABEL

_FORM = re.compile(r"[A-Z]{2}[0-9]{7}", re.ASCII)


def compact(value: str) -> str:
    """Upper case, without surrounding white space."""
    return value.strip().upper()


def validate(value: str) -> str:
    """Return the compact number or raise :class:`InvalidValue` with the precise reason."""
    number = compact(value)
    if not _FORM.fullmatch(number):
        raise InvalidValue("not of the form AB1234567 (two letters and seven digits)")
    return number


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
    """:func:`is_valid` for a whole array of pattern candidates."""
    ok = pc.match_substring_regex(texts.cast(pa.large_string()), "^[A-Z]{2}[0-9]{7}$")
    return np.where(ok.to_numpy(zero_copy_only=False), VALID, INVALID).astype(np.int8)


def compact_array(texts: pa.Array) -> pa.Array:
    """Pattern candidates are already compact (upper case, no white space)."""
    return texts


def mask_array(texts: pa.Array) -> pa.Array:
    """Keep the letters and the last two digits: ``XP*****67``."""
    return pc.utf8_replace_slice(texts.cast(pa.large_string()), start=2, stop=7, replacement="*****")


def mask(value: str) -> str:
    return mask_array(pa.array([compact(value)], pa.large_string()))[0].as_py()



class PassportRecognizer(HaravaRecognizer):
    ENTITY = "FI_PASSPORT"
    NAME = "passport"
    CATEGORY = "passi"
    COLUMN_HINTS = r"passi\w*|passport\w*|passnummer|passnr|pass_?(?:no|nr|number|nummer)"
    # After the payment cards, before the e-mail addresses' guard (see health_card).
    PRIORITY = 28
    CONTEXT_REQUIRED = True  # a passport number has no check digit (see the module's docstring)
    PATTERNS = [("passport", r"\b[A-Z]{2}[0-9]{7}\b", 0.3)]
    # Labelled as another code; hyphenated into a longer code on either side.
    REJECT_BEFORE = rf"(?:[A-Za-z0-9][-/]|{CODE_LABEL})$"
    REJECT_AFTER = r"^[-/.,][A-Za-z0-9]"
    REJECT_LABEL = CODE_KEY
    CONTEXT = [
        "passi",
        "passport",
        "passnummer",
        "passnr",
        "pass nr",
        "pass no",
        "pass:",
        "pass ",
        "passet",
        "passets",
        "matkustusasiakirj",
        "travel document",
        "resedokument",
        "resehandling",
    ]
