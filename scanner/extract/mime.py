"""MIME transfer encodings undone as a part streams past: base64 in whole 4-character quanta,
quoted-printable by whole lines, uuencode (rare, held whole within ``max_member``). Nothing here raises on
broken input: what does not decode is noted for the reader to report."""

from __future__ import annotations

import binascii
from collections.abc import Iterator

from scanner.extract import Limits

_UUENCODE = ("x-uuencode", "uuencode", "uue", "x-uue")
_BASE64_NOISE = bytes(
    sorted(set(range(256)) - set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"))
)


def decoded(raw: Iterator[bytes], cte: str, problems: list[tuple[str, str]], limits: Limits) -> Iterator[bytes]:
    """The part's bytes with its Content-Transfer-Encoding undone, chunk by chunk; what does not decode
    is noted in ``problems`` (never raised: the reader of the stream must not see decoding errors)."""
    if cte == "base64":
        return _base64(raw, problems)
    if cte == "quoted-printable":
        return _quoted_printable(raw)
    if cte in _UUENCODE:
        return _uu(raw, problems, limits.max_member)
    return raw  # 7bit, 8bit, binary, or unknown: as it is, like the standard library


def _base64(raw: Iterator[bytes], problems: list[tuple[str, str]]) -> Iterator[bytes]:
    """Base64 in whole 4-character quanta, whatever the line lengths; characters outside the alphabet
    are ignored and padding ends the data, as the standard library decodes it."""
    carry, padded = b"", False
    for chunk in raw:
        data, padded = _until_padding(carry, chunk)
        cut = len(data) - len(data) % 4
        carry = data[cut:]
        if cut:
            yield binascii.a2b_base64(data[:cut])
        if padded:
            break
    if len(carry) == 1:
        problems.append(("base64 text ends inside a byte (cut short?)", "corrupt"))
    elif carry:
        yield binascii.a2b_base64(carry + b"=" * (4 - len(carry)))
        if not padded:
            problems.append(("base64 text ends without its padding (cut short?)", "corrupt"))


def _until_padding(carry: bytes, chunk: bytes) -> tuple[bytes, bool]:
    """``carry`` and the base64 characters of ``chunk`` up to the padding that ends the data, and whether
    it was reached. An ``=`` ends the data only where padding can stand (the third or fourth character of
    a quantum); elsewhere it is ignored, as the standard library's lenient decoder does."""
    data = carry + chunk.translate(None, _BASE64_NOISE.replace(b"=", b""))
    start = 0
    while (pad := data.find(b"=", start)) >= 0:
        if (pad - data.count(b"=", 0, pad)) % 4 in (2, 3):
            return data[:pad].replace(b"=", b""), True
        start = pad + 1
    return data.replace(b"=", b""), False


def _quoted_printable(raw: Iterator[bytes]) -> Iterator[bytes]:
    """Quoted-printable by whole lines; a piece of a long line keeps an ``=`` escape that it cuts for the
    next, so that nothing decodes differently from the whole."""
    carry = b""
    for chunk in raw:
        data = carry + chunk if carry else chunk
        carry = b""
        if not data.endswith(b"\n"):
            escape = data.rfind(b"=", max(len(data) - 2, 0))
            if escape >= 0:
                data, carry = data[:escape], data[escape:]
        if data:
            yield binascii.a2b_qp(data)
    if carry:
        yield binascii.a2b_qp(carry)


def _uu(raw: Iterator[bytes], problems: list[tuple[str, str]], limit: int) -> Iterator[bytes]:
    """uuencode predates MIME and is rare; such a part is held whole (up to ``limit``) and decoded as the
    standard library does, its text kept as it is when it is not uuencoded after all."""
    held, size = [], 0
    for chunk in raw:
        size += len(chunk)
        if size > limit:
            problems.append((f"uuencoded part over {limit} bytes; not read (max_member)", "too-large"))
            return
        held.append(chunk)
    data = b"".join(held)
    try:
        yield _uudecode(data)
    except ValueError:
        yield data


def _uudecode(data: bytes) -> bytes:
    lines = iter(data.splitlines())
    for line in lines:
        mode = line.removeprefix(b"begin ").partition(b" ")[0]
        if line.startswith(b"begin ") and mode and all(48 <= c <= 55 for c in mode):
            break
    else:
        raise ValueError("no begin line")
    decoded = []
    for line in lines:
        if not line:
            raise ValueError("truncated")
        if line.strip(b" \t\r\n\f") == b"end":
            break
        try:
            decoded.append(binascii.a2b_uu(line))
        except binascii.Error:  # broken encoders write too long lines
            decoded.append(binascii.a2b_uu(line[: (((line[0] - 32) & 63) * 4 + 5) // 3]))
    return b"".join(decoded)
