"""What a privacy statement declares: its data-content section, read category by category.

How a statement is read, and why:

* **Sections.** Headings are recognised by what statements call their sections ("Rekisterin
  tietosisältö", "Henkilötietoryhmät", "Mitä henkilötietoja keräämme", "Registrets datainnehåll",
  "Categories of personal data"…), numbered or not, in text, Markdown, HTML, Word and PDF, and in
  "field<TAB>value" tables. A short line is taken as a heading only when it reads like one, so a
  numbered list inside a section does not end it.
* **Only the data-content section declares.** The controller's own e-mail address or business ID in
  the contact section, "sähköpostitse" in the rights section, the sources section ("tiedot saadaan
  puhelimitse"), and the cookie section (which describes the website's visitors, not the register) are
  *mentions*, not declarations. They are reported separately, with their evidence, so that a reader
  sees them — but they never make data "declared". This is the conservative choice: a finding is
  flagged unless the register's own content section covers it.
* **Negation.** A sentence that denies collecting ("Emme tallenna IP-osoitteita", "Tietoja ei kerätä",
  "vi samlar inte in", "We do not collect") declares nothing; its categories are reported as negated.
* **Umbrella terms** ("yhteystiedot") are reported as umbrellas with what they may cover.
* **Entities come from the detectors.** A category declares the entities of the detectors that name
  it (see :mod:`scanner.registers.taxonomy`), so the result depends on the detectors of the run: pass
  their mapping, or get the built-in detectors' and installed plug-ins'.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import regex

from scanner.registers.documents import Line, read_statement
from scanner.registers.retention import Retention, parse_duration
from scanner.registers.taxonomy import Category, EntityMap, categories_in, resolved

DATA_CONTENT = "data content"
# Section kinds by heading words, checked in this order (the first that fits wins).
SECTION_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "register name",
        ("rekisterin nimi", "registrets namn", "registerets namn", "name of the register", "register name"),
    ),
    (
        DATA_CONTENT,
        (
            "tietosisältö",
            "tietosisalto",
            "henkilötietoryhm",
            "tietoryhmät",
            "mitä henkilötietoja",
            "mitä tietoja",
            "käsiteltävät henkilötiedot",
            "käsittelemämme henkilötiedot",
            "käsiteltävät tiedot",
            "kerättävät tiedot",
            "kerättävät henkilötiedot",
            "tallennettavat tiedot",
            "rekisterin sisältö",
            "henkilötietojen tyypit",
            "datainnehåll",
            "registrets innehåll",
            "kategorier av personuppgifter",
            "vilka personuppgifter",
            "personuppgifter som behandlas",
            "personuppgifter vi samlar",
            "behandlade personuppgifter",
            "categories of personal data",
            "personal data we collect",
            "personal data we process",
            "what personal data",
            "what data",
            "data we collect",
            "information we collect",
            "types of personal data",
            "personal data collected",
            "personal data processed",
        ),
    ),
    ("cookies", ("eväste", "kakor", "cookie")),
    (
        "sources",
        (
            "tietolähte",
            "tietolähde",
            "mistä tiedot",
            "uppgiftskälla",
            "uppgiftskällor",
            "källor",
            "sources of",
            "where we get",
            "source of",
        ),
    ),
    (
        "controller",
        (
            "rekisterinpitäjä",
            "rekisterin pitäjä",
            "yhteyshenkilö",
            "yhteystiedot",
            "tietosuojavastaava",
            "personuppgiftsansvarig",
            "kontaktperson",
            "dataskyddsombud",
            "controller",
            "contact",
        ),
    ),
    ("data subjects", ("rekisteröidyt", "rekisteröityjen ryhmät", "registrerade", "data subjects")),
    ("purpose", ("tarkoitus", "peruste", "ändamål", "rättslig grund", "purpose", "legal basis", "lawful basis")),
    (
        "disclosures",
        (
            "luovutu",
            "siirro",
            "siirto",
            "vastaanottaja",
            "utlämn",
            "överför",
            "mottagare",
            "disclos",
            "transfer",
            "recipient",
        ),
    ),
    ("retention", ("säilytysaika", "säilyttämisaika", "säilytys", "lagringstid", "lagring", "retention", "how long")),
    ("rights", ("oikeu", "tarkastusoikeus", "rättighet", "rights")),
    ("security", ("suojau", "tietoturva", "säkerhet", "skydd", "security", "protection")),
    (
        "other",
        (
            "muutokset",
            "yhteydenotot",
            "päätöksenteko",
            "profilointi",
            "laadittu",
            "laatimispäivä",
            "suostumus",
            "päivitetty",
            "ändringar",
            "changes",
            "consent",
            "automated",
            "voimassa",
        ),
    ),
)

_NUMBERED = re.compile(r"^\s*(?:\d{1,2}(?:\.\d{1,2})*[.)]?|[A-Z][.)])\s+(?P<text>\S.*)$")
_NEGATION = regex.compile(r"(?<![\w-])(?:ei|emme|eivät|en|älä|inte|ej|aldrig|not|never|no)(?![\w-])", regex.I)
_COLLECT = regex.compile(
    r"kerä|tallen|käsitel|käsittel|säilyt|rekisteröi|kysy|pyydä|pyyde|samla|lagra|behandla|spara|registrera|"
    r"inhämta|begär|collect|store|process|record|keep|save|retain|ask|request|gather|hold",
    regex.I,
)
_UNIT_BREAK = re.compile(r"\s*¶\s*|(?<=[.!?;])\s+(?=[A-ZÅÄÖ0-9])|(?<=\w)-\s+(?=[A-ZÅÄÖ])|\s+-\s+(?=\S)|\s•\s")


def section_kind(heading: str) -> str | None:
    lowered = heading.lower()
    for kind, words in SECTION_WORDS:
        if any(w in lowered for w in words):
            return kind
    return None


def _looks_like_heading(line: Line, previous_blank: bool) -> str | None:
    """The heading text if this plain line is a heading, else None."""
    text = line.text.strip()
    if not text or len(text) > 100 or text.startswith(("-", "*", "•", "–")):
        return None
    numbered = _NUMBERED.match(text)
    if numbered:
        body = numbered.group("text").rstrip(":").strip()
        if section_kind(body) or (body.isupper() and len(body) > 3):
            return body
        return None
    body = text.rstrip(":")
    words = body.split()
    if text.endswith((".", ",", ";")) or len(words) > 10 or not words:
        return None
    # "…seuraavia tietoja:" introduces a list inside a section; only a short label line is a heading.
    if text.endswith(":") and not (previous_blank and len(words) <= 4 and section_kind(body)):
        return None
    return body if section_kind(body) or (body.isupper() and len(body) > 3) else None


@dataclass
class Section:
    kind: str
    heading: str
    line: int
    lines: list[Line] = field(default_factory=list)


def sections(lines: list[Line]) -> list[Section]:
    """Split the statement at its headings; text before the first heading is the preamble."""
    result = [Section("preamble", "", 0)]
    previous_blank = True
    for line in lines:
        if line.continuation:
            result[-1].lines.append(line)
        elif line.field is not None:
            result.append(Section(section_kind(line.field) or "other", line.field, line.number, [line]))
        elif line.heading:
            result.append(Section(section_kind(line.text) or "other", line.text, line.number))
        else:
            heading = _looks_like_heading(line, previous_blank)
            if heading is not None:
                result.append(Section(section_kind(heading) or "other", heading, line.number))
            else:
                result[-1].lines.append(line)
        previous_blank = not line.text.strip()
    return result


@dataclass
class Evidence:
    category: Category
    text: str
    line: int
    section: str

    def as_dict(self) -> dict[str, object]:
        item: dict[str, object] = {
            "category": self.category.key,
            "label": self.category.label,
            "entities": list(self.category.entities),
            "evidence": self.text,
            "line": self.line,
        }
        if self.category.umbrella:
            item["umbrella"] = True
            item["may_cover"] = list(self.category.may_cover)
        if self.section != DATA_CONTENT:
            item["section"] = self.section
        return item


@dataclass
class Statement:
    path: str
    register: str
    declared: list[Evidence]
    negated: list[Evidence]
    mentioned: list[Evidence]
    has_content_section: bool
    retention: tuple[Retention, int, str] | None = None  # the period, its line, the sentence

    @property
    def declared_entities(self) -> set[str]:
        return {e for ev in self.declared for e in ev.category.entities}

    def as_dict(self) -> dict[str, object]:
        return {
            "statement": self.path,
            "register": self.register,
            "declared": [e.as_dict() for e in self.declared],
            "negated": [e.as_dict() for e in self.negated],
            "mentioned_elsewhere": [e.as_dict() for e in self.mentioned],
            "content_section_found": self.has_content_section,
            "retention": None
            if self.retention is None
            else {**self.retention[0].as_dict(), "line": self.retention[1], "evidence": self.retention[2]},
        }


def _units(text: str) -> list[str]:
    """Sentences and list items: the evidence a category is quoted with."""
    return [u.strip(" ¶-•–\t") for u in _UNIT_BREAK.split(text) if u and u.strip(" ¶-•–\t")]


def _quote(unit: str, start: int, end: int, width: int = 160) -> str:
    if len(unit) <= width:
        return unit
    left = max(0, min(start - width // 3, len(unit) - width))
    return ("…" if left else "") + unit[left : left + width].strip() + ("…" if left + width < len(unit) else "")


def _mentions(section: Section, categories: tuple[Category, ...]) -> Iterable[tuple[Category, str, int, bool]]:
    """(category, quoted evidence, line, negated) for every category mention in the section."""
    texts = (
        [(section.line, section.heading)]
        if section.kind == DATA_CONTENT and section.lines and section.lines[0].field is None
        else []
    )
    texts += [(line.number, line.text) for line in section.lines]
    for number, text in texts:
        for unit in _units(text):
            negated = bool(_NEGATION.search(unit) and _COLLECT.search(unit))
            for category, start, end in categories_in(unit, categories):
                yield category, _quote(unit, start, end), number, negated


def _register_name(all_sections: list[Section], path: Path) -> str:
    for section in all_sections:
        if section.kind == "register name":
            for line in section.lines:
                if line.text.strip():
                    return line.text.strip().rstrip(".")
    for section in all_sections[:3]:
        candidates = [section.heading] + [line.text for line in section.lines[:12]]
        for text in candidates:
            t = text.strip()
            if (
                3 < len(t) <= 100
                and regex.search(r"(?:rekisteri|register|registret)\b", t, regex.I)
                and not t.endswith(".")
            ):
                return t
    return path.stem


_KEPT = regex.compile(r"säily|sparas|lagras|bevaras|retain|kept|stored for|keep", regex.IGNORECASE)


def _retention(all_sections: list[Section]) -> tuple[Retention, int, str] | None:
    """The first period in the retention section, else in a sentence about keeping data elsewhere."""
    ordered = [s for s in all_sections if s.kind == "retention"] + [s for s in all_sections if s.kind != "retention"]
    for section in ordered:
        for line in section.lines:
            for unit in _units(line.text):
                if section.kind != "retention" and not _KEPT.search(unit):
                    continue
                period = parse_duration(unit)
                if period is not None:
                    return period, line.number, unit[:200]
    return None


def parse_statement(path: Path, display: str | None = None, *, mapping: EntityMap | None = None) -> Statement:
    """Read one statement and return what it declares, negates and merely mentions.

    ``mapping`` (category key → entities, from :func:`detectors.entities_by_category`) says which
    entities each category declares; default: the built-in detectors and installed plug-ins.
    """
    categories = resolved(mapping)
    lines = read_statement(path)
    all_sections = sections(lines)
    declared: dict[str, Evidence] = {}
    negated: dict[str, Evidence] = {}
    mentioned: dict[str, Evidence] = {}
    for section in all_sections:
        for category, quote, number, is_negated in _mentions(section, categories):
            evidence = Evidence(category, quote, number, section.kind if section.kind != "other" else section.heading)
            if section.kind == DATA_CONTENT:
                target = negated if is_negated else declared
                target.setdefault(category.key, evidence)
            elif section.kind not in ("register name",):
                mentioned.setdefault(category.key, evidence)
    for key in declared:
        negated.pop(key, None)  # declared in one sentence, denied in another: declared wins, shown as such
    mentioned = {k: v for k, v in mentioned.items() if k not in declared}
    return Statement(
        path=display or str(path),
        register=_register_name(all_sections, path),
        declared=sorted(declared.values(), key=lambda e: e.line),
        negated=sorted(negated.values(), key=lambda e: e.line),
        mentioned=sorted(mentioned.values(), key=lambda e: e.line),
        has_content_section=any(s.kind == DATA_CONTENT for s in all_sections),
        retention=_retention(all_sections),
    )
