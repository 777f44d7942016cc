"""Writers: findings batches out as a table for people, or JSONL/JSON/CSV/Parquet for machines.

Every writer streams: a batch is written when it arrives, so output never has to fit in memory.
The JSON format is one object ``{"findings": [...], "summary": {...}}``; JSONL, CSV and Parquet hold
the findings only (the summary goes to standard error). In CSV and Parquet ``location`` is the JSON
text of the location object.
"""

from __future__ import annotations

import json
import sys
from typing import IO, Any, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from detectors.base import concat
from scanner.findings import SCHEMA, json_literals

FORMATS = ("table", "jsonl", "json", "csv", "parquet")


class Writer(Protocol):
    def write(self, batch: pa.RecordBatch) -> None: ...
    def close(self, summary: dict[str, Any]) -> None: ...


class _TextWriter:
    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream


def json_lines(batch: pa.RecordBatch) -> pa.Array:
    """One JSON object per findings row, as text (``location`` is embedded as the object it is)."""
    pieces: list[pa.Array | str] = []
    for index, field in enumerate(batch.schema):
        column = batch.column(index)
        if field.name == "location" or pa.types.is_floating(field.type):
            text = pc.fill_null(pc.cast(column, pa.large_string()), "null")
        else:
            text = json_literals(column)
        pieces += [("{" if index == 0 else ", ") + f'"{field.name}": ', text]
    return concat(*pieces, "}")


class JsonlWriter:
    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream

    def write(self, batch: pa.RecordBatch) -> None:
        if batch.num_rows:
            lines = concat(json_lines(batch), "\n")
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


def _where(location: str | None) -> str:
    if not location:
        return ""
    loc = json.loads(location)
    if "line" in loc:
        return f"{loc['line']}:{loc.get('column', '')}"
    return ", ".join(f"{k}={v}" for k, v in loc.items())


class TableWriter(_TextWriter):
    """For reading in a terminal: findings grouped under their source, one line each."""

    def __init__(self, stream: IO[str]) -> None:
        super().__init__(stream)
        self.current: tuple[str, str | None] | None = None
        self.any = False

    def write(self, batch: pa.RecordBatch) -> None:
        for row in batch.to_pylist():
            where = (row["source"], row["member"])
            if where != self.current:
                self.stream.write(
                    ("\n" if self.any else "") + row["source"] + (f" [{row['member']}]" if row["member"] else "") + "\n"
                )
                self.current = where
            self.any = True
            place = _where(row["location"])
            if row["error"]:
                self.stream.write(f"  {place:<10} unreadable: {row['error']}\n")
                continue
            detail = f"  {row['detail']}" if row["detail"] else ""
            self.stream.write(f"  {place:<10} {row['entity']:<26} {row['value']:<24} {row['score']:.2f}{detail}\n")

    def close(self, summary: dict[str, Any]) -> None:
        if not self.any:
            self.stream.write("No personal data found.\n")
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


def open_writer(fmt: str, output: str | None) -> tuple[Writer, IO[Any] | None]:
    """A writer for ``fmt`` to the file ``output`` (or standard output); also the file to close."""
    binary = fmt != "table"
    if output and output != "-":
        handle: IO[Any] = open(output, "wb" if binary else "w", encoding=None if binary else "utf-8")  # noqa: SIM115
        owned: IO[Any] | None = handle
    else:
        handle = sys.stdout.buffer if binary else sys.stdout
        owned = None
    writers = {
        "table": TableWriter,
        "jsonl": JsonlWriter,
        "json": JsonWriter,
        "csv": CsvWriter,
        "parquet": ParquetWriter,
    }
    return writers[fmt](handle), owned
