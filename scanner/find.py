"""Data-subject search: where a person's identity code, phone number or e-mail address was found, answered
from the history's keyed hashes — for an access request (GDPR art. 15) or to prove an erasure (art. 17).

Each value is checked and normalised by the detector that accepts it (``131052-308T``, ``040 123 4567``
and ``+358401234567`` are each one value however written), then hashed with the history's key exactly as a
scan hashes what it finds (:func:`value_hashes`). The lookup goes through the history's value-hash index,
so it takes milliseconds however many findings are recorded; nothing is rescanned unless ``rescan`` is
asked for, and then only the items the value was recorded in.

The values themselves are never written anywhere — not in the history, a temporary file, a log or an error
message (an error shows a value's *shape*, ``999999A999A``) — and are forgotten once hashed: a
:class:`Sought` keeps the entity, the masked form and the hashes only.

Known subjects (``[[subjects]]`` in the configuration, a light form of exact data matching): lists of the
values of a group of people — the employees, the members — are read, hashed and forgotten at each check;
a finding whose hash is in a list is tagged with the list's name (``subject``), in the history and in
``check``'s output, so that a check can say "identity codes of *employees* in the customer register".
"""

from __future__ import annotations

import csv
import dataclasses
import glob
import io
import itertools
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from scanner.adapters import Adapter
from scanner.keys import Hasher, key_id, key_source, load_key


class FindError(Exception):
    """A value no detector accepts, a list that cannot be read, a run hashed with a key that is not here:
    the message names which, never quoting a value."""


def shape(text: str) -> str:
    """A value as an error may show it: its form without its content (digits 9, letters a or A).

    >>> shape("131052-308T"), shape("aino.v@example.fi")
    ('999999-999A', 'aaaa.a@aaaaaaa.aa')
    """
    text = re.sub(r"[0-9]", "9", text)
    text = re.sub(r"[^\W\d_]", lambda m: "A" if m.group().isupper() else "a", text)
    return text if len(text) <= 40 else text[:37] + "…"


# --- the values sought ------------------------------------------------------------------------


@dataclass(frozen=True)
class Sought:
    """One value to look for, as its detector reads it: never the value itself, only its masked form and
    its hash under each key at hand (key id → hash)."""

    label: str  # where it was given: "argument 2", "ids.csv row 4"
    entity: str
    masked: str
    hashes: dict[str, str]


@dataclass
class Subject:
    """The values of one person, searched together and reported as one."""

    number: int
    label: str
    values: list[Sought] = field(default_factory=list)


def value_hashes(hasher: Hasher, adapter: Adapter, texts: Sequence[str]) -> list[str]:
    """The ``value_hash`` a scan records for each text found by ``adapter``: its detector's compact form,
    hashed as ``scanner.findings.FindingsBuilder`` does (the same two calls)."""
    compact = adapter.compact_array(pa.array(list(texts), pa.large_string()))
    return hasher.hash_array(adapter.entity, compact.cast(pa.string()).to_pylist()).to_pylist()


class Identifier:
    """Which detector a given value belongs to: each detector's ``validate`` is tried (a plain Presidio
    recognizer: its patterns must match the whole value), and exactly one must accept it unless
    ``entity`` says which."""

    def __init__(self, adapters: Sequence[Adapter], entity: str | None = None) -> None:
        self.adapters = list(adapters)
        self.entity = entity
        if entity is not None and entity not in {a.entity for a in self.adapters}:
            known = ", ".join(sorted({a.entity for a in self.adapters}))
            raise FindError(f"unknown entity {entity}; known: {known}")

    def accepting(self, text: str) -> list[Adapter]:
        """The adapters whose detector accepts the value (restricted to ``entity`` when given)."""
        return [a for a in self.adapters if (self.entity is None or a.entity == self.entity) and _accepts(a, text)]

    def split(self, text: str) -> tuple[str | None, str]:
        """``ENTITY=VALUE`` (``phone_number=0401234567``): the entity one value is, in any case; else
        (None, the value).

        >>> from detectors import load_detectors
        >>> identifier = Identifier([Adapter(d.recognizer) for d in load_detectors(entry_points=False)])
        >>> identifier.split("email_address=aino@example.fi"), identifier.split("aino=x@example.fi")
        (('EMAIL_ADDRESS', 'aino@example.fi'), (None, 'aino=x@example.fi'))
        """
        head, sep, rest = text.partition("=")
        if sep and head.strip().upper() in {a.entity for a in self.adapters}:
            return head.strip().upper(), rest.strip()
        return None, text

    def identify(self, text: str, label: str) -> Adapter:
        found = self.accepting(text)
        if len(found) == 1:
            return found[0]
        if not found and self.entity:
            raise FindError(f"{label} ({shape(text)}) is not a valid {self.entity}")
        if not found:
            tried = ", ".join(sorted({a.entity for a in self.adapters}))
            raise FindError(f"{label} ({shape(text)}) is not a value any detector accepts (tried {tried})")
        which = " or ".join(sorted({a.entity for a in found}))
        raise FindError(f"{label} ({shape(text)}) could be {which}: say which with --entity")


def _accepts(adapter: Adapter, text: str) -> bool:
    recognizer = adapter.recognizer
    if adapter.harava:
        try:
            return recognizer.is_valid(text)
        except NotImplementedError:
            return False
        except Exception:  # a plug-in's validate failing on an odd value: not its value
            return False
    patterns = [re.compile(p.regex, getattr(recognizer, "global_regex_flags", 0) or 0) for p in recognizer.patterns]
    if not any(p.fullmatch(text) for p in patterns):
        return False
    return recognizer.validate_result(text) is not False and not recognizer.invalidate_result(text)


class Keys:
    """The hash keys at hand: the key in use and the retired ones kept beside its file (``harava key
    rotate``), by id — so a value can be found in runs hashed before a rotation."""

    def __init__(self, key_file: Path | None = None) -> None:
        current = load_key(key_file)
        self.current = key_id(current)
        self.by_id: dict[str, bytes] = {self.current: current}
        source = key_source(key_file)
        if not source.from_environment and source.path.parent.is_dir():
            for retired in sorted(source.path.parent.glob(f"{source.path.name}.*.retired")):
                try:  # as load_key reads a key file (which would read HARAVA_KEY_FILE's instead, when set)
                    key = retired.read_text("ascii").strip().encode("ascii")
                except (OSError, UnicodeError):  # unreadable: the runs it hashed are said to be out of reach
                    continue
                self.by_id.setdefault(key_id(key), key)
        self.hashers = {k: Hasher(v) for k, v in self.by_id.items()}


def seek(given: Iterable[tuple[str, str]], identifier: Identifier, keys: Keys) -> list[Sought]:
    """(label, value) pairs as :class:`Sought` values; each value is dropped once hashed."""
    found: list[Sought] = []
    for label, raw in given:
        entity, text = identifier.split(raw.strip())
        if entity is not None:
            adapter = Identifier(identifier.adapters, entity).identify(text, label)
        else:
            adapter = identifier.identify(text, label)
        hashes = {k: value_hashes(h, adapter, [text])[0] for k, h in keys.hashers.items()}
        masked = adapter.mask_array(pa.array([text], pa.large_string())).cast(pa.string())[0].as_py()
        found.append(Sought(label, adapter.entity, masked, hashes))
    return found


# --- reading lists of values --------------------------------------------------------------------


def parse_list_spec(spec: str) -> tuple[str, list[str] | None]:
    """``FILE``, ``FILE:COLUMN`` or ``FILE:COL1,COL2`` (``-`` is standard input); a file whose own name
    holds a colon is taken whole.

    >>> parse_list_spec("asiakkaat.csv:hetu,email"), parse_list_spec("-")
    (('asiakkaat.csv', ['hetu', 'email']), ('-', None))
    """
    if spec == "-" or os.path.exists(spec) or ":" not in spec:
        return spec, None
    path, _, columns = spec.rpartition(":")
    names = [c.strip() for c in columns.split(",") if c.strip()]
    if not path or not names:
        return spec, None
    return path, names


def _text_of(path: str) -> str:
    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise FindError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FindError(f"{path}: not UTF-8 text (save the list as UTF-8)") from None


def read_list(path: str, columns: list[str] | None) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """A list's subjects: (label, [(label, value)]) per line — or per row of a CSV file, the named
    columns' values together (a header name, or a column number from 1). Blank lines, lines starting with
    ``#`` and empty cells are skipped."""
    text = _text_of(path)
    name = "standard input" if path == "-" else path
    if columns is None:
        for number, line in enumerate(text.splitlines(), 1):
            value = line.strip()
            if value and not value.startswith("#"):
                yield f"{name} line {number}", [(f"{name} line {number}", value)]
        return
    from scanner.extract.structured import VALUE_LIKE  # how a CSV file's header is told from a row of values

    rows = csv.reader(io.StringIO(text), _dialect(text))
    header = next(rows, None)
    if header is None:
        return
    picks = [_column_index(header, c, name) for c in columns]
    titles = [h.strip() for h in header]
    first = 2
    by_number = all(c.strip().isdigit() and c.strip().lower() not in {t.lower() for t in titles} for c in columns)
    if by_number and any(VALUE_LIKE.search(header[i]) for i in picks):  # no header: the first row is data
        rows, titles, first = itertools.chain([header], rows), [""] * len(header), 1
    for number, row in enumerate(rows, first):
        values = [
            (f"{name} row {number} column {(titles[i] if i < len(titles) else '') or i + 1}", row[i])
            for i in picks
            if i < len(row) and row[i].strip()
        ]
        if values:
            yield f"{name} row {number}", values


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def _column_index(header: list[str], column: str, name: str) -> int:
    wanted = column.strip().lower()
    for index, title in enumerate(header):
        if title.strip().lower() == wanted:
            return index
    if wanted.isdigit() and 0 < int(wanted) <= len(header):
        return int(wanted) - 1
    # the first row may be data, not a header: its cells are shown by their form only, never as written
    shown = ", ".join(shape(h.strip()) for h in header)
    raise FindError(f"{name}: no column {column!r} (the first row has: {shown})")


def subjects_from(values: Sequence[str], lists: Sequence[str], identifier: Identifier, keys: Keys) -> list[Subject]:
    """The subjects sought: the VALUEs given on the command line are one, each line (or CSV row) of a list
    another."""
    subjects: list[Subject] = []
    if values:
        given = [(f"argument {i}", v) for i, v in enumerate(values, 1)]
        subjects.append(Subject(1, "command line", seek(given, identifier, keys)))
    for spec in lists:
        path, columns = parse_list_spec(spec)
        for label, given in read_list(path, columns):
            subjects.append(Subject(len(subjects) + 1, label, seek(given, identifier, keys)))
    return subjects


# --- the search ------------------------------------------------------------------------------------


@dataclass
class Place:
    """Where a subject's value was recorded: one item (and member) and location, under every register it
    was judged for, with the runs it was seen in."""

    sought: Sought
    source: str
    path: str
    member: str | None
    location: str | None
    entity: str
    value: str | None  # masked, as recorded
    value_hash: str | None  # as recorded (in the newest run seen)
    registers: list[str]
    runs: list[int]
    status: str | None = None  # after a rescan: present, moved, gone or unread
    note: str | None = None  # what the rescan saw (where it moved to, why it could not be read)

    @property
    def first_run(self) -> int:
        return min(self.runs)

    @property
    def last_run(self) -> int:
        return max(self.runs)

    def as_dict(self) -> dict[str, Any]:
        out = {
            "source": self.source,
            "member": self.member,
            "location": json.loads(self.location) if self.location else None,
            "register": ", ".join(r for r in self.registers if r) or None,
            "registers": [r for r in self.registers if r],
            "entity": self.entity,
            "value": self.value,
            "value_hash": self.value_hash,
            "given_as": self.sought.label,
            "first_run": self.first_run,
            "last_run": self.last_run,
            "runs_seen": len(self.runs),
        }
        if self.status is not None:
            out["rescan"] = {"status": self.status, "note": self.note}
        return out


@dataclass
class Search:
    """What ``harava find`` answers: each subject's places in the run searched (or in any run)."""

    subjects: list[Subject]
    places: dict[int, list[Place]]  # subject number → places
    run: dict[str, Any] | None  # the run searched; None: every run
    notes: list[str] = field(default_factory=list)


def _sort_key(place: Place) -> tuple:
    location = json.loads(place.location) if place.location else {}
    numbers = tuple(location.get(k) if isinstance(location.get(k), int) else 0 for k in ("line", "column"))
    return (place.source, place.member or "", *numbers, place.location or "", place.entity)


def search(history: Any, subjects: list[Subject], keys: Keys, run: str | None = "last") -> Search:
    """Each subject's places in ``run`` (``last``, a run id, a date; None: in any run), from the history's
    value-hash index alone."""
    finished = {r["id"]: r for r in history.runs() if r["finished"]}
    if not finished:
        raise FindError("no finished run is recorded in this history yet")
    chosen = history.resolve(run) if run is not None else None
    if run is not None and chosen is None:
        raise FindError(f"no run {run} in this history")
    notes = _key_notes(finished, chosen, keys)
    grouped = _grouped(history, subjects, finished)
    places: dict[int, list[Place]] = {s.number: [] for s in subjects}
    for (number, *_), place in grouped.items():
        place.runs = sorted(set(place.runs))
        if chosen is None or chosen["id"] in place.runs:
            places[number].append(place)
    for found in places.values():
        found.sort(key=_sort_key)
    return Search(subjects, places, chosen, notes)


def _grouped(history: Any, subjects: list[Subject], finished: dict[int, Any]) -> dict[tuple, Place]:
    """The finished runs' findings of the subjects' values, one place per (subject, value, item, location,
    entity) with the runs and registers it was seen in."""
    owners: dict[str, list[Sought]] = {}  # a value two subjects share (a family's e-mail) is each one's
    for subject in subjects:
        for sought in subject.values:
            for value_hash in sought.hashes.values():
                owners.setdefault(value_hash, []).append(sought)
    subject_of = {id(s): subject.number for subject in subjects for s in subject.values}
    grouped: dict[tuple, Place] = {}
    for run_id, f in history.occurrences(owners):
        if run_id not in finished:
            continue  # a run interrupted or failed: never what a search answers from
        for sought in owners[f.value_hash]:
            key = (subject_of[id(sought)], id(sought), f.path, f.member, f.location, f.entity)
            place = grouped.get(key)
            if place is None:
                place = grouped[key] = Place(
                    sought, f.source, f.path, f.member, f.location, f.entity, f.value, f.value_hash, [], []
                )
            if f.register not in place.registers:
                place.registers.append(f.register)
            place.runs.append(run_id)
            if run_id >= max(place.runs):  # the newest run's name for the item
                place.source, place.value, place.value_hash = f.source, f.value, f.value_hash
    return grouped


def _key_notes(finished: dict[int, dict[str, Any]], chosen: dict[str, Any] | None, keys: Keys) -> list[str]:
    """The run searched must have been hashed with a key at hand; runs that were not are named."""
    missing = sorted({r["key_id"] for r in finished.values() if r["key_id"] and r["key_id"] not in keys.by_id})
    if chosen is not None and chosen["key_id"] and chosen["key_id"] not in keys.by_id:
        raise FindError(
            f"run {chosen['id']} was hashed with key id {chosen['key_id']}, which is neither the key in use (id"
            f" {keys.current}) nor a retired key beside it: give that key (HARAVA_KEY_FILE or [settings] key_file)"
        )
    if not missing:
        return []
    runs = sorted(r["id"] for r in finished.values() if r["key_id"] in missing)
    were = ("run", "was", "it was") if len(runs) == 1 else ("runs", "were", "they were")
    return [
        f"{were[0]} {_ranges(runs)} {were[1]} hashed with key id {', '.join(missing)}, which is not at hand:"
        f" {were[2]} not searched (first and last runs seen count the others)"
    ]


def _ranges(numbers: list[int]) -> str:
    """Run numbers as ranges.

    >>> _ranges([1, 2, 3, 5])
    '1–3, 5'
    """
    parts, start = [], None
    for i, n in enumerate(numbers):
        if start is None:
            start = n
        if i + 1 == len(numbers) or numbers[i + 1] != n + 1:
            parts.append(str(start) if start == n else f"{start}–{n}")
            start = None
    return ", ".join(parts)


# --- rescanning the places ----------------------------------------------------------------------------


def rescan(found: Search, keys: Keys, options: Any, urls: Sequence[str] = ()) -> None:
    """Each place read again where it is — a file re-extracted, a database row selected again by its
    recorded key — and marked: ``present`` (there still), ``moved`` (elsewhere in the same item),
    ``gone`` or ``unread`` (with why). ``options`` is a ``ScanOptions`` with the current key; ``urls`` are
    database URLs with their passwords (a configuration's sources), matched to the recorded ones."""
    from scanner.scan import Scanner

    places = [p for found_places in found.places.values() for p in found_places]
    if not places:
        return
    scanner = Scanner(dataclasses.replace(options, entities=tuple(sorted({p.entity for p in places}))))
    try:
        by_item: dict[tuple, list[Place]] = {}
        for place in places:
            by_item.setdefault(_item_key(place), []).append(place)
        for item, group in by_item.items():
            batches, unread = _read_again(scanner, item, group, urls)
            _mark(group, batches, unread, keys.current)
    finally:
        scanner.close()


def _item_key(place: Place) -> tuple:
    """What one read covers: a file, or a database table (its rows selected by key together)."""
    from scanner.config import is_database_url

    if is_database_url(place.path):
        location = json.loads(place.location) if place.location else {}
        return ("table", place.path, location.get("table"))
    return ("file", place.path)


def _read_again(
    scanner: Any, item: tuple, group: list[Place], urls: Sequence[str]
) -> tuple[list[pa.RecordBatch], str | None]:
    """The item's findings now, and why it could not be read (None: it was)."""
    from scanner.scan import Summary

    summary = Summary()
    try:
        if item[0] == "file":
            batches = _file_again(scanner, group[0], summary)
        else:
            batches = _rows_again(scanner, item[1], item[2], group, urls, summary)
    except _Gone as gone:
        return [], str(gone) or None
    except FindError as exc:
        return [], f"unread: {exc}"
    errors = [b for b in batches if b.num_rows and pc.any(pc.is_valid(b.column("error"))).as_py()]
    unread = None
    for batch in errors:
        for row in batch.filter(pc.is_valid(batch.column("error"))).to_pylist():
            if row["member"] is None or row["member"] in {p.member for p in group}:
                unread = f"unread: {row['error']}"
    return batches, unread


class _Gone(Exception):
    """The item itself is no longer there (the message says how; empty: nothing to add)."""


def _file_again(scanner: Any, place: Place, summary: Any) -> list[pa.RecordBatch]:
    from scanner.sources.files import FileItem, describe_os_error

    try:
        info = os.stat(place.path)
    except FileNotFoundError:
        raise _Gone("the file is no longer there") from None
    except OSError as exc:
        raise FindError(describe_os_error(exc)) from None
    item = FileItem(place.source, place.path, info.st_size, info.st_mtime_ns)
    return list(scanner.scan_item(item, summary))


def _rows_again(
    scanner: Any, url: str, table_name: str | None, group: list[Place], urls: Sequence[str], summary: Any
) -> list[pa.RecordBatch]:
    """The recorded rows of a database table selected again by their key (a table without a key: read
    whole), scanned by the scanner's own table reader."""
    from scanner.scan import Coverage
    from scanner.sources.database import (
        DatabaseError,
        DatabaseOptions,
        TableItem,
        discover,
        is_driver_error,
        reason,
        redact,
        select_sql,
    )

    full = next((u for u in urls if redact(u) == url or u == url), url)
    try:
        engine = scanner.connections.get(full, 300.0)
        # the name as a glob that matches only itself ("kauppa.tilaus[2024]" holds brackets)
        found = [t for t in discover(engine, DatabaseOptions(include=(glob.escape(table_name or ""),)))]
        table = next((t for t in found if not isinstance(t, tuple) and t.qualified == table_name), None)
        failed = next((t for t in found if isinstance(t, tuple) and t[0] == table_name), None)
        if failed is not None:  # there, but it cannot be described (no right to it, a broken schema): not gone
            raise FindError(f"the table {table_name} cannot be read again: {failed[1]}")
    except DatabaseError as exc:
        raise FindError(str(exc)) from None
    except Exception as exc:  # the driver's own errors: said without what they quote
        if not is_driver_error(exc):
            raise
        raise FindError(reason(exc)) from None
    if table is None or table.qualified != table_name:
        raise _Gone(f"the table {table_name} is no longer there")
    item = TableItem(full, table, DatabaseOptions())
    rows = [json.loads(p.location).get("row") for p in group if p.location]
    keys = [r for r in rows if isinstance(r, dict)]
    if not keys or len(keys) < len(rows) or not table.key:
        return list(scanner.scan_item(item, summary))
    sql, _ = select_sql(engine, item)
    sql += " WHERE " + " OR ".join(_key_match(engine, r) for r in _distinct(keys))
    return list(_table_rows(scanner, item, engine, sql, summary, Coverage()))


def _table_rows(
    scanner: Any, item: Any, engine: Any, sql: str, summary: Any, coverage: Any
) -> Iterator[pa.RecordBatch]:
    """The scanner's own reading of a table's rows (``Scanner._table``'s inner step) for a narrowed query."""
    from detectors import column_hint_of
    from scanner.extract.tables import ColumnReport

    recognizers = [a.recognizer for a in scanner.engine.adapters]
    scanned = item.table.scanned
    hints = [column_hint_of(c.name, recognizers) for c in scanned]
    reports = [ColumnReport(item.table.qualified, c.name, hint=h) for c, h in zip(scanned, hints, strict=True)]
    yield from scanner._rows(item, engine, sql, hints, reports, summary, coverage)


def _distinct(keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for k in keys:
        seen.setdefault(json.dumps(k, sort_keys=True), k)
    return list(seen.values())


def _key_match(engine: Any, key: dict[str, Any]) -> str:
    """``("id" = 17)``: one recorded row's key as SQL, its values as literals (numbers as numbers, text
    quoted with quotes doubled)."""
    from scanner.sources.dialects import dialect_of

    dialect = dialect_of(engine.url)
    parts = []
    for name, value in key.items():
        if isinstance(value, bool) or value is None:
            literal = "NULL" if value is None else str(int(value))
        elif isinstance(value, int | float):
            literal = repr(value)
        else:
            literal = "'" + str(value).replace("'", "''") + "'"
        parts.append(f"{dialect.quote(engine, name)} = {literal}")
    return "(" + " AND ".join(parts) + ")"


def _mark(group: list[Place], batches: list[pa.RecordBatch], unread: str | None, current: str) -> None:
    """Each place's status from what the item holds now."""
    now: dict[tuple, list[str | None]] = {}
    for batch in batches:
        rows = batch.filter(pc.is_valid(batch.column("entity")))
        for member, location, value_hash in zip(
            rows.column("member").to_pylist(),
            rows.column("location").to_pylist(),
            rows.column("value_hash").to_pylist(),
            strict=True,
        ):
            now.setdefault((value_hash, member), []).append(location)
    recorded = {(id(p.sought), p.member, p.location) for p in group}
    for place in group:
        wanted = place.sought.hashes[current]
        where = now.get((wanted, place.member), [])
        # elsewhere in the item: not where the value was recorded too (those places answer for themselves)
        elsewhere = [w for w in where if (id(place.sought), place.member, w) not in recorded]
        if place.location in where or (place.location is None and where):
            place.status, place.note = "present", None
        elif elsewhere:
            from scanner.terminal import place_text

            shown = ", ".join(place_text(json.loads(w)) if w else "-" for w in elsewhere[:3])
            place.status, place.note = "moved", f"now at {shown}"
        elif unread is not None and unread.startswith("unread"):
            place.status, place.note = "unread", unread.removeprefix("unread: ")
        else:
            place.status, place.note = "gone", unread


def rescan_status(found: Search) -> int:
    """The exit status after a rescan: 1 when a value is still where it was recorded (or moved within the
    item), 2 when a place could not be read again, else 0 (every value gone)."""
    statuses = {p.status for places in found.places.values() for p in places}
    if "unread" in statuses:
        return 2
    return 1 if statuses & {"present", "moved"} else 0


# --- output --------------------------------------------------------------------------------------------


def as_json(found: Search, history: str) -> dict[str, Any]:
    run = found.run
    return {
        "history": history,
        "run": {"id": run["id"], "started": run["started"], "key_id": run["key_id"]} if run else None,
        "subjects": [
            {
                "subject": s.number,
                "given": s.label,
                "values": [{"entity": v.entity, "value": v.masked, "given_as": v.label} for v in s.values],
                "places": [p.as_dict() for p in found.places[s.number]],
            }
            for s in found.subjects
        ],
        "notes": found.notes,
    }


CSV_FIELDS = (
    "subject",
    "entity",
    "value",
    "source",
    "member",
    "location",
    "register",
    "first_run",
    "last_run",
    "rescan",
    "rescan_note",
)


def as_csv(found: Search) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for subject in found.subjects:
        for p in found.places[subject.number]:
            registers = ", ".join(r for r in p.registers if r)
            writer.writerow(
                [
                    subject.number,
                    p.entity,
                    p.value,
                    p.source,
                    p.member or "",
                    p.location or "",
                    registers,
                    p.first_run,
                    p.last_run,
                    p.status or "",
                    p.note or "",
                ]
            )
    return out.getvalue()


def as_table(found: Search) -> str:
    from scanner.terminal import aligned, place_text, plural

    where = f"run {found.run['id']} ({found.run['started']})" if found.run else "any run"
    lines: list[str] = []
    for subject in found.subjects:
        values = ", ".join(f"{v.entity} {v.masked}" for v in subject.values)
        places = found.places[subject.number]
        lines.append(f"Subject {subject.number} ({subject.label}): {values}")
        if not places:
            lines.append(f"  Not found in {where}.")
            lines.append("")
            continue
        lines.append(f"  {plural(len(places), 'place')} in {where}:")
        rows = [
            (
                "SOURCE",
                "MEMBER",
                "LOCATION",
                "REGISTER",
                "ENTITY",
                "FIRST",
                "LAST",
                *(("NOW",) if _rescanned(places) else ()),
            )
        ]
        for p in places:
            location = place_text(json.loads(p.location)) if p.location else "-"
            registers = ", ".join(r for r in p.registers if r) or "-"
            status = (f"{p.status}" + (f" ({p.note})" if p.note else ""),) if _rescanned(places) else ()
            rows.append(
                (p.source, p.member or "-", location, registers, p.entity, str(p.first_run), str(p.last_run), *status)
            )
        lines.extend(aligned(rows, indent="  "))
        lines.append("")
    lines.extend(f"Note: {n}" for n in found.notes)
    return "\n".join(lines).rstrip("\n") + "\n"


def _rescanned(places: list[Place]) -> bool:
    return any(p.status is not None for p in places)


# --- known subjects ----------------------------------------------------------------------------------


class KnownSubjects:
    """The ``[[subjects]]`` lists of a configuration as value hashes (hash → the names of the lists holding
    it, joined by ", "); their values are read, hashed under every entity whose detector accepts them, and
    forgotten."""

    def __init__(self, lists: Sequence[Any], key: bytes, adapters: Sequence[Adapter]) -> None:
        hasher, identifier = Hasher(key), Identifier(adapters)
        names: dict[str, list[str]] = {}
        self.rejected: dict[str, int] = {}
        self.counts: dict[str, int] = {}
        for entry in lists:
            spec = str(entry.values_from)
            columns = [entry.column] if entry.column else None
            by_adapter: dict[int, tuple[Adapter, list[str]]] = {}
            for _, given in read_list(spec, columns):
                for _, raw in given:
                    text = raw.strip()
                    accepting = identifier.accepting(text)
                    if not accepting:
                        self.rejected[entry.name] = self.rejected.get(entry.name, 0) + 1
                    for adapter in accepting:
                        by_adapter.setdefault(id(adapter), (adapter, []))[1].append(text)
            count = 0
            for adapter, texts in by_adapter.values():
                for h in value_hashes(hasher, adapter, texts):
                    shelf = names.setdefault(h, [])
                    if entry.name not in shelf:
                        shelf.append(entry.name)
                        count += 1
            self.counts[entry.name] = count
        self.names = {h: ", ".join(n) for h, n in names.items()}
        self._set = pa.array(list(self.names), pa.string())

    def tag(self, hashes: pa.Array) -> np.ndarray:
        """Which of a batch's value hashes are in a list."""
        return pc.fill_null(pc.is_in(hashes.cast(pa.string()), value_set=self._set), False).to_numpy(
            zero_copy_only=False
        )

    def notes(self) -> list[str]:
        """Values in a list that no detector accepts (not matched: a typo, or a kind Harava does not find)."""
        return [
            f"{n} value{'s' if n != 1 else ''} of the subject list {name!r} no detector accepts: they are not matched"
            for name, n in self.rejected.items()
        ]


class SubjectTally:
    """A check's listener: the findings of known subjects, per subject, register and entity, with a few
    examples — what ``check`` reports as ``subjects``."""

    EXAMPLES = 3

    def __init__(self, known: KnownSubjects) -> None:
        self.known = known
        self.tally: dict[tuple[str, str, str], dict[str, Any]] = {}

    def add(self, register: str, batch: pa.RecordBatch, undeclared: np.ndarray | None = None) -> None:
        if not batch.num_rows or not self.known.names:
            return
        hit = self.known.tag(batch.column("value_hash"))
        if not hit.any():
            return
        marks = np.zeros(batch.num_rows, bool) if undeclared is None else undeclared
        rows = batch.filter(pa.array(hit)).to_pylist()
        for row, mark in zip(rows, marks[hit].tolist(), strict=True):
            subject = self.known.names[row["value_hash"]]
            entry = self.tally.setdefault(
                (subject, register, row["entity"]),
                {
                    "subject": subject,
                    "register": register,
                    "entity": row["entity"],
                    "count": 0,
                    "undeclared": 0,
                    "examples": [],
                },
            )
            entry["count"] += 1
            entry["undeclared"] += int(mark)
            if len(entry["examples"]) < self.EXAMPLES:
                location = json.loads(row["location"]) if row["location"] else None
                entry["examples"].append({"source": row["source"], "member": row["member"], "location": location})

    def close(self) -> None:
        pass

    def abort(self, why: str, status: int) -> None:
        pass

    def as_list(self) -> list[dict[str, Any]]:
        return sorted(self.tally.values(), key=lambda e: (e["register"], e["subject"], e["entity"]))

    def text(self) -> str:
        """The table's lines: "Asiakasrekisteri holds FI_PERSONAL_IDENTITY_CODE of Työntekijät: 2 (2 undeclared)"."""
        found = self.as_list()
        if not found:
            return "Known subjects: none of their values was found.\n"
        lines = ["Known subjects found:"]
        for e in found:
            undeclared = f", {e['undeclared']} undeclared" if e["undeclared"] else ""
            first = e["examples"][0]
            where = first["source"] + (f" [{first['member']}]" if first["member"] else "")
            lines.append(
                f"  {e['register'] or '-'}: {e['entity']} of {e['subject']} ×{e['count']}{undeclared} (e.g. {where})"
            )
        return "\n".join(lines) + "\n"
