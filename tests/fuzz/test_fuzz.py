"""Fuzzing the file readers: mutants of valid seeds of every format must never crash the scan, hang it,
or leak a value into an error message.

How it works
------------
``seeds.py`` builds a small valid file of every registered format, each holding synthetic personal data
(:data:`~tests.fuzz.seeds.RAW_VALUES`). Hypothesis mutates them — bit flips, interesting bytes and
integers, inserted parser tokens, deleted, truncated and duplicated chunks, splices of two seeds, and for
packages (Office files, archives, compressed files, a mail's attachment) a mutation of one member packed
again, so that it reaches the XML behind the zip. Each mutant is scanned by the real
:class:`~scanner.scan.Scanner`, and every example must:

* finish: in this process under a 10 s timer for readers written in Python; in a worker of the real
  :class:`~scanner.supervisor.Supervisor` for readers backed by C code (Arrow, SQLite, 7z, the
  decompressors), where a crash or a hang fails the test instead of taking pytest down;
* let no exception out of ``Scanner.scan_item``;
* keep every raw value out of every error text.

Rows written by the scanner's last resort ("failed while reading: …") do not fail the test — each marks
a reader without handling of its own for that input — but they are counted per format, diagnosed (the
exception type and the frame it came from) and listed in the terminal summary.

Examples are derandomized, so CI sees the same inputs every run; ``HARAVA_FUZZ_EXAMPLES=N`` runs more
per format. Every file in ``tests/fuzz/regressions/`` is read again with the same checks; a regression
whose side-file says ``"open": true`` is a known failure still waiting for its fix (``xfail``).

Long runs: ``python -m tests.fuzz.long_run --minutes 30 --formats xlsx,pdf`` (see ``long_run.py``).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from scanner.extract import formats, kind_of
from tests.fuzz import harness
from tests.fuzz.seeds import all_seeds, seed_kinds, seeds_of

#: Readers whose failures may be a crash of C code: read in a supervised worker process.
SUPERVISED = frozenset({"parquet", "arrow", "sqlite", "7z", "gzip", "bzip2", "xz", "pdf"})  # C readers
#: Formats decided by their first bytes and then left alone: a handful of examples is plenty.
TRIVIAL = frozenset({"ole2", "binary"})
EXAMPLES = int(os.environ.get("HARAVA_FUZZ_EXAMPLES", "30"))
BOUND = 10.0  # seconds one example may take


@pytest.fixture(scope="module")
def runners():
    made: dict[str, object] = {}

    def runner(kind: str):
        mode = "supervised" if kind in SUPERVISED else "in-process"
        if mode not in made:
            made[mode] = harness.Supervised(BOUND) if mode == "supervised" else harness.InProcess(BOUND)
        return made[mode]

    yield runner
    for made_runner in made.values():
        made_runner.close()


def test_every_registered_format_has_a_seed():
    missing = sorted({f.kind for f in formats()} - set(seed_kinds()))
    assert not missing, f"formats without a fuzz seed in tests/fuzz/seeds.py: {missing}"


@pytest.mark.parametrize("seed", all_seeds(), ids=lambda s: s.name)
def test_every_seed_is_valid_and_read_by_its_reader(seed, runners):
    """A seed is claimed by the reader it is meant for and reads cleanly, values found."""
    assert kind_of(seed.data[:8192], seed.name).kind == seed.kind
    result = runners(seed.kind).scan(seed.kind, seed.data, seed.suffix)
    assert result.failure is None
    if seed.kind in TRIVIAL:
        return
    assert result.errors == []
    assert result.findings >= 1


def _check(kind: str, data: bytes, result: harness.Result, path: str | None = None) -> None:
    harness.STATS.add(result, path)
    found = harness.problems(result)
    if found:
        name = harness.regression_name(kind, data, "")
        keep = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"harava-fuzz-{name}")
        with open(keep, "wb") as stream:
            stream.write(data)
        pytest.fail(f"{kind}: {'; '.join(found)} (the input is kept in {keep}, {len(data)} bytes)")


@pytest.mark.parametrize("kind", seed_kinds())
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=(Phase.explicit, Phase.generate),  # a hang shrunk example by example would take hours
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)
@given(data=st.data())
def test_mutants_neither_crash_hang_nor_leak(kind, data, runners):
    if kind in TRIVIAL and data.draw(st.integers(0, 3), label="thinned out"):
        return  # a quarter of the examples are enough for a format that is one magic check
    pool = all_seeds()
    seed = data.draw(st.sampled_from(seeds_of(kind)), label="seed")
    mutant = harness.mutate(seed, harness.DataChooser(data), pool)
    runner = runners(kind)
    result = runner.scan(kind, mutant, seed.suffix)
    _check(kind, mutant, result, os.path.join(runner.workspace.folder, f"mutant{seed.suffix}"))


@pytest.mark.parametrize("path", harness.regressions(), ids=lambda p: p.name)
def test_stored_regressions(path, runners):
    """Inputs the long runs kept, read again: no crash, hang or leak, and no row from the catch-all."""
    kind, note = harness.kind_of_regression(path), harness.note_of(path)
    data, suffix, runner = path.read_bytes(), harness.suffix_of_regression(path), runners(kind)
    result = runner.scan(kind, data, suffix)
    found = harness.problems(result)
    harness.STATS.add(result, os.path.join(runner.workspace.folder, f"mutant{suffix}"))
    if found and note.get("open"):
        pytest.xfail(f"known, not yet fixed: {'; '.join(found)} ({note.get('why')})")
    assert not found, f"{path.name}: {'; '.join(found)}"
    # each was kept because only the scanner's last resort caught it; its reader now says what is wrong
    assert not harness.catch_all(result), f"{path.name}: {harness.catch_all(result)}"
