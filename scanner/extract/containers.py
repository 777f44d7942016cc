"""Archives and compressed files: zip, tar (plain or compressed), gzip, bzip2 and xz.

Members are read as streams where the format allows (tar, gzip/bzip2/xz, zip members for formats read
front to back) and handed back to :func:`scanner.extract.extract`, so an archive inside an archive is
opened too, down to ``Limits.max_depth``. Defences against zip bombs: the number of members, the total
unpacked from one top-level file, and the ratio of unpacked to packed size per member are bounded; an
encrypted member or archive is reported as unreadable, never guessed at.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from typing import BinaryIO

from scanner.extract import (
    Budget,
    Limits,
    Magic,
    Output,
    Unreadable,
    extract,
    extractor,
    join,
    kind_of,
    peekable,
    scrubbed,
)

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a member's local header, or the end record of an empty archive


class _Bounded(io.RawIOBase):
    """A decompressing stream that stops with an error once the unpacked budget is spent."""

    def __init__(self, inner: BinaryIO, budget: Budget, limit: int) -> None:
        super().__init__()
        self.inner, self.budget, self.limit, self.read_so_far = inner, budget, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.inner.read(len(buffer))
        self.read_so_far += len(data)
        if self.read_so_far > self.limit or not self.budget.take(len(data)):
            raise _BombError("unpacks to more than the limits allow (a compression bomb?, max_total or max_ratio)")
        buffer[: len(data)] = data
        return len(data)


class _BombError(Exception):
    pass


def _members(limits: Limits, count: int, member: str | None) -> Unreadable | None:
    if count > limits.max_members:
        return Unreadable(member, f"more than {limits.max_members} members; the rest not read (max_members)", "limit")
    return None


def _nested(
    stream: BinaryIO, name: str, member: str, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    try:
        yield from extract(peekable(stream), name, member, depth + 1, limits, budget, block_size)
    except _BombError as exc:
        yield Unreadable(member, str(exc), "too-large")
    except (OSError, EOFError, zipfile.BadZipFile, tarfile.TarError, lzma.LZMAError, zlib.error) as exc:
        yield Unreadable(member, f"corrupt: {scrubbed(exc)}")


@extractor("zip", priority=190, magic=ZIP_MAGIC, container=True, random_access=True)
def zip_members(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    try:
        archive = zipfile.ZipFile(stream)
    except NotImplementedError as exc:  # a zip format version or feature zipfile lacks
        yield Unreadable(member, f"unsupported zip archive: {scrubbed(exc)}", "unsupported-format")
        return
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        yield Unreadable(member, f"corrupt zip archive: {scrubbed(exc)}")
        return
    with archive:
        for count, info in enumerate((i for i in archive.infolist() if i.filename and not i.is_dir()), start=1):
            if (stop := _members(limits, count, member)) is not None:
                yield stop
                return
            path = join(member, info.filename)
            if info.flag_bits & 0x1:
                yield Unreadable(path, "encrypted", "encrypted")
                continue
            if info.file_size > limits.ratio_floor and info.file_size / max(info.compress_size, 1) > limits.max_ratio:
                yield Unreadable(
                    path, f"compression ratio over {limits.max_ratio}:1 (a zip bomb?, max_ratio)", "too-large"
                )
                continue
            try:
                with archive.open(info) as raw:
                    bounded = io.BufferedReader(_Bounded(raw, budget, info.file_size + 1), 1 << 20)
                    yield from _seekable_member(
                        bounded, info.filename, path, depth, limits, budget, block_size, info.file_size
                    )
            except NotImplementedError as exc:  # a compression method zipfile lacks
                yield Unreadable(path, f"unsupported compression: {scrubbed(exc)}", "unsupported-format")
            except (zipfile.BadZipFile, RuntimeError, OSError, zlib.error, EOFError) as exc:
                yield Unreadable(path, f"corrupt member: {scrubbed(exc)}")


def _seekable_member(
    stream: BinaryIO, name: str, path: str, depth: int, limits: Limits, budget: Budget, block_size: int, size: int
) -> Iterator[Output]:
    """Formats registered as needing random access (zip, xlsx, pdf, …) cannot read a stream front to
    back, so their members are held in memory, within a bound; the rest is streamed."""
    head = stream.peek(8192)[:8192] if hasattr(stream, "peek") else b""
    if kind_of(head, name).random_access:
        if size > limits.max_member:
            yield Unreadable(path, f"too large to open inside an archive ({size} bytes, max_member)", "too-large")
            return
        try:
            data = io.BytesIO(stream.read())
        except _BombError as exc:
            yield Unreadable(path, str(exc), "too-large")
            return
        yield from _nested(data, name, path, depth, limits, budget, block_size)
    else:
        yield from _nested(stream, name, path, depth, limits, budget, block_size)


@extractor(
    "tar",
    priority=270,
    magic=[Magic(b"ustar", at=257)],
    match=lambda head, suffix: len(head) > 262,  # a head that ends at the magic is no 512-byte header
    container=True,
)
def tar_members(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    try:
        archive = tarfile.open(fileobj=stream, mode="r|*")  # noqa: SIM115 - closed below
    except (tarfile.TarError, OSError, EOFError) as exc:
        yield Unreadable(member, f"corrupt tar archive: {scrubbed(exc)}")
        return
    count = 0
    try:
        for info in archive:
            if not info.isfile():
                continue
            count += 1
            if (stop := _members(limits, count, member)) is not None:
                yield stop
                return
            path = join(member, info.name)
            handle = archive.extractfile(info)
            if handle is None:
                continue
            bounded = io.BufferedReader(_Bounded(handle, budget, info.size + 1), 1 << 20)
            yield from _seekable_member(bounded, info.name, path, depth, limits, budget, block_size, info.size)
    except (tarfile.TarError, OSError, EOFError) as exc:
        yield Unreadable(member, f"corrupt tar archive: {scrubbed(exc)}")
    finally:
        archive.close()


def _compressed(opener: Callable[[BinaryIO], BinaryIO], suffixes: tuple[str, ...]):
    def members(
        stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
    ) -> Iterator[Output]:
        inner_name = name
        for suffix in suffixes:
            if name.lower().endswith(suffix):
                inner_name = name[: -len(suffix)]
                break
        if inner_name.lower().endswith(".tgz"):
            inner_name = inner_name[:-4] + ".tar"
        packed = _size(stream)
        limit = max(packed * limits.max_ratio, limits.ratio_floor) if packed else limits.max_total
        unpacked = io.BufferedReader(_Bounded(opener(stream), budget, limit), 1 << 20)
        path = join(member, inner_name.rsplit("/", 1)[-1])
        yield from _nested(unpacked, inner_name, path, depth, limits, budget, block_size)

    return members


def _size(stream: BinaryIO) -> int:
    try:
        position = stream.tell()
        end = stream.seek(0, io.SEEK_END)
        stream.seek(position)
        return end - position
    except (OSError, io.UnsupportedOperation, AttributeError):
        return 0


@extractor("7z", priority=280, magic=[b"7z\xbc\xaf\x27\x1c"], container=True, random_access=True)
def seven_zip_members(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """7z archives (py7zr): members within the same limits; an encrypted archive is reported."""
    import py7zr

    try:
        archive = py7zr.SevenZipFile(stream)
    except py7zr.exceptions.PasswordRequired:
        yield Unreadable(member, "encrypted", "encrypted")
        return
    except Exception as exc:  # py7zr raises many kinds for a broken header (Bad7zFile, LZMAError, …)
        yield Unreadable(member, f"corrupt 7z archive: {scrubbed(exc)}")
        return
    with archive:
        if archive.needs_password():
            yield Unreadable(member, "encrypted", "encrypted")
            return
        files = [f for f in archive.list() if not f.is_directory]
        if (stop := _members(limits, len(files), member)) is not None:
            yield stop
            return
        total = sum(f.uncompressed for f in files)
        if not budget.take(total):
            yield Unreadable(
                member, "unpacks to more than the limits allow (a compression bomb?, max_total)", "too-large"
            )
            return
        packed = max(sum(f.compressed or 0 for f in files), 1)
        if total > limits.ratio_floor and total / packed > limits.max_ratio:
            yield Unreadable(
                member, f"compression ratio over {limits.max_ratio}:1 (a 7z bomb?, max_ratio)", "too-large"
            )
            return
        factory = py7zr.io.BytesIOFactory(limits.max_member)
        try:
            archive.extractall(factory=factory)
        except Exception as exc:  # py7zr raises many kinds (LZMAError, CrcError, zlib.error…) for broken data
            yield Unreadable(member, f"corrupt 7z archive: {scrubbed(exc)}")
            return
        for path, data in sorted(factory.products.items()):
            data.seek(0)
            yield from _nested(data, path, join(member, path), depth, limits, budget, block_size)


gzip_members = extractor("gzip", priority=240, magic=[b"\x1f\x8b"], container=True)(
    _compressed(lambda s: gzip.GzipFile(fileobj=s), (".gz", ".tgz"))
)
bzip2_members = extractor("bzip2", priority=250, magic=[b"BZh"], container=True)(
    _compressed(lambda s: bz2.BZ2File(s), (".bz2", ".tbz2"))
)
xz_members = extractor("xz", priority=260, magic=[b"\xfd7zXZ\x00"], container=True)(
    _compressed(lambda s: lzma.LZMAFile(s), (".xz", ".txz"))  # noqa: SIM115 - owned by the reader
)
