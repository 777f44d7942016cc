"""Run history: what each ``harava check`` found, kept so the next run can say what changed.

A history is an SQLite file (the default) or any SQLAlchemy database URL (PostgreSQL too). It holds
runs (time, configuration, exit status, the id of the hash key), each register's verdict, and the findings
— as masked values, keyed hashes and locations, never raw values. Comparing two runs uses a finding's
identity: register, entity, value hash, source, member and location; across a change of hash key (a new
hash epoch, see ``scanner.keys``) hashes cannot be compared, and findings are matched by place only.

Findings are indexed by value hash, so ``harava find`` (``scanner.find``) looks a person's values up in
milliseconds however many are recorded; a finding whose value is in a known-subject list (``[[subjects]]``)
carries the list's name in ``subject``. A history written by an earlier version gains the columns and
indexes added since when it is opened (nullable columns: nothing recorded before is lost or changed).
"""

from __future__ import annotations

import contextlib
import datetime
import json
import signal
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from scanner import __version__
from scanner.config import is_database_url, item_path
from scanner.findings import RECORD_SCHEMA, SCHEMA

METADATA = sa.MetaData()
RUNS = sa.Table(
    "runs",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("started", sa.String(32), nullable=False),
    sa.Column("finished", sa.String(32)),
    sa.Column("config", sa.Text),
    sa.Column("status", sa.Integer),
    sa.Column("version", sa.String(32)),
    # what the findings depend on besides the files (version, detectors, settings): runs with another
    # signature are never reused
    sa.Column("signature", sa.String(64)),
    # items read complete / partial / skipped and parts not read per code, as JSON
    sa.Column("coverage", sa.Text),
    # scanner.keys.key_id of the key that made the run's value hashes (null: recorded before it was kept)
    sa.Column("key_id", sa.String(16)),
)
VERDICTS = sa.Table(
    "verdicts",
    METADATA,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
    sa.Column("register", sa.Text, nullable=False),
    sa.Column("verdict", sa.Text, nullable=False),  # the register's JSON verdict
)
_SQL_TYPES = {pa.string(): sa.Text, pa.float64(): sa.Float, pa.bool_(): sa.Boolean}
FINDINGS = sa.Table(
    "findings",
    METADATA,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
    # the findings schema's fields; values are masked, always
    *[sa.Column(f.name, _SQL_TYPES[f.type], nullable=f.nullable) for f in RECORD_SCHEMA],
    # the known subjects ([[subjects]] in the configuration) whose lists hold the value, joined by ", ";
    # null: none (or recorded before subjects were kept)
    sa.Column("subject", sa.Text),
    # `harava find` looks values up by their hash: without this index, a lookup reads every finding
    sa.Index("ix_findings_value_hash", "value_hash"),
)
FILES = sa.Table(
    "files",
    METADATA,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("mtime_ns", sa.BigInteger, nullable=False),
    # the item's coverage then, as JSON in the runs' shape (null: read completely): carried over with it
    sa.Column("coverage", sa.Text),
)
ERRORS = sa.Table(
    "errors",
    METADATA,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("error", sa.Text, nullable=False),
    sa.Column("code", sa.String(32)),  # why, in one word (scanner.extract.CODES); added in 0.x, null before
)


class HistoryError(Exception):
    """The history cannot be opened, or the run asked for is not in it."""


def now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


@dataclass
class Finding:
    register: str
    source: str
    path: str
    member: str | None
    location: str | None
    entity: str
    value: str | None
    value_hash: str | None
    undeclared: bool
    score: float | None = None
    detector: str | None = None
    detail: str | None = None
    subject: str | None = None  # the known subjects whose lists hold the value ([[subjects]]), if any

    @property
    def key(self) -> tuple:
        return (self.register, self.entity, self.value_hash, self.path, self.member, self.location)

    @property
    def place(self) -> tuple:
        """The identity without the value hash: what two runs hashed with different keys can still share."""
        return (self.register, self.entity, self.path, self.member, self.location)


@dataclass
class Change:
    """What is new, gone and unchanged between two runs, per register."""

    since: dict[str, Any] | None
    new: list[Finding] = field(default_factory=list)
    gone: list[Finding] = field(default_factory=list)
    persisting: int = 0
    #: the two runs were hashed with different keys: {"from_run", "from_key_id", "to_run", "to_key_id"}
    key_changed: dict[str, Any] | None = None

    @property
    def key_note(self) -> str | None:
        """What a reader must know when the hash key changed between the runs compared."""
        k = self.key_changed
        if k is None:
            return None
        return (
            f"The hash key changed between run {k['from_run']} and run {k['to_run']} (key id {k['from_key_id']} →"
            f" {k['to_key_id']}): values cannot be compared, so findings were matched by register, entity and"
            " place only (a different value in the same place is not seen as new)."
        )

    def as_dict(self) -> dict[str, Any]:
        def brief(f: Finding) -> dict[str, Any]:
            return {
                "register": f.register,
                "entity": f.entity,
                "source": f.source,
                "member": f.member,
                "location": json.loads(f.location) if f.location else None,
                "value": f.value,
                "undeclared": f.undeclared,
            }

        return {
            "since_run": self.since,
            "new": [brief(f) for f in self.new],
            "gone": [brief(f) for f in self.gone],
            "persisting": self.persisting,
            "new_undeclared": sum(1 for f in self.new if f.undeclared),
            "key_changed": self.key_changed,
        }


@dataclass
class PreviousScan:
    """What an earlier run read: file sizes and times, and the findings in each file (one copy each)."""

    run_id: int
    files: dict[str, tuple[int, int]]
    findings: dict[str, list[dict[str, Any]]]
    coverage: dict[str, dict[str, Any]] = field(default_factory=dict)

    def coverage_of(self, path: str) -> dict[str, Any]:
        """How fully ``path`` was read then (a file recorded before coverage was kept: completely)."""
        return self.coverage.get(path) or {"complete": 1, "partial": 0, "skipped": 0, "reasons": {}}

    def carried(self, path: str, marker: tuple[int, int], source: str) -> list[pa.RecordBatch] | None:
        """The earlier findings of ``path`` (shown as ``source``) if it is unchanged (same size and time)."""
        if self.files.get(path) != marker:
            return None
        rows = [{**row, "source": source} for row in self.findings.get(path, [])]
        return [pa.RecordBatch.from_pylist(rows, schema=SCHEMA)] if rows else []


def _add_new_columns(engine: sa.Engine) -> None:
    """A history written by an earlier version lacks the columns added since (all nullable): add them, so
    that upgrading Harava never means losing the history."""
    inspector = sa.inspect(engine)
    with engine.begin() as conn:
        for table in METADATA.sorted_tables:
            have = {c["name"] for c in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name not in have:
                    kind = column.type.compile(dialect=engine.dialect)
                    name = engine.dialect.identifier_preparer.quote(column.name)
                    conn.execute(sa.text(f"ALTER TABLE {table.name} ADD COLUMN {name} {kind}"))


def _add_new_indexes(engine: sa.Engine) -> None:
    """The indexes added since a history was written (the value-hash index ``harava find`` looks values up
    by): created on open. Building one over a large history takes a while, once (about 3 s per million
    findings in SQLite)."""
    inspector = sa.inspect(engine)
    with engine.begin() as conn:
        for table in METADATA.sorted_tables:
            have = {i["name"] for i in inspector.get_indexes(table.name)}
            for index in table.indexes:
                if index.name not in have:
                    index.create(conn, checkfirst=True)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM noted instead of handled inside the block, and delivered once it ends."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread handles signals
        return
    caught: list[int] = []
    held = (signal.SIGINT, signal.SIGTERM)
    previous = {number: signal.signal(number, lambda n, frame: caught.append(n)) for number in held}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)
        if caught:
            signal.raise_signal(caught[0])


class History:
    def __init__(self, target: str | Path, key_id: str | None = None) -> None:
        """``key_id``: the id of the hash key the runs begun here are hashed with (``scanner.keys.key_id``)."""
        self.key_id = key_id
        #: value hash → the known subjects whose lists hold it (``scanner.find.KnownSubjects``): findings
        #: recorded here are tagged with them (``subject``)
        self.subjects: dict[str, str] = {}
        url = str(target) if is_database_url(str(target)) else f"sqlite:///{Path(target)}"
        try:
            self.engine = sa.create_engine(url)
            METADATA.create_all(self.engine)
            _add_new_columns(self.engine)
            _add_new_indexes(self.engine)
        except (sa.exc.SQLAlchemyError, ModuleNotFoundError) as exc:
            raise HistoryError(f"{target}: cannot open the history: {exc}") from None

    @contextlib.contextmanager
    def _writing(self) -> Iterator[sa.Connection]:
        """A transaction that a Ctrl-C or SIGTERM does not cut in half: the signal is held until the write
        has committed, then delivered. (Raised inside the driver's write, it left the statement unfinished
        and SQLite's write lock taken, so recording the run as interrupted failed on "database is locked".)"""
        with _signals_held(), self.engine.begin() as conn:
            yield conn

    def begin(self, config: str, started: str, signature: str | None = None) -> int:
        """A new run, recorded before any finding: one that never finishes (a crash, kill -9, an abort) is
        never taken as the previous run."""
        with self._writing() as conn:
            values = {
                "started": started,
                "config": config,
                "version": __version__,
                "signature": signature,
                "key_id": self.key_id,
            }
            return int(conn.execute(sa.insert(RUNS).values(**values)).inserted_primary_key[0])

    def add_findings(self, run_id: int, rows: list[dict[str, Any]]) -> None:
        subjects = self.subjects
        for row in rows:  # in place: a copy of every row would double what a flush holds
            row["run_id"] = run_id
            if subjects:
                row["subject"] = subjects.get(row["value_hash"])
        with self._writing() as conn:
            conn.execute(sa.insert(FINDINGS), rows)

    def finish(
        self,
        run_id: int,
        verdicts: list[dict[str, Any]],
        errors: list[dict[str, str]],
        status: int,
        files: Iterable[tuple[str, int, int, dict[str, Any] | None]] = (),
        coverage: dict[str, Any] | None = None,
    ) -> None:
        with self._writing() as conn:
            if verdicts:
                conn.execute(
                    sa.insert(VERDICTS),
                    [
                        {"run_id": run_id, "register": v["name"], "verdict": json.dumps(v, ensure_ascii=False)}
                        for v in verdicts
                    ],
                )
            if errors:
                conn.execute(sa.insert(ERRORS), [{"run_id": run_id, **e} for e in errors])
            file_rows = [
                {"run_id": run_id, "path": p, "size": n, "mtime_ns": t, "coverage": json.dumps(c) if c else None}
                for p, n, t, c in files
            ]
            for start in range(0, len(file_rows), 10_000):
                conn.execute(sa.insert(FILES), file_rows[start : start + 10_000])
            done = {"finished": now(), "status": status, "coverage": json.dumps(coverage) if coverage else None}
            conn.execute(sa.update(RUNS).where(RUNS.c.id == run_id).values(**done))

    def previous_scan(self, signature: str | None) -> PreviousScan | None:
        """The files and findings of the last run that finished (not one that was interrupted or failed; one
        whose verdicts were incomplete did finish, and its fully read files count) with the same signature
        (the same version, detectors and settings)."""
        complete = [r for r in self.runs() if r["finished"] and r["signature"] == signature]
        if not complete:
            return None
        run = complete[-1]
        files, coverage = {}, {}
        with self.engine.connect() as conn:
            query = sa.select(FILES.c.path, FILES.c.size, FILES.c.mtime_ns, FILES.c.coverage)
            for path, size, mtime, read in conn.execute(query.where(FILES.c.run_id == run["id"])):
                files[path] = (size, mtime)
                if read:
                    coverage[path] = json.loads(read)
        findings: dict[str, dict[tuple, dict[str, Any]]] = {}
        for f in self.findings(run["id"]):
            row = {
                "source": f.source,
                "member": f.member,
                "location": f.location,
                "entity": f.entity,
                "value": f.value,
                "value_hash": f.value_hash,
                "score": f.score,
                "detector": f.detector,
                "detail": f.detail,
                "error": None,
                "code": None,
                "coverage": None,
            }
            findings.setdefault(f.path, {})[(f.member, f.location, f.entity, f.value_hash)] = row
        return PreviousScan(run["id"], files, {p: list(rows.values()) for p, rows in findings.items()}, coverage)

    def abort(self, run_id: int, why: str, status: int) -> None:
        """A run that ended without a result (an error, an interrupt): its status and why are kept, but it
        stays unfinished, so it is never the run a later one is compared with or carries findings over from."""
        with self._writing() as conn:
            conn.execute(sa.insert(ERRORS), [{"run_id": run_id, "source": "harava", "error": why}])
            conn.execute(sa.update(RUNS).where(RUNS.c.id == run_id).values(status=status))

    def runs(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.select(RUNS).order_by(RUNS.c.id))]

    def resolve(self, selector: str, before: int | None = None) -> dict[str, Any] | None:
        """``last`` (the run before ``before``), a run id, or a date/time (the last run up to it)."""
        runs = [r for r in self.runs() if r["finished"] and (before is None or r["id"] < before)]
        if not runs:
            return None
        if selector == "last":
            return runs[-1]
        if selector.isdigit():
            match = [r for r in runs if r["id"] == int(selector)]
            if not match:
                raise HistoryError(f"no run {selector} in the history")
            return match[0]
        try:
            moment = datetime.datetime.fromisoformat(selector)
        except ValueError:
            raise HistoryError(f"--since takes last, a run number or a date (YYYY-MM-DD), not {selector!r}") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.UTC)
        if len(selector) <= 10:  # a date means the whole day
            moment += datetime.timedelta(days=1)
        earlier = [r for r in runs if datetime.datetime.fromisoformat(r["started"]) < moment]
        return earlier[-1] if earlier else None

    def findings(self, run_id: int) -> list[Finding]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(FINDINGS).where(FINDINGS.c.run_id == run_id))
            return [Finding(**{k: v for k, v in r._mapping.items() if k != "run_id"}) for r in rows]

    def occurrences(self, hashes: Iterable[str], chunk: int = 500) -> list[tuple[int, Finding]]:
        """(run id, finding) of every finding recorded with one of the value hashes, in any run, looked up
        through the value-hash index: milliseconds however many findings the history holds."""
        wanted = sorted(set(hashes))
        found: list[tuple[int, Finding]] = []
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), chunk):
                query = sa.select(FINDINGS).where(FINDINGS.c.value_hash.in_(wanted[start : start + chunk]))
                for r in conn.execute(query):
                    row = dict(r._mapping)
                    found.append((row.pop("run_id"), Finding(**row)))
        return found

    def verdicts(self, run_id: int) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(VERDICTS.c.verdict).where(VERDICTS.c.run_id == run_id))
            return [json.loads(r[0]) for r in rows]

    def errors(self, run_id: int) -> list[dict[str, str]]:
        with self.engine.connect() as conn:
            query = sa.select(ERRORS.c.source, ERRORS.c.error, ERRORS.c.code).where(ERRORS.c.run_id == run_id)
            return [{"source": s, "error": e, "code": c} for s, e, c in conn.execute(query)]

    def compare(self, current: int, previous: dict[str, Any] | None) -> Change:
        """What changed from run ``previous`` to run ``current``. Hashed with different keys, the same value
        has different hashes: findings are then matched by place, and the change says so, rather than
        calling every finding new and every earlier one gone."""
        now = self.findings(current)
        if previous is None:
            return Change(None, new=now)
        before = self.findings(previous["id"])
        with self.engine.connect() as conn:
            current_key = conn.execute(sa.select(RUNS.c.key_id).where(RUNS.c.id == current)).scalar()
        previous_key = previous.get("key_id")
        key_changed = None
        if current_key and previous_key and current_key != previous_key:
            key_changed = {
                "from_run": previous["id"],
                "from_key_id": previous_key,
                "to_run": current,
                "to_key_id": current_key,
            }

        def identity(f: Finding) -> tuple:
            return f.place if key_changed else f.key

        before_keys = {identity(f) for f in before}
        now_keys = {identity(f) for f in now}
        return Change(
            {"id": previous["id"], "started": previous["started"]},
            new=[f for f in now if identity(f) not in before_keys],
            gone=[f for f in before if identity(f) not in now_keys],
            persisting=len(now_keys & before_keys),
            key_changed=key_changed,
        )


def history_rows(register: str, batch: pa.RecordBatch, undeclared: np.ndarray | None = None) -> list[dict[str, Any]]:
    """A findings batch as rows of the history's findings table (values are already masked by the scan);
    ``undeclared`` marks the rows the register does not declare."""
    found = pc.is_valid(batch.column("entity")).to_numpy(zero_copy_only=False)
    if not found.any():
        return []
    marks = np.zeros(batch.num_rows, bool) if undeclared is None else undeclared
    rows = batch.filter(pa.array(found)).to_pylist()
    paths: dict[str, str] = {}
    for row, mark in zip(rows, marks[found].tolist(), strict=True):
        del row["error"], row["code"], row["coverage"]
        source = row["source"]
        path = paths.get(source) or paths.setdefault(source, item_path(source))
        row["register"], row["path"], row["undeclared"] = register, path, mark
    return rows
