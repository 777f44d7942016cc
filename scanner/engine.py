"""The detection engine: every detector's patterns in one vectorised pass over Arrow string arrays.

Presidio calls each recognizer's regexes on each text in Python, which costs ~156 µs a call before
any matching. Harava instead joins the patterns of all detectors (and the guards) into a single RE2
alternation and runs it with pyarrow's compute kernels over an array of lines or cells:

1. ``match_substring_regex`` keeps only lines with a candidate (the prefilter);
2. ``replace_substring_regex`` wraps every match in unit separators and ``split_pattern`` turns each
   line into ``[text, match, text, match, …, text]`` — all matches of all lines, with character
   offsets derived from the lengths of the pieces, without a Python loop;
3. each candidate is attributed to the first alternative that matches it whole, and context words
   are looked up per line (both vectorised); only then does Python validate the candidates
   (checksums, dates, libphonenumber), with caching.

Because one alternation is matched leftmost-first, two detectors never claim the same span: at any
position the higher-priority detector (or a guard such as a date or IBAN) takes the text, so a phone
number is never reported inside a HETU, a business ID, an IBAN or a date. Recognizers whose patterns
RE2 cannot run (look-arounds, back-references) and recognizers without patterns fall back to their
own per-text ``analyze``; their results are merged with overlaps resolved by score.
"""

from __future__ import annotations

import itertools
import re as std_re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import regex
from presidio_analyzer import EntityRecognizer, PatternRecognizer

from detectors import HaravaRecognizer
from detectors.base import UNDECIDED, VALID
from detectors.guards import GUARDS

SEP = "\x1f"  # unit separator: blanked in the scanned text first, so it cannot occur there
CONTEXT_BOOST = 0.35  # the same factor Presidio's context enhancer uses
GUARD_PRIORITY = 60  # after the identifiers, e-mail and IP; before the phone detector and plug-ins
PLUGIN_PRIORITY = 70


def _holds_byte(array: pa.Array, byte: int) -> bool:
    """Whether a string array's data buffer holds a byte (a fast, conservative check)."""
    data = array.buffers()[2]
    return data is not None and bool((np.frombuffer(data, np.uint8) == byte).any())


def re2_compatible(pattern: str) -> bool:
    """Whether pyarrow's RE2 accepts the pattern (Python-only syntax falls back to Presidio)."""
    try:
        pc.match_substring_regex(pa.array([""]), pattern)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    return True


def context_regex(words: Iterable[str]) -> str | None:
    """An RE2 pattern finding any of the context words in a line, case-insensitively.

    Short words must start a word ("ip" not in "ship"); longer stems may sit inside compounds
    ("sähköpost" in "työsähköpostiosoite") and match every inflected form ("henkilötunnuksen").
    """
    words = [w.lower() for w in words if w.strip()]
    if not words:
        return None
    short = [regex.escape(w) for w in words if len(w) < 6]
    long = [regex.escape(w) for w in words if len(w) >= 6]
    alternatives = []
    if short:
        alternatives.append(r"(?:^|[^\p{L}\p{N}])(?:" + "|".join(short) + ")")
    if long:
        alternatives.append("(?:" + "|".join(long) + ")")
    return "(?i)" + "|".join(alternatives)


class Adapter:
    """One recognizer as the engine sees it: Harava's rich interface, or Presidio's plain one.

    Everything here works on whole Arrow arrays of candidates; a plain Presidio recognizer gets
    per-value fallbacks (``validate_result``/``invalidate_result``, a generic mask).
    """

    def __init__(self, recognizer: EntityRecognizer) -> None:
        self.recognizer = recognizer
        self.entity = recognizer.supported_entities[0]
        self.harava = isinstance(recognizer, HaravaRecognizer)
        self.name = recognizer.NAME if self.harava else (recognizer.name or type(recognizer).__name__)
        self.category = recognizer.CATEGORY if self.harava else self.entity.lower()
        self.strict_boundary = self.harava and recognizer.STRICT_BOUNDARY
        self.reject_before = recognizer.REJECT_BEFORE if self.harava else None
        self.reject_after = recognizer.REJECT_AFTER if self.harava else None
        self._reject = [
            (regex.compile(p), side) for p, side in ((self.reject_before, 0), (self.reject_after, 1)) if p is not None
        ]
        self.context_re2 = context_regex(getattr(recognizer, "context", None) or [])
        self._spans: dict[str, list[tuple[int, int, float | None]]] = {}

    def valid_array(self, texts: pa.Array) -> np.ndarray:
        if self.harava:
            return self.recognizer.valid_array(texts)
        return np.full(len(texts), UNDECIDED, np.int8)

    def spans(self, text: str) -> list[tuple[int, int, float | None]]:
        """Valid sub-spans of a candidate with a score override (None: keep the pattern's)."""
        cached = self._spans.get(text)
        if cached is not None:
            return cached
        rec = self.recognizer
        found: list[tuple[int, int, float | None]]
        if self.harava:
            found = [(a, b, None) for a, b in rec.spans(text)]
        else:
            verdict = rec.validate_result(text) if isinstance(rec, PatternRecognizer) else None
            invalid = rec.invalidate_result(text) if isinstance(rec, PatternRecognizer) else None
            found = [] if verdict is False or invalid else [(0, len(text), 1.0 if verdict else None)]
        if len(self._spans) > 200_000:
            self._spans.clear()
        self._spans[text] = found
        return found

    def accept_array(self, before: pa.Array, after: pa.Array) -> np.ndarray:
        """Whether the two characters around each match allow it (word boundaries, reject rules)."""
        ok = np.ones(len(before), bool)
        if self.strict_boundary:
            last = pc.utf8_is_alnum(pc.utf8_slice_codeunits(before, start=-1))
            first = pc.utf8_is_alnum(pc.utf8_slice_codeunits(after, start=0, stop=1))
            ok &= ~pc.fill_null(last, False).to_numpy(zero_copy_only=False)
            ok &= ~pc.fill_null(first, False).to_numpy(zero_copy_only=False)
        if self.reject_before:
            ok &= ~pc.match_substring_regex(before, self.reject_before).to_numpy(zero_copy_only=False)
        if self.reject_after:
            ok &= ~pc.match_substring_regex(after, self.reject_after).to_numpy(zero_copy_only=False)
        return ok

    def accept_one(self, before: str, after: str) -> bool:
        if self.strict_boundary and ((before and before[-1].isalnum()) or (after and after[0].isalnum())):
            return False
        return not any(pattern.search((before, after)[side]) for pattern, side in self._reject)

    def compact_array(self, texts: pa.Array) -> pa.Array:
        if self.harava:
            return self.recognizer.compact_array(texts)
        return pc.utf8_trim_whitespace(texts)

    def mask_array(self, texts: pa.Array) -> pa.Array:
        if self.harava:
            return self.recognizer.mask_array(texts)
        return pa.array(
            [t[:1] + "*" * (len(t) - 2) + t[-1:] if len(t) > 3 else "***" for t in texts.to_pylist()],
            pa.large_string(),
        )

    def detail_array(self, texts: pa.Array) -> pa.Array | None:
        return self.recognizer.detail_array(texts) if self.harava else None

    def score_array(self, texts: pa.Array, scores: np.ndarray) -> np.ndarray:
        return self.recognizer.score_array(texts, scores) if self.harava else scores


@dataclass(frozen=True)
class _Slot:
    """One alternative of the combined regex: a detector's pattern, or a guard (adapter None)."""

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
    before: pa.Array
    after: pa.Array
    context: np.ndarray


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
        slots: list[tuple[int, _Slot]] = [(GUARD_PRIORITY, _Slot(None, n, p, 0.0)) for n, p in GUARDS]
        for recognizer in recognizers:
            adapter = Adapter(recognizer)
            self.adapters.append(adapter)
            patterns = getattr(recognizer, "patterns", None) or []
            flags = getattr(recognizer, "global_regex_flags", 0) or 0
            prefix = "(?i)" if flags & std_re.IGNORECASE else ""
            compiled = [(p.name, f"{prefix}{p.regex}", p.score) for p in patterns]
            if compiled and all(re2_compatible(p) and not regex.fullmatch(p, "") for _, p, _ in compiled):
                priority = recognizer.PRIORITY if adapter.harava else PLUGIN_PRIORITY
                slots.extend((priority, _Slot(adapter, n, f"(?:{p})", s)) for n, p, s in compiled)
            elif self._wanted(adapter.entity):
                self.fallback.append(adapter)
        slots.sort(key=lambda item: item[0])  # stable: a detector's patterns keep their order
        self.slots = [slot for _, slot in slots]
        self._slot_matchers = [f"^{s.pattern}$" for s in self.slots]
        self._slots_of = {
            id(a): np.array([i for i, s in enumerate(self.slots) if s.adapter is a], np.int64) for a in self.adapters
        }
        self._slot_score = np.array([s.score for s in self.slots], np.float64)
        # Consecutive slots of one detector (or all guards) are identified together; one by one only
        # where the detector's patterns score differently.
        self._slot_groups: list[tuple[str, list[int]]] = []
        for _, group in itertools.groupby(range(len(self.slots)), key=lambda i: id(self.slots[i].adapter)):
            members = list(group)
            matcher = "^(?:" + "|".join(self.slots[i].pattern for i in members) + ")$"
            scores = {self.slots[i].score for i in members}
            self._slot_groups.append((matcher, members if len(scores) > 1 else members[:1]))
        self._vectorised = [
            a for a in self.adapters if a not in self.fallback and self._wanted(a.entity) and len(self._slots_of[id(a)])
        ]
        has_detectors = any(s.adapter for s in self.slots)
        self._alternation = "|".join(s.pattern for s in self.slots) if has_detectors else None
        # Guards only matter where a detector's pattern matches too: a line with just a date is skipped.
        self._prefilter = "|".join(s.pattern for s in self.slots if s.adapter) if has_detectors else None
        self._nlp = None

    def _wanted(self, entity: str) -> bool:
        return self.entities is None or entity in self.entities

    def is_vectorised(self, recognizer: EntityRecognizer) -> bool:
        return all(a.recognizer is not recognizer for a in self.fallback)

    # --- candidates ------------------------------------------------------------------------
    def _identify(self, texts: pa.Array) -> np.ndarray:
        """Which slot produced each match: the first whose pattern matches it whole.

        One pass per detector (all its patterns at once), and a pass per pattern only where a
        detector's patterns differ in score.
        """
        slot = np.full(len(texts), -1, np.int64)
        for matcher, members in self._slot_groups:
            open_ = np.flatnonzero(slot < 0)
            if not len(open_):
                break
            subset = texts.take(pa.array(open_)) if len(open_) < len(texts) else texts
            hit = open_[pc.match_substring_regex(subset, matcher).to_numpy(zero_copy_only=False)]
            if len(members) == 1 or len(hit) == 0:
                slot[hit] = members[0]
                continue
            remaining = hit
            for index in members:
                if not len(remaining):
                    break
                whole = pc.match_substring_regex(texts.take(pa.array(remaining)), self._slot_matchers[index])
                mask = whole.to_numpy(zero_copy_only=False)
                slot[remaining[mask]] = index
                remaining = remaining[~mask]
        return slot

    def _candidates(self, lines: pa.Array) -> _Candidates | None:
        """Every match of the alternation, with its row, offset, neighbours and slot — vectorised."""
        if self._alternation is None or len(lines) == 0:
            return None
        if _holds_byte(lines, ord(SEP)):
            lines = pc.replace_substring(lines, SEP, " ")
        hit = pc.match_substring_regex(lines, self._prefilter).to_numpy(zero_copy_only=False)
        rows = np.flatnonzero(hit)
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
        slot = self._identify(texts)
        before = pc.utf8_slice_codeunits(flat.take(pa.array(match_at - 1)), start=-2)
        after = pc.utf8_slice_codeunits(flat.take(pa.array(match_at + 1)), start=0, stop=2)
        # Where two matches (nearly) touch, the text around one is the other ("2001:db8::1::2").
        list_length = np.diff(offsets)[parent[match_at]]
        close_before = np.flatnonzero((lengths[match_at - 1] < 2) & (position[match_at] >= 3))
        close_after = np.flatnonzero((lengths[match_at + 1] < 2) & (position[match_at] + 2 < list_length))
        if len(close_before) or len(close_after):
            before_list, after_list = before.to_pylist(), after.to_pylist()
            for k in close_before.tolist():
                before_list[k] = (texts[k - 1].as_py() + before_list[k])[-2:]
            for k in close_after.tolist():
                after_list[k] = (after_list[k] + texts[k + 1].as_py())[:2]
            before, after = pa.array(before_list, pa.large_string()), pa.array(after_list, pa.large_string())
        cand_row = parent[match_at]
        context = np.zeros(len(match_at), bool)
        for adapter in self.adapters:
            if adapter.context_re2 is None:
                continue
            mine = np.isin(slot, self._slots_of[id(adapter)])
            if not mine.any():
                continue
            wanted_rows = np.unique(cand_row[mine])
            near = pc.match_substring_regex(candidates.take(pa.array(wanted_rows)), adapter.context_re2)
            found = near.to_numpy(zero_copy_only=False).copy()
            look_above = np.flatnonzero(~found & (rows[wanted_rows] > 0))
            if len(look_above):
                above = lines.take(pa.array(rows[wanted_rows[look_above]] - 1))
                found[look_above] = pc.match_substring_regex(above, adapter.context_re2).to_numpy(zero_copy_only=False)
            context[mine] = found[np.searchsorted(wanted_rows, cand_row[mine])]
        return _Candidates(rows[cand_row], start[match_at], texts, slot, before, after, context)

    # --- the pass --------------------------------------------------------------------------
    def scan(self, lines: pa.Array, hint: str | np.ndarray | None = None) -> Hits:
        """Find, validate and score every value in ``lines`` (an Arrow string array).

        ``hint`` names an entity the text is known to be about (a database column called ``puhelin``),
        for all rows or per row (an array of entity names or None): findings of that entity score as if
        a context word stood beside them.
        """
        lines = lines.cast(pa.large_string()) if lines.type != pa.large_string() else lines
        found = self._candidates(lines)
        groups = []
        if found is not None:
            for adapter in self._vectorised:
                mine = np.flatnonzero(np.isin(found.slot, self._slots_of[id(adapter)]))
                if len(mine):
                    hinted = (
                        hint == adapter.entity if isinstance(hint, np.ndarray) else np.bool_(hint == adapter.entity)
                    )
                    groups.append(self._evaluate(adapter, found, mine, hinted))
        hits = Hits(groups)
        if self.fallback:
            hits = Hits.from_records(self._merge(hits.records() + self._fallback(lines)))
        return hits

    def _evaluate(self, adapter: Adapter, found: _Candidates, mine: np.ndarray, hinted: np.ndarray) -> HitGroup:
        """Validate one detector's candidates: whole arrays first, then per value what is left."""
        texts = found.text.take(pa.array(mine))
        verdict = adapter.valid_array(texts)
        accepted = adapter.accept_array(found.before.take(pa.array(mine)), found.after.take(pa.array(mine)))
        keep = np.flatnonzero((verdict == VALID) & accepted)
        at = mine[keep]
        row, start, text = found.row[at], found.start[at], texts.take(pa.array(keep))
        end = start + pc.utf8_length(text).to_numpy(zero_copy_only=False).astype(np.int64)
        score = self._slot_score[found.slot[at]]
        context = found.context[at]
        undecided = np.flatnonzero(verdict == UNDECIDED)
        if len(undecided):
            extra: list[tuple[int, int, int, str, float, bool]] = []
            for k in undecided.tolist():
                j = int(mine[k])
                candidate = texts[k].as_py()
                for a, b, override in adapter.spans(candidate):
                    before = found.before[j].as_py() if a == 0 else candidate[max(a - 2, 0) : a]
                    after = found.after[j].as_py() if b == len(candidate) else candidate[b : b + 2]
                    if adapter.accept_one(before, after):
                        base = self.slots[found.slot[j]].score if override is None else override
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
        wanted = np.flatnonzero(score >= self.min_score)
        if len(wanted) < len(score):
            row, start, end, score = row[wanted], start[wanted], end[wanted], score[wanted]
            text = text.take(pa.array(wanted))
        return HitGroup(adapter, row, start, end, text, score)

    # --- recognizers RE2 cannot run ----------------------------------------------------------
    def _fallback(self, lines: pa.Array) -> list[Record]:
        rows = lines.to_pylist()
        text = "".join(row or "" for row in rows)
        starts = np.cumsum([0] + [len(row or "") for row in rows])
        records = []
        artifacts = None
        for adapter in self.fallback:
            rec = adapter.recognizer
            if not isinstance(rec, PatternRecognizer) and artifacts is None:
                artifacts = self._nlp_artifacts(text)
            for result in rec.analyze(text, [adapter.entity], artifacts):
                if result.score < self.min_score:
                    continue
                row = int(np.searchsorted(starts, result.start, side="right") - 1)
                s = result.start - int(starts[row])
                value = text[result.start : result.end]
                records.append((row, s, s + len(value), value, round(float(result.score), 2), adapter))
        return records

    def _nlp_artifacts(self, text: str):
        if self._nlp is None:
            from presidio_analyzer.nlp_engine import NoOpNlpEngine

            self._nlp = NoOpNlpEngine(models=[{"lang_code": self.language, "model_name": "none"}])
            self._nlp.load()
        return self._nlp.process_text(text, self.language)

    @staticmethod
    def _merge(
        records: list[Record],
    ) -> list[Record]:
        """One span, one entity: where hits overlap, keep the higher score (the earlier on a tie)."""
        kept: list[Record] = []
        for rec in sorted(records, key=lambda r: (r[0], r[1])):
            if kept and kept[-1][0] == rec[0] and rec[1] < kept[-1][2]:
                if rec[4] > kept[-1][4]:
                    kept[-1] = rec
                continue
            kept.append(rec)
        return kept
