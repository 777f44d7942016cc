"""Harava's detectors, and how third-party ones plug in.

Every detector is a Presidio ``EntityRecognizer``. Built-in ones come from this package; more come
from the ``harava.detectors`` entry-point group (a recognizer class, an instance, or a callable
returning one or several) and from Presidio YAML recognizer files.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from presidio_analyzer import EntityRecognizer, RecognizerRegistry

from detectors.base import HaravaRecognizer, InvalidValue
from detectors.email_address import EmailRecognizer
from detectors.hetu import HetuRecognizer
from detectors.ip import IpRecognizer
from detectors.phone import PhoneRecognizer
from detectors.ytunnus import YtunnusRecognizer

__all__ = [
    "BUILTIN",
    "ENTRY_POINT_GROUP",
    "Detector",
    "DetectorLoadError",
    "HaravaRecognizer",
    "InvalidValue",
    "load_detectors",
    "presidio_recognizers",
]

BUILTIN: tuple[type[HaravaRecognizer], ...] = (
    HetuRecognizer,
    YtunnusRecognizer,
    EmailRecognizer,
    IpRecognizer,
    PhoneRecognizer,
)
ENTRY_POINT_GROUP = "harava.detectors"


class DetectorLoadError(Exception):
    """A plug-in or a YAML recognizer file could not be loaded; the message names which and why."""


@dataclass(frozen=True)
class Detector:
    """A loaded recognizer and where it came from (for ``harava detectors`` and error messages)."""

    recognizer: EntityRecognizer
    origin: str


def presidio_recognizers(language: str = "fi") -> list[HaravaRecognizer]:
    """The built-in detectors, ready for ``AnalyzerEngine.registry.add_recognizer``."""
    return [cls(supported_language=language) for cls in BUILTIN]


def _as_recognizers(obj: object, origin: str) -> list[EntityRecognizer]:
    if (isinstance(obj, type) and issubclass(obj, EntityRecognizer)) or (
        callable(obj) and not isinstance(obj, EntityRecognizer)
    ):
        obj = obj()
    items = [obj] if isinstance(obj, EntityRecognizer) else list(obj)  # type: ignore[call-overload]
    for item in items:
        if not isinstance(item, EntityRecognizer):
            raise DetectorLoadError(f"{origin}: {item!r} is not a Presidio EntityRecognizer")
    return items


def _entry_point_detectors() -> Iterable[Detector]:
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        origin = f"entry point {ep.name} ({ep.value})"
        try:
            loaded = ep.load()
            recognizers = _as_recognizers(loaded, origin)
        except DetectorLoadError:
            raise
        except Exception as exc:  # a broken plug-in must say so, not crash somewhere else later
            raise DetectorLoadError(f"{origin}: {type(exc).__name__}: {exc}") from exc
        for recognizer in recognizers:
            yield Detector(recognizer, origin)


def _yaml_detectors(path: Path) -> Iterable[Detector]:
    if not path.is_file():
        raise DetectorLoadError(f"{path}: no such recognizer file")
    registry = RecognizerRegistry()
    registry.recognizers = []
    try:
        registry.add_recognizers_from_yaml(path)
    except Exception as exc:
        raise DetectorLoadError(f"{path}: not a Presidio recognizer file: {exc}") from exc
    for recognizer in registry.recognizers:
        yield Detector(recognizer, f"yaml {path}")


def load_detectors(
    yaml_files: Sequence[Path | str] = (), *, entry_points: bool = True, language: str = "fi"
) -> list[Detector]:
    """Built-in detectors, then entry-point plug-ins, then YAML files, in that order."""
    detectors = [Detector(r, "built-in") for r in presidio_recognizers(language)]
    if entry_points:
        detectors.extend(_entry_point_detectors())
    for path in yaml_files:
        detectors.extend(_yaml_detectors(Path(path)))
    return detectors
