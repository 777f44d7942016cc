"""Phone numbers (entity ``PHONE_NUMBER``): Finnish numbers in every common written form, and
international numbers written with an explicit ``+`` or ``00`` prefix.

Validity is libphonenumber's: Finnish numbers (regions FI and AX, country code 358) are checked
against its FI/AX number patterns directly — the same test ``is_valid_number`` makes, without its
per-call parsing cost — and other countries through ``phonenumbers.parse``. Written forms::

    +358 40 123 4567   +358 (0) 40 1234567   040 123 4567   040-123 4567   0401234567
    (09) 123 4567      09-1234567            00358 50 1234567   050 123 45 67
    +358 (2) 3619 0071 +358 040 123 4567     09 -7712715        358401234567 (beside a context word)

A candidate that runs into further digit groups ("040 123 4567 12 kpl") is trimmed back to the
longest valid number. Digit runs that are identity codes, business IDs, dates, IBANs or IP
addresses never reach this detector: the engine gives those spans to their own detectors or guards.
Log fields are not numbers: a run right after a time's or a decimal's digits ("16:24:03 2005",
"time: 0.0913219") is its seconds or its fraction, and a solid run of ``0037`` and a business ID is an
e-invoice address (:func:`is_ovt`).

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
detectors.base.InvalidValue: not a valid Finnish number: +35840123
>>> mask('040 123 4567')
'040 *** **67'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

import numpy as np
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc

from detectors import ytunnus
from detectors.base import UNDECIDED, VALID, HaravaRecognizer, InvalidValue, concat

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


_Rule = tuple[str, frozenset[int]]


def _region_rules(region: str) -> tuple[_Rule, list[_Rule]]:
    """libphonenumber's (pattern, possible lengths) for a region: the general one and each type's."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    general = meta.general_desc
    types = []
    for name in _TYPES:
        desc = getattr(meta, name)
        if desc is not None and desc.national_number_pattern:
            lengths = frozenset(desc.possible_length or general.possible_length)
            types.append((desc.national_number_pattern, lengths))
    return (general.national_number_pattern, frozenset(general.possible_length)), types


_FINNISH_RULES = [_region_rules("FI"), _region_rules("AX")]
_COMPILED = [
    ((re.compile(g), gl), [(re.compile(p), lengths) for p, lengths in types]) for (g, gl), types in _FINNISH_RULES
]
_SEPARATORS = re.compile(r"[\s\-()./]")


def is_valid_finnish(nsn: str) -> bool:
    """Whether a national significant number (no trunk 0, no 358) is a valid FI/AX number.

    >>> is_valid_finnish('401234567'), is_valid_finnish('116111')
    (True, False)
    """
    for (general, general_lengths), types in _COMPILED:
        if len(nsn) not in general_lengths or not general.fullmatch(nsn):
            continue
        if any(len(nsn) in lengths and pattern.fullmatch(nsn) for pattern, lengths in types):
            return True
    return False


def _matches(values: pa.Array, lengths: np.ndarray, rule: _Rule) -> np.ndarray:
    pattern, possible = rule
    fits = pc.match_substring_regex(values, f"^(?:{pattern})$").to_numpy(zero_copy_only=False)
    return fits & np.isin(lengths, list(possible))


def is_valid_finnish_array(nsn: pa.Array) -> np.ndarray:
    """:func:`is_valid_finnish` for an array of national significant numbers."""
    lengths = pc.utf8_length(nsn).to_numpy(zero_copy_only=False)
    valid = np.zeros(len(nsn), bool)
    for general, types in _FINNISH_RULES:
        of_type = np.zeros(len(nsn), bool)
        for rule in types:
            of_type |= _matches(nsn, lengths, rule)
        valid |= _matches(nsn, lengths, general) & of_type
    return valid


def _finnish_parts(texts: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """(is written as a Finnish number, its national significant number) per candidate."""
    digits = pc.replace_substring_regex(pc.replace_substring(texts, "(0)", ""), r"[^0-9+]", "")
    plus = pc.starts_with(digits, "+358").to_numpy(zero_copy_only=False)
    bare = pc.starts_with(digits, "358").to_numpy(zero_copy_only=False)
    zeros = pc.starts_with(digits, "00358").to_numpy(zero_copy_only=False)
    trunk = pc.match_substring_regex(digits, "^0[1-9]").to_numpy(zero_copy_only=False)
    international = pc.if_else(
        plus,
        pc.utf8_slice_codeunits(digits, 4),
        pc.if_else(bare, pc.utf8_slice_codeunits(digits, 3), pc.utf8_slice_codeunits(digits, 5)),
    )
    # "+358 040 123 4567", "+358 (09) 123 4567": the trunk zero kept after the country code.
    international = pc.replace_substring_regex(international, "^0", "")
    nsn = pc.if_else(plus | zeros | bare, international, pc.utf8_slice_codeunits(digits, 1))
    return plus | zeros | trunk | bare, nsn


def is_ovt(value: str) -> bool:
    """Whether a solid digit run is a Finnish e-invoice address: ``0037``, a business ID without its
    hyphen, and up to five digits of suffix. It reads as an Estonian or Latvian number after ``00``.

    >>> is_ovt('003712345671'), is_ovt('00371234567100100'), is_ovt('00372 555 1234')
    (True, True, False)
    """
    return (
        value.isdigit()
        and value.startswith("0037")
        and 12 <= len(value) <= 17
        and ytunnus.is_valid(f"{value[4:11]}-{value[11]}")
    )


def _international_digits(written: str) -> str:
    """The digits after the international prefix (``+``, ``00`` or the bare ``358``), country code
    first; a national number (``0…``) as ``358…``."""
    digits = _SEPARATORS.sub("", written.replace("(0)", ""))
    if written.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("00"):
        if is_ovt(written):
            raise InvalidValue(f"an e-invoice address (OVT code 0037 + business ID), not a phone number: {written}")
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = "358" + digits[1:]
    elif not digits.startswith("358"):
        raise InvalidValue("neither a national number (0…) nor an international one (+… or 00…)")
    if not digits.isdigit():
        raise InvalidValue(f"not a phone number: {written}")
    return digits


@functools.lru_cache(maxsize=65536)
def validate(value: str) -> str:
    """Return the number in E.164 form or raise :class:`InvalidValue`."""
    digits = _international_digits(value.strip())
    if digits.startswith("358"):
        nsn = digits[4:] if digits.startswith("3580") else digits[3:]  # "+358 040…": the trunk 0 kept
        if not is_valid_finnish(nsn):
            raise InvalidValue(f"not a valid Finnish number: +358{nsn}")
        return "+358" + nsn
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


_MASK_PARTS = (
    r"^(?P<keep>(?:(?:\+|00)\d{1,3}[ \-]?(?:\(0\)[ \-]?(?:\d{1,3}[ \-]|\d\d)|\(0?\d{1,2}\)[ \-]?|\d{1,3}[ \-]|\d\d)"
    r"|\(0\d{1,3}\)[ \-]?|0\d{1,3}[ \-]|0\d\d)?)(?P<hide>.*)(?P<tail>..)$"
)


def mask_array(texts: pa.Array) -> pa.Array:
    """Keep the prefix that tells the kind of number (country, mobile operator or area code) and
    the last two characters; hide the digits between."""
    parts = pc.extract_regex(texts, _MASK_PARTS)
    hidden = pc.replace_substring_regex(parts.field("hide"), r"\d", "*")
    return concat(parts.field("keep"), hidden, parts.field("tail"))


def mask(value: str) -> str:
    """
    >>> mask('+358 (0) 40 1234567'), mask('(09) 123 4567'), mask('0401234567'), mask('050 123 45 67')
    ('+358 (0) 40 *****67', '(09) *** **67', '040*****67', '050 *** ** 67')
    >>> mask('+358 (09) 123 4567'), mask('+358 (2) 3619 0071')
    ('+358 (09) *** **67', '+358 (2) **** **71')
    """
    return mask_array(pa.array([value.strip()]))[0].as_py()


def valid_array(texts: pa.Array) -> np.ndarray:
    """VALID for Finnish numbers libphonenumber accepts; the rest is left to :func:`validate`
    (other countries) or to trimming (a Finnish number with extra digit groups after it)."""
    finnish, nsn = _finnish_parts(texts)
    valid = finnish & is_valid_finnish_array(nsn)
    return np.where(valid, VALID, UNDECIDED).astype(np.int8)


def needs_context_array(texts: pa.Array) -> np.ndarray:
    """A number written without ``+``, ``00`` or trunk ``0`` ("358401234567") is a bare digit run."""
    return pc.starts_with(texts, "358").to_numpy(zero_copy_only=False)


def compact_array(texts: pa.Array) -> pa.Array:
    finnish, nsn = _finnish_parts(texts)
    e164 = concat("+358", nsn)
    if finnish.all():
        return e164
    others = pa.array(
        [None if f else compact(t) for f, t in zip(finnish, texts.to_pylist(), strict=True)], pa.large_string()
    )
    return pc.if_else(finnish, e164, others)


_GROUP_END = re.compile(r"\d(?=[ \-]|$)")
#: After the area code: a space or a hyphen, or a hyphen with a space on either side ("09 -7712715");
#: between the other digit groups a space or a hyphen.
_SEP = r"(?: ?- ?| )?"
_AMOUNT = r"^\d{3}(?: \d{3})*$"
_AFTER_DIGIT = "\\d[ \u00a0]$"  # a digit and a space before a match: the amount's thousands before it


class PhoneRecognizer(HaravaRecognizer):
    ENTITY = "PHONE_NUMBER"
    NAME = "phone"
    CATEGORY = "puhelinnumero"
    COLUMN_HINTS = r"puhelin\w*|puh|gsm|matkapuhelin|phone\w*|mobile|mobiili|tel|telefon\w*|puhnro"
    PRIORITY = 90  # last: any identifier, date or IBAN at the same place wins
    # "1 040 123 456" is an amount with thousands separators, not a number after a "1".
    # A number right after a time's or a decimal's digits is its seconds or fraction ("16:24:03 2005",
    # "00:00:00.008 25746", "time: 0.0913219"); one followed by them is a piece of one too.
    # A comma is not among them: it separates CSV fields as often as it starts a decimal fraction.
    REJECT_BEFORE = r"\d[.:]$"
    REJECT_AFTER = r"^[.:]\d"
    PATTERNS = [
        # "+358…", "00358…", and "358401234567" without its "+" as SMS gateways and CRM exports write it
        # (a bare digit run, so only beside a context word or in a phone column: needs_context_array)
        (
            "phone_international",
            r"(?:(?:\+|\b00)[1-9]\d{0,2}|\b358)(?:[ \-]?\(0?\d{1,2}\))?(?:[ \-]?\d){4,14}\b",
            0.5,
        ),
        ("phone_national", rf"(?:\(0\d{{1,3}}\)|\b0\d{{1,3}}){_SEP}\d(?:[ \-]?\d){{3,9}}\b", 0.5),
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

    def fits_array(self, texts: pa.Array, before: pa.Array, after: pa.Array) -> np.ndarray:
        """Not the tail of an amount: "1 040 123 456" is digit groups of three after a digit and a
        space. "Lemmikinkuja 1 0400 778 800" is a house number and then a phone number."""
        after_digit = pc.match_substring_regex(before, _AFTER_DIGIT).to_numpy(zero_copy_only=False)
        grouped = pc.match_substring_regex(texts, _AMOUNT).to_numpy(zero_copy_only=False)
        return ~(after_digit & grouped)

    def fits(self, text: str, before: str, after: str) -> bool:
        return not (re.search(_AFTER_DIGIT, before) and re.match(_AMOUNT, text))

    def spans(self, candidate: str) -> Iterable[tuple[int, int]]:
        # The pattern is greedy over digit groups; back off group by group to the longest valid
        # number so that "040 123 4567 12 kpl" still yields the phone number.
        ends = [m.end() for m in _GROUP_END.finditer(candidate)]
        for end in reversed(ends):
            if is_valid(candidate[:end]):
                yield 0, end
                return
