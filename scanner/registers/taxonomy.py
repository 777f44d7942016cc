"""Personal-data categories as privacy statements name them: statement vocabulary → category key.

Terms are regular expressions over lower-cased text, written for Finnish inflection and compounds
(``henkilötunnus``, ``henkilötunnuksen``; ``matkapuhelinnumero``, ``työsähköpostiosoite``), with the
Swedish and English names beside them. A category without a detector yet (name, postal address,
billing data…) is still recognised and reported, so the declared set is complete and can be
compared when such detectors arrive.

This module knows words, not entities. Which entities a category declares comes from the detectors:
each names its category key (``CATEGORY``), and :func:`detectors.entities_by_category` turns the
loaded detectors into the mapping used here. So a plug-in detector with ``CATEGORY = "pankkitili"``
is declared by every statement that names bank account details, with no edit in this file; a detector
whose category is missing here, or that has none, is reported by :func:`uncategorised_notes`.

An *umbrella* term may or may not cover some entities; the statement alone cannot tell. "Yhteystiedot"
(contact details) may mean a postal address only, or phone numbers and e-mail addresses too;
"maksutiedot" (payment data) may mean what was paid and when, or the bank account and the card it was
paid with. It names the categories it may cover (``covers``); it is reported as such, with the
entities those resolve to, and the configuration decides (``[umbrella]`` in the config file).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import regex

if TYPE_CHECKING:
    from presidio_analyzer import EntityRecognizer

    from detectors import Detector

#: Category key → the entities that declare it (see :func:`detectors.entities_by_category`).
EntityMap = Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class Category:
    """One category of personal data.

    ``entities`` and ``may_cover`` are empty in :data:`CATEGORIES`, which holds vocabulary only;
    :meth:`resolve` fills them from a detector mapping, and every category a statement yields
    (:func:`categories_in`, :func:`scanner.registers.statement.parse_statement`) is resolved.
    """

    key: str
    label: str
    terms: tuple[str, ...]
    umbrella: bool = False
    #: Where the law treats this data as special, the provision (``"GDPR art. 9"``, ``"GDPR art. 10"``,
    #: ``"turvakielto"``); empty for ordinary personal data. ``check`` lists undeclared special data first.
    special: str = ""
    #: Category keys an umbrella term may stand for.
    covers: tuple[str, ...] = ()
    #: The entities this category declares (from the detectors).
    entities: tuple[str, ...] = ()
    #: The entities of the ``covers`` categories (from the detectors).
    may_cover: tuple[str, ...] = ()
    pattern: regex.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        joined = "|".join(f"(?:{t})" for t in self.terms)
        object.__setattr__(self, "pattern", regex.compile(rf"(?<![\w-])(?:{joined})", regex.IGNORECASE))

    def resolve(self, mapping: EntityMap) -> Category:
        """This category with the entities the mapping gives it and its umbrella keys."""
        covered = dict.fromkeys(e for key in self.covers for e in mapping.get(key, ()))
        return dataclasses.replace(self, entities=tuple(mapping.get(self.key, ())), may_cover=tuple(covered))


CATEGORIES: tuple[Category, ...] = (
    Category(
        "henkilotunnus",
        "henkilötunnus",
        (
            r"henkilötunnu\w*",
            r"henkilotunnu\w*",
            r"hetu(?:n|t|ja|a)?\b",
            r"sosiaaliturvatunnu\w*",
            r"sotu\b",
            r"personbeteckning\w*",
            r"personnummer\w*",
            r"personal identity code\w*",
            r"personal identity number\w*",
            r"social security number\w*",
            r"national identification number\w*",
        ),
    ),
    Category(
        "y_tunnus",
        "Y-tunnus",
        (
            r"y-?tunnu\w*",
            r"yritys- ja yhteisötunnu\w*",
            r"yritystunnu\w*",
            r"alv-?(?:numero|tunnis)\w*",
            r"fo-nummer\w*",
            r"företags- och organisationsnummer\w*",
            r"organisationsnummer\w*",
            r"business id\w*",
            r"vat (?:number|id)\w*",
            r"company (?:registration )?(?:number|id)\w*",
        ),
    ),
    Category(
        "puhelinnumero",
        "puhelinnumero",
        (
            r"\w*puhelinnumer\w*",
            r"\w*puhelinnro\w*",
            r"\w*puhelin\b",
            r"\w*puhelim(?:en|et|ien|een|ia)\b",
            r"\w*puh\.?\s?(?:nro|numero)\w*",
            r"puh\.(?!\w)",
            r"gsm(?:-numero)?\w*",
            r"telefon(?:nummer|nr)?\w*",
            r"mobil(?:nummer|telefon)\w*",
            r"(?:tele|mobile |cell )?phone(?: numbers?)?\b",
            r"mobile numbers?\b",
        ),
    ),
    Category(
        "sahkopostiosoite",
        "sähköpostiosoite",
        (
            r"\w*sähköpostiosoit\w*",
            r"\w*sahkopostiosoit\w*",
            r"\w*sähköposti(?:n|a|t|en|ja)?\b",
            r"s-posti\w*",
            r"e-post(?:adress)?\w*",
            r"e-?mail(?:[- ]address(?:es)?)?\b",
        ),
    ),
    Category(
        "ip_osoite",
        "IP-osoite",
        (r"ip[- ]?(?:osoit|numero|tieto|adress|address)\w*", r"ipv[46][- ]?(?:osoit|adress|address)?\w*"),
    ),
    Category(
        "nimi",
        "nimi",
        (
            r"(?:etu-?\s*(?:ja\s+)?)?(?:suku)?nimi(?:tiedot|et)?\b",
            r"(?:suku)?nimen\b",
            r"etunim\w*",
            r"sukunim\w*",
            r"(?:för- och efter)?namn\b",
            r"(?:full |first |last )?names?\b",
        ),
    ),
    Category(
        "osoite",
        "osoite",
        (
            r"(?<!ip-)(?<!ip )(?<!www-)(?<!verkko-)(?<!web-)(?:posti|koti|katu|laskutus|toimitus)?osoit(?:e\w*|tee\w*|tei\w*|tiedot)",
            r"osoite-",
            r"(?:post|hem|gatu)adress\w*",
            r"(?:postal|home|street|billing|delivery) address(?:es)?\b",
        ),
    ),
    Category(
        "laskutustiedot",
        "laskutustiedot",
        (r"laskutu\w*", r"laskutieto\w*", r"faktur\w*", r"billing\b", r"invoic\w*"),
    ),
    Category(
        "pankkitili",
        "tilinumero",
        (
            r"pankkiyhte\w*",
            r"pankkitil\w*",
            r"\w*tilinumer\w*",
            r"tilinro\w*",
            r"tilitie\w*",
            r"iban\w*",
            r"\w*kontonummer\w*",
            r"bankkonto\w*",
            r"kontouppgift\w*",
            r"bankuppgift\w*",
            r"bankförbindelse\w*",
            r"bank account(?:s| numbers?| details)?\b",
            r"bank details\b",
        ),
    ),
    Category(
        "maksukortti",
        "maksukortti",
        (
            r"\w*luottokort\w*",
            r"maksukort\w*",
            r"pankkikort\w*",
            r"korttitie\w*",
            r"kortin ?numer\w*",
            r"korttinumer\w*",
            r"betalkort\w*",
            r"kreditkort\w*",
            r"kontokort\w*",
            r"kortuppgift\w*",
            r"(?:payment|credit|debit|bank) cards?(?: numbers?| details| data| information)?\b",
            r"(?<!insurance )(?<!ehic )card(?:holder)? (?:numbers?|details|data)\b",  # not a health insurance card's
        ),
    ),
    Category(
        "maksutiedot",
        "maksutiedot",
        (
            r"maksutie\w*",
            r"maksuvälinetie\w*",
            r"betalningsuppgift\w*",
            r"betalningsinformation\w*",
            r"payment (?:data|details|information)\b",
        ),
        umbrella=True,
        covers=("pankkitili", "maksukortti"),
    ),
    Category(
        "syntymaaika",
        "syntymäaika",
        (r"syntymäai\w*", r"syntymapaiv\w*", r"födelsedat\w*", r"födelsetid\w*", r"date of birth\b", r"birth ?date\w*"),
    ),
    Category(
        "sijainti",
        "sijaintitieto",
        (r"sijainti\w*", r"paikkatie\w*", r"platsuppgift\w*", r"location data\b"),
    ),
    Category(
        "yhteystiedot",
        "yhteystiedot",
        (r"yhteystie\w*", r"kontaktuppgift\w*", r"kontaktinformation\w*", r"contact (?:details|information|data)\b"),
        umbrella=True,
        covers=("puhelinnumero", "sahkopostiosoite"),
    ),
    Category(
        "kela_kortti",
        "sairausvakuutuskortin numero",
        (
            r"kela-?kort\w*",
            r"\w*sairausvakuutuskort\w*",
            r"(?:eurooppalai\w* )?sairaanhoitokort\w*",
            r"sairausvakuutusnumer\w*",
            r"ehic\b",
            r"fpa-kort\w*",
            r"\w*sjukförsäkringskort\w*",
            r"(?:europeisk\w* )?sjukvårdskort\w*",
            r"(?:european )?health insurance cards?(?: numbers?)?\b",
        ),
    ),
    Category(
        "satu",
        "sähköinen asiointitunnus (SATU)",
        (
            r"(?-i:SATU)(?:-?(?:tunnu|numer)\w*)?\b",
            r"satu-?(?:tunnu|numer)\w*",
            r"finuid\b",
            r"sähköi\w* asiointitunnu\w*",
            r"(?:elektronisk\w* )?kommunikationskod\w*",
            r"electronic (?:identification|id) numbers?\b",
        ),
    ),
    Category(
        "passi",
        "passin numero",
        (
            r"passi(?:n|t|en|a|in|ssa|sta)?\b",
            r"passi(?:n ?)?(?:numer|tie|kopi|tunnu)\w*",
            r"matkustusasiakirj\w*",
            r"passnummer\w*",
            r"passuppgift\w*",
            r"resehandling\w*",
            r"passports?(?: numbers?| details| data| cop(?:y|ies))?\b",
            r"travel documents?\b",
        ),
    ),
    Category(
        "rekisterinumero",
        "ajoneuvon rekisterinumero",
        (
            # not "rekisteri" alone: that is the register itself ("rekisterin nimi", "rekisterinpitäjä")
            r"(?:ajoneuvo|auto)(?:n|jen|jensa|nsa)?[ -]?rekisteri(?:numer|nro|tunnu|kilp|tie)\w*",
            r"rekisterinumer\w*",
            r"rek\.? ?nro\b",
            r"rekisterikilp\w*",
            r"ajoneuvotie\w*",
            r"registreringsnummer\w*",
            r"registreringsskylt\w*",
            r"fordonsuppgift\w*",
            r"(?:vehicle|car|licen[cs]e|number|registration) plates?(?: numbers?)?\b",
            r"(?:vehicle|car) registration(?: numbers?| marks?| details)?\b",
            r"vehicle (?:data|details|information)\b",
        ),
    ),
    # Special categories (GDPR art. 9 and 10; turvakielto, a non-disclosure marker of the population register).
    # The words are the ones statements use, and the same stems the keyword detectors look for in files
    # (detectors.special_categories), so that a statement declaring them declares those findings.
    Category(
        "terveystiedot",
        "terveystiedot",
        (
            r"\w*terveystie\w*",
            r"terveydentil\w*",
            r"terveyttä koskev\w*",
            r"potilastie\w*",
            r"potilaskertomu\w*",
            r"(?:pää)?diagnoo\w*",
            r"sairauslom\w*",
            r"sairauspoissaol\w*",
            r"sairaushistori\w*",
            r"lääkärintodistu\w*",
            r"mielentervey\w*",
            r"työkyvyttömyy\w*",
            r"hälsouppgift\w*",
            r"hälsodata\b",
            r"uppgifter om (?:\w+ )?hälsa\w*",
            r"hälsotillstånd\w*",
            r"patientuppgift\w*",
            r"diagnos(?:er|en|erna)?\b",
            r"sjukfrånvaro\w*",
            r"sjukskrivning\w*",
            r"läkarintyg\w*",
            r"health (?:data|information|records?|status|conditions?)\b",
            r"data concerning (?:\w+ )?health\b",
            r"medical (?:data|information|records?|history|conditions?|certificates?)\b",
            r"patient (?:data|records?|information)\b",
            r"sick(?:ness)? (?:leave|absences?|notes?)\b",
            r"diagnos[ei]s\b",
        ),
        special="GDPR art. 9",
    ),
    Category(
        "ammattiliitto",
        "ammattiliiton jäsenyys",
        (
            r"ammattiliit\w*",
            r"ammattiyhdisty\w*",
            r"ay-?jäsen\w*",
            r"ay-?maks\w*",
            r"fackförening\w*",
            r"fackförbund\w*",
            r"fackligt? (?:medlemskap|tillhörighet|anslutning)\w*",
            r"fackavgift\w*",
            r"(?:trade|labou?r) unions?(?: membership| dues)?\b",
            r"union (?:membership|dues)\b",
        ),
        special="GDPR art. 9",
    ),
    Category(
        "uskonto",
        "uskonnollinen vakaumus",
        (
            r"uskonno\w*",
            r"uskonto\w*",
            r"(?:filosofi|maailmankatsomuksell)\w* vakaumu\w*",
            r"kirkkoon kuulu\w*",
            r"(?:kirkon|seurakunnan) jäsenyy\w*",
            r"kirkollisvero\w*",
            r"religiö\w*",
            r"religion\w*",
            r"trossamfund\w*",
            r"kyrkotillhörighet\w*",
            r"religious\w*",
            r"(?:philosophical )?beliefs\b",
        ),
        special="GDPR art. 9",
    ),
    Category(
        "etninen_alkupera",
        "etninen alkuperä",
        (
            r"etni\w*",
            r"rodulli\w*",
            r"\w*alkuperä ?(?:tai|ja) rotu\w*",
            r"etnisk\w*",
            r"ras(?:ursprung|mässig\w*)\b",
            r"ethnic\w*",
            r"racial\w*",
        ),
        special="GDPR art. 9",
    ),
    Category(
        "rikostiedot",
        "rikostuomiot ja rikokset",
        (
            r"rikostuomi\w*",
            r"rikosrekister\w*",
            r"rikostaust\w*",
            r"rikostie\w*",
            r"rikosepäil\w*",
            r"rikoks\w*",
            r"brottmål\w*",
            r"brottsregist\w*",
            r"lagöverträdelse\w*",
            r"fällande domar\w*",
            r"criminal (?:convictions?|offen[cs]es?|records?|background)\b",
            r"convictions? and offen[cs]es\b",
        ),
        special="GDPR art. 10",
    ),
    Category(
        "turvakielto",
        "turvakielto",
        (
            r"turvakiel\w*",
            r"spärrmarker\w*",
            r"non-disclosure (?:for|of) (?:personal )?(?:safety|address\w*)\w*",
        ),
        special="turvakielto",
    ),
)

BY_KEY = {c.key: c for c in CATEGORIES}


@functools.lru_cache(maxsize=1)
def default_mapping() -> dict[str, tuple[str, ...]]:
    """The mapping of the built-in detectors and the installed entry-point plug-ins.

    What callers get when they pass no mapping. It cannot know the YAML recognizer files a run
    names; a caller that has loaded its detectors passes ``entities_by_category(those)`` instead.
    Computed once per process (installing a plug-in takes a new process anyway).
    """
    from detectors import entities_by_category, load_detectors

    return entities_by_category(load_detectors())


def resolved(mapping: EntityMap | None = None) -> tuple[Category, ...]:
    """Every category with its entities filled in from ``mapping`` (default: :func:`default_mapping`)."""
    if mapping is None:
        return _resolved_default()
    return tuple(c.resolve(mapping) for c in CATEGORIES)


@functools.lru_cache(maxsize=1)
def _resolved_default() -> tuple[Category, ...]:
    return tuple(c.resolve(default_mapping()) for c in CATEGORIES)


def by_entity(mapping: EntityMap | None = None) -> dict[str, Category]:
    """Entity → the (resolved, non-umbrella) category that declares it: what an undeclared finding is, in a
    statement's words, and whether it is special data."""
    found: dict[str, Category] = {}
    for category in resolved(mapping):
        if not category.umbrella:
            for entity in category.entities:
                found.setdefault(entity, category)
    return found


def known_entities(mapping: EntityMap | None = None) -> frozenset[str]:
    """Every entity some category declares or an umbrella may cover."""
    return frozenset(e for c in resolved(mapping) for e in (*c.entities, *c.may_cover))


def categories_in(text: str, categories: Sequence[Category] | None = None) -> list[tuple[Category, int, int]]:
    """Every category named in ``text``: (category, start, end) of each first mention, in order.

    ``categories`` are the resolved categories to look for (see :func:`resolved`); default: with the
    default mapping.
    """
    found = []
    for category in resolved() if categories is None else categories:
        match = category.pattern.search(text)
        if match:
            found.append((category, match.start(), match.end()))
    return sorted(found, key=lambda item: item[1])


def uncategorised_notes(recognizers: Iterable[EntityRecognizer | Detector]) -> list[str]:
    """A line for each detector no statement can declare: it has no category, or one unknown here.

    Such a detector's entity is compared under its own name, so it is declared only where a
    register's ``declare = [...]`` lists it; without this note every finding of it would look like
    a statement's omission.
    """
    from detectors import Detector, category_of, name_of

    notes = []
    for item in recognizers:
        recognizer = item.recognizer if isinstance(item, Detector) else item
        entities = list(recognizer.supported_entities or [])
        if not entities:
            continue
        what = f"detector {name_of(recognizer)} (entity {', '.join(entities)})"
        consequence = f"it counts as declared only where a register's `declare` lists {' or '.join(entities)}"
        category = category_of(recognizer)
        if category is None:
            notes.append(f"{what} declares no register category: {consequence}")
        elif category not in BY_KEY:
            notes.append(
                f"{what} declares register category {category!r}, which no privacy-statement term maps to "
                f"(known: {', '.join(BY_KEY)}): {consequence}"
            )
    return notes
