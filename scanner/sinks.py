"""Sinks: where findings batches go as they stream out of the pipeline.

Writers put them out as a table for people, or JSONL/JSON/CSV/Parquet for machines; the history sink
records them in a run of the history; the check sink feeds each register's tally (and the history).
Every sink consumes a batch when it arrives, so nothing has to fit in memory.
The JSON format is one object ``{"findings": [...], "summary": {...}}``; JSONL, CSV and Parquet hold
the findings only (the summary goes to standard error). In CSV and Parquet ``location`` is the JSON
text of the location object.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from typing import IO, TYPE_CHECKING, Any, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from detectors.base import concat
from scanner import FORMATS
from scanner.findings import SCHEMA, json_literals, prefixed
from scanner.outfile import OutputFile
from scanner.registers.check import RegisterTally
from scanner.terminal import TableWriter  # the table is for people: written with the rest of what they read

if TYPE_CHECKING:  # the history (and SQLAlchemy with it) is imported only by a run that keeps one
    from scanner.history import History


class Writer(Protocol):
    def write(self, batch: pa.RecordBatch) -> None: ...
    def close(self, summary: dict[str, Any]) -> None: ...


class Sink(Protocol):
    """What the pipeline feeds: every findings batch, with the target (as the user named it) it came from."""

    def __call__(self, target: str, batch: pa.RecordBatch) -> None: ...


def json_lines(batch: pa.RecordBatch, end: str = "}") -> pa.Array:
    """One JSON object per findings row, as text (``location`` is embedded as the object it is), each
    closed by ``end``.

    Each field's name goes in front of its values with a slice kernel, and runs of constant text (the
    fields that are null on every row) are merged, so the one element-wise join has few parts: its cost
    grows with the parts per row, and this runs in the parent process for every worker's findings."""
    if batch.num_rows == 0:
        return pa.array([], pa.large_string())
    pieces: list[pa.Array | str] = []
    for index, field in enumerate(batch.schema):
        column = batch.column(index)
        key = ("{" if index == 0 else ", ") + f'"{field.name}": '
        if column.null_count == len(column):  # error, code, coverage of every finding
            text: pa.Array | str = key + "null"
        elif field.name == "location" or pa.types.is_floating(field.type):
            text = prefixed(key, pc.fill_null(pc.cast(column, pa.large_string()), "null"))
        else:
            text = prefixed(key, json_literals(column))
        if isinstance(text, str) and pieces and isinstance(pieces[-1], str):
            pieces[-1] += text
        else:
            pieces.append(text)
    if isinstance(pieces[-1], str):
        pieces[-1] += end
    else:
        pieces.append(end)
    return concat(*pieces)


class JsonlWriter:
    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream

    def write(self, batch: pa.RecordBatch) -> None:
        if batch.num_rows:
            lines = json_lines(batch, end="}\n")
            _, offsets, data = lines.buffers()
            bounds = np.frombuffer(offsets, np.int64, len(lines) + 1, lines.offset * 8)
            self.stream.write(memoryview(data)[int(bounds[0]) : int(bounds[-1])])

    def close(self, summary: dict[str, Any]) -> None:
        self.stream.flush()


class JsonWriter:
    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.first = True
        self.stream.write(b'{"findings": [')

    def write(self, batch: pa.RecordBatch) -> None:
        for line in json_lines(batch).to_pylist():
            self.stream.write((("\n  " if self.first else ",\n  ") + line).encode())
            self.first = False

    def close(self, summary: dict[str, Any]) -> None:
        tail = ("" if self.first else "\n") + '],\n"summary": ' + json.dumps(summary, ensure_ascii=False) + "}\n"
        self.stream.write(tail.encode())
        self.stream.flush()


class CsvWriter:
    def __init__(self, stream: IO[bytes]) -> None:
        self.writer = pacsv.CSVWriter(stream, SCHEMA)

    def write(self, batch: pa.RecordBatch) -> None:
        self.writer.write_batch(batch)

    def close(self, summary: dict[str, Any]) -> None:
        self.writer.close()


class ParquetWriter:
    def __init__(self, stream: IO[bytes] | str) -> None:
        self.writer = pq.ParquetWriter(stream, SCHEMA)

    def write(self, batch: pa.RecordBatch) -> None:
        self.writer.write_batch(batch)

    def close(self, summary: dict[str, Any]) -> None:
        self.writer.close()


def open_writer(fmt: str, output: str | None) -> tuple[Writer, OutputFile | None]:
    """A writer for ``fmt`` to the file ``output`` (or standard output); also the file to commit or discard.
    Raises ``OSError`` when the file cannot be created."""
    binary = fmt != "table"
    if output and output != "-":
        owned: OutputFile | None = OutputFile(output, binary)
        handle: IO[Any] = owned.handle
    else:
        handle = sys.stdout.buffer if binary else sys.stdout
        owned = None
    return WRITERS[fmt](handle), owned


WRITERS: dict[str, Callable[[Any], Writer]] = {
    "table": TableWriter,
    "jsonl": JsonlWriter,
    "json": JsonWriter,
    "csv": CsvWriter,
    "parquet": ParquetWriter,
}
assert tuple(WRITERS) == FORMATS, "a writer for each output format"


class HistorySink:
    """Findings into a run of the history as they arrive, a few thousand rows at a time, so a nightly scan
    of a large share never holds its findings in memory. Raw values never reach it (the CLI refuses
    ``--show-values`` with a history)."""

    FLUSH_ROWS = 10_000

    def __init__(self, history: History, run_id: int) -> None:
        self.history, self.run_id = history, run_id
        self.rows: list[dict[str, Any]] = []

    @classmethod
    def begin(cls, history: History, config: str, started: str, signature: str | None = None) -> HistorySink:
        """A new run in the history, to record into."""
        return cls(history, history.begin(config, started, signature))

    def finish(
        self,
        verdicts: list[dict[str, Any]],
        errors: list[dict[str, str]],
        status: int,
        files: Sequence[tuple[str, int, int, dict[str, Any] | None]] = (),
        coverage: dict[str, Any] | None = None,
    ) -> None:
        self.flush()
        self.history.finish(self.run_id, verdicts, errors, status, files, coverage)

    def add(self, register: str, batch: pa.RecordBatch, undeclared: np.ndarray | None = None) -> None:
        from scanner.history import history_rows

        # a slice at a time: a block of a dense file can hold hundreds of thousands of findings
        for start in range(0, batch.num_rows, self.FLUSH_ROWS):
            part = batch.slice(start, self.FLUSH_ROWS)
            marks = None if undeclared is None else undeclared[start : start + self.FLUSH_ROWS]
            self.rows.extend(history_rows(register, part, marks))
            if len(self.rows) >= self.FLUSH_ROWS:
                self.flush()

    def __call__(self, target: str, batch: pa.RecordBatch) -> None:
        self.add("", batch)

    def flush(self) -> None:
        if self.rows:
            self.history.add_findings(self.run_id, self.rows)
            self.rows = []

    close = flush

    def abort(self, why: str, status: int) -> None:
        """The run ends without a verdict (an error, an interrupt): recorded with its exit status and why,
        and never taken as the previous run."""
        self.rows = []
        self.history.abort(self.run_id, why, status)


def fanout(*sinks: Sink | None) -> Sink:
    """One sink feeding several (``None`` ones left out)."""
    chosen = [s for s in sinks if s is not None]

    def sink(target: str, batch: pa.RecordBatch) -> None:
        for each in chosen:
            each(target, batch)

    return sink


class Listener(Protocol):
    """Hears every batch once per register it belongs to, with the rows that register finds undeclared."""

    def add(self, register: str, batch: pa.RecordBatch, undeclared: np.ndarray | None = None) -> None: ...
    def close(self) -> None: ...
    def abort(self, why: str, status: int) -> None: ...


class CheckSink:
    """Each batch to the tallies of the registers whose sources include its target, and — with the rows
    each register finds undeclared marked — to the listeners (the history, an accepted-findings file)."""

    def __init__(self, tallies: Sequence[RegisterTally], listeners: Sequence[Listener] = ()) -> None:
        self.by_target: dict[str, list[RegisterTally]] = {}
        for tally in tallies:
            for source in tally.register.sources:
                self.by_target.setdefault(source, []).append(tally)
        self.listeners = listeners

    def __call__(self, target: str, batch: pa.RecordBatch) -> None:
        for tally in self.by_target.get(target, []):
            undeclared = tally.add(batch)
            for listener in self.listeners:
                listener.add(tally.register.name, batch, undeclared)
