"""What the engine returns: validated hits, kept as arrays per detector until the findings are built.

Also how hits from different sources are reconciled. Harava reports one entity per span, so where
two hits overlap one must go; the higher score wins, as when Presidio's results are de-duplicated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from scanner.adapters import Adapter

#: (row, start, end, text, score, adapter): one hit, for the rare per-value paths.
Record = tuple[int, int, int, str, float, Adapter]


@dataclass
class HitGroup:
    """Validated findings of one detector in one batch; offsets are characters within the row."""

    adapter: Adapter
    row: np.ndarray
    start: np.ndarray
    end: np.ndarray
    text: pa.Array
    score: np.ndarray

    def __len__(self) -> int:
        return len(self.row)

    def slice(self, start: int, stop: int) -> HitGroup:
        """Hits ``start:stop``, without copying."""
        return HitGroup(
            self.adapter,
            self.row[start:stop],
            self.start[start:stop],
            self.end[start:stop],
            self.text.slice(start, stop - start),
            self.score[start:stop],
        )

    def take(self, indices: np.ndarray) -> HitGroup:
        return HitGroup(
            self.adapter,
            self.row[indices],
            self.start[indices],
            self.end[indices],
            self.text.take(pa.array(indices, pa.int64())),
            self.score[indices],
        )


class Hits:
    """All findings of one batch, as one group per detector (what the findings builder consumes)."""

    def __init__(self, groups: Sequence[HitGroup] = ()) -> None:
        self.groups = [g for g in groups if len(g)]

    def __len__(self) -> int:
        return sum(len(g) for g in self.groups)

    def records(self) -> list[Record]:
        """(row, start, end, text, score, adapter) in text order — for tests and merging."""
        out = [
            (r, s, e, t, sc, g.adapter)
            for g in self.groups
            for r, s, e, t, sc in zip(
                g.row.tolist(), g.start.tolist(), g.end.tolist(), g.text.to_pylist(), g.score.tolist(), strict=True
            )
        ]
        return sorted(out, key=lambda rec: (rec[0], rec[1]))

    @classmethod
    def from_records(cls, records: Sequence[Record]) -> Hits:
        by_adapter: dict[int, list[Record]] = {}
        for rec in records:
            by_adapter.setdefault(id(rec[5]), []).append(rec)
        return cls(
            [
                HitGroup(
                    recs[0][5],
                    np.array([r[0] for r in recs], np.int64),
                    np.array([r[1] for r in recs], np.int64),
                    np.array([r[2] for r in recs], np.int64),
                    pa.array([r[3] for r in recs], pa.large_string()),
                    np.array([r[4] for r in recs], np.float64),
                )
                for recs in by_adapter.values()
            ]
        )

    def _column(self, index: int) -> list:
        return [rec[index] for rec in self.records()]

    row = property(lambda self: self._column(0))
    start = property(lambda self: self._column(1))
    end = property(lambda self: self._column(2))
    text = property(lambda self: self._column(3))
    score = property(lambda self: self._column(4))
    adapter = property(lambda self: self._column(5))
    entity = property(lambda self: [a.entity for a in self._column(5)])


def merge_records(records: list[Record]) -> list[Record]:
    """One span, one entity: where hits overlap, keep the higher score (the earlier on a tie)."""
    kept: list[Record] = []
    for rec in sorted(records, key=lambda r: (r[0], r[1])):
        if kept and kept[-1][0] == rec[0] and rec[1] < kept[-1][2]:
            if rec[4] > kept[-1][4]:
                kept[-1] = rec
            continue
        kept.append(rec)
    return kept


def _flat(groups: Sequence[HitGroup]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    return tuple(np.concatenate([getattr(g, name) for g in groups]) for name in ("row", "start", "end", "score"))


def prefer(first: Sequence[HitGroup], second: Sequence[HitGroup]) -> list[HitGroup]:
    """Both sets of hits, less those an overlapping hit of the other set outscores (``first`` wins ties).

    Within each set the hits are disjoint (each comes from one leftmost-first alternation), so only
    pairs across the sets can overlap, and only on rows both sets have hits on: the pairs are found
    with two binary searches over those rows' hits, and nothing is copied when no row is shared.
    """
    first, second = [g for g in first if len(g)], [g for g in second if len(g)]
    if not first or not second:
        return [*first, *second]
    row_a, start_a, end_a, score_a = _flat(first)
    row_b, start_b, end_b, score_b = _flat(second)
    shared = np.intersect1d(row_a, row_b)
    if not len(shared):
        return [*first, *second]
    in_a, in_b = np.flatnonzero(np.isin(row_a, shared)), np.flatnonzero(np.isin(row_b, shared))
    width = int(max(end_a[in_a].max(), end_b[in_b].max())) + 1
    at_a = row_a[in_a] * width + start_a[in_a]
    order = np.argsort(at_a, kind="stable")
    in_a, at_a = in_a[order], at_a[order]
    until_a = row_a[in_a] * width + end_a[in_a]
    at_b, until_b = row_b[in_b] * width + start_b[in_b], row_b[in_b] * width + end_b[in_b]
    # For each hit of ``second``: the hits of ``first`` that end after it starts and start before it ends.
    low = np.searchsorted(np.maximum.accumulate(until_a), at_b, side="right")
    high = np.searchsorted(at_a, until_b, side="left")
    counts = np.maximum(high - low, 0)
    pair_b = np.repeat(np.arange(len(in_b)), counts)
    pair_a = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts) + np.repeat(low, counts)
    overlap = (at_a[pair_a] < until_b[pair_b]) & (until_a[pair_a] > at_b[pair_b])
    pair_a, pair_b = in_a[pair_a[overlap]], in_b[pair_b[overlap]]
    lose_a = np.zeros(len(row_a), bool)
    lose_b = np.zeros(len(row_b), bool)
    lose_a[pair_a[score_b[pair_b] > score_a[pair_a]]] = True
    lose_b[pair_b[score_a[pair_a] >= score_b[pair_b]]] = True
    return [*_without(first, lose_a), *_without(second, lose_b)]


def _without(groups: Sequence[HitGroup], lose: np.ndarray) -> list[HitGroup]:
    if not lose.any():
        return list(groups)
    out, offset = [], 0
    for group in groups:
        mine = lose[offset : offset + len(group)]
        offset += len(group)
        out.append(group.take(np.flatnonzero(~mine)) if mine.any() else group)
    return out
