"""The report's charts as inline SVG: no script, no network, and they print as drawn.

Each chart says what it shows without hovering: values stand beside or on their bars, the trend's axis has
a title, ticks and the date of each run (in the local time zone).
"""

from __future__ import annotations

from html import escape
from typing import Any

from scanner.report_html.places import local_time

TREND_RUNS = 30  # the runs drawn; older ones are left out (and the caption says so)


def bars(items: list[tuple[str, int]], width: int = 680) -> str:
    """A horizontal bar chart; long labels keep their end (the file or table name) and give the whole in a
    tooltip."""
    if not items:
        return "<p>None.</p>"
    top = max(n for _, n in items) or 1
    label_width, room = 300, width - 300 - 70
    height = 22 * len(items) + 4
    rows = []
    for i, (label, n) in enumerate(items):
        y = 4 + 22 * i
        w = max(2, int(room * n / top))
        shown = label if len(label) <= 44 else "…" + label[-43:]
        rows.append(
            f'<text x="0" y="{y + 13}" font-size="12"><title>{escape(label)}</title>{escape(shown)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{w}" height="16" fill="#4a7bb7"/>'
            f'<text x="{label_width + w + 5}" y="{y + 13}" font-size="12">{n:,}</text>'
        )
    return (
        f'<svg role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(rows)}</svg>'
    )


def _ticks(top: int) -> list[int]:
    """Round tick values from 0 to at least ``top``: 0, 5, 10 rather than 0, 3.5, 7.

    >>> _ticks(7), _ticks(0), _ticks(120), _ticks(48_000)
    ([0, 2, 4, 6, 8], [0, 1], [0, 50, 100, 150], [0, 20000, 40000, 60000])
    """
    if top <= 0:
        return [0, 1]
    step = 1
    while top / step > 4:
        for factor in (2, 2.5, 2):
            step = int(step * factor)
            if top / step <= 4:
                break
    return list(range(0, top + step, step)) if top % step else list(range(0, top + 1, step))


def trend(points: list[dict[str, Any]], width: int = 720, height: int = 230) -> str:
    """Undeclared findings per run: bars with their values on top, a y axis with its title and ticks, and
    under each bar the run's number and local date (and time when two runs share a date)."""
    if not points:
        return "<p>No runs.</p>"
    shown = points[-TREND_RUNS:]
    ticks = _ticks(max(t["undeclared"] for t in shown))
    left, right, top_pad, bottom = 58, 10, 18, 52
    plot_h = height - top_pad - bottom
    base = height - bottom
    step = min((width - left - right) / len(shown), 90)  # a few runs: bars of a readable width, not slabs
    width = int(left + right + step * len(shown))
    scale = plot_h / ticks[-1]
    parts = [
        f'<text x="12" y="{top_pad + plot_h / 2:.0f}" font-size="12" text-anchor="middle" '
        f'transform="rotate(-90 12 {top_pad + plot_h / 2:.0f})">undeclared findings</text>'
    ]
    for tick in ticks:
        y = base - tick * scale
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{tick:,}</text>'
        )
    dates = [local_time(t["started"]) for t in shown]
    days = [d.split(" ")[0] for d in dates]
    every = max(1, round(len(shown) / 12))  # labels that fit: about a dozen at most
    for i, t in enumerate(shown):
        h = t["undeclared"] * scale
        x = left + i * step + step * 0.15
        w = max(step * 0.7, 2)
        centre = x + w / 2
        parts.append(
            f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{w:.1f}" height="{h:.1f}" fill="#b74a4a">'
            f"<title>run {t['run']} ({escape(dates[i])}): {t['undeclared']:,} undeclared</title></rect>"
        )
        if i % every == 0 or i == len(shown) - 1:
            parts.append(
                f'<text x="{centre:.1f}" y="{base - h - 4:.1f}" font-size="11" text-anchor="middle">'
                f"{t['undeclared']:,}</text>"
            )
            day, _, clock = dates[i].partition(" ")
            second = clock.split(" ")[0] if days.count(day) > 1 else ""
            parts.append(
                f'<text x="{centre:.1f}" y="{base + 15}" font-size="11" text-anchor="middle">run {t["run"]}</text>'
                f'<text x="{centre:.1f}" y="{base + 29}" font-size="10" text-anchor="middle" fill="#555">'
                f"{escape(day)}</text>"
                + (
                    f'<text x="{centre:.1f}" y="{base + 42}" font-size="10" text-anchor="middle" fill="#555">'
                    f"{escape(second)}</text>"
                    if second
                    else ""
                )
            )
    parts.append(f'<line x1="{left}" y1="{base}" x2="{width - right}" y2="{base}" stroke="#555"/>')
    parts.append(f'<line x1="{left}" y1="{top_pad}" x2="{left}" y2="{base}" stroke="#555"/>')
    return (
        f'<svg role="img" aria-label="undeclared findings per run" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
    )
