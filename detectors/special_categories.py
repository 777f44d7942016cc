"""Special categories of personal data, found by their words: health, trade-union membership, religion,
ethnic origin (GDPR art. 9), criminal records (art. 10) and the non-disclosure marker *turvakielto*.

These data have no format to validate; a record of them is recognised by the words its fields are named
with: ``Diagnoosi: …``, a ``sairausloma`` column, ``"uskontokunta": "…"``, ``ay-jäsenmaksu`` on a payslip,
``Rikosrekisteriote esitetty``, ``Turvakielto: kyllä``. Each category has a curated list of Finnish, Swedish
and English stems (:data:`CATEGORIES`; a stem matches its inflected forms and the compounds it begins:
``sairausloma`` in ``sairauslomalla``, ``sairauslomatodistus``). One such word in prose is not yet
personal data — a novel may say *raskaus* or *ammattiliitto* once — so a word counts only

* **structured**: as a label or a cell. It ends in a label mark (``Diagnoosi:``, ``"uskontokunta":``,
  ``sairausloma=``, ``Sairausloman alkamispäivä:``), or is a cell of its own in a CSV, TSV or Markdown row
  (``pvm;diagnoosi;hoitaja``, ``pvm,nimi,diagnoosi``, ``| Diagnoosi |``; the first and the last column
  too); or
* **dense**: beside another word of its own category (its *companions*: ``lääkäri``, ``potilas``,
  ``työterveys`` for health; ``palkka``, ``pidätys`` for union dues; ``poliisi``, ``käräjäoikeus`` for
  criminal records…) in its line, the line above, or the label of its cell (a column named
  ``potilas``, a JSON key ``potilas.…``).

Both rules are decided per row, by the engine's usual means — no document-level pass. The pattern takes
what follows the word (a label mark, a delimiter, a comma or the line's end) into the match, so the match
shows its form and :func:`needs_context_array` lets a label or a cell stand alone; a comma or a line's end
closes a cell only where a delimiter opens it (:func:`spans` offers both readings, :func:`fits_array`
keeps the one the text before it bears out). Every other match needs a companion word, which the engine
looks for in the line, the line above and the label exactly as for any context-bound value. A companion
is never part of a stem's own forms (a test holds the lists to that), so a word is never its own context.
A keyword that fills a cell alone (of a spreadsheet or CSV file, a JSON value, a database cell) is that
field's value and needs no companion (``CELL_IS_CONTEXT``); so is a database column's name, where the
column holds data (``FOUND_IN_NAMES``: one finding per table and column). A keyword that is only a JSON key
is not read (keys are not text the engine scans).

A finding's value is the word, not what follows it: the mask keeps the word and hides the rest
(``Diagnoosi: ***``; a word alone is shown as it is), and its normal form (what the hash is made of, and what
the accuracy truth lists) is the category's canonical keyword: ``Diagnoosi:``, ``;diagnoosi;`` and
``diagnoosin`` are all ``diagnoosi``. So a file's repeated header or a column of the same reason counts as
one distinct value per file, each row still a finding of its own. The detail names the keyword, the
category and its provision: ``diagnoosi — terveystiedot (GDPR art. 9)``.

>>> compact('Sairauslomalla'), compact(';"Diagnoosi":'), compact('AY-jäsenmaksu')
('sairausloma', 'diagnoosi', 'ay-jäsenmaksu')
>>> category_of('uskontokuntaan').key, category_of('Spärrmarkering').special
('uskonto', 'turvakielto')
>>> validate('novelli')
Traceback (most recent call last):
    ...
detectors.base.InvalidValue: 'novelli' is no keyword of a special category
>>> mask('Diagnoosi:'), mask('"uskontokunta":'), mask(';sairausloma;'), mask('raskauden')
('Diagnoosi: ***', 'uskontokunta: ***', 'sairausloma', 'raskauden')
>>> needs_context_array(pa.array(['Diagnoosi:', 'sairausloma;', 'raskauden'])).tolist()
[False, False, True]
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import regex

from detectors._presidio import PatternRecognizer, RecognizerResult
from detectors.base import UNDECIDED, VALID, HaravaRecognizer, InvalidValue, context_regex


@dataclass(frozen=True)
class Keywords:
    """A special category's words: ``stems`` (stem → canonical keyword) that are looked for, and
    ``companions`` that only make a stem count when they stand near it."""

    entity: str
    key: str
    label: str
    special: str
    stems: dict[str, str]
    companions: tuple[str, ...]


def _stems(*pairs: str | tuple[str, str]) -> dict[str, str]:
    """Stems, each its own keyword unless paired with one (``("diagnoos", "diagnoosi")``)."""
    return dict(p if isinstance(p, tuple) else (p, p) for p in pairs)


HEALTH = Keywords(
    "HEALTH_DATA",
    "terveystiedot",
    "terveystiedot",
    "GDPR art. 9",
    _stems(
        ("diagnoos", "diagnoosi"),
        "sairausloma",
        "sairauspoissaolo",
        "sairauspäiväraha",
        "sairauskertomus",
        "sairaushistoria",
        ("perussairau", "perussairaus"),
        ("pitkäaikaissairau", "pitkäaikaissairaus"),
        "mielenterveys",
        ("mielenterveyd", "mielenterveys"),
        ("raskaus", "raskaus"),
        ("raskaud", "raskaus"),
        ("raskaana", "raskaus"),
        "terveydentila",
        ("terveystie", "terveystiedot"),
        ("lääkitys", "lääkitys"),
        ("lääkityk", "lääkitys"),
        ("allergi", "allergia"),
        ("työkyvyttömyy", "työkyvyttömyys"),
        ("työkyvytö", "työkyvyttömyys"),
        "hoitojakso",
        # Swedish
        ("diagnos", "diagnos"),
        ("sjukskriv", "sjukskrivning"),
        ("sjukledig", "sjukledighet"),
        "sjukfrånvaro",
        ("sjukdom", "sjukdom"),
        "hälsotillstånd",
        ("hälsouppgift", "hälsouppgifter"),
        ("graviditet", "graviditet"),
        ("medicinering", "medicinering"),
        "psykisk ohälsa",
        # English
        ("sick leave", "sick leave"),
        ("sick-leave", "sick leave"),
        "sick note",
        ("medical condition", "medical condition"),
        ("health condition", "health condition"),
        "mental health",
        ("pregnan", "pregnancy"),
        ("medical record", "medical record"),
        "medical history",
        ("health data", "health data"),
        ("medication", "medication"),
    ),
    (
        "lääkäri",
        "lääkärin",
        "lääkäre",
        "potilas",
        "potilaa",
        "työterveys",
        "työterveyd",
        "terveyskeskus",
        "sairaala",
        "sairaanhoitaja",
        "terveydenhoitaja",
        "resepti",
        "lääke",
        "lääkkee",
        "oire",
        "kela",
        "läkare",
        "patient",
        "vårdcentral",
        "sjukhus",
        "företagshälso",
        "doctor",
        "physician",
        "hospital",
        "clinic",
        "symptom",
        "prescription",
    ),
)

TRADE_UNION = Keywords(
    "TRADE_UNION",
    "ammattiliitto",
    "ammattiliiton jäsenyys",
    "GDPR art. 9",
    _stems(
        ("ammattiliit", "ammattiliitto"),
        ("ammattiyhdisty", "ammattiyhdistys"),
        ("ay-jäsenmaksu", "ay-jäsenmaksu"),
        ("ay-maksu", "ay-jäsenmaksu"),
        ("ay-jäsen", "ay-jäsenyys"),
        ("liiton jäsenmaksu", "ay-jäsenmaksu"),
        ("luottamusmie", "luottamusmies"),
        ("fackförening", "fackförening"),
        ("fackförbund", "fackförening"),
        ("facklig", "fackligt medlemskap"),
        ("fackavgift", "fackavgift"),
        ("trade union", "trade union"),
        ("labour union", "trade union"),
        ("labor union", "trade union"),
        ("union dues", "union dues"),
        ("union membership", "trade union"),
        ("union fee", "union dues"),
    ),
    (
        "palkka",
        "palkan",
        "pidätys",
        "pidätet",
        "vähennys",
        "tilitys",
        "työttömyyskassa",
        "kassan",
        "lön",
        "avdrag",
        "arbetslöshetskassa",
        "salary",
        "payroll",
        "deduction",
        "payslip",
    ),
)

RELIGION = Keywords(
    "RELIGION",
    "uskonto",
    "uskonnollinen vakaumus",
    "GDPR art. 9",
    _stems(
        ("uskontokun", "uskontokunta"),
        ("uskonto", "uskonto"),
        ("uskonno", "uskonto"),
        ("kirkkoon kuulu", "kirkkoon kuuluminen"),
        ("kirkon jäsen", "kirkon jäsenyys"),
        ("seurakunnan jäsen", "seurakunnan jäsenyys"),
        "kirkollisvero",
        ("trossamfund", "trossamfund"),
        ("religion", "religion"),
        ("religiös", "religion"),
        ("religious", "religion"),
        ("kyrkotillhörighet", "kyrkotillhörighet"),
        "kyrkoskatt",
        ("church membership", "church membership"),
        ("church tax", "church tax"),
    ),
    (
        "evankelis",
        "luterilai",
        "ev.lut",
        "ev.-lut",
        "ortodoks",
        "katoli",
        "islam",
        "muslim",
        "juutalai",
        "buddhal",
        "luthersk",
        "lutheran",
        "catholic",
        "orthodox",
        "jewish",
    ),
)

ETHNIC = Keywords(
    "ETHNIC_ORIGIN",
    "etninen_alkupera",
    "etninen alkuperä",
    "GDPR art. 9",
    _stems(
        ("etninen", "etninen alkuperä"),
        ("etnise", "etninen alkuperä"),
        ("etnistä", "etninen alkuperä"),
        ("etnisyy", "etninen alkuperä"),
        ("etnisk", "etniskt ursprung"),
        ("ethnic", "ethnic origin"),
        ("racial origin", "racial origin"),
    ),
    (
        "syntyperä",
        "vähemmistö",
        "saamelai",
        "romani",
        "kansallisuu",
        "äidinkiel",
        "härkomst",
        "minoritet",
        "nationalitet",
        "modersmål",
        "minority",
        "nationality",
    ),
)

CRIMINAL = Keywords(
    "CRIMINAL_RECORD",
    "rikostiedot",
    "rikostuomiot ja rikokset",
    "GDPR art. 10",
    _stems(
        ("rikosrekister", "rikosrekisteri"),
        ("rikostausta", "rikostausta"),
        ("rikostuomi", "rikostuomio"),
        ("rikosepäily", "rikosepäily"),
        ("rikosilmoitu", "rikosilmoitus"),
        ("rikosnimike", "rikosnimike"),
        ("lähestymiskiel", "lähestymiskielto"),
        ("brottsregist", "brottsregister"),
        ("belastningsregist", "brottsregister"),
        ("straffregist", "brottsregister"),
        ("brottmål", "brottmål"),
        ("brottsmisstank", "brottsmisstanke"),
        ("criminal record", "criminal record"),
        ("criminal conviction", "criminal conviction"),
        ("criminal background", "criminal record"),
        ("criminal offen", "criminal offence"),
    ),
    (
        "poliisi",
        "käräjäoike",
        "hovioike",
        "vankila",
        "tuomittu",
        "tuomittiin",
        "sakko",
        "syyttäjä",
        "syyte",
        "polis",
        "domstol",
        "tingsrätt",
        "fängelse",
        "dömd",
        "police",
        "court",
        "prison",
        "convicted",
    ),
)

TURVAKIELTO = Keywords(
    "TURVAKIELTO",
    "turvakielto",
    "turvakielto",
    "turvakielto",
    _stems(
        ("turvakielt", "turvakielto"),
        ("turvakiello", "turvakielto"),
        ("spärrmarker", "spärrmarkering"),
        ("non-disclosure for personal safety", "non-disclosure for personal safety"),
        ("non-disclosure for safety", "non-disclosure for personal safety"),
    ),
    (
        "osoite",
        "osoitte",
        "osoitetie",
        "luovut",
        "väestötietojärjestelmä",
        "dvv",
        "maistraatti",
        "kotikunta",
        "adress",
        "address",
        "befolkningsdatasystem",
    ),
)

#: The categories, in the order their recognizers are registered.
CATEGORIES: tuple[Keywords, ...] = (HEALTH, TRADE_UNION, RELIGION, ETHNIC, CRIMINAL, TURVAKIELTO)

# Letters a keyword's inflection and compounds may run on with (ASCII and the Nordic ones: no \p{L},
# which would take RE2 off its DFA), a hyphen only between letters.
_LETTERS = "A-Za-zÅÄÖåäöÉéÜü"
_SUFFIX = f"(?:[{_LETTERS}]|-[{_LETTERS}])*"
#: Delimiters of a cell: CSV/TSV/Markdown; a comma only touching the word (", " is prose).
_CELL = ";\t|"


def _stem_regex(stem: str) -> str:
    """A stem as RE2 and Python's ``regex`` read it: spaces and hyphens between its words either way."""
    return "[ -]".join(re.escape(part) for part in re.split("[ -]", stem)).replace("\\ ", " ")


def words_regex(keywords: Keywords) -> str:
    """The category's stems (longest first) and the letters their inflection runs on with."""
    stems = sorted(keywords.stems, key=len, reverse=True)
    return "(?i:" + "|".join(_stem_regex(s) for s in stems) + ")" + _SUFFIX


def patterns(keywords: Keywords) -> list[tuple[str, str, float]]:
    """One pattern: the word and what follows it — a label mark, a delimiter, a line's end — so that the
    match shows its form (:func:`needs_context_array`). One copy of the stems per category, not one per
    form: each copy costs the whole scan (the engine compiles its patterns on every call). Never the
    delimiter before the word: the location must name the word's own column, and the delimiter after one
    cell is the one before the next (``;diagnoosi;sairausloma``)."""
    words = words_regex(keywords)
    # "Diagnoosi:", '"uskontokunta":', "Sairausloman alkamispäivä:", "religion="; "diagnoosi;" and
    # ";etninen tausta;" (a cell, or a column's name, that a delimiter closes), "| Diagnoosi |"; a comma or
    # a line's end after it: a cell only where a delimiter stands before it too (decided in fits_array)
    label = r'(?: [a-zåäö-]+){1,2} ?:|"? ?[:=]'
    closed = rf'(?: [a-zåäö-]+){{1,2}}"? ?[{_CELL}]|"? ?[{_CELL}]'
    maybe = r'"?,|"?\r?\n|"'
    return [("keyword", f'"?{words}(?:{label}|{closed}|{maybe})?', 0.4)]


#: Every stem of every category → (canonical keyword, category).
_BY_STEM: dict[str, tuple[str, Keywords]] = {
    stem.replace("-", " "): (word, keywords) for keywords in CATEGORIES for stem, word in keywords.stems.items()
}
_STEMS_LONGEST_FIRST = sorted(_BY_STEM, key=len, reverse=True)
_EDGES = re.compile(rf'^[{_CELL}, "]+|[{_CELL}, ":=\r\n]+$')
_LABEL = re.compile(r'"? ?[:=]$')
#: A match that is a label or a cell by its own text.
_STRUCTURED = rf"[{_CELL}:=]$"
#: A match whose last character may close a cell or not (a comma, a line's end): the text before it decides.
_MAYBE = r'"?(?:,|\r?\n)$'
#: Before a match: the delimiter that opens a cell (a space, a quote after it), or nothing (a line's start).
_OPENED = rf'(?:^|[{_CELL},] ?"?)$'


def _word(value: str) -> str:
    """The keyword as written, without the delimiters, quotes and label mark taken with it."""
    return _EDGES.sub("", value.strip(" "))


@functools.lru_cache(maxsize=4096)
def _lookup(value: str) -> tuple[str, Keywords] | None:
    word = _word(value).lower().replace("-", " ")
    return next((_BY_STEM[s] for s in _STEMS_LONGEST_FIRST if word.startswith(s)), None)


def category_of(value: str) -> Keywords:
    """The category a keyword belongs to."""
    found = _lookup(value)
    if found is None:
        raise InvalidValue(f"{_word(value)!r} is no keyword of a special category")
    return found[1]


def compact(value: str) -> str:
    """The canonical keyword (``sairauslomalla`` → ``sairausloma``): what a finding's hash is made of."""
    found = _lookup(value)
    return found[0] if found else _word(value).lower()


def validate(value: str) -> str:
    """The canonical keyword, or :class:`InvalidValue` when the text holds none."""
    category_of(value)
    return compact(value)


def is_valid(value: str) -> bool:
    return _lookup(value) is not None


def format(value: str) -> str:
    return validate(value)


def mask(value: str) -> str:
    """The word stays (it says what kind of data is there, and is no person's), what follows a label is
    hidden."""
    word = _word(value)
    if _LABEL.search(value):
        return f"{word}: ***"
    return word


def detail(value: str) -> str:
    found = _lookup(value)
    if found is None:
        return ""
    word, keywords = found
    return f"{word} — {keywords.label} ({keywords.special})"


# --- arrays ----------------------------------------------------------------------------------------


def valid_array(texts: pa.Array) -> np.ndarray:
    """Every candidate is a keyword (the pattern holds only stems); one whose last character may or may not
    close a cell is left to :func:`spans`."""
    maybe = _np(pc.match_substring_regex(texts.cast(pa.large_string()), _MAYBE))
    return np.where(maybe, UNDECIDED, VALID).astype(np.int8)


def spans(candidate: str) -> list[tuple[int, int]]:
    """A candidate ending in a comma or a line's end is a cell (``,diagnoosi,``, ``;sairausloma⏎``, the last
    column) or a word in prose (``diagnoosin, joka…``): both spans are offered, the whole and the word, and
    the text before it decides which one stands (:func:`fits_array`)."""
    maybe = re.search(_MAYBE, candidate)
    if not maybe:
        return [(0, len(candidate))]
    return [(0, len(candidate)), (0, maybe.start())]


def compact_array(texts: pa.Array) -> pa.Array:
    return pa.array([compact(t) for t in texts.to_pylist()], pa.large_string())


def mask_array(texts: pa.Array) -> pa.Array:
    return pa.array([mask(t) for t in texts.to_pylist()], pa.large_string())


def detail_array(texts: pa.Array) -> pa.Array:
    return pa.array([detail(t) for t in texts.to_pylist()], pa.large_string())


def needs_context_array(texts: pa.Array) -> np.ndarray:
    """A word that is neither a label nor a cell counts only beside a companion (see the docstring)."""
    texts = texts.cast(pa.large_string())
    return ~(_np(pc.match_substring_regex(texts, _STRUCTURED)) | _np(pc.match_substring_regex(texts, _MAYBE)))


def fits_array(texts: pa.Array, before: pa.Array, after: pa.Array) -> np.ndarray:
    """A word's own boundaries (a match may end in a delimiter, so the engine's strict boundary cannot be
    used): no letter or digit right before it, none right after; no part of an e-mail address, a domain or
    a file name (``rikosrekisteri.fi``). And of the two spans :func:`spans` offers, one: the whole, ending in
    a comma or the line's end, where a delimiter (or the line's start, before a comma) opens the cell and no
    space follows the comma (``pvm,diagnoosi,nimi``; ``pvm;nimi;diagnoosi⏎``); else the word alone
    (``diagnoosin, joka…``), which needs a companion."""
    texts = texts.cast(pa.large_string())
    glued_before = _np(pc.match_substring_regex(before, r"(?:[0-9A-Za-z_@/.]|[^\x00-\x7f])$"))
    glued_after = _np(pc.match_substring_regex(after, r"^(?:[0-9_]|[.@/][0-9A-Za-z])"))
    opened = _np(pc.match_substring_regex(before, _OPENED))
    delimited = _np(pc.match_substring_regex(before, rf'[{_CELL},] ?"?$'))
    comma = _np(pc.match_substring_regex(texts, r'"?,$'))
    line_end = _np(pc.match_substring_regex(texts, r"\n$"))
    prose_comma = _np(pc.match_substring_regex(after, r"^ "))
    whole = (comma & opened & ~prose_comma) | (line_end & delimited)
    # the word of a candidate that ended so (what follows it is that comma or line's end)
    word = _np(pc.match_substring_regex(after, r'^"?(?:,|\r?\n)')) & ~comma & ~line_end
    word_of_cell = word & (
        (_np(pc.match_substring_regex(after, r'^"?,')) & opened & ~_np(pc.match_substring_regex(after, r'^"?, ')))
        | (_np(pc.match_substring_regex(after, r'^"?\r?\n')) & delimited)
    )
    ok = ~glued_before & ~glued_after & ~word_of_cell
    return ok & ~((comma | line_end) & ~whole)


def score_array(texts: pa.Array, scores: np.ndarray) -> np.ndarray:
    """A label or a cell scores higher than a word that stands by its companions."""
    return np.minimum(1.0, scores + 0.2 * ~needs_context_array(texts))


def _np(flags: pa.Array) -> np.ndarray:
    return pc.fill_null(flags, False).to_numpy(zero_copy_only=False)


class SpecialCategoryRecognizer(HaravaRecognizer):
    """The shared base: one subclass per category sets ``KEYWORDS``; everything else follows from it."""

    KEYWORDS: ClassVar[Keywords]
    # Last, in the engine's second pass (its guards protect phone numbers, e-mail and IP addresses, not
    # these): a keyword may begin an e-mail address ("rikosrekisteri@…"), which must stay the address's. The
    # first pass would cost more: its joined pattern, with the stems in it, leaves RE2's fast path.
    PRIORITY = 96
    STRICT_BOUNDARY = False
    # A keyword that is a cell's whole value ("sairausloma" under "Poissaolon syy") is that field's value.
    CELL_IS_CONTEXT = True
    # A database column named so (``ammattiliitto``, ``uskontokunta``) holds such data.
    FOUND_IN_NAMES = True

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        keywords = cls.KEYWORDS
        cls.ENTITY = keywords.entity
        cls.CATEGORY = keywords.key
        cls.PATTERNS = patterns(keywords)
        cls.CONTEXT = list(keywords.companions)
        #: The provision that makes the category special (also on the taxonomy's category).
        cls.SPECIAL = keywords.special

    def fits_array(self, texts: pa.Array, before: pa.Array, after: pa.Array) -> np.ndarray:
        return fits_array(texts, before, after)

    def spans(self, candidate: str) -> list[tuple[int, int]]:
        return spans(candidate)

    def score_array(self, texts: pa.Array, scores: np.ndarray) -> np.ndarray:
        return score_array(texts, scores)

    def analyze(self, text: str, entities: list[str], nlp_artifacts: object = None, regex_flags: int | None = None):
        """In a plain Presidio analyzer, what Harava's engine does: of each match the span that fits the text
        around it (:func:`spans`, :func:`fits_array`), then the companion rule in its line or the line above."""
        results: list[RecognizerResult] = PatternRecognizer.analyze(self, text, entities, nlp_artifacts, regex_flags)
        near = regex.compile(context_regex(self.context))
        kept = []
        for result in results:
            start = result.start
            for a, b in spans(text[start : result.end]):
                word = text[start + a : start + b]
                if not self.fits(word, text[max(0, start + a - 16) : start + a], text[start + b : start + b + 2]):
                    continue
                result.start, result.end = start + a, start + b
                above = text.rfind("\n", 0, max(text.rfind("\n", 0, result.start), 0)) + 1
                end = text.find("\n", result.end)
                structured = not needs_context_array(pa.array([word], pa.large_string()))[0]
                if structured or near.search(text[above : end if end >= 0 else len(text)]):
                    result.score = float(score_array(pa.array([word], pa.large_string()), np.array([result.score]))[0])
                    kept.append(result)
                break
        return kept


class HealthDataRecognizer(SpecialCategoryRecognizer):
    KEYWORDS = HEALTH
    NAME = "health_data"
    COLUMN_HINTS = (
        r"diagnoosi\w*|diagnos\w*|sairaus\w*|sairausloma\w*|terveydentila|terveystie\w*|mielenterveys\w*"
        r"|raskaus\w*|allergia\w*|lääkitys|laakitys|sjukdom\w*|sjukskriv\w*|hälsotillstånd|diagnosis|sick_?leave"
        r"|medical_?\w*|health_?\w*"
    )


class TradeUnionRecognizer(SpecialCategoryRecognizer):
    KEYWORDS = TRADE_UNION
    NAME = "trade_union"
    COLUMN_HINTS = (
        r"ammattiliit\w*|ay_?jasen\w*|ay_?jäsen\w*|ay_?maksu|ay|liitto|jasenmaksu_?ay|fackforening\w*|fackförening\w*"
        r"|fackavgift|union|union_?dues|trade_?union\w*"
    )


class ReligionRecognizer(SpecialCategoryRecognizer):
    KEYWORDS = RELIGION
    NAME = "religion"
    COLUMN_HINTS = (
        r"uskontokunta|uskonto|kirkkoon_?kuuluminen|kirkollisvero|seurakunta|trossamfund|religion"
        r"|kyrkotillhörighet|church_?member\w*|denomination"
    )


class EthnicOriginRecognizer(SpecialCategoryRecognizer):
    KEYWORDS = ETHNIC
    NAME = "ethnic_origin"
    COLUMN_HINTS = r"etninen_?(?:alkupera|alkuperä|tausta)|etnisyys|etniskt_?ursprung|ethnicity|ethnic_?origin"


class CriminalRecordRecognizer(SpecialCategoryRecognizer):
    KEYWORDS = CRIMINAL
    NAME = "criminal_record"
    COLUMN_HINTS = (
        r"rikosrekisteri\w*|rikostausta|rikostuomio\w*|rikosepaily|rikosepäily|brottsregister\w*"
        r"|criminal_?record\w*|conviction\w*"
    )


class TurvakieltoRecognizer(SpecialCategoryRecognizer):
    KEYWORDS = TURVAKIELTO
    NAME = "turvakielto"
    COLUMN_HINTS = r"turvakielto|turvakielto_?\w*|sparrmarkering|spärrmarkering|non_?disclosure\w*"


#: The recognizers of this module, in registration order.
RECOGNIZERS: tuple[type[SpecialCategoryRecognizer], ...] = (
    HealthDataRecognizer,
    TradeUnionRecognizer,
    ReligionRecognizer,
    EthnicOriginRecognizer,
    CriminalRecordRecognizer,
    TurvakieltoRecognizer,
)
