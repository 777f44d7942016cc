"""Reports for people and machines: a ``harava check`` result as a table or a plain HTML page, and a
recorded run from the history: a self-contained HTML page for people (no network: inline CSS and SVG),
JSON and Markdown, and the findings as CSV or Parquet with a fixed schema for DuckDB, pandas and BI tools.

Findings export schema: ``run_id`` int64, ``started`` string (ISO 8601, UTC), ``register``, ``source``,
``path`` (absolute path or URL), ``member``, ``location`` (JSON text), ``entity``, ``value`` (masked),
``value_hash`` strings, and ``undeclared`` bool — picked from ``scanner.findings.RECORD_SCHEMA``.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from html import escape
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import sqlalchemy as sa

from scanner.findings import RECORD_SCHEMA, describe_location
from scanner.history import FINDINGS, Change, History
from scanner.registers.check import CheckResult, RegisterCoverage
from scanner.registers.statement import Statement
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


def render(history: History, run: dict[str, Any], fmt: str) -> bytes:
    data = _data(history, run)
    if fmt == "json":
        out = {
            **data,
            "findings": [
                {**f.__dict__, "location": json.loads(f.location) if f.location else None} for f in data["findings"]
            ],
        }
        return (json.dumps(out, ensure_ascii=False, indent=2) + "\n").encode()
    if fmt == "md":
        return _markdown(data).encode()
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
    return _html(data).encode()


def _markdown(data: dict[str, Any]) -> str:
    run = data["run"]
    lines = [
        f"# Harava run {run['id']}",
        "",
        f"Started {run['started']}, finished {run['finished']}, "
        f"exit status {run['status']}, configuration `{run['config']}`.",
        "",
    ]
    if run.get("coverage"):
        lines += [f"Read: {_run_coverage(json.loads(run['coverage']))}.", ""]
    for verdict in data["registers"]:
        status = {
            "incomplete": "**incomplete: not everything could be read**",
            "undeclared": "**undeclared personal data**",
            "ok": "all found data declared",
        }[_status(verdict)]
        lines += [
            f"## {verdict['name']}: {status}",
            "",
            f"- declared: {', '.join(verdict['declared']) or '-'}",
            f"- found: {', '.join(f'{e} {n}' for e, n in verdict['found'].items()) or '-'}",
        ]
        if verdict.get("coverage"):
            lines.append(f"- read: {_verdict_coverage(verdict['coverage'])}")
        lines += [f"- **undeclared: {u['entity']} {u['count']}**" for u in verdict["undeclared"]]
        if verdict["declared_not_found"]:
            lines.append(f"- declared, not found: {', '.join(verdict['declared_not_found'])}")
        lines.append("")
    if data["errors"]:
        lines += ["## Items that could not be read", ""] + [f"- {e['source']}: {_error(e)}" for e in data["errors"]]
    return "\n".join(lines) + "\n"


def _status(verdict: dict[str, Any]) -> str:
    """A recorded verdict's status (runs recorded before statuses were kept: from what they hold)."""
    return verdict.get("status") or ("undeclared" if verdict["undeclared"] else "ok")


def _run_coverage(coverage: dict[str, Any]) -> str:
    return coverage_line(coverage, coverage.get("reasons"))


def _verdict_coverage(coverage: dict[str, Any]) -> str:
    text = _run_coverage({**coverage, "reasons": coverage.get("unread", {})})
    if coverage.get("gaps"):
        text += "; counted against the verdict: " + ", ".join(f"{c} {n}" for c, n in coverage["gaps"].items())
    if coverage.get("unreachable"):
        text += "; unreachable: " + ", ".join(coverage["unreachable"])
    return text


def _bars(items: list[tuple[str, int]], width: int = 680) -> str:
    """A horizontal bar chart as inline SVG; long labels keep their end (the file or table name)."""
    if not items:
        return "<p>None.</p>"
    top = max(n for _, n in items) or 1
    label_width, room = 300, width - 300 - 60
    height = 22 * len(items) + 4
    rows = []
    for i, (label, n) in enumerate(items):
        y = 4 + 22 * i
        w = max(2, int(room * n / top))
        shown = label if len(label) <= 44 else "…" + label[-43:]
        rows.append(
            f'<text x="0" y="{y + 14}" font-size="12"><title>{escape(label)}</title>{escape(shown)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{w}" height="16" fill="#4a7bb7"/>'
            f'<text x="{label_width + w + 5}" y="{y + 13}" font-size="12">{n}</text>'
        )
    return f'<svg role="img" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">{"".join(rows)}</svg>'


def _trend_svg(trend: list[dict[str, Any]], width: int = 520, height: int = 160) -> str:
    if not trend:
        return "<p>No runs.</p>"
    top = max(t["undeclared"] for t in trend) or 1
    step = (width - 40) / max(len(trend), 1)
    bars = []
    for i, t in enumerate(trend):
        h = int((height - 40) * t["undeclared"] / top)
        x = 30 + i * step
        bars.append(
            f'<rect x="{x:.1f}" y="{height - 20 - h}" width="{max(step - 4, 2):.1f}" height="{h}" '
            f'fill="#b74a4a"><title>run {t["run"]} ({escape(t["started"])}): {t["undeclared"]}</title></rect>'
            f'<text x="{x:.1f}" y="{height - 5}" font-size="10">#{t["run"]}</text>'
        )
    axis = (
        f'<text x="0" y="14" font-size="10">{top}</text><line x1="28" y1="{height - 20}" x2="{width}" '
        f'y2="{height - 20}" stroke="#999"/>'
    )
    return f'<svg role="img" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">{axis}{"".join(bars)}</svg>'


def _html(data: dict[str, Any]) -> str:
    run = data["run"]
    findings = data["findings"]
    by_entity = Counter(f.entity for f in findings)
    by_source = Counter(f.source.rsplit("/", 1)[0] if "://" not in f.source else f.source for f in findings)
    undeclared = [f for f in findings if f.undeclared]
    cards = []
    for v in data["registers"]:
        status = _status(v)
        shown = {"incomplete": "Incomplete: not everything could be read", "undeclared": "Undeclared personal data"}
        read = f"<p>Read: {escape(_verdict_coverage(v['coverage']))}</p>" if v.get("coverage") else ""
        cards.append(
            f'<div class="card {"ok" if status == "ok" else "bad"}"><h3>{escape(v["name"])}</h3>'
            f'<p class="status">{shown.get(status, "All found data declared")}</p>{read}'
            f"<p>Declared: {escape(', '.join(v['declared']) or '-')}</p>"
            f"<p>Found: {escape(', '.join(f'{e} {n}' for e, n in v['found'].items()) or '-')}</p>"
            + "".join(
                f'<p class="undeclared">Undeclared: {escape(u["entity"])} {u["count"]}</p>' for u in v["undeclared"]
            )
            + (
                f"<p>Declared, not found: {escape(', '.join(v['declared_not_found']))}</p>"
                if v["declared_not_found"]
                else ""
            )
            + "</div>"
        )
    rows = "".join(
        f"<tr><td>{escape(f.register)}</td><td>{escape(f.entity)}</td><td>{escape(f.source)}</td>"
        f"<td>{escape(f.member or '')}</td><td>{escape(f.location or '')}</td><td>{escape(f.value or '')}</td></tr>"
        for f in undeclared[:500]
    )
    errors = "".join(f"<li>{escape(e['source'])}: {escape(_error(e))}</li>" for e in data["errors"])
    read = f"<p>Read: {escape(_run_coverage(json.loads(run['coverage'])))}.</p>" if run.get("coverage") else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Harava report – run {run["id"]}</title>
<style>
body{{font-family:system-ui,sans-serif;margin:2em auto;max-width:72em;color:#222}}
.cards{{display:flex;flex-wrap:wrap;gap:1em}}.card{{border:1px solid #ccc;border-radius:6px;padding:.8em 1em;width:20em}}
.card.bad{{border-left:6px solid #b74a4a}}.card.ok{{border-left:6px solid #4a9b5a}}.status{{font-weight:bold}}
.undeclared{{color:#a00}}table{{border-collapse:collapse;font-size:.9em}}td,th{{border:1px solid #ddd;padding:.25em .5em;text-align:left}}
@media print{{.card{{break-inside:avoid}}}}
</style></head><body>
<h1>Personal data and the registers — run {run["id"]}</h1>
<p>Started {escape(run["started"])}, finished {escape(str(run["finished"]))}; configuration {escape(str(run["config"]))};
exit status {run["status"]}; Harava {escape(str(run["version"]))}.</p>{read}
<h2>Registers</h2><div class="cards">{"".join(cards)}</div>
<h2>Undeclared findings over runs</h2>{_trend_svg(data["trend"])}
<h2>Findings by entity</h2>{_bars(sorted(by_entity.items(), key=lambda i: -i[1]))}
<h2>Top folders and tables</h2>{_bars(by_source.most_common(10))}
<h2>Undeclared findings</h2>
<table><tr><th>register</th><th>entity</th><th>source</th><th>member</th><th>location</th><th>value (masked)</th></tr>
{rows}</table>{"<p>Showing the first 500.</p>" if len(undeclared) > 500 else ""}
<h2>Items that could not be read</h2>{"<ul>" + errors + "</ul>" if errors else "<p>None.</p>"}
</body></html>
"""


# --- harava check ---------------------------------------------------------------------------
def _where(example: dict[str, Any]) -> str:
    location = example.get("location") or {}
    glue = ":" if "line" in location else " "
    place = example["source"] + (glue + describe_location(location) if location else "")
    if example.get("member"):
        place += f" [{example['member']}]"
    return f"{place} ({example['value']})"


def render_table(result: CheckResult) -> str:
    out = []
    for verdict in result.verdicts:
        status = {"incomplete": "INCOMPLETE", "undeclared": "UNDECLARED DATA", "ok": "ok"}[verdict.status]
        if verdict.status == "incomplete" and verdict.undeclared:
            status += ", UNDECLARED DATA"
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
                f"{plural(len(older), 'file')} with personal data unchanged for longer:"
            )
            out.extend(
                f"      {f['source']} (modified {f['modified']}, {plural(f['findings'], 'finding')})"
                for f in older[:10]
            )
        for item in verdict.accepted:
            out.append(f"  accepted:   {item['entity']} {item['count']} — {item['by']}: {item['why']}")
        out.extend(f"  note: {note}" for note in verdict.umbrella_notes)
        if verdict.coverage is not None:
            out.append(f"  coverage:   {coverage_text(verdict.coverage)}")
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
        if verdict.coverage is not None:
            parts.append(f"<p>Read: {escape(coverage_text(verdict.coverage))}</p>")
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
        parts.extend(f"<li>{escape(e['source'])}: {escape(_error(e))}</li>" for e in result.errors)
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
