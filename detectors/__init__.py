"""Harava's detectors, and how third-party ones plug in.

Every detector is a Presidio ``EntityRecognizer``. Built-in ones come from this package; more come
from the ``harava.detectors`` entry-point group (a recognizer class, an instance, or a callable
returning one or several) and from Presidio YAML recognizer files.

A detector is the one place that knows its entity: the entity name, the register category a
privacy statement declares it under (``CATEGORY``), the context words and the column-name words
(``COLUMN_HINTS``). Everything else — which entities a statement's category declares, which column
names suggest which entity — is derived from the loaded detectors with the helpers below, so a new
detector (built-in or plug-in) needs no edit anywhere else. Plug-ins that are not
:class:`HaravaRecognizer` subclasses may set the same two class attributes; both are optional.
"""

from __future__ import annotations

import functools
import importlib.metadata
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from detectors._presidio import EntityRecognizer
from detectors.address import AddressRecognizer
from detectors.base import HaravaRecognizer, InvalidValue
from detectors.diagnosis import DiagnosisRecognizer
from detectors.email_address import EmailRecognizer
from detectors.health_card import HealthCardRecognizer
from detectors.hetu import HetuRecognizer
from detectors.iban import IbanRecognizer
from detectors.ip import IpRecognizer
from detectors.passport import PassportRecognizer
from detectors.payment_card import PaymentCardRecognizer
from detectors.person import PersonRecognizer
from detectors.phone import PhoneRecognizer
from detectors.satu import SatuRecognizer
from detectors.special_categories import (
    CriminalRecordRecognizer,
    EthnicOriginRecognizer,
    HealthDataRecognizer,
    ReligionRecognizer,
    TradeUnionRecognizer,
    TurvakieltoRecognizer,
)
from detectors.vehicle_plate import VehiclePlateRecognizer
from detectors.ytunnus import YtunnusRecognizer

__all__ = [
    "BUILTIN",
    "ENTRY_POINT_GROUP",
    "Detector",
    "DetectorLoadError",
    "HaravaRecognizer",
    "InvalidValue",
    "category_of",
    "column_hint_of",
    "entities_by_category",
    "entities_of",
    "load_detectors",
    "name_of",
    "presidio_recognizers",
]

# The order is also the order column-name hints are tried in (the first that fits a name wins).
BUILTIN: tuple[type[HaravaRecognizer], ...] = (
    HetuRecognizer,
    YtunnusRecognizer,
    PhoneRecognizer,
    EmailRecognizer,
    IpRecognizer,
    IbanRecognizer,
    PaymentCardRecognizer,
    HealthCardRecognizer,
    SatuRecognizer,
    PassportRecognizer,
    VehiclePlateRecognizer,
    PersonRecognizer,
    AddressRecognizer,
    DiagnosisRecognizer,
    HealthDataRecognizer,
    TradeUnionRecognizer,
    ReligionRecognizer,
    EthnicOriginRecognizer,
    CriminalRecordRecognizer,
    TurvakieltoRecognizer,
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


def _recognizer(item: EntityRecognizer | Detector) -> EntityRecognizer:
    return item.recognizer if isinstance(item, Detector) else item


def name_of(recognizer: EntityRecognizer | Detector) -> str:
    """The detector id findings carry: Harava's ``NAME``, else Presidio's name, else the class name.

    >>> name_of(HetuRecognizer())
    'hetu'
    """
    recognizer = _recognizer(recognizer)
    name = getattr(recognizer, "NAME", None) or recognizer.name
    return name if isinstance(name, str) and name else type(recognizer).__name__


def category_of(recognizer: EntityRecognizer | Detector) -> str | None:
    """The register category key a recognizer declares, or None when it declares none.

    Read with ``getattr`` so that a plain Presidio recognizer (a plug-in or a YAML file) may declare
    one too, or not: then its entity is compared under its own name only.

    >>> from presidio_analyzer import Pattern, PatternRecognizer
    >>> category_of(HetuRecognizer())
    'henkilotunnus'
    >>> category_of(PatternRecognizer("FI_VEHICLE_PLATE", patterns=[Pattern("plate", "[A-Z]{3}-[0-9]{3}", 0.4)]))
    """
    category = getattr(_recognizer(recognizer), "CATEGORY", None)
    return category if isinstance(category, str) and category else None


def _entities(recognizer: EntityRecognizer) -> list[str]:
    return list(recognizer.supported_entities or [])


@functools.lru_cache(maxsize=256)
def _hint_regex(pattern: str) -> re.Pattern[str]:
    # A hint names whole parts of a column name: "asiakas_hetu" and "hetu_2" but not "hetull".
    return re.compile(rf"(?:^|_)(?:{pattern})(?:_|$)", re.IGNORECASE)


def column_hint_of(name: str, recognizers: Iterable[EntityRecognizer | Detector]) -> str | None:
    """The entity whose ``COLUMN_HINTS`` fit the column name, trying the recognizers in order.

    >>> builtin = presidio_recognizers()
    >>> column_hint_of("asiakas_hetu", builtin), column_hint_of("Sahkoposti", builtin)
    ('FI_PERSONAL_IDENTITY_CODE', 'EMAIL_ADDRESS')
    >>> column_hint_of("description", builtin) is None, column_hint_of("hetull", builtin) is None
    (True, True)
    """
    for item in recognizers:
        recognizer = _recognizer(item)
        pattern = getattr(recognizer, "COLUMN_HINTS", None)
        entities = _entities(recognizer)
        if isinstance(pattern, str) and pattern and entities and _hint_regex(pattern).search(name):
            return entities[0]
    return None


def entities_of(recognizers: Iterable[EntityRecognizer | Detector]) -> set[str]:
    """Every entity the recognizers can report.

    >>> sorted(entities_of(presidio_recognizers()))[:3]
    ['ADDRESS', 'CREDIT_CARD', 'CRIMINAL_RECORD']
    """
    return {e for item in recognizers for e in _entities(_recognizer(item))}


def entities_by_category(recognizers: Iterable[EntityRecognizer | Detector]) -> dict[str, tuple[str, ...]]:
    """Category key → the entities of the recognizers declaring it (recognizer order, no repeats).

    This is what a privacy statement's category declares; recognizers without a category are left
    out (see :func:`category_of`).

    >>> entities_by_category(presidio_recognizers())["puhelinnumero"]
    ('PHONE_NUMBER',)
    """
    mapping: dict[str, list[str]] = {}
    for item in recognizers:
        recognizer = _recognizer(item)
        category = category_of(recognizer)
        if category is None:
            continue
        shelf = mapping.setdefault(category, [])
        shelf.extend(e for e in _entities(recognizer) if e not in shelf)
    return {key: tuple(entities) for key, entities in mapping.items()}


def _checked(recognizer: EntityRecognizer, origin: str) -> EntityRecognizer:
    """A plug-in's optional declarations must be usable; say so at load time rather than mid-scan."""
    category = getattr(recognizer, "CATEGORY", None)
    if category is not None and not isinstance(category, str):
        raise DetectorLoadError(f"{origin}: CATEGORY must be a string (a register category key), not {category!r}")
    hints = getattr(recognizer, "COLUMN_HINTS", None)
    if hints is not None:
        if not isinstance(hints, str):
            raise DetectorLoadError(f"{origin}: COLUMN_HINTS must be a regular expression string, not {hints!r}")
        try:
            _hint_regex(hints)
        except re.error as exc:
            raise DetectorLoadError(f"{origin}: COLUMN_HINTS is not a valid regular expression: {exc}") from exc
    return recognizer


def _as_recognizers(obj: object, origin: str) -> list[EntityRecognizer]:
    if (isinstance(obj, type) and issubclass(obj, EntityRecognizer)) or (
        callable(obj) and not isinstance(obj, EntityRecognizer)
    ):
        obj = obj()
    items = [obj] if isinstance(obj, EntityRecognizer) else list(obj)  # type: ignore[call-overload]
    for item in items:
        if not isinstance(item, EntityRecognizer):
            raise DetectorLoadError(f"{origin}: {item!r} is not a Presidio EntityRecognizer")
        _checked(item, origin)
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
    from presidio_analyzer import RecognizerRegistry  # the whole of Presidio, only for YAML files

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
