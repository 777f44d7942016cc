"""Forms the detectors meet in files other programs and people write: server logs, contact pages,
invoice footers, mail headers. Each case is a line as such a file has it (fictional values)."""

from __future__ import annotations

import io
import ipaddress
import json

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detectors import email_address as email
from detectors import ip, phone
from scanner.extract import Budget, Limits, Piece, mail
from tests.conftest import find

PHONE = "PHONE_NUMBER"
EMAIL = "EMAIL_ADDRESS"
IP = "IP_ADDRESS"


def entities(engine, line: str, entity: str) -> list[str]:
    return [text for e, text in find(engine, line) if e == entity]


# --- phone numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "[Sun Dec 04 16:24:03 2005] [error] [client 192.0.2.7] Directory index forbidden",
        "Fri Jun 17 20:55:06 2005 1 ::ffff:198.51.100.194 1234 /pub/a.txt b _ o r anonymous ftp 0 * c",
        "2017-05-16 00:00:00.008 25746 INFO nova.osapi_compute.wsgi.server [req-3f5c] 10.11.10.1",
        "status: 200 len: 1893 time: 0.0913219",
        '{"ts": "2016-06-16 00:00:00", "pid": 25746, "time": 0.0913219}',
        "[Wed Oct 11 14:32:52.123456 2023] [core:error] [pid 1234:tid 139872345]",
        "[12345.0401234] usb 1-1: new high-speed USB device number 2",
        "Verkkolaskuosoite 003723327487, operaattori 003721291126",
        "OVT 00371234567100100",
        "yhteensä 1 040 123 456 euroa",
    ],
)
def test_no_phone_numbers_in_log_fields_and_codes(engine, line):
    assert entities(engine, line, PHONE) == []


@pytest.mark.parametrize(
    ("line", "written", "e164"),
    [
        ("Vaihde +358 (2) 3619 0071", "+358 (2) 3619 0071", "+358236190071"),
        ("Puh. +358 (09) 123 4567", "+358 (09) 123 4567", "+35891234567"),
        ("puh +358 040 123 4567", "+358 040 123 4567", "+358401234567"),
        ("Toimisto 09 -7712715", "09 -7712715", "+35897712715"),
        ("Toimisto 09- 7712715", "09- 7712715", "+35897712715"),
        ("Lemmikinkuja 1 0400 778 800", "0400 778 800", "+358400778800"),
        ("puh:0401234567", "0401234567", "+358401234567"),
        ("klo 12 040 123 4567", "040 123 4567", "+358401234567"),
        ("16:24:03 yhteydenotto numerosta 040 123 4567", "040 123 4567", "+358401234567"),
    ],
)
def test_phone_forms_of_contact_pages(engine, line, written, e164):
    assert entities(engine, line, PHONE) == [written]
    assert phone.compact(written) == e164


def test_an_estonian_number_written_with_spaces_is_still_a_number(engine):
    assert entities(engine, "Tallinna toimisto 00372 5123 4567", PHONE) == ["00372 5123 4567"]


def test_an_ovt_code_says_why_it_is_no_phone_number():
    with pytest.raises(ValueError, match="OVT"):
        phone.validate("003712345671")


mobiles = st.tuples(st.sampled_from(["040", "041", "044", "045", "050"]), st.integers(0, 9_999_999))
stamps = st.sampled_from(
    ["[Sun Dec 04 16:24:03 2005]", "2017-05-16 00:00:00.008 25746 INFO", "Jun 17 20:55:06 host sshd[4242]:"]
)


@settings(max_examples=100, deadline=None)
@given(number=mobiles, stamp=stamps)
def test_a_number_on_a_log_line_is_found_and_the_stamp_is_not(engine, number, stamp):
    written = f"{number[0]} {number[1]:07d}"
    assert entities(engine, f"{stamp} soita {written}", PHONE) == [written]


# --- e-mail addresses -----------------------------------------------------------------------------

OBFUSCATED = [
    ("aino.virtanen(at)example.fi", "aino.virtanen@example.fi"),
    ("nimi(a)example.fi", "nimi@example.fi"),
    ("nimi [at] example.com", "nimi@example.com"),
    ("nimi (ät) example (piste) fi", "nimi@example.fi"),
    ("nimi(AT)example.com", "nimi@example.com"),
    ("nimi{at}example.org", "nimi@example.org"),
    ("tieto.suoja (at) example (dot) fi", "tieto.suoja@example.fi"),
]


@pytest.mark.parametrize(("written", "address"), OBFUSCATED)
def test_obfuscated_addresses_are_the_addresses_they_spell(engine, written, address):
    assert entities(engine, f"Ota yhteyttä: {written}.", EMAIL) == [written]
    assert email.compact(written) == address
    assert email.mask(written) == f"{address[0]}***@{address.split('@')[1]}"


def test_an_obfuscated_address_hashes_as_the_plain_one(engine):
    texts = pa.array(["nimi (ät) example (piste) fi", "nimi@example.fi"], pa.large_string())
    compact = email.compact_array(texts).to_pylist()
    assert compact == ["nimi@example.fi", "nimi@example.fi"]
    assert email.detail_array(texts).to_pylist() == ["written obfuscated", None]


def test_addresses_in_words_need_a_line_about_mail(engine):
    assert entities(engine, "Sähköposti: nimi at example dot fi", EMAIL) == ["nimi at example dot fi"]
    assert entities(engine, "We met at example dot com", EMAIL) == []
    assert entities(engine, "tuote(a)hinta", EMAIL) == []  # no top-level domain


@pytest.mark.parametrize(
    "line",
    [
        "Message-ID: <44087D8C.9090407@example.ch>",
        "postfix/cleanup[2211]: 4F2A1C0: message-id=<20231011143252.4F2A1C0@mail.example.org>",
        "References: <a1b2@mail.example.org> <c3d4.5e@lists.example.org>",
        "> <a1b2@mail.example.org> <c3d4.5e@lists.example.org>",
        "In-Reply-To: <CAF=x1y2@mail.example.com>",
    ],
)
def test_message_ids_are_not_addresses(engine, line):
    assert entities(engine, line, EMAIL) == []


@pytest.mark.parametrize(
    "line",
    [
        "Henkilökunnan osoitteet ovat muotoa etunimi.sukunimi@example.fi",
        "addresses are firstname.lastname(at)example.com",
        "https://3f2a9c0d41e74b52@sentry.example.org/42",
        "git clone git@git.example.org:harava/harava.git",
        "  <1141393200.5121.12.camel@laptop.example.org>",
    ],
)
def test_templates_keys_and_ids_are_not_addresses(engine, line):
    assert entities(engine, line, EMAIL) == []


def labelled(engine, values: list[str], labels: pa.Array | str) -> list[tuple[str, str]]:
    hits = engine.scan(pa.array(values, pa.large_string()), None, labels)
    return [(a.entity, t) for a, t in zip(hits.adapter, hits.text, strict=True)]


def test_a_label_is_context(engine):
    """A CSV header above the lines, a JSON key or a column header beside a value: its words count."""
    assert labelled(engine, ["Oy Esimerkki;358401234567"], "Yritys;Puhelin") == [(PHONE, "358401234567")]
    assert labelled(engine, ["Oy Esimerkki;358401234567"], "Yritys;Asiakasnumero") == []
    keys = pa.array(["asiakas.puhelin", "asiakas.numero"], pa.large_string())
    assert labelled(engine, ["358401234567", "358401234567"], keys) == [(PHONE, "358401234567")]


def test_a_label_can_say_what_a_value_is_not(engine):
    keys = pa.array(["app.version", "client_ip", "message_id", "from"], pa.large_string())
    values = ["4.12.0.1", "4.12.0.1", "<CAF1x2y3z4@mail.example.com>", "<aino@example.fi>"]
    assert labelled(engine, values, keys) == [(IP, "4.12.0.1"), (EMAIL, "aino@example.fi")]


def test_a_bounce_address_is_one_address(engine):
    line = "from=<kerho-bounces+aino.virtanen=example.fi@lists.example.org>, size=1024"
    assert entities(engine, line, EMAIL) == ["kerho-bounces+aino.virtanen=example.fi@lists.example.org"]
    assert entities(engine, "https://example.fi/?email=aino@example.fi", EMAIL) == ["aino@example.fi"]


def test_addresses_in_angle_brackets_are_addresses(engine):
    line = "To: Aino <aino@example.fi>, <eino@example.fi>"
    assert entities(engine, line, EMAIL) == ["aino@example.fi", "eino@example.fi"]


# --- IP addresses ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "written", "canonical", "detail"),
    [
        ("client=mail.example.org[::ffff:198.51.100.20]", "[::ffff:198.51.100.20]", "198.51.100.20", "mapped"),
        ("Client ::ffff:198.51.100.194:21 connected", "::ffff:198.51.100.194:21", "198.51.100.194", "mapped"),
        ("connect from host.example.org[203.0.113.5]", "203.0.113.5", "203.0.113.5", None),
        ("Client ::ffff:198.51.100.194:21 connected", "::ffff:198.51.100.194:21", "198.51.100.194", "port 21"),
        ("data 233.252.0.234:21 ok", "233.252.0.234:21", "233.252.0.234", "port 21"),
        ("from [2001:db8::7]:443 ok", "[2001:db8::7]:443", "2001:db8::7", "port 443"),
    ],
)
def test_ip_forms_of_server_logs(engine, line, written, canonical, detail):
    assert entities(engine, line, IP) == [written]
    assert ip.compact(written) == canonical
    notes = ip.detail_array(pa.array([written], pa.large_string()))
    note = None if notes is None else notes[0].as_py()
    assert note == detail if detail is None else detail in note


def test_proftpd_writes_the_address_twice(engine):
    line = "host.example.org (::ffff:192.0.2.1[::ffff:192.0.2.1]) - FTP session opened."
    assert entities(engine, line, IP) == ["::ffff:192.0.2.1", "[::ffff:192.0.2.1]"]


@pytest.mark.parametrize(
    "line",
    [
        "RSA key fingerprint is 8c:e3:aa:0f:64:51:02:f7:14:79:89:3f:65:84:7c:30.",
        "ED25519 key fingerprint is MD5:de:ad:be:ef:00:11:22:33:44:55:66:77:88:99:aa:bb",
        "ether 00:1a:2b:3c:4d:5e txqueuelen 1000",
        "Mozilla/5.0 Chrome/119.0.6045.105 Safari/537.36",
        "227 Entering Passive Mode (192,0,2,5,195,80)",
    ],
)
def test_no_ip_addresses_in_fingerprints_and_versions(engine, line):
    assert entities(engine, line, IP) == []


@settings(max_examples=200, deadline=None)
@given(address=st.ip_addresses(v=4))
def test_a_mapped_address_is_the_ipv4_host(address):
    mapped = ipaddress.IPv6Address(f"::ffff:{address}")
    for written in (f"::ffff:{address}", f"[::ffff:{address}]", f"::ffff:{address}:8080", mapped.exploded):
        assert ip.compact(written) == str(address)


# --- mail headers ---------------------------------------------------------------------------------

LIST_MESSAGE = b"""\
Return-Path: <kerho-bounces@lists.example.org>
Delivered-To: aino.virtanen@example.fi
X-Original-To: jasenet@example.fi
Received: from mail.example.org (mail.example.org [::ffff:198.51.100.20])
\tby mx.example.fi (Postfix) with ESMTPS id 4F2A1C0
\tfor <aino.virtanen@example.fi>; Tue, 3 Mar 2026 10:12:01 +0200 (EET)
DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=s1; b=dGVzdA+358401234567
From: Eino Esimerkki <eino.esimerkki@example.com>
Reply-To: kerho@lists.example.org
To: kerho@lists.example.org
Resent-From: valvoja@example.org
Resent-To: arkisto@example.org
List-Id: Kerhon keskustelu <kerho.lists.example.org>
List-Post: <mailto:kerho@lists.example.org>
X-Mailing-List: <kerho-lista@example.org>
Message-ID: <44087D8C.9090407@example.ch>
In-Reply-To: <20260302.1a2b3c@mail.example.com>
References: <20260301.0f0e@mail.example.com> <20260302.1a2b3c@mail.example.com>
Subject: Kokous
Content-Type: text/plain; charset=utf-8

Hei, numeroni on 040 765 4321.
"""


def test_every_header_that_can_carry_an_address_is_read(engine):
    limits = Limits()
    outputs = list(mail.eml(io.BytesIO(LIST_MESSAGE), "lista.eml", None, 0, limits, Budget(limits), 1 << 20))
    found: dict[str, set[str]] = {}
    for out in outputs:
        if isinstance(out, Piece):
            hits = engine.scan(out.lines, out.hints)
            for group in hits.groups:
                for location, value in zip(out.locate(group).to_pylist(), group.text.to_pylist(), strict=True):
                    found.setdefault(group.adapter.entity, set()).add(f"{json.loads(location).get('header')}:{value}")
    assert found[EMAIL] == {
        "Return-Path:kerho-bounces@lists.example.org",
        "Delivered-To:aino.virtanen@example.fi",
        "X-Original-To:jasenet@example.fi",
        "Received:aino.virtanen@example.fi",
        "From:eino.esimerkki@example.com",
        "Reply-To:kerho@lists.example.org",
        "To:kerho@lists.example.org",
        "Resent-From:valvoja@example.org",
        "Resent-To:arkisto@example.org",
        "List-Post:kerho@lists.example.org",
        "X-Mailing-List:kerho-lista@example.org",
    }
    assert found[IP] == {"Received:[::ffff:198.51.100.20]"}
    assert found[PHONE] == {"None:040 765 4321"}  # the body's; none from the signature's blob


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "1697035972.123 87 192.0.2.70 TCP_MISS/200 1834 GET http://x.example/ - HIER_DIRECT/198.51.100.9 -",
            ["192.0.2.70", "198.51.100.9"],
        ),
        ("Palvelin päivitettiin versioon 7.2.5.1 eilen", []),
        ("User-Agent: KoivurantaApp/3.2.1.0 (iPhone)", []),
    ],
)
def test_squid_peers_are_addresses_and_product_versions_are_not(engine, line, expected):
    assert entities(engine, line, IP) == expected


def test_a_login_target_is_no_address(engine):
    assert entities(engine, "$ ssh admin@bastion.example.fi", EMAIL) == []
    assert entities(engine, "lähetä admin@bastion.example.fi", EMAIL) == ["admin@bastion.example.fi"]


def test_html_comments_are_read(engine):
    from scanner.extract.html import html_text

    text = html_text("<p>Hei</p><!-- palvelin web-02 (10.53.172.138), yhteys aino@example.fi -->")
    assert "10.53.172.138" in text and "aino@example.fi" in text


def test_a_csv_header_with_digits_in_its_names_is_a_header(engine, tmp_path):
    from scanner.extract.structured import csv_pieces

    data = b"First Name,E-mail 2 Address,Mobile Phone\nAino,aino@example.fi,358401234567\n"
    limits = Limits()
    pieces = [p for p in csv_pieces(io.BytesIO(data), "c.csv", None, 0, limits, Budget(limits), 1 << 20)]
    assert isinstance(pieces[0], Piece)
    assert pieces[0].labels.to_pylist() == ["First Name", "E-mail 2 Address", "Mobile Phone"] * 2
    hits = engine.scan(pieces[0].lines, pieces[0].hints, pieces[0].labels)
    assert sorted(hits.text) == ["358401234567", "Aino", "aino@example.fi"]  # "First Name" names its column


@pytest.mark.parametrize(
    ("line", "entity", "expected"),
    [
        ("src:192.0.2.1 dst:198.51.100.2", IP, ["192.0.2.1", "198.51.100.2"]),
        ("IP-osoite:192.0.2.1", IP, ["192.0.2.1"]),
        ("aino.virtanen/198.51.100.23:51234 MULTI: primary virtual IP", IP, ["198.51.100.23:51234"]),
        ("Bcast:255.255.255.255 Mask:255.255.255.0", IP, ["255.255.255.0"]),
        ("Lähetä aino.virtanen@example.fi:lle tieto", EMAIL, ["aino.virtanen@example.fi"]),
        ("aino@example.fi:Salasana123", EMAIL, ["aino@example.fi"]),
        ("Cc: <aino@example.fi> <matti@example.fi>", EMAIL, ["aino@example.fi", "matti@example.fi"]),
        ("ebba1995@example.fi, fede1987@example.fi", EMAIL, ["ebba1995@example.fi", "fede1987@example.fi"]),
        ("Vaihtoehto (a) yle.fi tai (b) example.fi", EMAIL, []),
        ("scp raportti.pdf admin@host.example.fi:/srv/", EMAIL, []),
        ("aino%40virtanen(at)example.fi", EMAIL, []),
    ],
)
def test_what_a_review_of_the_rules_found(engine, line, entity, expected):
    assert entities(engine, line, entity) == expected


def test_a_label_refuses_by_its_own_key_only(engine):
    keys = pa.array(["references[0].email", "build.runner_ip", "meta.version"], pa.large_string())
    values = ["aino@example.fi", "192.0.2.1", "4.12.0.1"]
    assert labelled(engine, values, keys) == [(EMAIL, "aino@example.fi"), (IP, "192.0.2.1")]


def test_masks_hide_the_subscriber_and_the_mailbox():
    assert phone.mask("+358 (09) 123 4567") == "+358 (09) *** **67"
    assert email.mask("aino.virtanen%2Buutiset%40example.fi") == "a***@example.fi"
    assert email.compact("aino.virtanen%2Buutiset%40example.fi") == "aino.virtanen+uutiset@example.fi"
