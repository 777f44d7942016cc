"""`harava scan` and `harava detectors` end to end, on the bundled examples and on made-up shares."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from scanner.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "share"

# Every value planted in examples/share, by file: (location, entity, raw value).
PLANTED = {
    "Asiakaspalvelu/asiakkaat.csv": [
        ({"line": 2, "column": 7, "field": "etunimi"}, "PERSON", "Aino"),  # a column of names: each cell one
        ({"line": 2, "column": 12, "field": "sukunimi"}, "PERSON", "Mäkinen"),
        ({"line": 2, "column": 20, "field": "henkilötunnus"}, "FI_PERSONAL_IDENTITY_CODE", "131171Y906T"),
        ({"line": 2, "column": 32, "field": "puhelin"}, "PHONE_NUMBER", "040 370 9137"),
        ({"line": 2, "column": 45, "field": "sähköposti"}, "EMAIL_ADDRESS", "aino.makinen@example.fi"),
        ({"line": 3, "column": 7, "field": "etunimi"}, "PERSON", "Väinö"),
        ({"line": 3, "column": 13, "field": "sukunimi"}, "PERSON", "Järvinen"),
        ({"line": 3, "column": 22, "field": "henkilötunnus"}, "FI_PERSONAL_IDENTITY_CODE", "040639V974W"),
        ({"line": 3, "column": 34, "field": "puhelin"}, "PHONE_NUMBER", "+358 50 223 4302"),
        ({"line": 3, "column": 51, "field": "sähköposti"}, "EMAIL_ADDRESS", "vaino.j@example.fi"),
        ({"line": 4, "column": 7, "field": "etunimi"}, "PERSON", "Kerttu"),
        ({"line": 4, "column": 14, "field": "sukunimi"}, "PERSON", "Hämäläinen"),
        ({"line": 4, "column": 26, "field": "puhelin"}, "PHONE_NUMBER", "045 242 01 98"),
        ({"line": 4, "column": 40, "field": "sähköposti"}, "EMAIL_ADDRESS", "kerttu.hamalainen@example.fi"),
    ],
    "Asiakaspalvelu/tukipyynnot.log": [
        ({"line": 1, "column": 73}, "EMAIL_ADDRESS", "aino.makinen@example.fi"),
        ({"line": 1, "column": 109}, "IP_ADDRESS", "10.30.105.128"),
        ({"line": 3, "column": 72}, "EMAIL_ADDRESS", "vaino.j@example.fi"),
        ({"line": 3, "column": 103}, "IP_ADDRESS", "[2001:db8:7cfa::14f5]:51544"),
    ],
    "Henkilosto/muistio.txt": [
        ({"line": 3, "column": 17}, "PERSON", "Onni Laine"),
        ({"line": 4, "column": 15}, "FI_PERSONAL_IDENTITY_CODE", "070137V9118"),
        ({"line": 5, "column": 35}, "PHONE_NUMBER", "050-9583219"),
        ({"line": 5, "column": 71}, "PHONE_NUMBER", "09 4257 1234"),
        ({"line": 8, "column": 17}, "IBAN_CODE", "FI49 5000 9420 0287 30"),
        ({"line": 9, "column": 27}, "EMAIL_ADDRESS", "onni.laine@example.fi"),
    ],
    "Laskutus/toimittajat.json": [
        ({"field": "[0].ytunnus"}, "FI_BUSINESS_ID", "2420545-7"),
        ({"field": "[0].alv"}, "FI_BUSINESS_ID", "FI24559386"),
        ({"field": "[0].puhelin"}, "PHONE_NUMBER", "+358 40 957 8342"),
        ({"field": "[0].email"}, "EMAIL_ADDRESS", "toivo.laine@example.fi"),
        ({"field": "[1].ytunnus"}, "FI_BUSINESS_ID", "1663798-9"),
    ],
    "Markkinointi/tilaajat.html": [
        ({"line": 6}, "EMAIL_ADDRESS", "siiri.koskinen@example.fi"),  # a mailto: link
        ({"line": 6}, "PERSON", "Siiri Koskinen"),  # the link's text
        ({"line": 7}, "EMAIL_ADDRESS", "urho.nieminen@example.fi"),
        ({"line": 7}, "IP_ADDRESS", "192.0.2.44"),
    ],    # the shift-planning register: names, contacts, and health data its statement is silent about
    "Vuorosuunnittelu/RE_vuoromuutos.eml": [
        ({"header": "From"}, "PERSON", "Helmi Koskinen"),
        ({"header": "From"}, "EMAIL_ADDRESS", "helmi.koskinen@example.fi"),
        ({"header": "Received"}, "EMAIL_ADDRESS", "vuorot@example.fi"),
        ({"header": "Return-Path"}, "EMAIL_ADDRESS", "helmi.koskinen@example.fi"),
        ({"header": "To"}, "EMAIL_ADDRESS", "vuorot@example.fi"),
        ({"line": 3, "column": 6, "part": 1}, "HEALTH_DATA", "sairauslomalla"),
        ({"line": 3, "column": 78, "part": 1}, "HEALTH_DATA", "diagnoosi"),
        ({"line": 3, "column": 88, "part": 1}, "FI_DIAGNOSIS_CODE", "M54.5"),
        ({"line": 7, "column": 1, "part": 1}, "PERSON", "Helmi Koskinen"),
        ({"line": 8, "column": 6, "part": 1}, "PHONE_NUMBER", "044 902 4415"),
    ],
    "Vuorosuunnittelu/jasenmaksut_2026-10.csv": [
        ({"line": 1, "column": 20, "field": "ammattiliitto"}, "TRADE_UNION", "ammattiliitto"),
        ({"line": 2, "column": 6, "field": "nimi"}, "PERSON", "Aino Mäkelä"),
        ({"line": 3, "column": 6, "field": "nimi"}, "PERSON", "Juhani Heikkinen"),
    ],
    "Vuorosuunnittelu/poissaolot_2026-10.csv": [
        ({"line": 1, "column": 49, "field": "diagnoosi"}, "HEALTH_DATA", "diagnoosi"),
        ({"line": 2, "column": 6, "field": "nimi"}, "PERSON", "Aino Mäkelä"),
        ({"line": 2, "column": 40, "field": "poissaolon_syy"}, "HEALTH_DATA", "sairausloma"),
        ({"line": 2, "column": 52, "field": "diagnoosi"}, "FI_DIAGNOSIS_CODE", "J06.9"),
        ({"line": 3, "column": 6, "field": "nimi"}, "PERSON", "Helmi Koskinen"),
        ({"line": 3, "column": 43, "field": "poissaolon_syy"}, "HEALTH_DATA", "sairausloma"),
        ({"line": 3, "column": 55, "field": "diagnoosi"}, "FI_DIAGNOSIS_CODE", "M54.5"),
        ({"line": 4, "column": 6, "field": "nimi"}, "PERSON", "Juhani Heikkinen"),
        ({"line": 5, "column": 6, "field": "nimi"}, "PERSON", "Eero Salminen"),
        ({"line": 5, "column": 42, "field": "poissaolon_syy"}, "HEALTH_DATA", "sairausloma"),
        ({"line": 5, "column": 54, "field": "diagnoosi"}, "FI_DIAGNOSIS_CODE", "F43.0"),
    ],
    "Vuorosuunnittelu/vuorolista_2026-11.csv": [
        ({"line": 2, "column": 6, "field": "nimi"}, "PERSON", "Aino Mäkelä"),
        ({"line": 2, "column": 18, "field": "puhelin"}, "PHONE_NUMBER", "040 711 2034"),
        ({"line": 2, "column": 31, "field": "sahkoposti"}, "EMAIL_ADDRESS", "aino.makela@example.fi"),
        ({"line": 3, "column": 6, "field": "nimi"}, "PERSON", "Eero Salminen"),
        ({"line": 3, "column": 20, "field": "puhelin"}, "PHONE_NUMBER", "050 366 1870"),
        ({"line": 3, "column": 33, "field": "sahkoposti"}, "EMAIL_ADDRESS", "eero.salminen@example.fi"),
        ({"line": 4, "column": 6, "field": "nimi"}, "PERSON", "Helmi Koskinen"),
        ({"line": 4, "column": 21, "field": "puhelin"}, "PHONE_NUMBER", "044 902 4415"),
        ({"line": 4, "column": 34, "field": "sahkoposti"}, "EMAIL_ADDRESS", "helmi.koskinen@example.fi"),
        ({"line": 5, "column": 6, "field": "nimi"}, "PERSON", "Juhani Heikkinen"),
        ({"line": 5, "column": 23, "field": "puhelin"}, "PHONE_NUMBER", "040 255 0918"),
        ({"line": 5, "column": 36, "field": "sahkoposti"}, "EMAIL_ADDRESS", "juhani.heikkinen@example.fi"),
    ],
}


#: Entities whose finding is a keyword of a special category (shown in the masked value).
KEYWORDS = {"HEALTH_DATA", "TRADE_UNION", "RELIGION", "ETHNIC_ORIGIN", "CRIMINAL_RECORD", "TURVAKIELTO"}


def run(*args: str, cwd: Path = ROOT) -> tuple[int, str, str]:
    runner = CliRunner()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = runner.invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_examples_every_planted_value_exactly():
    code, out, err = run("scan", "examples/share", "--format", "jsonl", "--show-values", "--no-progress")
    assert code == 0, err
    rows = [r for r in jsonl(out) if r["error"] is None]
    got = sorted((r["source"], json.dumps(r["location"]), r["entity"], r["value"]) for r in rows)
    expected = sorted(
        (f"examples/share/{name}", json.dumps(location), entity, value)
        for name, planted in PLANTED.items()
        for location, entity, value in planted
    )
    assert got == expected
    assert all(r["member"] is None and r["detector"] and 0 < r["score"] <= 1 for r in rows)
    assert "Skipped: 1 binary file" in err
    temporary = [r for r in rows if r["entity"] == "FI_PERSONAL_IDENTITY_CODE"]
    assert {r["detail"] for r in temporary} == {"temporary identity code"}


def test_values_are_masked_unless_asked():
    code, out, _ = run("scan", "examples/share", "--format", "jsonl", "--no-progress")
    assert code == 0
    for planted in PLANTED.values():
        for _, entity, value in planted:
            if entity not in KEYWORDS:
                assert value not in out
    values = {r["value"] for r in jsonl(out)}
    # a special-category keyword is shown (it is the category's word, no person's), what follows it is not
    assert "diagnoosi" in values
    assert {"131171Y***T", "040 *** **37", "a***@example.fi", "10.30.*.*", "242****-7"} <= values


def test_table_is_the_default_and_shows_masked_values():
    code, out, err = run("scan", "examples/share", "--no-progress")
    assert code == 0
    assert "examples/share/Henkilosto/muistio.txt\n  3:17" in out and "\n  4:15 " in out
    assert "070137V***8" in out and "070137V9118" not in out
    assert f"Findings: {sum(map(len, PLANTED.values()))}" in err


def test_value_hash_is_keyed_and_stable(monkeypatch):
    def hashes() -> dict[str, str]:
        _, out, _ = run("scan", "examples/share", "--format", "jsonl", "--show-values", "--no-progress")
        return {r["value"]: r["value_hash"] for r in jsonl(out)}

    first = hashes()
    assert first == hashes()
    assert first["aino.makinen@example.fi"] != first["vaino.j@example.fi"]
    monkeypatch.setenv("HARAVA_HASH_KEY", "another-key-another-key-another-key")
    assert hashes()["aino.makinen@example.fi"] != first["aino.makinen@example.fi"]


def test_key_is_generated_once_and_private(monkeypatch, tmp_path):
    monkeypatch.delenv("HARAVA_HASH_KEY")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    run("scan", "examples/share/Henkilosto", "--no-progress")
    key_file = tmp_path / "harava" / "hash.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text()
    run("scan", "examples/share/Henkilosto", "--no-progress")
    assert key_file.read_text() == key


@pytest.mark.parametrize("fmt", ["json", "csv", "parquet"])
def test_other_formats_hold_the_same_findings(fmt, tmp_path):
    out_file = tmp_path / f"findings.{fmt}"
    code, _, _ = run("scan", "examples/share", "--format", fmt, "-o", str(out_file), "--no-progress")
    assert code == 0
    if fmt == "json":
        doc = json.loads(out_file.read_text("utf-8"))
        rows, summary = doc["findings"], doc["summary"]
        assert summary["files"] == 9 and summary["findings"]["EMAIL_ADDRESS"] == 17
        assert isinstance(rows[0]["location"], dict)
    elif fmt == "csv":
        import pyarrow.csv as pacsv

        rows = pacsv.read_csv(out_file).to_pylist()
        assert json.loads(rows[0]["location"]) == {"line": 2, "column": 7, "field": "etunimi"}
    else:
        rows = pq.read_table(out_file).to_pylist()
    assert len(rows) == sum(map(len, PLANTED.values()))
    assert {r["entity"] for r in rows} == {
        "FI_PERSONAL_IDENTITY_CODE",
        "FI_BUSINESS_ID",
        "PHONE_NUMBER",
        "EMAIL_ADDRESS",
        "IP_ADDRESS",
        "IBAN_CODE",
        "PERSON",
        "FI_DIAGNOSIS_CODE",
        "HEALTH_DATA",
        "TRADE_UNION",
    }


def test_entities_include_exclude():
    _, out, _ = run(
        "scan", "examples/share", "--format", "jsonl", "--entities", "IP_ADDRESS,FI_BUSINESS_ID", "--no-progress"
    )
    assert sorted(r["entity"] for r in jsonl(out)) == ["FI_BUSINESS_ID"] * 3 + ["IP_ADDRESS"] * 3
    _, out, _ = run(
        "scan", "examples/share", "--format", "jsonl", "--include", "*.log", "--include", "*.txt", "--no-progress"
    )
    assert {r["source"].rsplit("/", 1)[-1] for r in jsonl(out)} == {"tukipyynnot.log", "muistio.txt"}
    _, out, _ = run("scan", "examples/share", "--format", "jsonl", "--exclude", "Asiakaspalvelu", "--no-progress")
    assert not any("Asiakaspalvelu" in r["source"] for r in jsonl(out))


def test_usage_errors_exit_2():
    assert run("scan", "no/such/folder")[0] == 2
    code, _, err = run("scan", "examples/share", "--entities", "NOT_AN_ENTITY")
    assert code == 2 and "known:" in err
    assert run("scan")[0] == 2
    code, _, err = run("scan", "examples/share", "--config", "no/such.toml")
    assert code == 2 and "no such configuration file" in err
    code, _, err = run("scan", "examples/share", "--recognizers", "no/such.yaml")
    assert code == 2 and "no such recognizer file" in err


def test_workers_give_the_same_findings():
    _, one, _ = run("scan", "examples/share", "--format", "jsonl", "--no-progress")
    _, two, _ = run("scan", "examples/share", "--format", "jsonl", "--no-progress", "--workers", "2")
    assert sorted(one.splitlines()) == sorted(two.splitlines())


def test_unreadable_items_are_reported_and_the_scan_goes_on(tmp_path, monkeypatch):
    share = tmp_path / "share"
    share.mkdir()
    (share / "a.txt").write_text("puh. 040 123 4567\n")
    (share / "locked.txt").write_text("hetu 131052-308T\n")
    (share / "gone.txt").symlink_to(share / "missing.txt")
    real_open = os.open

    (share / "gone-soon.txt").write_text("hetu 131052-308T\n")

    def guarded_open(path, flags, *args):
        if str(path).endswith("locked.txt"):
            raise PermissionError(13, "Permission denied", str(path))
        if str(path).endswith("gone-soon.txt"):  # deleted between the walk and the read
            raise FileNotFoundError(2, "No such file or directory", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", guarded_open)
    code, out, err = run("scan", str(share), "--format", "jsonl", "--no-progress")
    assert code == 0
    rows = jsonl(out)
    assert [(Path(r["source"]).name, r["error"]) for r in rows if r["error"]] == [
        ("gone-soon.txt", "vanished during the scan"),
        ("locked.txt", "permission denied"),
    ]
    assert [r["entity"] for r in rows if not r["error"]] == ["PHONE_NUMBER"]
    assert "locked.txt: permission denied" in err
    assert "1 symbolic link (not followed)" in err


def test_detectors_lists_builtins():
    code, out, _ = run("detectors")
    assert code == 0
    for name, entity in [
        ("hetu", "FI_PERSONAL_IDENTITY_CODE"),
        ("ytunnus", "FI_BUSINESS_ID"),
        ("phone", "PHONE_NUMBER"),
        ("email", "EMAIL_ADDRESS"),
        ("ip", "IP_ADDRESS"),
    ]:
        assert any(line.split()[:2] == [name, entity] for line in out.splitlines())


def test_entry_point_plugin(tmp_path):
    """A third-party package registers a detector through the `harava.detectors` entry-point group."""
    site = tmp_path / "site"
    (site / "harava_plate").mkdir(parents=True)
    (site / "harava_plate" / "__init__.py").write_text(
        "from presidio_analyzer import Pattern, PatternRecognizer\n"
        "class Plate(PatternRecognizer):\n"
        "    def __init__(self):\n"
        "        super().__init__('FI_VEHICLE_PLATE', name='plate',\n"
        "                         patterns=[Pattern('plate', r'\\b[A-Z]{2,3}-\\d{1,3}\\b', 0.4)])\n"
    )
    dist = site / "harava_plate-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: harava-plate\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[harava.detectors]\nplate = harava_plate:Plate\n")
    (tmp_path / "auto.txt").write_text("Auto ABC-123 pysäköity\n")
    env = dict(os.environ, PYTHONPATH=f"{site}{os.pathsep}{ROOT}")
    listed = subprocess.run([sys.executable, "-m", "scanner", "detectors"], env=env, capture_output=True, text=True)
    assert "FI_VEHICLE_PLATE" in listed.stdout and "entry point plate" in listed.stdout
    scanned = subprocess.run(
        [
            sys.executable,
            "-m",
            "scanner",
            "scan",
            str(tmp_path / "auto.txt"),
            "--format",
            "jsonl",
            "--show-values",
            "--no-progress",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert [(r["entity"], r["value"]) for r in jsonl(scanned.stdout)] == [("FI_VEHICLE_PLATE", "ABC-123")]


def test_json_lines_escape_every_string():
    import pyarrow as pa

    from scanner.findings import SCHEMA
    from scanner.sinks import json_lines

    odd = 'a"b\\c\x01d\tä€'
    row = {
        "source": odd,
        "member": None,
        "location": '{"line": 1, "column": 2}',
        "entity": "EMAIL_ADDRESS",
        "value": odd,
        "value_hash": "h",
        "score": 0.85,
        "detector": "email",
        "detail": None,
        "error": None,
        "code": None,
        "coverage": None,
    }
    batch = pa.RecordBatch.from_pylist([row, {**row, "source": "plain"}], schema=SCHEMA)
    decoded = [json.loads(line) for line in json_lines(batch).to_pylist()]
    assert decoded[0] == {**row, "location": {"line": 1, "column": 2}}
    assert decoded[1]["source"] == "plain"


def test_walking_options_symlink_loops_hidden_and_size(tmp_path):
    share = tmp_path / "share"
    (share / "kansio" / ".piilo").mkdir(parents=True)
    (share / "kansio" / "a.txt").write_text("puh. 040 123 4567\n")
    (share / "kansio" / ".piilo" / "b.txt").write_text("hetu 131052-308T\n")
    (share / "iso.txt").write_text("x" * 5000 + " a@example.fi\n")
    (share / "kansio" / "takaisin").symlink_to(share, target_is_directory=True)  # a loop when followed
    (share / "linkki.txt").symlink_to(share / "kansio" / "a.txt")

    def entities(*options: str) -> tuple[list[tuple[str, str]], str]:
        code, out, err = run("scan", str(share), "--format", "jsonl", "--no-progress", *options)
        assert code == 0, err
        return sorted((r["source"].removeprefix(str(share) + "/"), r["entity"] or r["error"]) for r in jsonl(out)), err

    default, err = entities()
    assert default == [
        ("iso.txt", "EMAIL_ADDRESS"),
        ("kansio/.piilo/b.txt", "FI_PERSONAL_IDENTITY_CODE"),
        ("kansio/a.txt", "PHONE_NUMBER"),
    ]
    assert "2 symbolic links (not followed)" in err
    limited, err = entities("--skip-hidden", "--max-file-size", "1K")
    assert limited == [("iso.txt", "too large (5014 bytes; --max-file-size is 1024)"), ("kansio/a.txt", "PHONE_NUMBER")]
    followed, err = entities("--follow-symlinks")
    assert ("linkki.txt", "PHONE_NUMBER") in followed
    assert "symbolic link loop" in err and len(followed) == 4  # the link back up the tree is reported, not walked


def test_files_harava_writes_are_private(tmp_path):
    """Findings, histories and accepted-findings files describe personal data: only their owner reads them."""
    out, history = tmp_path / "loydot.jsonl", tmp_path / "historia.db"
    assert run("scan", "examples/share", "--format", "jsonl", "-o", str(out), "--history", str(history))[0] == 0
    accepted, report = tmp_path / "hyvaksytyt.toml", tmp_path / "raportti.json"
    config = str(ROOT / "examples" / "harava.toml")
    code, _, _ = run(
        "check", "--config", config, "--write-accepted", str(accepted), "--format", "json", "-o", str(report)
    )
    assert code == 1
    for path in (out, history, accepted, report):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


@pytest.mark.parametrize(
    ("raised", "status"), [(ValueError("hetu 131052-308T ei kelpaa"), 2), (KeyboardInterrupt(), 130)]
)
def test_an_unexpected_error_or_an_interrupt_is_never_status_1_and_quotes_no_value(monkeypatch, raised, status):
    """Exit 1 means "undeclared data found" to cron and systemd: a crash or an interrupt must not look like it."""
    import scanner.pipeline

    def broken(*args, **kwargs):
        raise raised

    monkeypatch.setattr(scanner.pipeline, "run", broken)
    code, _, err = run("scan", "examples/share/Henkilosto", "--no-progress")
    assert code == status
    assert "131052-308T" not in err and "Traceback" not in err
    assert ("ValueError" in err) if status == 2 else ("interrupted" in err)


def test_a_key_that_cannot_be_created_is_a_plain_error(monkeypatch, tmp_path):
    """A service user whose home is read-only (systemd ProtectHome=read-only) is told what to do."""
    import errno

    def read_only(self, *args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(self))

    monkeypatch.delenv("HARAVA_HASH_KEY")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setattr(Path, "mkdir", read_only)
    code, _, err = run("scan", "examples/share/Henkilosto", "--no-progress")
    assert code == 2 and "cannot create the hash key file" in err and "Read-only file system" in err, err
    assert "HARAVA_HASH_KEY" in err and "internal error" not in err


def test_the_table_has_a_header_and_aligned_columns_for_files_and_database_rows():
    code, out, _ = run("scan", "examples/share", "sqlite:///examples/crm.db", "--no-progress")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["LOCATION", "ENTITY", "VALUE", "SCORE", "DETAIL"]
    rows = [line for line in lines if line.startswith("  ")]
    entity_column = lines[0].index("ENTITY")
    assert all(line[entity_column - 2 : entity_column] == "  " and line[entity_column] != " " for line in rows)
    assert "  asiakkaat.hetu, id=1 " in out and "{" not in out


def test_entity_names_are_taken_in_any_case():
    _, upper, _ = run("scan", "examples/share", "--format", "jsonl", "--entities", "IP_ADDRESS", "--no-progress")
    code, lower, _ = run("scan", "examples/share", "--format", "jsonl", "--entities", "ip_address", "--no-progress")
    assert code == 0 and lower == upper and len(jsonl(lower)) == 3


def test_check_says_which_run_it_recorded_and_why_it_exits_so(tmp_path):
    config, history = str(ROOT / "examples" / "harava.toml"), str(tmp_path / "historia.db")
    code, _, err = run("check", "--config", config, "--history", history, "--no-progress")
    assert code == 1
    assert f"Recorded as run 1 in {history}." in err
    assert err.rstrip().splitlines()[-1] == (
        "Exit status 1: undeclared personal data in 4 registers (Asiakasrekisteri, Personalregister,"
        " Newsletter register, Vuorosuunnittelurekisteri)."
    )
    code, _, err = run("check", "--config", config, "--history", history, "--fail-on", "new-undeclared")
    assert code == 0 and "Recorded as run 2" in err
    assert err.rstrip().endswith("none of it new since run 1 (--fail-on new-undeclared).")


def test_a_missing_sqlite_file_names_the_path_tried_and_the_other_form(tmp_path):
    code, out, _ = run("scan", "sqlite:///examples/ei-ole.db", "--format", "jsonl", "--no-progress")
    assert code == 2
    message = jsonl(out)[0]["error"]
    assert f"{ROOT}/examples/ei-ole.db" in message and "sqlite:////examples/ei-ole.db" in message
    one_slash_short = f"sqlite://{ROOT}/examples/crm.db"  # sqlite:///work/…: relative to the current folder
    code, out, _ = run("scan", one_slash_short, "--format", "jsonl", "--no-progress", cwd=tmp_path)
    assert code == 2 and f"sqlite:///{ROOT}/examples/crm.db (that file exists)" in jsonl(out)[0]["error"]


def _commands(group=main, path=()):
    import click

    for name, command in group.commands.items():
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))


@pytest.mark.parametrize("path", [p for p, _ in _commands()], ids=" ".join)
def test_every_command_has_an_example_and_every_option_a_description_and_a_telling_metavar(path):
    import re

    import click

    command = dict(_commands())[path]
    code, out, _ = run(*path, "--help")
    assert code == 0 and re.search(r"Examples?:\n", out), out
    for option in command.params:
        if isinstance(option, click.Option):
            assert option.help, f"{path} {option.opts} has no description"
    assert not re.search(r"\b(TEXT|INTEGER|FLOAT|RANGE)\b", out), out
