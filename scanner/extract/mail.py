"""E-mail (.eml): headers, bodies in every transfer encoding and charset, and attachments — each
attachment is a ``member`` and goes through the extractors again. A mailbox (mbox) is a run of them."""

from __future__ import annotations

import io
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import BinaryIO

from scanner.extract import Budget, Limits, Output, Unreadable, cells_piece, extract, extractor, join, text_pieces
from scanner.extract.html import html_text

HEADERS = ("From", "To", "Cc", "Bcc", "Reply-To", "Sender", "Return-Path", "Subject", "Received", "X-Originating-IP")
_TELLTALE = ("From", "To", "Received", "Return-Path", "MIME-Version", "Message-ID", "Subject", "Date")


def looks_like_mail(head: bytes, suffix: str = "") -> bool:
    """Saved messages often lose their .eml name; three familiar headers among the first lines give
    them away."""
    first = head[:2048].decode("latin-1", errors="replace").splitlines()[:8]
    return sum(1 for line in first if line.split(":", 1)[0] in _TELLTALE) >= 3


@extractor("eml", priority=450, suffixes=("eml",), match=looks_like_mail)
def eml(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    try:
        message = BytesParser(policy=policy.default).parse(stream)
    except Exception as exc:
        yield Unreadable(member, f"corrupt e-mail: {exc}")
        return
    texts, locations = [], []
    for header in HEADERS:
        for value in message.get_all(header, []):
            texts.append(str(value))
            locations.append({"header": header})
    if texts:
        yield cells_piece(member, texts, locations)
    for number, part in enumerate(message.walk(), start=1):
        if not part.is_multipart():
            yield from _part(part, number, member, depth, limits, budget, block_size)


def _part(
    part: EmailMessage, number: int, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """One leaf of the MIME tree: an attachment is a file of its own, a text part is the message body."""
    filename = part.get_filename()
    try:
        payload = part.get_payload(decode=True) or b""
    except Exception as exc:
        yield Unreadable(member, f"part {number}: cannot decode: {exc}")
        return
    if filename or part.get_content_disposition() == "attachment":
        attachment = join(member, f"attachment:{filename or f'part{number}'}")
        if depth + 1 > limits.max_depth:
            yield Unreadable(attachment, f"nested deeper than {limits.max_depth} containers")
            return
        yield from extract(
            io.BytesIO(payload), filename or f"part{number}", attachment, depth + 1, limits, budget, block_size
        )
    elif part.get_content_maintype() == "text":
        text = _body_text(part, payload)
        yield from text_pieces(io.BytesIO(text.encode("utf-8")), member, block_size, f', "part": {number}')


def _body_text(part: EmailMessage, payload: bytes) -> str:
    """A text part as text; a charset Python does not know still yields its UTF-8 reading, and HTML
    loses its markup so that only what the reader sees is scanned."""
    try:
        text = part.get_content()
    except (LookupError, UnicodeError):
        text = payload.decode("utf-8", errors="replace")
    if part.get_content_subtype() == "html":
        text = html_text(text)
    return text


def _mbox_head(head: bytes, suffix: str) -> bool:
    """A ``From `` line starts a mailbox only as a whole line in a file named like one (or not named
    at all): a text that merely begins with the word must not be split into messages."""
    return b"\n" in head and suffix in ("mbox", "mbx", "")


@extractor("mbox", priority=230, magic=[b"From "], match=_mbox_head)
def mbox(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """A mailbox: messages split at their ``From `` lines, each read as e-mail (member ``message N``)."""
    number, lines = 0, []

    def flush() -> Iterator[Output]:
        if lines:
            yield from eml(
                io.BytesIO(b"".join(lines)), name, join(member, f"message {number}"), depth, limits, budget, block_size
            )

    for line in stream:
        if line.startswith(b"From ") and (not lines or lines[-1] in (b"\n", b"\r\n")):
            yield from flush()
            number, lines = number + 1, []
            continue
        lines.append(line[1:] if line.startswith(b">From ") else line)
    yield from flush()
