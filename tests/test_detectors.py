"""The detectors on the facts of identifiers.md and on generated values (property tests)."""

from __future__ import annotations

import datetime

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detectors import email_address as email
from detectors import hetu, ip, phone, ytunnus
from tests.conftest import find

HETU = "FI_PERSONAL_IDENTITY_CODE"
YTUNNUS = "FI_BUSINESS_ID"
PHONE = "PHONE_NUMBER"
EMAIL = "EMAIL_ADDRESS"
IP = "IP_ADDRESS"


@pytest.mark.parametrize("code", ["131052-308T", "131052Y308T", "150800+1233", "290200A002C", "010594Y9021"])
def test_valid_identity_codes(engine, code):
    assert hetu.is_valid(code)
    assert find(engine, f"Hetu: {code}.") == [(HETU, code)]


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("131052-308U", "check character"),
        ("310252-308Y", "no such date"),
        ("290200-002C", "no such date"),
        ("010190-001P", "never issued"),
        ("131052-308t", "upper case"),
    ],
)
def test_invalid_identity_codes_say_why(engine, code, reason):
    with pytest.raises(ValueError, match=reason):
        hetu.validate(code)
    assert find(engine, f"Hetu: {code}.") == []


@pytest.mark.parametrize("text", ["99131052-308T77", "abc131052-308Txyz", "ä131052-308T", "131052-308Tö"])
def test_identity_code_never_inside_a_longer_token(engine, text):
    assert [e for e, _ in find(engine, text) if e == HETU] == []


def test_century_signs_are_different_people():
    assert hetu.birth_date("100190-999P") == hetu.birth_date("100190Y999P") == datetime.date(1990, 1, 10)
    assert hetu.is_temporary("100190-999P")


@pytest.mark.parametrize("value", ["2077474-0", "0737546-2", "FI20774740"])
def test_valid_business_ids(engine, value):
    assert find(engine, f"Y-tunnus {value}") == [(YTUNNUS, value)]


@pytest.mark.parametrize("value", ["2077474-1", "1000008-0", "1000008-1", "737546-2"])
def test_invalid_business_ids(engine, value):
    assert find(engine, f"Y-tunnus {value}") == []


@pytest.mark.parametrize(
    "written",
    [
        "+358 40 123 4567",
        "+358 (0) 40 1234567",
        "040 123 4567",
        "040-123 4567",
        "0401234567",
        "(09) 123 4567",
        "09-1234567",
        "00358 50 1234567",
        "050 123 45 67",
        "0457 123 4567",
        "+46 8 123 456 78",
    ],
)
def test_every_written_form_of_a_phone_number(engine, written):
    assert find(engine, f"Soita {written}, kiitos.") == [(PHONE, written)]


def test_phone_forms_hash_the_same():
    assert phone.compact("040 123 4567") == phone.compact("+358 (0) 40 1234567") == "+358401234567"


@pytest.mark.parametrize(
    "text",
    [
        "henkilötunnus 010594Y9021",  # digits of an identity code
        "Y-tunnus 0737546-2",  # a business ID starting with 0
        "päivämäärä 01-02-2024 ja 2024-03-12",  # dates
        "tili FI49 5000 9420 0287 30",  # IBAN
        "tili FI55 0401 2345 6789 01",  # IBAN-shaped, its check digits wrong: still no phone number
        "tilinumero 123456-785",  # the old domestic form of an account number
        "kortti 5555 5555 5555 4444 ja 3056 930902 5904",  # payment cards
        "osoite 10.40.123.45",  # IP address
        "asiakasnumero 0401234567890",  # a longer digit run
        "summa 1 040 123 456 euroa",  # an amount with thousands separators
        "klo 04:01:23",  # a time
    ],
)
def test_no_phone_hits_on_other_digit_runs(engine, text):
    assert [t for e, t in find(engine, text) if e == PHONE] == []


def test_phone_trimmed_back_to_the_valid_number(engine):
    assert find(engine, "puh. 040 123 4567 12 kpl") == [(PHONE, "040 123 4567")]


@pytest.mark.parametrize(
    "value",
    ["matti.meikalainen@example.fi", "Matti+uutiskirje@Example.FI", "pekka@kesämökki.fi", "A.B@sub.example.com"],
)
def test_emails(engine, value):
    assert find(engine, f"<{value}>") == [(EMAIL, value)]


@pytest.mark.parametrize("value", ["logo@2x.png", "a..b@example.fi", "user@localhost", "@example.fi"])
def test_not_emails(engine, value):
    assert [t for e, t in find(engine, f"x {value} y") if e == EMAIL] == []


def test_email_validation_needs_no_network(monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("network access")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    email.top_level_domains.cache_clear()
    assert email.is_valid("aino@example.fi")


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("192.0.2.1", "192.0.2.1"),
        ("192.0.2.1:8080", "192.0.2.1"),
        ("192.168.1.0/24", "192.168.1.0/24"),
        ("2001:db8::1", "2001:db8::1"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("::ffff:192.0.2.1", "192.0.2.1"),  # the IPv4 host, however a log writes it
        ("::ffff:192.0.2.1:21", "192.0.2.1"),
        ("fe80::1%eth0", "fe80::1%eth0"),
        ("dead:beef::", "dead:beef::"),
    ],
)
def test_ip_forms(engine, written, canonical):
    assert find(engine, f"from {written} ok") == [(IP, written)]
    assert ip.compact(written) == canonical


@pytest.mark.parametrize(
    "text",
    [
        "256.1.1.1",
        "2001:db8::1::2",
        "OID 1.3.6.1.4.1.311",
        "MAC 00:1a:2b:3c:4d:5e",
        "klo 12:30:45",
        "v1.2.3.4",
        "192.168.01.1",
        "std::string",
    ],
)
def test_not_ip_addresses(engine, text):
    assert [t for e, t in find(engine, text) if e == IP] == []


def test_context_words_raise_the_score(engine):
    from scanner.engine import CONTEXT_BOOST

    def score(*lines: str) -> float:
        return engine.scan(pa.array(list(lines), pa.large_string())).score[-1]

    plain = score("numero 040 123 4567")
    assert score("puhelin 040 123 4567") == pytest.approx(min(1.0, plain + CONTEXT_BOOST))
    assert score("matkapuhelinnumero: 040 123 4567") > plain  # inside a compound
    assert score("Personbeteckning", "131052-308T") > score("Rivi", "131052-308T")  # on the line above
    assert score("henkilötunnuksen 131052-308T") > score("tunnus 131052-308T")  # inflected


# --- property tests: generated valid values are found, corrupted ones are not -------------------

dates = st.dates(min_value=datetime.date(1800, 1, 1), max_value=datetime.date(2099, 12, 31))


@st.composite
def identity_codes(draw):
    born = draw(dates)
    signs = {1800: "+", 1900: "-YXWVU", 2000: "ABCDEF"}[born.year // 100 * 100]
    sign = draw(st.sampled_from(signs))
    individual = draw(st.integers(2, 999))
    digits = f"{born:%d%m%y}{individual:03d}"
    return f"{digits[:6]}{sign}{digits[6:]}{hetu.check_character(digits)}"


surroundings = st.sampled_from(["{} ", "Hetu: {}.", "asiakas;{};x", "({})", "- {}\n", "henkilötunnus {}, kiitos"])


@settings(max_examples=200, deadline=None)
@given(code=identity_codes(), around=surroundings)
def test_generated_identity_codes_are_found(engine, code, around):
    assert find(engine, around.format(code)) == [(HETU, code)]


@settings(max_examples=200, deadline=None)
@given(code=identity_codes(), around=surroundings, data=st.data())
def test_corrupted_check_character_is_never_found(engine, code, around, data):
    wrong = data.draw(st.sampled_from([c for c in hetu.CHECK_CHARACTERS if c != code[-1]]))
    assert [t for e, t in find(engine, around.format(code[:-1] + wrong)) if e == HETU] == []


@settings(max_examples=100, deadline=None)
@given(code=identity_codes(), around=surroundings)
def test_impossible_dates_are_never_found(engine, code, around):
    digits = "3102" + code[4:6] + code[7:10]  # 31 February never exists
    corrupted = f"{digits[:6]}{code[6]}{digits[6:]}{hetu.check_character(digits)}"
    assert [t for e, t in find(engine, around.format(corrupted)) if e == HETU] == []


@st.composite
def business_ids(draw):
    body = draw(st.integers(0, 9_999_999).map(lambda n: f"{n:07d}").filter(lambda b: _check_or_none(b) is not None))
    return f"{body}-{ytunnus.check_digit(body)}"


def _check_or_none(body: str) -> str | None:
    try:
        return ytunnus.check_digit(body)
    except ValueError:
        return None


@settings(max_examples=200, deadline=None)
@given(value=business_ids(), wrong=st.integers(1, 9))
def test_business_ids_found_and_corrupted_ones_not(engine, value, wrong):
    assert find(engine, f"Y-tunnus: {value}") == [(YTUNNUS, value)]
    assert find(engine, f"ALV FI{value.replace('-', '')}") == [(YTUNNUS, f"FI{value.replace('-', '')}")]
    corrupted = value[:-1] + str((int(value[-1]) + wrong) % 10)
    assert find(engine, f"Y-tunnus: {corrupted}") == []


mobiles = st.tuples(st.sampled_from(["040", "041", "044", "045", "046", "050"]), st.integers(0, 9_999_999))


@settings(max_examples=200, deadline=None)
@given(number=mobiles, style=st.integers(0, 3))
def test_generated_mobile_numbers_are_found(engine, number, style):
    prefix, rest = number[0], f"{number[1]:07d}"
    written = [f"{prefix} {rest[:3]} {rest[3:]}", f"{prefix}-{rest}", f"+358 {prefix[1:]} {rest}", prefix + rest][style]
    assert find(engine, f"puh. {written}") == [(PHONE, written)]


@settings(max_examples=200, deadline=None)
@given(address=st.ip_addresses())
def test_generated_ip_addresses_are_found(engine, address):
    if address.is_unspecified or str(address) == "255.255.255.255":  # name no host
        return
    written = str(address)
    assert find(engine, f"client {written} connected") == [(IP, written)]


local_parts = st.from_regex(r"[a-z0-9]([a-z0-9._+-]{0,20}[a-z0-9])?", fullmatch=True).filter(lambda s: ".." not in s)


@settings(max_examples=200, deadline=None)
@given(local=local_parts, domain=st.sampled_from(["example.fi", "example.com", "esimerkki.example", "kesämökki.fi"]))
def test_generated_emails_are_found(engine, local, domain):
    value = f"{local}@{domain}"
    assert find(engine, f"Sähköposti: {value}") == [(EMAIL, value)]
