"""Reports for people and machines: a ``harava check`` result as a table or a plain HTML page, and a
recorded run from the history: a self-contained HTML page for people (:mod:`scanner.report_html`: no
network, inline CSS, SVG and script, printable), JSON and Markdown, and the findings as CSV or Parquet
with a fixed schema for DuckDB, pandas and BI tools.

Findings export schema: ``run_id`` int64, ``started`` string (ISO 8601, UTC), ``register``, ``source``,
``path`` (absolute path or URL), ``member``, ``location`` (JSON text), ``entity``, ``value`` (masked),
``value_hash`` strings, and ``undeclared`` bool — picked from ``scanner.findings.RECORD_SCHEMA``.
"""

from __future__ import annotations

import io
import json
from html import escape
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import sqlalchemy as sa

from scanner.findings import RECORD_SCHEMA, describe_location
from scanner.history import FINDINGS, Change, History
from scanner.registers.check import CheckResult, RegisterCoverage, Verdict
from scanner.registers.statement import DATA_CONTENT, Statement
from scanner.report_html import ReportData, contradiction, page, verdict_coverage
from scanner.terminal import coverage_line, plural

#: The findings export's columns, in the order users' queries rely on; their types are the findings schema's.
EXPORT_FIELDS = ("register", "source", "path", "member", "location", "entity", "value", "value_hash", "undeclared")
EXPORT_SCHEMA = pa.schema(
    [
        ("run_id", pa.int64()),
        ("started", pa.string()),
        *[RECORD_SCHEMA.field(name).with_nullable(True) for name in EXPORT_FIELDS],
    ]
)


def _trend(history: History, upto: int) -> list[dict[str, Any]]:
    with history.engine.connect() as conn:
        counts = dict(
            conn.execute(
                sa.select(FINDINGS.c.run_id, sa.func.count()).where(FINDINGS.c.undeclared).group_by(FINDINGS.c.run_id)
            ).all()
        )
    return [
        {"run": r["id"], "started": r["started"], "undeclared": counts.get(r["id"], 0)}
        for r in history.runs()
        if r["id"] <= upto
    ]


def _data(history: History, run: dict[str, Any]) -> dict[str, Any]:
    findings = history.findings(run["id"])
    return {
        "run": run,
        "registers": history.verdicts(run["id"]),
        "findings": findings,
        "errors": history.errors(run["id"]),
        "trend": _trend(history, run["id"]),
    }


def _change(history: History, run: dict[str, Any]) -> Change:
    """What is new and gone since the run before this one (the last one that finished)."""
    return history.compare(run["id"], history.resolve("last", before=run["id"]))


def _since_last(change: Change) -> dict[str, Any] | None:
    """The counts of :func:`_change` for the JSON report (the run's findings are listed in it already)."""
    if change.since is None:
        return None
    return {
        "run": change.since["id"],
        "started": change.since["started"],
        "new": len(change.new),
        "new_undeclared": sum(1 for f in change.new if f.undeclared),
        "gone": len(change.gone),
        "persisting": change.persisting,
        "key_changed": change.key_changed,
    }


def render(history: History, run: dict[str, Any], fmt: str) -> bytes:
    data = _data(history, run)
    if fmt in ("csv", "parquet"):
        table = pa.Table.from_pylist(
            [{"run_id": run["id"], "started": run["started"], **f.__dict__} for f in data["findings"]],
            schema=EXPORT_SCHEMA,
        )
        sink = io.BytesIO()
        if fmt == "csv":
            pacsv.write_csv(table, sink)
        else:
            pq.write_table(table, sink)
        return sink.getvalue()
    change = _change(history, run)
    if fmt == "json":
        out = {
            **data,
            "findings": [
                {**f.__dict__, "location": json.loads(f.location) if f.location else None} for f in data["findings"]
            ],
            "since_last_run": _since_last(change),
        }
        return (json.dumps(out, ensure_ascii=False, indent=2) + "\n").encode()
    if fmt == "md":
        return _markdown(data, change).encode()
    return page(ReportData(**data, change=change)).encode()


def _markdown(data: dict[str, Any], change: Change | None = None) -> str:
    run = data["run"]
    lines = [
        f"# Harava run {run['id']}",
        "",
        f"Started {run['started']}, finished {run['finished']}, "
        f"exit status {run['status']}, configuration `{run['config']}`.",
        "",
    ]
    if change is not None and change.since is not None:
        since = _since_last(change) or {}
        lines += [
            f"Since run {since['run']}: {since['new']} new ({since['new_undeclared']} undeclared), "
            f"{since['gone']} gone, {since['persisting']} unchanged.",
            "",
        ]
        if change.key_note:
            lines += [change.key_note, ""]
    if run.get("coverage"):
        lines += [f"Read: {_run_coverage(json.loads(run['coverage']))}.", ""]
    for verdict in data["registers"]:
        lines += _markdown_verdict(verdict)
    if data["errors"]:
        lines += ["## Items that could not be read", ""] + [f"- {e['source']}: {_error(e)}" for e in data["errors"]]
    return "\n".join(lines) + "\n"


def _markdown_verdict(verdict: dict[str, Any]) -> list[str]:
    status = {
        "incomplete": "**incomplete: not everything could be read**",
        "undeclared": "**undeclared personal data**",
        "ok": "all found data declared",
    }[_status(verdict)]
    lines = [
        f"## {verdict['name']}: {status}",
        "",
        f"- declared: {', '.join(verdict['declared']) or '-'}",
        f"- found: {', '.join(f'{e} {n}' for e, n in verdict['found'].items()) or '-'}",
    ]
    if verdict.get("coverage"):
        lines.append(f"- read: {verdict_coverage(verdict['coverage'])}")
    lines += [
        f"- **contradicted: {c['entity']} {c['count']}** — {contradiction(c)}"
        for c in verdict.get("contradicted") or []
    ]
    lines += [f"- **undeclared: {u['entity']} {u['count']}**" for u in verdict["undeclared"]]
    if verdict["declared_not_found"]:
        lines.append(f"- declared, not found: {', '.join(verdict['declared_not_found'])}")
    lines.append("")
    return lines


def _status(verdict: dict[str, Any]) -> str:
    """A recorded verdict's status (runs recorded before statuses were kept: from what they hold)."""
    return verdict.get("status") or ("undeclared" if verdict["undeclared"] else "ok")


def _run_coverage(coverage: dict[str, Any]) -> str:
    return coverage_line(coverage, coverage.get("reasons"))


# --- harava check ---------------------------------------------------------------------------
def _where(example: dict[str, Any]) -> str:
    location = example.get("location") or {}
    glue = ":" if "line" in location else " "
    place = example["source"] + (glue + describe_location(location) if location else "")
    if example.get("member"):
        place += f" [{example['member']}]"
    return f"{place} ({example['value']})"


def _undeclared_lines(undeclared: list[dict[str, Any]], contradicted: list[dict[str, Any]]) -> list[str]:
    """Undeclared entities with examples, those the statement denies first: a statement that says the
    register holds no IP addresses, while it does, is wrong — not merely incomplete."""
    denied = {c["entity"]: c for c in contradicted}
    out = []
    order = sorted(undeclared, key=lambda u: (not u.get("special"), u["entity"] not in denied))
    for item in order:
        denial = denied.get(item["entity"])
        special = f" — SPECIAL CATEGORY ({item['special']})" if item.get("special") else ""
        if denial is not None:
            out.append(
                f"  CONTRADICTED: {item['entity']} {item['count']}{special} (undeclared, and the statement denies it)"
            )
            out.append(f"      {contradiction(denial)}")
        else:
            out.append(f"  UNDECLARED: {item['entity']} {item['count']}{special}")
        out.extend(f"      e.g. {_where(example)}" for example in item["examples"])
    return out


def _special_lines(special: list[dict[str, Any]]) -> list[str]:
    """Declared special categories: the line naming the basis for holding them, or a note that none does."""
    out = []
    for item in special:
        if item.get("note"):
            out.append(f"  note: {item['note']}")
        elif item["basis"] is not None:
            out.append(
                f"  special:    {item['label']} ({item['special']}) declared; basis named on line "
                f"{item['basis']['line']}: {item['basis']['text']}"
            )
    return out


def _where_item(item: dict[str, Any]) -> str:
    return f"{item['source']} {item['table']}" if item.get("table") else item["source"]


def _risk_lines(risk: dict[str, Any] | None, shown: int = 3) -> list[str]:
    """The register's risk score and its riskiest items, each with its reasons."""
    if not risk or not risk.get("riskiest"):
        return []
    out = [f"  risk:       {risk['score']} of 100 ({'; '.join(risk['reasons'][1:])})"]
    out.extend(
        f"      {item['score']:>3}  {_where_item(item)}: {'; '.join(item['reasons'])}" for item in risk["riskiest"][:shown]
    )
    return out


def render_table(result: CheckResult) -> str:
    out = []
    for verdict in result.verdicts:
        status = {"incomplete": "INCOMPLETE", "undeclared": "UNDECLARED DATA", "ok": "ok"}[verdict.status]
        if verdict.status == "incomplete" and verdict.undeclared:
            status += ", UNDECLARED DATA"
        if verdict.special:
            status += ", UNDECLARED SPECIAL-CATEGORY DATA"
        if verdict.contradicted:
            status += ", CONTRADICTS ITS STATEMENT"
        out.append(f"{verdict.register.name}  [{status}]")
        out.append(f"  statement:  {verdict.register.statement}")
        others = [e.category.label for e in verdict.statement.declared if not e.category.entities]
        out.append(
            f"  declared:   {', '.join(verdict.declared) or '-'}" + (f"  (also: {', '.join(others)})" if others else "")
        )
        found = ", ".join(f"{e} {n}" for e, n in sorted(verdict.found.items()))
        out.append(f"  found:      {found or '-'}")
        out.extend(_undeclared_lines(verdict.undeclared, verdict.contradicted))
        if verdict.declared_not_found:
            out.append(f"  declared, not found: {', '.join(verdict.declared_not_found)}")
        if verdict.ignored:
            out.append(f"  ignored:    {', '.join(verdict.ignored)}")
        if verdict.retention and verdict.retention["older_files"]:
            older = verdict.retention["older_files"]
            out.append(
                f"  retention:  {verdict.retention['days']} days ({verdict.retention['from']}); "
                f"{plural(len(older), 'file')} with personal data unchanged for longer:"
            )
            out.extend(
                f"      {f['source']} (modified {f['modified']}, {plural(f['findings'], 'finding')})"
                for f in older[:10]
            )
        for item in verdict.accepted:
            out.append(f"  accepted:   {item['entity']} {item['count']} — {item['by']}: {item['why']}")
        out.extend(f"  note: {note}" for note in verdict.umbrella_notes)
        out.extend(_special_lines(verdict.statement.special))
        if verdict.coverage is not None:
            out.append(f"  coverage:   {coverage_text(verdict.coverage)}")
        out.extend(_risk_lines(verdict.risk))
        out.append("")
    if result.errors:
        out.append(f"Could not read {plural(len(result.errors), 'item')}:")
        out.extend(f"  {e['source']}: {_error(e)}" for e in result.errors)
    return "\n".join(out).rstrip() + "\n"


def _error(error: dict[str, str]) -> str:
    return f"[{error['code']}] {error['error']}" if error.get("code") else error["error"]


def coverage_text(coverage: RegisterCoverage) -> str:
    """``12 complete, 1 partial, 2 skipped; not read: corrupt 1, encrypted 1 (counts against the
    verdict), binary 3 (accepted)``."""
    text = coverage_line(coverage.items)
    gaps = coverage.gaps
    if gaps:
        text += "; not read: " + ", ".join(f"{c} {n}" for c, n in gaps.items()) + " (so the verdict is incomplete)"
    accepted = {c: n for c, n in sorted(coverage.unread.items()) if c not in gaps}
    if accepted:
        text += "; left alone as accepted: " + ", ".join(f"{c} {n}" for c, n in accepted.items())
    if coverage.unreachable:
        text += "; could not be reached: " + ", ".join(coverage.unreachable)
    return text


def _declared_mark(verdict: Verdict, entity: str) -> str:
    if entity in verdict.declared:
        return "yes"
    if entity in verdict.ignored:
        return "ignored"
    denial = next((c for c in verdict.contradicted if c["entity"] == entity), None)
    special = next((u["special"] for u in verdict.special if u["entity"] == entity), None)
    mark = f", special category ({special})" if special else ""
    if denial is not None:
        return f"<b class='bad'>no{mark}: denied (statement line {denial['statement_line']})</b>"
    return f"<b class='bad'>no{mark}</b>"


def render_html(result: CheckResult) -> str:
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Harava check</title>",
        "<style>body{font-family:sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}.bad{color:#a00}.ok{color:#070}"
        "</style></head><body><h1>Registers and the personal data found</h1>",
    ]
    for verdict in result.verdicts:
        cls, status = {
            "incomplete": ("bad", "incomplete: not everything could be read"),
            "undeclared": ("bad", "undeclared data"),
            "ok": ("ok", "all found data declared"),
        }[verdict.status]
        parts.append(f"<h2>{escape(verdict.register.name)} <span class='{cls}'>({status})</span></h2>")
        parts.extend(
            f"<p class='bad'><b>Contradicted: {escape(c['entity'])} {c['count']}</b> — {escape(contradiction(c))}.</p>"
            for c in verdict.contradicted
        )
        if verdict.coverage is not None:
            parts.append(f"<p>Read: {escape(coverage_text(verdict.coverage))}</p>")
        parts.append(f"<p>Statement: {escape(str(verdict.register.statement))}</p><table>")
        parts.append("<tr><th>entity</th><th>declared</th><th>found</th><th>examples</th></tr>")
        undeclared = {u["entity"]: u for u in verdict.undeclared}
        for entity in sorted(set(verdict.declared) | set(verdict.found)):
            examples = "<br>".join(escape(_where(e)) for e in undeclared.get(entity, {}).get("examples", []))
            parts.append(
                f"<tr><td>{escape(entity)}</td><td>{_declared_mark(verdict, entity)}</td>"
                f"<td>{verdict.found.get(entity, 0)}</td>"
                f"<td>{examples}</td></tr>"
            )
        parts.append("</table>")
        parts.extend(f"<p>Note: {escape(n)}</p>" for n in verdict.umbrella_notes)
        parts.extend(f"<p class='bad'>Note: {escape(s['note'])}</p>" for s in verdict.statement.special if s.get("note"))
    if result.errors:
        parts.append("<h2>Items that could not be read</h2><ul>")
        parts.extend(f"<li>{escape(e['source'])}: {escape(_error(e))}</li>" for e in result.errors)
        parts.append("</ul>")
    parts.append("</body></html>\n")
    return "".join(parts)


def statement_table(statement: Statement) -> str:
    out = [f"{statement.path}  →  {statement.register}"]
    if not statement.has_content_section:
        out.append("  (no data-content section found)")
    groups = [
        ("declared", statement.declared),
        ("negated", statement.negated),
        ("mentioned elsewhere (not declared)", statement.mentioned),
    ]
    rows = [(e, _covers(e.category)) for _, items in groups for e in items]
    # Columns as wide as their widest cell in this statement, so that every "line N" starts in one place.
    label_width = max((len(e.category.label) for e, _ in rows), default=0)
    covers_width = max((len(covers) for _, covers in rows), default=0)
    for title, items in groups:
        if not items:
            continue
        out.append(f"  {title}:")
        for e in items:
            section = f" [{e.section}]" if e.section != DATA_CONTENT else ""
            covers = _covers(e.category)
            out.append(f"    {e.category.label:<{label_width}}  {covers:<{covers_width}}  line {e.line}{section}: {e.text}")
    return "\n".join(out) + "\n"


def _covers(category) -> str:
    """What a declared category means in entities: its detectors', an umbrella's, or none yet."""
    if category.entities:
        return ", ".join(category.entities)
    if category.umbrella:
        return "umbrella: may cover " + ", ".join(category.may_cover)
    return "no detector yet"


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
