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

SEP = "\x1f"  # unit separator: blanked in the scanned text first, so it cannot occur there
CONTEXT_BOOST = 0.35  # the same factor Presidio's context enhancer uses
GUARD_PRIORITY = 60  # after the identifiers, e-mail and IP; before the phone detector and plug-ins
PLUGIN_PRIORITY = 70


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
    """One recognizer as the engine sees it: Harava's rich interface, or Presidio's plain one."""

    def __init__(self, recognizer: EntityRecognizer) -> None:
        self.recognizer = recognizer
        self.entity = recognizer.supported_entities[0]
        self.harava = isinstance(recognizer, HaravaRecognizer)
        self.name = recognizer.NAME if self.harava else (recognizer.name or type(recognizer).__name__)
        self.category = recognizer.CATEGORY if self.harava else self.entity.lower()
        self.strict_boundary = self.harava and recognizer.STRICT_BOUNDARY
        self.context_re2 = context_regex(getattr(recognizer, "context", None) or [])
        self._spans: dict[str, list[tuple[int, int, float | None]]] = {}

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
        return value[:1] + "*" * (len(value) - 2) + value[-1:] if len(value) > 3 else "***"

    def detail(self, value: str) -> str | None:
        return self.recognizer.detail(value) if self.harava else None

    def score_of(self, value: str, base: float) -> float:
        return self.recognizer.score_of(value, base) if self.harava else base


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
    text: list[str]
    slot: np.ndarray
    before: list[str]
    after: list[str]
    context: np.ndarray


@dataclass
class Hits:
    """Validated findings of one batch, column-wise; offsets are characters within the row.

    Normalising, masking and remarks are left to the consumer (``adapter`` says how), so that the
    hot path does no work for values it will not print.
    """

    row: list[int] = field(default_factory=list)
    start: list[int] = field(default_factory=list)
    end: list[int] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    score: list[float] = field(default_factory=list)
    adapter: list[Adapter] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.row)

    @property
    def entity(self) -> list[str]:
        return [a.entity for a in self.adapter]

    def append(self, row: int, start: int, end: int, text: str, adapter: Adapter, score: float) -> None:
        self.row.append(row)
        self.start.append(start)
        self.end.append(end)
        self.text.append(text)
        self.score.append(score)
        self.adapter.append(adapter)

    def take(self, order: Sequence[int]) -> Hits:
        out = Hits()
        for name in self.__dataclass_fields__:
            values = getattr(self, name)
            setattr(out, name, [values[i] for i in order])
        return out

    def __add__(self, other: Hits) -> Hits:
        out = Hits()
        for name in self.__dataclass_fields__:
            setattr(out, name, getattr(self, name) + getattr(other, name))
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
        self._wanted_slot = [s.adapter is not None and self._wanted(s.adapter.entity) for s in self.slots]
        has_detectors = any(s.adapter for s in self.slots)
        self._alternation = "|".join(s.pattern for s in self.slots) if has_detectors else None
        self._nlp = None

    def _wanted(self, entity: str) -> bool:
        return self.entities is None or entity in self.entities

    def is_vectorised(self, recognizer: EntityRecognizer) -> bool:
        return all(a.recognizer is not recognizer for a in self.fallback)

    # --- candidates ------------------------------------------------------------------------
    def _candidates(self, lines: pa.Array) -> _Candidates | None:
        """Every match of the alternation, with its row, offset, neighbours and slot — vectorised."""
        if self._alternation is None or len(lines) == 0:
            return None
        if pc.any(pc.match_substring(lines, SEP)).as_py():
            lines = pc.replace_substring(lines, SEP, " ")
        hit = pc.match_substring_regex(lines, self._alternation).to_numpy(zero_copy_only=False)
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
        slot = np.full(len(match_at), -1, np.int64)
        for index, matcher in enumerate(self._slot_matchers):
            open_ = slot < 0
            if not open_.any():
                break
            whole = pc.match_substring_regex(texts, matcher).to_numpy(zero_copy_only=False)
            slot[open_ & whole] = index
        before = pc.utf8_slice_codeunits(flat.take(pa.array(match_at - 1)), start=-2).to_pylist()
        # Where two matches (nearly) touch, the text around one is the other ("2001:db8::1::2").
        for k in np.flatnonzero((lengths[match_at - 1] < 2) & (position[match_at] >= 3)).tolist():
            before[k] = (texts[k - 1].as_py() + before[k])[-2:]
        after = pc.utf8_slice_codeunits(flat.take(pa.array(match_at + 1)), start=0, stop=2).to_pylist()
        list_length = np.diff(offsets)[parent[match_at]]
        for k in np.flatnonzero((lengths[match_at + 1] < 2) & (position[match_at] + 2 < list_length)).tolist():
            after[k] = (after[k] + texts[k + 1].as_py())[:2]
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
            previous = rows[wanted_rows] - 1
            has_prev = previous >= 0
            if has_prev.any():
                above = pc.match_substring_regex(lines.take(pa.array(previous[has_prev])), adapter.context_re2)
                found[has_prev] |= above.to_numpy(zero_copy_only=False)
            context[mine] = found[np.searchsorted(wanted_rows, cand_row[mine])]
        return _Candidates(rows[cand_row], start[match_at], texts.to_pylist(), slot, before, after, context)

    # --- the pass --------------------------------------------------------------------------
    def scan(self, lines: pa.Array) -> Hits:
        """Find, validate and score every value in ``lines`` (an Arrow string array)."""
        lines = lines.cast(pa.large_string()) if lines.type != pa.large_string() else lines
        found = self._candidates(lines)
        hits = Hits()
        if found is not None:
            slots, wanted, min_score = self.slots, self._wanted_slot, self.min_score
            rows, starts, context = found.row.tolist(), found.start.tolist(), found.context.tolist()
            for k, (text, slot_index) in enumerate(zip(found.text, found.slot.tolist(), strict=True)):
                if slot_index < 0 or not wanted[slot_index]:
                    continue
                slot = slots[slot_index]
                adapter = slot.adapter
                assert adapter is not None
                for a, b, override in adapter.spans(text):
                    before = found.before[k] if a == 0 else text[max(a - 2, 0) : a]
                    after = found.after[k] if b == len(text) else text[b : b + 2]
                    if not adapter.accepts(before, after):
                        continue
                    value = text[a:b]
                    score = adapter.score_of(value, slot.score if override is None else override)
                    if context[k]:
                        score = min(1.0, score + CONTEXT_BOOST)
                    if score >= min_score:
                        start = starts[k] + a
                        hits.append(rows[k], start, start + b - a, value, adapter, round(score, 2))
        if self.fallback:
            hits = self._merge(hits, self._fallback(lines))
        return hits

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
                value = text[result.start : result.end]
                hits.append(row, s, s + len(value), value, adapter, round(float(result.score), 2))
        return hits

    def _nlp_artifacts(self, text: str):
        if self._nlp is None:
            from presidio_analyzer.nlp_engine import NoOpNlpEngine

            self._nlp = NoOpNlpEngine(models=[{"lang_code": self.language, "model_name": "none"}])
            self._nlp.load()
        return self._nlp.process_text(text, self.language)

    @staticmethod
    def _merge(first: Hits, second: Hits) -> Hits:
        """One span, one entity: where hits overlap, keep the higher score (the first on a tie)."""
        both = first + second
        order = sorted(range(len(both)), key=lambda i: (both.row[i], both.start[i]))
        kept: list[int] = []
        for i in order:
            last = kept[-1] if kept else None
            if last is not None and both.row[last] == both.row[i] and both.start[i] < both.end[last]:
                if both.score[i] > both.score[last]:
                    kept[-1] = i
                continue
            kept.append(i)
        return both.take(kept)
