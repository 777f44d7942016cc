"""The hash key: `harava key show-path` and `harava key rotate`, and the hash epochs a history keeps, so a
comparison across a change of key says so instead of calling every finding new."""

from __future__ import annotations

import json
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest

from scanner.keys import key_id, load_key
from tests.conftest import TEST_KEY
from tests.test_cli import ROOT, run


@pytest.fixture
def key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The key from a file, as on a user's machine (the tests' key is otherwise in HARAVA_HASH_KEY)."""
    monkeypatch.delenv("HARAVA_HASH_KEY")
    path = tmp_path / "config" / "harava" / "hash.key"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return path


def test_show_path_prints_the_default_file_and_says_what_it_is(key_file):
    code, out, err = run("key", "show-path")
    assert code == 0 and out == f"{key_file}\n" and "Not created yet" in err and not key_file.exists()
    load_key()
    code, out, err = run("key", "show-path")
    assert out == f"{key_file}\n" and f"Key id {key_id(load_key())}; the default key file" in err


def test_show_path_names_what_overrides_the_default(key_file, tmp_path, monkeypatch):
    config = tmp_path / "harava.toml"
    config.write_text('[settings]\nkey_file = "avain/hash.key"\n', "utf-8")
    code, out, err = run("key", "show-path", "--config", str(config))
    assert out == f"{tmp_path / 'avain' / 'hash.key'}\n" and "[settings] key_file in" in err
    monkeypatch.setenv("HARAVA_KEY_FILE", str(tmp_path / "muu.key"))
    code, out, err = run("key", "show-path", "--config", str(config))
    assert out == f"{tmp_path / 'muu.key'}\n" and "HARAVA_KEY_FILE names it" in err
    monkeypatch.setenv("HARAVA_HASH_KEY", TEST_KEY)
    code, out, err = run("key", "show-path")
    assert code == 0 and "HARAVA_HASH_KEY is set and overrides this file" in err
    assert key_id(TEST_KEY.encode()) in err and TEST_KEY not in out + err


def test_rotate_keeps_the_old_key_beside_the_new_one(key_file):
    old = load_key()
    code, out, err = run("key", "rotate")
    assert code == 0, err
    new = load_key()
    retired = key_file.with_name(f"hash.key.{key_id(old)}.retired")
    assert new != old and retired.read_text("ascii").strip() == old.decode()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and stat.S_IMODE(retired.stat().st_mode) == 0o600
    assert f"New key (id {key_id(new)}) in {key_file}." in out
    assert f"The old key (id {key_id(old)}) is kept as {retired}" in out and "Nothing was re-keyed" in out
    assert sorted(p.name for p in key_file.parent.iterdir()) == sorted(["hash.key", retired.name])


def test_rotate_without_a_key_makes_one_and_refuses_a_key_from_the_environment(key_file, monkeypatch):
    code, out, _ = run("key", "rotate")
    assert code == 0 and key_file.exists() and "kept as" not in out
    monkeypatch.setenv("HARAVA_HASH_KEY", TEST_KEY)
    code, _, err = run("key", "rotate")
    assert code == 2 and "comes from HARAVA_HASH_KEY" in err


def test_a_comparison_across_a_rotation_says_so_and_matches_by_place(key_file, tmp_path):
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    config = tmp_path / "examples" / "harava.toml"
    history = tmp_path / "history.db"
    base = ("check", "--config", str(config), "--history", str(history), "--no-progress")
    assert run(*base)[0] == 1
    assert run("key", "rotate")[0] == 0
    (config.parent / "share" / "Markkinointi" / "voittajat.txt").write_text("Voittaja, hetu 131052-308T\n")
    code, out, err = run(*base, "--since", "last", "--format", "json")
    assert code == 1, err
    changes = json.loads(out)["changes"]
    with sqlite3.connect(history) as db:
        first, second = (k for (k,) in db.execute("SELECT key_id FROM runs ORDER BY id"))
    assert first != second and changes["key_changed"] == {
        "from_run": 1,
        "from_key_id": first,
        "to_run": 2,
        "to_key_id": second,
    }
    # not 35 new and 35 gone: the one new finding, the rest unchanged in place
    assert [f["value"] for f in changes["new"]] == ["131052-***T"] and changes["gone"] == []
    assert changes["persisting"] == 83

    code, out, _ = run(*base, "--since", "1")
    assert f"The hash key changed between run 1 and run 3 (key id {first} → {second})" in out
    assert "values cannot be compared" in out
    code, out, _ = run(*base, "--since", "last")
    assert "hash key changed" not in out  # runs 3 and 4: one key


def test_runs_before_key_ids_were_kept_are_compared_as_before(tmp_path):
    from scanner.history import Finding, History

    history = History(tmp_path / "h.db", key_id="aaaaaaaaaaaa")
    finding = Finding("R", "a.txt", "/a.txt", None, '{"line": 1}', "EMAIL_ADDRESS", "a***@example.fi", "h", True)
    first = history.begin("c.toml", "2026-11-01T00:00:00+00:00")
    history.add_findings(first, [dict(finding.__dict__)])
    history.finish(first, [], [], 1)
    with sqlite3.connect(tmp_path / "h.db") as db:
        db.execute("UPDATE runs SET key_id = NULL")  # as an older version recorded it
    history.key_id = "bbbbbbbbbbbb"
    second = history.begin("c.toml", "2026-11-02T00:00:00+00:00")
    history.finish(second, [], [], 0)
    change = history.compare(second, history.resolve("last", before=second))
    assert change.key_changed is None and [f.entity for f in change.gone] == ["EMAIL_ADDRESS"]
