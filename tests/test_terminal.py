"""What people read at a terminal: the findings table, the progress bar, the summaries and the line on
why ``harava check`` exits as it does."""

from __future__ import annotations

import io
import json
import sys
from types import SimpleNamespace
from typing import Any

import pyarrow as pa
import pytest

from scanner.findings import SCHEMA
from scanner.sources.files import WalkOptions
from scanner.terminal import (
    TableWriter,
    bytes_to_read,
    check_status_text,
    plural,
    plural_phrase,
    progress_bar,
    size_text,
    summary_text,
)


def finding(source: str, location: dict[str, Any] | None, entity: str = "PHONE_NUMBER", **extra: Any) -> dict:
    row = {
        "source": source,
        "member": None,
        "location": json.dumps(location) if location else None,
        "entity": entity,
        "value": "040 *** **67",
        "value_hash": "h",
        "score": 0.85,
        "detector": "phone",
        "detail": None,
        "error": None,
        "code": None,
        "coverage": None,
    }
    return {**row, **extra}


def table(*rows: dict, hold: int | None = None, above: list[str] | None = None) -> tuple[TableWriter, io.StringIO]:
    out = io.StringIO()
    writer = TableWriter(out)
    if hold is not None:
        writer.HOLD = hold
    if above is not None:
        writer.above = above.append  # what the scan sets while a progress bar is drawn
    writer.write(pa.RecordBatch.from_pylist(list(rows), schema=SCHEMA))
    return writer, out


def column_of(line: str, text: str) -> int:
    return line.index(text)


def test_the_table_has_a_header_and_one_column_per_field_whatever_the_location():
    writer, out = table(
        finding("muistio.txt", {"line": 4, "column": 15}),
        finding("toimittajat.json", {"field": "[0].yhteyshenkilot[2].puhelin"}, "EMAIL_ADDRESS"),
        finding("sqlite:///crm.db", {"table": "asiakkaat", "column": "puhelin", "row": {"id": 17}}),
        finding("sqlite:///crm.db", {"table": "loki", "column": "data", "row_number": 3, "field": "user.phone"}),
    )
    writer.close({})
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["LOCATION", "ENTITY", "VALUE", "SCORE", "DETAIL"]
    rows = [line for line in lines if line.startswith("  ") and "***" in line]
    assert len(rows) == 4
    assert len({column_of(line, "040 ***") for line in rows} | {column_of(lines[0], "VALUE")}) == 1
    assert len({column_of(line, "0.85") for line in rows}) == 1
    assert "  asiakkaat.puhelin, id=17 " in out.getvalue()  # a database row as one would look it up, not a dict
    assert "loki.data, row 3, field=user.phone" in out.getvalue()
    assert "{" not in out.getvalue()


def test_a_very_long_location_has_a_line_of_its_own_and_the_columns_stay():
    long_path = "field=" + ".".join(f"taso{i}" for i in range(20))
    writer, out = table(finding("a.json", {"field": "x"}), finding("a.json", {"field": long_path[6:]}))
    writer.close({})
    lines = out.getvalue().splitlines()
    assert f"  {long_path}" in lines
    values = [line for line in lines if "040 ***" in line]
    assert len({column_of(line, "040 ***") for line in values} | {column_of(lines[0], "VALUE")}) == 1


def test_rows_not_read_say_why_and_an_empty_scan_says_so():
    writer, out = table(
        finding("arkisto.zip", None, entity=None, value=None, score=None, error="encrypted", code="encrypted")
    )
    writer.close({})
    assert "not read [encrypted]: encrypted" in out.getvalue()
    empty = io.StringIO()
    nothing = TableWriter(empty)
    nothing.close({})
    assert empty.getvalue() == "No personal data found.\n"


def test_rows_are_held_until_close_then_stream_above_the_bar():
    """Nothing is printed while a bar may be drawn; a scan with many findings streams them above it."""
    writer, out = table(finding("a.txt", {"line": 1}), finding("a.txt", {"line": 2}))
    assert out.getvalue() == ""  # held back: the widths must fit them, and a bar may be on the screen
    writer.close({})
    assert out.getvalue().count("040 ***") == 2
    above: list[str] = []
    writer, out = table(*[finding("b.txt", {"line": n}) for n in range(1, 6)], hold=3, above=above)
    assert "".join(above).count("040 ***") == 5 and out.getvalue() == ""
    writer.close({})
    assert out.getvalue() == ""  # nothing left over, and no "No personal data found."


def test_sizes_counts_and_phrases_read_as_english():
    assert [size_text(n) for n in (999, 1000, 2_190_000, 4_800_000)] == ["999 B", "1.00 kB", "2.19 MB", "4.80 MB"]
    assert plural(1, "file") == "1 file" and plural(200, "binary file") == "200 binary files"
    assert plural_phrase(2, "symbolic link loop (not followed again)") == "2 symbolic link loops (not followed again)"


def test_the_summary_says_one_file_and_many_files():
    base = {"bytes": 1500, "seconds": 1.0, "findings": {}, "skipped": {}, "errors": []}
    assert summary_text({**base, "files": 1}).startswith("Scanned 1 file, 1.50 kB in 1.00 s (1.50 kB/s).")
    errors = [{"source": "a.pdf", "code": "corrupt", "error": "corrupt PDF"}]
    text = summary_text({**base, "files": 2, "skipped": {"binary file": 1}, "errors": errors})
    assert "Scanned 2 files" in text and "Skipped: 1 binary file" in text and "Could not read 1 item:" in text


def test_the_progress_bar_counts_bytes_with_their_units(monkeypatch):
    screen = io.StringIO()
    monkeypatch.setattr(sys, "stderr", screen)
    with progress_bar(4_800_000, True) as bar:
        bar.update(2_190_000)
        shown = str(bar)
    assert "2.19 MB/4.80 MB" in shown and "46%" in shown
    with progress_bar(None, True) as bar:
        bar.update(2_190_000)
        assert "2.19 MB read" in str(bar)


def test_the_walk_gives_the_bar_its_total(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"x" * 1000)
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "c.txt").write_bytes(b"y" * 234)
    assert bytes_to_read([str(tmp_path)], WalkOptions(), show=True) == 1234
    assert bytes_to_read([str(tmp_path)], WalkOptions(), show=False) is None  # no bar, no walk


def verdict(name: str, undeclared: bool = False, incomplete: bool = False, found: bool = True) -> SimpleNamespace:
    return SimpleNamespace(
        register=SimpleNamespace(name=name),
        undeclared=[{"entity": "IP_ADDRESS"}] if undeclared else [],
        incomplete=incomplete,
        accepted=[],
        found={"EMAIL_ADDRESS": 1} if found else {},
    )


@pytest.mark.parametrize(
    ("status", "verdicts", "change", "fail_on", "expected"),
    [
        (0, [verdict("A")], None, "undeclared", "Exit status 0: all personal data found is declared."),
        (0, [verdict("A", found=False)], None, "undeclared", "Exit status 0: no personal data found."),
        (
            1,
            [verdict("A", undeclared=True), verdict("B")],
            None,
            "undeclared",
            "Exit status 1: undeclared personal data in 1 register (A).",
        ),
        (
            2,
            [verdict("A", undeclared=True, incomplete=True)],
            None,
            "undeclared",
            "Exit status 2: 1 verdict incomplete (A); see above.",
        ),
        (
            0,
            [verdict("A", undeclared=True), verdict("B", undeclared=True)],
            SimpleNamespace(since={"id": 4}, new=[]),
            "new-undeclared",
            "Exit status 0: undeclared personal data in 2 registers (A, B), none of it new since run 4"
            " (--fail-on new-undeclared).",
        ),
        (
            1,
            [verdict("A", undeclared=True)],
            SimpleNamespace(since={"id": 4}, new=[SimpleNamespace(undeclared=True)] * 2),
            "new-undeclared",
            "Exit status 1: 2 new undeclared findings since run 4 (--fail-on new-undeclared).",
        ),
        (
            0,
            [verdict("A", undeclared=True)],
            None,
            "never",
            "Exit status 0: undeclared personal data in 1 register (A), but --fail-on never.",
        ),
    ],
)
def test_check_says_why_it_exits_as_it_does(status, verdicts, change, fail_on, expected):
    assert check_status_text(status, SimpleNamespace(verdicts=verdicts), change, fail_on) == expected
