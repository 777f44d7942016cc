"""Personal names (entity ``PERSON``, as Presidio names it): a first name and a surname, together.

A name is found by the lists of the most common given names and surnames in Finland (DVV's name
statistics, as Faker's ``fi_FI`` lists carry them; Swedish ones beside them: :mod:`detectors.data.names`),
never by capital letters alone. Written::

    Aino Virtanen   Anna-Liisa Korhonen   Aino Maria Virtanen   Virtanen Aino   Virtanen, Aino
    Aino Virtasen (inflected: the surname only, as Finnish does)

- **Both parts must be capitalised and known**: a given name from the lists and a surname from the lists,
  in either order ("Virtanen Aino" is how registers sort people; "Virtanen, Aino" too). A surname not in the
  lists counts after a known given name when it has a surname's shape: ``-nen`` ("Pekkarinen"), or a Swedish
  surname's ending (``-sson``, ``-qvist``, ``-ström``…). Hyphenated given names and double surnames count
  when each part does ("Marja-Leena", "Virtanen-Korhonen"). Placeholder names ("Matti Meikäläinen") do not.
- **Inflected surnames** ("Aino Virtaselle", "Matti Korhosen"): libvoikko is not used (it is rarely
  installed and this module must not depend on it); instead a small, documented set of case endings is
  taken off the surname — the *-nen* surnames' *-se-* stem (*Virtase|lle*, *Virtas|ta*) and the endings
  ``-n -lle -lta -llä -ssa -sta -ksi -na`` (and their back-vowel forms) after a vowel or an ``-i-``.
  No consonant gradation (*Aalto → Aallon* is not undone): a miss, never a wrong name.
- **Common words**: many names are words too (*Onni, Toivo, Usko, Lahja, Tuuli, Aalto, Kallio, Koski,
  Lahti, Salo, Virta…*; Swedish and English *Bo, Per, May, Frank, Storm, Green…*). A pair of two such
  words ("Toivo Aalto" — hope and wave) counts only with a word that says a name is at hand (*nimi,
  asiakas, henkilö, terveisin, name, namn*…) in its line, the line above, its label (a CSV header
  ``etunimi;sukunimi``) or a column named so; so does a common-word given name before a surname known only
  by its shape or its ending ("Anna Virtaselle": *give to Virtanen*). One common word beside a name that
  is nothing else ("Onni Virtanen") is a name.
- **Not a name**: a company ("Virtanen Aino Oy", "Tmi Aino Virtanen", "Korhonen Ab", "… ry"), a street
  ("Aleksis Kiven katu"), a compound ("Aalto-yliopisto"), a run of capitalised words none of which pair
  up ("Helsingin Sanomat", "Suomen Pankki").
- **A name alone**: one capitalised name from the lists, alone in a line or a cell ("Virtanen" in a column
  named ``sukunimi``, or under "Nimi:"), counts only with a name word in its line, the line above, its
  label or its column's name (a database column named ``etunimi`` passes it as a hint).

Where: prose, mail, vCards, a column of full names ("Virtanen Aino" in a CSV column ``nimi``), spreadsheet and
database cells. Two cells of a CSV row ("Aino;Virtanen") are not read as one name: a run across delimiters
would take a header's cells from the detectors that read them ("Nimi;Diagnoosi"), so a CSV file whose given
names and surnames stand in columns of their own is a known gap (a spreadsheet's or a table's cells, read one
by one, are not).

The regular expression finds runs of capitalised words; the lists decide which part of a run is a name
(``Soita Matti Virtaselle`` → ``Matti Virtaselle``), vectorised with Arrow for the runs of two words, in
Python for the longer runs. The canonical value is the given names then the surname's base form, one space
apart: "Virtanen, Aino" and "Aino Virtaselle" are both ``Aino Virtanen``. The mask keeps the initials.

>>> validate('Aino Virtanen'), validate('Virtanen, Aino'), validate('Aino Virtaselle')
('Aino Virtanen', 'Aino Virtanen', 'Aino Virtanen')
>>> validate('Anna-Liisa Korhonen'), validate('Aino Maria Pekkarinen')
('Anna-Liisa Korhonen', 'Aino Maria Pekkarinen')
>>> validate('Helsingin Sanomat')
Traceback (most recent call last):
    ...
detectors.base.InvalidValue: no given name and surname of the lists: Helsingin Sanomat
>>> validate('Virtanen Aino Oy')
Traceback (most recent call last):
    ...
detectors.base.InvalidValue: a company's name: Oy follows the name
>>> mask('Aino Virtanen'), mask('Virtanen, Anna-Liisa')
('A*** V*******', 'V*******, A***-L****')
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from detectors.base import INVALID, UNDECIDED, VALID, HaravaRecognizer, InvalidValue

#: Capital and small letters of the Latin alphabets names are written in (ASCII, Latin-1, Š and Ž): explicit
#: ranges, so that the engine's joined pattern stays on RE2's DFA.
UPPER = "A-Z\u00c0-\u00d6\u00d8-\u00de\u0160\u017d"
LOWER = "a-z\u00df-\u00f6\u00f8-\u00ff\u0161\u017e"
_CAP = f"[{UPPER}][{LOWER}]+"
#: One name word: capitalised, maybe hyphenated ("Anna-Liisa", "Virtanen-Korhonen").
TOKEN = f"{_CAP}(?:-{_CAP})?"
#: Company forms written after a name, and street words written apart from it ("Aleksis Kiven katu"):
#: taken into the candidate so that it is judged with them. Capitalised forms (Oy, Ab, Ky, Tmi…) are
#: name words to the pattern already.
_TAILS = "ry|rf|OY|OYJ|AB|ABP|KY|RY|AG|GmbH|LLC|katu|tie|kuja|polku|puistotie|väylä|aukio|linja|gata|gatan|väg|vägen"
#: A run of capitalised words one space apart; else a surname, a comma and given names ("Virtanen, Aino
#: Maria"). The comma form is the second alternative, so that a run stops at a comma ("Aino Virtanen,
#: Diagnoosi: …" leaves the label whole for the detector that reads it).
RUN = f"{TOKEN}(?: {TOKEN})+(?: (?:{_TAILS}))?|{TOKEN}, {TOKEN}(?: {TOKEN})?(?: (?:{_TAILS}))?"

#: Written before or after a name, they make it a company's.
COMPANY_FORMS = frozenset(
    [
        "Oy",
        "Oyj",
        "Ab",
        "Abp",
        "Ky",
        "Ay",
        "Tmi",
        "Toiminimi",
        "Ltd",
        "Inc",
        "Ry",
        "Rf",
        "Gmbh",
        "Llc",
        "Plc",
        "Co",
        "Corp",
        "Oü",
        "As",
        "Asa",
        "Aps",
        "Sa",
        "Ag",
        "Bv",
        "Nv",
        "OY",
        "OYJ",
        "AB",
        "ABP",
        "KY",
        "AY",
        "TMI",
        "LTD",
        "INC",
        "RY",
        "ry",
        "rf",
        "GmbH",
        "LLC",
        "PLC",
        "CO",
        "CORP",
        "AS",
        "ASA",
        "APS",
        "SA",
        "AG",
        "BV",
        "NV",
    ]
)
_STREET_WORDS = frozenset(
    ["katu", "tie", "kuja", "polku", "puistotie", "väylä", "aukio", "linja", "gata", "gatan", "väg", "vägen"]
)

#: Names that are ordinary words too — Finnish nouns and adjectives, place names, Swedish and English words —
#: and so, capitalised at the start of a sentence or in a title, no sign of a person. Two of them together
#: count only with a name word near (see the module's docstring).
COMMON_WORDS = frozenset(
    [
        "Aamu",
        "Aatos",
        "Anna",
        "Armas",
        "Arvo",
        "Aura",
        "Ilo",
        "Into",
        "Helmi",
        "Iiris",
        "Kaino",
        "Lahja",
        "Lempi",
        "Lilja",
        "Lumi",
        "Oiva",
        "Onni",
        "Orvokki",
        "Rauha",
        "Sade",
        "Satu",
        "Sini",
        "Sulo",
        "Taimi",
        "Taisto",
        "Toivo",
        "Tuuli",
        "Tyyne",
        "Urho",
        "Usko",
        "Valo",
        "Veli",
        "Vilja",
        "Voitto",
        "Vuokko",
        "Kai",
        "Kari",
        "Elo",
        "Aalto",
        "Aho",
        "Aro",
        "Halme",
        "Harju",
        "Heino",
        "Järvi",
        "Kallio",
        "Kangas",
        "Kanerva",
        "Karhu",
        "Kiuru",
        "Kokko",
        "Korpi",
        "Koski",
        "Kurki",
        "Kärki",
        "Laakso",
        "Lahti",
        "Laine",
        "Lammi",
        "Lehto",
        "Linna",
        "Luoma",
        "Mäki",
        "Niemi",
        "Nurmi",
        "Ranta",
        "Repo",
        "Rinne",
        "Räty",
        "Saari",
        "Salmi",
        "Salo",
        "Seppä",
        "Soini",
        "Taipale",
        "Tervo",
        "Tikka",
        "Tuomi",
        "Valkama",
        "Varis",
        "Virta",
        "Vuori",
        "Moisio",
        "Kuisma",
        "Sund",
        "Bo",
        "Per",
        "My",
        "Lo",
        "Li",
        "May",
        "Maj",
        "Love",
        "Vide",
        "Mark",
        "Bill",
        "Ben",
        "Jack",
        "Rose",
        "Rosa",
        "Saga",
        "Moa",
        "Iris",
        "Luna",
        "Nova",
        "Stella",
        "Viking",
        "Urban",
        "Frank",
        "Green",
        "Smith",
        "Stark",
        "Storm",
        "Strand",
        "Hall",
        "Wall",
        "Berg",
        "Lund",
        "Holm",
        "Ek",
        "Falk",
        "Frid",
        "Frisk",
        "Hammar",
        "Nord",
        "Palm",
        "Rask",
        "Roos",
        "Skog",
        "Thor",
        "Juni",
        "Del",
        "Thi",
        "Said",
        "Dan",
        "Tim",
        "Tom",
        "Sam",
        "Max",
        "Ian",
        "Jon",
        "Kim",
        "Jean",
        "Gun",
        "Siv",
        "Liv",
        "Linn",
        "Ted",
        "Roy",
        "Mona",
        "Ola",
        "Ove",
        "Alma",
        "Ada",
        "Ina",
        "Isa",
        "Lea",
        "Leo",
        "Mia",
        "Mira",
        "Nea",
        "Noa",
        "Nora",
        "Tor",
        "Tore",
        "Ture",
        "Uno",
        "Vega",
        "Vera",
        "Viola",
        "Ruth",
        "Rut",
        "Hanna",
        "Alf",
        "Dick",
        "Bert",
        "Ali",
        "Omar",
        "Issa",
        "Kumar",
        "Singh",
        "Chen",
        "Wang",
        "Zhang",
        "Liu",
        "Tran",
        "Nguyen",
        "Lind",
        "Linde",
        "Brink",
        "Blom",
        "Björk",
        "Asp",
        "Alm",
        "Malm",
        "Grahn",
        "Strid",
        "Svärd",
        "Sköld",
        "Modig",
        "Ljung",
        "Löf",
        "Lönn",
        "Rehn",
        "Pihl",
        "Hult",
        "Hjelm",
        "Hjort",
        "Kling",
        "Krantz",
        "Steen",
        "Flink",
        "Ferm",
        "Borg",
        "Fors",
        "Gren",
        "Kvist",
        "Wester",
        "Werner",
        "Norman",
        "Levin",
        "Melin",
        "Selin",
        "Roth",
        "Schmidt",
        "Brandt",
        "Stenberg",
        "Rosenberg",
        "Engla",
    ]
)

#: Names used as placeholders in forms and examples: no one's name.
PLACEHOLDERS = frozenset(["Meikäläinen", "Möttönen", "Testaaja", "Esimerkki", "Mallikas", "Svensson_Placeholder"])

#: Endings of surnames that are surnames' alone (Finnish -nen, Swedish compound surnames).
SURNAME_SHAPE = r"^[A-ZÅÄÖ][a-zåäö]{2,}(?:nen|sson|ssen|qvist|kvist|ström|gren|blad|stedt|dahl)$"

#: Case endings taken off a surname (see the module's docstring).
_ENDINGS = "n|lle|lta|ltä|lla|llä|ssa|ssä|sta|stä|ksi|na|nä"
_NEN_STEM = (f"^(.+)se(?:{_ENDINGS}|en)$", r"\1nen")  # Virtase|lle, Virtase|en
_NEN_PARTITIVE = ("^(.+[aeiouyäö])st[aä]$", r"\1nen")  # Virtas|ta
_VOWEL_STEM = (f"^(.+[aeiouyäö])(?:{_ENDINGS})$", r"\1")  # Aho|lle, Ranta|n
_I_STEM = (f"^(.+[^aeiouyäö])i(?:{_ENDINGS})$", r"\1")  # Holm|i|n, Andersson|i|lle


class Lists(NamedTuple):
    """The word lists, as Arrow arrays (for ``is_in``) and as sets (for the runs read in Python)."""

    first: pa.Array
    last: pa.Array
    common: pa.Array
    placeholders: pa.Array
    first_set: frozenset[str]
    last_set: frozenset[str]


@functools.cache
def lists() -> Lists:
    """The lists, read once, on first use."""
    from detectors.data import names

    first = frozenset((names.FI_FIRST + names.SV_FIRST).split())
    last = frozenset((names.FI_LAST + names.SV_LAST).split())

    def array(words: frozenset[str]) -> pa.Array:
        return pa.array(sorted(words), pa.large_string())

    return Lists(array(first), array(last), array(COMMON_WORDS), array(PLACEHOLDERS), first, last)


# --- per value -----------------------------------------------------------------------------------------

_WORD = re.compile(rf"{TOKEN}|(?:{_TAILS})(?![{LOWER}])")
_SHAPE = re.compile(SURNAME_SHAPE)


def _in(word: str, words: frozenset[str]) -> bool:
    """A word of the list, or a hyphenated word whose every part is."""
    return word in words or ("-" in word and all(part in words for part in word.split("-")))


def base_form(word: str) -> str | None:
    """The surname a word is an inflected form of (by the endings above), or None.

    >>> base_form('Virtaselle'), base_form('Virtasta'), base_form('Ahon'), base_form('Anderssonille')
    ('Virtanen', 'Virtanen', 'Aho', 'Andersson')
    """
    last = lists().last_set
    if _in(word, last):
        return word
    for pattern, replacement in (_NEN_STEM, _NEN_PARTITIVE, _VOWEL_STEM, _I_STEM):
        stem = re.sub(pattern, replacement, word)
        if stem != word and _in(stem, last):
            return stem
    return None


class _Word(NamedTuple):
    start: int
    end: int
    text: str
    sep: str  # what stands between this word and the one before ("" for the first)


def _words(text: str) -> list[_Word]:
    out: list[_Word] = []
    end = 0
    for match in _WORD.finditer(text):
        out.append(_Word(match.start(), match.end(), match.group(), text[end : match.start()] if out else ""))
        end = match.end()
    return out


def _is_first(word: str) -> bool:
    return _in(word, lists().first_set)


def _surname(word: str, inflected: bool) -> str | None:
    """The base form of a surname (itself, or uninflected where allowed, or by its shape), or None."""
    if word in PLACEHOLDERS:
        return None
    if _in(word, lists().last_set):
        return word
    if _SHAPE.match(word):
        return word
    return base_form(word) if inflected else None


def _joined(sep: str) -> bool:
    """Whether two words with this between them can belong to one name."""
    return sep in (" ", ", ")


def _match_at(words: list[_Word], i: int) -> tuple[int, int, str] | None:
    """A name starting at word ``i``: (first word, last word, canonical form), given names first."""
    n = len(words)
    j = i
    while j < n and _is_first(words[j].text) and (j == i or words[j].sep == " "):
        j += 1
    if j > i and j < n and words[j].sep == " ":
        base = _surname(words[j].text, inflected=True)
        if base:
            return i, j, " ".join([*(w.text for w in words[i:j]), base])
    if j - i >= 2 and words[j - 1].text in lists().last_set:  # "Matti Kari": the last given name is a surname too
        return i, j - 1, " ".join(w.text for w in words[i:j])
    if j == i and i + 1 < n and _joined(words[i + 1].sep) and _is_first(words[i + 1].text):
        base = _surname(words[i].text, inflected=False)
        if base:  # "Virtanen Aino", "Virtanen, Aino Maria"
            k = i + 1
            while k + 1 < n and words[k + 1].sep == " " and _is_first(words[k + 1].text):
                k += 1
            return i, k, " ".join([*(w.text for w in words[i + 1 : k + 1]), base])
    return None


def _names(text: str) -> Iterator[tuple[int, int, str, str | None]]:
    """Every name in a run of words: (start, end, canonical form, why it is not one — None if it is)."""
    words = _words(text)
    i = 0
    while i < len(words):
        found = _match_at(words, i)
        if found is None:
            i += 1
            continue
        a, b, canonical = found
        why = None
        after = words[b + 1] if b + 1 < len(words) and words[b + 1].sep == " " else None
        if after is not None and after.text in COMPANY_FORMS:
            why = f"a company's name: {after.text} follows the name"
        elif a > 0 and words[a - 1].text in COMPANY_FORMS and words[a - 1].sep in (" ", ""):
            why = f"a company's name: {words[a - 1].text} is before the name"
        elif after is not None and after.text in _STREET_WORDS:
            why = f"a street's name: {after.text} follows the name"
        elif words[a].text in PLACEHOLDERS or words[b].text in PLACEHOLDERS:
            why = "a placeholder name"
        yield words[a].start, words[b].end, canonical, why
        i = b + 1


def spans(candidate: str) -> Iterator[tuple[int, int]]:
    """The names in a run of capitalised words (``Soita Matti Virtaselle`` → ``Matti Virtaselle``)."""
    if re.fullmatch(TOKEN, candidate):
        if _in(candidate, lists().first_set) or _in(candidate, lists().last_set):
            yield 0, len(candidate)
        return
    for start, end, _, why in _names(candidate):
        if why is None:
            yield start, end


def validate(value: str) -> str:
    """Return the canonical name, or raise :class:`InvalidValue` saying why the text is none."""
    value = value.strip()
    if re.fullmatch(TOKEN, value):
        if _in(value, lists().first_set) or _in(value, lists().last_set):
            return value
        raise InvalidValue(f"{value} is no given name or surname of the lists")
    found = list(_names(value))
    if not found:
        raise InvalidValue(f"no given name and surname of the lists: {value}")
    start, end, canonical, why = found[0]
    if why:
        raise InvalidValue(why)
    if (start, end) != (0, len(value)):
        raise InvalidValue(f"more than a name: {value[start:end]!r} is one")
    return canonical


def compact(value: str) -> str:
    """Given names, then the surname's base form, one space apart (see the module's docstring)."""
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


# --- arrays -----------------------------------------------------------------------------------------------


def _member(words: pa.Array, listed: pa.Array) -> np.ndarray:
    """:func:`_in` for an array of words (null: False); the hyphenated ones part by part."""
    whole = pc.fill_null(pc.is_in(words, value_set=listed), False).to_numpy(zero_copy_only=False)
    hyphen = np.flatnonzero(~whole & _np(pc.match_substring(words, "-")))
    if len(hyphen):
        parts = pc.split_pattern(words.take(pa.array(hyphen)), "-")
        two = pc.list_value_length(parts).to_numpy(zero_copy_only=False) == 2
        both = pc.and_(
            pc.is_in(pc.list_element(parts, 0), value_set=listed),
            pc.is_in(_second(parts), value_set=listed),
        )
        whole[hyphen] = two & _np(both)
    return whole


def _second(parts: pa.Array) -> pa.Array:
    """The second element of each list, null where there is none."""
    return pc.list_element(pc.list_slice(parts, 0, 2, return_fixed_size_list=False), 1) if len(parts) else parts


def _uninflected_member(words: pa.Array, listed: pa.Array) -> np.ndarray:
    """Whether each word, less one of the case endings, is a surname of the lists."""
    found = np.zeros(len(words), bool)
    for pattern, replacement in (_NEN_STEM, _NEN_PARTITIVE, _VOWEL_STEM, _I_STEM):
        stem = pc.replace_substring_regex(words, pattern, replacement)
        found |= pc.fill_null(pc.is_in(stem, value_set=listed), False).to_numpy(zero_copy_only=False) & ~_np(
            pc.equal(stem, words)
        )
    return found


def _np(flags: pa.Array) -> np.ndarray:
    return pc.fill_null(flags, False).to_numpy(zero_copy_only=False)


class _Pairs(NamedTuple):
    """Candidates of exactly two words, word by word."""

    rows: np.ndarray
    a: pa.Array
    b: pa.Array
    comma: np.ndarray  # "Virtanen, Aino"


def _pairs(texts: pa.Array) -> _Pairs:
    """Split at spaces (a kernel far cheaper than a regex with groups): two words are a pair, the first
    maybe ending in the comma of "Virtanen, Aino"."""
    words = pc.split_pattern(texts, " ")
    rows = np.flatnonzero(pc.fill_null(pc.list_value_length(words), 0).to_numpy(zero_copy_only=False) == 2)
    if len(rows) < len(texts):
        words = words.take(pa.array(rows))
    first, second = pc.list_element(words, 0), pc.list_element(words, 1)
    comma = _np(pc.ends_with(first, ","))
    if comma.any():
        first = pc.utf8_rtrim(first, characters=",")
    return _Pairs(rows, first, second, comma)


def valid_array(texts: pa.Array) -> np.ndarray:
    """VALID for a first name and a surname of the lists (either order), INVALID for two words neither of which
    is any name; UNDECIDED for the rest (runs of three words and more, inflected and shaped surnames, single
    words), which :func:`spans` reads."""
    texts = texts.cast(pa.large_string())
    verdict = np.full(len(texts), UNDECIDED, np.int8)
    words = lists()
    pair = _pairs(texts)
    if not len(pair.rows):
        return verdict
    a_first, a_last = _member(pair.a, words.first), _member(pair.a, words.last)
    b_first, b_last = _member(pair.b, words.first), _member(pair.b, words.last)
    comma = pair.comma
    placeholder = _np(pc.is_in(pair.a, value_set=words.placeholders)) | _np(
        pc.is_in(pair.b, value_set=words.placeholders)
    )
    forward = a_first & b_last & ~comma
    backward = a_last & b_first
    valid = (forward | backward) & ~placeholder
    # Nothing a name could come of: neither word a name, nor the second a surname by its ending or its shape.
    hopeless = ~(a_first | a_last | b_first | b_last) & ~valid
    open_ = np.flatnonzero(hopeless)
    if len(open_):
        second = pair.b.take(pa.array(open_))
        open_ = open_[~_np(pc.match_substring_regex(second, SURNAME_SHAPE))]
    if len(open_):
        open_ = open_[~_uninflected_member(pair.b.take(pa.array(open_)), words.last)]
    verdict[pair.rows[valid]] = VALID
    verdict[pair.rows[open_]] = INVALID
    return verdict


def compact_array(texts: pa.Array) -> pa.Array:
    return pa.array([_compact_cached(t) for t in texts.to_pylist()], pa.large_string())


@functools.lru_cache(maxsize=65536)
def _compact_cached(value: str) -> str:
    return compact(value)


def mask_array(texts: pa.Array) -> pa.Array:
    """Keep each word's initial, hide its other letters: ``A*** V*******``."""
    return pc.replace_substring_regex(texts.cast(pa.large_string()), f"[{LOWER}]", "*")


def mask(value: str) -> str:
    return mask_array(pa.array([value], pa.large_string()))[0].as_py()


def needs_context_array(texts: pa.Array) -> np.ndarray:
    """A name alone, two common words ("Toivo Aalto"), and a common-word given name before a surname known only
    by its ending or shape ("Anna Virtaselle"), count only beside a name word."""
    texts = texts.cast(pa.large_string())
    words = lists()
    needs = _np(pc.match_substring_regex(texts, f"^{TOKEN}$"))
    pair = _pairs(texts)
    if len(pair.rows):
        a_common = _np(pc.is_in(pair.a, value_set=words.common))
        b_common = _np(pc.is_in(pair.b, value_set=words.common))
        some = np.flatnonzero(a_common | b_common)  # few: the lists are looked up for these alone
        if len(some):
            a, b = pair.a.take(pa.array(some)), pair.b.take(pa.array(some))
            a_listed = _member(a, words.last) | _member(a, words.first)
            b_listed = _member(b, words.last) | _member(b, words.first)
            ac, bc = a_common[some], b_common[some]
            needs[pair.rows[some]] |= (ac & (bc | ~b_listed)) | (bc & ~a_listed)
    longer = np.flatnonzero(~needs)
    longer = longer[~np.isin(longer, pair.rows)]
    for k in longer.tolist():  # three words and more: rare
        found = [w.text for w in _words(texts[k].as_py())]
        needs[k] = all(w in COMMON_WORDS for w in found)
    return needs


class PersonRecognizer(HaravaRecognizer):
    ENTITY = "PERSON"
    NAME = "person"
    CATEGORY = "nimi"
    COLUMN_HINTS = (
        r"nimi|etunimi|etunimet|sukunimi|koko_?nimi|kutsumanimi|name|full_?name|first_?name|last_?name|surname"
        r"|given_?names?|family_?name|namn|fornamn|förnamn|efternamn|tilltalsnamn|contact_?name|person"
    )
    # In the engine's first pass (a pass of its own would read every line once more: a sixth of the scan's
    # time on sparse text), before the guards: a run of capitalised words, one space apart, holds nothing an
    # identifier's pattern starts with. A street address takes the capitalised words before it
    # (``detectors.address.PATTERN``), and comes earlier at one position.
    PRIORITY = 29
    PATTERNS = [
        ("person", RUN, 0.6),
        # A single name alone in its line or cell, counted only with a name word (needs_context_array).
        ("person_alone", f"^{TOKEN}$", 0.5),
    ]
    # Part of an address or a path ("aino@", "/Aino Virtanen"), of a compound ("Aalto-yliopisto"), of a sole
    # trader's name ("Tmi Aino Virtanen").
    REJECT_BEFORE = r"(?:[@/\\_.]|(?i:\btmi|toiminimi) )$"
    REJECT_AFTER = r"^-|^@"
    CONTEXT = [
        "nimi",
        "nimet",
        "etunim",
        "sukunim",
        "henkilö",
        "asiakas",
        "jäsen",
        "työntekijä",
        "potilas",
        "terveisin",
        "ystävällisin",
        "yhteyshenkilö",
        "vastaanottaja",
        "lähettäjä",
        "allekirjoit",
        "name",
        "customer",
        "contact",
        "member",
        "employee",
        "regards",
        "namn",
        "kund",
        "medlem",
        "hälsningar",
    ]

    def spans(self, candidate: str) -> Iterator[tuple[int, int]]:
        return spans(candidate)
