"""E-mail read as a stream: the findings the whole-message parser gave, memory that does not grow with a
message, and broken or hostile mail reported rather than raised.

The whole-message reader that the streaming one replaced is kept here as the reference: every message of
the corpus must give the same findings (entity, member, location, value) through both, with the default
buffers and with tiny ones (so that every chunk edge a large message meets is met in a small one).
"""

from __future__ import annotations

import base64
import binascii
import io
import itertools
import json
import os
import quopri
import random
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import BinaryIO

import pytest

from scanner.extract import (
    CODES,
    Budget,
    Limits,
    Output,
    Piece,
    Unreadable,
    cells_piece,
    extract,
    extractor,
    join,
    mail,
    scrubbed,
    text_pieces,
    unregister,
)
from scanner.extract.html import html_text
from scanner.extract.text import BLOCK_SIZE
from tests.test_formats import docx_bytes, xlsx_bytes
from tests.test_registers import _pdf

ROOT = Path(__file__).resolve().parent.parent
HETU, PHONE = "131052-308T", "040 123 4567"
HETU_ENTITY = "FI_PERSONAL_IDENTITY_CODE"


# --- the reference: the whole-message reader -----------------------------------------------------------


def old_eml(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    try:
        message = BytesParser(policy=policy.default).parse(stream)
    except Exception as exc:
        yield Unreadable(member, f"corrupt e-mail: {scrubbed(exc)}")
        return
    texts, locations = [], []
    for header in mail.read_headers(message):
        for value in message.get_all(header, []):
            texts.append(str(value))
            locations.append({"header": header})
    if texts:
        yield cells_piece(member, texts, locations)
    for number, part in enumerate(message.walk(), start=1):
        if not part.is_multipart():
            yield from _old_part(part, number, member, depth, limits, budget, block_size)


def _old_part(
    part: EmailMessage, number: int, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    filename = part.get_filename()
    try:
        payload = part.get_payload(decode=True) or b""
    except Exception as exc:
        yield Unreadable(member, f"part {number}: cannot decode: {scrubbed(exc)}")
        return
    if filename or part.get_content_disposition() == "attachment":
        attachment = join(member, f"attachment:{filename or f'part{number}'}")
        if depth + 1 > limits.max_depth:
            yield Unreadable(attachment, f"nested deeper than {limits.max_depth} containers (max_depth)", "limit")
            return
        yield from extract(
            io.BytesIO(payload), filename or f"part{number}", attachment, depth + 1, limits, budget, block_size
        )
    elif part.get_content_maintype() == "text":
        try:
            text = part.get_content()
        except (LookupError, UnicodeError):
            text = payload.decode("utf-8", errors="replace")
        if part.get_content_subtype() == "html":
            text = html_text(text)
        yield from text_pieces(io.BytesIO(text.encode("utf-8")), member, block_size, f', "part": {number}')


def old_mbox(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    number, lines = 0, []

    def flush() -> Iterator[Output]:
        if lines:
            yield from old_eml(
                io.BytesIO(b"".join(lines)), name, join(member, f"message {number}"), depth, limits, budget, block_size
            )

    for line in stream:
        if line.startswith(b"From ") and (not lines or lines[-1] in (b"\n", b"\r\n")):
            yield from flush()
            number, lines = number + 1, []
            continue
        lines.append(line[1:] if line.startswith(b">From ") else line)
    yield from flush()


# --- reading and comparing ---------------------------------------------------------------------------------

Reader = Callable[..., Iterator[Output]]


def read(reader: Reader, data: bytes, limits: Limits | None = None) -> list[Output]:
    limits = limits or Limits()
    return list(reader(io.BytesIO(data), "viesti.eml", None, 0, limits, Budget(limits), BLOCK_SIZE))


def findings(engine, outputs: list[Output]) -> list[tuple]:
    """(entity, member, location, value) of every hit, sorted."""
    found = []
    for out in outputs:
        if isinstance(out, Piece):
            hits = engine.scan(out.lines, out.hints)
            for group in hits.groups:
                locations = out.locate(group).to_pylist()
                for location, value in zip(locations, group.text.to_pylist(), strict=True):
                    where = json.dumps(json.loads(location), sort_keys=True)
                    found.append((group.adapter.entity, out.member or "", where, value))
    return sorted(found)


def problems(outputs: list[Output]) -> list[Unreadable]:
    return [out for out in outputs if isinstance(out, Unreadable)]


def loc(**location) -> str:
    return json.dumps(location, sort_keys=True)


# --- the corpus --------------------------------------------------------------------------------------------


def multipart(head: str, boundary: str, parts: list[tuple[str, bytes]], close: bool = True, **extra: bytes) -> bytes:
    """A message or part from literal pieces: ``head`` (its headers), then each part's headers and body
    between boundary lines; ``preamble`` and ``epilogue`` may be given."""
    out = [head.encode() + b"\n\n" + extra.get("preamble", b"")]
    for headers, body in parts:
        out.append(f"--{boundary}\n{headers}\n\n".encode() + body + b"\n")
    if close:
        out.append(f"--{boundary}--\n".encode() + extra.get("epilogue", b""))
    return b"".join(out)


def alternative() -> bytes:
    message = EmailMessage()
    message["From"] = "Aino Mäkinen <aino@example.fi>"
    message["To"] = "Eino Virtanen <eino.virtanen@example.fi>, tuki@example.fi"
    message["Cc"] = "kirjaamo@example.fi"
    message["Subject"] = f"Soita {PHONE}"
    message["Received"] = "from posti.example.fi ([192.0.2.10]) by mx.example.fi"
    message["X-Originating-IP"] = "[192.0.2.44]"
    message.set_content(f"Hei,\n\nhetuni on {HETU}.\nPuhelin {PHONE}.\n", charset="utf-8", cte="quoted-printable")
    message.add_alternative(
        f"<html><body><p>Hetu <b>{HETU}</b></p>\n<p><a href='mailto:aino@example.fi'>Aino</a>"
        f" ja <a href='tel:{PHONE}'>soita</a></p></body></html>",
        subtype="html",
    )
    return bytes(message)


def mixed() -> bytes:
    message = EmailMessage()
    message["From"] = "aino@example.fi"
    message["To"] = "eino@example.fi"
    message["Subject"] = "Liitteet"
    message.set_content(f"Liitteenä tiedot.\nhetu {HETU}\n")
    message.add_attachment(
        f"nimi;hetu;puhelin\nAino;{HETU};{PHONE}\n".encode(), maintype="text", subtype="csv", filename="asiakkaat.csv"
    )
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("kansio/muistio.txt", f"puhelin {PHONE}\n")
    message.add_attachment(packed.getvalue(), maintype="application", subtype="zip", filename="paketti.zip")
    message.add_attachment(_pdf([f"hetu {HETU}"]), maintype="application", subtype="pdf", filename="lomake.pdf")
    sheet = "vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    message.add_attachment(xlsx_bytes(), maintype="application", subtype=sheet, filename="rekisteri.xlsx")
    document = "vnd.openxmlformats-officedocument.wordprocessingml.document"
    message.add_attachment(docx_bytes(), maintype="application", subtype=document, filename="muistio.docx")
    message.add_attachment(b"\x89PNG\r\n\x1a\n" + bytes(300), maintype="image", subtype="png")  # no name: part6
    return bytes(message)


def nested_rfc822() -> bytes:
    innermost = EmailMessage()
    innermost["From"] = "vanha@example.fi"
    innermost["Subject"] = "alin"
    innermost.set_content(f"Alin viesti, puhelin {PHONE}\n")
    inner = EmailMessage()
    inner["From"] = "Eino <eino@example.fi>"
    inner["Subject"] = f"hetu {HETU}"
    inner.set_content(f"Alkuperäinen viesti: puhelin {PHONE}\n", charset="iso-8859-1", cte="8bit")
    inner.add_alternative(f"<p>hetu {HETU}</p>", subtype="html")
    inner.add_attachment(b"ip 192.0.2.7\n", maintype="text", subtype="plain", filename="loki.txt")
    inner.add_attachment(innermost)
    outer = EmailMessage()
    outer["From"] = "aino@example.fi"
    outer["Subject"] = "Fwd"
    outer.set_content("Välitän viestin.\n")
    outer.add_attachment(inner)
    return bytes(outer)


def encoded_headers() -> bytes:
    subject = base64.b64encode(f"Hetu {HETU} ja puhelin {PHONE}".encode()).decode()
    head = (
        "From: =?utf-8?q?Aino_M=C3=A4kinen?= <aino@example.fi>\n"
        'To: =?iso-8859-1?q?Eino_J=E4rvinen?= <eino@example.fi>, "Tuki" <tuki@example.fi>\n'
        f"Subject: =?utf-8?b?{subject}?=\n"
        "Reply-To: =?utf-8?q?Kirjaamo_=E2=80=93_Example?= <kirjaamo@example.fi>\n"
        'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="raja-1"'
    )
    return multipart(
        head,
        "raja-1",
        [
            (
                "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit",
                f"Hei Äiti, soita {PHONE}.".encode(),
            ),
            (
                'Content-Type: text/plain; name="=?utf-8?q?asiakasrekisteri_=C3=A4.txt?="\n'
                'Content-Disposition: attachment; filename="=?utf-8?q?asiakasrekisteri_=C3=A4.txt?="\n'
                "Content-Transfer-Encoding: base64",
                base64.encodebytes(f"liite: {HETU}\n".encode()).rstrip(),
            ),
            (
                "Content-Type: text/csv; charset=utf-8\nContent-Disposition: attachment; filename*=utf-8''j%C3%A4senet%202026.csv",
                f"nimi,puhelin\nÄijä,{PHONE}".encode(),
            ),
            (
                "Content-Type: text/plain\n"
                "Content-Disposition: attachment; filename*0*=utf-8''pitk%C3%A4%20nimi%20; filename*1=\"osa2.txt\"",
                f"hetu {HETU}".encode(),
            ),
            ("Content-Type: text/plain; name=tiedot.txt", f"vain nimi: {HETU}".encode()),
        ],
    )


def charsets() -> bytes:
    def part(charset: str, cte: str, text: str, subtype: str = "plain") -> tuple[str, bytes]:
        data = text.encode(charset)
        body = {
            "7bit": data,
            "8bit": data,
            "quoted-printable": quopri.encodestring(data),
            "base64": base64.encodebytes(data),
        }[cte]
        return f"Content-Type: text/{subtype}; charset={charset}\nContent-Transfer-Encoding: {cte}", body.rstrip(b"\n")

    return multipart(
        "From: aino@example.fi\nSubject: merkistöt\nContent-Type: multipart/mixed; boundary=m",
        "m",
        [
            part("latin-1", "8bit", f"Äiti Åsa: {HETU} ja {PHONE}\n"),
            part("iso-8859-15", "quoted-printable", f"Hinta 5 €, Šárka {HETU}\nÖljy {PHONE}\n"),
            part("utf-8", "base64", f"Ääkköset ja 🙂 {HETU}\n" * 3),
            part("windows-1252", "8bit", f"“Lainaus” – {HETU}\n"),
            part("iso-8859-15", "quoted-printable", f"<p>Žaneta € {HETU}</p><p>{PHONE}</p>", "html"),
            part("us-ascii", "7bit", f"ascii {HETU}\n"),
            (
                "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit",
                f"rikki \xff\xfe {HETU}".encode("latin-1"),
            ),
            ("Content-Type: text/plain; charset=x-tuntematon", f"tuntematon merkistö {HETU}".encode()),
        ],
    )


def qp_soft_breaks() -> bytes:
    body = (
        "Asiakkaan hetu on 131052-=\n308T ja puhelin 040 =\n123 4567, =C3=A4iti =3D ok\n"
        + quopri.encodestring(f"{'pitkä rivi ' * 20}{HETU} {'ja lisää ' * 15}{PHONE}\n".encode()).decode()
        + "viimeinen rivi ilman rivinvaihtoa=\n"
        + f"{HETU}=20\nrikkinäinen =ZZ escape {PHONE}=\n"
    ).encode()
    return multipart(
        "From: aino@example.fi\nContent-Type: multipart/alternative; boundary=q",
        "q",
        [("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable", body)],
    )


def odd_base64(text: bytes) -> bytes:
    encoded = base64.b64encode(text).decode()
    lines, start = [], 0
    for width in itertools.cycle([1, 5, 17, 60, 3, 76, 2, 33]):
        if start >= len(encoded):
            break
        lines.append(encoded[start : start + width] + (" \t" if width == 17 else ""))
        start += width
    return "\n".join(lines).encode()


def base64_odd_lines() -> bytes:
    text = "".join(f"rivi {n}: hetu {HETU}, puhelin {PHONE}\n" for n in range(40)).encode()
    return multipart(
        "From: aino@example.fi\nContent-Type: multipart/mixed; boundary=b",
        "b",
        [
            ("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64", odd_base64(text)),
            (
                'Content-Type: text/plain\nContent-Disposition: attachment; filename="lista.txt"\n'
                "Content-Transfer-Encoding: BASE64",
                odd_base64(text[:1001]),
            ),
        ],
    )


def missing_final_boundary() -> bytes:
    return multipart(
        "From: aino@example.fi\nContent-Type: multipart/mixed; boundary=x",
        "x",
        [
            ("Content-Type: text/plain", f"runko {HETU}".encode()),
            (
                'Content-Type: text/csv\nContent-Disposition: attachment; filename="viimeinen.csv"',
                f"a,b\n1,{PHONE}".encode(),
            ),
        ],
        close=False,
    )


def nested_missing_close() -> bytes:
    inner = multipart(
        "Content-Type: multipart/alternative; boundary=sisa",
        "sisa",
        [
            ("Content-Type: text/plain; charset=utf-8", f"sisä {HETU}".encode()),
            ("Content-Type: text/html", f"<b>{PHONE}</b>".encode()),
        ],
        close=False,
    )
    head, _, body = inner.partition(b"\n\n")
    return multipart(
        "From: aino@example.fi\nContent-Type: multipart/mixed; boundary=ulko",
        "ulko",
        [
            (head.decode(), body.rstrip(b"\n")),
            ('Content-Disposition: attachment; filename="perässä.txt"', f"liite {HETU}".encode()),
        ],
    )


def digest() -> bytes:
    return multipart(
        "From: lista@example.fi\nSubject: koonti\nContent-Type: multipart/digest; boundary=d",
        "d",
        [
            ("", f"From: a@example.fi\nSubject: eka\n\nhetu {HETU}".encode()),
            ("", f"From: b@example.fi\nSubject: toka\nContent-Type: text/plain; charset=utf-8\n\npuh {PHONE}".encode()),
            ("Content-Type: text/plain", f"tavallinen osa {HETU}".encode()),
        ],
    )


def delivery_report() -> bytes:
    status = (
        "Reporting-MTA: dns; mx.example.fi\n\n"
        "Final-Recipient: rfc822; eino@example.fi\nAction: failed\nStatus: 5.1.1\n"
        f"hetu {HETU} mainittu tekstissä\n\n"
        "Final-Recipient: rfc822; toka@example.fi\nAction: delayed"
    )
    return multipart(
        "From: MAILER-DAEMON@example.fi\nSubject: palautus\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=r",
        "r",
        [
            ("Content-Type: text/plain", b"Viestia ei voitu toimittaa osoitteeseen eino@example.fi."),
            ("Content-Type: message/delivery-status", status.encode()),
            ("Content-Type: message/rfc822", f"From: aino@example.fi\nTo: eino@example.fi\n\npuhelin {PHONE}".encode()),
            ("Content-Type: text/rfc822-headers", b"From: aino@example.fi\nTo: eino@example.fi"),
        ],
    )


def preamble_epilogue() -> bytes:
    return multipart(
        "From: aino@example.fi\nContent-Type: multipart/mixed; boundary=p",
        "p",
        [("Content-Type: text/plain", f"runko {PHONE}".encode())],
        preamble=f"Tämä on johdanto {HETU}\n".encode(),
        epilogue=f"jälkisanat {PHONE}\n".encode(),
    )


def structure() -> bytes:
    related = multipart(
        "Content-Type: multipart/related; boundary=rel",
        "rel",
        [
            (
                "Content-Type: text/html; charset=utf-8",
                f"<p>kuva ja {HETU}</p><img src='cid:k1' alt='{PHONE}'>".encode(),
            ),
            ("Content-Type: image/png\nContent-ID: <k1>\nContent-Disposition: inline", b"\x89PNG\r\n\x1a\n\x00\x00"),
        ],
    )
    alternative = multipart(
        "Content-Type: multipart/alternative; boundary=alt",
        "alt",
        [("Content-Type: text/plain", f"teksti {HETU}".encode()), *_split(related)],
    )
    inner_mail = f"From: sisä@example.fi\nTo: eino@example.fi\nSubject: vanha\n\nvanha viesti {HETU}\n".encode()
    return multipart(
        "From: aino@example.fi\nContent-Type: multipart/mixed; boundary=mix",
        "mix",
        [
            *_split(alternative),
            ("Content-Type: text/plain\nContent-Disposition: attachment", f"nimetön liite {PHONE}".encode()),
            (
                'Content-Type: application/octet-stream\nContent-Disposition: attachment; filename="tiedot.txt"\n'
                "Content-Transfer-Encoding: 8bit",
                f"oktetit {HETU}".encode(),
            ),
            ('Content-Type: application/octet-stream; name="vanha.eml"', inner_mail),
            ("Content-Type: application/json", b'{"hetu": "131052-308T"}'),
        ],
    )


def _split(part: bytes) -> list[tuple[str, bytes]]:
    head, _, body = part.partition(b"\n\n")
    return [(head.decode(), body.rstrip(b"\n"))]


def dashes() -> bytes:
    body = (
        f"Hei,\n-- \nAino, {PHONE}\n--raja-2x {HETU}\n--raja-2 x\n---raja-2\n--raja-2---\n--\n-- raja-2\nloppu {HETU}"
    ).encode()
    return (
        b"From: aino@example.fi\nContent-Type: multipart/mixed; boundary=raja-2\n\n"
        b"--raja-2  \n--raja-2\nContent-Type: text/plain\n\n" + body + b"\n--raja-2\t\n"
        b"Content-Type: text/plain\n\ntoinen " + PHONE.encode() + b"\n--raja-2--\t \nepilogi\n"
    )


def uuencoded() -> bytes:
    data = f"hetu {HETU}\npuhelin {PHONE}\n".encode() * 3
    lines = b"".join(binascii.b2a_uu(data[i : i + 45]) for i in range(0, len(data), 45))
    return multipart(
        "From: aino@example.fi\nContent-Type: multipart/mixed; boundary=u",
        "u",
        [
            (
                'Content-Type: text/plain\nContent-Disposition: attachment; filename="tiedot.txt"\n'
                "Content-Transfer-Encoding: x-uuencode",
                b"begin 644 tiedot.txt\n" + lines + b"`\nend",
            ),
            ("Content-Type: text/plain\nContent-Transfer-Encoding: x-uuencode", f"ei uuencodea {PHONE}".encode()),
        ],
    )


def header_oddities() -> bytes:
    return (
        b"From sender@example.fi Mon Nov 23 04:00:00 2026\n"
        b"From: aino@example.fi\nSubject: alku\n\tjatkorivi " + HETU.encode() + b"\nFrom nobody\n\n"
        b"hetu " + HETU.encode() + b"\n"
    )


def lone_carriage_returns() -> bytes:
    """A carriage return alone ends a header line for the parser: what follows it may be the body."""
    return (
        b"From: aino@example.fi\nSubject: eka\rtoka " + HETU.encode() + b"\nTo: eino@example.fi\n\n"
        b"runko " + PHONE.encode() + b"\r\n"
    )


def no_separator() -> bytes:
    return f"From: aino@example.fi\nSubject: ei tyhjaa rivia\nTama on runko {HETU}\nTo: ei@example.fi\n".encode()


def plain_rfc822() -> bytes:
    return f"From: aino@example.fi\nTo: eino@example.fi\nSubject: vanha\n\nrivi 1\nrivi 2 {HETU}\n{PHONE}".encode()


def odd_types() -> bytes:
    return multipart(
        "From: aino@example.fi\nContent-Type: multipart/mixed; boundary=o",
        "o",
        [
            ("Content-Type: text", f"ei alalajia {HETU}".encode()),
            ("Content-Type: multipart/mixed", f"ei rajaa {PHONE}".encode()),
            ('Content-Type: multipart/mixed; boundary="eiloydy"', f"raja puuttuu {HETU}".encode()),
            ('Content-Type: multipart/mixed; boundary="o"', f"sama raja {HETU}".encode()),
            ("Content-Type: text/plain", f"lopuksi {PHONE}".encode()),
        ],
    )


def prefix_boundaries() -> bytes:
    inner = multipart(
        'Content-Type: multipart/alternative; boundary="abcd"',
        "abcd",
        [("Content-Type: text/plain", f"sisa {HETU}\n--abc-\n--abcde".encode())],
    )
    return multipart(
        'From: aino@example.fi\nContent-Type: multipart/mixed; boundary="abc"',
        "abc",
        [*_split(inner), ("Content-Type: text/plain", f"ulko {PHONE}".encode())],
    )


def large() -> bytes:
    """Parts larger than a read block: plain, base64, quoted-printable, HTML."""
    lines = [
        f"rivi {n}: {'täytettä ' * (n % 13)}{HETU if n % 37 == 0 else 'ei mitään'} {PHONE if n % 53 == 0 else ''}\n"
        for n in range(16_000)
    ]
    text = "".join(lines).encode()
    html = "".join(f"<p class='r{n}'>{line}</p>\n" for n, line in enumerate(lines)).encode()
    return multipart(
        "From: aino@example.fi\nContent-Type: multipart/mixed; boundary=iso",
        "iso",
        [
            ("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit", text),
            (
                "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable",
                quopri.encodestring(text),
            ),
            (
                'Content-Type: text/plain\nContent-Disposition: attachment; filename="iso.txt"\nContent-Transfer-Encoding: base64',
                base64.encodebytes(text),
            ),
            ("Content-Type: text/html; charset=utf-8", html),
        ],
    )


def crlf(build: Callable[[], bytes]) -> Callable[[], bytes]:
    return lambda: build().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


CORPUS: dict[str, Callable[[], bytes]] = {
    "alternative": alternative,
    "mixed": mixed,
    "nested-rfc822": nested_rfc822,
    "encoded-headers": encoded_headers,
    "charsets": charsets,
    "qp-soft-breaks": qp_soft_breaks,
    "base64-odd-lines": base64_odd_lines,
    "missing-final-boundary": missing_final_boundary,
    "nested-missing-close": nested_missing_close,
    "digest": digest,
    "delivery-report": delivery_report,
    "preamble-epilogue": preamble_epilogue,
    "structure": structure,
    "dashes": dashes,
    "uuencoded": uuencoded,
    "header-oddities": header_oddities,
    "no-separator": no_separator,
    "lone-carriage-returns": lone_carriage_returns,
    "plain-rfc822": plain_rfc822,
    "odd-types": odd_types,
    "prefix-boundaries": prefix_boundaries,
    "large": large,
    "crlf-alternative": crlf(alternative),
    "crlf-mixed": crlf(mixed),
    "crlf-encoded-headers": crlf(encoded_headers),
    "crlf-qp-soft-breaks": crlf(qp_soft_breaks),
    "crlf-base64-odd-lines": crlf(base64_odd_lines),
    "crlf-structure": crlf(structure),
    "crlf-missing-final-boundary": crlf(missing_final_boundary),
}

#: Messages whose content the standard parser does not see (and so neither reader scans), now reported.
REPORTED = {"odd-types"}


@pytest.fixture(params=["blocks", "tiny-blocks"])
def buffers(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The default buffers, or tiny ones: every edge of a read block, a line cut in pieces, a boundary
    line split between reads, in messages small enough to list."""
    if request.param == "tiny-blocks":
        monkeypatch.setattr(mail, "BLOCK", 61)
        monkeypatch.setattr(mail, "_LOOKAHEAD", 8)
        monkeypatch.setattr(mail, "LINE_MAX", 300)
    return request.param


@pytest.mark.parametrize("name", list(CORPUS))
def test_same_findings_as_the_whole_message_parser(engine, buffers, name):
    """Streaming must not change what a scan reports: the same parts, numbered the same, decoded the same."""
    data = CORPUS[name]()
    before = findings(engine, read(old_eml, data))
    outputs = read(mail.eml, data)
    assert findings(engine, outputs) == before
    assert before, "every message of the corpus has something to find"
    if name not in REPORTED:
        assert problems(outputs) == []


def test_the_corpus_reaches_what_it_is_meant_to(engine):
    """The corpus really exercises what it is built for (names decoded by RFC 2047 and 2231, nested
    archives, a code split by a soft line break), so that the comparison above means something."""
    members = set()
    locations = set()
    for build in CORPUS.values():
        for entity, member, location, _ in findings(engine, read(mail.eml, build())):
            members.add(member)
            locations.add((entity, location))
    assert {
        "attachment:asiakasrekisteri ä.txt",  # RFC 2047 in a quoted parameter
        "attachment:jäsenet 2026.csv",  # RFC 2231
        "attachment:pitkä nimi osa2.txt",  # RFC 2231 continuations
        "attachment:tiedot.txt",
        "attachment:paketti.zip/kansio/muistio.txt",
        "attachment:lomake.pdf",
        "attachment:rekisteri.xlsx/Asiakkaat",
        "attachment:muistio.docx",
        "attachment:vanha.eml",
        "attachment:iso.txt",
        "attachment:viimeinen.csv",
        "attachment:perässä.txt",
        "attachment:part7",  # an attachment without a name
    } <= members
    assert (HETU_ENTITY, loc(header="Subject")) in locations
    assert (HETU_ENTITY, loc(part=2, line=1, column=19)) in locations  # split by a soft line break


def test_columns_count_characters_of_the_declared_charset(engine):
    """Locations are in characters of the decoded text, whatever the charset and transfer encoding."""
    found = findings(engine, read(mail.eml, charsets()))
    assert (HETU_ENTITY, "", loc(part=2, line=1, column=11), HETU) in found  # latin-1: Ä is one character
    assert (HETU_ENTITY, "", loc(part=4, line=2, column=15), HETU) in found  # utf-8 in base64: 🙂 is one


# --- mailboxes ---------------------------------------------------------------------------------------------


def mailbox(crlf_ends: bool = False) -> bytes:
    first = EmailMessage()
    first["From"], first["Subject"] = "a@example.fi", "1"
    first.set_content(f"hetu {HETU}\nFrom here on the line starts with From\n\nFrom the start of a paragraph\n")
    second = EmailMessage()
    second["From"], second["Subject"] = "b@example.fi", "2"
    second.set_content(f"puh. {PHONE}\n>From ei lainattu\n")
    envelope = b"From sender@example.fi Mon Nov 23 04:00:00 2026\n"
    messages = [bytes(first), bytes(second), mixed(), large(), structure()]
    body = b"".join(envelope + m.replace(b"\nFrom ", b"\n>From ") + b"\n" for m in messages)
    body += envelope + envelope + no_separator()  # an empty message, then one more
    body += (
        b"From x\n" + b"From y@example.fi Mon Nov 23 04:00:00 2026\n" + b"From: c@example.fi\n\nvika " + HETU.encode()
    )
    return body.replace(b"\n", b"\r\n") if crlf_ends else body


@pytest.mark.parametrize("crlf_ends", [False, True], ids=["lf", "crlf"])
def test_mbox_same_findings_as_before(engine, buffers, crlf_ends):
    """Messages split where they were (a From line after an empty one), quoted From lines unquoted."""
    data = mailbox(crlf_ends)
    before = findings(engine, read(old_mbox, data))
    outputs = read(mail.mbox, data)
    assert findings(engine, outputs) == before
    assert problems(outputs) == []
    assert {member.split("/")[0] for _, member, _, _ in before} == {f"message {n}" for n in (1, 2, 3, 4, 5, 7)}


def test_an_mbox_message_never_reads_into_the_next(engine):
    """A message cut off in the middle of an attachment ends at the next From line all the same."""
    cut = mixed()[:1500]
    data = b"From a\n" + cut + b"\n\nFrom b\nFrom: b@example.fi\n\nhetu " + HETU.encode() + b"\n"
    found = findings(engine, read(mail.mbox, data))
    assert (HETU_ENTITY, "message 2", loc(part=1, line=1, column=6), HETU) in found


# --- broken and hostile mail -------------------------------------------------------------------------------


def truncated_base64(characters: int) -> bytes:
    """A message cut off inside its base64 attachment, after so many characters of it."""
    encoded = base64.b64encode(f"liite {HETU}\n".encode() * 20)[:characters]
    return multipart(
        "From: aino@example.fi\nContent-Type: multipart/mixed; boundary=t",
        "t",
        [
            ("Content-Type: text/plain", f"runko {HETU}".encode()),
            (
                'Content-Type: text/plain\nContent-Disposition: attachment; filename="katkaistu.txt"\n'
                "Content-Transfer-Encoding: base64",
                b"\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76)),
            ),
        ],
        close=False,
    )


def broken_mail() -> dict[str, bytes]:
    return {
        "nul-in-headers": f"From: aino\x00@example.fi\nSubject: a\x00b {HETU}\n\nrunko {PHONE}\x00\n".encode(),
        "unparseable-address": f'From: aino@example.fi\nTo: aino.m@example.fi, "\nCc: "\n\nrunko {HETU}\n'.encode(),
        "bad-encoded-words": b"From: =?utf-8?q?=FF=FE?= <a@example.fi>\nSubject: =?no-such?b?!!!?= =?utf-8?b?@@?=\n\nrunko\n",
        "bytes-codec-as-charset": b"Content-Type: text/plain; charset=base64\n\nei merkist\xf6 " + PHONE.encode(),
        "bad-charset": b'From: a@example.fi\nContent-Type: text/plain; charset="utf-8\x00x"\n\nrunko '
        + HETU.encode()
        + b"\n",
        "latin-1-declared-utf-8": b"Content-Type: text/plain; charset=utf-8\n\n\xc4iti " + HETU.encode() + b"\n",
        "bad-rfc2231": b"Content-Type: text/plain\nContent-Disposition: attachment; filename*=bogus''%ZZ%\n\nx "
        + HETU.encode(),
        "bad-content-type": b"Content-Type: ;;;==\x00/\nContent-Disposition: \x00\n\nrunko " + HETU.encode(),
        "truncated-base64-1": truncated_base64(381),  # a quantum of one character: nothing to decode
        "truncated-base64-2": truncated_base64(382),  # of two, one byte, the padding missing
        "truncated-base64-0": truncated_base64(384),  # whole quanta
        "base64-garbage": multipart(
            "Content-Type: multipart/mixed; boundary=g",
            "g",
            [("Content-Type: text/plain\nContent-Transfer-Encoding: base64", b"!!!*** \x00\xff ===\nQQ==QUJD\n====")],
        ),
        "binary-headers": bytes(range(256)) * 4 + b"\n\n" + HETU.encode(),
    }


@pytest.mark.parametrize("name", list(broken_mail()))
def test_broken_mail_is_reported_never_raised(engine, name):
    """A hostile or damaged message costs one error row at most, never the scan; and no reason quotes
    the data it could not read."""
    outputs = read(mail.eml, broken_mail()[name])
    for problem in problems(outputs):
        assert problem.code in CODES
        assert HETU not in problem.reason and "example.fi" not in problem.reason and "\x00" not in problem.reason
    findings(engine, outputs)  # the pieces are well formed


def test_what_broken_mail_reports(engine):
    """What was read before the damage counts; the damage itself is named, on the part it hit."""
    cases = broken_mail()
    unparseable = read(mail.eml, cases["unparseable-address"])
    assert [(p.code, p.reason.split(":")[0]) for p in problems(unparseable)] == [
        ("corrupt", "header To"),
        ("corrupt", "header Cc"),
    ]
    found = findings(engine, unparseable)
    assert ("EMAIL_ADDRESS", "", loc(header="To"), "aino.m@example.fi") in found  # read from the raw text
    assert (HETU_ENTITY, "", loc(part=1, line=1, column=7), HETU) in found

    for name in ("truncated-base64-1", "truncated-base64-2", "truncated-base64-0"):
        outputs = read(mail.eml, cases[name])
        found = findings(engine, outputs)
        assert (HETU_ENTITY, "", loc(part=2, line=1, column=7), HETU) in found
        assert sum(1 for f in found if f[1] == "attachment:katkaistu.txt") >= 15  # what came before the cut
        reported = problems(outputs)
        if name == "truncated-base64-0":  # cut at a whole quantum: nothing to tell
            assert reported == []
        else:
            assert [(p.member, p.code) for p in reported] == [("attachment:katkaistu.txt", "corrupt")]
            assert "cut short" in reported[0].reason


def test_mutated_mail_never_raises():
    """Random damage to the corpus (bytes changed, cut, lines repeated or dropped, pieces of other
    messages spliced in): every outcome is findings or a reported part, never an exception."""
    rng = random.Random(2026)
    seeds = [build() for name, build in CORPUS.items() if name != "large"]
    tokens = [b"\n", b"\r", b"--", b"=", b"\x00", b"\xff", b"From ", b"--b\n", b"--b--\n", b"=?utf-8?q?", b"\t"]
    tokens += [b"Content-Type: multipart/mixed; boundary=b\n", b"Content-Transfer-Encoding: base64\n"]
    for _ in range(150):
        data = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 6)):
            at = rng.randint(0, len(data))
            choice = rng.random()
            if choice < 0.35:
                data[at:at] = rng.choice(tokens)
            elif choice < 0.6:
                del data[at : at + rng.randint(1, 60)]
            elif choice < 0.8:
                other = rng.choice(seeds)
                start = rng.randint(0, len(other))
                data[at:at] = other[start : start + rng.randint(1, 300)]
            else:
                data = data[:at]
        for reader, prefix in ((mail.eml, b""), (mail.mbox, b"From x\n")):
            assert all(p.code in CODES for p in problems(read(reader, prefix + bytes(data))))


def test_deep_nesting_ends_at_max_nesting_in_seconds(engine):
    """Thousands of nested multiparts cost neither stack nor minutes: the walk stops at max_nesting,
    keeping what it found above, and goes all the way down when the limit allows."""
    levels = 5_000
    lines = [
        f"From: aino@example.fi\nSubject: syvä\nContent-Type: multipart/mixed; boundary=b0\n\n--b0\n\nhetu {HETU}\n"
    ]
    lines += [f"--b{n}\nContent-Type: multipart/mixed; boundary=b{n + 1}\n\n" for n in range(levels)]
    lines.append(f"--b{levels}\n\nsyvällä {PHONE}\n")
    lines += [f"--b{n}--\n" for n in range(levels, -1, -1)]
    data = "".join(lines).encode()
    started = time.perf_counter()
    outputs = read(mail.eml, data)
    took = time.perf_counter() - started
    assert took < 20, f"{took:.1f} s"
    assert [(p.code, "(max_nesting)" in p.reason) for p in problems(outputs)] == [("limit", True)]
    found = findings(engine, outputs)
    assert (HETU_ENTITY, "", loc(part=2, line=1, column=6), HETU) in found  # what came before the limit
    assert "PHONE_NUMBER" not in {f[0] for f in found}

    deeper = Limits(max_nesting=levels + 5)
    started = time.perf_counter()
    found = findings(engine, read(mail.eml, data, deeper))
    assert time.perf_counter() - started < 60
    assert "PHONE_NUMBER" in {f[0] for f in found}  # within the limit, the whole depth is read


def test_a_huge_header_block_is_reported(engine):
    """Headers are held whole to be parsed, so their size is bounded: the message (or the part) is
    reported too large, and the parts after it are still read."""
    data = b"From: a@example.fi\n" + b"Received: from x by y\n" * 250_000 + b"\nrunko\n"
    assert [(p.code, p.reason) for p in problems(read(mail.eml, data))] == [
        ("too-large", f"part 1: header block over {mail.HEADER_MAX >> 20} MB; not read")
    ]
    part = multipart(
        "From: a@example.fi\nContent-Type: multipart/mixed; boundary=h",
        "h",
        [("X-Big: " + "x" * (mail.HEADER_MAX + 10), b"ohitettu"), ("Content-Type: text/plain", HETU.encode())],
    )
    outputs = read(mail.eml, part)
    assert [p.code for p in problems(outputs)] == ["too-large"]
    assert (HETU_ENTITY, "", loc(part=3, line=1, column=1), HETU) in findings(engine, outputs)  # the next part


def test_random_access_attachment_over_max_member_is_reported():
    """Formats that need random access are held in memory like archive members, within max_member."""
    outputs = read(mail.eml, mixed(), Limits(max_member=2000))
    too_large = {p.member for p in problems(outputs) if p.code == "too-large"}
    assert too_large == {"attachment:rekisteri.xlsx", "attachment:muistio.docx"}  # the zip and PDF are smaller


def test_a_large_html_part_is_read_as_it_is_decoded(engine):
    """An HTML part is parsed as it streams (one parser, fed in pieces): all of its text is found, none
    of its scripts, and it reads as the whole-part parser read it."""
    html = "".join(f"<p title='{n}'>rivi {n}: {HETU}</p>\n<script>var x = '{PHONE}';</script>" for n in range(30_000))
    data = multipart(
        "Content-Type: multipart/mixed; boundary=h",
        "h",
        [
            (
                "Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64",
                base64.encodebytes(html.encode()),
            )
        ],
    )
    found = findings(engine, read(mail.eml, data))
    assert sum(1 for f in found if f[0] == HETU_ENTITY) == 30_000
    assert not any(f[0] == "PHONE_NUMBER" for f in found)
    assert found == findings(engine, read(old_eml, data))


def test_undeclared_charset_is_read_like_a_text_file(engine):
    """Without a charset the old reader took 8-bit text for ASCII (two U+FFFD for one 'Ä'); now it is
    UTF-8, else cp1252, as in a text file, so columns count characters."""
    data = b"From: a@example.fi\n\n\xc3\x84iti " + HETU.encode() + b"\n\xc4iti " + HETU.encode() + b"\n"
    found = findings(engine, read(mail.eml, data))
    assert [f[2] for f in found if f[0] == HETU_ENTITY] == [
        loc(line=1, column=6, part=1),
        loc(line=2, column=6, part=1),
    ]


def test_an_attachment_whose_reader_fails_costs_that_attachment_only(engine):
    """A damaged attachment whose reader gives up with an error (zipfile's bad seeks in a broken .docx)
    is reported; the parts after it are read."""

    def failing(stream, name, member, depth, limits, budget, block_size):
        stream.read(10)
        raise ValueError("negative seek value")
        yield  # a generator, like every reader

    extractor("rikki-testi", priority=777, suffixes=("rikki",))(failing)
    try:
        data = multipart(
            "From: aino@example.fi\nContent-Type: multipart/mixed; boundary=f",
            "f",
            [
                ('Content-Disposition: attachment; filename="liite.rikki"', b"x" * 5000),
                ("Content-Type: text/plain", HETU.encode()),
            ],
        )
        outputs = read(mail.eml, data)
    finally:
        unregister("rikki-testi")
    assert [(p.member, p.reason, p.code) for p in problems(outputs)] == [
        ("attachment:liite.rikki", "corrupt: ValueError", "corrupt")
    ]
    assert (HETU_ENTITY, "", loc(part=3, line=1, column=1), HETU) in findings(engine, outputs)


def test_eml_inside_a_zip_and_a_zip_inside_an_eml_stream(engine):
    """A message read from an archive member (a stream that cannot seek) and an archive in it."""
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("posti/viesti.eml", mixed())
    found = findings(engine, list(extract(io.BytesIO(packed.getvalue()), "posti.zip")))
    assert (
        "PHONE_NUMBER",
        "posti/viesti.eml/attachment:paketti.zip/kansio/muistio.txt",
        loc(line=1, column=9),
        PHONE,
    ) in found


# --- memory, in a process of its own -----------------------------------------------------------------------

_PEAK = """
import os, resource, subprocess, sys, threading, time

def tree(pid):
    found = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [p for child in f.read().split() for p in tree(int(child))]
    except OSError:
        pass
    return found

def high_water(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            return max((int(l.split()[1]) for l in f if l.startswith("VmHWM:")), default=0)
    except OSError:
        return 0

process = subprocess.Popen(sys.argv[1:])
polled = 0
while process.poll() is None:
    polled = max([polled] + [high_water(p) for p in tree(process.pid)])
    time.sleep(0.05)
assert process.returncode == 0, process.returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, polled)
"""


def peak_rss_mb(path: Path, out: Path, *extra: str) -> float:
    """Peak resident memory of ``harava scan`` in MB: the largest of its processes (the workers are forked
    children), by ``getrusage`` once all are reaped and by polling their high-water marks meanwhile."""
    harava = Path(sys.executable).with_name("harava")
    command = [str(harava)] if harava.exists() else [sys.executable, "-m", "scanner"]
    command += ["scan", str(path), "--format", "jsonl", "-o", str(out), "--no-progress", *extra]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", _PEAK, *command], capture_output=True, text=True, env=env, check=True)
    rusage, polled = (int(v) for v in done.stdout.split())
    assert polled <= rusage * 1.05 + 1024, "getrusage missed a worker"
    return max(rusage, polled) / 1024


FILLER = "Tämä rivi on pelkkää täytettä ilman henkilötietoja, vain sanoja peräkkäin.\n"


def attachment_text(lines: int = 10_000, every: int = 1000) -> bytes:
    """A block of text whose length is a multiple of 57 bytes, so that its base64 lines are whole and
    blocks can be encoded one by one; an identity code every ``every`` lines."""
    text = "".join(f"asiakas {n} hetu {HETU}\n" if n % every == 0 else FILLER for n in range(lines)).encode()
    return text + b" " * ((-len(text) - 1) % 57) + b"\n"


def write_message(out: BinaryIO, size: int, number: int = 0) -> int:
    """One message with a base64 text attachment of about ``size`` bytes; the identity codes planted."""
    block = attachment_text()
    encoded = base64.encodebytes(block)
    out.write(
        f"From: Aino Mäkinen <aino{number}@example.fi>\nTo: tuki@example.fi\nSubject: Liite {number}\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="raja"\n\n--raja\nContent-Type: text/plain; charset=utf-8\n\n'
        f"Hei, puhelin {PHONE}.\n--raja\nContent-Type: text/plain; charset=utf-8\n"
        'Content-Disposition: attachment; filename="asiakkaat.txt"\nContent-Transfer-Encoding: base64\n\n'.encode()
    )
    blocks = max(size // len(encoded), 1)
    for _ in range(blocks):
        out.write(encoded)
    out.write(b"--raja--\n")
    return blocks * block.count(HETU.encode())


def attachment_findings(out: Path) -> tuple[int, list[str]]:
    rows = [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
    codes = sum(
        1 for r in rows if not r["error"] and r["entity"] == HETU_ENTITY and "attachment:" in (r["member"] or "")
    )
    return codes, [r["error"] for r in rows if r["error"]]


def test_memory_of_a_200_mb_message_is_flat(tmp_path):
    """One message of 200 MB (a base64 attachment) costs little more memory than one of 1 MB, and every
    identity code in its attachment is found. (Read whole, it took over 1.2 GB.)"""
    small, large = tmp_path / "pieni.eml", tmp_path / "suuri.eml"
    with small.open("wb") as out:
        write_message(out, 1 << 20)
    with large.open("wb") as out:
        planted = write_message(out, 200 << 20)
    try:
        base = peak_rss_mb(small, tmp_path / "pieni.jsonl")
        peak = peak_rss_mb(large, tmp_path / "suuri.jsonl")
    finally:
        large.unlink()
    found, errors = attachment_findings(tmp_path / "suuri.jsonl")
    assert errors == []
    assert found == planted  # every identity code of the attachment
    assert peak - base < 200, f"{peak:.0f} MB for a 200 MB message, {base:.0f} MB for a small one"


def ordinary_message(number: int) -> tuple[bytes, int]:
    """About 100 kB: a short body and a CSV (base64) with identity codes; and how many."""
    message = EmailMessage()
    message["From"] = f"asiakas{number}@example.fi"
    message["To"] = "tuki@example.fi"
    message["Subject"] = f"Tilaus {number}"
    message.set_content(f"Hei,\npuhelin {PHONE}.\n")
    rows = "".join(f"{n};{HETU if n % 50 == 0 else 'ei'};{'x' * 30}\n" for n in range(2000))
    message.add_attachment(rows.encode(), maintype="text", subtype="csv", filename="tilaus.csv")
    return bytes(message).replace(b"\nFrom ", b"\n>From "), rows.count(HETU)


@pytest.mark.slow
def test_a_1_gb_mailbox_stays_under_1_gb(tmp_path):
    """A mailbox of about 1 GB: three messages of 280 MB among 1,500 ordinary ones of 100 kB."""
    path = tmp_path / "saapuneet.mbox"
    planted = 0
    ordinary, codes = ordinary_message(0)
    with path.open("wb") as out:
        for n in range(1_503):
            out.write(f"From sender{n}@example.fi Mon Nov 23 04:00:00 2026\n".encode())
            if n % 501 == 0:
                planted += write_message(out, 280 << 20, n)
            else:
                planted += codes
                out.write(ordinary)
            out.write(b"\n")
    try:
        assert path.stat().st_size > 1_000_000_000
        peak = peak_rss_mb(path, tmp_path / "tulos.jsonl", "--item-timeout", "7200")
    finally:
        path.unlink()
    found, errors = attachment_findings(tmp_path / "tulos.jsonl")
    assert errors == []
    assert found == planted
    assert peak < 1024, f"{peak:.0f} MB"
