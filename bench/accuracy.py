"""How right Harava is, next to Presidio: precision, recall and F1 per entity on labelled corpora.

    python -m bench.accuracy [--corpus PATH] [--no-presidio] [--no-synthetic]

``bench_scan`` says how fast the scan is; speed is worth nothing if the values reported are the
wrong ones, so this scores what is found against a corpus whose every value is known. A corpus is a
folder with ``files/`` (what is scanned) and ``truth.toml``: per file, every distinct value that must
be reported (``[[file.found]]``: entity, canonical value, optionally the written form) and look-alikes
that must not be (``[[file.not_found]]``: entity, an exact substring of the file, and why it is not a
value). Two corpora are scored: a small synthetic one generated here from ``bench.synth`` (values in
the forms the generators write, so a regression in the simple cases shows at once), and the realistic
one in ``tests/corpus/realistic`` (real-world file shapes: logs, mail, HTML, CSV, archives).

Scoring is on distinct ``(file, entity, canonical value)`` triples — a value found ten times in one
file is one true positive — so a log that repeats one address cannot drown the rest. Anything reported
that the truth does not list is a false positive. Both sides are canonicalised by the same function
(the built-in detector's own normaliser), and Presidio reads exactly the text Harava's extractors make
of each file, so mail headers, HTML and CSV are judged on equal terms and the difference is the
detection alone. The values printed are raw: the corpora hold fictional data only, and seeing what
was found or missed is the point.

This module is imported by the test suite: it does no work at import time, and Harava, pyarrow and
Presidio are imported only inside the functions that use them.
"""

from __future__ import annotations

import argparse
import functools
import ipaddress
import json
import os
import random
import re
import sys
import tempfile
import time
import tomllib
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from presidio_analyzer import AnalyzerEngine

    from scanner.extract import Piece
    from scanner.scan import Scanner

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT / "tests" / "corpus" / "realistic"

#: The entities the truth speaks of, in the order the tables list them.
ENTITIES = (
    "FI_PERSONAL_IDENTITY_CODE",
    "FI_BUSINESS_ID",
    "PHONE_NUMBER",
    "EMAIL_ADDRESS",
    "IP_ADDRESS",
    "IBAN_CODE",
    "CREDIT_CARD",
    "FI_HEALTH_INSURANCE_CARD",
    "FI_SATU",
    "FI_PASSPORT",
    "FI_VEHICLE_PLATE",
    "PERSON",
    "ADDRESS",
    "FI_DIAGNOSIS_CODE",
    "HEALTH_DATA",
    "TRADE_UNION",
    "RELIGION",
    "ETHNIC_ORIGIN",
    "CRIMINAL_RECORD",
    "TURVAKIELTO",
)

#: Entities annotated only in the files written for them: names and street addresses stand in most files of a
#: corpus (a mail's senders, an invoice's letterhead), and were not listed when those files were annotated for
#: the identifiers. Such an entity is scored only in the files whose truth speaks of it (a ``found`` or a
#: ``not_found`` entry of that entity); elsewhere its findings are neither true nor false positives.
PARTLY_ANNOTATED = frozenset({"PERSON", "ADDRESS"})

#: Presidio's entity names where they differ from Harava's; a name missing here is taken as it is. Empty
#: today: Presidio's phone, e-mail, IP, IBAN, card and Finnish identity code recognizers and the business ID
#: pattern that ``bench_scan`` adds all report Harava's names — a renamed one would otherwise score as all
#: misses.
PRESIDIO_NAMES: dict[str, str] = {}

#: Any key will do: findings are hashed on the way, and the hashes are not looked at here.
_KEY = b"accuracy-bench-key-accuracy-bench-key"

#: Presidio is called on texts of about this many characters: one call per line would cost its
#: per-call overhead a million times, one call per 16 MB block would make its phone matcher crawl.
_PRESIDIO_CHUNK = 200_000

Key = tuple[str, str, str]
"""``(file relative to files/, entity, canonical value)``: what is scored."""


# --- the truth ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LookAlike:
    """Text in a file that resembles a value of ``entity`` but is not one (a timestamp, an order number)."""

    file: str
    entity: str
    text: str
    why: str


@dataclass(frozen=True)
class Truth:
    """What a corpus holds: the expected keys, the look-alikes, and the written forms given for values."""

    expected: frozenset[Key]
    lookalikes: tuple[LookAlike, ...] = ()
    written: Mapping[Key, str] = field(default_factory=dict)
    files: tuple[str, ...] = ()


def _path(text: str) -> str:
    """A truth path as the finding paths are written: POSIX, relative to ``files/``, without ``./``."""
    return str(PurePosixPath(text.replace("\\", "/")))


def load_truth(corpus: Path) -> Truth:
    """``corpus/truth.toml`` parsed; a malformed entry is a ``ValueError`` naming the file and entry,
    since a silently dropped value would show up as a detector's false positive instead."""
    data = tomllib.loads((Path(corpus) / "truth.toml").read_text("utf-8"))
    expected: set[Key] = set()
    written: dict[Key, str] = {}
    lookalikes: list[LookAlike] = []
    files: list[str] = []
    for number, entry in enumerate(data.get("file", []), 1):
        if "path" not in entry:
            raise ValueError(f"truth.toml: [[file]] number {number} has no path")
        path = _path(entry["path"])
        if path not in files:
            files.append(path)
        for found in entry.get("found", []):
            if not found.get("entity") or not found.get("value"):
                raise ValueError(f"truth.toml: {path}: a [[file.found]] without entity or value: {found!r}")
            key = (path, found["entity"], str(found["value"]).strip())
            expected.add(key)
            if found.get("written"):
                written[key] = found["written"]
        for other in entry.get("not_found", []):
            if not other.get("entity") or not other.get("text"):
                raise ValueError(f"truth.toml: {path}: a [[file.not_found]] without entity or text: {other!r}")
            lookalikes.append(LookAlike(path, other["entity"], other["text"], other.get("why", "")))
    return Truth(frozenset(expected), tuple(lookalikes), written, tuple(files))


def truth_problems(truth: Truth, corpus: Path) -> list[str]:
    """Entries the files do not bear out: a listed file that is missing, a look-alike whose text is not in
    its (plain-text) file. A corpus being written can have these for a while; the bench says so rather
    than scoring a typo as a detector's error."""
    problems = []
    for path in truth.files:
        if not (Path(corpus) / "files" / path).is_file():
            problems.append(f"{path}: listed in truth.toml but not in files/")
    for lookalike in truth.lookalikes:
        text = _file_text(Path(corpus) / "files" / lookalike.file)
        if text is not None and lookalike.text not in text:
            problems.append(f"{lookalike.file}: look-alike {lookalike.text!r} is not in the file's text")
    return problems


# --- canonical values ----------------------------------------------------------------------------


@functools.cache
def _compactors() -> dict[str, Callable[[str], str]]:
    """Each built-in detector's own normaliser, by entity: the form Harava hashes is the form scored."""
    from detectors import presidio_recognizers

    return {recognizer.ENTITY: recognizer.compact for recognizer in presidio_recognizers()}


_OBFUSCATED_AT = re.compile(r"\s*(?:%40|\(at\)|\[at\]|\{at\}|<at>|\(a\)|\[ät\]|\(ät\)| at )\s*", re.IGNORECASE)
_OBFUSCATED_DOT = re.compile(r"\s*(?:\(dot\)|\[dot\]|\{dot\}|\(piste\)|\[piste\]| dot )\s*", re.IGNORECASE)


def _ip_text(text: str) -> str:
    """An address as Python's ``ipaddress`` writes it: brackets and port dropped, IPv4-mapped IPv6 as the
    IPv4 address, a CIDR prefix kept. Text that is no address is returned as it is."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # IPv4 with a port
        text = text.partition(":")[0]
    address, slash, prefix = text.partition("/")
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return text
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None and not slash:
        return str(parsed.ipv4_mapped)
    return f"{parsed}{slash}{prefix}"


def _phone_fallback(text: str) -> str | None:
    """E.164 by the phonenumbers library (Finland as the default region), for a number Harava's own
    normaliser refuses — so that Presidio is not marked down for a number Harava would not take."""
    import phonenumbers

    try:
        number = phonenumbers.parse(text, "FI")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@functools.lru_cache(maxsize=65536)
def canonical(entity: str, value: str, lenient: bool = False) -> str:
    """The canonical form of a reported ``value``, as the truth writes it.

    Harava's findings are judged by the detector's own ``compact`` alone: that is the form their
    ``value_hash`` is computed from, so one person's value written two ways must come out the same here.
    Another tool's findings (``lenient``) get the benefit of the doubt: where ``compact`` refuses a value,
    the stripped lower-cased value (a phone number by libphonenumber), then the truth's own rules — IP
    addresses without brackets or port and IPv4-mapped ones as IPv4, e-mail addresses de-obfuscated.

    >>> canonical("IP_ADDRESS", "[::ffff:198.51.100.23]:443"), canonical("IP_ADDRESS", "192.0.2.0/24")
    ('198.51.100.23', '192.0.2.0/24')
    >>> canonical("EMAIL_ADDRESS", "Aino.Virtanen(at)Example.FI"), canonical("PHONE_NUMBER", "040 123 4567")
    ('aino.virtanen@example.fi', '+358401234567')
    """
    compact = _compactors().get(entity)
    try:
        text = compact(value) if compact is not None else value.strip()
    except Exception:  # any failure of a normaliser is the same here: use the fallback
        if not lenient:
            return value.strip()
        text = (_phone_fallback(value) if entity == "PHONE_NUMBER" else None) or value.strip().lower()
    if not lenient:
        return text
    if entity == "IP_ADDRESS":
        text = _ip_text(text)
    elif entity == "EMAIL_ADDRESS" and "@" not in text:
        text = _OBFUSCATED_DOT.sub(".", _OBFUSCATED_AT.sub("@", text)).lower()
    return text


# --- findings ------------------------------------------------------------------------------------


class Finding(NamedTuple):
    """One reported value: where (the outer file, the member of an archive or mail, the location the
    extractor gives), what, and the raw text reported."""

    file: str
    entity: str
    value: str
    canonical: str
    member: str | None = None
    location: Mapping[str, Any] | None = None

    @property
    def key(self) -> Key:
        return (self.file, self.entity, self.canonical)


@dataclass
class Run:
    """What one tool found in one corpus: the findings, the parts it could not read (which explain some
    misses), the entities it can report at all (None: any), and how long it took."""

    tool: str
    corpus: Path
    findings: list[Finding] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)
    entities: frozenset[str] | None = None
    seconds: float = 0.0

    @property
    def keys(self) -> set[Key]:
        return {finding.key for finding in self.findings}


def _relative(path: str, files: Path) -> str:
    return PurePosixPath(os.path.relpath(path, files)).as_posix()


def _items(files: Path) -> Iterator[tuple[str, Any]]:
    """Every file of ``files/`` as Harava's walk lists it, with its path relative to ``files/``: both
    tools read the same files, in the same order."""
    from scanner.sources.files import walk

    for item in walk([str(files)]):
        yield _relative(getattr(item, "path", item.display), files), item


def harava_run(corpus: Path, scanner: Scanner | None = None) -> Run:
    """Harava in this process over ``corpus/files``, with raw values, every detector at any score."""
    from detectors import entities_of
    from scanner.scan import Scanner, ScanOptions, Summary
    from scanner.sources.files import FileItem

    own = scanner is None
    scanner = scanner or Scanner(ScanOptions(key=_KEY, show_values=True))
    run = Run("Harava", Path(corpus), entities=frozenset(entities_of(a.recognizer for a in scanner.engine.adapters)))
    started = time.perf_counter()
    try:
        for rel, item in _items(Path(corpus) / "files"):
            if not isinstance(item, FileItem):
                run.unread.append(f"{rel}: {item.reason}")
                continue
            for batch in scanner.scan_item(item, Summary()):
                _harava_batch(run, rel, batch.to_pylist())
    finally:
        if own:
            scanner.close()
    run.seconds = time.perf_counter() - started
    return run


def _harava_batch(run: Run, rel: str, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        where = f"{rel} [{row['member']}]" if row["member"] else rel
        if row["entity"] is None:
            run.unread.append(f"{where}: {row['error']} ({row['code']})")
            continue
        location = json.loads(row["location"]) if row["location"] else None
        value = row["value"]
        run.findings.append(
            Finding(rel, row["entity"], value, canonical(row["entity"], value), row["member"], location)
        )


def harava_found(corpus: Path) -> set[Key]:
    """The distinct ``(file, entity, canonical)`` Harava reports in ``corpus/files``."""
    return harava_run(corpus).keys


@dataclass
class _Spans:
    """Presidio's results in the shape of the engine's hit groups, so that a piece's own ``locate`` gives
    them the very locations Harava's findings would have."""

    row: Any
    start: Any
    end: Any


def _chunks(texts: list[str]) -> Iterator[tuple[int, str, list[int]]]:
    """The elements of a piece joined into texts for Presidio: ``(first element, text, start offset of each
    element)``. Elements are lines (ending in a newline) or cells; a cell gets a newline after it, so that
    adjacent cells are not read as one run of text — Harava scans element by element."""
    first, parts, starts, size = 0, [], [], 0
    for index, text in enumerate(texts):
        starts.append(size)
        piece = text if text.endswith("\n") else text + "\n"
        parts.append(piece)
        size += len(piece)
        if size >= _PRESIDIO_CHUNK:
            yield first, "".join(parts), starts
            first, parts, starts, size = index + 1, [], [], 0
    if parts:
        yield first, "".join(parts), starts


def _presidio_piece(engine: AnalyzerEngine, rel: str, piece: Piece) -> list[Finding]:
    import numpy as np

    texts = [text or "" for text in piece.lines.to_pylist()]
    found: list[tuple[int, int, int, str, str]] = []  # row, start, end, entity, value
    for first, text, starts in _chunks(texts):
        for result in engine.analyze(text, language="fi"):
            index = bisect_right(starts, result.start) - 1
            offset = result.start - starts[index]
            entity = PRESIDIO_NAMES.get(result.entity_type, result.entity_type)
            found.append(
                (first + index, offset, offset + result.end - result.start, entity, text[result.start : result.end])
            )
    if not found:
        return []
    rows, begins, ends = (np.array([f[i] for f in found], np.int64) for i in range(3))
    locations = piece.locate(_Spans(rows, begins, ends)).to_pylist()
    return [
        Finding(
            rel,
            entity,
            value,
            canonical(entity, value, lenient=True),
            piece.member,
            json.loads(location) if location else None,
        )
        for (_, _, _, entity, value), location in zip(found, locations, strict=True)
    ]


def _presidio_file(engine: AnalyzerEngine, rel: str, path: str, run: Run) -> None:
    """One file through Harava's extractors, each piece of text through Presidio."""
    from scanner.extract import Piece, extract

    with open(path, "rb") as stream:
        for out in extract(stream, path):
            if isinstance(out, Piece):
                run.findings.extend(_presidio_piece(engine, rel, out))
            else:
                where = f"{rel} [{out.member}]" if out.member else rel
                run.unread.append(f"{where}: {out.reason} ({out.code})")


def presidio_engine() -> AnalyzerEngine:
    """Presidio as ``bench_scan`` configures it for Finnish, with its IBAN and credit card recognizers too:
    ``bench_scan`` times the entities its synthetic corpus holds, this bench scores every entity the
    truth speaks of."""
    from bench import bench_scan

    engine = bench_scan.presidio_engine()  # first: it imports Presidio whole, in the order it needs
    from presidio_analyzer.predefined_recognizers import CreditCardRecognizer, IbanRecognizer

    engine.registry.add_recognizer(IbanRecognizer(supported_language="fi"))
    engine.registry.add_recognizer(CreditCardRecognizer(supported_language="fi"))
    return engine


def presidio_run(corpus: Path, engine: AnalyzerEngine | None = None) -> Run:
    """Presidio, FI-configured as in ``bench_scan``, over the text Harava's extractors make of each file
    (an SQLite file, which Harava reads as a database, is binary to the extractors and so unread here)."""
    from scanner.sources.files import FileItem

    engine = engine or presidio_engine()
    supported = frozenset(PRESIDIO_NAMES.get(e, e) for e in engine.get_supported_entities(language="fi"))
    run = Run("Presidio", Path(corpus), entities=supported)
    started = time.perf_counter()
    for rel, item in _items(Path(corpus) / "files"):
        if not isinstance(item, FileItem):
            run.unread.append(f"{rel}: {item.reason}")
            continue
        try:
            _presidio_file(engine, rel, item.path, run)
        except OSError as exc:
            run.unread.append(f"{rel}: {exc.strerror or exc}")
        except Exception as exc:  # a reader's bug on one file: as in Harava, that file fails, the run goes on
            run.unread.append(f"{rel}: failed while reading: {type(exc).__name__}")
    run.seconds = time.perf_counter() - started
    return run


def presidio_found(corpus: Path) -> set[Key]:
    """The distinct ``(file, entity, canonical)`` Presidio reports in the same text Harava reads."""
    return presidio_run(corpus).keys


# --- scoring ---------------------------------------------------------------------------------------


@dataclass
class Score:
    """Counts of distinct values for one entity; a ratio is None where it is 0/0 (nothing to judge)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        # 2PR/(P+R) written in counts: defined (as 0) even when nothing was reported but values were missed
        total = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / total if total else None

    def add(self, other: Score) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn


def _keys(found: Iterable[Key | Finding]) -> set[Key]:
    return {item.key if isinstance(item, Finding) else (item[0], item[1], item[2]) for item in found}


def _ordered(entities: Iterable[str]) -> list[str]:
    entities = set(entities)
    return [e for e in ENTITIES if e in entities] + sorted(entities - set(ENTITIES))


def annotated(truth: Truth) -> set[tuple[str, str]]:
    """``(file, entity)`` of the :data:`PARTLY_ANNOTATED` entities each file's truth speaks of."""
    pairs = {(k[0], k[1]) for k in truth.expected if k[1] in PARTLY_ANNOTATED}
    return pairs | {(la.file, la.entity) for la in truth.lookalikes if la.entity in PARTLY_ANNOTATED}


def scored(truth: Truth, keys: Iterable[Key]) -> set[Key]:
    """The keys that are scored: all, but those of a :data:`PARTLY_ANNOTATED` entity in a file not annotated
    for it."""
    where = annotated(truth)
    return {k for k in keys if k[1] not in PARTLY_ANNOTATED or (k[0], k[1]) in where}


def score(truth: Truth, found: Iterable[Key | Finding]) -> dict[str, Score]:
    """Per entity (those of the truth and those found): true positives are expected keys found, false
    positives found keys not expected, false negatives expected keys not found. Names and addresses count
    only in the files annotated for them (:data:`PARTLY_ANNOTATED`)."""
    keys = scored(truth, _keys(found))
    scores = {e: Score() for e in _ordered({k[1] for k in truth.expected} | {k[1] for k in keys})}
    for key in keys:
        if key in truth.expected:
            scores[key[1]].tp += 1
        else:
            scores[key[1]].fp += 1
    for key in truth.expected - keys:
        scores[key[1]].fn += 1
    return scores


def total(scores: Mapping[str, Score]) -> Score:
    """The micro-average: all entities' counts together."""
    out = Score()
    for part in scores.values():
        out.add(part)
    return out


# --- look-alikes -----------------------------------------------------------------------------------


class LookAlikeHit(NamedTuple):
    """A look-alike reported as a value: by which finding."""

    lookalike: LookAlike
    finding: Finding


def _file_text(path: Path) -> str | None:
    """A file's text decoded as Harava's text reader decodes it; None for a binary or missing file."""
    return _decoded(path, *_stamp(path))[0]


def _line_starts(path: Path) -> tuple[int, ...]:
    """Offset of each line's first character (lines end at ``\\n`` only, as Harava's text reader counts)."""
    return _decoded(path, *_stamp(path))[1]


def _stamp(path: Path) -> tuple[int, int]:
    try:
        info = path.stat()
    except OSError:
        return -1, -1
    return info.st_size, info.st_mtime_ns


@functools.lru_cache(maxsize=64)
def _decoded(path: Path, size: int, mtime_ns: int) -> tuple[str | None, tuple[int, ...]]:
    """Cached by size and time too, so a file rewritten in place (a corpus being edited, a test's fixture)
    is read again."""
    from scanner.extract.text import decode, looks_binary

    try:
        data = path.read_bytes()
    except OSError:
        return None, (0,)
    if looks_binary(data[:8192]):
        return None, (0,)
    text = decode(data)
    return text, (0, *(m.end() for m in re.finditer("\n", text)))


def _offset(path: Path, finding: Finding) -> int | None:
    """Where in the file's text the finding lies, if its location says so (a line and column of the file
    itself, not of a member) and the text there is the value; otherwise None."""
    location = finding.location or {}
    line, column = location.get("line"), location.get("column")
    text = _file_text(path)
    if finding.member is not None or text is None or not isinstance(line, int) or not isinstance(column, int):
        return None
    starts = _line_starts(path)
    if not 1 <= line <= len(starts):
        return None
    at = starts[line - 1] + column - 1
    return at if text.startswith(finding.value, at) else None


def _occurrences(path: Path, needle: str) -> list[int]:
    text = _file_text(path) or ""
    out, at = [], text.find(needle)
    while at >= 0:
        out.append(at)
        at = text.find(needle, at + 1)
    return out


def _inside(lookalike: LookAlike, finding: Finding, path: Path) -> bool:
    """The finding's raw value lies inside the look-alike: by offset where both can be placed in the file,
    else by the value being a substring of the look-alike's text."""
    at = _offset(path, finding)
    spans = _occurrences(path, lookalike.text) if at is not None else []
    if spans:
        return any(start <= at and at + len(finding.value) <= start + len(lookalike.text) for start in spans)
    return bool(finding.value) and finding.value in lookalike.text


def lookalike_hits(truth: Truth, corpus: Path, findings: Iterable[Finding | Key]) -> list[LookAlikeHit]:
    """Every look-alike that was reported as a value of its entity, with the finding that did it. Plain keys
    are taken as findings whose raw value is the canonical one, placed by substring only."""
    by_file: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for item in findings:
        finding = item if isinstance(item, Finding) else Finding(item[0], item[1], item[2], item[2])
        by_file[finding.file, finding.entity].append(finding)
    hits = []
    for lookalike in truth.lookalikes:
        path = Path(corpus) / "files" / lookalike.file
        hits.extend(
            LookAlikeHit(lookalike, f)
            for f in by_file.get((lookalike.file, lookalike.entity), [])
            if _inside(lookalike, f, path)
        )
    return hits


# --- the synthetic corpus --------------------------------------------------------------------------


def _phone_e164(written: str) -> str:
    """E.164 of a number as ``bench.synth.phone`` writes it (Finnish, national or +358), worked out here
    independently of the detector so that the synthetic truth does not just mirror its normaliser."""
    digits = re.sub(r"\D", "", written)
    return "+" + digits if written.startswith("+") else "+358" + digits[1:]


#: Prefixes of the card schemes' published test numbers, and the lengths their schemes issue.
_TEST_CARD_RANGES = (("411111", 16), ("401288", 16), ("555555", 16), ("222300", 16), ("378282", 15), ("353011", 16))


def _luhn_completed(digits: str) -> str:
    """The digits with their Luhn check digit appended (worked out here, not by the detector)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (1 if index % 2 else 2)
        total += value - 9 if value > 9 else value
    return digits + str((10 - total % 10) % 10)


def _synthetic_card(rng: random.Random) -> str:
    """A card number in the range of a scheme's test numbers, random between its prefix and Luhn digit."""
    prefix, length = rng.choice(_TEST_CARD_RANGES)
    return _luhn_completed(prefix + "".join(rng.choice("0123456789") for _ in range(length - 7)))


def _card_written(rng: random.Random, number: str) -> str:
    if len(number) == 15:
        return f"{number[:4]} {number[4:10]} {number[10:]}"
    return rng.choice([" ", "-"]).join(number[i : i + 4] for i in range(0, 16, 4))


def _synthetic_iban(rng: random.Random) -> tuple[str, str]:
    """``(written, canonical)`` of a fictional IBAN: Finnish mostly, random account digits, check digits worked
    out here with ISO 7064 mod 97-10, printed in groups of four or solid."""
    country, length = rng.choice([("FI", 14), ("FI", 14), ("FI", 14), ("AX", 14), ("SE", 20), ("DE", 18)])
    bban = "".join(rng.choice("0123456789") for _ in range(length))
    remainder = int("".join(str(int(c, 36)) for c in bban + country + "00")) % 97
    compact = f"{country}{98 - remainder:02d}{bban}"
    written = " ".join(compact[i : i + 4] for i in range(0, len(compact), 4)) if rng.random() < 0.6 else compact
    return written, compact


def _synthetic_value(rng: random.Random) -> tuple[str, str, str, str]:
    """``(entity, context word, written value, canonical value)`` of one fictional value."""
    from bench import synth

    kind = rng.randrange(7)
    if kind == 5:
        written, value = _synthetic_iban(rng)
        return "IBAN_CODE", rng.choice(["", "tilille ", "IBAN "]), written, value
    if kind == 6:
        number = _synthetic_card(rng)
        if rng.random() < 0.3:  # solid: only beside a card word
            return "CREDIT_CARD", rng.choice(["kortti ", "luottokortti: "]), number, number
        return "CREDIT_CARD", rng.choice(["", "kortti ", "Visa "]), _card_written(rng, number), number
    if kind == 0:
        value = synth.hetu(rng)
        return "FI_PERSONAL_IDENTITY_CODE", rng.choice(["", "hetu ", "henkilötunnus: "]), value, value
    if kind == 1:
        value = synth.ytunnus(rng)
        return "FI_BUSINESS_ID", rng.choice(["", "Y-tunnus ", "y-tunnus: "]), value, value
    if kind == 2:
        value = synth.phone(rng)
        return "PHONE_NUMBER", rng.choice(["", "puh. ", "p. "]), value, _phone_e164(value)
    if kind == 3:
        value = synth.email(rng)
        return "EMAIL_ADDRESS", rng.choice(["", "sähköposti: "]), value, value.lower()
    value = synth.ip(rng)
    return "IP_ADDRESS", rng.choice(["", "IP ", "osoitteesta "]), value, str(ipaddress.ip_address(value))


def _synthetic_lookalike(rng: random.Random) -> tuple[str, str, str]:
    """``(entity, text, why)`` of a near miss: a value with a wrong check mark, or a number of another kind."""
    from bench import synth
    from detectors.hetu import CHECK_CHARACTERS

    kind = rng.randrange(8)
    if kind == 5:
        written, _ = _synthetic_iban(rng)
        wrong = f"{(int(written[2:4]) + rng.randint(1, 96)) % 97 + 2:02d}"
        return "IBAN_CODE", written[:2] + wrong + written[4:], "wrong check digits"
    if kind == 6:
        number = _synthetic_card(rng)
        wrong = number[:-1] + str((int(number[-1]) + rng.randint(1, 9)) % 10)
        return "CREDIT_CARD", _card_written(rng, wrong), "Luhn check fails"
    if kind == 7:
        order = "".join(rng.choice("0123456789") for _ in range(20))
        return "CREDIT_CARD", " ".join(order[i : i + 4] for i in range(0, 20, 4)), "20-digit order number"
    if kind == 0:
        good = synth.hetu(rng)
        wrong = rng.choice([c for c in CHECK_CHARACTERS if c != good[-1]])
        return "FI_PERSONAL_IDENTITY_CODE", good[:-1] + wrong, "wrong check character"
    if kind == 1:
        good = synth.ytunnus(rng)
        wrong = rng.choice([d for d in "0123456789" if d != good[-1]])
        return "FI_BUSINESS_ID", good[:-1] + wrong, "wrong check digit"
    if kind == 2:
        date = f"{rng.randint(1, 28):02d}-{rng.randint(1, 12):02d}-20{rng.randint(10, 30)}"
        return "PHONE_NUMBER", date, "a date"
    if kind == 3:
        return "IP_ADDRESS", f"1.3.6.1.4.1.{rng.randint(100, 99999)}", "an SNMP object identifier"
    return "EMAIL_ADDRESS", f"kuva{rng.randint(1, 99)}@2x.png", "an image file name"


def _synthetic_line(rng: random.Random, kind: str, middle: str) -> str:
    """A line of the kind ``bench.synth.line`` writes, carrying ``middle`` (a value, a look-alike, a word)."""
    from bench import synth

    first, last = synth.person(rng)
    if kind == "txt":
        return f"{synth.prose(rng, rng.randint(5, 14))} {first} {last}: {middle}."
    if kind == "csv":
        return f"{rng.randint(1, 99999)};{first};{last};{middle};{rng.randint(10, 9999)},00"
    stamp = (
        f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00"
    )
    return f"{stamp} INFO request ok user={first.lower()} {middle} status=200"


def make_synthetic(folder: Path, seed: int = 2026, lines: int = 300) -> Path:
    """A labelled corpus in ``folder`` (``files/`` and ``truth.toml``): prose, CSV and log files whose
    lines carry a value (most), a look-alike (some) or nothing, from the generators of ``bench.synth``."""
    from bench import synth

    rng = random.Random(seed)
    files = Path(folder) / "files"
    files.mkdir(parents=True, exist_ok=True)
    truth: list[str] = []
    for name, kind in (("muistiot.txt", "txt"), ("asiakkaat.csv", "csv"), ("palvelin.log", "log")):
        found: dict[tuple[str, str], str] = {}
        not_found: list[tuple[str, str, str]] = []
        body = ["id;etunimi;sukunimi;tieto;summa"] if kind == "csv" else []
        for _ in range(lines):
            draw = rng.random()
            if draw < 0.6:
                entity, context, written, value = _synthetic_value(rng)
                found.setdefault((entity, value), written)
                middle = context + written
            elif draw < 0.75:
                entity, middle, why = _synthetic_lookalike(rng)
                not_found.append((entity, middle, why))
            else:
                middle = rng.choice(synth.WORDS)
            body.append(_synthetic_line(rng, kind, middle))
        (files / name).write_text("\n".join(body) + "\n", "utf-8")
        truth.append(_truth_entry(name, found, not_found))
    (Path(folder) / "truth.toml").write_text("\n".join(truth), "utf-8")
    return Path(folder)


def _toml(text: str) -> str:
    """A TOML basic string: JSON's escapes are all valid TOML ones."""
    return json.dumps(text, ensure_ascii=False)


def _truth_entry(name: str, found: Mapping[tuple[str, str], str], not_found: Iterable[tuple[str, str, str]]) -> str:
    out = [f"[[file]]\npath = {_toml(name)}\n"]
    for (entity, value), written in found.items():
        out.append(f"[[file.found]]\nentity = {_toml(entity)}\nvalue = {_toml(value)}\nwritten = {_toml(written)}\n")
    for entity, text, why in not_found:
        out.append(f"[[file.not_found]]\nentity = {_toml(entity)}\ntext = {_toml(text)}\nwhy = {_toml(why)}\n")
    return "\n".join(out)


# --- the report ----------------------------------------------------------------------------------


#: Width of one tool's cell: ``P R F1 (tp/fp/fn)``.
_WIDTH = 31


def _ratio(value: float | None) -> str:
    return " n/a" if value is None else f"{value:4.2f}"


def _cell(run: Run | None, entity: str, scores: Mapping[str, Score]) -> str:
    """``P R F1 (tp/fp/fn)`` of one tool for one entity; ``—`` where the tool cannot report the entity."""
    if run is None or (run.entities is not None and entity not in run.entities and entity != "all"):
        return f"{'—':^{_WIDTH}}"
    part = scores.get(entity, Score())
    counts = f"({part.tp}/{part.fp}/{part.fn})"
    return f"{_ratio(part.precision)} {_ratio(part.recall)} {_ratio(part.f1)} {counts:>16}"


def table(truth: Truth, harava: Run, presidio: Run | None) -> str:
    """Per entity: Harava's precision, recall, F1 and counts next to Presidio's."""
    ours = score(truth, harava.findings)
    theirs = score(truth, presidio.findings) if presidio else {}
    entities = _ordered({*ENTITIES, *ours, *theirs})
    ours["all"], theirs["all"] = total(ours), total(theirs)
    head = f"{'P':>4} {'R':>4} {'F1':>4} {'(tp/fp/fn)':>16}"
    lines = [
        f"{'':26} {'Harava':^{_WIDTH}} | {'Presidio':^{_WIDTH}}",
        f"{'entity':26} {head} | {head}",
    ]
    for entity in [*entities, "all"]:
        lines.append(f"{entity:26} {_cell(harava, entity, ours)} | {_cell(presidio, entity, theirs)}")
    hits = [harava, presidio] if presidio else [harava]
    reported = ", ".join(
        f"{run.tool} {len({h.lookalike for h in lookalike_hits(truth, run.corpus, run.findings)})}" for run in hits
    )
    lines.append(f"look-alikes reported as values (of {len(truth.lookalikes)}): {reported}")
    times = ", ".join(f"{run.tool} {run.seconds:.2f} s" for run in hits)
    lines.append(f"time: {times}")
    return "\n".join(line.rstrip() for line in lines)


def errors(truth: Truth, run: Run) -> str:
    """A tool's false positives and misses by file, each false positive with the look-alike it fell for."""
    expected = truth.expected
    why: dict[Key, set[str]] = defaultdict(set)
    for hit in lookalike_hits(truth, run.corpus, run.findings):
        why[hit.finding.key].add(f"look-alike {hit.lookalike.text!r}: {hit.lookalike.why}")
    raw: dict[Key, set[str]] = defaultdict(set)
    for finding in run.findings:
        raw[finding.key].add(finding.value)
    by_file: dict[str, list[str]] = defaultdict(list)
    for key in sorted(k for k in scored(truth, raw) if k not in expected):
        forms = ", ".join(repr(v) for v in sorted(raw[key]))
        note = f"  <- {'; '.join(sorted(why[key]))}" if why[key] else ""
        by_file[key[0]].append(f"  FP    {key[1]:26} {key[2]}  (written {forms}){note}")
    for key in sorted(expected - set(raw)):
        written = f"  (written {truth.written[key]!r})" if key in truth.written else ""
        by_file[key[0]].append(f"  miss  {key[1]:26} {key[2]}{written}")
    lines = [f"{run.tool}'s false positives and misses, by file:"]
    for file in sorted(by_file):
        lines.append(file)
        lines.extend(by_file[file])
    if len(lines) == 1:
        lines.append("  none")
    if run.unread:
        lines.append(f"{run.tool} could not read (or left alone):")
        lines.extend(f"  {entry}" for entry in run.unread)
    return "\n".join(lines)


def report(
    name: str, corpus: Path, scanner: Scanner, engine: AnalyzerEngine | None, presidio_errors: bool = False
) -> str:
    """Everything printed for one corpus; Presidio's own errors only when asked (they are many)."""
    truth = load_truth(corpus)
    harava = harava_run(corpus, scanner)
    presidio = presidio_run(corpus, engine) if engine is not None else None
    head = (
        f"== {name} corpus: {corpus} — {len(truth.files)} files, {len(truth.expected)} expected values, "
        f"{len(truth.lookalikes)} look-alikes"
    )
    parts = [head]
    parts.extend(f"warning: {problem}" for problem in truth_problems(truth, corpus))
    parts.append(table(truth, harava, presidio))
    parts.append(errors(truth, harava))
    if presidio is not None and presidio_errors:
        parts.append(errors(truth, presidio))
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="a labelled corpus (files/, truth.toml)")
    parser.add_argument("--no-presidio", action="store_true", help="score Harava only (Presidio is the slow side)")
    parser.add_argument("--no-synthetic", action="store_true", help="skip the generated synthetic corpus")
    parser.add_argument("--presidio-errors", action="store_true", help="list Presidio's errors too")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the synthetic corpus")
    args = parser.parse_args(argv)

    from scanner.scan import Scanner, ScanOptions

    scanner = Scanner(ScanOptions(key=_KEY, show_values=True))
    engine = None
    if not args.no_presidio:
        engine = presidio_engine()
        engine.analyze("warm up 040 123 4567 aino@example.fi", language="fi")
    try:
        if not args.no_synthetic:
            with tempfile.TemporaryDirectory(prefix="accuracy-") as folder:
                print(
                    report("synthetic", make_synthetic(Path(folder), args.seed), scanner, engine, args.presidio_errors),
                    end="\n\n",
                )
        if (args.corpus / "truth.toml").is_file():
            print(report(args.corpus.resolve().name, args.corpus, scanner, engine, args.presidio_errors))
        else:
            print(f"no labelled corpus at {args.corpus} (it needs files/ and truth.toml)", file=sys.stderr)
    finally:
        scanner.close()


if __name__ == "__main__":
    main()
