"""The HTML report of a recorded run: one self-contained page for a data protection officer.

What it holds, in the order it is read: what is new (and gone) since the last run and the numbers that
matter now; a card per register (contradicted before merely undeclared, the declared categories no
detector looks for yet); the trend of undeclared findings over the runs; findings by entity and by folder
or table; the findings explorer (every finding of the run, filtered and sorted in the page); what could not
be read.

It loads nothing: CSS, SVG, data and the one script are inline, and a Content-Security-Policy forbids any
other source, so a report opened from a mail or a share makes no request. Values are the history's, which
are always masked. It prints on A4 without clipping (the explorer gives way to a plain table).
"""

from __future__ import annotations

import datetime
import json
from collections import Counter
from dataclasses import dataclass
from html import escape
from typing import Any

from scanner.history import Change, Finding
from scanner.report_html import charts
from scanner.report_html.assets import CSS, JS, script_hash
from scanner.report_html.places import Folders, ancestors, local_time, readable, source_name
from scanner.terminal import coverage_line, plural

EXPLORER_LIMIT = 200_000  # findings the explorer holds (about 15 MB of page); the exports hold every one
STATIC_ROWS = 500  # rows of the plain (printed) table of undeclared findings
CHANGE_ROWS = 20  # new and gone findings listed in the first section
UNDECLARED, CONTRADICTED, NEW = 1, 2, 4  # a finding's status bits in the explorer's data

#: Nouns for the built-in entities, for sentences ("yet 4 IP addresses were found").
NOUNS = {
    "IP_ADDRESS": ("IP address", "IP addresses"),
    "EMAIL_ADDRESS": ("e-mail address", "e-mail addresses"),
    "PHONE_NUMBER": ("phone number", "phone numbers"),
    "FI_PERSONAL_IDENTITY_CODE": ("personal identity code", "personal identity codes"),
    "FI_BUSINESS_ID": ("business ID", "business IDs"),
}


def found_phrase(entity: str, count: int) -> str:
    """``4 IP addresses were found``; an entity without a noun is named as it is.

    >>> found_phrase("IP_ADDRESS", 4), found_phrase("IBAN_CODE", 1)
    ('4 IP addresses were found', '1 IBAN_CODE finding was found')
    """
    one, many = NOUNS.get(entity, (f"{entity} finding", f"{entity} findings"))
    return f"{count:,} {one if count == 1 else many} {'was' if count == 1 else 'were'} found"


def contradiction(item: dict[str, Any]) -> str:
    """The sentence a DPO reads first: ``statement line 36 says "Emme tallenna IP-osoitteita.", yet 4 IP
    addresses were found``."""
    return (
        f'statement line {item["statement_line"]} says "{item["sentence"]}", yet '
        f"{found_phrase(item['entity'], item['count'])}"
    )


@dataclass
class ReportData:
    """What the page is drawn from: the run, its verdicts, findings and errors, the trend over runs and what
    changed since the run before it."""

    run: dict[str, Any]
    registers: list[dict[str, Any]]
    findings: list[Finding]
    errors: list[dict[str, str]]
    trend: list[dict[str, Any]]
    change: Change | None = None

    def __post_init__(self) -> None:
        """Which findings are new: matched as :meth:`History.compare` matched them (by place alone when the
        hash key changed between the runs)."""
        change = self.change
        self._by_place = bool(change and change.key_changed)
        self._new = {self._identity(f) for f in change.new} if change and change.since else set()

    def _identity(self, finding: Finding) -> tuple:
        return finding.place if self._by_place else finding.key

    def is_new(self, finding: Finding) -> bool:
        return self._identity(finding) in self._new


def _status(verdict: dict[str, Any]) -> str:
    return verdict.get("status") or ("undeclared" if verdict["undeclared"] else "ok")


def _error(error: dict[str, str]) -> str:
    return f"[{error['code']}] {error['error']}" if error.get("code") else error["error"]


def verdict_coverage(coverage: dict[str, Any]) -> str:
    text = coverage_line({**coverage}, coverage.get("unread", {}))
    if coverage.get("gaps"):
        text += "; counted against the verdict: " + ", ".join(f"{c} {n}" for c, n in coverage["gaps"].items())
    if coverage.get("unreachable"):
        text += "; unreachable: " + ", ".join(coverage["unreachable"])
    return text


def _contradicted_entities(registers: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(v["name"], c["entity"]) for v in registers for c in v.get("contradicted") or []}


# --- the first section: what changed, and the numbers now -------------------------------------------------
def _tile(number: int, what: str, alert: bool = False, good: bool = False) -> str:
    kind = " alert" if alert and number else " good" if good and not number else ""
    return f'<div class="tile{kind}"><b>{number:,}</b><span>{escape(what)}</span></div>'


def _finding_rows(findings: list[Finding], contradicted: set[tuple[str, str]], limit: int) -> str:
    rows = []
    for f in findings[:limit]:
        location = json.loads(f.location) if f.location else None
        state = (
            '<span class="badge c">contradicted</span>'
            if (f.register, f.entity) in contradicted and f.undeclared
            else '<span class="badge u">undeclared</span>'
            if f.undeclared
            else '<span class="badge d">declared</span>'
        )
        rows.append(
            f"<tr><td>{state}</td><td>{escape(f.register)}</td><td>{escape(f.entity)}</td>"
            f'<td class="wrap" title="{escape(f.path)}">{escape(readable(f.source, f.member, location))}</td>'
            f"<td>{escape(f.value or '')}</td></tr>"
        )
    more = len(findings) - limit
    head = "<tr><th>status</th><th>register</th><th>entity</th><th>where</th><th>value (masked)</th></tr>"
    table = (
        '<table><colgroup><col style="width:8em"><col style="width:11em"><col style="width:13em"><col>'
        f'<col style="width:10em"></colgroup><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'
    )
    return table + (f'<p class="note">… and {more:,} more.</p>' if more > 0 else "")


def _sorted_for_people(findings: list[Finding], contradicted: set[tuple[str, str]]) -> list[Finding]:
    return sorted(
        findings,
        key=lambda f: (
            not ((f.register, f.entity) in contradicted and f.undeclared),
            not f.undeclared,
            f.register,
            f.source,
        ),
    )


def _glance(data: ReportData) -> str:
    change = data.change
    registers = data.registers
    contradicted = _contradicted_entities(registers)
    undeclared_now = sum(1 for f in data.findings if f.undeclared)
    failing = [v["name"] for v in registers if v["undeclared"]]
    contradicting = sum(c["count"] for v in registers for c in v.get("contradicted") or [])
    tiles = []
    if change is not None and change.since is not None:
        since = change.since
        new_undeclared = [f for f in change.new if f.undeclared]
        intro = (
            f"<p>Compared with run {since['id']} ({escape(local_time(since['started']))}): what appeared and what "
            "went away since then.</p>"
        ) + (f'<p class="note">{escape(change.key_note)}</p>' if change.key_note else "")
        tiles += [
            _tile(len(new_undeclared), "new undeclared findings", alert=True, good=True),
            _tile(len(change.new), "new findings in all"),
            _tile(len(change.gone), "gone since then"),
            _tile(change.persisting, "unchanged"),
        ]
    else:
        new_undeclared = []
        intro = "<p>This is the first recorded run: there is nothing to compare with yet.</p>"
    tiles += [
        _tile(undeclared_now, f"undeclared now, in {plural(len(failing), 'register')}", alert=True, good=True),
        _tile(contradicting, "contradict what a statement says", alert=True, good=True),
    ]
    parts = [f'<section class="glance"><h2>New since the last run</h2>{intro}<div class="tiles">{"".join(tiles)}</div>']
    if change is not None and change.since is not None:
        if new_undeclared:
            parts.append(
                '<div class="keep"><h3>New undeclared findings</h3>'
                + _finding_rows(_sorted_for_people(new_undeclared, contradicted), contradicted, CHANGE_ROWS)
                + "</div>"
            )
        new_declared = [f for f in change.new if not f.undeclared]
        if new_declared:
            parts.append(f'<p class="note">Also new: {plural(len(new_declared), "declared finding")}.</p>')
        if change.gone:
            parts.append(
                '<div class="keep"><h3>Gone since the last run</h3>'
                + _finding_rows(_sorted_for_people(change.gone, contradicted), set(), CHANGE_ROWS)
                + "</div>"
            )
    parts.append("</section>")
    return "".join(parts)


# --- register cards -------------------------------------------------------------------------------------
def _no_detector(verdict: dict[str, Any]) -> list[str]:
    """Declared categories that no detector looks for yet (name, postal address…): declared all the same, and
    worth knowing — nothing in this report says whether the data holds them."""
    return [
        c["label"] for c in verdict.get("declared_categories") or [] if not c.get("entities") and not c.get("umbrella")
    ]


def _card(verdict: dict[str, Any]) -> str:
    status = _status(verdict)
    shown = {"incomplete": "Incomplete: not everything could be read", "undeclared": "Undeclared personal data"}
    contradicted = verdict.get("contradicted") or []
    denied = {c["entity"] for c in contradicted}
    lines = [
        f'<div class="card {"ok" if status == "ok" else "bad"}"><h3>{escape(verdict["name"])}</h3>',
        f'<p class="status">{shown.get(status, "All found data declared")}'
        + (" — contradicts its statement" if contradicted else "")
        + "</p>",
    ]
    lines += [
        f'<p class="contradicted"><strong>Contradicted: {escape(c["entity"])} {c["count"]:,}</strong> — '
        f"statement line {c['statement_line']} says <q>{escape(c['sentence'])}</q>, yet "
        f"{escape(found_phrase(c['entity'], c['count']))}.</p>"
        for c in contradicted
    ]
    # special data (GDPR art. 9/10) first, as the verdict orders it; older histories have no "special" key
    lines += [
        f'<p class="undeclared">Undeclared: {escape(u["entity"])} {u["count"]:,}'
        + (f' <span class="badge c">special category ({escape(u["special"])})</span>' if u.get("special") else "")
        + "</p>"
        for u in verdict["undeclared"]
        if u["entity"] not in denied
    ]
    lines += [
        f'<p class="contradicted"><span class="label">Special category:</span> {escape(s["note"])}</p>'
        for s in verdict.get("special_declared") or []
        if s.get("note")
    ]
    if verdict.get("coverage"):
        lines.append(f'<p><span class="label">Read:</span> {escape(verdict_coverage(verdict["coverage"]))}</p>')
    lines.append(f'<p><span class="label">Declared:</span> {escape(", ".join(verdict["declared"]) or "-")}</p>')
    without = _no_detector(verdict)
    if without:
        lines.append(f'<p><span class="label">Declared, no detector yet:</span> {escape(", ".join(without))}</p>')
    found = ", ".join(f"{e} {n:,}" for e, n in verdict["found"].items()) or "-"
    lines.append(f'<p><span class="label">Found:</span> {escape(found)}</p>')
    if verdict["declared_not_found"]:
        lines.append(
            f'<p><span class="label">Declared, not found:</span> {escape(", ".join(verdict["declared_not_found"]))}</p>'
        )
    lines += [
        f'<p><span class="label">Accepted:</span> {escape(a["entity"])} {a["count"]:,} — '
        f"{escape(str(a['by']))}: {escape(str(a['why']))}</p>"
        for a in verdict.get("accepted") or []
    ]
    retention = verdict.get("retention") or {}
    if retention.get("older_files"):
        lines.append(
            f'<p><span class="label">Retention:</span> {retention["days"]} days ({escape(retention["from"])}); '
            f"{plural(len(retention['older_files']), 'file')} with personal data unchanged for longer</p>"
        )
    return "".join(lines) + "</div>"


# --- the explorer's data ----------------------------------------------------------------------------------
class _Index(dict[str, int]):
    """Strings that repeat, as positions in a list (dictionary encoding)."""

    def of(self, value: str) -> int:
        return self.setdefault(value, len(self))

    def labels(self) -> list[str]:
        return list(self)


def explored(data: ReportData) -> list[Finding]:
    """The findings the explorer holds: all of them up to :data:`EXPLORER_LIMIT`, beyond it the undeclared
    ones first (a page of millions of rows helps nobody; the CSV and Parquet exports hold them all)."""
    if len(data.findings) <= EXPLORER_LIMIT:
        return data.findings
    return sorted(data.findings, key=lambda f: not f.undeclared)[:EXPLORER_LIMIT]


def explorer_data(data: ReportData, folders: Folders) -> dict[str, Any]:
    """Every finding as columns of small integers and short strings: the compact form the page embeds."""
    contradicted = _contradicted_entities(data.registers)
    registers, entities, places, paths = _Index(), _Index(), _Index(), _Index()
    for v in data.registers:
        registers.of(v["name"])
    columns: dict[str, list[Any]] = {k: [] for k in ("r", "e", "f", "p", "w", "v", "s")}
    labels: dict[str, str] = {}
    for f in explored(data):
        location = json.loads(f.location) if f.location else None
        folder = labels.get(f.path) or labels.setdefault(f.path, folders.label(f.path))
        state = (UNDECLARED if f.undeclared else 0) | (NEW if data.is_new(f) else 0)
        if f.undeclared and (f.register, f.entity) in contradicted:
            state |= CONTRADICTED
        columns["r"].append(registers.of(f.register))
        columns["e"].append(entities.of(f.entity))
        columns["f"].append(places.of(folder))
        columns["p"].append(paths.of(f.path + (f" › {f.member}" if f.member else "")))
        columns["w"].append(readable(f.source, f.member, location))
        columns["v"].append(f.value)
        columns["s"].append(state)
    folder_labels = places.labels()
    per_folder: Counter[str] = Counter()
    for index, n in Counter(columns["f"]).items():
        for label in ancestors(folder_labels[index]):
            per_folder[label] += n
    return {
        "registers": registers.labels(),
        "entities": entities.labels(),
        "folders": folder_labels,
        "folder_options": sorted([label, n] for label, n in per_folder.items()),
        "paths": paths.labels(),
        **columns,
    }


def _embedded(value: Any) -> str:
    """JSON safe inside a script element: no ``</script>``, no ``<!--``, whatever a path or value holds."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_EXPLORER = """<section id="explorer" class="explorer" hidden>
<h2>Findings explorer</h2>
<p class="note">Every finding of the run. Filter by register, entity, folder (with its subfolders), status or text;
click a column's title to sort by it. The view is kept in the page's address, to bookmark or send on.{limit}</p>
<div class="controls">
<label>Register<select data-x="register"></select></label>
<label>Entity<select data-x="entity"></select></label>
<label>Folder or database<select data-x="folder"></select></label>
<label>Status<select data-x="status"></select></label>
<label>Search<input type="search" data-x="q" placeholder="file, table, value…"></label>
<span class="count" data-x="count" aria-live="polite"></span>
</div>
<div class="x-scroll" data-x="scroll" tabindex="0">
<table class="x-table"><colgroup><col style="width:10.5em"><col style="width:10em"><col style="width:13.5em"><col>
<col style="width:12em"><col style="width:9.5em"></colgroup>
<thead><tr>{heads}</tr></thead><tbody data-x="rows"></tbody></table>
</div>
</section>"""


def _explorer(total: int) -> str:
    heads = "".join(
        f'<th><button type="button" data-sort="{key}" data-label="{label}">{label}</button></th>'
        for key, label in (
            ("status", "status"),
            ("register", "register"),
            ("entity", "entity"),
            ("where", "where"),
            ("folder", "folder"),
            ("value", "value (masked)"),
        )
    )
    limit = (
        f" It holds {EXPLORER_LIMIT:,} of the run's {total:,} findings, the undeclared ones first; "
        "<code>harava report --format parquet</code> exports them all."
        if total > EXPLORER_LIMIT
        else ""
    )
    return _EXPLORER.format(heads=heads, limit=limit)


# --- the page ---------------------------------------------------------------------------------------------
def _duration(run: dict[str, Any]) -> str:
    try:
        seconds = (
            datetime.datetime.fromisoformat(run["finished"]) - datetime.datetime.fromisoformat(run["started"])
        ).total_seconds()
    except (TypeError, ValueError):
        return ""
    if seconds < 120:
        return f" ({seconds:.0f} s)"
    return f" ({seconds / 60:.0f} min)" if seconds < 7200 else f" ({seconds / 3600:.1f} h)"


def _count(n: int, word: str, words: str | None = None) -> str:
    """``50,000 findings``: :func:`~scanner.terminal.plural` with thousands apart, as the tiles show them.

    >>> _count(50_000, "finding"), _count(1, "file or table", "files and tables")
    ('50,000 findings', '1 file or table')
    """
    return f"{n:,} {plural(n, word, words).split(' ', 1)[1]}"


EXIT_MEANINGS = {0: "all found data declared", 1: "undeclared personal data", 2: "errors, or not everything read"}


def _header(data: ReportData, folders: Folders) -> str:
    run = data.run
    status = run["status"]
    meaning = EXIT_MEANINGS.get(status, "interrupted" if status in (130, 143) else "")
    places = len({f.path for f in data.findings})
    read = ""
    if run.get("coverage"):
        coverage = json.loads(run["coverage"])
        read = f'<p class="meta">Read: {escape(coverage_line(coverage, coverage.get("reasons")))}.</p>'
    shown_from = folders.base not in ("", "/")
    root = f'<p class="meta">Folders are shown from {escape(folders.base)}.</p>' if shown_from else ""
    return (
        f"<header><h1>Personal data and the registers — run {run['id']}</h1>"
        f'<p class="meta">Started {escape(local_time(run["started"], with_seconds=True))}, finished '
        f"{escape(local_time(run['finished'], with_seconds=True))}{_duration(run)}; "
        f"exit status {status}{f' ({meaning})' if meaning else ''}; configuration {escape(str(run['config']))}; "
        f"Harava {escape(str(run['version']))}.</p>"
        f'<p class="meta">{_count(len(data.findings), "finding")} in '
        f"{_count(places, 'file or table', 'files and tables')}.</p>"
        f"{read}{root}</header>"
    )


def _by_place(findings: list[Finding], folders: Folders) -> Counter[str]:
    """Findings per folder, and per database table (``crm.db › tukipyynnot``)."""
    counted: Counter[str] = Counter()
    for f in findings:
        location = json.loads(f.location) if f.location and '"table"' in f.location else None
        if location and "table" in location:
            counted[f"{source_name(f.source)} › {location['table']}"] += 1
        else:
            counted[folders.label(f.path)] += 1
    return counted


def _static_table(data: ReportData) -> str:
    contradicted = _contradicted_entities(data.registers)
    undeclared = _sorted_for_people([f for f in data.findings if f.undeclared], contradicted)
    body = _finding_rows(undeclared, contradicted, STATIC_ROWS) if undeclared else "<p>None.</p>"
    return f'<section class="static-only"><h2>Undeclared findings</h2>{body}</section>'


def _riskiest(registers: list[dict[str, Any]], n: int = 20) -> str:
    """The riskiest items of all registers, each with its score, reasons and the arithmetic behind it."""
    items = [(i, v["name"]) for v in registers for i in (v.get("risk") or {}).get("riskiest") or []]
    items.sort(key=lambda x: (-x[0]["points"], x[0]["source"], x[0].get("table") or ""))
    if not items:
        return ""
    rows = "".join(
        f"<tr><td>{i['score']}</td><td>{escape(i['source'])}{' › ' + escape(i['table']) if i.get('table') else ''}"
        f"</td><td>{escape(register)}</td><td>{escape('; '.join(i['reasons']))}"
        f"<details><summary>how</summary>{escape(i['working'])}</details></td></tr>"
        for i, register in items[:n]
    )
    return (
        f'<section class="keep"><h2>The {min(n, len(items))} riskiest items</h2><table>'
        '<colgroup><col style="width:4em"><col style="width:22em"><col style="width:12em"><col></colgroup>'
        f"<tr><th>risk</th><th>item</th><th>register</th><th>why</th></tr>{rows}</table></section>"
    )


def page(data: ReportData) -> str:
    run = data.run
    folders = Folders(f.path for f in data.findings)
    by_entity = Counter(f.entity for f in data.findings)
    trend = data.trend
    caption = (
        f"The last {charts.TREND_RUNS} of {len(trend)} runs." if len(trend) > charts.TREND_RUNS else ""
    ) + " Times in the local time zone."
    errors = "".join(f"<li>{escape(e['source'])}: {escape(_error(e))}</li>" for e in data.errors)
    errors = f"<ul>{errors}</ul>" if errors else "<p>None.</p>"
    entities = charts.bars(sorted(by_entity.items(), key=lambda i: (-i[1], i[0])))
    places = charts.bars(_by_place(data.findings, folders).most_common(10))
    policy = f"default-src 'none'; style-src 'unsafe-inline'; script-src {script_hash(JS)}; img-src data:"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Harava report – run {run["id"]}</title>
<style>{CSS}</style></head><body>
{_header(data, folders)}
{_glance(data)}
<section><h2>Registers</h2><div class="cards">{"".join(_card(v) for v in data.registers)}</div></section>
{_riskiest(data.registers)}
<section class="keep"><h2>Undeclared findings over runs</h2><figure>{charts.trend(trend)}
<figcaption>{caption.strip()}</figcaption></figure></section>
<section class="keep"><h2>Findings by entity</h2>{entities}</section>
<section class="keep"><h2>Top folders and tables</h2>{places}</section>
{_explorer(len(data.findings))}
{_static_table(data)}
<section class="keep"><h2>Items that could not be read</h2>{errors}</section>
<script type="application/json" id="harava-findings">{_embedded(explorer_data(data, folders))}</script>
<script>{JS}</script>
</body></html>
"""
