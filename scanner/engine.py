"""The detection engine: every detector's patterns in one vectorised pass over Arrow string arrays.

Presidio calls each recognizer's regexes on each text in Python, which costs ~156 µs a call before
any matching. Harava instead joins the patterns of all detectors (and the guards) into a single RE2
alternation and runs it with pyarrow's compute kernels over an array of lines or cells:

1. ``match_substring_regex`` keeps only lines with a candidate (the prefilter);
2. ``replace_substring_regex`` with ``(.*?)(ALTERNATION)`` rewrites each such line into
   ``␟prefix␟match␟`` runs, and ``split_pattern`` turns those into lists — all matches of every line,
   with their character offsets derived from the prefix lengths, without a Python loop;
3. each candidate is attributed to the first alternative that matches it whole (vectorised), and
   only then does Python validate it (checksums, dates, libphonenumber), with caching.

Because one alternation is matched leftmost-first, two detectors never claim the same span: at any
position the higher-priority detector (or a guard such as a date or IBAN) takes the text, so a phone
number is never reported inside a HETU, a business ID, an IBAN or a date. Recognizers whose patterns
RE2 cannot run (look-arounds, back-references) and recognizers without patterns fall back to their
own per-text ``analyze``; their results are merged with overlaps resolved by score.
"""

from __future__ import annotations

import re as std_re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import regex
from presidio_analyzer import EntityRecognizer, PatternRecognizer

from detectors import HaravaRecognizer
from detectors.guards import GUARDS

SEP = "\x1f"  # unit separator: cannot survive in the scanned text (it is blanked first)
CONTEXT_BOOST = 0.35  # the same factor Presidio's context enhancer uses
_EMPTY = pa.array([], pa.large_string())


def re2_compatible(pattern: str) -> bool:
    """Whether pyarrow's RE2 accepts the pattern (Python-only syntax falls back to Presidio)."""
    try:
        pc.match_substring_regex(pa.array([""]), pattern)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    return True


def _context_regex(words: Iterable[str]) -> regex.Pattern[str] | None:
    """Short words must start a word ("ip" not in "ship"); longer stems may sit inside compounds
    ("sähköpost" in "työsähköpostiosoite") and match every inflected form ("henkilötunnuksen")."""
    words = [w.lower() for w in words if w.strip()]
    if not words:
        return None
    short = [regex.escape(w) for w in words if len(w) < 6]
    long = [regex.escape(w) for w in words if len(w) >= 6]
    alternatives = []
    if short:
        alternatives.append(r"(?<![\p{L}\p{N}])(?:" + "|".join(short) + ")")
    if long:
        alternatives.append("(?:" + "|".join(long) + ")")
    return regex.compile("|".join(alternatives), regex.IGNORECASE)


class _Adapter:
    """One recognizer as the engine sees it: Harava's rich interface, or Presidio's plain one."""

    def __init__(self, recognizer: EntityRecognizer) -> None:
        self.recognizer = recognizer
        self.entity = recognizer.supported_entities[0]
        self.harava = isinstance(recognizer, HaravaRecognizer)
        self.name = recognizer.NAME if self.harava else (recognizer.name or type(recognizer).__name__)
        self.strict_boundary = self.harava and recognizer.STRICT_BOUNDARY
        self.context = _context_regex(getattr(recognizer, "context", None) or [])
        self._spans: dict[str, list[tuple[int, int, float | None]]] = {}

    def spans(self, text: str) -> list[tuple[int, int, float | None]]:
        """Valid sub-spans of a candidate with a score override (None: keep the pattern's)."""
        cached = self._spans.get(text)
        if cached is not None:
            return cached
        rec = self.recognizer
        if self.harava:
            found: list[tuple[int, int, float | None]] = [(a, b, None) for a, b in rec.spans(text)]
        else:
            verdict = rec.validate_result(text) if isinstance(rec, PatternRecognizer) else None
            invalid = rec.invalidate_result(text) if isinstance(rec, PatternRecognizer) else None
            if verdict is False or invalid:
                found = []
            else:
                found = [(0, len(text), 1.0 if verdict else None)]
        if len(self._spans) > 200_000:
            self._spans.clear()
        self._spans[text] = found
        return found

    def accepts(self, before: str, after: str) -> bool:
        if self.strict_boundary and ((before and before[-1].isalnum()) or (after and after[0].isalnum())):
            return False
        return self.recognizer.accepts(before, after) if self.harava else True

    def compact(self, value: str) -> str:
        return self.recognizer.compact(value) if self.harava else value.strip()

    def mask(self, value: str) -> str:
        if self.harava:
            return self.recognizer.mask(value)
        value = value.strip()
        return value[:1] + "*" * max(len(value) - 2, 1) + value[-1:] if len(value) > 3 else "***"

    def detail(self, value: str) -> str | None:
        return self.recognizer.detail(value) if self.harava else None

    def score_of(self, value: str, base: float) -> float:
        return self.recognizer.score_of(value, base) if self.harava else base


@dataclass(frozen=True)
class _Slot:
    """One alternative of the combined regex: a detector's pattern, or a guard (adapter None)."""

    adapter: _Adapter | None
    name: str
    pattern: str
    score: float


@dataclass
class Hits:
    """Validated findings of one batch, column-wise; offsets are characters within the row."""

    row: list[int] = field(default_factory=list)
    start: list[int] = field(default_factory=list)
    end: list[int] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    entity: list[str] = field(default_factory=list)
    detector: list[str] = field(default_factory=list)
    score: list[float] = field(default_factory=list)
    compact: list[str] = field(default_factory=list)
    masked: list[str] = field(default_factory=list)
    detail: list[str | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.row)

    def append(self, row: int, start: int, end: int, text: str, adapter: _Adapter, score: float) -> None:
        self.row.append(row)
        self.start.append(start)
        self.end.append(end)
        self.text.append(text)
        self.entity.append(adapter.entity)
        self.detector.append(adapter.name)
        self.score.append(score)
        self.compact.append(adapter.compact(text))
        self.masked.append(adapter.mask(text))
        self.detail.append(adapter.detail(text))

    def take(self, order: Sequence[int]) -> Hits:
        out = Hits()
        for name in self.__dataclass_fields__:
            values = getattr(self, name)
            setattr(out, name, [values[i] for i in order])
        return out


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
        self.adapters: list[_Adapter] = []
        self.fallback: list[_Adapter] = []
        slots: list[tuple[int, _Slot]] = [(60, _Slot(None, n, p, 0.0)) for n, p in GUARDS]
        for recognizer in recognizers:
            adapter = _Adapter(recognizer)
            self.adapters.append(adapter)
            patterns = getattr(recognizer, "patterns", None) or []
            flags = getattr(recognizer, "global_regex_flags", 0) or 0
            prefix = "(?i)" if flags & std_re.IGNORECASE else ""
            compiled = [(p.name, prefix + p.regex, p.score) for p in patterns]
            if compiled and all(re2_compatible(p) and not regex.fullmatch(p, "") for _, p, _ in compiled):
                priority = recognizer.PRIORITY if adapter.harava else 70
                slots.extend((priority, _Slot(adapter, n, p, s)) for n, p, s in compiled)
            elif self._wanted(adapter.entity):
                self.fallback.append(adapter)
        slots.sort(key=lambda item: item[0])  # stable: detectors keep their pattern order
        self.slots = [slot for _, slot in slots]
        self._slot_matchers = [f"^(?:{s.pattern})$" for s in self.slots]
        alternation = "|".join(f"(?:{s.pattern})" for s in self.slots)
        self._prefilter = alternation if any(s.adapter for s in self.slots) else None
        self._combined = f"(?s)(.*?)({alternation})"
        self._nlp = None

    @property
    def vectorised(self) -> list[_Adapter]:
        return [a for a in self.adapters if a not in self.fallback]

    def _wanted(self, entity: str) -> bool:
        return self.entities is None or entity in self.entities

    # --- candidates ------------------------------------------------------------------------
    def _candidates(self, lines: pa.Array) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray]:
        """(row, start offset, text, slot index) of every match of the alternation."""
        none = (np.empty(0, np.int64), np.empty(0, np.int64), [], np.empty(0, np.int64))
        if self._prefilter is None or len(lines) == 0:
            return none
        if pc.any(pc.match_substring(lines, SEP)).as_py():
            lines = pc.replace_substring(lines, SEP, " ")
        hit = pc.match_substring_regex(lines, self._prefilter).to_numpy(zero_copy_only=False)
        rows = np.flatnonzero(hit)
        if len(rows) == 0:
            return none
        candidates = lines.take(pa.array(rows))
        rewritten = pc.replace_substring_regex(candidates, self._combined, f"{SEP}\\1{SEP}\\2{SEP}")
        parts = pc.split_pattern(rewritten, SEP)
        offsets = parts.offsets.to_numpy()
        offsets = offsets - offsets[0]
        flat = parts.flatten()
        counts = np.diff(offsets)
        parent = np.repeat(np.arange(len(parts)), counts)
        position = np.arange(len(flat)) - offsets[:-1][parent]
        lengths = pc.utf8_length(flat).to_numpy(zero_copy_only=False).astype(np.int64)
        before = np.cumsum(lengths) - lengths
        start = before - before[offsets[:-1]][parent]
        match_at = np.flatnonzero((position % 3 == 2) & (lengths > 0))
        texts = flat.take(pa.array(match_at))
        slot = np.full(len(match_at), -1, np.int64)
        for index, matcher in enumerate(self._slot_matchers):
            open_ = slot < 0
            if not open_.any():
                break
            whole = pc.match_substring_regex(texts, matcher).to_numpy(zero_copy_only=False)
            slot[open_ & whole] = index
        return rows[parent[match_at]], start[match_at], texts.to_pylist(), slot

    # --- the pass --------------------------------------------------------------------------
    def scan(self, lines: pa.Array) -> Hits:
        """Find, validate and score every value in ``lines`` (an Arrow string array)."""
        lines = lines.cast(pa.large_string()) if lines.type != pa.large_string() else lines
        rows, starts, texts, slots = self._candidates(lines)
        hits = Hits()
        text_of: dict[int, str] = {}
        context_of: dict[tuple[int, int], bool] = {}
        for row, start, text, slot_index in zip(rows.tolist(), starts.tolist(), texts, slots.tolist(), strict=True):
            if slot_index < 0:
                continue
            slot = self.slots[slot_index]
            adapter = slot.adapter
            if adapter is None or not self._wanted(adapter.entity):
                continue
            for a, b, override in adapter.spans(text):
                line = text_of.get(row)
                if line is None:
                    line = text_of[row] = lines[row].as_py()
                s, e = start + a, start + b
                if not adapter.accepts(line[max(s - 2, 0) : s], line[e : e + 2]):
                    continue
                value = text[a:b]
                score = adapter.score_of(value, slot.score if override is None else override)
                if adapter.context is not None and score < 1.0:
                    key = (row, id(adapter))
                    has = context_of.get(key)
                    if has is None:
                        has = context_of[key] = self._has_context(lines, row, line, adapter)
                    if has:
                        score = min(1.0, score + CONTEXT_BOOST)
                if score >= self.min_score:
                    hits.append(row, s, e, value, adapter, round(score, 2))
        if self.fallback:
            hits = self._merge(hits, self._fallback(lines))
        return hits

    def _has_context(self, lines: pa.Array, row: int, line: str, adapter: _Adapter) -> bool:
        assert adapter.context is not None
        if adapter.context.search(line):
            return True
        return row > 0 and adapter.context.search(lines[row - 1].as_py() or "") is not None

    # --- recognizers RE2 cannot run ----------------------------------------------------------
    def _fallback(self, lines: pa.Array) -> Hits:
        rows = lines.to_pylist()
        text = "".join(row or "" for row in rows)
        starts = np.cumsum([0] + [len(row or "") for row in rows])
        hits = Hits()
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
                hits.append(row, s, s + result.end - result.start, text[result.start : result.end],
                            adapter, round(float(result.score), 2))
        return hits

    def _nlp_artifacts(self, text: str):
        if self._nlp is None:
            from presidio_analyzer.nlp_engine import NoOpNlpEngine

            self._nlp = NoOpNlpEngine()
        return self._nlp.process_text(text, self.language)

    @staticmethod
    def _merge(first: Hits, second: Hits) -> Hits:
        """One span, one entity: where hits overlap, keep the higher score (the first on a tie)."""
        everything = Hits()
        for name in Hits.__dataclass_fields__:
            setattr(everything, name, getattr(first, name) + getattr(second, name))
        order = sorted(range(len(everything)), key=lambda i: (everything.row[i], everything.start[i]))
        kept: list[int] = []
        for i in order:
            last = kept[-1] if kept else None
            if last is not None and everything.row[last] == everything.row[i] and everything.start[i] < everything.end[last]:
                if everything.score[i] > everything.score[last]:
                    kept[-1] = i
                continue
            kept.append(i)
        return everything.take(kept)
