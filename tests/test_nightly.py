"""The nightly run on a share of years of careless saving: one ``harava scan`` and one ``harava check`` over
ordinary files mixed with every broken and hostile kind the other tests build — the fuzzing's kept
inputs, XML attacks, deep nesting, corrupt compression, encrypted and unsupported members, a reader
that crashes — finish by themselves; every ordinary file's findings are there, every item that was not
read fully is named with its code and coverage, no raw value leaks, and the exit status says what
happened (a scan that finished: 0; a check whose sources were not all read: 2)."""

from __future__ import annotations

import json
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
    "asiakkaat/yhteystiedot.csv": ("nimi;sahkoposti\nAino;aino@example.fi\n", {"EMAIL_ADDRESS"}),
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
        env={"PYTHONPATH": str(ROOT), "HARAVA_HASH_KEY": "0" * 64, "PATH": "/usr/bin:/bin"},
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
