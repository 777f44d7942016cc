"""Synthetic Finnish personal data for fictional people: reproducible, never real values.

Identity codes use the temporary range 900–999 and business IDs random bodies; phone numbers are
random numbers in valid Finnish ranges; e-mail domains are ``example.fi``-style reserved names.
"""

from __future__ import annotations

import random

from detectors.base import InvalidValue
from detectors.hetu import check_character
from detectors.ytunnus import check_digit

FIRST = ["Aino", "Eino", "Helmi", "Väinö", "Siiri", "Onni", "Lyyli", "Toivo", "Kerttu", "Urho", "Elli", "Jalmari"]
LAST = ["Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Hämäläinen", "Laine", "Heikkinen", "Koskinen", "Järvinen"]
DOMAINS = ["example.fi", "example.com", "esimerkki.example", "test.example.org"]
WORDS = [
    *("asiakas", "tilaus", "lasku", "toimitus", "sopimus", "palvelu", "yhteys", "viesti", "muistutus", "päivitys"),
    *("kokous", "raportti", "projekti", "henkilöstö", "palkka", "loma", "sairaus", "koulutus", "matka", "kulu"),
    *("hyväksyntä", "tarkastus"),
]


def hetu(rng: random.Random) -> str:
    year = rng.randint(1930, 2020)
    sign = rng.choice("-YXWVU") if year < 2000 else rng.choice("ABCDEF")
    day, month = rng.randint(1, 28), rng.randint(1, 12)
    individual = rng.randint(900, 999)
    digits = f"{day:02d}{month:02d}{year % 100:02d}{individual:03d}"
    return f"{digits[:6]}{sign}{digits[6:]}{check_character(digits)}"


def ytunnus(rng: random.Random) -> str:
    while True:
        body = f"{rng.randint(0, 3_299_999):07d}"
        try:
            return f"{body}-{check_digit(body)}"
        except InvalidValue:
            continue


def phone(rng: random.Random) -> str:
    prefix = rng.choice(["040", "041", "044", "045", "050", "046"])
    rest = f"{rng.randint(0, 9_999_999):07d}"
    style = rng.randrange(5)
    if style == 0:
        return f"{prefix} {rest[:3]} {rest[3:]}"
    if style == 1:
        return f"{prefix}-{rest}"
    if style == 2:
        return f"+358 {prefix[1:]} {rest[:3]} {rest[3:]}"
    if style == 3:
        return f"{prefix}{rest}"
    return f"{prefix} {rest[:3]} {rest[3:5]} {rest[5:]}"


def person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST), rng.choice(LAST)


def email(rng: random.Random) -> str:
    first, last = person(rng)
    local = f"{first}.{last}".lower().replace("ä", "a").replace("ö", "o")
    return f"{local}{rng.randint(1, 99)}@{rng.choice(DOMAINS)}"


def ip(rng: random.Random) -> str:
    if rng.random() < 0.2:
        return f"2001:db8:{rng.randint(0, 0xFFFF):x}::{rng.randint(1, 0xFFFF):x}"
    return f"{rng.choice([10, 172, 192, 198])}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def prose(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def value(rng: random.Random) -> str:
    """One personal value of a random kind, as people write it."""
    kind = rng.randrange(6)
    if kind == 0:
        return hetu(rng)
    if kind == 1:
        return f"puh. {phone(rng)}"
    if kind == 2:
        return email(rng)
    if kind == 3:
        return phone(rng)
    if kind == 4:
        return ytunnus(rng)
    return ip(rng)


def line(rng: random.Random, personal: bool) -> str:
    """One line of a mixed corpus: prose, a CSV row or a log line, carrying one value if ``personal``."""
    kind = rng.randrange(3)
    first, last = person(rng)
    if kind == 0:
        text = prose(rng, rng.randint(6, 18))
        return f"{text} {first} {last}: {value(rng)}." if personal else text
    if kind == 1:
        middle = value(rng) if personal else rng.choice(WORDS)
        return f"{rng.randint(1, 99999)};{first};{last};{middle};{rng.randint(10, 9999)},00"
    stamp = (
        f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00"
    )
    if personal:
        return f"{stamp} INFO request ok user={first.lower()} {value(rng)} status=200"
    return f"{stamp} DEBUG cache hit ratio=0.{rng.randint(10, 99)} items={rng.randint(1, 5000)}"
