"""Start-up: a scan does not pay for the parts of Presidio it does not use."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = """
import sys
import scanner.cli, scanner.scan
from detectors import load_detectors
from scanner.engine import Engine
engine = Engine([d.recognizer for d in load_detectors(entry_points=False)])
print(len(engine.scan(__import__("pyarrow").array(["puh. 040 123 4567"]))))
print("presidio_analyzer.recognizer_registry" in sys.modules, "spacy" in sys.modules)
from presidio_analyzer import AnalyzerEngine, PatternRecognizer
from detectors.base import HaravaRecognizer
print(issubclass(HaravaRecognizer, PatternRecognizer), AnalyzerEngine.__name__)
import presidio_analyzer
print(presidio_analyzer.PatternRecognizer is PatternRecognizer)
"""


def test_scanning_needs_only_presidios_recognizer_classes():
    lines = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True).stdout.split("\n")
    assert lines[0] == "1"
    assert lines[1] == "False False"  # no registry of every country's recognizers, no spaCy
    assert lines[2] == "True AnalyzerEngine"  # asked for, the whole package is there
    assert lines[3] == "True"  # and its classes are the ones the detectors derive from


SCAN = """
import sys
from scanner.cli import main
try:
    main(["scan", sys.argv[1], "--no-progress", "-o", sys.argv[2]])
except SystemExit:
    pass
print("presidio_analyzer.recognizer_registry" in sys.modules, "sqlalchemy.engine" in sys.modules)
"""


def test_a_file_scan_without_a_history_imports_neither_presidios_registry_nor_sqlalchemy(tmp_path):
    (tmp_path / "a.txt").write_text("puh. 040 123 4567\n")
    env = {**os.environ, "HARAVA_HASH_KEY": "test-key-test-key-test-key-test-key"}
    done = subprocess.run(
        [sys.executable, "-c", SCAN, str(tmp_path / "a.txt"), str(tmp_path / "out.txt")],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert "040 *** **67" in (tmp_path / "out.txt").read_text()
    assert done.stdout.strip().splitlines()[-1] == "False False"
