"""The detection engine: every detector's patterns in vectorised passes over Arrow string arrays.

Presidio calls each recognizer's regexes on each text in Python, which costs ~156 µs a call before
any matching. Harava instead joins the patterns of many detectors into one RE2 alternation and runs
it with pyarrow's compute kernels over an array of lines or cells:

1. ``match_substring_regex`` keeps only lines with a candidate (the prefilter);
2. ``replace_substring_regex`` wraps every match in unit separators and ``split_pattern`` turns each
   line into ``[text, match, text, match, …, text]`` — all matches of all lines, with character
   offsets derived from the lengths of the pieces, without a Python loop;
3. each candidate is attributed to the first alternative that matches it whole, and context words
   are looked up per line (both vectorised); only then does Python validate the candidates
   (checksums, dates, libphonenumber), with caching.

An alternation is matched leftmost-first, so within it two detectors never claim the same span: at
any position the higher-priority detector takes the text. The first pass holds Harava's detectors
and the guards (``detectors.guards``): each guard sits just before the detectors it protects, so a
phone number is never reported inside a HETU, a business ID, an IBAN or a date. A guard protects
only its own detectors: plain Presidio recognizers (entry-point plug-ins, YAML files), and any
Harava detector ordered after a guard it is not protected by, run in a second alternation without
guards — which costs nothing when there are none. Where a second-pass hit overlaps a first-pass
one, the higher score wins and the first pass wins ties (``scanner.hits.prefer``).

Recognizers whose patterns RE2 cannot run (look-arounds, back-references) and recognizers without
patterns fall back to their own ``analyze`` on the rows joined by newlines — one call per batch, with
matches mapped back to their rows; their results are merged with overlaps resolved by score.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from detectors._presidio import EntityRecognizer, PatternRecognizer, RecognizerResult, complete
from detectors.base import REJECT_LOOKBEHIND, UNDECIDED, VALID
from detectors.guards import GUARDS, Guard
from scanner.adapters import (
    PLUGIN_PRIORITY,
    Adapter,
    compiled_patterns,
    context_regex,
    re2_compatible,
    touching_words,
)
from scanner.hits import HitGroup, Hits, Record, merge_records, prefer

__all__ = [
    "CONTEXT_BOOST",
    "PLUGIN_PRIORITY",
    "Adapter",
    "Engine",
    "HitGroup",
    "Hits",
    "Record",
    "context_regex",
    "re2_compatible",
]

SEP = "\x1f"  # unit separator: blanked in the scanned text first, so it cannot occur there
CONTEXT_BOOST = 0.35  # the same factor Presidio's context enhancer uses
ROW_SEP = "\n"  # between rows for the per-text fallback: ``\b``, ``^`` and ``$`` see a boundary there
DENSE = 0.3  # the share of lines with a match above which a pass goes without its prefilter
BEFORE = REJECT_LOOKBEHIND  # characters before a match its detector's rules may look at

_Detector = tuple[Adapter, list[tuple[str, str, float]]]


def _holds_byte(array: pa.Array, byte: int) -> bool:
    """Whether a string array's data buffer holds a byte (a fast, conservative check)."""
    data = array.buffers()[2]
    return data is not None and bool((np.frombuffer(data, np.uint8) == byte).any())


@dataclass(frozen=True)
class _Slot:
    """One alternative of an alternation: a detector's pattern, or a guard (adapter None)."""

    adapter: Adapter | None
    name: str
    pattern: str
    score: float


@dataclass
class _Candidates:
    row: np.ndarray
    start: np.ndarray
    text: pa.Array
    slot: np.ndarray
    score: np.ndarray  # the pattern's score, before validation and context
    before: pa.Array
    after: pa.Array
    context: np.ndarray
    refused: np.ndarray  # the row's own label says it is no value of this detector (``REJECT_LABEL``)
    touching: np.ndarray  # runs on from a word on either side (``adapters.touching_words``)
    whole: np.ndarray  # the match is its row's value (a cell's): it ends the row, after two words at most


def _guarded(detectors: Sequence[_Detector], guards: Sequence[Guard]) -> tuple[list[_Slot], list[_Detector]]:
    """The first pass: detectors by priority, each guard just before the first detector it protects.

    Leftmost-first, a guard takes its span from every alternative after it. A detector that would
    sort after a guard not meant for it is returned instead, to run in the second pass.
    """
    slots: list[_Slot] = []
    unguarded: list[_Detector] = []
    placed: list[Guard] = []
    for adapter, patterns in sorted(detectors, key=lambda d: d[0].priority):  # stable
        if any(adapter.entity not in guard.protects for guard in placed):
            unguarded.append((adapter, patterns))
            continue
        for guard in guards:
            if guard not in placed and adapter.entity in guard.protects:
                placed.append(guard)
                slots.append(_Slot(None, guard.name, f"(?:{guard.pattern})", 0.0))
        slots.extend(_Slot(adapter, n, f"(?:{p})", s) for n, p, s in patterns)
    return slots, unguarded


class _Pass:
    """One alternation over the lines, and how to attribute each of its matches to a detector."""

    def __init__(self, slots: list[_Slot], wanted: list[Adapter]) -> None:
        self.slots = slots
        self.slots_of = {
            id(a): np.array([i for i, s in enumerate(slots) if s.adapter is a], np.int64)
            for a in dict.fromkeys(s.adapter for s in slots if s.adapter)
        }
        # Only the wanted detectors are validated; the others still take their spans, so that the
        # same text yields the same hits whichever entities are asked for.
        self.wanted = [a for a in wanted if id(a) in self.slots_of]
        self._slot_score = np.array([s.score for s in slots] + [0.0], np.float64)  # [-1]: unattributed
        # Consecutive slots of one detector (or all guards) are identified together; one by one only
        # where the detector's patterns score differently.
        self._slot_groups: list[tuple[str, list[int]]] = []
        for _, group in itertools.groupby(range(len(slots)), key=lambda i: id(slots[i].adapter)):
            members = list(group)
            pattern = "|".join(slots[i].pattern for i in members)
            scores = {slots[i].score for i in members}
            self._slot_groups.append((pattern, members if len(scores) > 1 else members[:1]))
        self._alternation = "|".join(s.pattern for s in slots)
        # Guards only matter where a detector's pattern matches too: a line with just a date is skipped.
        self._prefilter = "|".join(s.pattern for s in slots if s.adapter)
        self._dense = False

    def _identify(self, texts: pa.Array) -> np.ndarray:
        """Which slot produced each match: the first whose pattern matches it whole.

        The slot groups (one per detector, all its patterns at once) are halved: a match that the first
        half's patterns match whole was made by one of them (the alternation prefers the earlier), else
        by the second half. Each match meets about log2(groups) matchers, not one per group before its
        own: the per-row cost of a kernel call is most of a matcher's cost on such short texts. A pass
        per pattern only where a detector's patterns differ in score.
        """
        slot = np.full(len(texts), -1, np.int64)
        self._identify_in(texts, np.arange(len(texts)), 0, len(self._slot_groups), slot)
        return slot

    def _whole(self, texts: pa.Array, at: np.ndarray, pattern: str) -> np.ndarray:
        """Those of ``texts[at]`` that ``pattern`` matches whole."""
        subset = texts.take(pa.array(at)) if len(at) < len(texts) else texts
        return at[pc.match_substring_regex(subset, f"^(?:{pattern})$").to_numpy(zero_copy_only=False)]

    def _identify_in(self, texts: pa.Array, at: np.ndarray, low: int, high: int, slot: np.ndarray) -> None:
        if high - low > 1:
            middle = (low + high) // 2
            joined = "|".join(pattern for pattern, _ in self._slot_groups[low:middle])
            first = self._whole(texts, at, joined)
            if len(first):
                self._identify_in(texts, first, low, middle, slot)
            if len(first) < len(at):
                self._identify_in(texts, np.setdiff1d(at, first, assume_unique=True), middle, high, slot)
            return
        pattern, members = self._slot_groups[low]
        hit = self._whole(texts, at, pattern)
        if len(members) == 1 or len(hit) == 0:
            slot[hit] = members[0]
            return
        for index in members:
            if not len(hit):
                break
            whole = self._whole(texts, hit, self.slots[index].pattern)
            slot[whole] = index
            hit = np.setdiff1d(hit, whole, assume_unique=True)

    def _context(
        self,
        lines: pa.Array,
        rows: np.ndarray,
        candidates: pa.Array,
        cand_row: np.ndarray,
        slot: np.ndarray,
        labels: pa.Array | str | None,
        starts: np.ndarray | None = None,
    ) -> np.ndarray:
        """Whether a context word of its detector stands in each match's line, the line above or its label.
        ``starts`` marks the rows that begin a text of their own (no line above them belongs to it)."""
        context = np.zeros(len(cand_row), bool)
        for adapter in self.wanted:
            if adapter.context_re2 is None:
                continue
            mine = np.isin(slot, self.slots_of[id(adapter)])
            if not mine.any():
                continue
            wanted_rows = np.unique(cand_row[mine])
            near = pc.match_substring_regex(candidates.take(pa.array(wanted_rows)), adapter.context_re2)
            found = near.to_numpy(zero_copy_only=False).copy()
            first = rows[wanted_rows] == 0 if starts is None else starts[rows[wanted_rows]]
            look_above = np.flatnonzero(~found & ~first)
            if len(look_above):
                above = lines.take(pa.array(rows[wanted_rows[look_above]] - 1))
                found[look_above] = pc.match_substring_regex(above, adapter.context_re2).to_numpy(zero_copy_only=False)
            if labels is not None:
                found |= _labelled(labels, rows[wanted_rows], adapter.context_re2)
            context[mine] = found[np.searchsorted(wanted_rows, cand_row[mine])]
        return context

    def _refused(
        self, rows: np.ndarray, slot: np.ndarray, labels: pa.Array | str | None, shared: np.ndarray | None = None
    ) -> np.ndarray:
        """Whether each match's own label says it is no value of its detector (``REJECT_LABEL``). Only a
        label of its own: one for all rows (a CSV header) speaks of every column."""
        refused = np.zeros(len(rows), bool)
        if isinstance(labels, pa.Array):
            for adapter in self.wanted:
                mine = np.flatnonzero(np.isin(slot, self.slots_of[id(adapter)]))
                if adapter.reject_label and len(mine):
                    refused[mine] = _labelled(labels, rows[mine], adapter.reject_label)
                    if shared is not None:  # a CSV header among the labels of many texts speaks of every column
                        refused[mine] &= ~shared[rows[mine]]
        return refused

    def candidates(
        self,
        lines: pa.Array,
        labels: pa.Array | str | None = None,
        starts: np.ndarray | None = None,
        shared: np.ndarray | None = None,
    ) -> _Candidates | None:
        """Every match of the alternation, with its row, offset, neighbours and slot — vectorised."""
        if len(lines) == 0:
            return None
        if self._dense:
            rows, candidates = np.arange(len(lines)), lines
        else:
            rows = np.flatnonzero(pc.match_substring_regex(lines, self._prefilter).to_numpy(zero_copy_only=False))
            if len(rows) == 0:
                return None
            candidates = lines.take(pa.array(rows))
        # "pre␟match␟pre␟match␟tail": the matches sit at the odd positions of each split list.
        rewritten = pc.replace_substring_regex(candidates, self._alternation, f"{SEP}\\0{SEP}")
        parts = pc.split_pattern(rewritten, SEP)
        offsets = parts.offsets.to_numpy()
        offsets = offsets - offsets[0]
        flat = parts.flatten()
        parent = np.repeat(np.arange(len(parts)), np.diff(offsets))
        position = np.arange(len(flat)) - offsets[:-1][parent]
        lengths = pc.utf8_length(flat).to_numpy(zero_copy_only=False).astype(np.int64)
        preceding = np.cumsum(lengths) - lengths
        start = preceding - preceding[offsets[:-1]][parent]
        match_at = np.flatnonzero((position % 2 == 1) & (lengths > 0))
        texts = flat.take(pa.array(match_at))
        # Where most lines hold a match, the prefilter only repeats the alternation's work: the next
        # batch (of the same text, most likely) goes without it.
        self._dense = len(np.unique(parent[match_at])) > DENSE * len(lines)
        if not len(match_at):
            return None
        slot = self._identify(texts)
        # Up to BEFORE characters: boundaries look at the last one or two, a detector's REJECT_BEFORE may
        # look further back ("ver=1.2.3.4").
        before = pc.utf8_slice_codeunits(flat.take(pa.array(match_at - 1)), start=-BEFORE)
        after = pc.utf8_slice_codeunits(flat.take(pa.array(match_at + 1)), start=0, stop=2)
        # Where two matches (nearly) touch, the text around one is the other ("2001:db8::1::2").
        list_length = np.diff(offsets)[parent[match_at]]
        close_before = np.flatnonzero((lengths[match_at - 1] < 2) & (position[match_at] >= 3))
        close_after = np.flatnonzero((lengths[match_at + 1] < 2) & (position[match_at] + 2 < list_length))
        if len(close_before) or len(close_after):
            before_list, after_list = before.to_pylist(), after.to_pylist()
            for k in close_before.tolist():
                before_list[k] = (texts[k - 1].as_py() + before_list[k])[-BEFORE:]
            for k in close_after.tolist():
                after_list[k] = (after_list[k] + texts[k + 1].as_py())[:2]
            before, after = pa.array(before_list, pa.large_string()), pa.array(after_list, pa.large_string())
        cand_row = parent[match_at]
        context = self._context(lines, rows, candidates, cand_row, slot, labels, starts)
        refused = self._refused(rows[cand_row], slot, labels, shared)
        score = self._slot_score[slot]
        touching = touching_words(texts, before, after)  # once for all detectors, not per detector
        # A cell's value: the match ends its row, after at most two words of its own (``ei uskontokuntaa``)
        ends = (lengths[match_at + 1] == 0) & (position[match_at] + 2 == list_length) & (position[match_at] == 1)
        whole = ends & (lengths[match_at - 1] <= 24)
        if whole.any():
            lead = flat.take(pa.array(match_at[whole] - 1))
            whole[whole] = pc.count_substring(lead, " ").to_numpy(zero_copy_only=False) <= 2
        return _Candidates(
            rows[cand_row], start[match_at], texts, slot, score, before, after, context, refused, touching, whole
        )


def _labelled(labels: pa.Array | str, rows: np.ndarray, pattern: str) -> np.ndarray:
    """Whether the label of each row (one for all: a CSV header; or one each: a JSON key) holds a
    context word."""
    if isinstance(labels, str):
        return np.full(len(rows), bool(pc.match_substring_regex(pa.array([labels]), pattern)[0].as_py()))
    return pc.fill_null(pc.match_substring_regex(labels.take(pa.array(rows)), pattern), False).to_numpy(
        zero_copy_only=False
    )


class Engine:
    """Runs a set of recognizers over arrays of lines (or cells) and returns validated hits."""

    def __init__(
        self,
        recognizers: Sequence[EntityRecognizer],
        entities: Iterable[str] | None = None,
        min_score: float = 0.0,
        language: str = "fi",
    ) -> None:
        self.entities = set(entities) if entities else None
        self.min_score = min_score
        self.language = language
        self.adapters: list[Adapter] = []
        self.fallback: list[Adapter] = []
        builtin: list[_Detector] = []
        plugins: list[_Detector] = []
        for recognizer in recognizers:
            adapter = Adapter(recognizer)
            self.adapters.append(adapter)
            patterns = compiled_patterns(recognizer)
            if patterns is not None:
                (builtin if adapter.harava else plugins).append((adapter, patterns))
            elif self._wanted(adapter.entity):
                self.fallback.append(adapter)
        first, unguarded = _guarded(builtin, GUARDS)
        plugins = sorted([*plugins, *unguarded], key=lambda d: d[0].priority)
        second = [_Slot(a, n, f"(?:{p})", s) for a, patterns in plugins for n, p, s in patterns]
        wanted = [a for a in self.adapters if self._wanted(a.entity)]
        passes = (_Pass(first, wanted), _Pass(second, wanted))
        #: The first pass, then the second; a pass none of whose detectors is wanted is not run.
        self._passes = [p if p.wanted else None for p in passes]
        self._nlp = None

    def _wanted(self, entity: str) -> bool:
        return self.entities is None or entity in self.entities

    def is_vectorised(self, recognizer: EntityRecognizer) -> bool:
        return all(a.recognizer is not recognizer for a in self.fallback)

    # --- the passes ------------------------------------------------------------------------
    def scan(
        self,
        lines: pa.Array,
        hint: str | np.ndarray | None = None,
        labels: pa.Array | str | None = None,
        starts: np.ndarray | None = None,
        shared: np.ndarray | None = None,
    ) -> Hits:
        """Find, validate and score every value in ``lines`` (an Arrow string array).

        ``hint`` names an entity the text is known to be about (a database column called ``puhelin``),
        for all rows or per row (an array of entity names or None): findings of that entity score as if
        a context word stood beside them. ``labels`` is what the rows are labelled with (a CSV header for
        all, a JSON key each): a context word there counts as one in the row. ``starts`` marks rows that
        begin a text of their own (see :meth:`scan_many`).
        """
        lines = lines.cast(pa.large_string()) if lines.type != pa.large_string() else lines
        if _holds_byte(lines, ord(SEP)):
            lines = pc.replace_substring(lines, SEP, " ")
        first, second = (self._run(p, lines, hint, labels, starts, shared) if p else [] for p in self._passes)
        hits = Hits(prefer(first, second) if second else first)
        if self.fallback:
            hits = Hits.from_records(merge_records(hits.records() + self._fallback(lines)))
        return hits

    def scan_many(self, texts: Sequence[tuple[pa.Array, str | np.ndarray | None, pa.Array | str | None]]) -> list[Hits]:
        """:meth:`scan` of several texts (the lines of many small files) in one pass, their hits apart.

        Each call of an Arrow regular-expression kernel compiles its pattern, and the engine's joined
        pattern takes milliseconds to compile: a file of a few lines would cost that many times over. One
        pass over all their lines pays it once. A text's first line has no line above it (context), and
        its rows are numbered from 0 again in its hits. A text's labels are per row, one for all its rows
        (a CSV header: repeated for each, and marked ``shared`` so that it refuses no value), or None.
        """
        if not texts:
            return []
        counts = np.array([len(lines) for lines, _, _ in texts], np.int64)
        bounds = np.concatenate([[0], np.cumsum(counts)])
        lines = pa.concat_arrays([t[0].cast(pa.large_string()) for t in texts])
        starts = np.zeros(len(lines), bool)
        starts[bounds[:-1][counts > 0]] = True
        hint = None
        if any(h is not None for _, h, _ in texts):
            hint = np.concatenate(
                [
                    np.asarray(h, object) if isinstance(h, np.ndarray) else np.full(n, h, object)
                    for (_, h, _), n in zip(texts, counts, strict=True)
                ]
            )
        labels = shared = None
        if any(lab is not None for _, _, lab in texts):
            labels = pa.concat_arrays(
                [
                    pa.array([lab] * n, pa.large_string())
                    if isinstance(lab, str)
                    else lab.cast(pa.large_string())
                    if lab is not None
                    else pa.nulls(n, pa.large_string())
                    for (_, _, lab), n in zip(texts, counts, strict=True)
                ]
            )
            if any(isinstance(lab, str) for _, _, lab in texts):
                shared = np.repeat([isinstance(lab, str) for _, _, lab in texts], counts)
        hits = self.scan(lines, hint, labels, starts, shared)
        split: list[list[HitGroup]] = [[] for _ in texts]
        for group in hits.groups:
            text_of = np.searchsorted(bounds, group.row, side="right") - 1
            if (np.diff(text_of) < 0).any():  # each text's hits together, as slices of one group
                order = np.argsort(text_of, kind="stable")
                group, text_of = group.take(order), text_of[order]
            cuts = np.searchsorted(text_of, np.arange(len(texts) + 1))
            for k in np.flatnonzero(np.diff(cuts)).tolist():
                part = group.slice(int(cuts[k]), int(cuts[k + 1]))
                part.row = part.row - bounds[k]
                split[k].append(part)
        return [Hits(groups) for groups in split]

    def _run(
        self,
        run: _Pass,
        lines: pa.Array,
        hint: str | np.ndarray | None,
        labels: pa.Array | str | None,
        starts: np.ndarray | None = None,
        shared: np.ndarray | None = None,
    ) -> list[HitGroup]:
        found = run.candidates(lines, labels, starts, shared)
        if found is None:
            return []
        groups = []
        for adapter in run.wanted:
            mine = np.flatnonzero(np.isin(found.slot, run.slots_of[id(adapter)]))
            if len(mine):
                hinted = hint == adapter.entity if isinstance(hint, np.ndarray) else np.bool_(hint == adapter.entity)
                groups.append(self._evaluate(adapter, found, mine, hinted))
        return groups

    def _evaluate(self, adapter: Adapter, found: _Candidates, mine: np.ndarray, hinted: np.ndarray) -> HitGroup:
        """Validate one detector's candidates: whole arrays first, then per value what is left."""
        texts = found.text.take(pa.array(mine))
        verdict = adapter.valid_array(texts)
        accepted = adapter.accept_array(
            texts, found.before.take(pa.array(mine)), found.after.take(pa.array(mine)), found.touching[mine]
        )
        accepted &= ~found.refused[mine]
        keep = np.flatnonzero((verdict == VALID) & accepted)
        at = mine[keep]
        row, start, text = found.row[at], found.start[at], texts.take(pa.array(keep))
        end = start + pc.utf8_length(text).to_numpy(zero_copy_only=False).astype(np.int64)
        score = found.score[at]
        context = found.context[at] | found.whole[at] if adapter.cell_is_context else found.context[at]
        undecided = np.flatnonzero(verdict == UNDECIDED)
        if len(undecided):
            extra: list[tuple[int, int, int, str, float, bool]] = []
            for k in undecided.tolist():
                j = int(mine[k])
                if found.refused[j]:
                    continue
                candidate = texts[k].as_py()
                for a, b, override in adapter.spans(candidate):
                    before = (found.before[j].as_py() + candidate[:a])[-BEFORE:]
                    after = found.after[j].as_py() if b == len(candidate) else candidate[b : b + 2]
                    if adapter.accept_one(candidate[a:b], before, after):
                        base = float(found.score[j]) if override is None else override
                        s0 = int(found.start[j])
                        extra.append((int(found.row[j]), s0 + a, s0 + b, candidate[a:b], base, bool(found.context[j])))
            if extra:
                row = np.concatenate([row, [e[0] for e in extra]]).astype(np.int64)
                start = np.concatenate([start, [e[1] for e in extra]]).astype(np.int64)
                end = np.concatenate([end, [e[2] for e in extra]]).astype(np.int64)
                text = pa.concat_arrays([text, pa.array([e[3] for e in extra], pa.large_string())])
                score = np.concatenate([score, [e[4] for e in extra]])
                context = np.concatenate([context, [e[5] for e in extra]]).astype(bool)
        if hinted.ndim:  # per row
            context = context | hinted[row]
        elif hinted:
            context = np.ones(len(row), bool)
        score = np.minimum(1.0, score + CONTEXT_BOOST * context)
        score = np.round(adapter.score_array(text, score), 2)
        needs = adapter.needs_context_array(text)
        wanted = np.flatnonzero((score >= self.min_score) & (context | ~needs if needs is not None else True))
        if len(wanted) < len(score):
            row, start, end, score = row[wanted], start[wanted], end[wanted], score[wanted]
            text = text.take(pa.array(wanted))
        return HitGroup(adapter, row, start, end, text, score)

    # --- recognizers RE2 cannot run ----------------------------------------------------------
    def _fallback(self, lines: pa.Array) -> list[Record]:
        """Each fallback recognizer's hits, from one ``analyze`` call over all rows where possible.

        The rows are joined by newlines, so that Presidio's per-call cost is paid once per batch. A
        match that runs over a newline is no hit, and may have swallowed one that a row alone would
        give, so the rows it touches are analysed again one by one.
        """
        rows = [row or "" for row in lines.to_pylist()]
        text = ROW_SEP.join(rows)
        starts = np.cumsum([0] + [len(row) + len(ROW_SEP) for row in rows])
        row_end = starts[:-1] + np.array([len(row) for row in rows], np.int64)
        records: list[Record] = []
        artifacts: dict[str, object] = {}
        for adapter in self.fallback:
            results = self._analyze(adapter, text, artifacts)
            if not results:
                continue
            first = np.searchsorted(starts, [r.start for r in results], side="right") - 1
            crossing = np.flatnonzero(np.array([r.end for r in results]) > row_end[first])
            last = np.searchsorted(starts, [r.end - 1 for r in results], side="right") - 1
            again = {r for k in crossing.tolist() for r in range(first[k], last[k] + 1)}
            for result, row in zip(results, first.tolist(), strict=True):
                if row not in again:  # nor, then, is any match crossing from it
                    records.append(self._record(adapter, row, rows[row], result.start - int(starts[row]), result))
            for row in sorted(again):
                for result in self._analyze(adapter, rows[row], artifacts):
                    records.append(self._record(adapter, row, rows[row], result.start, result))
        return records

    @staticmethod
    def _record(adapter: Adapter, row: int, text: str, start: int, result: RecognizerResult) -> Record:
        end = start + result.end - result.start
        return (row, start, end, text[start:end], round(float(result.score), 2), adapter)

    def _analyze(self, adapter: Adapter, text: str, artifacts: dict[str, object]) -> list[RecognizerResult]:
        recognizer = adapter.recognizer
        nlp = None
        if not isinstance(recognizer, PatternRecognizer):
            if text not in artifacts:
                artifacts[text] = self._nlp_artifacts(text)
            nlp = artifacts[text]
        results = recognizer.analyze(text, [adapter.entity], nlp) or []
        return [r for r in results if r.score >= self.min_score]

    def _nlp_artifacts(self, text: str):
        if self._nlp is None:
            complete()
            from presidio_analyzer.nlp_engine import NoOpNlpEngine

            self._nlp = NoOpNlpEngine(models=[{"lang_code": self.language, "model_name": "none"}])
            self._nlp.load()
        return self._nlp.process_text(text, self.language)
