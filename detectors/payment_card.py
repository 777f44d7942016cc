"""Payment card numbers (entity ``CREDIT_CARD``, as Presidio names it; debit cards too).

A card number (PAN) is 13 to 19 digits: the issuer's prefix (IIN), the account and a Luhn check digit.
Each card scheme has its prefixes and lengths; a number whose prefix belongs to no scheme, or whose
length is not one its scheme issues, is not a card number however its check digit falls. Written::

    4111 1111 1111 1111   4111-1111-1111-1111   3782 822463 10005 (American Express: 4-6-5)
    3056 930902 5904 (Diners: 4-6-4)   6759 6498 2643 8453 7 (19 digits)   4111111111111111

One digit string in ten passes the Luhn check by chance, and solid runs of 13 to 19 digits are
everywhere in logs and exports (ids, timestamps, tracking numbers), so a number written solid counts
only beside a word that says it is a card (*kortti*, *kort*, *card*, *Visa*…, or a column named so);
one in the groupings printed on cards stands alone. A number that runs on into more digit groups
("1234 5678 9012 3456 7890", a 20-digit order number) is part of something longer, and a number
labelled as another one (*viite*, *tilausnumero*, ``order_id=``, ``trace=``) is that one. Findings are masked to the first digit and the last
four, as cards print them on receipts: ``4*** **** **** 1111``.

>>> validate('4111 1111 1111 1111')
'4111111111111111'
>>> validate('3782 822463 10005'), brand('3782 822463 10005')
('378282246310005', 'American Express')
>>> validate('4111 1111 1111 1112')
Traceback (most recent call last):
    ...
detectors.base.InvalidValue: Luhn check digit is 2, expected 1
>>> validate('1234 5678 9012 3452')
Traceback (most recent call last):
    ...
detectors.base.InvalidValue: no card scheme issues numbers starting 123456
>>> validate('3530 1113 3330 000')
Traceback (most recent call last):
    ...
detectors.base.InvalidValue: JCB issues no numbers of 15 digits
>>> mask('4111 1111 1111 1111'), mask('4111111111111111'), mask('3782-822463-10005')
('4*** **** **** 1111', '4***********1111', '3***-******-*0005')
"""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from detectors.base import (
    INVALID,
    VALID,
    HaravaRecognizer,
    InvalidValue,
    luhn_digit,
    luhn_ok_array,
    mask_digits_between,
)
from detectors.guards import NUMBER_LABEL


class Scheme(NamedTuple):
    """A card scheme's prefixes (as ranges of the number's first six digits) and the lengths it issues."""

    name: str
    ranges: tuple[tuple[int, int], ...]
    lengths: tuple[int, ...]


def _prefix(low: str, high: str | None = None) -> tuple[int, int]:
    """The six-digit range of a prefix (or of the prefixes from ``low`` to ``high``)."""
    high = high or low
    return int(low.ljust(6, "0")), int(high.ljust(6, "9"))


#: Card schemes, their IIN prefixes and lengths. More specific schemes first (the first that fits names
#: the brand): Discover's 622126–622925 lies inside UnionPay's 62.
SCHEMES: tuple[Scheme, ...] = (
    Scheme("Visa", (_prefix("4"),), (13, 16, 19)),
    Scheme("Mastercard", (_prefix("51", "55"), _prefix("2221", "2720")), (16,)),
    Scheme("American Express", (_prefix("34"), _prefix("37")), (15,)),
    Scheme(
        "Maestro",
        tuple(_prefix(p) for p in ("5018", "5020", "5038", "5893", "6304", "6759", "6761", "6762", "6763")),
        tuple(range(13, 20)),
    ),
    Scheme(
        "Discover",
        (_prefix("6011"), _prefix("644", "649"), _prefix("65"), _prefix("622126", "622925")),
        (16, 17, 18, 19),
    ),
    Scheme("JCB", (_prefix("3528", "3589"),), (16, 17, 18, 19)),
    Scheme(
        "Diners Club",
        (_prefix("300", "305"), _prefix("36"), _prefix("38", "39"), _prefix("3095")),
        (14, 15, 16, 17, 18, 19),
    ),
    Scheme("UnionPay", (_prefix("62"),), (16, 17, 18, 19)),
    Scheme("Mir", (_prefix("2200", "2204"),), (16, 17, 18, 19)),
)

_SEPARATORS = re.compile(r"[ -]")


def compact(value: str) -> str:
    """The digits alone: one card written in groups or solid is one value."""
    return _SEPARATORS.sub("", value.strip())


def scheme_of(number: str) -> Scheme | None:
    """The scheme whose prefixes the number starts with (its length not yet looked at)."""
    first = int(number[:6].ljust(6, "0"))
    return next((s for s in SCHEMES if any(low <= first <= high for low, high in s.ranges)), None)


def validate(value: str) -> str:
    """Return the digits of the card number or raise :class:`InvalidValue` with the precise reason."""
    number = compact(value)
    if not number.isdigit() or not 13 <= len(number) <= 19:
        raise InvalidValue("not 13 to 19 digits")
    scheme = scheme_of(number)
    if scheme is None:
        raise InvalidValue(f"no card scheme issues numbers starting {number[:6]}")
    if len(number) not in scheme.lengths:
        raise InvalidValue(f"{scheme.name} issues no numbers of {len(number)} digits")
    expected = luhn_digit(number[:-1])
    if number[-1] != expected:
        raise InvalidValue(f"Luhn check digit is {number[-1]}, expected {expected}")
    return number


def is_valid(value: str) -> bool:
    try:
        validate(value)
    except InvalidValue:
        return False
    return True


def brand(value: str) -> str:
    """The card scheme's name (Visa, Mastercard…)."""
    scheme = scheme_of(validate(value))
    assert scheme is not None  # validate() said so
    return scheme.name


def format(value: str) -> str:
    """In groups of four (American Express and Diners Club 14-digit cards: 4-6-5 and 4-6-4)."""
    number = validate(value)
    if len(number) in (14, 15):
        return f"{number[:4]} {number[4:10]} {number[10:]}"
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


# --- arrays ----------------------------------------------------------------------------------------


def _scheme_index_array(digits: pa.Array) -> np.ndarray:
    """The index in :data:`SCHEMES` of each number's scheme, -1 where none issues it at its length."""
    first = pc.cast(pc.utf8_slice_codeunits(digits, 0, 6), pa.int64()).to_numpy(zero_copy_only=False)
    lengths = pc.binary_length(digits).to_numpy(zero_copy_only=False)
    found = np.full(len(digits), -1, np.int64)
    for index, scheme in enumerate(SCHEMES):
        open_ = found < 0
        fits = np.zeros(len(digits), bool)
        for low, high in scheme.ranges:
            fits |= (first >= low) & (first <= high)
        # the first scheme whose prefix fits decides, as in scheme_of(): a length it does not issue is no card
        found[open_ & fits] = np.where(np.isin(lengths[open_ & fits], scheme.lengths), index, -2)
    return found


def valid_array(texts: pa.Array) -> np.ndarray:
    """:func:`is_valid` for a whole array of pattern candidates, in Arrow and numpy."""
    digits = compact_array(texts)
    ok = (_scheme_index_array(digits) >= 0) & luhn_ok_array(digits)
    return np.where(ok, VALID, INVALID).astype(np.int8)


def compact_array(texts: pa.Array) -> pa.Array:
    return pc.replace_substring_regex(texts.cast(pa.large_string()), "[ -]", "")


def mask_array(texts: pa.Array) -> pa.Array:
    """Keep the first digit (the kind of card) and the last four; hide the digits between."""
    return mask_digits_between(texts, 1)


def mask(value: str) -> str:
    return mask_array(pa.array([value.strip()], pa.large_string()))[0].as_py()


def detail_array(texts: pa.Array) -> pa.Array:
    """The card scheme of each valid number."""
    names = pa.array([s.name for s in SCHEMES], pa.string())
    return names.take(pa.array(np.maximum(_scheme_index_array(compact_array(texts)), 0)))


def needs_context_array(texts: pa.Array) -> np.ndarray:
    """A number written solid counts only beside a card word (see the module's docstring)."""
    return pc.match_substring_regex(texts, "^[0-9]+$").to_numpy(zero_copy_only=False)


class PaymentCardRecognizer(HaravaRecognizer):
    ENTITY = "CREDIT_CARD"
    NAME = "payment_card"
    CATEGORY = "maksukortti"
    # Whole parts of a column name: "card_number", "credit_card", "luottokortti" (not "cardinality")
    COLUMN_HINTS = (
        r"(?:credit_?|debit_?|payment_?)?cards?(?:_?(?:number|no|nr|num|pan))?|cc_?(?:number|num|no)|pan"
        r"|kortti|korttinumero|kortinnumero|luottokortti\w*|maksukortti\w*|kort|kortnummer|kortnr|betalkort\w*"
        r"|kreditkort\w*"
    )
    # Before e-mail and IP addresses (and the message-id guard placed before them): a card number starts
    # with a digit 2–6 and never where an identity code or a business ID could (no sign or hyphen after
    # six or seven digits), so nothing earlier in the alternation takes its place.
    PRIORITY = 25
    PATTERNS = [
        # 4-4-4-1…3 and 4-4-4-4(-1…3), spaces or hyphens; American Express 4-6-5, Diners Club 4-6-4
        (
            "card_grouped",
            r"\b[2-6]\d{3}(?:[ -]\d{4}){2}(?:[ -]\d{4}(?:[ -]\d{1,3})?|[ -]\d{1,3})\b|\b3\d{3}[ -]\d{6}[ -]\d{4,5}\b",
            0.7,
        ),
        ("card_solid", r"\b[2-6]\d{12,18}\b", 0.5),
    ]
    # More digit groups on either side: a longer number ("1234 5678 9012 3456 7890"), a decimal or an
    # international phone number ("+3584…"); after a label of another number ("viite", "order_id=",
    # "trace="): a payment reference, an order number, an id.
    REJECT_BEFORE = rf"(?:\d[ .,-]|\+|{NUMBER_LABEL})$"
    REJECT_AFTER = r"^[ .,-]\d"
    CONTEXT = [
        "kortti",
        "kortin",
        "kortil",
        "kort",
        "card",
        "creditcard",
        "visa",
        "mastercard",
        "maestro",
        "amex",
        "american express",
        "diners",
        "jcb",
        "unionpay",
        "betalkort",
        "kreditkort",
        "cvv",
        "cvc",
    ]
