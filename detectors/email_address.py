"""E-mail addresses (entity ``EMAIL_ADDRESS``), validated offline.

The top-level domain is checked against the public-suffix snapshot that ships inside the
``tldextract`` package — read from disk, never downloaded (Presidio's own e-mail recognizer lets
tldextract fetch the list at run time, which a scanner on a closed network must not do).

>>> validate('Matti.Meikalainen+uutiskirje@Example.FI')
'matti.meikalainen+uutiskirje@example.fi'
>>> validate('pekka@kesämökki.fi')
'pekka@kesämökki.fi'
>>> validate('logo@2x.png')
Traceback (most recent call last):
    ...
detectors.base.InvalidValue: unknown top-level domain: png
>>> validate('a..b@example.fi')
Traceback (most recent call last):
    ...
detectors.base.InvalidValue: local part has an empty dot-separated part
>>> mask('Matti.Meikalainen@Example.FI')
'm***@example.fi'
"""

from __future__ import annotations

import functools
import importlib.resources
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from detectors.base import INVALID, VALID, HaravaRecognizer, InvalidValue

_LABEL = re.compile(r"(?!-)[^\W_](?:[\w-]{0,61}[^\W_])?", re.UNICODE)
_LOCAL = re.compile(r"[\w.%+\-]+", re.UNICODE)


@functools.cache
def top_level_domains() -> frozenset[str]:
    """Every top-level domain in the bundled public-suffix snapshot (Unicode and punycode)."""
    text = importlib.resources.files("tldextract").joinpath(".tld_set_snapshot").read_text("utf-8")
    tlds: set[str] = set()
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("//"):
            tlds.add(line.rsplit(".", 1)[-1].lstrip("*!").lower())
    # Reserved for documentation and tests (RFC 2606): not in the suffix list, common in examples.
    return frozenset(tlds | {"example", "test", "invalid"})


def compact(value: str) -> str:
    """Lower-cased address: the domain is case-insensitive and so, in practice, is the local part."""
    return value.strip().lower()


@functools.lru_cache(maxsize=65536)
def validate(value: str) -> str:
    value = compact(value)
    if len(value) > 254:
        raise InvalidValue("longer than 254 characters")
    local, at, domain = value.rpartition("@")
    if not at or not local:
        raise InvalidValue("no local part before @")
    if len(local) > 64:
        raise InvalidValue("local part longer than 64 characters")
    if not _LOCAL.fullmatch(local):
        raise InvalidValue("local part has characters outside letters, digits and . _ % + -")
    if "" in local.split("."):
        raise InvalidValue("local part has an empty dot-separated part")
    labels = domain.split(".")
    if len(labels) < 2:
        raise InvalidValue("domain has no top-level domain")
    for label in labels:
        if not _LABEL.fullmatch(label):
            raise InvalidValue(f"invalid domain label: {label!r}")
    tld = labels[-1]
    if tld not in top_level_domains():
        raise InvalidValue(f"unknown top-level domain: {tld}")
    return value


def is_valid(value: str) -> bool:
    try:
        validate(value)
    except InvalidValue:
        return False
    return True


def format(value: str) -> str:
    return compact(value)


# Everything validate() rejects that the candidate pattern lets through, as one RE2 pattern: dots at
# the ends of the local part or doubled, hyphens at the ends of a domain label, over-long parts.
_BROKEN = r"^\.|\.\.|\.@|@-|@[^@]*\.-|@[^@]*-\.|-$|^[^@]{65,}@|@(?:[^.]*\.)*[^.]{64,}"


@functools.cache
def _tld_array() -> pa.Array:
    return pa.array(sorted(top_level_domains()), pa.large_string())


def valid_array(texts: pa.Array) -> np.ndarray:
    """:func:`is_valid` for a whole array of pattern candidates."""
    lower = pc.utf8_lower(texts)
    broken = pc.match_substring_regex(lower, _BROKEN).to_numpy(zero_copy_only=False)
    too_long = pc.greater(pc.utf8_length(lower), 254).to_numpy(zero_copy_only=False)
    tld = pc.extract_regex(lower, r"\.(?P<tld>[^.]+)$").field("tld")
    known = pc.fill_null(pc.is_in(tld, value_set=_tld_array()), False).to_numpy(zero_copy_only=False)
    return np.where(known & ~broken & ~too_long, VALID, INVALID).astype(np.int8)


def compact_array(texts: pa.Array) -> pa.Array:
    return pc.utf8_lower(texts)


def mask_array(texts: pa.Array) -> pa.Array:
    """Keep the first character and the domain (the organisation is rarely personal data)."""
    return pc.utf8_lower(pc.replace_substring_regex(texts, r"^(.)[^@]*@", r"\1***@"))


def mask(value: str) -> str:
    return mask_array(pa.array([value.strip()]))[0].as_py()


class EmailRecognizer(HaravaRecognizer):
    ENTITY = "EMAIL_ADDRESS"
    NAME = "email"
    CATEGORY = "sahkopostiosoite"
    COLUMN_HINTS = r"s?ahkoposti\w*|sähköposti\w*|e_?mail\w*|e_?post\w*|mail"
    PRIORITY = 30
    PATTERNS = [
        ("email", r"[\p{L}\p{N}._%+\-]+@[\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)+", 0.8),
    ]
    CONTEXT = ["sähköpost", "sahkopost", "s-posti", "e-post", "email", "e-mail", "mail", "epost"]
