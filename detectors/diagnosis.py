"""Diagnosis and drug codes — ICD-10 as THL writes it, and ATC (entity ``FI_DIAGNOSIS_CODE``).

Finnish health care records diagnoses in THL's Finnish version of ICD-10 (*Tautiluokitus ICD-10*): a
chapter letter, two digits and, after a dot, one or two more characters (``J45.0`` asthma, ``F32.1``,
``S72.00``; ``E11`` alone names the three-character category). A manifestation is written with the
code of its cause, marked with an asterisk and a dagger (``+``, ``†``): ``E11.4+G63.2*``, or the pair the
other way round, ``G63.2*E11.4``; a pair is one finding, one diagnosis. Letter ``U`` is kept for codes of
special purposes, not diagnoses in ordinary use, and a few three-character ranges hold no category
(``D90``–``D99``, ``E91``–``E99``, ``H96``–``H99``, ``K94``–``K99``, ``P97``–``P99``, ``T99``,
``V00``, ``Y99``, ``C98``–``C99``). Drugs are recorded with their ATC code (``N06AB03`` fluoxetine):
the anatomical main group (one of ``A B C D G H J L M N P R S V``), the therapeutic group (two digits,
within the group's range: ``N01``–``N07``), two letters and two digits.

A letter and two digits is a font size (``F32``), a paper size's neighbour, a seat or a grid square
(``C12``), an Excel cell (``B12``), a vitamin (``B12``), a fuel (``E10``) or a product code, and an
ATC-shaped code is as often a part number; a diagnosis is personal data only about a patient. So a code
counts only with health context: a word such as *diagnoosi*, *dg*, *ICD*, *potilas*, *lääkitys*,
*sjukdom*, *patient*, *medication* in its line, the line above, or the label of its cell (a column
named ``diagnoosi``, a JSON key ``icd10``). Codes with a word joined by a hyphen (``B12-vitamiini``,
``E10-bensiini``) and cell references (``A10:B12``, ``$B$12``) are never codes.

>>> validate('j45.0')
'J45.0'
>>> validate('G63.2*E11.4')
'G63.2*E11.4'
>>> validate('N06AB03'), kind('N06AB03'), kind('E11')
('N06AB03', 'ATC', 'ICD-10')
>>> validate('U07.1')
Traceback (most recent call last):
    ...
detectors.base.InvalidValue: U codes are reserved for special purposes, not diagnoses in ordinary use
>>> validate('D95.1')
Traceback (most recent call last):
    ...
detectors.base.InvalidValue: no ICD-10 category D95 (chapter D ends at D89)
>>> validate('N09AB03')
Traceback (most recent call last):
    ...
detectors.base.InvalidValue: no ATC therapeutic group N09 (main group N has N01-N07)
>>> validate('F06AB03')
Traceback (most recent call last):
    ...
detectors.base.InvalidValue: no ATC anatomical main group F
>>> mask('J45.0'), mask('G63.2*E11.4'), mask('N06AB03')
('J4*.*', 'G6*.**E1*.*', 'N06****')
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from detectors.base import INVALID, VALID, HaravaRecognizer, InvalidValue

#: ATC anatomical main groups and the range of their therapeutic groups (second level).
ATC_GROUPS: dict[str, tuple[int, int]] = {
    "A": (1, 16),
    "B": (1, 6),
    "C": (1, 10),
    "D": (1, 11),
    "G": (1, 4),
    "H": (1, 5),
    "J": (1, 7),
    "L": (1, 4),
    "M": (1, 9),
    "N": (1, 7),
    "P": (1, 3),
    "R": (1, 7),
    "S": (1, 3),
    "V": (1, 10),
}

#: ICD-10 chapter letters whose categories do not run from 00 to 99: (first, last).
ICD_RANGES: dict[str, tuple[int, int]] = {
    "C": (0, 97),
    "D": (0, 89),
    "E": (0, 90),
    "H": (0, 95),
    "K": (0, 93),
    "P": (0, 96),
    "T": (0, 98),
    "V": (1, 99),
    "Y": (0, 98),
}

_ICD = re.compile(r"([A-Z])(\d\d)(?:\.([0-9A-Z]{1,2}))?", re.ASCII)
_ATC = re.compile(r"([A-Z])(\d\d)([A-Z]{2})(\d\d)", re.ASCII)
#: The marks of a dagger–asterisk pair: ``*`` the manifestation, ``+`` or ``†`` the cause; ``#`` and ``&``
#: mark THL's other code pairs (an external cause, a drug).
_MARKS = "*+†#&"
_PAIR = re.compile(rf"([^{_MARKS}]+)([{_MARKS}]?)(?:([^{_MARKS}]+)([{_MARKS}]?))?", re.ASCII)


def compact(value: str) -> str:
    """Upper case, without white space."""
    return "".join(value.split()).upper()


def kind(value: str) -> str:
    """``"ATC"`` for a drug code, ``"ICD-10"`` for a diagnosis (or a pair of them)."""
    return "ATC" if _ATC.fullmatch(compact(value)) else "ICD-10"


def _validate_icd(code: str) -> None:
    match = _ICD.fullmatch(code)
    if not match:
        raise InvalidValue(f"{code} is not of the form A00 or A00.0 (a letter, two digits, a dot and one or two)")
    letter, digits = match.group(1), int(match.group(2))
    if letter == "U":
        raise InvalidValue("U codes are reserved for special purposes, not diagnoses in ordinary use")
    first, last = ICD_RANGES.get(letter, (0, 99))
    if digits > last:
        raise InvalidValue(f"no ICD-10 category {letter}{digits:02d} (chapter {letter} ends at {letter}{last:02d})")
    if digits < first:
        raise InvalidValue(f"no ICD-10 category {letter}{digits:02d} (chapter {letter} starts at {letter}{first:02d})")


def _validate_atc(code: str) -> None:
    letter, group = code[0], int(code[1:3])
    if letter not in ATC_GROUPS:
        raise InvalidValue(f"no ATC anatomical main group {letter}")
    low, high = ATC_GROUPS[letter]
    if not low <= group <= high:
        raise InvalidValue(
            f"no ATC therapeutic group {letter}{group:02d} (main group {letter} has {letter}{low:02d}-{letter}{high:02d})"
        )


def validate(value: str) -> str:
    """Return the compact code (or pair) or raise :class:`InvalidValue` with the precise reason."""
    code = compact(value)
    if _ATC.fullmatch(code):
        _validate_atc(code)
        return code
    match = _PAIR.fullmatch(code)
    if not match:
        raise InvalidValue("not an ICD-10 code, a pair of them or an ATC code")
    first, _, second, _ = match.groups()
    _validate_icd(first)
    if second:
        _validate_icd(second)
    return code


def is_valid(value: str) -> bool:
    try:
        validate(value)
    except InvalidValue:
        return False
    return True


def format(value: str) -> str:
    return validate(value)


# --- arrays ----------------------------------------------------------------------------------------


def valid_array(texts: pa.Array) -> np.ndarray:
    """:func:`is_valid` for a whole array of candidates (few: a code counts only with health context, and
    the per-value check is cached by value)."""
    verdicts = {}
    out = np.empty(len(texts), np.int8)
    for index, text in enumerate(texts.to_pylist()):
        verdict = verdicts.get(text)
        if verdict is None:
            verdict = verdicts[text] = VALID if is_valid(text) else INVALID
        out[index] = verdict
    return out


def compact_array(texts: pa.Array) -> pa.Array:
    return pc.utf8_upper(pc.replace_substring_regex(texts.cast(pa.large_string()), r"\s+", ""))


def _masked(code: str) -> str:
    if _ATC.fullmatch(code):
        return code[:3] + "****"
    return _ICD.sub(lambda m: f"{m[1]}{m[2][0]}*" + ("." + "*" * len(m[3]) if m[3] else ""), code)


def mask_array(texts: pa.Array) -> pa.Array:
    """An ICD-10 code keeps its letter and first digit (the block: ``J4*.*``, a disease of the airways),
    an ATC code its anatomical and therapeutic group (``N06****``, a psychoanaleptic)."""
    return pa.array([_masked(t) for t in compact_array(texts).to_pylist()], pa.large_string())


def mask(value: str) -> str:
    return mask_array(pa.array([value], pa.large_string()))[0].as_py()


def detail_array(texts: pa.Array) -> pa.Array:
    """``ICD-10`` or ``ATC``: what kind of code each finding is."""
    atc = pc.match_substring_regex(compact_array(texts), r"^[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}$")
    return pc.if_else(atc, "ATC", "ICD-10")



#: Words that say a code is about someone's health (Finnish, Swedish, English; stems match inflected forms
#: and compounds: "diagnoosi" in "päädiagnoosi", "lääkity" in "lääkityksen").
HEALTH_WORDS = [
    "diagnoos",
    "dg",
    "dgn",
    "icd",
    "icd-10",
    "atc",
    "tautiluokitus",
    "sairaus",
    "sairauden",
    "sairaud",
    "potilas",
    "potilaa",
    "hoitojakso",
    "käyntisyy",
    "lääkitys",
    "lääkity",
    "lääke",
    "lääkkee",
    "resepti",
    "epikriisi",
    "työterveys",
    "terveydentila",
    "sairausloma",
    "vastaanottokäynti",
    "diagnos",
    "sjukdom",
    "sjukskriv",
    "läkemedel",
    "medicinering",
    "patient",
    "diagnosis",
    "diagnoses",
    "medication",
    "prescription",
]


class DiagnosisRecognizer(HaravaRecognizer):
    ENTITY = "FI_DIAGNOSIS_CODE"
    NAME = "diagnosis"
    CATEGORY = "terveystiedot"
    COLUMN_HINTS = (
        r"diagnoosi\w*|dg|dgn|icd\w*|atc\w*|tautiluokitus|diagnos\w*|diagnosis|diagnoses|sairaus\w*|sjukdom\w*"
        r"|laakitys|lääkitys|laake\w*|lääke\w*|medication\w*|lakemedel\w*|läkemedel\w*|kayntisyy|käyntisyy"
    )
    # Last, in the engine's second pass with the special-category keywords: any identifier at the same
    # place wins, and the first pass's joined pattern stays as it was (measured: cheaper than joining it).
    PRIORITY = 97
    CONTEXT_REQUIRED = True  # a letter and two digits stand for many things (see the module's docstring)
    PATTERNS = [
        ("atc", r"\b[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}\b", 0.4),
        (
            "icd10",
            r"\b[A-Z][0-9]{2}(?:\.[0-9A-Z]{1,2})?(?:[*+†#&][A-Z][0-9]{2}(?:\.[0-9A-Z]{1,2})?)?[*+†#]?",
            0.4,
        ),
    ]
    # A word joined by a hyphen ("B12-vitamiini", "E10-bensiini"), a cell range or an absolute reference
    # ("A10:B12", "$B$12"), a size or a seat.
    REJECT_AFTER = r"^(?:-[A-Za-zÅÄÖåäö]|:[A-Z$])"
    REJECT_BEFORE = (
        r"(?:[A-Z]{1,3}[0-9]{1,7}:|\$|(?i:paikka|paikalla|istuin|seat|plats|rivi|row|ruutu|ruudussa|solu"
        r"|solussa|cell|portti|gate|huone|room|rum|fontti|font|kirjasin|koko|size|malli|model|tuote|product)"
        r"[ :.#]*)$"
    )
    CONTEXT = HEALTH_WORDS
