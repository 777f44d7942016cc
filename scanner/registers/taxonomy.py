"""Personal-data categories as privacy statements name them, and the detector entities they map to.

Terms are regular expressions over lower-cased text, written for Finnish inflection and compounds
(``henkilötunnus``, ``henkilötunnuksen``; ``matkapuhelinnumero``, ``työsähköpostiosoite``), with the
Swedish and English names beside them. A category without a detector yet (name, postal address,
billing data…) is still recognised and reported, so the declared set is complete and can be
compared when such detectors arrive.

An *umbrella* term ("yhteystiedot", "contact details") may or may not cover phone numbers and e-mail
addresses; the statement alone cannot tell. It is reported as such, with what it may cover, and the
configuration decides (``[umbrella]`` in the config file).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import regex


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    entities: tuple[str, ...]
    terms: tuple[str, ...]
    umbrella: bool = False
    may_cover: tuple[str, ...] = ()
    pattern: regex.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        joined = "|".join(f"(?:{t})" for t in self.terms)
        object.__setattr__(self, "pattern", regex.compile(rf"(?<![\w-])(?:{joined})", regex.IGNORECASE))


CATEGORIES: tuple[Category, ...] = (
    Category(
        "henkilotunnus",
        "henkilötunnus",
        ("FI_PERSONAL_IDENTITY_CODE",),
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
        ("FI_BUSINESS_ID",),
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
        ("PHONE_NUMBER",),
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
        ("EMAIL_ADDRESS",),
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
        ("IP_ADDRESS",),
        (r"ip[- ]?(?:osoit|numero|tieto|adress|address)\w*", r"ipv[46][- ]?(?:osoit|adress|address)?\w*"),
    ),
    Category(
        "nimi",
        "nimi",
        (),
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
        (),
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
        (),
        (r"laskutu\w*", r"laskutieto\w*", r"faktur\w*", r"billing\b", r"invoic\w*"),
    ),
    Category(
        "maksutiedot",
        "maksu- ja tilitiedot",
        (),
        (
            r"maksutie\w*",
            r"pankkitil\w*",
            r"tilinumer\w*",
            r"iban\b",
            r"kontonummer\w*",
            r"bank account\w*",
            r"payment (?:data|details|information)\b",
        ),
    ),
    Category(
        "syntymaaika",
        "syntymäaika",
        (),
        (r"syntymäai\w*", r"syntymapaiv\w*", r"födelsedat\w*", r"födelsetid\w*", r"date of birth\b", r"birth ?date\w*"),
    ),
    Category(
        "sijainti",
        "sijaintitieto",
        (),
        (r"sijainti\w*", r"paikkatie\w*", r"platsuppgift\w*", r"location data\b"),
    ),
    Category(
        "yhteystiedot",
        "yhteystiedot",
        (),
        (r"yhteystie\w*", r"kontaktuppgift\w*", r"kontaktinformation\w*", r"contact (?:details|information|data)\b"),
        umbrella=True,
        may_cover=("PHONE_NUMBER", "EMAIL_ADDRESS"),
    ),
)

BY_KEY = {c.key: c for c in CATEGORIES}
#: Every entity some category maps to.
KNOWN_ENTITIES = frozenset(e for c in CATEGORIES for e in (*c.entities, *c.may_cover))


def categories_in(text: str) -> list[tuple[Category, int, int]]:
    """Every category named in ``text``: (category, start, end) of each first mention, in order."""
    found = []
    for category in CATEGORIES:
        match = category.pattern.search(text)
        if match:
            found.append((category, match.start(), match.end()))
    return sorted(found, key=lambda item: item[1])
