"""``harava check``: scan each register's sources and compare what is found with what its statement
declares.

Every source is scanned once, however many registers list it. For each register the verdict lists
the declared entities, the entities found (with counts), the *undeclared* ones (found, not declared,
not ignored) with a few masked example locations, and the declared ones never found — a hint that
the statement is broader than the data, or stale.
"""

from __future__ import annotations

import datetime
import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from scanner.config import Config, RegisterConfig, is_database_url
from scanner.history import Change, Finding, PreviousScan, findings_of, item_path
from scanner.registers.accepted import Accepted
from scanner.registers.statement import Statement, parse_statement
from scanner.scan import ScanOptions, Summary, run_database_scan, run_scan
from scanner.sources.database import DatabaseError, DatabaseOptions, redact
from scanner.sources.files import FileItem, WalkOptions

EXAMPLES_PER_ENTITY = 3


@dataclass
class SourceResult:
    """What one source holds: counts per entity and the first few masked examples of each."""

    found: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    summary: Summary = field(default_factory=Summary)
    error: str | None = None
    batches: list[pa.RecordBatch] | None = None  # every finding, kept when the run goes into a history
    per_file: Counter[str] = field(default_factory=Counter)  # findings per file (as displayed)

    def add(self, batch: pa.RecordBatch) -> None:
        if self.batches is not None:
            self.batches.append(batch)
        for row in batch.to_pylist():
            entity = row["entity"]
            if entity is None:
                continue
            self.found[entity] += 1
            self.per_file[row["source"]] += 1
            shelf = self.examples.setdefault(entity, [])
            if len(shelf) < EXAMPLES_PER_ENTITY:
                shelf.append(_example(row))


@dataclass
class Verdict:
    register: RegisterConfig
    statement: Statement
    declared: list[str]
    found: Counter[str]
    undeclared: list[dict[str, Any]]
    declared_not_found: list[str]
    ignored: list[str]
    umbrella_notes: list[str]
    accepted: list[dict[str, Any]] = field(default_factory=list)
    retention: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.register.name,
            "statement": str(self.register.statement),
            "register_in_statement": self.statement.register,
            "sources": self.register.sources,
            "declared": self.declared,
            "declared_categories": [e.as_dict() for e in self.statement.declared],
            "found": dict(sorted(self.found.items())),
            "undeclared": self.undeclared,
            "declared_not_found": self.declared_not_found,
            "ignored": self.ignored,
            "accepted": self.accepted,
            "retention": self.retention,
            "notes": self.umbrella_notes,
        }


@dataclass
class CheckResult:
    verdicts: list[Verdict]
    errors: list[dict[str, str]]
    #: A source could not be scanned at all (e.g. its database was unreachable): the verdict is incomplete.
    incomplete: bool = False
    sources: dict[str, SourceResult] = field(default_factory=dict)
    files: list[tuple[str, int, int]] = field(default_factory=list)  # (path, size, mtime) read or carried over
    reused_from: int | None = None

    @property
    def reused(self) -> tuple[int, int]:
        """(files, bytes) carried over from an earlier run instead of being read again."""
        files = sum(s.summary.reused_files for s in self.sources.values())
        return files, sum(s.summary.reused_bytes for s in self.sources.values())

    def history_findings(self) -> Iterator[Finding]:
        """Every kept finding once per register whose sources hold it (for the run history)."""
        for verdict in self.verdicts:
            undeclared = {u["entity"] for u in verdict.undeclared}
            for source in verdict.register.sources:
                for batch in self.sources[source].batches or []:
                    yield from findings_of(verdict.register.name, batch, undeclared)

    @property
    def has_undeclared(self) -> bool:
        return any(v.undeclared for v in self.verdicts)

    def as_dict(self) -> dict[str, Any]:
        return {"registers": [v.as_dict() for v in self.verdicts], "errors": self.errors}


def _declared_entities(register: RegisterConfig, statement: Statement, config: Config) -> tuple[set[str], list[str]]:
    """Entities the register declares: its statement's, umbrella terms as configured, manual ones."""
    declared = set(statement.declared_entities) | set(register.declare)
    notes = []
    for evidence in statement.declared:
        category = evidence.category
        if not category.umbrella:
            continue
        covers = register.umbrella.get(category.key, config.umbrella.get(category.key))
        if covers is None:
            notes.append(
                f"'{category.label}' (line {evidence.line}) may cover {', '.join(category.may_cover)}; "
                f"not counted as declaring them — set [umbrella] {category.key} = [...] in the config to decide"
            )
        else:
            declared |= set(covers)
            notes.append(
                f"'{category.label}' (line {evidence.line}) counted as declaring {', '.join(covers) or 'nothing'}"
            )
    return declared, notes


def run_check(
    config: Config,
    options: ScanOptions,
    *,
    detector_entities: set[str],
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    on_error: Callable[[str, str], None] | None = None,
    keep_findings: bool = False,
    accepted: list[Accepted] | None = None,
    previous: PreviousScan | None = None,
) -> CheckResult:
    """Scan every source once and judge every register. With ``previous`` (an earlier run from the
    history), files whose path, size and modification time are unchanged are not read again: their
    findings are carried over."""
    files_read: list[tuple[str, int, int]] = []

    def reuse(item: FileItem) -> list[pa.RecordBatch] | None:
        if previous is None:
            return None
        return previous.carried(os.path.abspath(item.path), (item.size, item.mtime_ns), item.display)

    modified: dict[str, int] = {}  # displayed path -> mtime (ns), for the retention check

    def scanned(item: FileItem) -> None:
        files_read.append((os.path.abspath(item.path), item.size, item.mtime_ns))
        modified[item.display] = item.mtime_ns

    statements = {r.name: parse_statement(r.statement, str(r.statement)) for r in config.registers}
    results: dict[str, SourceResult] = {}
    for source in dict.fromkeys(s for r in config.registers for s in r.sources):  # each source once, in order
        result = results[source] = SourceResult(batches=[] if keep_findings or accepted else None)
        if is_database_url(source):
            marker = _sqlite_marker(source)
            key = item_path(source)
            carried = previous.carried(key, marker, redact(source)) if marker and previous else None
            if carried is not None:
                # an SQLite file unchanged since the last run: its findings carry over (servers are always read)
                for batch in carried:
                    result.add(batch)
                result.summary = Summary(files=1, bytes=marker[0], reused_files=1, reused_bytes=marker[0])
                files_read.append((key, *marker))
                continue
            try:
                db = DatabaseOptions(exclude=tuple(config.exclude), workers=workers)
                result.summary = run_database_scan(source, options, result.add, db)
                if marker is not None and not result.summary.errors:
                    files_read.append((key, *marker))
            except DatabaseError as exc:
                result.error = str(exc)
        else:
            walking = WalkOptions(exclude=tuple(config.exclude))
            result.summary = run_scan(
                [source],
                options,
                result.add,
                walk_options=walking,
                workers=workers,
                progress=progress,
                on_error=on_error,
                reuse=reuse,
                scanned=scanned,
            )

    verdicts = []
    for register in config.registers:
        statement = statements[register.name]
        declared, notes = _declared_entities(register, statement, config)
        found: Counter[str] = Counter()
        examples: dict[str, list[dict[str, Any]]] = {}
        for source in register.sources:
            result = results[source]
            found.update(result.found)
            for entity, items in result.examples.items():
                shelf = examples.setdefault(entity, [])
                shelf.extend(items[: EXAMPLES_PER_ENTITY - len(shelf)])
        ignored = set(register.ignore)
        undeclared_entities = [e for e in sorted(found) if e not in declared and e not in ignored]
        accepted_items: list[dict[str, Any]] = []
        if accepted:
            undeclared, accepted_items = _apply_accepted(register, undeclared_entities, results, accepted)
        else:
            undeclared = [
                {"entity": e, "count": found[e], "examples": examples.get(e, [])} for e in undeclared_entities
            ]
        not_found = sorted(e for e in declared & detector_entities if e not in found)
        retention = _retention(register, statement, [results[s] for s in register.sources], modified)
        verdicts.append(
            Verdict(
                register,
                statement,
                sorted(declared),
                found,
                undeclared,
                not_found,
                sorted(ignored),
                notes,
                accepted_items,
                retention,
            )
        )
        if not statement.has_content_section:
            notes.append("no data-content section found in the statement: nothing counts as declared")

    errors = []
    for source, result in results.items():
        if result.error:
            errors.append({"source": redact(source), "error": result.error})
        errors.extend({"source": s, "error": e} for s, e in result.summary.errors)
    return CheckResult(
        verdicts,
        errors,
        incomplete=any(r.error for r in results.values()),
        sources=results,
        files=files_read,
        reused_from=previous.run_id if previous else None,
    )


def _retention(
    register: RegisterConfig, statement: Statement, sources: list[SourceResult], modified: dict[str, int]
) -> dict[str, Any] | None:
    """The register's retention period and the files holding personal data that have not changed for
    longer than it (their data may be kept beyond what the statement allows)."""
    if register.retention_days is not None:
        days, origin = register.retention_days, "configuration"
    elif statement.retention is not None:
        period, line, _ = statement.retention
        days, origin = period.days, f"statement line {line}: {period.text}"
    else:
        return None
    limit = time.time_ns() - days * 86_400 * 10**9
    older = [
        {
            "source": path,
            "modified": datetime.datetime.fromtimestamp(modified[path] / 1e9, datetime.UTC).date().isoformat(),
            "findings": count,
        }
        for result in sources
        for path, count in sorted(result.per_file.items())
        if path in modified and modified[path] < limit
    ]
    return {"days": days, "from": origin, "older_files": older}


def _sqlite_marker(url: str) -> tuple[int, int] | None:
    """(size, mtime) of an SQLite database and its write-ahead log: any write changes one of them."""
    if not url.startswith("sqlite:///"):
        return None
    path = Path(url[len("sqlite:///") :])
    try:
        info = path.stat()
    except OSError:
        return None
    size, mtime = info.st_size, info.st_mtime_ns
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        size, mtime = size + wal.stat().st_size, max(mtime, wal.stat().st_mtime_ns)
    return size, mtime


def _apply_accepted(
    register: RegisterConfig, entities: list[str], results: dict[str, SourceResult], accepted: list[Accepted]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Undeclared findings split into still-undeclared (with examples) and accepted (with who and why)."""
    open_: dict[str, list[dict[str, Any]]] = {e: [] for e in entities}
    taken: dict[tuple[str, str, str], int] = Counter()
    for source in register.sources:
        for batch in results[source].batches or []:
            for row in batch.to_pylist():
                if row["entity"] not in open_:
                    continue
                path = item_path(row["source"])
                rule = next((a for a in accepted if a.matches(register.name, row, path)), None)
                if rule is None:
                    open_[row["entity"]].append(row)
                else:
                    taken[(row["entity"], rule.by, rule.why)] += 1
    undeclared = [
        {"entity": e, "count": len(rows), "examples": [_example(r) for r in rows[:EXAMPLES_PER_ENTITY]]}
        for e, rows in open_.items()
        if rows
    ]
    accepted_items = [{"entity": e, "count": n, "by": by, "why": why} for (e, by, why), n in sorted(taken.items())]
    return undeclared, accepted_items


def _example(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "source": row["source"],
        "member": row["member"],
        "location": json.loads(row["location"]) if row["location"] else None,
        "value": row["value"],
    }


# --- rendering ------------------------------------------------------------------------------
def _where(example: dict[str, Any]) -> str:
    location = example.get("location") or {}
    if "line" in location:
        place = f"{example['source']}:{location['line']}" + (f":{location['column']}" if "column" in location else "")
    else:
        place = example["source"] + "".join(
            f" {k}=" + (",".join(f"{a}:{b}" for a, b in v.items()) if isinstance(v, dict) else str(v))
            for k, v in location.items()
        )
    if example.get("member"):
        place += f" [{example['member']}]"
    return f"{place} ({example['value']})"


def render_table(result: CheckResult) -> str:
    out = []
    for verdict in result.verdicts:
        status = "UNDECLARED DATA" if verdict.undeclared else "ok"
        out.append(f"{verdict.register.name}  [{status}]")
        out.append(f"  statement:  {verdict.register.statement}")
        others = [e.category.label for e in verdict.statement.declared if not e.category.entities]
        out.append(
            f"  declared:   {', '.join(verdict.declared) or '-'}" + (f"  (also: {', '.join(others)})" if others else "")
        )
        found = ", ".join(f"{e} {n}" for e, n in sorted(verdict.found.items()))
        out.append(f"  found:      {found or '-'}")
        for item in verdict.undeclared:
            out.append(f"  UNDECLARED: {item['entity']} {item['count']}")
            out.extend(f"      e.g. {_where(example)}" for example in item["examples"])
        if verdict.declared_not_found:
            out.append(f"  declared, not found: {', '.join(verdict.declared_not_found)}")
        if verdict.ignored:
            out.append(f"  ignored:    {', '.join(verdict.ignored)}")
        if verdict.retention and verdict.retention["older_files"]:
            older = verdict.retention["older_files"]
            out.append(
                f"  retention:  {verdict.retention['days']} days ({verdict.retention['from']}); "
                f"{len(older)} files with personal data unchanged for longer:"
            )
            out.extend(f"      {f['source']} (modified {f['modified']}, {f['findings']} findings)" for f in older[:10])
        for item in verdict.accepted:
            out.append(f"  accepted:   {item['entity']} {item['count']} — {item['by']}: {item['why']}")
        out.extend(f"  note: {note}" for note in verdict.umbrella_notes)
        out.append("")
    if result.errors:
        out.append(f"Could not read {len(result.errors)} items:")
        out.extend(f"  {e['source']}: {e['error']}" for e in result.errors)
    return "\n".join(out).rstrip() + "\n"


def render_html(result: CheckResult) -> str:
    from html import escape

    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Harava check</title>",
        "<style>body{font-family:sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}.bad{color:#a00}.ok{color:#070}"
        "</style></head><body><h1>Registers and the personal data found</h1>",
    ]
    for verdict in result.verdicts:
        cls, status = ("bad", "undeclared data") if verdict.undeclared else ("ok", "all found data declared")
        parts.append(f"<h2>{escape(verdict.register.name)} <span class='{cls}'>({status})</span></h2>")
        parts.append(f"<p>Statement: {escape(str(verdict.register.statement))}</p><table>")
        parts.append("<tr><th>entity</th><th>declared</th><th>found</th><th>examples</th></tr>")
        undeclared = {u["entity"]: u for u in verdict.undeclared}
        for entity in sorted(set(verdict.declared) | set(verdict.found)):
            examples = "<br>".join(escape(_where(e)) for e in undeclared.get(entity, {}).get("examples", []))
            mark = (
                "yes"
                if entity in verdict.declared
                else ("ignored" if entity in verdict.ignored else "<b class='bad'>no</b>")
            )
            parts.append(
                f"<tr><td>{escape(entity)}</td><td>{mark}</td><td>{verdict.found.get(entity, 0)}</td>"
                f"<td>{examples}</td></tr>"
            )
        parts.append("</table>")
        parts.extend(f"<p>Note: {escape(n)}</p>" for n in verdict.umbrella_notes)
    if result.errors:
        parts.append("<h2>Items that could not be read</h2><ul>")
        parts.extend(f"<li>{escape(e['source'])}: {escape(e['error'])}</li>" for e in result.errors)
        parts.append("</ul>")
    parts.append("</body></html>\n")
    return "".join(parts)


def statement_table(statement: Statement) -> str:
    out = [f"{statement.path}  →  {statement.register}"]
    if not statement.has_content_section:
        out.append("  (no data-content section found)")
    for title, items in (
        ("declared", statement.declared),
        ("negated", statement.negated),
        ("mentioned elsewhere (not declared)", statement.mentioned),
    ):
        if not items:
            continue
        out.append(f"  {title}:")
        for e in items:
            entities = ", ".join(e.category.entities) or (
                "umbrella: may cover " + ", ".join(e.category.may_cover) if e.category.umbrella else "no detector yet"
            )
            section = f" [{e.section}]" if title.startswith("mentioned") else ""
            out.append(f"    {e.category.label:<18} {entities:<44} line {e.line}{section}: {e.text}")
    return "\n".join(out) + "\n"


def render_change(change: Change) -> str:
    since = change.since
    head = f"Since run {since['id']} ({since['started']})" if since else "No earlier run recorded"
    new_undeclared = [f for f in change.new if f.undeclared]
    lines = [
        f"{head}: {len(change.new)} new ({len(new_undeclared)} undeclared), {len(change.gone)} gone, "
        f"{change.persisting} unchanged."
    ]
    for f in new_undeclared[:20]:
        where = f.source + (f" [{f.member}]" if f.member else "") + (f" {f.location}" if f.location else "")
        lines.append(f"  NEW UNDECLARED  {f.register}: {f.entity} {f.value} at {where}")
    if len(new_undeclared) > 20:
        lines.append(f"  … and {len(new_undeclared) - 20} more")
    return "\n".join(lines) + "\n"
