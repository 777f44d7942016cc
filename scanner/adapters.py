"""Each recognizer as the engine sees it, whether it is one of Harava's detectors or a plain Presidio one.

The engine works on whole Arrow arrays of candidates. Harava's detectors answer for a whole array;
a plain Presidio recognizer (an entry-point plug-in, a YAML file) only has per-value hooks, so the
adapter supplies the array versions from those, with Presidio's own conventions: a
``validate_result`` of True scores 1.0, False or an ``invalidate_result`` of True drops the value.
"""

from __future__ import annotations

import re as std_re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import regex

from detectors import HaravaRecognizer, category_of, name_of
from detectors._presidio import EntityRecognizer, PatternRecognizer
from detectors.base import UNDECIDED, context_regex

#: Where a plain Presidio recognizer's patterns sit among others in an alternation (Harava's
#: detectors declare their own ``PRIORITY``).
PLUGIN_PRIORITY = 70


def re2_compatible(pattern: str) -> bool:
    """Whether pyarrow's RE2 accepts the pattern (Python-only syntax falls back to Presidio)."""
    try:
        pc.match_substring_regex(pa.array([""]), pattern)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    return True


class Adapter:
    """One recognizer as the engine sees it: Harava's rich interface, or Presidio's plain one.

    Everything here works on whole Arrow arrays of candidates; a plain Presidio recognizer gets
    per-value fallbacks (``validate_result``/``invalidate_result``, a generic mask).
    """

    def __init__(self, recognizer: EntityRecognizer) -> None:
        self.recognizer = recognizer
        self.entity = recognizer.supported_entities[0]
        self.harava = isinstance(recognizer, HaravaRecognizer)
        self.name = name_of(recognizer)
        # A plug-in may declare a register category as Harava's detectors do; without one, its entity
        # stands for itself.
        self.category = category_of(recognizer) or self.entity.lower()
        self.priority = recognizer.PRIORITY if self.harava else PLUGIN_PRIORITY
        self.strict_boundary = self.harava and recognizer.STRICT_BOUNDARY
        self.reject_before = recognizer.REJECT_BEFORE if self.harava else None
        self.reject_after = recognizer.REJECT_AFTER if self.harava else None
        self.reject_label = recognizer.REJECT_LABEL if self.harava else None
        self.cell_is_context = self.harava and recognizer.CELL_IS_CONTEXT
        self.found_in_names = self.harava and recognizer.FOUND_IN_NAMES
        self._reject = recognizer.reject_rules if self.harava else []
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

    def accept_array(
        self, texts: pa.Array, before: pa.Array, after: pa.Array, touching: np.ndarray | None = None
    ) -> np.ndarray:
        """Whether the text around each match allows it (word boundaries, reject rules). ``before`` holds
        up to ``engine.BEFORE`` characters, ``after`` two; ``touching`` is :func:`touching_words` of them,
        when the caller has it for all detectors' matches at once.
        """
        ok = np.ones(len(before), bool)
        if self.strict_boundary:
            ok &= ~(touching_words(texts, before, after) if touching is None else touching)
        if self.reject_before:
            ok &= ~pc.match_substring_regex(before, self.reject_before).to_numpy(zero_copy_only=False)
        if self.reject_after:
            ok &= ~pc.match_substring_regex(after, self.reject_after).to_numpy(zero_copy_only=False)
        if self.harava and ok.any():
            own = self.recognizer.fits_array(texts, before, after)
            if own is not None:
                ok &= own
        return ok

    def accept_one(self, text: str, before: str, after: str) -> bool:
        """:meth:`accept_array` for one match, in Python (the rare trimmed candidates come one by one)."""
        if self.strict_boundary and text:
            if before and before[-1].isalnum() and text[0] not in "[(":
                return False
            if after and after[0].isalnum() and text[-1] not in "])":
                return False
        if any(pattern.search((before, after)[side]) for pattern, side in self._reject):
            return False
        return not self.harava or self.recognizer.fits(text, before, after)

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

    def needs_context_array(self, texts: pa.Array) -> np.ndarray | None:
        return self.recognizer.needs_context_array(texts) if self.harava else None


def touching_words(texts: pa.Array, before: pa.Array, after: pa.Array) -> np.ndarray:
    """Which matches run on from a letter or digit on either side: no value of a strict-boundary detector.

    A match that opens with a bracket may follow a word (``mail.example.org[192.0.2.1]``), and one that
    closes with a bracket may be followed by one.
    """
    last = _alnum(pc.utf8_slice_codeunits(before, start=-1))
    first = _alnum(pc.utf8_slice_codeunits(after, start=0, stop=1))
    if last.any():
        last[last] = ~_np(pc.match_substring_regex(texts.filter(pa.array(last)), r"^[\[(]"))
    if first.any():
        first[first] = ~_np(pc.match_substring_regex(texts.filter(pa.array(first)), r"[\])]$"))
    return last | first


def _np(flags: pa.Array) -> np.ndarray:
    return pc.fill_null(flags, False).to_numpy(zero_copy_only=False)


def _alnum(texts: pa.Array) -> np.ndarray:
    return _np(pc.utf8_is_alnum(texts))


def compiled_patterns(recognizer: EntityRecognizer) -> list[tuple[str, str, float]] | None:
    """(name, RE2 pattern, score) of a recognizer's patterns, or None where RE2 cannot run them all.

    None too for a recognizer without patterns, or with one that matches the empty string (it would
    stall the alternation): those go through the recognizer's own per-text ``analyze``.
    """
    patterns = getattr(recognizer, "patterns", None) or []
    flags = getattr(recognizer, "global_regex_flags", 0) or 0
    prefix = "(?i)" if flags & std_re.IGNORECASE else ""
    compiled = [(p.name, f"{prefix}{p.regex}", p.score) for p in patterns]
    if compiled and all(re2_compatible(p) and not regex.fullmatch(p, "") for _, p, _ in compiled):
        return compiled
    return None
