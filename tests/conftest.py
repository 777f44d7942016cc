from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pytest

from detectors import load_detectors
from scanner.engine import Engine

TEST_KEY = "test-key-0123456789-0123456789-0123456789"

# Loaded into the cluster tests' Dask workers only: imported here (for its doctests), its readers would be
# registered in every test's process.
collect_ignore = ["cluster_traps.py"]


@pytest.fixture(autouse=True, scope="session")
def _state_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Histories ``harava check`` records by default never go to the user's ~/.local/state, not even from a
    fixture set up before the per-test one below (a module's or a session's)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))
        yield


@pytest.fixture(autouse=True)
def _hash_key(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never touch the user's real key file, nor share default histories with each other."""
    monkeypatch.setenv("HARAVA_HASH_KEY", TEST_KEY)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine([d.recognizer for d in load_detectors(entry_points=False)])


def find(engine: Engine, *lines: str) -> list[tuple[str, str]]:
    """(entity, text) of every hit in the given lines, in order."""
    hits = engine.scan(pa.array(list(lines), pa.large_string()))
    return [(a.entity, t) for a, t in zip(hits.adapter, hits.text, strict=True)]
