"""What Harava prints for a person at a terminal: the findings table, the progress bar and the summaries on
standard error.

Everything here is for people; machine formats (JSONL, JSON, CSV, Parquet, SARIF) never pass through it.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any

from scanner.findings import describe_location

if TYPE_CHECKING:
    import pyarrow as pa

    from scanner.history import Change
    from scanner.registers.check import CheckResult
    from scanner.scan import Summary
    from scanner.sources.files import WalkOptions


def plural(n: int, word: str, words: str | None = None) -> str:
    """``1 file``, ``200 files``: a count with its noun in the right number.

    >>> plural(1, "file"), plural(0, "file"), plural(2, "binary file"), plural(3, "entry", "entries")
    ('1 file', '0 files', '2 binary files', '3 entries')
    """
    return f"{n} {word if n == 1 else words or word + 's'}"


def plural_phrase(n: int, phrase: str) -> str:
    """A count with a reason the walk or a reader gave (``binary file``, ``symbolic link (not followed)``,
    ``not a regular file``): the last noun before any parenthesis takes the plural, and its article goes.

    >>> plural_phrase(1, "binary file"), plural_phrase(200, "binary file")
    ('1 binary file', '200 binary files')
    >>> plural_phrase(2, "symbolic link (not followed)"), plural_phrase(3, "not a regular file")
    ('2 symbolic links (not followed)', '3 not regular files')
    """
    if n == 1:
        return f"{n} {phrase}"
    head, paren, tail = phrase.partition(" (")
    head = re.sub(r"\b(?:a|an) ", "", head)
    head = re.sub(r"(\w+)$", lambda m: m.group(1) + ("es" if m.group(1).endswith(("s", "x", "ch")) else "s"), head)
    return f"{n} {head}{paren}{tail}"


def size_text(n: float) -> str:
    """Bytes with a unit, three significant digits, in powers of 1000 as the summaries count them.

    >>> size_text(0), size_text(512), size_text(2_190_000), size_text(4_800_000), size_text(12_345_678_901)
    ('0 B', '512 B', '2.19 MB', '4.80 MB', '12.3 GB')
    """
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(n) < 999.5 or unit == "TB":
            break
        n /= 1000
    if unit == "B":
        return f"{n:.0f} B"
    return f"{n:.2f} {unit}" if abs(n) < 9.995 else f"{n:.1f} {unit}" if abs(n) < 99.95 else f"{n:.0f} {unit}"


def aligned(rows: Iterable[Sequence[str]], indent: str = "") -> list[str]:
    """Rows of cells in columns as wide as their widest cell (the last column is left ragged).

    >>> aligned([("NAME", "ENTITY", "X"), ("tukipyynnot.lisatiedot", "IP_ADDRESS", "2/2")])
    ['NAME                    ENTITY      X', 'tukipyynnot.lisatiedot  IP_ADDRESS  2/2']
    """
    rows = [list(r) for r in rows]
    widths = [
        max((len(r[i]) for r in rows if i < len(r) - 1), default=0) for i in range(max(map(len, rows), default=0))
    ]
    return [
        (indent + "  ".join(c.ljust(widths[i]) for i, c in enumerate(r[:-1])) + "  " + r[-1]).rstrip() for r in rows
    ]


# --- the findings table ---------------------------------------------------------------------


class TableWriter:
    """``harava scan``'s default output, for a person: a header row, then each file's or table's findings
    under its name, in columns as wide as what they hold, whatever kind of location (a line, a JSON path,
    a database row) they have.

    Rows are held back — up to ``HOLD`` of them — so that the widths fit them all and so that nothing is
    printed into the progress bar, which is gone by the time :meth:`close` writes them. A scan that finds
    more streams the rest in the widths chosen, through ``above`` while a bar is drawn (tqdm's ``write``,
    which lifts the bar, writes and draws it again): a person is not kept waiting for the end, and memory
    stays bounded.
    """

    HOLD = 2000
    HEADER = ("LOCATION", "ENTITY", "VALUE", "SCORE", "DETAIL")
    WIDEST_PLACE = 44  # a longer location gets a line of its own, so the columns after it stay aligned
    WIDEST_VALUE = 40  # a longer (raw) value pushes only its own row's score and detail

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.above: Callable[[str], None] | None = None
        self.held: list[tuple[tuple[str, str | None], tuple[str, ...]]] = []
        self.widths: tuple[int, int, int] | None = None
        self.current: tuple[str, str | None] | None = None
        self.any = False

    def write(self, batch: pa.RecordBatch) -> None:
        for row in batch.to_pylist():
            self.held.append(((row["source"], row["member"]), _cells(row)))
        if len(self.held) >= self.HOLD:
            self.flush_held()

    def flush_held(self) -> None:
        """Print the rows held back (the first time: the header too, with the widths they need)."""
        if not self.held:
            return
        lines = []
        if self.widths is None:
            self.widths = self._widths()
            lines.append(self._line(self.HEADER))
        for where, cells in self.held:
            if where != self.current:
                source, member = where
                lines.append(("\n" if self.any else "") + source + (f" [{member}]" if member else ""))
                self.current = where
            self.any = True
            lines.append(self._line(cells))
        self.held.clear()
        (self.above or self.stream.write)("\n".join(lines) + "\n")

    def _widths(self) -> tuple[int, int, int]:
        finding = [cells for _, cells in self.held if len(cells) > 2]
        place = max([len(self.HEADER[0])] + [len(c[0]) for _, c in self.held if len(c[0]) <= self.WIDEST_PLACE])
        entity = max([len(self.HEADER[1])] + [len(c[1]) for c in finding])
        value = max([len(self.HEADER[2])] + [min(len(c[2]), self.WIDEST_VALUE) for c in finding])
        return place, entity, value

    def _line(self, cells: Sequence[str]) -> str:
        assert self.widths is not None
        place, entity, value = self.widths
        head = "  " + cells[0].ljust(place)
        if len(cells[0]) > place:  # on a line of its own; the rest below it, in the columns
            head = "  " + cells[0] + "\n  " + " " * place
        if len(cells) == 2:  # an item, or a part of one, that was not read
            return f"{head}  {cells[1]}"
        rest = f"{cells[1]:<{entity}}  {cells[2]:<{value}}  {cells[3]:>5}  {cells[4]}"
        return f"{head}  {rest}".rstrip()

    def close(self, summary: dict[str, Any]) -> None:
        self.above = None
        self.flush_held()
        if not self.any:
            self.stream.write("No personal data found.\n")
        self.stream.flush()


def place_text(location: dict[str, Any] | None) -> str:
    """A location as the table shows it: a database cell as ``table.column, key=value`` (the way one would
    look it up), everything else as :func:`~scanner.findings.describe_location` says it.

    >>> place_text({"table": "asiakkaat", "column": "hetu", "row": {"id": 1}})
    'asiakkaat.hetu, id=1'
    >>> place_text({"table": "loki", "column": "data", "row_number": 17, "field": "user.email"})
    'loki.data, row 17, field=user.email'
    >>> place_text({"line": 2, "column": 20, "field": "puhelin"})
    '2:20 field=puhelin'
    """
    if not location:
        return ""
    if "table" not in location or "column" not in location:
        return describe_location(location)
    parts = [f"{location['table']}.{location['column']}"]
    key = location.get("row")
    if isinstance(key, dict):
        parts += [f"{k}={v}" for k, v in key.items()]
    elif "row_number" in location:
        parts.append(f"row {location['row_number']}")
    rest = {k: v for k, v in location.items() if k not in ("table", "column", "row", "row_number")}
    return ", ".join(parts + ([describe_location(rest)] if rest else []))


def _cells(row: dict[str, Any]) -> tuple[str, ...]:
    """A findings row as the table's cells; a row saying what was not read has two."""
    place = place_text(json.loads(row["location"])) if row["location"] else ""
    if row["error"]:
        code = f" [{row['code']}]" if row["code"] else ""
        return place or "-", f"not read{code}: {row['error']}"
    return place or "-", row["entity"], row["value"], f"{row['score']:.2f}", row["detail"] or ""


# --- the progress bar -----------------------------------------------------------------------


def shows_progress(no_progress: bool, results_on_terminal: bool = False) -> bool:
    """A bar is drawn on standard error when that is a terminal — unless machine output (JSON lines…) is
    streaming to the same terminal, whose lines the bar would cut into. (The table for people is held back
    until the bar is gone, or written above it.)"""
    return not no_progress and sys.stderr.isatty() and not results_on_terminal


@functools.cache
def _bar_class() -> type:
    """tqdm with sizes written as the summaries write them (``2.19 MB/4.80 MB``, ``1.52 MB/s``): tqdm's
    own drop the unit from the counts and count in one unit system while the summary uses another."""
    from tqdm import tqdm

    class SizeBar(tqdm):  # type: ignore[misc, valid-type]
        files = 0  # what a walk has counted so far

        @property
        def format_dict(self) -> dict[str, Any]:
            d = super().format_dict
            rate = d["rate"] or (d["n"] / d["elapsed"] if d["elapsed"] else 0)
            d.update(
                done=size_text(d["n"]),
                whole=size_text(d["total"] or 0),
                speed=f"{size_text(rate)}/s" if rate else "? B/s",
                files=plural(self.files, "file"),
            )
            return d

    return SizeBar


def progress_bar(
    total: int | None, show: bool, desc: str = "harava", bar_format: str | None = None, delay: float = 0.0
) -> Any:
    """A byte progress bar on standard error (a tqdm); with no total, what was read and for how long."""
    known = "{desc}: {percentage:3.0f}%|{bar}| {done}/{whole} [{elapsed}<{remaining}, {speed}]"
    return _bar_class()(
        total=total or None,
        desc=desc,
        disable=not show,
        file=sys.stderr,
        leave=False,
        delay=delay,
        bar_format=bar_format or (known if total else "{desc}: {done} read [{elapsed}, {speed}]"),
    )


def bytes_to_read(paths: Sequence[str], walk_options: WalkOptions, show: bool) -> int | None:
    """The bytes the files under ``paths`` hold: the progress bar's total, so it can say how far the scan is
    and how long the rest will take. Walking first costs a second pass over the folders' metadata (cached by
    the system by then); it is done only when a bar is drawn, and, when it takes a while (a large
    share), says how far it got."""
    if not show or not paths:
        return None
    from scanner.sources.files import FileItem, walk

    total = 0
    with progress_bar(None, show, "harava: listing", "{desc} {files}, {done} [{elapsed}]", delay=0.5) as counter:
        for item in walk(paths, walk_options):
            if isinstance(item, FileItem):
                total += item.size
                counter.files += 1
                counter.update(item.size)
    return total


# --- summaries ------------------------------------------------------------------------------


def _columns_text(columns: list[dict]) -> list[str]:
    rows = []
    for column in columns:
        for entity, stats in column["entities"].items():
            hint = ", name hint" if stats["name_hint"] else ""
            sampled = f", {column['sampling']}" if column.get("sampling") else ""
            rows.append(
                (
                    f"{column['table']}.{column['column']}",
                    entity,
                    f"{stats['rows']}/{plural(column['rows_scanned'], 'row')}"
                    f" ({stats['ratio']:.0%}, {stats['confidence']} confidence{hint}{sampled})",
                )
            )
    return aligned(rows, "  ")


def coverage_line(items: Mapping[str, int], reasons: Mapping[str, int] | None = None) -> str:
    """``120 complete, 2 partial, 3 skipped (not read: binary 2, encrypted 1)``, the way every report says it.

    >>> coverage_line({"complete": 3, "skipped": 1}, {"binary": 1})
    '3 complete, 0 partial, 1 skipped (not read: binary 1)'
    """
    text = f"{items.get('complete', 0)} complete, {items.get('partial', 0)} partial, {items.get('skipped', 0)} skipped"
    shown = ", ".join(f"{code} {n}" for code, n in (reasons or {}).items())
    return text + (f" (not read: {shown})" if shown else "")


def summary_text(summary: dict) -> str:
    """The summary of a scan: files and speed, tables and columns, findings per entity, what was not read.

    >>> print(summary_text({"files": 1, "bytes": 2_190_000, "seconds": 2.0, "findings": {"PHONE_NUMBER": 1},
    ...                     "skipped": {"binary file": 200}, "errors": []}))
    Scanned 1 file, 2.19 MB in 2.00 s (1.09 MB/s).
    Findings: 1
      PHONE_NUMBER  1
    Skipped: 200 binary files
    """
    seconds = summary["seconds"] or 1e-9
    lines = []
    if summary["files"] or not summary.get("tables"):
        lines.append(
            f"Scanned {plural(summary['files'], 'file')}, {size_text(summary['bytes'])} in {seconds:.2f} s"
            f" ({size_text(summary['bytes'] / seconds)}/s)."
        )
    if summary.get("tables"):
        lines.append(f"Scanned {plural(summary['tables'], 'table')}, {plural(summary['rows'], 'row')}.")
        lines.extend(_columns_text(summary["columns"]))
    findings = summary["findings"]
    if findings:
        lines.append(f"Findings: {sum(findings.values())}")
        lines.extend(aligned([(entity, str(count)) for entity, count in findings.items()], "  "))
    else:
        lines.append("Findings: none")
    coverage = summary.get("coverage", {})
    if set(coverage) - {"complete"}:
        lines.append(f"Coverage: {coverage_line(coverage, summary['reasons'])}")
    if summary["skipped"]:
        lines.append("Skipped: " + ", ".join(plural_phrase(n, reason) for reason, n in summary["skipped"].items()))
    if summary["errors"]:
        lines.append(f"Could not read {plural(len(summary['errors']), 'item')}:")
        lines.extend(f"  {e['source']}: [{e['code']}] {e['error']}" for e in summary["errors"])
    return "\n".join(lines)


def reuse_text(total: Summary, reused_from: int | None) -> str | None:
    """What incremental checking carried over, and about how much time that saved."""
    if not total.reused_files:
        return None
    read_files = total.files - total.reused_files
    saved = f", about {total.reused_files * total.read_seconds / read_files:.2f} s saved" if read_files > 0 else ""
    return (
        f"{plural(total.reused_files, 'file')} ({size_text(total.reused_bytes)}) unchanged since run {reused_from}: "
        f"their findings carried over, not read again{saved} (--full reads everything)."
    )


def check_status_text(
    status: int, result: CheckResult, change: Change | None, fail_on: str, why: str | None = None
) -> str:
    """One line on why ``harava check`` exits as it does: cron mails, systemd journals and a person at the
    terminal see the number, and 1 (undeclared data), 2 (not everything read) and a 0 despite undeclared
    data (``--fail-on``) mean very different things. ``fail_on`` is the option's canonical text
    (``new-undeclared,risk>=70``), ``why`` the condition that failed (``risk 79 ≥ 70``)."""
    conditions = fail_on.split(",")
    undeclared = [v.register.name for v in result.verdicts if v.undeclared]
    found = f"undeclared personal data in {plural(len(undeclared), 'register')} ({', '.join(undeclared)})"
    if status == 2:
        incomplete = [v.register.name for v in result.verdicts if v.incomplete]
        verdicts = f"{plural(len(incomplete), 'verdict')} incomplete ({', '.join(incomplete)})"
        return f"Exit status 2: {verdicts if incomplete else 'a source could not be scanned at all'}; see above."
    since = (f"since run {change.since['id']}" if change.since else "(no earlier run)") if change else ""
    if status == 1 and why is not None and why.startswith("risk"):
        return f"Exit status 1: an item's {why} (--fail-on {fail_on}); see the riskiest items above."
    if status == 1 and why in (None, "new-undeclared") and "new-undeclared" in conditions and change is not None:
        new = sum(1 for f in change.new if f.undeclared)
        return f"Exit status 1: {plural(new, 'new undeclared finding')} {since} (--fail-on new-undeclared)."
    if status == 1:
        return f"Exit status 1: {found}."
    if undeclared and conditions == ["never"]:
        return f"Exit status 0: {found}, but --fail-on never."
    if undeclared and "new-undeclared" in conditions:
        return f"Exit status 0: {found}, none of it new {since} (--fail-on {fail_on})."
    if undeclared:
        return f"Exit status 0: {found}, but no item's risk reaches what --fail-on {fail_on} asks."
    if any(v.accepted for v in result.verdicts):
        return "Exit status 0: all personal data found is declared or accepted."
    if any(v.found for v in result.verdicts):
        return "Exit status 0: all personal data found is declared."
    return "Exit status 0: no personal data found."
