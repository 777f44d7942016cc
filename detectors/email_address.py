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

Addresses written to keep harvesters away are addresses all the same, and are reported as the
address they spell, so one person's address written two ways is one value:

>>> compact('etunimi.sukunimi(at)Example.fi'), compact('nimi (ät) example (piste) fi')
('etunimi.sukunimi@example.fi', 'nimi@example.fi')
>>> compact('nimi [at] example.com'), compact('nimi at example dot fi')
('nimi@example.com', 'nimi@example.fi')
"""

from __future__ import annotations

import functools
import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from detectors.base import (
    INVALID,
    NON_ASCII_LETTERS,
    UNDECIDED,
    VALID,
    WORD_CHARS,
    HaravaRecognizer,
    InvalidValue,
)

_LABEL = re.compile(r"(?!-)[^\W_](?:[\w-]{0,61}[^\W_])?", re.UNICODE)
_LOCAL = re.compile(r"[\w.%+\-=]+", re.UNICODE)
#: How organisations write the form of their staff's addresses: "etunimi.sukunimi@yritys.fi" is nobody's.
TEMPLATES = frozenset(
    f"{first}{sep}{last}"
    for first, last in (
        ("etunimi", "sukunimi"),
        ("firstname", "lastname"),
        ("first", "last"),
        ("förnamn", "efternamn"),
        ("fornamn", "efternamn"),
        ("name", "surname"),
    )
    for sep in "._-"
)
#: A VERP bounce address's local part: "=" only after a "+".
_VERP = re.compile(r"[^=+]*\+[^=]*=")
_TEMPLATE_RE2 = "^(?:" + "|".join(re.escape(t) for t in sorted(TEMPLATES)) + ")@"
#: Candidates for a machine-made local part (see :func:`machine_made`), as one RE2 pattern.
_MACHINE_HINT = r"^\d{10,}\.|(?:^|[._+\-])[0-9a-f]{8,}(?:[._+\-]|@)"


@functools.cache
def top_level_domains() -> frozenset[str]:
    """Every top-level domain in the bundled public-suffix snapshot (Unicode and punycode). The file is
    found without importing tldextract, which would take longer than reading it (its HTTP and caching
    machinery come with it), in every worker."""
    spec = importlib.util.find_spec("tldextract")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("tldextract is not installed: it holds the list of top-level domains")
    folder = Path(next(iter(spec.submodule_search_locations)))
    text = (folder / ".tld_set_snapshot").read_text("utf-8")
    tlds: set[str] = set()
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("//"):
            tlds.add(line.rsplit(".", 1)[-1].lstrip("*!").lower())
    # Reserved for documentation and tests (RFC 2606): not in the suffix list, common in examples.
    return frozenset(tlds | {"example", "test", "invalid"})


#: Obfuscated spellings of ``@`` and ``.``, in the order they are undone (RE2 and Python syntax).
_SPELLINGS = (
    (r"\s*[(\[{]\s*(?i:at|ät|@)\s*[)\]}]\s*|[(\[][aA][)\]]", "@"),
    (r"\s*[(\[{]\s*(?i:dot|piste|punkt)\s*[)\]}]\s*", "."),
    (r" (?i:at|ät) ", "@"),
    (r" (?i:dot|piste|punkt) ", "."),
    (r"%40", "@"),
    (r"%2[Bb]", "+"),  # the rest of a URL-encoded address: "aino%2Buutiset%40example.fi"
    (r"%2[Ee]", "."),
)
_COMPILED_SPELLINGS = [(re.compile(p), r) for p, r in _SPELLINGS]
_PLAIN = r"^[^@\s()\[\]{}]+@[^@\s()\[\]{}]+$"


def compact(value: str) -> str:
    """Lower-cased address: the domain is case-insensitive and so, in practice, is the local part.
    An obfuscated spelling is undone."""
    value = value.strip()
    if "@" not in value or not re.match(_PLAIN, value):
        for pattern, replacement in _COMPILED_SPELLINGS:
            value = pattern.sub(replacement, value)
    return value.lower()


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
    _check_mailbox(local)
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


def _check_mailbox(local: str) -> None:
    """Raise :class:`InvalidValue` for a well-formed local part that names no one's mailbox."""
    if "=" in local and not _VERP.match(local):
        raise InvalidValue("a '=' in the local part outside a VERP bounce address (a query string's key?)")
    if local in TEMPLATES:
        raise InvalidValue(f"the form of an organisation's addresses, not an address: {local}@")
    if machine_made(local):
        raise InvalidValue(f"a machine-made id (a message id, a key), not a mailbox: {local}@")


def machine_made(local: str) -> bool:
    """Whether a local part is an id a program made: a message id's time stamp and counters
    (``1141393200.5121.12.camel``, ``20060303131502.ga4121``) or a run of eight or more hexadecimal
    digits mixing letters and digits (``44087d8c.9090407``, an API key in a URL). People's mailboxes are
    not written so; message ids quoted without their ``Message-ID:`` are.

    >>> machine_made('44087d8c.9090407'), machine_made('1141393200.5121.12.camel'), machine_made('aino.virtanen')
    (True, True, False)
    >>> machine_made('0401234567'), machine_made('deadline2024'), machine_made('ebba1995'), machine_made('fede1987.2')
    (False, False, False, False)
    """
    if re.match(r"\d{10,}\.", local):
        return True
    parts = re.split(r"[._+\-]", local)
    # A name and a year ("ebba1995", "cafe2000") is eight hexadecimal digits too; an id is longer, or
    # comes with a counter ("44087d8c.9090407").
    counter = any(len(part) >= 4 and part.isdigit() for part in parts)
    return any(
        (len(part) >= 12 or (len(part) >= 8 and counter))
        and re.fullmatch(r"[0-9a-f]+", part)
        and not part.isdigit()
        and not part.isalpha()
        for part in parts
    )


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
_BROKEN = r"@[^@]*@|^\.|\.\.|\.@|@-|@[^@]*\.-|@[^@]*-\.|-$|^[^@]{65,}@|@(?:[^.]*\.)*[^.]{64,}"


@functools.cache
def _tld_array() -> pa.Array:
    return pa.array(sorted(top_level_domains()), pa.large_string())


def _spelled_out(texts: pa.Array) -> pa.Array:
    """The addresses obfuscated spellings stand for (plain ones as they are)."""
    obfuscated = pc.invert(pc.match_substring_regex(texts, _PLAIN))
    if not pc.any(obfuscated).as_py():
        return texts
    spelled = texts
    for pattern, replacement in _SPELLINGS:
        spelled = pc.replace_substring_regex(spelled, pattern, replacement)
    return pc.if_else(obfuscated, spelled, texts)


def valid_array(texts: pa.Array) -> np.ndarray:
    """:func:`is_valid` for a whole array of pattern candidates."""
    lower = pc.utf8_lower(_spelled_out(texts))
    broken = pc.match_substring_regex(lower, _BROKEN).to_numpy(zero_copy_only=False)
    too_long = pc.greater(pc.utf8_length(lower), 254).to_numpy(zero_copy_only=False)
    tld = pc.extract_regex(lower, r"\.(?P<tld>[^.]+)$").field("tld")
    known = pc.fill_null(pc.is_in(tld, value_set=_tld_array()), False).to_numpy(zero_copy_only=False)
    valid = known & ~broken & ~too_long
    valid &= ~pc.match_substring_regex(lower, _TEMPLATE_RE2).to_numpy(zero_copy_only=False)
    suspects = np.flatnonzero(valid & pc.match_substring_regex(lower, _MACHINE_HINT).to_numpy(zero_copy_only=False))
    for k in suspects.tolist():
        valid[k] = not machine_made(lower[k].as_py().rpartition("@")[0])
    verdict = np.where(valid, VALID, INVALID).astype(np.int8)
    # "?email=aino@example.fi": the address starts after the "=" (see EmailRecognizer.spans)
    keyed = pc.match_substring_regex(texts, r"=[^@]*@").to_numpy(zero_copy_only=False)
    verp = pc.match_substring_regex(texts, r"^[^@=+]*\+[^@=]*=").to_numpy(zero_copy_only=False)
    verdict[keyed & ~verp] = UNDECIDED
    return verdict


def needs_context_array(texts: pa.Array) -> np.ndarray:
    """In plain English words ("at … dot"), without a word that only an obfuscator writes so ("AT",
    "ät", "DOT", "piste"), an address needs a line about e-mail."""
    words = pc.match_substring(texts, " at ", ignore_case=True).to_numpy(zero_copy_only=False)
    if not words.any():
        return words
    marked = pc.match_substring_regex(texts, r" (?:AT|ät|ÄT|DOT|piste|PISTE) ").to_numpy(zero_copy_only=False)
    return words & ~marked


def compact_array(texts: pa.Array) -> pa.Array:
    return pc.utf8_lower(_spelled_out(texts))


def mask_array(texts: pa.Array) -> pa.Array:
    """Keep the first character and the domain (the organisation is rarely personal data)."""
    return pc.replace_substring_regex(compact_array(texts), r"^(.).*@", r"\1***@")


def detail_array(texts: pa.Array) -> pa.Array | None:
    obfuscated = pc.invert(pc.match_substring_regex(texts, _PLAIN))
    if not pc.any(obfuscated).as_py():
        return None
    return pc.if_else(
        obfuscated, pa.scalar("written obfuscated", pa.large_string()), pa.scalar(None, pa.large_string())
    )


def mask(value: str) -> str:
    return mask_array(pa.array([value.strip()]))[0].as_py()


#: A local part. A "=" belongs to it only in a VERP bounce address, after a "+"
#: ("lista-bounces+aino=example.fi@lists.example.org"); in a query string ("?email=aino@example.fi") the
#: address starts after it (see :func:`spans`).
_LOCAL_PART = rf"[{WORD_CHARS}._%+=\-]+"
_LABEL_RUN = rf"[{WORD_CHARS}\-]+"
#: A top-level domain is letters: "backup@192.168.10.5" is a login at an IP address. (An address under a
#: punycode top-level domain, "xn--p1ai", is left out: written so it is rare, and the looser pattern
#: costs the whole scan time.)
_TLD = rf"[A-Za-z{NON_ASCII_LETTERS}]+"
#: The same for the written-out forms below, in the letters such addresses are typed in: a Unicode class
#: in every one of them would grow the engine's joined pattern past what RE2 runs as a DFA.
_WORDS_LOCAL = r"[A-Za-z0-9äöåÄÖÅ._%+\-]+"
_WORDS_LABEL = r"[A-Za-z0-9äöåÄÖÅ\-]+"
_WORDS_TLD = r"[A-Za-zäöåÄÖÅ][A-Za-z0-9äöåÄÖÅ\-]*"
#: "(at)", "[at]", "{ät}", "(@)", and "(a)"/"[a]" written solid ("nimi(a)example.fi"; "(a) " lists options).
_AT = r"(?: ?[(\[{] ?(?i:at|ät|@) ?[)\]}] ?|[(\[][aA][)\]])"
_DOT = r" ?[(\[{] ?(?i:dot|piste|punkt) ?[)\]}] ?"
_DOT_WORD = r" (?i:dot|piste|punkt) "
#: The ways of writing an address so that harvesters miss it, after the local part: "(at)", "[at]",
#: "(ät) … (piste)"; in words "AT … DOT", "ät … piste" (written so only to hide an address); and a URL's
#: "%40". Plain "at … dot" in lower case is English too, so it counts only in a line about e-mail
#: (:func:`needs_context_array`).
_OBFUSCATED = (
    rf"(?:{_AT}(?:{_WORDS_LABEL}(?:\.|{_DOT}))+| (?i:at|ät) (?:{_WORDS_LABEL}{_DOT_WORD})+|%40(?:{_WORDS_LABEL}\.)+)"
)


class EmailRecognizer(HaravaRecognizer):
    ENTITY = "EMAIL_ADDRESS"
    NAME = "email"
    CATEGORY = "sahkopostiosoite"
    COLUMN_HINTS = r"s?ahkoposti\w*|sähköposti\w*|e_?mail\w*|e_?post\w*|mail"
    PRIORITY = 30
    PATTERNS = [
        ("email", rf"{_LOCAL_PART}@{_LABEL_RUN}(?:\.{_LABEL_RUN})*\.{_TLD}", 0.8),
        # nimi(at)example.fi, nimi [at] example.com, nimi (ät) example (piste) fi, nimi AT example DOT fi
        ("email_obfuscated", rf"{_WORDS_LOCAL}{_OBFUSCATED}{_WORDS_TLD}", 0.8),
    ]
    # Not the user of a URL ("https://key@sentry.example/1"), a login ("ssh admin@host.example.fi"), nor
    # a git or scp target ("git@host:repo", "admin@host:/srv").
    REJECT_BEFORE = r"//$|(?i:\bssh|\bscp|\bsftp)\s+$"
    REJECT_AFTER = r"^:[/~]"  # an scp target "admin@host:/srv"; "aino@example.fi:lle" is Finnish
    REJECT_LABEL = r"(?i)(?:^|[^a-z])(?:message[_\-]?id|msg[_\-]?id|in[_\-]reply[_\-]to)$"

    def fits_array(self, texts: pa.Array, before: pa.Array, after: pa.Array) -> np.ndarray:
        """Not a git remote ("git@git.example.org:harava/harava.git"): the account of a service."""
        remote = pc.starts_with(texts, "git@").to_numpy(zero_copy_only=False)
        return ~(remote & pc.starts_with(after, ":").to_numpy(zero_copy_only=False))

    def spans(self, candidate: str) -> Iterator[tuple[int, int]]:
        if self.is_valid(candidate):
            yield 0, len(candidate)
            return
        cut = candidate.rfind("=", 0, candidate.find("@")) + 1  # "email=aino@example.fi"
        if cut and self.is_valid(candidate[cut:]):
            yield cut, len(candidate)

    CONTEXT = ["sähköpost", "sahkopost", "s-posti", "e-post", "email", "e-mail", "mail", "epost"]
