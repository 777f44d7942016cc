"""Presidio's recognizer classes without Presidio's start-up time.

``import presidio_analyzer`` runs the package's ``__init__``, which imports every country's predefined
recognizer (compiling some 180 regular expressions) and spaCy: about 1.5 s before a scan can begin, for
a one-line file as for a share. Harava's detectors need only the few light modules that define the
recognizer classes (``EntityRecognizer``, ``PatternRecognizer``, ``Pattern``, ``RecognizerResult``).

So, unless Presidio is already imported, the package module is created without running its
``__init__``, and those modules are imported into it in the order the ``__init__`` imports them. The
classes are Presidio's own (a user's ``isinstance`` checks and subclasses work). The first time anything
asks the package for a name it does not hold yet (``from presidio_analyzer import AnalyzerEngine``, a
plug-in, a YAML recognizer file, the NLP engine), the real ``__init__`` runs in the same module object
and completes it, so every other user of Presidio sees the whole package.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType

_LIGHT = (
    ("analysis_explanation", "AnalysisExplanation"),
    ("recognizer_result", "RecognizerResult"),
    ("entity_recognizer", "EntityRecognizer"),
    ("local_recognizer", "LocalRecognizer"),
    ("pattern", "Pattern"),
    ("pattern_recognizer", "PatternRecognizer"),
)


def _light_package() -> None:
    if "presidio_analyzer" in sys.modules:
        return
    spec = importlib.util.find_spec("presidio_analyzer")
    if spec is None or spec.loader is None:  # not installed: the import below says so
        return
    package = importlib.util.module_from_spec(spec)

    def load_the_rest(name: str) -> object:
        if name.startswith("__"):  # probes such as __file__ lookups by tools: not a reason to load it all
            raise AttributeError(name)
        del package.__getattr__
        spec.loader.exec_module(package)
        return getattr(package, name)

    sys.modules["presidio_analyzer"] = package
    try:
        for module, name in _LIGHT:
            setattr(package, name, getattr(importlib.import_module(f"presidio_analyzer.{module}"), name))
    except Exception:  # another Presidio version laid out differently: load it whole, as usual
        del sys.modules["presidio_analyzer"]
        for module, _ in _LIGHT:
            sys.modules.pop(f"presidio_analyzer.{module}", None)
        return
    package.__getattr__ = load_the_rest  # type: ignore[attr-defined]


def complete() -> ModuleType:
    """The whole Presidio package (for the NLP engine, the registry, the analyzer)."""
    package = sys.modules["presidio_analyzer"]
    if "__getattr__" in vars(package):
        package.__getattr__("AnalyzerEngine")
    return package


_light_package()

from presidio_analyzer import (  # noqa: E402  (after the package is set up light)
    EntityRecognizer,
    Pattern,
    PatternRecognizer,
    RecognizerResult,
)

__all__ = ["EntityRecognizer", "Pattern", "PatternRecognizer", "RecognizerResult", "complete"]
