"""E-mail (.eml): headers, bodies in every transfer encoding and charset, and attachments — each
attachment is a ``member`` and goes through the extractors again."""

from __future__ import annotations

import io
from collections.abc import Iterator
from email import policy
from email.parser import BytesParser
from typing import BinaryIO

from scanner.extract import Budget, Limits, Output, Unreadable, cells_piece, extract, join, text_pieces
from scanner.extract.structured import html_text

HEADERS = ("From", "To", "Cc", "Bcc", "Reply-To", "Sender", "Return-Path", "Subject", "Received", "X-Originating-IP")


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
        if part.is_multipart():
            continue
        filename = part.get_filename()
        try:
            payload = part.get_payload(decode=True) or b""
        except Exception as exc:
            yield Unreadable(member, f"part {number}: cannot decode: {exc}")
            continue
        if filename or part.get_content_disposition() == "attachment":
            attachment = join(member, f"attachment:{filename or f'part{number}'}")
            if depth + 1 > limits.max_depth:
                yield Unreadable(attachment, f"nested deeper than {limits.max_depth} containers")
                continue
            yield from extract(
                io.BytesIO(payload), filename or f"part{number}", attachment, depth + 1, limits, budget, block_size
            )
            continue
        if part.get_content_maintype() != "text":
            continue
        try:
            text = part.get_content()
        except (LookupError, UnicodeError):
            text = payload.decode("utf-8", errors="replace")
        if part.get_content_subtype() == "html":
            text = html_text(text)
        yield from text_pieces(io.BytesIO(text.encode("utf-8")), member, block_size, f', "part": {number}')


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
