"""Finnish vehicle registration plates (entity ``FI_VEHICLE_PLATE``).

A plate (*rekisterinumero*, *rekisteritunnus*) is two or three letters, a hyphen and one to three digits
that do not start with ``0``: ``ABC-123``, ``XY-12``, ``KÄÄ-7``. Plates of diplomatic missions begin
``CD-`` and are reported with that detail. Through the vehicle register a plate leads to the vehicle's
owner and holder, so beside a person it is personal data.

Product, part and model codes look exactly the same (``ABC-123``), and so do many other things
(``UTF-8``, ``SHA-256``, ``EU-27``), and there is no check digit. So a plate counts only beside a word that
says it is one — *rekisterinumero*, *rek.nro*, *rekisteritunnus*, *ajoneuvo*, *auto* (*auton*, *autolla*…,
not *automaattinen* or *autorisointi*), *pysäköinti*, *registreringsnummer*, *fordon*, *vehicle*, *licence
plate* — in its line, the line above, its label or a column named so; the word *rekisteri* alone is not
such a word (it is the register the data is in). A code labelled as a product, part, model or order code
(*tuotekoodi ABC-123*, ``SKU: XY-12``, *malli*, *tilaus*) is that code, whatever vehicle word stands beside
it, and one hyphenated into a longer code (``ABC-123-4``, ``X-AB-12``) is a part of it.

The letters of a plate are a series shared by up to 999 vehicles; the digits pick the vehicle. Findings
keep the letters and hide the digits, as an identity code's individual number is hidden: ``ABC-***``.

>>> validate('ABC-123'), validate(' kää-7 ')
('ABC-123', 'KÄÄ-7')
>>> validate('ABC-012')
Traceback (most recent call last):
    ...
detectors.base.InvalidValue: a plate's number never starts with 0
>>> validate('ABCD-123')
Traceback (most recent call last):
    ...
detectors.base.InvalidValue: not of the form ABC-123 (two or three letters, a hyphen, one to three digits)
>>> is_diplomatic('CD-123'), is_diplomatic('ABC-123')
(True, False)
>>> mask('ABC-123'), mask('XY-12'), mask('ÅÄÖ-1')
('ABC-***', 'XY-**', 'ÅÄÖ-*')
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from detectors.base import INVALID, VALID, HaravaRecognizer, InvalidValue

DIPLOMATIC = "diplomatic plate (CD)"

#: A label that says a code right after it is a product's, a part's, a model's, an order's or a booking's
#: (``tuotekoodi``, ``SKU:``, ``Art.nro``, ``malli``, ``tilaus``, ``Booking ref``): codes shaped like plates
#: and passport numbers that are neither. A ``REJECT_BEFORE`` tail (RE2 and Python syntax): anchor it with ``$``.
CODE_LABEL = (
    r"(?:^|[\W_])(?i:tuote|product|item|art\.|artikkeli|sku|malli|model|koodi|code|varaosa|osanumero|part"
    r"|serial|sarja|ean|batch|erä|tilaus|order|ordre|bestell|lasku|invoice|faktura|viite|ref|varaus|booking"
    r"|bokning|seuranta|tracking|lähetys|kuitti|receipt|kvitto)[\w.-]*[\"']?[ .:#=]*"
    r"(?:(?i:no|nr|nro|num|number|numero)[ .:#=]*)?[\"']?"
)

#: A key or column header (a JSON key, a sheet's column) that names a product's, a part's, a model's, an order's
#: or a booking's code: its values are those codes, whatever vehicle word labels the sheet elsewhere.
CODE_KEY = (
    r"(?i)(?:tuote|product|item|sku|artikkeli|koodi|code|malli|model|varaosa|osanumero|part_?(?:no|nr|num)|ean"
    r"|tilaus|order|varaus|booking|bokning)"
)

_FORM = re.compile(r"[A-ZÅÄÖ]{2,3}-[1-9][0-9]{0,2}")
_FORM_RE2 = "^[A-ZÅÄÖ]{2,3}-[1-9][0-9]{0,2}$"


def compact(value: str) -> str:
    """Upper case, without surrounding white space."""
    return value.strip().upper()


def validate(value: str) -> str:
    """Return the compact plate or raise :class:`InvalidValue` with the precise reason."""
    plate = compact(value)
    if re.fullmatch(r"[A-ZÅÄÖ]{2,3}-0[0-9]{0,2}", plate):
        raise InvalidValue("a plate's number never starts with 0")
    if not _FORM.fullmatch(plate):
        raise InvalidValue("not of the form ABC-123 (two or three letters, a hyphen, one to three digits)")
    return plate


def is_valid(value: str) -> bool:
    try:
        validate(value)
    except InvalidValue:
        return False
    return True


def is_diplomatic(value: str) -> bool:
    """Whether the plate is a diplomatic mission's (``CD-``)."""
    return compact(value).startswith("CD-")


def format(value: str) -> str:
    return compact(value)


# --- arrays ----------------------------------------------------------------------------------------


def valid_array(texts: pa.Array) -> np.ndarray:
    """:func:`is_valid` for a whole array of pattern candidates."""
    ok = pc.match_substring_regex(texts.cast(pa.large_string()), _FORM_RE2).to_numpy(zero_copy_only=False)
    return np.where(ok, VALID, INVALID).astype(np.int8)


def compact_array(texts: pa.Array) -> pa.Array:
    """Pattern candidates are already compact (upper case, no white space)."""
    return texts


def mask_array(texts: pa.Array) -> pa.Array:
    """Keep the letters, hide the digits: ``ABC-***``."""
    return pc.replace_substring_regex(texts.cast(pa.large_string()), "[0-9]", "*")


def mask(value: str) -> str:
    return mask_array(pa.array([compact(value)], pa.large_string()))[0].as_py()


def detail_array(texts: pa.Array) -> pa.Array | None:
    """Says which plates are diplomatic missions' (``CD-``)."""
    diplomatic = pc.starts_with(texts.cast(pa.large_string()), "CD-")
    if not pc.any(diplomatic).as_py():
        return None
    return pc.if_else(diplomatic, DIPLOMATIC, pa.scalar(None, pa.string()))



class VehiclePlateRecognizer(HaravaRecognizer):
    ENTITY = "FI_VEHICLE_PLATE"
    NAME = "vehicle_plate"
    CATEGORY = "rekisterinumero"
    COLUMN_HINTS = (
        r"rekisterinumero\w*|rek_?nro|rek_?no|rekisteritunnus|rekisterikilpi|ajoneuvo_?(?:rek\w*|tunnus)?"
        r"|auto_?(?:rek\w*|nro)|registreringsnummer|regnr|reg_?nr|registration_?plate|licen[cs]e_?plate\w*"
        r"|number_?plate|plate|vehicle_?(?:reg\w*|plate|id)?"
    )
    # After the other identifiers, before the e-mail addresses' guard (see health_card). RE2's \b knows only
    # ASCII letters: a plate starting with Å, Ä or Ö has its boundary checked after matching (STRICT_BOUNDARY).
    PRIORITY = 29
    CONTEXT_REQUIRED = True  # product codes look the same (see the module's docstring)
    PATTERNS = [("plate", r"(?:\b[A-Z]|[ÅÄÖ])[A-ZÅÄÖ]{1,2}-[1-9][0-9]{0,2}\b", 0.3)]
    # Labelled as another code; hyphenated into a longer code on either side; a decimal.
    REJECT_BEFORE = rf"(?:[A-Za-z0-9]-|{CODE_LABEL})$"
    REJECT_AFTER = r"^(?:[-/][A-Za-z0-9]|[.,][0-9])"
    REJECT_LABEL = CODE_KEY
    CONTEXT = [
        "rekisterinumer",
        "rekisterinro",
        "rekisteritunnu",
        "rekisterikilp",
        "rek.nro",
        "rek. nro",
        "reknro",
        "rek.no",
        "rekkari",
        "ajoneuv",
        # "auto" and its inflections, not "automaattinen", "autorisointi" (a card payment's authorisation)
        "auto ",
        "auto:",
        "auto,",
        "auto.",
        "auto)",
        "auton",
        "autoa",
        "autot",
        "autoj",
        "autol",
        "autoo",
        "autos",
        "autoi",
        "autoh",
        "autok",
        "autop",
        "autov",
        "henkilöauto",
        "sijaisauto",
        "sähköauto",
        "hybridiauto",
        "työsuhdeauto",
        "pakettiauto",
        "matkailuauto",
        "pysäköin",
        "pysäköid",
        "parkkipaik",
        "parkkilup",
        "parkkihall",
        "parkkeera",
        "katsastu",
        "registreringsnummer",
        "registreringsskylt",
        "regnr",
        "reg.nr",
        "reg. nr",
        "fordon",
        "bil ",
        "bil:",
        "bilen",
        "bilens",
        "vehicle",
        "licence plate",
        "license plate",
        "number plate",
        "registration plate",
        "car reg",
        "car plate",
        "rental car",
        "company car",
        "parking",
    ]
