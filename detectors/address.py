"""Street addresses (entity ``ADDRESS``): a street, a house number, and what follows them.

Written::

    Hämeentie 12 B 5, 00530 Helsinki     Kalevankatu 3 A 12     Rinnetie 4 as. 3     Kuusitie 7 C 4 b
    Koivukuja 2b     Vanha Porvoontie 230     Aleksis Kiven katu 5     Slottsgatan 3 B, 65100 Vasa

- **The street** is one word ending in a street word — Finnish *katu, tie, kuja, polku, väylä, raitti,
  kaari, aukio, puistikko, bulevardi, esplanadi…*, Swedish *gatan, vägen, gränd, stigen, allén, kajen…* —
  after at most one word such as *Vanha, Pieni, Itäinen, Norra, Stora*; or a street named after a person,
  in words ("Aleksis Kiven katu").
- **The house number** is 1 to 999 (a range "5–7" and a letter "12b" too), then optionally the staircase
  and flat (``B 5``, ``B``, ``as. 3``, ``C 4 b``) and a **postal code and post office**: five digits and a
  name, kept as part of the address when the name is a municipality of Finland (``00530 Helsinki``,
  ``00530 HELSINKI``, ``00100 Helsingfors``; :mod:`detectors.data.municipalities`). A post office that is no
  municipality is left out of the value; the street and number are still an address.
- **Weaker street words** (*tori, mäki, ranta, rinne, piha, portti, kulma, puisto, backen, gången*) end
  surnames and common nouns as often as streets ("Eloranta 3 maalia", "Sektori 4", "Moottori 2"), so such a
  street counts only with a staircase or a postal code, or beside an address word (*osoite, adress, address,
  asuu*…) or in a column named so.
- **Not an address**: a road number ("Valtatie 4", "Kantatie 51", "Moottoritie 1"); a number of four digits
  or more, which is no house number in a street ("Koulutie 2026" is a year); words without a street word
  ("Kappale 3", "Vaihe 2", "Versio 12"). Post office boxes ("PL 123, 00101 Helsinki") are left alone: they
  are companies' and authorities' addresses far more often than a person's.

The canonical value is the address with single spaces and a comma before the postal code. The mask keeps
the street's initial and the municipality, and hides the street, the numbers and the postal code but its
first two digits: ``H******** ** * *, 00*** Helsinki``. The municipality alone identifies nobody, and it tells
the reader which of an organisation's offices or customers the data is about; the street and number are
what point at a home.

>>> validate('Hämeentie 12 B 5, 00530 Helsinki')
'Hämeentie 12 B 5, 00530 Helsinki'
>>> validate('Hämeentie  12 B 5 00530 HELSINKI')
'Hämeentie 12 B 5, 00530 Helsinki'
>>> validate('Valtatie 4')
Traceback (most recent call last):
    ...
detectors.base.InvalidValue: Valtatie is a road, not a street: its number is a road number
>>> validate('Mannerheimintie 12, 00100 Kuikka')
Traceback (most recent call last):
    ...
detectors.base.InvalidValue: Kuikka is no municipality of Finland
>>> mask('Hämeentie 12 B 5, 00530 Helsinki'), mask('Rinnetie 4 as. 3')
('H******** ** * *, 00*** Helsinki', 'R******* * **. *')
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from detectors.base import INVALID, UNDECIDED, VALID, HaravaRecognizer, InvalidValue, concat

UPPER = "A-Z\u00c0-\u00d6\u00d8-\u00de"
LOWER = "a-z\u00df-\u00f6\u00f8-\u00ff"

#: Street words that end a street's name and little else.
STREET_WORDS = [
    "katu",
    "kuja",
    "polku",
    "väylä",
    "raitti",
    "kaari",
    "kaarre",
    "aukio",
    "puistikko",
    "bulevardi",
    "esplanadi",
    "puistotie",
    "tie",
    "gatan",
    "vägen",
    "gränd",
    "gränden",
    "stigen",
    "allén",
    "allé",
    "kajen",
    "esplanaden",
    "torget",
]
#: Street words that end surnames and common nouns too: such a street needs a staircase, a postal code or an
#: address word near.
WEAK_STREET_WORDS = ["tori", "mäki", "ranta", "rinne", "piha", "portti", "kulma", "puisto", "backen", "gången"]
#: A street named in words after a person or a place ("Aleksis Kiven katu"): the street word apart.
SEPARATE_WORDS = [
    "katu",
    "tie",
    "kuja",
    "polku",
    "puistotie",
    "raitti",
    "aukio",
    "väylä",
    "kaari",
    "linja",
    "gata",
    "väg",
]
#: Words that may stand before a street's one-word name.
MODIFIERS = [
    "Vanha",
    "Uusi",
    "Pieni",
    "Iso",
    "Itäinen",
    "Läntinen",
    "Pohjoinen",
    "Eteläinen",
    "Ylä",
    "Ala",
    "Norra",
    "Södra",
    "Västra",
    "Östra",
    "Stora",
    "Lilla",
    "Gamla",
    "Nya",
]
#: Street words that are a street's whole name after a modifier ("Norra Esplanaden", "Pieni Kaari").
STANDALONE = [
    "Esplanaden",
    "Esplanadi",
    "Bulevardi",
    "Allén",
    "Kajen",
    "Torget",
    "Kaari",
    "Rantakatu",
    "Rantatie",
    "Kuja",
    "Tori",
]
#: Roads whose numbers are road numbers, not house numbers.
ROADS = frozenset(
    [
        "Valtatie",
        "Kantatie",
        "Seututie",
        "Moottoritie",
        "Yhdystie",
        "Maantie",
        "Rautatie",
        "Paikallistie",
        "Kehätie",
        "Riksvägen",
        "Motorvägen",
        "Landsvägen",
        "Stamväg",
        "Riksväg",
    ]
)

_CAP = f"[{UPPER}][{LOWER}]+"
_STREET = (
    f"(?:(?:{'|'.join(MODIFIERS)}) )?[{UPPER}][{LOWER}-]*(?:{'|'.join(STREET_WORDS + WEAK_STREET_WORDS)})"
    f"|(?:{_CAP} ){{1,2}}(?:{'|'.join(SEPARATE_WORDS)})"
    f"|(?:{'|'.join(MODIFIERS)}) (?:{'|'.join(STANDALONE)})"
)
_NUMBER = "[1-9][0-9]{0,2}(?:[a-h]\\b)?(?: ?[-\u2013] ?[1-9][0-9]{0,2}(?:[a-h]\\b)?)?"
#: Staircase and flat: "B 5", "B5", "B", "as. 3", "as 3", "C 4 b", "2 b".
_FLAT = "(?: [A-H](?: ?[1-9][0-9]{0,2}(?: [a-h])?)?\\b| (?:as|asunto|lgh|bst)\\.? ?[1-9][0-9]{0,2}\\b| [a-h]\\b)"
_TAIL = f"(?:,? [0-9]{{5}},? (?:{_CAP}|[{UPPER}]{{2,}})(?:-(?:{_CAP}|[{UPPER}]{{2,}}))?)"
#: The number ends at a word boundary, so that no part of a longer number is taken ("Koulutie 2026").
WHOLE = f"(?:{_STREET}) {_NUMBER}\\b{_FLAT}?{_TAIL}?"
#: Capitalised words before the street are taken too ("Esimerkki Oy Kalevankatu 3"), and :func:`spans` leaves
#: them out: in the engine's alternation the leftmost match wins, and a run of capitalised words read as a
#: name must not take the street's name with it.
PATTERN = f"(?:[{UPPER}][{LOWER}]+(?:-[{UPPER}][{LOWER}]+)? ){{0,3}}{WHOLE}"

_PARTS = re.compile(
    f"^(?P<street>{_STREET}) (?P<number>{_NUMBER})(?P<flat>{_FLAT})?(?P<tail>{_TAIL})?$".replace("\\b", "(?![a-zA-Z])")
)
_TAIL_PARTS = re.compile(r",? (?P<code>[0-9]{5}),? (?P<town>\S+)$")
_WEAK = re.compile(f"(?:{'|'.join(WEAK_STREET_WORDS)})$")


@functools.cache
def municipalities() -> frozenset[str]:
    """Finnish and Swedish names of Finland's municipalities, read once, on first use."""
    from detectors.data import municipalities as data

    return frozenset(name.replace("_", " ") for name in (data.FINNISH + data.SWEDISH).split())


def _town(name: str) -> str:
    """A post office written in capitals as the municipality's name is written ("HELSINKI" → "Helsinki")."""
    return "-".join(part[:1] + part[1:].lower() for part in name.split("-"))


def _parts(value: str) -> re.Match[str]:
    match = _PARTS.match(" ".join(value.split()))
    if match is None:
        raise InvalidValue("not a street, a house number and what may follow them")
    return match


def validate(value: str) -> str:
    """Return the canonical address, or raise :class:`InvalidValue` saying why the text is none."""
    match = _parts(value)
    street = match["street"]
    if street.split()[-1] in ROADS:
        raise InvalidValue(f"{street} is a road, not a street: its number is a road number")
    out = f"{street} {match['number']}{match['flat'] or ''}"
    if match["tail"]:
        tail = _TAIL_PARTS.search(match["tail"])
        assert tail is not None  # the pattern says so
        town = _town(tail["town"])
        if town not in municipalities():
            raise InvalidValue(f"{town} is no municipality of Finland")
        out += f", {tail['code']} {town}"
    return out


def compact(value: str) -> str:
    try:
        return validate(value)
    except InvalidValue:
        return " ".join(value.split())


def is_valid(value: str) -> bool:
    try:
        validate(value)
    except InvalidValue:
        return False
    return True


def format(value: str) -> str:
    return validate(value)


def spans(candidate: str) -> Iterator[tuple[int, int]]:
    """The address without the capitalised words before it (see :data:`PATTERN`), and without a postal tail
    whose post office is no municipality."""
    starts = [0, *(m.end() for m in re.finditer(" ", candidate))]
    for start in starts:
        rest = candidate[start:]
        if is_valid(rest):
            yield start, len(candidate)
            return
        match = _PARTS.match(rest)
        if match is not None:
            if match["tail"] and match["street"].split()[-1] not in ROADS:
                yield start, start + match.start("tail")
            return


# --- arrays -----------------------------------------------------------------------------------------------


def valid_array(texts: pa.Array) -> np.ndarray:
    """VALID without a postal tail (and not a road), UNDECIDED with one (the municipality is looked up in
    :func:`spans`) or with words before the street, INVALID for a road number."""
    texts = texts.cast(pa.large_string())
    road = pc.match_substring_regex(texts, f"^(?:{'|'.join(sorted(ROADS))}) ").to_numpy(zero_copy_only=False)
    tail = pc.match_substring_regex(texts, f"{_TAIL}$").to_numpy(zero_copy_only=False)
    whole = pc.match_substring_regex(texts, f"^(?:{WHOLE})$").to_numpy(zero_copy_only=False)
    return np.where(road, INVALID, np.where(tail | ~whole, UNDECIDED, VALID)).astype(np.int8)


def compact_array(texts: pa.Array) -> pa.Array:
    return pa.array([_compact_cached(t) for t in texts.to_pylist()], pa.large_string())


@functools.lru_cache(maxsize=65536)
def _compact_cached(value: str) -> str:
    return compact(value)


def mask_array(texts: pa.Array) -> pa.Array:
    """Keep the street's initial, the first two digits of the postal code and the post office."""
    texts = texts.cast(pa.large_string())
    parts = pc.extract_regex(texts, r"^(?P<first>.)(?P<rest>.*?)(?P<tail>,? [0-9]{5},? \S+)?$")
    hidden = pc.replace_substring_regex(parts.field("rest"), f"[{LOWER}{UPPER}0-9]", "*")
    tail = pc.fill_null(parts.field("tail"), "")
    tail = pc.replace_substring_regex(tail, "([0-9]{2})[0-9]{3}", r"\1***")
    return concat(parts.field("first"), hidden, tail)


def mask(value: str) -> str:
    return mask_array(pa.array([value], pa.large_string()))[0].as_py()


def needs_context_array(texts: pa.Array) -> np.ndarray:
    """A street of a weak street word (see the module's docstring) with a house number alone counts only
    beside an address word."""
    texts = texts.cast(pa.large_string())
    weak = f"^(?:[{UPPER}][{LOWER}]+ )?[{UPPER}][{LOWER}-]*(?:{'|'.join(WEAK_STREET_WORDS)}) {_NUMBER}$"
    return pc.match_substring_regex(texts, weak).to_numpy(zero_copy_only=False)


class AddressRecognizer(HaravaRecognizer):
    ENTITY = "ADDRESS"
    NAME = "address"
    CATEGORY = "osoite"
    COLUMN_HINTS = (
        r"osoite|katuosoite|lahiosoite|lähiosoite|postiosoite|kotiosoite|jakeluosoite|toimitusosoite"
        r"|laskutusosoite|address|street(?:_?address)?|address_?line_?\d?|adress|gatuadress|postadress|hemadress"
    )
    # In the first pass, before the guards and the detectors they protect: a street's name comes first in an
    # address, so nothing else starts where it does, and its postal code is no phone number.
    PRIORITY = 27
    PATTERNS = [("address", PATTERN, 0.7)]
    # A part of a longer number or code ("Tie 12-345-6"), an e-mail address or a path.
    REJECT_BEFORE = r"[@/\\_.-]$"
    REJECT_AFTER = r"^[-/.,][0-9]|^[0-9]"
    CONTEXT = [
        "osoite",
        "osoitt",
        "katuosoit",
        "postiosoit",
        "kotiosoit",
        "toimitusosoit",
        "laskutusosoit",
        "asuu",
        "asunto",
        "postinumero",
        "postitoimipaik",
        "address",
        "street",
        "adress",
        "gatuadress",
        "postnummer",
        "bostad",
    ]

    def spans(self, candidate: str) -> Iterator[tuple[int, int]]:
        return spans(candidate)
