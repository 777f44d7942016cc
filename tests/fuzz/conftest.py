"""The fuzz test's counts (inputs, catch-all rows and where they come from) in the terminal summary."""

from __future__ import annotations

from tests.fuzz.harness import STATS


def pytest_terminal_summary(terminalreporter) -> None:
    if not STATS.kinds:
        return
    terminalreporter.section("fuzz: catch-all rows per format (readers without handling of their own)")
    for line in STATS.lines():
        terminalreporter.write_line(line)
