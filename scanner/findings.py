"""The one findings model: an Arrow schema every source produces and every report consumes.

Fields (see the outside contract): ``source``, ``member``, ``location`` (a JSON object whose keys fit
the format: text ``{"line", "column"}``, tables ``{"row", "field"}``, databases ``{"table", "column",
"row"}``), ``entity``, ``value`` (masked unless the user asks for raw values), ``value_hash``
(keyed HMAC), ``score``, ``detector``. Harava adds ``detail`` (e.g. a temporary identity code) and
``error``: a row with an ``error`` and no ``entity`` is an item that could not be read, so that it
travels in the same output as the findings.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from scanner.engine import Adapter, Hits
from scanner.keys import value_hash

SCHEMA = pa.schema(
    [
        pa.field("source", pa.string(), nullable=False),
        pa.field("member", pa.string()),
        pa.field("location", pa.string(), metadata={"format": "json"}),
        pa.field("entity", pa.string()),
        pa.field("value", pa.string()),
        pa.field("value_hash", pa.string()),
        pa.field("score", pa.float64()),
        pa.field("detector", pa.string()),
        pa.field("detail", pa.string()),
        pa.field("error", pa.string()),
    ]
)


class FindingsBuilder:
    """Turns engine hits into findings batches for one source, masking and hashing values."""

    def __init__(self, key: bytes, show_values: bool = False) -> None:
        self.key = key
        self.show_values = show_values
        self._hashes: dict[tuple[str, str], str] = {}

    def _hash(self, adapter: Adapter, value: str) -> str:
        key = (adapter.entity, value)
        digest = self._hashes.get(key)
        if digest is None:
            if len(self._hashes) > 100_000:
                self._hashes.clear()
            digest = self._hashes[key] = value_hash(self.key, adapter.entity, adapter.compact(value))
        return digest

    def batch(self, source: str, member: str | None, hits: Hits, locations: Sequence[str]) -> pa.RecordBatch:
        n = len(hits)
        pairs = list(zip(hits.adapter, hits.text, strict=True))
        return pa.RecordBatch.from_arrays(
            [
                pa.array([source] * n, pa.string()),
                pa.array([member] * n, pa.string()),
                pa.array(locations, pa.string()),
                pa.array(hits.entity, pa.string()),
                pa.array(hits.text if self.show_values else [a.mask(v) for a, v in pairs], pa.string()),
                pa.array([self._hash(a, v) for a, v in pairs], pa.string()),
                pa.array(hits.score, pa.float64()),
                pa.array([a.name for a in hits.adapter], pa.string()),
                pa.array([a.detail(v) for a, v in pairs], pa.string()),
                pa.nulls(n, pa.string()),
            ],
            schema=SCHEMA,
        )

    def text_batch(
        self, source: str, member: str | None, hits: Hits, line_no: np.ndarray, col0: np.ndarray
    ) -> pa.RecordBatch:
        """Findings in lines of text: location ``{"line": …, "column": …}``, column 1-based."""
        lines = line_no[hits.row].tolist() if len(hits) else []
        columns = (col0[hits.row] + np.asarray(hits.start, np.int64) + 1).tolist() if len(hits) else []
        locations = [f'{{"line": {ln}, "column": {col}}}' for ln, col in zip(lines, columns, strict=True)]
        return self.batch(source, member, hits, locations)


def error_batch(source: str, member: str | None, reason: str, location: dict[str, Any] | None = None) -> pa.RecordBatch:
    """An item that could not be read, as a row of the findings table."""
    return pa.RecordBatch.from_pylist(
        [{"source": source, "member": member, "location": json.dumps(location) if location else None, "error": reason}],
        schema=SCHEMA,
    )


def row_to_json(row: dict[str, Any]) -> dict[str, Any]:
    """A findings row with ``location`` decoded back into an object (for JSON and JSONL output)."""
    if row.get("location") is not None:
        row["location"] = json.loads(row["location"])
    return row
