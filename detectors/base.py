"""What every Harava detector is: a Presidio pattern recognizer plus the knowledge Harava needs.

A detector is a plain :class:`presidio_analyzer.PatternRecognizer`, so it works inside an ordinary
Presidio ``AnalyzerEngine``. On top of that it carries what Presidio has no slot for: the register
category key it maps to, a normaliser (so that one value written two ways hashes the same), a mask
(so that output never shows the raw value) and a precise reason when a candidate is not a real value.

Patterns are written in the subset shared by RE2 (which Harava's vectorised engine runs through
pyarrow) and Python's ``regex`` module (which Presidio uses): no look-arounds, no back-references.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from presidio_analyzer import Pattern, PatternRecognizer


class InvalidValue(ValueError):
    """A candidate that looks right but is not a real value; the message says exactly why."""


class HaravaRecognizer(PatternRecognizer):
    """Base class of the built-in detectors.

    Subclasses set the class attributes and implement :meth:`compact`, :meth:`validate` and
    :meth:`mask`, usually by pointing at the module-level functions of their module.
    """

    #: Presidio entity name (see the outside contract).
    ENTITY: ClassVar[str]
    #: Short detector id written into each finding's ``detector`` field.
    NAME: ClassVar[str]
    #: Register category key the entity belongs to (used when comparing with privacy statements).
    CATEGORY: ClassVar[str]
    #: ``(name, regex, score)``; the score is the confidence of a validated match without context.
    PATTERNS: ClassVar[list[tuple[str, str, float]]]
    #: Words (Finnish, Swedish, English; stems match inflected forms) that raise the score.
    CONTEXT: ClassVar[list[str]] = []
    #: Order in the engine's single alternation: at one text position the lowest number wins.
    PRIORITY: ClassVar[int] = 50
    #: A match must not touch a letter or digit on either side (Unicode-aware check).
    STRICT_BOUNDARY: ClassVar[bool] = True

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

    # --- the python-stdnum style interface -------------------------------------------------
    def compact(self, value: str) -> str:
        """Return the canonical form used for hashing and comparison."""
        return value.strip()

    def validate(self, value: str) -> str:
        """Return the compact value, or raise :class:`InvalidValue` with the reason."""
        raise NotImplementedError

    def is_valid(self, value: str) -> bool:
        try:
            self.validate(value)
        except InvalidValue:
            return False
        return True

    def mask(self, value: str) -> str:
        """Hide enough of the value that it identifies nobody, keep enough to recognise its kind."""
        return "*" * len(value)

    def detail(self, value: str) -> str | None:
        """An optional remark on a valid value (e.g. a temporary identity code)."""
        return None

    def score_of(self, value: str, base: float) -> float:
        """Confidence of a validated value before context; detectors may lower it for weak forms."""
        return base

    def accepts(self, before: str, after: str) -> bool:
        """Whether the text around a match (two characters each side) allows it; see ip and phone."""
        return True

    def spans(self, candidate: str) -> Iterable[tuple[int, int]]:
        """The valid sub-spans of a regex candidate; most detectors accept all or nothing."""
        if self.is_valid(candidate):
            yield 0, len(candidate)

    # --- Presidio hooks --------------------------------------------------------------------
    def validate_result(self, pattern_text: str) -> bool:
        return self.is_valid(pattern_text)


def mask_digits(value: str, keep_start: int, keep_end: int) -> str:
    """Replace the digits of ``value`` with ``*`` except the first and last few; keep punctuation.

    >>> mask_digits('040 123 4567', 3, 2)
    '040 *** **67'
    """
    positions = [i for i, ch in enumerate(value) if ch.isdigit()]
    hidden = set(positions[keep_start : len(positions) - keep_end if keep_end else None])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(value))
