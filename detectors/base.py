"""What every Harava detector is: a Presidio pattern recognizer plus the knowledge Harava needs.

A detector is a plain :class:`presidio_analyzer.PatternRecognizer`, so it works inside an ordinary
Presidio ``AnalyzerEngine``. On top of that it carries what Presidio has no slot for: the register
category key it maps to, a normaliser (so that one value written two ways hashes the same), a mask
(so that output never shows the raw value) and a precise reason when a candidate is not a real value.

Harava's engine hands a detector all candidates of a block at once, as an Arrow array. The ``*_array``
methods answer for the whole array with Arrow/numpy kernels — that is what makes a scan fast; their
defaults fall back to the per-value methods, so a detector only has to write the per-value ones.

Patterns are written in the subset shared by RE2 (which Harava's vectorised engine runs through
pyarrow) and Python's ``regex`` module (which Presidio uses): no look-arounds, no back-references.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import regex

from detectors._presidio import Pattern, PatternRecognizer, RecognizerResult

#: Characters before a match that ``REJECT_BEFORE`` looks at (the engine's ``BEFORE``).
REJECT_LOOKBEHIND = 16

#: Verdicts of :meth:`HaravaRecognizer.valid_array`.
VALID, INVALID, UNDECIDED = 1, 0, -1


class InvalidValue(ValueError):
    """A candidate that looks right but is not a real value; the message says exactly why."""


class HaravaRecognizer(PatternRecognizer):
    """Base class of the built-in detectors.

    Subclasses set the class attributes; the methods call the functions of the subclass's own module
    (``compact``, ``validate``, ``valid_array``, ``compact_array``, ``mask_array``) where it defines
    them, so a detector module reads like python-stdnum's and its class stays declarative.
    """

    _module: ClassVar[ModuleType]

    #: Presidio entity name (see the outside contract).
    ENTITY: ClassVar[str]
    #: Short detector id written into each finding's ``detector`` field.
    NAME: ClassVar[str]
    #: Register category key (a key of ``scanner.registers.taxonomy``): a statement declaring that
    #: category declares this entity. None: the entity is declared only by a register's ``declare``.
    CATEGORY: ClassVar[str | None] = None
    #: Column-name words (a regex, matched case-insensitively against whole ``_``-separated parts of a
    #: name) that suggest this entity, so a database column is reported even when it held nothing.
    COLUMN_HINTS: ClassVar[str | None] = None
    #: ``(name, regex, score)``; the score is the confidence of a validated match without context.
    PATTERNS: ClassVar[list[tuple[str, str, float]]]
    #: Words (Finnish, Swedish, English; stems match inflected forms) that raise the score.
    CONTEXT: ClassVar[list[str]] = []
    #: Every value counts only with a context word (see :meth:`needs_context_array`): forms that carry no
    #: check, or whose check passes too often by chance, to stand alone.
    CONTEXT_REQUIRED: ClassVar[bool] = False
    #: A value that is its text's value (fills a spreadsheet's or CSV file's cell, a JSON value, a line, or
    #: ends it after two words at most: ``ei uskontokuntaa``) counts as in context: a field holds it, where in
    #: prose the same word could be a stray one.
    CELL_IS_CONTEXT: ClassVar[bool] = False
    #: A database column's name that is a value of this detector, in a column that holds data, is a finding
    #: (a column called ``ammattiliitto`` holds trade-union membership, whatever its cells say).
    FOUND_IN_NAMES: ClassVar[bool] = False
    #: Order in the engine's first-pass alternation: at one text position the lowest number wins.
    PRIORITY: ClassVar[int] = 50
    #: A match must not touch a letter or digit on either side (Unicode-aware check).
    STRICT_BOUNDARY: ClassVar[bool] = True
    #: A regex on the key or column header a value is labelled with (a JSON key, a sheet's column header)
    #: that says the value is something else: a ``"version"`` field holds no IP address.
    REJECT_LABEL: ClassVar[str | None] = None
    #: Regexes that reject a match: on up to 16 characters before it (anchor them with ``$``) and on the
    #: two after it (anchor with ``^``); RE2 and Python syntax.
    REJECT_BEFORE: ClassVar[str | None] = None
    REJECT_AFTER: ClassVar[str | None] = None

    def __init__(self, supported_language: str = "fi") -> None:
        super().__init__(
            supported_entity=self.ENTITY,
            name=self.NAME,
            supported_language=supported_language,
            patterns=[Pattern(name, regex, score) for name, regex, score in self.PATTERNS],
            context=list(self.CONTEXT),
            # Case matters for several identifiers (a lower-case HETU is not a HETU), so unlike
            # Presidio's default the patterns are not compiled case-insensitively.
            global_regex_flags=re.MULTILINE | re.DOTALL,
        )

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls._module = sys.modules[cls.__module__]

    def _function(self, name: str) -> Callable[..., Any] | None:
        """The detector module's own ``name`` function, if it has one (python-stdnum style)."""
        return getattr(self._module, name, None)

    # --- the python-stdnum style interface: the module's functions where it defines them -----
    def compact(self, value: str) -> str:
        """Return the canonical form used for hashing and comparison."""
        own = self._function("compact")
        return own(value) if own else value.strip()

    def validate(self, value: str) -> str:
        """Return the compact value, or raise :class:`InvalidValue` with the reason."""
        own = self._function("validate")
        if own is None:
            raise NotImplementedError(f"{type(self).__name__}: its module defines no validate()")
        return own(value)

    def is_valid(self, value: str) -> bool:
        try:
            self.validate(value)
        except InvalidValue:
            return False
        return True

    def mask(self, value: str) -> str:
        """Hide enough of the value that it identifies nobody, keep enough to recognise its kind."""
        return self.mask_array(pa.array([value], pa.large_string()))[0].as_py()

    def spans(self, candidate: str) -> Iterable[tuple[int, int]]:
        """The valid sub-spans of a regex candidate; most detectors accept all or nothing."""
        if self.is_valid(candidate):
            yield 0, len(candidate)

    # --- the same, for a whole array of candidates -------------------------------------------
    def valid_array(self, texts: pa.Array) -> np.ndarray:
        """VALID / INVALID per candidate, or UNDECIDED where :meth:`spans` must look at it."""
        own = self._function("valid_array")
        return own(texts) if own else np.full(len(texts), UNDECIDED, np.int8)

    def compact_array(self, texts: pa.Array) -> pa.Array:
        own = self._function("compact_array")
        return own(texts) if own else pa.array([self.compact(t) for t in texts.to_pylist()], pa.large_string())

    def mask_array(self, texts: pa.Array) -> pa.Array:
        own = self._function("mask_array")
        return own(texts) if own else pa.array(["*" * len(t) for t in texts.to_pylist()], pa.large_string())

    def detail_array(self, texts: pa.Array) -> pa.Array | None:
        """An optional remark per value (e.g. a temporary identity code); None for none at all."""
        own = self._function("detail_array")
        return own(texts) if own else None

    def fits_array(self, texts: pa.Array, before: pa.Array, after: pa.Array) -> np.ndarray | None:
        """Whether each match fits the text around it (see ``REJECT_BEFORE``), where ``REJECT_BEFORE``/``AFTER``
        cannot say it alone (the verdict depends on the match too); None: every match fits."""
        return None

    def fits(self, text: str, before: str, after: str) -> bool:
        """:meth:`fits_array` for one match."""
        one = [pa.array([x], pa.large_string()) for x in (text, before, after)]
        verdict = self.fits_array(*one)
        return True if verdict is None else bool(verdict[0])

    def needs_context_array(self, texts: pa.Array) -> np.ndarray | None:
        """Which validated values count only with a context word in their line, the line above or their
        label (a column named ``puhelin``): forms too common in ordinary text to stand alone. None: none."""
        own = self._function("needs_context_array")
        if own:
            return own(texts)
        return np.ones(len(texts), bool) if self.CONTEXT_REQUIRED else None

    def score_array(self, texts: pa.Array, scores: np.ndarray) -> np.ndarray:
        """Adjust the scores of validated values (e.g. lower for weak forms)."""
        return scores

    # --- Presidio hooks --------------------------------------------------------------------
    def validate_result(self, pattern_text: str) -> bool | None:
        # None (keep for now): a candidate with a valid part ("email=aino@example.fi", "040 123 4567 12"),
        # which analyze() narrows to that part.
        if self.is_valid(pattern_text):
            return True
        return None if next(iter(self.spans(pattern_text)), None) else False

    @functools.cached_property
    def reject_rules(self) -> list[tuple[regex.Pattern[str], int]]:
        """``REJECT_BEFORE`` and ``REJECT_AFTER`` compiled, each with the side it looks at (0: the text before
        a match, 1: after), with ASCII classes (``\\s``, ``\\b``, ``\\w``) as RE2 reads them in the engine."""
        return [
            (regex.compile(rule, regex.ASCII), side)
            for rule, side in ((self.REJECT_BEFORE, 0), (self.REJECT_AFTER, 1))
            if rule is not None
        ]

    def _fitting(self, text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
        """The results whose surroundings ``REJECT_BEFORE`` and ``REJECT_AFTER`` allow."""
        rules = self.reject_rules
        if not rules:
            return results
        return [
            r
            for r in results
            if not any(
                rule.search((text[max(r.start - REJECT_LOOKBEHIND, 0) : r.start], text[r.end : r.end + 2])[side])
                for rule, side in rules
            )
        ]

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: Any = None, regex_flags: int | None = None
    ) -> list[RecognizerResult]:
        """Presidio's matching, then what Harava's engine does too: a candidate is narrowed to its valid
        part (:meth:`spans`), a match the text around it rejects (``REJECT_BEFORE``, ``REJECT_AFTER``) is
        dropped, and a value that needs context (:meth:`needs_context_array`) counts only with a context word
        in its line or the line above."""
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        for result in results:
            written = text[result.start : result.end]
            if not self.is_valid(written):
                a, b = next(iter(self.spans(written)))
                result.start, result.end, result.score = result.start + a, result.start + b, 1.0
        results = self._fitting(text, results)
        if not results:
            return results
        needs = self.needs_context_array(pa.array([text[r.start : r.end] for r in results], pa.large_string()))
        if needs is None or not needs.any():
            return results
        words = context_regex(self.context)
        near = regex.compile(words) if words else None
        kept = []
        for result, need in zip(results, needs.tolist(), strict=True):
            above = text.rfind("\n", 0, max(text.rfind("\n", 0, result.start), 0)) + 1
            end = text.find("\n", result.end)
            if not need or (near is not None and near.search(text[above : end if end >= 0 else len(text)])):
                kept.append(result)
        return kept


#: Letters beyond ASCII, as ranges: Latin-1 and Latin Extended, Greek, Cyrillic and the other alphabets of
#: the Basic Multilingual Plane, without the punctuation, currency and symbol blocks (so "…", "€" or a
#: closing quote never joins a word). RE2 compiles ``\p{L}`` into hundreds of ranges, and Arrow's kernels
#: compile their pattern on every call: with it, one class in the engine's joined pattern cost 14 ms a
#: call. Written as the characters themselves, so that RE2 and Python's ``regex`` read them alike.
NON_ASCII_LETTERS = (
    "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u1fff\u2070-\u209f\u2100-\u218f\u2c00-\u2dff"
    "\u3040-\ud7ff\uf900-\ufdff\ufe70-\ufefe\uff21-\uff3a\uff41-\uff5a\uff66-\uffdc"
)
#: Letters and digits, for a character class: ``[{WORD_CHARS}]`` (the ASCII ones and the letters above).
WORD_CHARS = "A-Za-z0-9" + NON_ASCII_LETTERS


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
        alternatives.append(f"(?:^|[^{WORD_CHARS}])(?:" + "|".join(short) + ")")
    if long:
        alternatives.append("(?:" + "|".join(long) + ")")
    return "(?i)" + "|".join(alternatives)


def concat(*parts: pa.Array | str) -> pa.Array:
    """Element-wise concatenation of arrays and constant strings (as ``large_string``)."""
    values = [pa.scalar(p, pa.large_string()) if isinstance(p, str) else pc.cast(p, pa.large_string()) for p in parts]
    return pc.binary_join_element_wise(*values, pa.scalar("", pa.large_string()))


def mask_digits_between(texts: pa.Array, head: int) -> pa.Array:
    """Keep the first ``head`` digits (what kind of number it is) and the last four (which one it is, as
    receipts print card numbers); every digit between becomes ``*``, separators kept."""
    parts = pc.extract_regex(
        texts.cast(pa.large_string()), rf"^(?P<keep>\d{{{head}}})(?P<hide>.*)(?P<tail>\d[ -]?\d[ -]?\d[ -]?\d)$"
    )
    return concat(parts.field("keep"), pc.replace_substring_regex(parts.field("hide"), r"\d", "*"), parts.field("tail"))


def ascii_matrix(texts: pa.Array, width: int) -> np.ndarray | None:
    """The candidates as an (n, width) byte matrix when every one is exactly ``width`` bytes."""
    texts = texts.cast(pa.large_string())
    lengths = pc.binary_length(texts).to_numpy(zero_copy_only=False)
    if len(texts) == 0 or texts.null_count or not (lengths == width).all():
        return None
    _, offsets, data = texts.buffers()
    first = int(np.frombuffer(offsets, np.int64, 1, texts.offset * 8)[0])
    return np.frombuffer(data, np.uint8, len(texts) * width, first).reshape(len(texts), width)


def digits_value(matrix: np.ndarray, columns: Iterable[int]) -> np.ndarray:
    """The decimal number spelled by the given columns of an ASCII digit matrix."""
    value = np.zeros(len(matrix), np.int64)
    for column in columns:
        value = value * 10 + (matrix[:, column].astype(np.int64) - 48)
    return value


def luhn_digit(digits: str) -> str:
    """The Luhn check digit for the digits before it.

    >>> luhn_digit('411111111111111')
    '1'
    """
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (1 if index % 2 else 2)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def luhn_ok_array(digits: pa.Array) -> np.ndarray:
    """Luhn check of digit strings of up to 19 digits (cards; Finnish account numbers): padded with leading
    zeros, which add nothing."""
    matrix = ascii_matrix(pc.utf8_lpad(digits, 19, "0"), 19)
    if matrix is None:
        return np.zeros(len(digits), bool)
    values = matrix.astype(np.int64) - 48
    doubled = values[:, 17::-2] * 2
    total = values[:, 18::-2].sum(axis=1) + (doubled - 9 * (doubled > 9)).sum(axis=1)
    return total % 10 == 0
