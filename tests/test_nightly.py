"""The nightly run on a share of years of careless saving: one ``harava scan`` and one ``harava check`` over
ordinary files mixed with every broken and hostile kind the other tests build — the fuzzing's kept
inputs, XML attacks, deep nesting, corrupt compression, encrypted and unsupported members, a reader
that crashes — finish by themselves; every ordinary file's findings are there, every item that was not
read fully is named with its code and coverage, no raw value leaks, and the exit status says what
happened (a scan that finished: 0; a check whose sources were not all read: 2).

And the schedule that runs it: the cron line and the systemd service in ``examples/schedule`` run the same
command, systemd accepts the units, and the command prints (so that cron mails) only on a night when
something new turned up."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.extract import CODES
from tests.fuzz import seeds
from tests.test_cli import ROOT
from tests.test_coverage import _xlsx, _zip_with_bad_members
from tests.test_hostile import HOSTILE
from tests.test_xml_attacks import ATTACKS, attack, build, file_name, hostile

HETU = "131052-308T"
ORDINARY = {
    "asiakkaat/muistio.txt": (f"Asiakas soitti, hetu {HETU}\n", {"FI_PERSONAL_IDENTITY_CODE"}),
    "asiakkaat/yhteystiedot.csv": ("nimi;sahkoposti\nAino;aino@example.fi\n", {"EMAIL_ADDRESS", "PERSON"}),
    "laskutus/tilaus.json": ('{"tilaaja": {"puhelin": "040 765 4321"}}', {"PHONE_NUMBER"}),
}
RAW = (HETU, "040 765 4321", "aino@example.fi", seeds.HETU, seeds.PHONE, seeds.EMAIL)


@pytest.fixture(scope="module")
def share(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("yo")
    folder = root / "jako"
    for name, (text, _) in ORDINARY.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, "utf-8")
    broken = folder / "vanhat"
    broken.mkdir()
    for path in (ROOT / "tests" / "fuzz" / "regressions").iterdir():
        if not path.name.endswith(".json"):
            shutil.copy(path, broken / path.name)
    for name, data in HOSTILE.items():
        (broken / name).write_bytes(data)
    (broken / "arkisto.zip").write_bytes(_zip_with_bad_members())
    (broken / "iso.xlsx").write_bytes(_xlsx(40))
    secrets = root / "salaisuudet"
    secrets.mkdir()
    for kind in ATTACKS:
        found = attack(kind, secrets)
        for reader in ("docx", "xlsx-sheet", "odt"):
            (broken / file_name(reader, kind)).write_bytes(build(reader, lambda xml, found=found: hostile(xml, found)))
    statement = root / "seloste.txt"
    statement.write_text(
        "Rekisterin tietosisältö\n\nAsiakkaan nimi, henkilötunnus, sähköpostiosoite ja puhelinnumero.\n", "utf-8"
    )
    (root / "harava.toml").write_text(
        '[history]\npath = "historia.db"\n\n[[registers]]\nname = "Asiakasrekisteri"\n'
        'statement = "seloste.txt"\nsources = ["jako"]\n'
    )
    return root


def _run(root: Path, *arguments: str) -> tuple[int, str, str]:
    done = subprocess.run(
        [sys.executable, "-c", "from scanner.cli import main; main()", *arguments],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,  # it must end by itself, long before this
        env={
            "PYTHONPATH": str(ROOT),
            "HARAVA_HASH_KEY": "0" * 64,
            "PATH": "/usr/bin:/bin",
            "XDG_STATE_HOME": str(root / "state"),
        },
    )
    return done.returncode, done.stdout, done.stderr


def test_a_nightly_scan_of_a_broken_share_finishes_with_everything_accounted_for(share):
    code, out, err = _run(
        share, "scan", "jako", "--format", "json", "--workers", "2", "--item-timeout", "60", "--no-progress"
    )
    assert code == 0, err
    report = json.loads(out)
    rows = report["findings"]
    for name, (_, entities) in ORDINARY.items():
        assert {r["entity"] for r in rows if r["source"] == f"jako/{name}" and r["entity"]} == entities, name
    unread = [r for r in rows if r["error"]]
    assert unread and all(r["code"] in CODES and r["coverage"] in ("partial", "skipped") for r in unread)
    named = {Path(r["source"]).name for r in unread}
    assert {"syva.json", "rikki.log.gz", "arkisto.zip"} <= named
    summary = report["summary"]
    items = sum(summary["coverage"].values())
    assert items == sum(1 for p in (share / "jako").rglob("*") if p.is_file())  # every file has a status
    assert summary["coverage"]["partial"] + summary["coverage"]["skipped"] >= len(named)
    assert "Traceback" not in err
    for value in RAW:  # never a raw value: not in an error text, not on standard error
        assert value not in err and not any(value in r["error"] for r in unread), value


def test_the_nightly_check_is_incomplete_and_says_why(share):
    code, out, err = _run(share, "check", "--config", "harava.toml", "--format", "json", "--no-progress")
    assert code == 2, err  # not 0 or 1: the systemd unit counts 1 as a good night
    [verdict] = json.loads(out)["registers"]
    assert verdict["status"] == "incomplete"
    assert verdict["coverage"]["gaps"] and set(verdict["coverage"]["gaps"]) <= set(CODES)
    assert "verdict on Asiakasrekisteri is incomplete" in err and "Traceback" not in err
    assert all(value not in err for value in RAW)


SCHEDULE = ROOT / "examples" / "schedule"
#: The example paths of the schedule files, and what each stands for.
HARAVA, CONFIG, STATE = "/srv/harava/.venv/bin/harava", "/etc/harava/harava.toml", "/var/lib/harava"


def _cron_command() -> str:
    [line] = [x for x in (SCHEDULE / "harava.cron").read_text("utf-8").splitlines() if re.match(r"^[0-9*]", x)]
    return line.split(None, 5)[5]


def _unit_value(text: str, key: str) -> str:
    [value] = [line.split("=", 1)[1] for line in text.splitlines() if line.startswith(f"{key}=")]
    return value


def test_the_cron_line_and_the_service_run_the_same_command():
    from scanner.init import nightly_command, systemd_exec

    command = nightly_command(HARAVA, CONFIG, "history.db", STATE)
    assert _cron_command() == command
    service = (SCHEDULE / "harava-check.service").read_text("utf-8")
    assert _unit_value(service, "ExecStart") == systemd_exec(command)
    assert _unit_value(service, "WorkingDirectory") == STATE
    assert _unit_value(service, "SuccessExitStatus") == "1"  # new undeclared data is a finding, not a failure
    # the same key file: hashes of the two would not match otherwise
    cron = (SCHEDULE / "harava.cron").read_text("utf-8")
    assert f"HARAVA_KEY_FILE={STATE}/hash.key" in cron.splitlines()
    assert _unit_value(service, "Environment") == f"HARAVA_KEY_FILE={STATE}/hash.key"
    for option in ("--since last", "--fail-on new-undeclared", "--history", "report"):
        assert option in command
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "examples/schedule/" in readme and "--since last --fail-on new-undeclared" in readme


def test_the_shipped_units_verify(tmp_path):
    """``systemd-analyze verify`` accepts the service and the timer, with the example paths made real."""
    if shutil.which("systemd-analyze") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("systemd-analyze is missing: install systemd (Debian package systemd) on the CI machine")
        pytest.skip("systemd-analyze is not installed (Debian package systemd); the units are not verified here")
    state, etc = tmp_path / "state", tmp_path / "etc"
    state.mkdir()
    etc.mkdir()
    (etc / "harava.toml").write_text("", "utf-8")
    units = tmp_path / "units"
    units.mkdir()
    for name in ("harava-check.service", "harava-check.timer"):
        text = (SCHEDULE / name).read_text("utf-8")
        text = text.replace(HARAVA, sys.executable).replace(CONFIG, str(etc / "harava.toml"))
        (units / name).write_text(text.replace(STATE, str(state)), "utf-8")
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *(str(units / n) for n in sorted(os.listdir(units)))],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=units,
    )
    assert done.returncode == 0, done.stderr
    assert "harava-check" not in done.stderr, done.stderr  # no warning about the units either


def test_the_nightly_command_prints_only_when_something_new_turned_up(tmp_path):
    """What cron mails: the first night (everything is new), nothing on a night without change, and the new
    undeclared finding on the night it appears — with the report written every night."""
    from scanner.init import nightly_command

    examples = tmp_path / "examples"
    shutil.copytree(ROOT / "examples", examples)
    state = tmp_path / "state"
    state.mkdir()
    harava = tmp_path / "harava"
    harava.write_text(f"#!/bin/sh\nexec {sys.executable} -c 'from scanner.cli import main; main()' \"$@\"\n")
    harava.chmod(0o755)
    command = nightly_command(str(harava), str(examples / "harava.toml"), "history.db", str(state))
    env = {"PYTHONPATH": str(ROOT), "HARAVA_KEY_FILE": str(state / "hash.key"), "PATH": "/usr/bin:/bin"}

    def night() -> tuple[int, str]:
        done = subprocess.run(["/bin/sh", "-c", command], capture_output=True, text=True, timeout=600, env=env)
        assert done.stderr == ""  # cron mails standard error too
        return done.returncode, done.stdout

    code, printed = night()
    assert code == 1 and "Recorded as run 1" in printed  # the first night: everything is new
    assert (state / "harava-report.html").stat().st_size > 0 and (state / "hash.key").exists()
    (state / "harava-report.html").unlink()
    assert night() == (0, "")  # nothing new: nothing to mail
    assert "run 2" in (state / "harava-report.html").read_text("utf-8")
    assert "Exit status 0" in (state / "harava-check.txt").read_text("utf-8")  # the night is still on file
    (examples / "share" / "Markkinointi" / "voittajat.txt").write_text("Voittaja Aino, hetu 131052-308T\n")
    code, printed = night()
    assert code == 1 and "131052-***T" in printed and "Recorded as run 3" in printed
    assert "131052-308T" not in printed
