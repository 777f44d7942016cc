"""Special categories of personal data: whether a statement that declares one also names a basis for it.

Health data, trade-union membership, religious beliefs, ethnic origin (GDPR art. 9) and criminal
convictions (art. 10) may be processed only under one of the law's listed exceptions: explicit consent,
obligations of employment or social-security law, occupational health care, a vital interest, and so on
(art. 9(2); in Finland also Tietosuojalaki 6 § and 7 §). A statement declaring such data is expected to
name the exception it relies on. Whether the named exception really applies is a lawyer's question, so
Harava only looks for the words and reports what it finds — a *note* with the statement's line, or the
lack of one — never a verdict.

>>> from scanner.registers.documents import Line
>>> found = legal_bases([Line(7, "Terveystietoja käsitellään työterveyshuoltolain nojalla.")])
>>> found["GDPR art. 9"][0]
7
>>> legal_bases([Line(1, "Tietoja käytetään asiakassuhteen hoitoon.")])
{}
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import regex

if TYPE_CHECKING:
    from scanner.registers.documents import Line
    from scanner.registers.statement import Evidence

_ARTICLE_9 = (
    # the article itself, Finnish, Swedish and English word orders
    r"(?<!\d)(?:9|yhdeksän)\s*(?:\.\s*)?(?:art(?:ikla\w*|\.)?)",
    r"art(?:ikla\w*|ikel\w*|icle|\.)?\s*9\b",
    r"tietosuojalai?n\s+6\s*§",
    r"dataskyddslagen\s+6\s*§",
    # the exceptions of art. 9(2), as statements name them
    r"nimenomai\w*\s+suostumu\w*",
    r"uttryckligt?\s+samtycke\w*",
    r"explicit\s+consent",
    r"työterveyshuol\w*",
    r"företagshälsovård\w*",
    r"occupational\s+health",
    r"työturvallisuuslai?\w*",
    r"työsopimuslai?\w*",
    r"yksityisyyden suojasta työelämässä",
    r"integritetsskydd i arbetslivet",
    r"sairausvakuutuslai?\w*",
    r"potilaan asemasta ja oikeuksista",
    r"potilaslai?\w*",
    r"terveydenhuoltolai?\w*",
    r"sosiaalihuoltolai?\w*",
    r"hälso- och sjukvårdslag\w*",
    r"employment (?:and social security )?law",
    r"social (?:security|protection) law",
    r"elintärke\w+\s+etu\w*",
    r"vitala intressen",
    r"vital interests?",
    r"oikeusvaatee\w*",
    r"rättsliga anspråk",
    r"legal claims?",
)
_ARTICLE_10 = (
    r"(?<!\d)(?:10|kymmenen)\s*(?:\.\s*)?(?:art(?:ikla\w*|\.)?)",
    r"art(?:ikla\w*|ikel\w*|icle|\.)?\s*10\b",
    r"tietosuojalai?n\s+7\s*§",
    r"dataskyddslagen\s+7\s*§",
    r"rikosrekisterilai?\w*",
    r"rikostaustan selvittämi\w*",
    r"straffregisterlag\w*",
    r"criminal records? act",
)

#: Provision → the words that name a basis for it. A category whose ``special`` provision is not here
#: (a non-disclosure order) needs no basis named.
BASES: dict[str, regex.Pattern[str]] = {
    provision: regex.compile("|".join(f"(?:{t})" for t in terms), regex.IGNORECASE)
    for provision, terms in (("GDPR art. 9", _ARTICLE_9), ("GDPR art. 10", _ARTICLE_10))
}


def legal_bases(lines: Iterable[Line]) -> dict[str, tuple[int, str]]:
    """Provision → (line, text) of the first line that names a basis for it."""
    found: dict[str, tuple[int, str]] = {}
    for line in lines:
        for provision, pattern in BASES.items():
            if provision not in found and pattern.search(line.text):
                found[provision] = (line.number, line.text.strip()[:200])
    return found


def special_notes(declared: Sequence[Evidence], bases: dict[str, tuple[int, str]]) -> list[dict[str, Any]]:
    """Each declared special category, and the line naming its basis or None: the statement must then
    say why it may hold the data (see the module's docstring)."""
    notes = []
    for evidence in declared:
        provision = evidence.category.special
        if not provision:
            continue
        basis = bases.get(provision)
        item: dict[str, Any] = {
            "category": evidence.category.key,
            "label": evidence.category.label,
            "special": provision,
            "statement_line": evidence.line,
            "basis": None if basis is None else {"line": basis[0], "text": basis[1]},
        }
        if provision in BASES and basis is None:
            item["note"] = (
                f"the statement declares {evidence.category.label} (line {evidence.line}), a special category "
                f"({provision}), but names no basis the law allows for it (an exception of "
                f"{'art. 9(2)' if provision.endswith('9') else 'art. 10'}: e.g. explicit consent, employment law, "
                "occupational health care): check the legal basis"
            )
        notes.append(item)
    return notes
