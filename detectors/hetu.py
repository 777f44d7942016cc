"""Henkilötunnus — the Finnish personal identity code (entity ``FI_PERSONAL_IDENTITY_CODE``).

Form ``DDMMYYCZZZQ``: birth date, century sign, individual number and a check character computed
mod 31 over the nine digits. The century signs of the 2023 decree (``Y X W V U`` and ``B C D E F``)
are accepted beside ``+ - A``. Individual numbers 900–999 are temporary codes: valid, but reported
as such. Only upper case is accepted: a lower-case look-alike is not a code in real data.

>>> validate('131052-308T')
'131052-308T'
>>> validate(' 131052Y308T ')
'131052Y308T'
>>> validate('131052-308U')
Traceback (most recent call last):
    ...
detectors.base.InvalidValue: check character is U, expected T
>>> validate('310252-308Y')
Traceback (most recent call last):
    ...
detectors.base.InvalidValue: no such date: 31.02.1952
>>> validate('290200-002C')
Traceback (most recent call last):
    ...
detectors.base.InvalidValue: no such date: 29.02.1900
>>> validate('010190-001P')
Traceback (most recent call last):
    ...
detectors.base.InvalidValue: individual number 001 is never issued
>>> validate('131052-308t')
Traceback (most recent call last):
    ...
detectors.base.InvalidValue: not of the form DDMMYYCZZZQ (upper case)
>>> is_temporary('010594Y9021')
True
>>> birth_date('290200A002C')
datetime.date(2000, 2, 29)
>>> mask('131052-308T')
'131052-***T'
"""

from __future__ import annotations

import datetime
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from detectors.base import INVALID, VALID, HaravaRecognizer, InvalidValue, ascii_matrix, digits_value

CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURIES = {"+": 1800, **dict.fromkeys("-YXWVU", 1900), **dict.fromkeys("ABCDEF", 2000)}

TEMPORARY = "temporary identity code"
_CENTURY_OF = np.zeros(256, np.int64)
for _sign, _century in CENTURIES.items():
    _CENTURY_OF[ord(_sign)] = _century
_CHECK_OF = np.frombuffer(CHECK_CHARACTERS.encode(), np.uint8)
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], np.int64)

_FORM = re.compile(r"(\d{2})(\d{2})(\d{2})([-+A-FU-Y])(\d{3})([0-9A-FHJ-NPR-Y])", re.ASCII)


def compact(value: str) -> str:
    """Strip surrounding white space; case is significant and kept."""
    return value.strip()


def check_character(digits: str) -> str:
    """The check character for the nine digits ``DDMMYYZZZ`` (and for the eight of a SATU, which DVV checks
    with the same table).

    >>> check_character('131052308')
    'T'
    """
    return CHECK_CHARACTERS[int(digits) % 31]


def check_codes(numbers: np.ndarray) -> np.ndarray:
    """:func:`check_character` of a whole array of numbers, as ASCII codes (to compare with a byte matrix)."""
    return _CHECK_OF[numbers % 31]


def birth_date(value: str) -> datetime.date:
    """The birth date the code encodes (raises :class:`InvalidValue` for impossible dates)."""
    match = _FORM.fullmatch(compact(value))
    if not match:
        raise InvalidValue("not of the form DDMMYYCZZZQ (upper case)")
    day, month, year, sign = match.group(1, 2, 3, 4)
    full_year = CENTURIES[sign] + int(year)
    try:
        return datetime.date(full_year, int(month), int(day))
    except ValueError:
        raise InvalidValue(f"no such date: {day}.{month}.{full_year}") from None


def validate(value: str) -> str:
    """Return the compact code or raise :class:`InvalidValue` with the precise reason."""
    value = compact(value)
    birth_date(value)  # raises for a malformed code or an impossible date
    individual, check = value[7:10], value[10]
    if individual in ("000", "001"):
        raise InvalidValue(f"individual number {individual} is never issued")
    expected = check_character(value[0:6] + individual)
    if check != expected:
        raise InvalidValue(f"check character is {check}, expected {expected}")
    return value


def is_valid(value: str) -> bool:
    try:
        validate(value)
    except InvalidValue:
        return False
    return True


def is_temporary(value: str) -> bool:
    """Codes with individual number 900–999 are temporary (given e.g. before registration)."""
    return compact(value)[7:10] >= "900"


def format(value: str) -> str:
    return compact(value)


def valid_array(texts: pa.Array) -> np.ndarray:
    """:func:`is_valid` for a whole array of pattern candidates, in numpy."""
    m = ascii_matrix(texts, 11)
    if m is None:
        return np.array([VALID if is_valid(t) else INVALID for t in texts.to_pylist()], np.int8)
    day, month, yy = digits_value(m, (0, 1)), digits_value(m, (2, 3)), digits_value(m, (4, 5))
    century = _CENTURY_OF[m[:, 6]]
    year = century + yy
    individual = digits_value(m, (7, 8, 9))
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    days = _MONTH_DAYS[np.clip(month, 0, 12)] + (leap & (month == 2))
    check = check_codes(digits_value(m, (0, 1, 2, 3, 4, 5, 7, 8, 9))) == m[:, 10]
    ok = (century > 0) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= days) & (individual >= 2) & check
    return np.where(ok, VALID, INVALID).astype(np.int8)


def compact_array(texts: pa.Array) -> pa.Array:
    """Pattern candidates are already compact (no white space, case kept)."""
    return texts


def mask_array(texts: pa.Array) -> pa.Array:
    return pc.utf8_replace_slice(texts, start=7, stop=10, replacement="***")


def mask(value: str) -> str:
    """Hide the individual number, the part that singles out one person born that day."""
    return mask_array(pa.array([compact(value)]))[0].as_py()


class HetuRecognizer(HaravaRecognizer):
    ENTITY = "FI_PERSONAL_IDENTITY_CODE"
    NAME = "hetu"
    CATEGORY = "henkilotunnus"
    COLUMN_HINTS = (
        r"hetu|henkilotunnus|henkilötunnus|sotu|personbeteckning|personnummer|ssn|social_?security|identity_?code"
    )
    PRIORITY = 10
    # No \b: an underscore is a word character to RE2, yet "hakemus_010979-9830.pdf" holds a code; the
    # strict boundary (no letter or digit on either side) is checked after matching.
    PATTERNS = [("hetu", r"\d{6}[-+A-FU-Y]\d{3}[0-9A-FHJ-NPR-Y]", 0.85)]
    CONTEXT = [
        "henkilötun",
        "henkilotun",
        "hetu",
        "sotu",
        "sosiaaliturvatun",
        "syntymä",
        "personbeteckn",
        "personnummer",
        "identity code",
        "personal id",
        "social security",
        "ssn",
    ]

    def _temporary(self, texts: pa.Array) -> pa.Array:
        return pc.greater_equal(pc.utf8_slice_codeunits(texts, 7, 10), "900")

    def detail_array(self, texts: pa.Array) -> pa.Array | None:
        return pc.if_else(self._temporary(texts), TEMPORARY, pa.scalar(None, pa.string()))

    def score_array(self, texts: pa.Array, scores: np.ndarray) -> np.ndarray:
        # Temporary codes are rarer in real data, so a random match is relatively likelier.
        return scores - 0.1 * self._temporary(texts).to_numpy(zero_copy_only=False)
