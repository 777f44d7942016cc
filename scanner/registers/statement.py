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
from scanner.registers.special import legal_bases, special_notes
from scanner.registers.taxonomy import Category, EntityMap, categories_in, resolved

DATA_CONTENT = "data content"
#: Sections besides the data-content one where a denial ("Emme käsittele henkilötunnuksia") is taken at its
#: word. Elsewhere a negation is about something else: the website's visitors (cookies), where data comes
#: from (sources), whom it goes to (disclosures), how long or how safely it is kept (retention, security).
DENIABLE_ELSEWHERE = frozenset({"preamble", "purpose", "data subjects", "other"})
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
# --- denials -----------------------------------------------------------------------------------
# A denial is a negation that governs a verb of *holding* data (collect, store, process, ask for…):
# "Emme tallenna IP-osoitteita", "Rekisteriin ei tallenneta IP-osoitteita", "Vi behandlar inte
# personbeteckningar", "We do not store IP addresses". It is a claim a scan can contradict, so it must
# be precise: a negated verb of *passing data on* ("emme luovuta henkilötunnuksia kolmansille",
# "we do not sell your e-mail address") says nothing about holding, and a qualified negation ("ilman
# suostumusta", "pidempään kuin 30 päivää", "by e-mail", "utan ditt samtycke") restricts how data is
# held, so neither is a denial.
_NEGATIONS = frozenset(
    [
        "ei",
        "eikä",
        "emme",
        "emmekä",
        "eivät",
        "eivätkä",
        "älä",
        "inte",
        "ej",
        "icke",
        "aldrig",
        "ingen",
        "inga",
        "inget",
        "not",
        "never",
        "no",
        "none",
        "nor",
        "neither",
        "cannot",
        "can't",
        "don't",
        "doesn't",
        "won't",
    ]
)
_TOKEN = regex.compile(r"[\w']+(?:-[\w']+)*")


def _words(prefixes: str, exact: str) -> regex.Pattern[str]:
    """Words starting with one of ``prefixes`` or equal to one of ``exact`` (space-separated)."""
    starts = "|".join(prefixes.split())
    return regex.compile(rf"(?:(?:{starts})\w*|{'|'.join(exact.split())})")


#: Verbs of holding data: Finnish, Swedish and English stems, and short forms whole.
_HOLD = _words(
    "kerä tallen tallet käsittel käsitel säilyt rekisteröi kysy kysel pyydä pyyde pyytä hanki hankk sisäll sisält "
    "kirjaa kirjat samla insaml lagr behandl spara sparar sparas sparad registrer inhämt begär efterfråg innehåll "
    "bevar förvar inkluder omfatt collect stor process record retain request gather contain obtain acquir captur "
    "includ",
    "keep keeps kept save saves saved saving ask asks asked asking hold holds held holding log logs logged logging",
)
#: Verbs of passing data on or using it: negated, they deny nothing about holding it.
_OTHER = _words(
    "luovut luovute siirr siirt myy myi jaet jaa jakaa julkai käytä käyte käyttä lähet yhdist profiloi näytä näyte "
    "vuokra välit paljast lämna överför överlåt sälj publicer använd skick exporter sprid kombiner disclos "
    "transfer sell shar publish transmit export combin profil display provid forward reveal releas expos distribut "
    "moneti",
    "anna annamme anneta annetaan antaa vie viedä viedään viemme dela delar delas delade visa visar visas hyr "
    "hyrs sold use uses used using send sends sent give gives given rent rents rented lend lends pass passes passed "
    "trade trades traded lease leases leased",
)
_COPULA = frozenset(
    ["ole", "olla", "ollut", "olleet", "is", "are", "was", "were", "be", "been", "är", "var", "vara", "varit"]
)
#: "Not only" is no denial.
_NOT_ONLY = frozenset(["only", "vain", "ainoastaan", "pelkästään", "bara", "endast", "just"])
_UTAN_QUALIFIED = r"utan\s+(?:att|ditt|din|dina|ert|er|era|samtycke|medgivande|tillstånd|föregående|uttryckligt)"
#: Words that make a negation a restriction (how, how long, from where, on what condition), not a denial.
_QUALIFIED = regex.compile(
    r"(?<![\w-])(?:ilman|ellei|elleivät|paitsi|lukuun ottamatta|kuin|pidempää\w*|kauemmin|kauempaa|salaamatto\w*|"
    r"selväkieli\w*|selkokieli\w*|\w*(?:puhelimi|posti|kirjei|viesti)tse|muista lähteistä|muualta|kolmansilta|"
    r"ulkopuol\w*|tarpeettomasti|automaattisesti|without|unless|except\w*|than|beyond|apart from|outside|"
    r"unencrypted|plain ?text|in (?:the )?clear|by (?:e-?mail|phone|telephone|post|sms|text message)|"
    r"over the phone|via|from (?:other|third)\w*|longer|unnecessarily|automatically|"
    + _UTAN_QUALIFIED
    + r"|förutom|utöver|än|om inte|såvida|okrypter\w*|klartext|per (?:e-post|telefon|sms|post)|"
    r"från (?:andra|tredje)|utanför|längre|onödigt|automatiskt)(?![\w-])",
    regex.I,
)
#: Where a sentence turns ("…, mutta emme IP-osoitteita", "not X but Y"), each side is judged apart.
_CONTRAST = regex.compile(
    r"\s*,?\s*(?<![\w-])(?:mutta|vaan|kun taas|sen sijaan|but|whereas|however|instead|men|medan|dock|"
    r"(?!" + _UTAN_QUALIFIED + r"(?![\w-]))utan)"
    r"(?![\w-])|\s*,\s*(?=(?:only|vain|ainoastaan|endast|bara)(?![\w-]))",
    regex.I,
)
_WINDOW_AFTER, _WINDOW_BEFORE = 5, 3


def _verb_kind(token: str) -> str | None:
    """``hold``, ``other`` or ``copula`` for a verb form, None for any other word."""
    if token in _COPULA:
        return "copula"
    if _HOLD.fullmatch(token):
        return "hold"
    if _OTHER.fullmatch(token):
        return "other"
    return None


def _governed(tokens: list[str], at: int) -> str | None:
    """The kind of verb the negation at ``at`` governs: the nearest verb after it (Finnish "ei
    tallenneta", English "do not store"), else the nearest before it (Swedish "samlar inte in"). A
    copula with no verb after it ("ei ole pakollinen", "is not required") governs nothing a scan can
    contradict; with one it is the passive's auxiliary ("ei ole tallennettu", "are not collected")."""
    copula = False
    for token in tokens[at + 1 : at + 1 + _WINDOW_AFTER]:
        kind = _verb_kind(token)
        if kind == "copula":
            copula = True
        elif kind is not None:
            return kind
    if copula:
        return None
    for token in reversed(tokens[max(0, at - _WINDOW_BEFORE) : at]):
        kind = _verb_kind(token)
        if kind == "copula":
            return None
        if kind is not None:
            return kind
    return None


def _first_verb(tokens: list[str]) -> str | None:
    return next((kind for kind in map(_verb_kind, tokens) if kind in ("hold", "other")), None)


def _clauses(unit: str) -> list[tuple[int, str, bool]]:
    """The unit's clauses split where it turns: (offset, text, whether the clause denies holding what
    it names). A clause without a verb of its own ("…, mutta emme IP-osoitteita") takes the verb of
    the clause before it."""
    result = []
    start, previous = 0, None
    pieces = [*_CONTRAST.finditer(unit), None]
    for match in pieces:
        end = match.start() if match else len(unit)
        text = unit[start:end]
        tokens = _TOKEN.findall(text.lower().replace("’", "'"))
        result.append((start, text, _denies(text, tokens, previous)))
        previous = _first_verb(tokens) or previous
        if match:
            start = match.end()
    return result


def _denies(text: str, tokens: list[str], previous: str | None) -> bool:
    if _NEGATIONS.isdisjoint(tokens) or _QUALIFIED.search(text):
        return False
    for at, token in enumerate(tokens):
        if token not in _NEGATIONS or (at + 1 < len(tokens) and tokens[at + 1] in _NOT_ONLY):
            continue
        kind = _governed(tokens, at)
        if kind is None and _first_verb(tokens) is None:
            kind = previous
        if kind == "hold":
            return True
    return False


def denies(sentence: str) -> bool:
    """Whether a sentence denies holding what it names (in any of its clauses).

    >>> denies("Emme tallenna IP-osoitteita."), denies("Vi behandlar inte personbeteckningar.")
    (True, True)
    >>> denies("Emme luovuta henkilötunnuksia kolmansille osapuolille.")
    False
    >>> denies("IP-osoitteita ei säilytetä pidempään kuin 30 päivää.")
    False
    """
    return any(denied for _, _, denied in _clauses(sentence))


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
    #: Provision ("GDPR art. 9") → (line, text) of the first line naming a basis for such data.
    legal_bases: dict[str, tuple[int, str]] = field(default_factory=dict)

    @property
    def special(self) -> list[dict[str, object]]:
        """The declared special categories, each with the line naming its basis or a note that none is named."""
        return special_notes(self.declared, self.legal_bases)

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
            "special_categories": self.special,
        }


def _units(text: str) -> list[str]:
    """Sentences and list items: the evidence a category is quoted with."""
    return [unit for _, unit in _unit_spans(text)]


def _quote(unit: str, start: int, end: int, width: int = 160) -> str:
    if len(unit) <= width:
        return unit
    left = max(0, min(start - width // 3, len(unit) - width))
    return ("…" if left else "") + unit[left : left + width].strip() + ("…" if left + width < len(unit) else "")


def _unit_spans(text: str) -> list[tuple[int, str]]:
    """:func:`_units` with where each starts in ``text``, so a mention's line can be found."""
    spans, start = [], 0
    for match in [*_UNIT_BREAK.finditer(text), None]:
        piece = text[start : match.start() if match else len(text)]
        unit = piece.strip(" ¶-•–\t")
        if unit:
            spans.append((start + len(piece) - len(piece.lstrip(" ¶-•–\t")), unit))
        if match:
            start = match.end()
    return spans


def _wraps(previous: str, following: str) -> bool:
    """Whether ``following`` continues a sentence that ``previous`` broke off (a wrapped line of a text
    statement): a denial wrapped after its verb must still govern the words on the next line."""
    return bool(
        previous and following and previous[-1] not in ".!?:;" and following[0].isalpha() and following[0].islower()
    )


def _paragraphs(texts: list[tuple[int, str, bool]]) -> list[tuple[str, list[tuple[int, int]]]]:
    """Lines joined where a sentence wraps onto the next one; each with its (offset, line number) marks.
    ``texts`` are (line number, text, whether it may join the line before)."""
    result: list[tuple[str, list[tuple[int, int]]]] = []
    for number, text, joins in texts:
        stripped = text.strip()
        if joins and result and _wraps(result[-1][0], stripped):
            joined, marks = result[-1]
            marks.append((len(joined) + 1, number))
            result[-1] = (f"{joined} {stripped}", marks)
        else:
            result.append((stripped, [(0, number)]))
    return result


def _line_at(marks: list[tuple[int, int]], offset: int) -> int:
    return next(number for start, number in reversed(marks) if start <= offset)


def _mentions(section: Section, categories: tuple[Category, ...]) -> Iterable[tuple[Category, str, int, bool]]:
    """(category, quoted evidence, line, denied) for every category mention in the section; a sentence
    that turns ("…, mutta emme IP-osoitteita") is judged clause by clause."""
    texts = (
        [(section.line, section.heading, False)]
        if section.kind == DATA_CONTENT and section.lines and section.lines[0].field is None
        else []
    )
    texts += [(line.number, line.text, line.field is None and not line.continuation) for line in section.lines]
    for text, marks in _paragraphs(texts):
        for offset, unit in _unit_spans(text):
            for start, clause, denied in _clauses(unit):
                for category, begin, end in categories_in(clause, categories):
                    yield (
                        category,
                        _quote(unit, start + begin, start + end),
                        _line_at(marks, offset + start + begin),
                        denied,
                    )


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
            elif is_negated and section.kind in DENIABLE_ELSEWHERE:
                negated.setdefault(category.key, evidence)
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
        legal_bases=legal_bases(lines),
    )
