"""IBAN — international bank account numbers (entity ``IBAN_CODE``, as Presidio names it), and the old
Finnish domestic account number.

An IBAN is a country code, two check digits and the country's own account number (BBAN), whose length
and character classes each country registers (ISO 13616; the SWIFT IBAN registry). The check digits
make the whole, read with its first four characters moved to the end and letters as 10–35, leave a
remainder of 1 modulo 97. Finnish and Åland IBANs (``FI``, ``AX``) have 14 digits after the check
digits; printed in groups of four (``FI21 1234 5600 0007 85``) or solid. The countries of the SEPA
area are known: the EU and EEA, and Switzerland, the United Kingdom, Monaco, San Marino, the Vatican,
Andorra and Gibraltar, whose IBANs Finnish invoices also carry.

Before 2014 Finnish accounts were written ``123456-785``: a six-digit bank group, a hyphen and up to
eight digits of running number. Its machine form has 14 digits: zeros are inserted after the sixth
digit, or after the seventh where the bank group begins with 4 or 5 (savings and cooperative banks);
the last digit is a Luhn check over the other thirteen. It becomes the IBAN ``FI`` + check digits +
machine form, so both forms of one account are one value (and one hash). That shape — six digits, a
hyphen and a few more — is common as order, case and customer numbers, and one in ten of them passes
the Luhn check by chance, so the old form counts only beside a word that says it is an account
(*tilinumero*, *konto*, *account*, or a column named so), and never right after a label of another
number (*tilausnumero*, *Ordre*, *lasku*, ``id=``).

>>> validate('FI21 1234 5600 0007 85')
'FI2112345600000785'
>>> validate('123456-785')
'FI2112345600000785'
>>> validate('FI22 1234 5600 0007 85')
Traceback (most recent call last):
    ...
detectors.base.InvalidValue: check digits are 22, expected 21
>>> validate('FI21 1234 5600 0007 8')
Traceback (most recent call last):
    ...
detectors.base.InvalidValue: a FI IBAN has 18 characters, not 17
>>> validate('RF18 5390 0754 7034')
Traceback (most recent call last):
    ...
detectors.base.InvalidValue: RF is no country with IBANs in the SEPA area
>>> validate('123456-784')
Traceback (most recent call last):
    ...
detectors.base.InvalidValue: account check digit is 4, expected 5
>>> format('FI2112345600000785')
'FI21 1234 5600 0007 85'
>>> mask('FI21 1234 5600 0007 85'), mask('FI2112345600000785'), mask('123456-785')
('FI** **** **** **07 85', 'FI************0785', '12****-*85')
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from detectors.base import (
    INVALID,
    UNDECIDED,
    VALID,
    HaravaRecognizer,
    InvalidValue,
    ascii_matrix,
    concat,
    luhn_digit,
    luhn_ok_array,
)
from detectors.guards import NUMBER_LABEL

#: Country → (IBAN length, the BBAN's structure as a regex), from the SWIFT IBAN registry: the EU and
#: EEA countries, Åland, and the other SEPA countries.
REGISTRY: dict[str, tuple[int, str]] = {
    "AD": (24, r"\d{8}[A-Z0-9]{12}"),
    "AT": (20, r"\d{16}"),
    "AX": (18, r"\d{14}"),
    "BE": (16, r"\d{12}"),
    "BG": (22, r"[A-Z]{4}\d{6}[A-Z0-9]{8}"),
    "CH": (21, r"\d{5}[A-Z0-9]{12}"),
    "CY": (28, r"\d{8}[A-Z0-9]{16}"),
    "CZ": (24, r"\d{20}"),
    "DE": (22, r"\d{18}"),
    "DK": (18, r"\d{14}"),
    "EE": (20, r"\d{16}"),
    "ES": (24, r"\d{20}"),
    "FI": (18, r"\d{14}"),
    "FR": (27, r"\d{10}[A-Z0-9]{11}\d{2}"),
    "GB": (22, r"[A-Z]{4}\d{14}"),
    "GI": (23, r"[A-Z]{4}[A-Z0-9]{15}"),
    "GR": (27, r"\d{7}[A-Z0-9]{16}"),
    "HR": (21, r"\d{17}"),
    "HU": (28, r"\d{24}"),
    "IE": (22, r"[A-Z]{4}\d{14}"),
    "IS": (26, r"\d{22}"),
    "IT": (27, r"[A-Z]\d{10}[A-Z0-9]{12}"),
    "LI": (21, r"\d{5}[A-Z0-9]{12}"),
    "LT": (20, r"\d{16}"),
    "LU": (20, r"\d{3}[A-Z0-9]{13}"),
    "LV": (21, r"[A-Z]{4}[A-Z0-9]{13}"),
    "MC": (27, r"\d{10}[A-Z0-9]{11}\d{2}"),
    "MT": (31, r"[A-Z]{4}\d{5}[A-Z0-9]{18}"),
    "NL": (18, r"[A-Z]{4}\d{10}"),
    "NO": (15, r"\d{11}"),
    "PL": (28, r"\d{24}"),
    "PT": (25, r"\d{21}"),
    "RO": (24, r"[A-Z]{4}[A-Z0-9]{16}"),
    "SE": (24, r"\d{20}"),
    "SI": (19, r"\d{15}"),
    "SK": (24, r"\d{20}"),
    "SM": (27, r"[A-Z]\d{10}[A-Z0-9]{12}"),
    "VA": (22, r"\d{18}"),
}

OLD_FORM = "old domestic account number"

_STRUCTURE = "^(?:" + "|".join(f"{cc}\\d{{2}}{bban}" for cc, (_, bban) in REGISTRY.items()) + ")$"
_COUNTRIES = pa.array(sorted(REGISTRY), pa.large_string())
_LENGTHS = np.array([REGISTRY[cc][0] for cc in _COUNTRIES.to_pylist()], np.int64)
_DOMESTIC = re.compile(r"([1-8]\d{5})-(\d{2,8})", re.ASCII)
_IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]+", re.ASCII)


def machine_form(value: str) -> str:
    """The 14-digit machine form of an old domestic account number (its BBAN in the IBAN).

    >>> machine_form('123456-785'), machine_form('423456-781')
    ('12345600000785', '42345670000081')
    """
    match = _DOMESTIC.fullmatch(value.strip())
    if not match:
        raise InvalidValue("not of the form NNNNNN-NN… (bank group 1–8, a hyphen, 2 to 8 digits)")
    group, number = match.groups()
    head, tail = (group + number[0], number[1:]) if group[0] in "45" else (group, number)
    return head + tail.rjust(14 - len(head), "0")


def _remainder(text: str) -> int:
    """The ISO 7064 mod 97-10 remainder of an IBAN's characters, already rearranged."""
    return int("".join(str(int(char, 36)) for char in text)) % 97


def check_digits(country: str, bban: str) -> str:
    """The two check digits of the IBAN of a country's account number.

    >>> check_digits('FI', '12345600000785')
    '21'
    """
    return f"{98 - _remainder(bban + country + '00'):02d}"


def compact(value: str) -> str:
    """The IBAN without spaces; an old domestic account number as its Finnish IBAN."""
    value = value.strip()
    if value[:1].isdigit():
        bban = machine_form(value)
        return f"FI{check_digits('FI', bban)}{bban}"
    return value.replace(" ", "").upper()


def validate(value: str) -> str:
    """Return the compact IBAN or raise :class:`InvalidValue` with the precise reason."""
    if value.strip()[:1].isdigit():
        bban = machine_form(value)
        expected = luhn_digit(bban[:13])
        if bban[13] != expected:
            raise InvalidValue(f"account check digit is {bban[13]}, expected {expected}")
        return compact(value)
    iban = compact(value)
    if not _IBAN.fullmatch(iban):
        raise InvalidValue("not an IBAN: two letters, two check digits and the account number")
    country = iban[:2]
    if country not in REGISTRY:
        raise InvalidValue(f"{country} is no country with IBANs in the SEPA area")
    length, bban = REGISTRY[country]
    if len(iban) != length:
        raise InvalidValue(f"a {country} IBAN has {length} characters, not {len(iban)}")
    if not re.fullmatch(bban, iban[4:]):
        raise InvalidValue(f"the account number of a {country} IBAN is not of its registered form")
    expected = check_digits(country, iban[4:])
    if iban[2:4] != expected:
        raise InvalidValue(f"check digits are {iban[2:4]}, expected {expected}")
    return iban


def is_valid(value: str) -> bool:
    try:
        validate(value)
    except InvalidValue:
        return False
    return True


def format(value: str) -> str:
    """The IBAN in groups of four, as printed on invoices."""
    iban = compact(value)
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def to_iban(value: str) -> str:
    """An old domestic account number as its IBAN (raises when its check digit is wrong).

    >>> to_iban('123456-785')
    'FI21 1234 5600 0007 85'
    """
    return format(validate(value))


# --- arrays ----------------------------------------------------------------------------------------


def _mod97_array(texts: pa.Array) -> np.ndarray:
    """:func:`_remainder` of upper-case alphanumeric strings, column by column in numpy. Leading zeros
    change no remainder, so the strings are padded to one width first."""
    if len(texts) == 0:
        return np.zeros(0, np.int64)
    width = int(pc.max(pc.binary_length(texts)).as_py())
    matrix = ascii_matrix(pc.utf8_lpad(texts, width, "0"), width)
    remainder = np.zeros(len(texts), np.int64)
    if matrix is None:  # not ASCII: no IBAN
        return remainder
    for column in range(width):
        code = matrix[:, column].astype(np.int64)
        letter = code >= 65
        remainder = np.where(letter, remainder * 100 + code - 55, remainder * 10 + code - 48) % 97
    return remainder


def _machine_array(texts: pa.Array) -> pa.Array:
    """:func:`machine_form` of pattern candidates of the old form (``NNNNNN-N…``)."""
    group = pc.utf8_slice_codeunits(texts, 0, 6)
    number = pc.utf8_slice_codeunits(texts, 7)
    savings = pc.match_substring_regex(texts, "^[45]")
    head = pc.if_else(savings, concat(group, pc.utf8_slice_codeunits(number, 0, 1)), group)
    tail = pc.if_else(savings, pc.utf8_lpad(pc.utf8_slice_codeunits(number, 1), 7, "0"), pc.utf8_lpad(number, 8, "0"))
    return concat(head, tail)


def _fi_iban_array(bban: pa.Array) -> pa.Array:
    """``FI`` + check digits + the 14-digit BBAN, for each BBAN."""
    remainder = _mod97_array(concat(bban, "FI00"))
    check = pa.array([f"{98 - r:02d}" for r in remainder.tolist()], pa.large_string())
    return concat("FI", check, bban)


def _is_old_form(texts: pa.Array) -> np.ndarray:
    return pc.match_substring_regex(texts, "^[0-9]").to_numpy(zero_copy_only=False)


def _iban_verdicts(iban: pa.Array) -> np.ndarray:
    """VALID / INVALID per compact IBAN; UNDECIDED where it runs longer than its country's IBANs, so
    that :meth:`IbanRecognizer.spans` may find one that ends a group earlier ("BE68 5390 0754 7034 2024")."""
    position = pc.fill_null(pc.index_in(pc.utf8_slice_codeunits(iban, 0, 2), _COUNTRIES), -1)
    position = position.to_numpy(zero_copy_only=False).astype(np.int64)
    known = position >= 0
    length = np.where(known, _LENGTHS[np.maximum(position, 0)], 0)
    lengths = pc.binary_length(iban).to_numpy(zero_copy_only=False)
    formed = pc.match_substring_regex(iban, _STRUCTURE).to_numpy(zero_copy_only=False)
    rearranged = concat(pc.utf8_slice_codeunits(iban, 4), pc.utf8_slice_codeunits(iban, 0, 4))
    valid = formed & (_mod97_array(rearranged) == 1)
    return np.where(valid, VALID, np.where(known & (lengths > length), UNDECIDED, INVALID)).astype(np.int8)


def valid_array(texts: pa.Array) -> np.ndarray:
    """:func:`is_valid` for a whole array of pattern candidates, in Arrow and numpy."""
    texts = texts.cast(pa.large_string())
    verdict = np.full(len(texts), INVALID, np.int8)
    old = _is_old_form(texts)
    where = np.flatnonzero(old)
    if len(where):
        verdict[where] = np.where(luhn_ok_array(_machine_array(texts.take(pa.array(where)))), VALID, INVALID)
    where = np.flatnonzero(~old)
    if len(where):
        verdict[where] = _iban_verdicts(pc.replace_substring(texts.take(pa.array(where)), " ", ""))
    return verdict


def compact_array(texts: pa.Array) -> pa.Array:
    """:func:`compact` of valid values: an IBAN without its spaces, the old form as its IBAN."""
    texts = texts.cast(pa.large_string())
    old = _is_old_form(texts)
    solid = pc.replace_substring(texts, " ", "")
    if not old.any():
        return solid
    where = np.flatnonzero(old)
    converted = _fi_iban_array(_machine_array(texts.take(pa.array(where)))).to_pylist()
    values = solid.to_pylist()
    for index, value in zip(where.tolist(), converted, strict=True):
        values[index] = value
    return pa.array(values, pa.large_string())


_MASK_IBAN = r"^(?P<keep>[A-Z]{2})(?P<hide>.*?)(?P<tail>[A-Z0-9] ?[A-Z0-9] ?[A-Z0-9] ?[A-Z0-9])$"
_MASK_OLD = r"^(?P<keep>\d\d)(?P<hide>.*?)(?P<tail>\d\d)$"


def _masked(texts: pa.Array, parts: str) -> pa.Array:
    found = pc.extract_regex(texts, parts)
    hidden = pc.replace_substring_regex(found.field("hide"), "[A-Z0-9]", "*")
    return concat(found.field("keep"), hidden, found.field("tail"))


def mask_array(texts: pa.Array) -> pa.Array:
    """Keep the country code and the last four characters of an IBAN, the first two digits (the bank)
    and the last two of the old form; hide the rest, spaces and hyphens kept."""
    texts = texts.cast(pa.large_string())
    old = _is_old_form(texts)
    if not old.any():
        return _masked(texts, _MASK_IBAN)
    return pc.if_else(pa.array(old), _masked(texts, _MASK_OLD), _masked(texts, _MASK_IBAN))


def mask(value: str) -> str:
    return mask_array(pa.array([value.strip()], pa.large_string()))[0].as_py()


def detail_array(texts: pa.Array) -> pa.Array | None:
    """Says which findings were written in the old domestic form (and were converted for the hash)."""
    old = _is_old_form(texts)
    if not old.any():
        return None
    return pa.array([OLD_FORM if flag else None for flag in old.tolist()], pa.string())


def needs_context_array(texts: pa.Array) -> np.ndarray:
    """The old domestic form counts only beside an account word (see the module's docstring)."""
    return _is_old_form(texts)


class IbanRecognizer(HaravaRecognizer):
    ENTITY = "IBAN_CODE"
    NAME = "iban"
    CATEGORY = "pankkitili"
    COLUMN_HINTS = (
        r"iban\w*|tili|tilinumero|tilinro|tilinumerot|pankkitili\w*|bank_?account\w*|account_?(?:number|no|nr)"
        r"|konto|kontonummer|kontonr|bankkonto\w*"
    )
    # First of all: an IBAN starts with letters and the old form's pattern leaves out the six-and-four-digit
    # shape of an identity code, so at any position where they match, nothing else would; and a span taken
    # here is no phone number, whether or not it turns out to be a valid IBAN (what the IBAN guard was).
    PRIORITY = 5
    PATTERNS = [
        ("iban", r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b", 0.8),
        # "123456-785"; not six digits, a hyphen and four (an identity code's shape, e.g. "131052-3085")
        ("old_domestic", r"\b[1-8]\d{5}-(?:\d{2,3}|\d{5,8})\b", 0.5),
    ]
    # One of a run of hyphenated numbers ("12-123456-785-2") is a part of something else.
    REJECT_BEFORE = r"\d-$"
    REJECT_AFTER = r"^-\d"
    CONTEXT = [
        "iban",
        "bic",
        "tilinumer",
        "tilinro",
        "tilille",
        "tililtä",
        "tililta",
        "pankkitil",
        "pankkiyhteys",
        "maksajan tili",
        "saajan tili",
        "konto",
        "bankkonto",
        "kontonummer",
        "account",
        "bank",
    ]

    def fits_array(self, texts: pa.Array, before: pa.Array, after: pa.Array) -> np.ndarray | None:
        """The old form labelled as another number ("tilausnumero 157020-12348", "Ordre 405511-223340")
        is that number, whatever account word stands on the line or the line above."""
        old = _is_old_form(texts)
        if not old.any():
            return None
        labelled = pc.match_substring_regex(before, f"{NUMBER_LABEL}$").to_numpy(zero_copy_only=False)
        return ~(old & labelled)

    def spans(self, candidate: str) -> Iterator[tuple[int, int]]:
        """A valid IBAN, or one that ends a group before the candidate does: the pattern runs on over a
        following group of up to four characters ("BE68 5390 0754 7034 2024")."""
        if is_valid(candidate):
            yield 0, len(candidate)
            return
        length = REGISTRY.get(candidate[:2], (0, ""))[0]
        count = 0
        for index, char in enumerate(candidate):
            count += char != " "
            if count == length:
                end = index + 1
                if candidate[end : end + 1] == " " and is_valid(candidate[:end]):
                    yield 0, end
                return
