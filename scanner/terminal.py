"""What Harava prints for a person at a terminal: the progress bar and the summaries on standard error."""

from __future__ import annotations

import sys
from collections.abc import Mapping

from scanner.scan import Summary


def progress_bar(total: int | None, no_progress: bool):
    """A byte progress bar on standard error, shown only on a terminal."""
    from tqdm import tqdm

    show = not no_progress and sys.stderr.isatty()
    return tqdm(
        total=total,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        desc="harava",
        disable=not show,
        file=sys.stderr,
        leave=False,
    )


def _columns_text(columns: list[dict]) -> list[str]:
    lines = []
    for column in columns:
        for entity, stats in column["entities"].items():
            hint = ", name hint" if stats["name_hint"] else ""
            sampled = f", {column['sampling']}" if column.get("sampling") else ""
            name = f"{column['table']}.{column['column']}"
            lines.append(
                f"  {name:<32} {entity:<26} {stats['rows']}/{column['rows_scanned']}"
                f" rows ({stats['ratio']:.0%}, {stats['confidence']} confidence{hint}{sampled})"
            )
    return lines


def coverage_line(items: Mapping[str, int], reasons: Mapping[str, int] | None = None) -> str:
    """``120 complete, 2 partial, 3 skipped (not read: binary 2, encrypted 1)``, the way every report says it.

    >>> coverage_line({"complete": 3, "skipped": 1}, {"binary": 1})
    '3 complete, 0 partial, 1 skipped (not read: binary 1)'
    """
    text = f"{items.get('complete', 0)} complete, {items.get('partial', 0)} partial, {items.get('skipped', 0)} skipped"
    shown = ", ".join(f"{code} {n}" for code, n in (reasons or {}).items())
    return text + (f" (not read: {shown})" if shown else "")


def summary_text(summary: dict) -> str:
    """The summary of a scan: files and speed, tables and columns, findings per entity, what was not read."""
    mb = summary["bytes"] / 1e6
    seconds = summary["seconds"] or 1e-9
    lines = []
    if summary["files"] or not summary.get("tables"):
        lines.append(f"Scanned {summary['files']} files, {mb:.1f} MB in {seconds:.2f} s ({mb / seconds:.1f} MB/s).")
    if summary.get("tables"):
        lines.append(f"Scanned {summary['tables']} tables, {summary['rows']} rows.")
        lines.extend(_columns_text(summary["columns"]))
    findings = summary["findings"]
    if findings:
        lines.append(f"Findings: {sum(findings.values())}")
        lines.extend(f"  {entity:<28} {count}" for entity, count in findings.items())
    else:
        lines.append("Findings: none")
    coverage = summary.get("coverage", {})
    if set(coverage) - {"complete"}:
        lines.append(f"Coverage: {coverage_line(coverage, summary['reasons'])}")
    if summary["skipped"]:
        lines.append("Skipped: " + ", ".join(f"{n} {reason}" for reason, n in summary["skipped"].items()))
    if summary["errors"]:
        lines.append(f"Could not read {len(summary['errors'])} items:")
        lines.extend(f"  {e['source']}: [{e['code']}] {e['error']}" for e in summary["errors"])
    return "\n".join(lines)


def reuse_text(total: Summary, reused_from: int | None) -> str | None:
    """What incremental checking carried over, and about how much time that saved."""
    if not total.reused_files:
        return None
    read_files = total.files - total.reused_files
    saved = f", about {total.reused_files * total.read_seconds / read_files:.2f} s saved" if read_files > 0 else ""
    return (
        f"{total.reused_files} files ({total.reused_bytes / 1e6:.1f} MB) unchanged since run {reused_from}: "
        f"their findings carried over, not read again{saved} (--full reads everything)."
    )
