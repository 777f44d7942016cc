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

from detectors.base import HaravaRecognizer, InvalidValue

CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURIES = {"+": 1800, **dict.fromkeys("-YXWVU", 1900), **dict.fromkeys("ABCDEF", 2000)}

_FORM = re.compile(r"(\d{2})(\d{2})(\d{2})([-+A-FU-Y])(\d{3})([0-9A-FHJ-NPR-Y])", re.ASCII)


def compact(value: str) -> str:
    """Strip surrounding white space; case is significant and kept."""
    return value.strip()


def check_character(digits: str) -> str:
    """The check character for the nine digits ``DDMMYYZZZ``.

    >>> check_character('131052308')
    'T'
    """
    return CHECK_CHARACTERS[int(digits) % 31]


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


def mask(value: str) -> str:
    """Hide the individual number, the part that singles out one person born that day."""
    value = compact(value)
    return value[:7] + "***" + value[10:]


class HetuRecognizer(HaravaRecognizer):
    ENTITY = "FI_PERSONAL_IDENTITY_CODE"
    NAME = "hetu"
    CATEGORY = "henkilotunnus"
    PRIORITY = 10
    PATTERNS = [("hetu", r"\b\d{6}[-+A-FU-Y]\d{3}[0-9A-FHJ-NPR-Y]\b", 0.85)]
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

    def compact(self, value: str) -> str:
        return compact(value)

    def validate(self, value: str) -> str:
        return validate(value)

    def mask(self, value: str) -> str:
        return mask(value)

    def detail(self, value: str) -> str | None:
        return "temporary identity code" if is_temporary(value) else None

    def score_of(self, value: str, base: float) -> float:
        # Temporary codes are rarer in real data, so a random match is relatively likelier.
        return base - 0.1 if is_temporary(value) else base
