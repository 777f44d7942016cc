"""Phone numbers (entity ``PHONE_NUMBER``): Finnish numbers in every common written form, and
international numbers written with an explicit ``+`` or ``00`` prefix.

Validity is libphonenumber's: Finnish numbers (regions FI and AX, country code 358) are checked
against its FI/AX number patterns directly — the same test ``is_valid_number`` makes, without its
per-call parsing cost — and other countries through ``phonenumbers.parse``. Written forms::

    +358 40 123 4567   +358 (0) 40 1234567   040 123 4567   040-123 4567   0401234567
    (09) 123 4567      09-1234567            00358 50 1234567   050 123 45 67

A candidate that runs into further digit groups ("040 123 4567 12 kpl") is trimmed back to the
longest valid number. Digit runs that are identity codes, business IDs, dates, IBANs or IP
addresses never reach this detector: the engine gives those spans to their own detectors or guards.

>>> validate('040 123 4567')
'+358401234567'
>>> validate('+358 (0) 40 1234567')
'+358401234567'
>>> validate('(09) 123 4567')
'+35891234567'
>>> validate('+46 8 123 456 78')
'+46812345678'
>>> validate('040 123')
Traceback (most recent call last):
    ...
detectors.base.InvalidValue: not a valid Finnish number: 040123
>>> mask('040 123 4567')
'040 *** **67'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

import phonenumbers

from detectors.base import HaravaRecognizer, InvalidValue, mask_digits

_TYPES = (
    "fixed_line",
    "mobile",
    "toll_free",
    "premium_rate",
    "shared_cost",
    "personal_number",
    "voip",
    "pager",
    "uan",
    "voicemail",
)


def _region_rules(region: str) -> tuple[re.Pattern[str], frozenset[int], list[tuple[re.Pattern[str], frozenset[int]]]]:
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    general = meta.general_desc
    general_lengths = frozenset(general.possible_length)
    types = []
    for name in _TYPES:
        desc = getattr(meta, name)
        if desc is not None and desc.national_number_pattern:
            lengths = frozenset(desc.possible_length or general.possible_length)
            types.append((re.compile(desc.national_number_pattern), lengths))
    return re.compile(general.national_number_pattern), general_lengths, types


_FINNISH_RULES = [_region_rules("FI"), _region_rules("AX")]
_SEPARATORS = re.compile(r"[\s\-()./]")


def is_valid_finnish(nsn: str) -> bool:
    """Whether a national significant number (no trunk 0, no 358) is a valid FI/AX number.

    >>> is_valid_finnish('401234567'), is_valid_finnish('116111')
    (True, False)
    """
    for general, general_lengths, types in _FINNISH_RULES:
        if len(nsn) not in general_lengths or not general.fullmatch(nsn):
            continue
        if any(len(nsn) in lengths and pattern.fullmatch(nsn) for pattern, lengths in types):
            return True
    return False


@functools.lru_cache(maxsize=65536)
def validate(value: str) -> str:
    """Return the number in E.164 form or raise :class:`InvalidValue`."""
    written = value.strip()
    trunk_in_brackets = "(0)" in written
    digits = _SEPARATORS.sub("", written.replace("(0)", "") if trunk_in_brackets else written)
    if written.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("00"):
        digits = digits[2:]
    elif digits.startswith("0"):
        if not digits.isdigit() or not is_valid_finnish(digits[1:]):
            raise InvalidValue(f"not a valid Finnish number: {digits}")
        return "+358" + digits[1:]
    else:
        raise InvalidValue("neither a national number (0…) nor an international one (+… or 00…)")
    if not digits.isdigit():
        raise InvalidValue(f"not a phone number: {written}")
    if digits.startswith("358"):
        if not is_valid_finnish(digits[3:]):
            raise InvalidValue(f"not a valid Finnish number: +{digits}")
        return "+" + digits
    try:
        number = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException as exc:
        raise InvalidValue(f"not a phone number: {exc}") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidValue(f"not a valid number for country code {number.country_code}: +{digits}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def compact(value: str) -> str:
    """E.164 form (``+358401234567``) so that every written form of a number hashes the same."""
    return validate(value)


def is_valid(value: str) -> bool:
    try:
        validate(value)
    except InvalidValue:
        return False
    return True


def format(value: str) -> str:
    number = phonenumbers.parse(validate(value), None)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def mask(value: str) -> str:
    """Keep the prefix that tells the kind of number (country, mobile operator or area code) and
    the last two digits.

    >>> mask('+358 (0) 40 1234567'), mask('(09) 123 4567'), mask('0401234567')
    ('+358 (0) 40 *****67', '(09) *** **67', '040*****67')
    """
    value = value.strip()
    groups = [g for g in re.split(r"[ \-]+", value) if g]
    keep_groups = 2 if value.startswith(("+", "00")) else 1
    if "(0)" in groups:
        keep_groups += 1
    if len(groups) <= keep_groups:  # written without separators: country/trunk code + 2 digits
        keep = 5 if value.startswith(("+", "00")) else 3
    else:
        keep = sum(ch.isdigit() for g in groups[:keep_groups] for ch in g)
    return mask_digits(value, keep, 2)


_GROUP_END = re.compile(r"\d(?=[ \-]|$)")


class PhoneRecognizer(HaravaRecognizer):
    ENTITY = "PHONE_NUMBER"
    NAME = "phone"
    CATEGORY = "puhelinnumero"
    PRIORITY = 90  # last: any identifier, date or IBAN at the same place wins
    PATTERNS = [
        ("phone_international", r"(?:\+|\b00)[1-9]\d{0,2}(?:[ \-]?\(0\))?(?:[ \-]?\d){4,14}\b", 0.5),
        ("phone_national", r"(?:\(0\d{1,3}\)|\b0\d{1,3})(?:[ \-]?\d){4,10}\b", 0.5),
    ]
    CONTEXT = [
        "puh",
        "puhelin",
        "matkapuh",
        "gsm",
        "kännykkä",
        "tel",
        "tfn",
        "telefon",
        "mobil",
        "phone",
        "mobile",
        "cell",
        "soita",
        "ring",
        "call",
        "fax",
        "faksi",
    ]

    def compact(self, value: str) -> str:
        return compact(value)

    def validate(self, value: str) -> str:
        return validate(value)

    def mask(self, value: str) -> str:
        return mask(value)

    def spans(self, candidate: str) -> Iterable[tuple[int, int]]:
        # The pattern is greedy over digit groups; back off group by group to the longest valid
        # number so that "040 123 4567 12 kpl" still yields the phone number.
        ends = [m.end() for m in _GROUP_END.finditer(candidate)]
        for end in reversed(ends):
            if is_valid(candidate[:end]):
                yield 0, end
                return

    def accepts(self, before: str, after: str) -> bool:
        # "1 040 123 456" is an amount with thousands separators, not a number after a "1".
        return not (len(before) >= 2 and before[-1] in " \u00a0" and before[-2].isdigit())
