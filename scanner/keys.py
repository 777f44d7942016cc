"""The secret key behind ``value_hash``.

A plain hash of a henkilötunnus or phone number can be reversed by hashing every possible value (a
few hundred million at most), so Harava uses HMAC-SHA256 with a key of its own. Where it comes
from, first match wins:

1. the environment variable ``HARAVA_HASH_KEY`` (any string; e.g. from a secrets manager);
2. a key file named by ``HARAVA_KEY_FILE`` or the config file's ``[settings] key_file``;
3. ``$XDG_CONFIG_HOME/harava/hash.key`` (default ``~/.config/harava/hash.key``).

A missing key file is generated with 32 random bytes on first use, readable by its owner only.
Keep it: hashes made with another key do not match across runs. Each run records the key's *id* (an HMAC of
a fixed string under the key, which reveals nothing about it), so a comparison across a change of key says
so instead of calling every finding new. ``harava key rotate`` retires a key on purpose: it keeps the old
file beside the new one, named by its id, and re-keys nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

ENV_KEY = "HARAVA_HASH_KEY"
ENV_KEY_FILE = "HARAVA_KEY_FILE"


class HashKeyError(Exception):
    """The key file exists but cannot be used."""


def default_key_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "harava" / "hash.key"


@dataclass(frozen=True)
class KeySource:
    """Where the key comes from, first match wins: what ``harava key show-path`` reports and ``rotate`` acts on."""

    path: Path  # the key file that is (or would be) read
    origin: str  # ENV_KEY, ENV_KEY_FILE, "[settings] key_file" or "default"

    @property
    def from_environment(self) -> bool:
        """The key itself is in ``HARAVA_HASH_KEY``: no file is read, whatever ``path`` says."""
        return self.origin == ENV_KEY


def key_source(key_file: Path | None = None) -> KeySource:
    """Which key a run uses: ``HARAVA_HASH_KEY``, then ``HARAVA_KEY_FILE``, the config's ``key_file``, the
    default file. (``path`` is the file the next match would read, so an overridden file can be named.)"""
    if os.environ.get(ENV_KEY_FILE):
        path, origin = Path(os.environ[ENV_KEY_FILE]), ENV_KEY_FILE
    elif key_file is not None:
        path, origin = key_file, "[settings] key_file"
    else:
        path, origin = default_key_file(), "default"
    return KeySource(path, ENV_KEY if os.environ.get(ENV_KEY) else origin)


def load_key(key_file: Path | None = None) -> bytes:
    """Return the HMAC key, generating and storing one on first use."""
    source = key_source(key_file)
    if source.from_environment:
        return os.environ[ENV_KEY].encode("utf-8")
    path = source.path
    try:
        text = path.read_text("ascii").strip()
    except FileNotFoundError:
        text = secrets.token_hex(32)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process won the race: use its key
                return load_key(path)
        except OSError as exc:  # e.g. a service user whose home is read-only
            raise HashKeyError(
                f"cannot create the hash key file {path}: {exc.strerror or exc}; give a writable place with "
                f"[settings] key_file or {ENV_KEY_FILE}, or the key itself in {ENV_KEY}"
            ) from None
        with os.fdopen(fd, "w") as handle:
            handle.write(text + "\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise HashKeyError(f"cannot read the hash key file {path}: {exc}") from exc
    if len(text) < 32:
        raise HashKeyError(f"the hash key in {path} is too short (at least 32 characters)")
    return text.encode("ascii")


def key_id(key: bytes) -> str:
    """A short public name for a key: the first 12 hex digits of the HMAC of a fixed string under it.

    A history records it with each run, so two runs' value hashes are compared only when one key made both;
    it says nothing about the key (finding the key from it is as hard as from any HMAC).

    >>> key_id(b"k" * 40) == key_id(b"k" * 40) != key_id(b"j" * 40)
    True
    >>> len(key_id(b"k" * 40))
    12
    """
    return hmac.digest(key, b"harava key id", "sha256").hex()[:12]


@dataclass(frozen=True)
class Rotation:
    """What ``rotate_key`` did: where the new key is, and where the old one was kept (None: there was none)."""

    path: Path
    new_id: str
    retired: Path | None
    old_id: str | None


def rotate_key(key_file: Path | None = None) -> Rotation:
    """A new key in place of the old, which is kept beside it as ``<name>.<old id>.retired``.

    Nothing is re-keyed: hashes already in a history stay as the old key made them (they cannot be
    recomputed without the raw values, which are never kept), and the runs from now on start a new hash
    epoch. The old file is linked (or copied) aside before the new key replaces it in one rename, so at no
    moment is there no key file, and a scan starting meanwhile reads one key or the other, whole.
    """
    source = key_source(key_file)
    if source.from_environment:
        raise HashKeyError(
            f"the key comes from {ENV_KEY}, not from a file: set a new value where {ENV_KEY} is set (the next run"
            " records the change of key)"
        )
    path = source.path
    retired, old_id = None, None
    if path.exists():
        old_id = key_id(load_key(path))
        retired = path.with_name(f"{path.name}.{old_id}.retired")
        try:
            if not retired.exists():  # the same key retired before (restored, rotated again): kept already
                _keep(path, retired)
        except OSError as exc:
            raise HashKeyError(f"cannot keep the old key as {retired}: {exc.strerror or exc}") from None
    text = secrets.token_hex(32)
    fresh = path.with_name(f".{path.name}.{secrets.token_hex(4)}.new")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(text + "\n")
        os.replace(fresh, path)
    except OSError as exc:
        fresh.unlink(missing_ok=True)
        raise HashKeyError(f"cannot write the new key to {path}: {exc.strerror or exc}") from None
    return Rotation(path, key_id(text.encode("ascii")), retired, old_id)


def _keep(path: Path, retired: Path) -> None:
    """A second name for the old key file (a copy, readable by its owner only, where links are not allowed)."""
    try:
        os.link(path, retired)
    except OSError:
        fd = os.open(retired, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(path.read_bytes())


def value_hash(key: bytes, entity: str, compact_value: str) -> str:
    """Keyed hash of a normalised value: equal values give equal hashes within one key.

    (The findings builder computes the same, a whole array at a time.)
    """
    return hmac.digest(key, f"{entity}\0{compact_value}".encode(), "sha256").hex()[:32]


class Hasher:
    """HMAC-SHA256 for many values: the keyed inner and outer SHA-256 states are computed once and
    copied per value, which is the same HMAC (RFC 2104) at less than half the cost of ``hmac.digest``.

    >>> Hasher(b"k" * 40).hashes("PHONE_NUMBER", ["+358401234567"]) == [value_hash(b"k" * 40, "PHONE_NUMBER", "+358401234567")]
    True
    """

    def __init__(self, key: bytes) -> None:
        if len(key) > 64:  # the SHA-256 block size: longer keys are hashed first, as HMAC prescribes
            key = hashlib.sha256(key).digest()
        key = key.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def hashes(self, entity: str, compact_values: Iterable[str]) -> list[str]:
        return self.hash_array(entity, list(compact_values)).to_pylist()

    def hash_array(self, entity: str, compact_values: list[str]) -> pa.StringArray:
        """The hashes as an Arrow array: the digests are joined and written as hex in one pass, not
        turned into a Python string each (the per-value loop is the cost here)."""
        prefix = f"{entity}\0".encode()
        inner, outer = self._inner.copy, self._outer.copy
        digests = []
        keep = digests.append
        for value in compact_values:
            i = inner()
            i.update(prefix + value.encode())
            o = outer()
            o.update(i.digest())
            keep(o.digest()[:16])
        raw = np.frombuffer(b"".join(digests), np.uint8)
        text = np.empty(2 * len(raw), np.uint8)
        text[0::2], text[1::2] = _HEX[raw >> 4], _HEX[raw & 15]
        offsets = np.arange(0, 32 * (len(digests) + 1), 32, dtype=np.int32)
        return pa.StringArray.from_buffers(len(digests), pa.py_buffer(offsets), pa.py_buffer(text))


_HEX = np.frombuffer(b"0123456789abcdef", np.uint8)
