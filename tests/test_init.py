"""Setting up: `harava init` writes a configuration that works as it is, and a check with no history named
records in a default one per configuration (under $XDG_STATE_HOME), so `--since last` works from the
second run on."""

from __future__ import annotations

import json
import shlex
import shutil
import sqlite3
import tomllib
from pathlib import Path

from click.testing import CliRunner

from scanner.cli import main
from tests.test_cli import ROOT, run

STATEMENTS = ROOT / "examples" / "statements"


def _folder(tmp_path: Path) -> Path:
    """A folder with two privacy statements (one in a subfolder) and a note that is no statement."""
    folder = tmp_path / "Tietosuoja ja rekisterit"
    (folder / "selosteet").mkdir(parents=True)
    shutil.copy(STATEMENTS / "asiakasrekisteri.txt", folder)
    shutil.copy(STATEMENTS / "personalregister.md", folder / "selosteet")
    (folder / "muistio.txt").write_text("Muista päivittää selosteet syksyllä.\n", "utf-8")
    return folder


def test_init_in_a_folder_with_two_statements_writes_a_config_that_checks(tmp_path):
    folder = _folder(tmp_path)
    code, out, err = run("init", cwd=folder)
    assert code == 0, err
    assert "Wrote harava.toml: 2 registers." in out and "Next: harava check --config harava.toml" in out
    config = tomllib.loads((folder / "harava.toml").read_text("utf-8"))
    assert [(r["name"], r["statement"], r["sources"]) for r in config["registers"]] == [
        ("Esimerkki Palvelut Oy:n asiakasrekisteri", "asiakasrekisteri.txt", ["."]),
        ("Personalregister", "selosteet/personalregister.md", ["."]),
    ]
    assert config["history"] == {"path": "harava-history.db"}
    assert {"asiakasrekisteri.txt", "selosteet/personalregister.md", "harava.toml"} <= set(config["exclude"])

    code, out, err = run("check", "--config", "harava.toml", "--no-progress", cwd=folder)
    assert code == 0 and "Exit status 0: no personal data found." in err, err  # not its own statements
    assert (folder / "harava-history.db").is_file() and "Recorded as run 1 in harava-history.db." in err

    (folder / "palkat.csv").write_text("nimi;hetu;sahkoposti\nOnni Laine;070137V9118;onni.laine@example.fi\n")
    code, out, err = run("check", "--config", "harava.toml", "--format", "json", "--since", "last", cwd=folder)
    assert code == 1, err
    changes = json.loads(out)["changes"]
    assert changes["since_run"]["id"] == 1 and changes["new_undeclared"] == 1
    assert [(f["register"], f["entity"], f["value"]) for f in changes["new"] if f["undeclared"]] == [
        ("Personalregister", "EMAIL_ADDRESS", "o***@example.fi")
    ]


def test_the_schedule_in_the_config_is_the_nightly_command_for_this_folder(tmp_path):
    from scanner.init import harava_command, nightly_command, systemd_exec

    folder = _folder(tmp_path)
    assert run("init", cwd=folder)[0] == 0
    text = (folder / "harava.toml").read_text("utf-8")
    base = folder.resolve()
    command = nightly_command(harava_command(), str(base / "harava.toml"), str(base / "harava-history.db"), str(base))
    assert f"# 30 2 * * *  {command}\n" in text
    assert f"# ExecStart={systemd_exec(command)}\n" in text
    assert shlex.split(command)[:2] == ["cd", str(base)]  # the folder's space is quoted


def test_init_without_statements_writes_an_example_and_check_says_what_is_missing(tmp_path):
    code, out, err = run("init", str(tmp_path / "uusi"))
    assert code == 0, err
    assert "with an example register, commented out" in out
    text = (tmp_path / "uusi" / "harava.toml").read_text("utf-8")
    assert "# [[registers]]" in text and tomllib.loads(text).get("registers") is None
    code, _, err = run("check", "--config", str(tmp_path / "uusi" / "harava.toml"), "--no-progress")
    assert code == 2 and "no [[registers]] defined" in err


def test_init_never_replaces_a_config_unless_forced(tmp_path):
    folder = _folder(tmp_path)
    (folder / "harava.toml").write_text("# my own\n", "utf-8")
    code, _, err = run("init", cwd=folder)
    assert code == 2 and "exists; --force replaces it" in err
    assert (folder / "harava.toml").read_text("utf-8") == "# my own\n"
    assert run("init", "--force", cwd=folder)[0] == 0
    assert "[[registers]]" in (folder / "harava.toml").read_text("utf-8")


def test_init_interactive_asks_for_names_statements_and_sources(tmp_path, monkeypatch):
    folder = _folder(tmp_path)
    (folder / "jako").mkdir()
    shutil.copy(STATEMENTS / "markkinointirekisteri.html", tmp_path / "uutiskirje.html")
    answers = [
        "Asiakasrekisteri",  # the first statement found: renamed
        "ei-ole, jako",  # a source that is not there is asked again
        "jako, sqlite:///crm.db",
        "-",  # the second one left out
        "../uutiskirje.html",  # and one more, from elsewhere
        "",  # named as the statement names it
        "jako",
        "",  # no more
    ]
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(main, ["init", "--interactive"], input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "no such file or folder: ei-ole" in result.output
    config = tomllib.loads((folder / "harava.toml").read_text("utf-8"))
    assert [(r["name"], r["statement"], r["sources"]) for r in config["registers"]] == [
        ("Asiakasrekisteri", "asiakasrekisteri.txt", ["jako", "sqlite:///crm.db"]),
        ("Newsletter register", "../uutiskirje.html", ["jako"]),
    ]


def _examples(tmp_path: Path) -> Path:
    """A copy of the examples whose configuration names no history."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    return tmp_path / "examples" / "harava.toml"


def _check(config: Path, *options: str) -> tuple[int, dict, str]:
    code, out, err = run("check", "--config", str(config), "--format", "json", "--no-progress", *options)
    assert code in (0, 1), err
    return code, json.loads(out), err


def test_a_check_without_a_history_named_records_in_the_default_one(tmp_path, monkeypatch):
    state = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    config = _examples(tmp_path)
    code, first, err = _check(config)
    [history] = (state / "harava").iterdir()
    assert history.name.startswith("harava-") and history.suffix == ".db"
    assert f"runs are recorded in {history}" in err and f"Recorded as run 1 in {history}." in err
    assert "changes" not in first

    (config.parent / "share" / "Markkinointi" / "voittajat.txt").write_text("Voittaja, hetu 131052-308T\n")
    code, second, err = _check(config, "--since", "last")
    assert "runs are recorded in" not in err and f"Recorded as run 2 in {history}." in err
    assert second["changes"]["since_run"]["id"] == 1
    assert [(f["entity"], f["value"]) for f in second["changes"]["new"]] == [
        ("FI_PERSONAL_IDENTITY_CODE", "131052-***T")
    ]

    code, out, _ = run("report", "--config", str(config), "--format", "json")
    assert code == 0 and json.loads(out)["run"]["id"] == 2

    other = tmp_path / "toinen" / "harava.toml"  # another configuration of the same name: another history
    shutil.copytree(config.parent, other.parent)
    _check(other)
    assert len(list((state / "harava").iterdir())) == 2


def test_no_history_records_nothing_and_conflicts_are_said(tmp_path, monkeypatch):
    state = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    config = _examples(tmp_path)
    code, _, err = _check(config, "--no-history")
    assert code == 1 and not state.exists() and "Recorded" not in err
    code, _, err = run("check", "--config", str(config), "--no-history", "--since", "last")
    assert code == 2 and "need a history, which --no-history turns off" in err
    code, _, err = run("check", "--config", str(config), "--no-history", "--history", str(tmp_path / "h.db"))
    assert code == 2 and "do not go together" in err
    code, _, err = run("report", "--config", str(config))
    assert code == 2 and "has been recorded yet" in err and not state.exists()  # no empty history made
    code, _, err = run("report")
    assert code == 2 and "--history" in err and "--config" in err


def test_an_explicit_history_is_used_as_before(tmp_path, monkeypatch):
    state = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    config = _examples(tmp_path)
    _check(config, "--history", str(tmp_path / "oma.db"))
    assert not state.exists()
    with sqlite3.connect(tmp_path / "oma.db") as db:
        assert db.execute("SELECT count(*) FROM runs").fetchone() == (1,)


def test_a_default_history_that_cannot_be_made_is_said_and_the_check_goes_on(tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("", "utf-8")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocked))  # a file where the folder would go
    config = _examples(tmp_path)
    code, _, err = _check(config)
    assert code == 1 and "this check is not recorded" in err
    code, _, err = run("check", "--config", str(config), "--since", "last", "--no-progress")
    assert code == 2 and "no history: cannot create" in err
