"""The one findings model: an Arrow schema every source produces and every report consumes.

Fields (see the outside contract): ``source``, ``member``, ``location`` (a JSON object whose keys fit
the format: text ``{"line", "column"}``, tables ``{"row", "field"}``, databases ``{"table", "column",
"row"}``), ``entity``, ``value`` (masked unless the user asks for raw values), ``value_hash``
(keyed HMAC), ``score``, ``detector``. Harava adds ``detail`` (e.g. a temporary identity code) and
``error``: a row with an ``error`` and no ``entity`` is an item (or the ``member`` of one) that could not
be read, so that it travels in the same output as the findings. Its ``code`` says why in one word (see
``scanner.extract.CODES``) and its ``coverage`` how much of what it names was read: ``skipped`` (nothing)
or ``partial`` (a limit was reached after part was read; those findings are in the output).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from scanner.engine import HitGroup, Hits
from scanner.keys import Hasher

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
        pa.field("code", pa.string()),
        pa.field("coverage", pa.string()),
    ]
)

_ERROR_FIELDS = ("error", "code", "coverage")

#: A finding as a run keeps it (the history, report exports): judged for one register (``""`` for a plain
#: scan), with the item's absolute path or URL (the same item from any folder) and whether the register
#: leaves it undeclared. Derived from :data:`SCHEMA`; error rows are not kept as findings.
RECORD_SCHEMA = pa.schema(
    [
        pa.field("register", pa.string(), nullable=False),
        *[f.with_nullable(False) if f.name == "entity" else f for f in SCHEMA if f.name not in _ERROR_FIELDS],
        pa.field("path", pa.string(), nullable=False),
        pa.field("undeclared", pa.bool_(), nullable=False),
    ]
)


class FindingsBuilder:
    """Turns engine hits into findings batches for one source, masking and hashing values."""

    def __init__(self, key: bytes, show_values: bool = False) -> None:
        self.key = key
        self.hasher = Hasher(key)
        self.show_values = show_values

    def _hashes(self, entity: str, compact: pa.Array) -> pa.Array:
        """``value_hash`` for each value, computed once per distinct value."""
        encoded = pc.dictionary_encode(compact)
        return self.hasher.hash_array(entity, encoded.dictionary.to_pylist()).take(encoded.indices)

    def build(
        self, source: str, member: str | None, hits: Hits, locate: Callable[[HitGroup], pa.Array]
    ) -> pa.RecordBatch:
        """Findings of one batch in reading order (row, then offset); ``locate`` gives each group's
        ``location`` JSON texts."""
        return self.build_many([(source, member, hits, locate)])

    def build_many(
        self, parts: Sequence[tuple[str, str | None, Hits, Callable[[HitGroup], pa.Array]]]
    ) -> pa.RecordBatch:
        """:meth:`build` of many sources' hits (a group of small files) as one batch, in their order: each
        detector's values are masked, normalised and hashed in one call for all of them."""
        columns: list[list[pa.Array]] = []
        order: list[np.ndarray] = []
        by_adapter: dict[int, list[tuple[int, str, str | None, HitGroup, Callable[[HitGroup], pa.Array]]]] = {}
        for k, (source, member, hits, locate) in enumerate(parts):
            for group in hits.groups:
                by_adapter.setdefault(id(group.adapter), []).append((k, source, member, group, locate))
        for entries in by_adapter.values():
            adapter = entries[0][3].adapter
            sizes = [len(e[3]) for e in entries]
            text = pa.concat_arrays([e[3].text for e in entries])
            value = text if self.show_values else adapter.mask_array(text)
            detail = adapter.detail_array(text)
            n = len(text)
            each = np.repeat(np.arange(len(entries)), sizes)  # the entry of every row
            columns.append(
                [
                    pa.array([e[1] for e in entries], pa.string()).take(each),
                    pa.array([e[2] for e in entries], pa.string()).take(each),
                    _locations([(e[4], e[3]) for e in entries]).cast(pa.string()),
                    pa.array([adapter.entity] * n, pa.string()),
                    value.cast(pa.string()),
                    self._hashes(adapter.entity, adapter.compact_array(text)),
                    pa.array(np.concatenate([e[3].score for e in entries]), pa.float64()),
                    pa.array([adapter.name] * n, pa.string()),
                    pa.nulls(n, pa.string()) if detail is None else detail.cast(pa.string()),
                    *[pa.nulls(n, pa.string()) for _ in _ERROR_FIELDS],
                ]
            )
            order.append(
                np.stack(
                    [
                        np.repeat([e[0] for e in entries], sizes),
                        np.concatenate([e[3].row for e in entries]),
                        np.concatenate([e[3].start for e in entries]),
                    ]
                )
            )
        if not columns:
            return pa.RecordBatch.from_pylist([], schema=SCHEMA)
        table = pa.Table.from_batches([pa.RecordBatch.from_arrays(c, schema=SCHEMA) for c in columns], schema=SCHEMA)
        keys = np.concatenate(order, axis=1)
        return table.take(pa.array(np.lexsort(keys[::-1]))).combine_chunks().to_batches()[0]


def _locations(parts: list[tuple[Callable[[HitGroup], pa.Array], HitGroup]]) -> pa.Array:
    """The ``location`` texts of several sources' hit groups, in one call where their kind of location
    allows (a ``many`` of the locate's own: many small files' line locations)."""
    many = getattr(parts[0][0], "many", None)
    if many is not None:
        return many(parts)
    return pa.concat_arrays([locate(group).cast(pa.large_string()) for locate, group in parts])


def error_batch(
    source: str,
    member: str | None,
    reason: str,
    location: dict[str, Any] | None = None,
    code: str = "error",
    coverage: str = "skipped",
) -> pa.RecordBatch:
    """An item (or part of one) that could not be read, as a row of the findings table."""
    row = {
        "source": source,
        "member": member,
        "location": json.dumps(location) if location else None,
        "error": reason,
        "code": code,
        "coverage": coverage,
    }
    return pa.RecordBatch.from_pylist([row], schema=SCHEMA)


def json_literals(column: pa.Array) -> pa.Array:
    """Each value as JSON text (``null`` for nulls), with Arrow kernels: numbers as they are, everything
    else as a string literal. Quotes and backslashes are escaped by substitution; the rare value holding a
    control character goes through ``json.dumps``. A column of few distinct values (a file's name repeated
    on each of its findings) is written once per distinct value: output is built in the parent process
    for every worker, so its cost limits how far workers scale."""
    if pa.types.is_integer(column.type) or pa.types.is_floating(column.type) or pa.types.is_decimal(column.type):
        return pc.fill_null(pc.cast(column, pa.large_string()), "null")
    if pa.types.is_boolean(column.type):
        return pc.fill_null(pc.if_else(column, "true", "false").cast(pa.large_string()), "null")
    try:
        column = pc.cast(column, pa.large_string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # e.g. binary keys or extension types
        column = pa.array([None if v is None else str(v) for v in column.to_pylist()], pa.large_string())
    if len(column) > _FEW and column.null_count < len(column) and _repetitive(column):
        encoded = pc.dictionary_encode(column)
        if len(encoded.dictionary) * 8 < len(column):
            return pc.fill_null(pc.take(_string_literals(encoded.dictionary), encoded.indices), "null")
    return _string_literals(column)


_FEW = 64  # values: below this, the kernels' fixed cost outweighs any saving


def _repetitive(column: pa.Array) -> bool:
    """Few distinct values among the first thousand (encoding a column of hashes would be wasted)."""
    head = column.slice(0, 1024)
    return len(pc.unique(head)) * 8 < len(head)


def prefixed(text: str, column: pa.Array) -> pa.Array:
    """``text`` in front of every value (a slice kernel: several times faster than an element-wise join)."""
    return pc.binary_replace_slice(column, 0, 0, text)


def _quoted(column: pa.Array) -> pa.Array:
    return pc.binary_replace_slice(pc.binary_replace_slice(column, 0, 0, '"'), _END, _END, '"')


_END = 1 << 62  # a slice start past any value's end: what is put there is appended


def string_bytes(column: pa.Array) -> np.ndarray:
    """The UTF-8 bytes of a string array's values, as one array (no copy): looked at in one pass, where a
    regular-expression kernel pays per value, and these arrays hold many short ones."""
    _, offsets, data = column.buffers()
    if data is None:
        return np.zeros(0, np.uint8)
    bounds = np.frombuffer(offsets, np.int64, len(column) + 1, column.offset * 8)
    return np.frombuffer(data, np.uint8, int(bounds[-1] - bounds[0]), int(bounds[0]))


def _string_literals(column: pa.Array) -> pa.Array:
    if len(column) == column.null_count:
        return pa.nulls(len(column), pa.large_string()).fill_null("null")
    text = string_bytes(column)
    control = bool((text < 0x20).any())
    if not control and not ((text == 0x22).any() or (text == 0x5C).any()):  # hashes, paths, most values
        return pc.fill_null(_quoted(column), "null")
    escaped = pc.replace_substring(pc.replace_substring(column, "\\", "\\\\"), '"', '\\"')
    quoted = pc.fill_null(_quoted(escaped), "null")
    if control:  # the rare value holding a control character
        odd = pc.fill_null(pc.match_substring_regex(column, r"[\x00-\x1f]"), False).to_numpy(zero_copy_only=False)
        fixed = [json.dumps(v, ensure_ascii=False) if o else None for v, o in zip(column.to_pylist(), odd, strict=True)]
        quoted = pc.if_else(pa.array(odd), pa.array(fixed, pa.large_string()), quoted)
    return quoted


def describe_location(location: dict[str, Any] | None) -> str:
    """A location as people read it: ``12:5`` in text, ``field=user.email`` or
    ``table=asiakkaat, column=hetu, row=id:7`` elsewhere.

    >>> describe_location({"line": 12, "column": 5}), describe_location({"table": "t", "row": {"id": 7}})
    ('12:5', 'table=t, row=id:7')
    """
    if not location:
        return ""
    if "line" in location:
        rest = {k: v for k, v in location.items() if k not in ("line", "column")}
        head = f"{location['line']}" + (f":{location['column']}" if "column" in location else "")
        return head + "".join(f" {k}={v}" for k, v in rest.items())
    return ", ".join(
        f"{k}=" + (",".join(f"{a}:{b}" for a, b in v.items()) if isinstance(v, dict) else str(v))
        for k, v in location.items()
    )


def counts(values: pa.Array) -> dict[Any, int]:
    """How often each non-null value occurs (an entity column, a source column), with one kernel call."""
    counted = pc.value_counts(pc.drop_null(values))
    return dict(zip(counted.field("values").to_pylist(), counted.field("counts").to_pylist(), strict=True))
