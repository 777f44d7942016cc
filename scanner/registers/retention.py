"""Retention periods as statements write them: "kuusi vuotta asiakkuuden päättymisestä", "viiden (5)
vuoden ajan", "3 kuukautta", "i tio år", "for 24 months"."""

from __future__ import annotations

from dataclasses import dataclass

import regex

NUMBER_WORDS = {
    # Finnish (with the genitive forms statements use: "viiden vuoden ajan"), Swedish, English
    "yksi": 1,
    "yhden": 1,
    "kaksi": 2,
    "kahden": 2,
    "kolme": 3,
    "kolmen": 3,
    "neljä": 4,
    "neljän": 4,
    "viisi": 5,
    "viiden": 5,
    "kuusi": 6,
    "kuuden": 6,
    "seitsemän": 7,
    "kahdeksan": 8,
    "yhdeksän": 9,
    "kymmenen": 10,
    "kaksitoista": 12,
    "kahdentoista": 12,
    "ett": 1,
    "en": 1,
    "två": 2,
    "tre": 3,
    "fyra": 4,
    "fem": 5,
    "sex": 6,
    "sju": 7,
    "åtta": 8,
    "nio": 9,
    "tio": 10,
    "tolv": 12,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
}
UNITS = (
    (r"vuo(?:si|tta|den|siksi)\w*|år|years?", 365),
    (r"kuukau(?:si|tta|den|deksi)\w*|månad\w*|months?", 30),
    (r"viik(?:ko|koa|on)\w*|veck\w*|weeks?", 7),
    (r"päiv(?:ä|ää|än)\w*|dag(?:ar)?|days?", 1),
)
_NUMBER = r"(?P<number>\d{1,4}|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
_DURATION = regex.compile(
    rf"(?<![\w-]){_NUMBER}(?:\s*\(\d{{1,4}}\))?\s+(?P<unit>" + "|".join(f"(?:{u})" for u, _ in UNITS) + r")(?![\w-])",
    regex.IGNORECASE,
)


@dataclass(frozen=True)
class Retention:
    days: int
    text: str  # the duration as written

    def as_dict(self) -> dict[str, object]:
        return {"days": self.days, "as_written": self.text}


def parse_duration(text: str) -> Retention | None:
    """The first duration written in ``text``.

    >>> parse_duration("Tietoja säilytetään kuusi vuotta asiakkuuden päättymisestä.")
    Retention(days=2190, text='kuusi vuotta')
    >>> parse_duration("viiden (5) vuoden ajan").days, parse_duration("i tio år").days, parse_duration("3 months").days
    (1825, 3650, 90)
    """
    match = _DURATION.search(text)
    if not match:
        return None
    raw = match.group("number").lower()
    number = int(raw) if raw.isdigit() else NUMBER_WORDS[raw]
    unit = match.group("unit")
    per = next(days for pattern, days in UNITS if regex.fullmatch(pattern, unit, regex.IGNORECASE))
    return Retention(number * per, match.group(0))
