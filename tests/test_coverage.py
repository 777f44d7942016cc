"""Coverage per item: every item is read complete, partial (a limit was reached, or some members could not
be read; what was read counts) or skipped, with a reason code — in the output rows, the summary, the
history and the reports — and a register whose sources were not fully read is never judged ok."""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from tests.test_cli import jsonl, run

HETU = "131052-308T"


def _zip_with_bad_members() -> bytes:
    """A good member, one marked encrypted and one whose deflate stream is broken."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("hyva.txt", "sähköposti aino@example.fi\n")
        archive.writestr("salattu.txt", f"hetu {HETU}\n" * 50)
        archive.writestr("rikki.txt", "puhelin 040 123 4567\n" * 2000)
    data = bytearray(out.getvalue())
    for offset in _central_entries(data):
        name_length = int.from_bytes(data[offset + 28 : offset + 30], "little")
        name = bytes(data[offset + 46 : offset + 46 + name_length])
        if name == b"salattu.txt":  # the encryption bit, where zipfile looks for it
            data[offset + 8] |= 0x01
        if name == b"rikki.txt":
            local = int.from_bytes(data[offset + 42 : offset + 46], "little")
            start = local + 30 + len(name) + int.from_bytes(data[local + 28 : local + 30], "little")
            for index in range(start + 2, start + 40):
                data[index] ^= 0x5A
    return bytes(data)


def _central_entries(data: bytearray) -> list[int]:
    found, at = [], data.find(b"PK\x01\x02")
    while at != -1:
        found.append(at)
        at = data.find(b"PK\x01\x02", at + 4)
    return found


def _xlsx(cells: int) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Asiakkaat"
    sheet.append(["nimi", "email"])
    for number in range(cells // 2):
        sheet.append([f"Asiakas {number}", f"asiakas{number}@example.fi"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def share(tmp_path: Path) -> Path:
    folder = tmp_path / "jako"
    folder.mkdir()
    (folder / "muistio.txt").write_text(f"hetu {HETU}\n", "utf-8")
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (folder / "arkisto.zip").write_bytes(_zip_with_bad_members())
    (folder / "asiakkaat.xlsx").write_bytes(_xlsx(40))
    (folder / "vanha.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    return folder


def test_each_item_is_complete_partial_or_skipped_with_a_reason(share):
    code, out, err = run("scan", str(share), "--format", "json", "--no-progress", "--limit", "max_cells=12")
    assert code == 0, err
    report = json.loads(out)
    rows = [r for r in report["findings"] if r["error"]]
    named = {(Path(r["source"]).name, r["member"]): (r["code"], r["coverage"]) for r in rows}
    assert named == {
        ("arkisto.zip", "salattu.txt"): ("encrypted", "skipped"),
        ("arkisto.zip", "rikki.txt"): ("corrupt", "skipped"),
        ("asiakkaat.xlsx", "Asiakkaat"): ("limit", "partial"),  # 12 rows and cells visited, then the limit
        ("vanha.doc", None): ("unsupported-format", "skipped"),
    }
    assert "(max_cells)" in next(r["error"] for r in rows if r["code"] == "limit")
    found = {(Path(r["source"]).name, r["entity"]) for r in report["findings"] if r["entity"]}
    assert ("arkisto.zip", "EMAIL_ADDRESS") in found and ("asiakkaat.xlsx", "EMAIL_ADDRESS") in found
    emails = [r for r in report["findings"] if r["entity"] == "EMAIL_ADDRESS" and r["source"].endswith(".xlsx")]
    assert len(emails) == 3  # rows 2–4: 12 visits are 4 rows and their 8 cells, no more
    summary = report["summary"]
    assert summary["coverage"] == {"complete": 1, "partial": 2, "skipped": 2}
    assert summary["reasons"] == {"binary": 1, "corrupt": 1, "encrypted": 1, "limit": 1, "unsupported-format": 1}
    assert "Coverage: 1 complete, 2 partial, 2 skipped" in err
    assert HETU not in out and HETU not in err


def test_the_same_coverage_in_every_output_format(share, tmp_path):
    import pyarrow.parquet as pq

    target = tmp_path / "loydot.parquet"
    code, _, err = run("scan", str(share), "--format", "parquet", "-o", str(target), "--no-progress")
    assert code == 0, err
    table = pq.read_table(target).to_pylist()
    assert sorted((r["code"], r["coverage"]) for r in table if r["error"]) == [
        ("corrupt", "skipped"),
        ("encrypted", "skipped"),
        ("unsupported-format", "skipped"),
    ]
    assert all(r["code"] is None and r["coverage"] is None for r in table if r["entity"])


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("max_cells=0", "at least 1"),
        ("max_cels=5", "unknown limit 'max_cels'; the limits are: max_depth"),
        ("max_cells", "expected NAME=N"),
    ],
)
def test_a_wrong_limit_is_a_usage_error(share, given, message):
    code, _, err = run("scan", str(share), "--limit", given)
    assert code == 2 and message in err and "Traceback" not in err


def _config(tmp_path: Path, share: Path, extra: str = "") -> Path:
    statement = tmp_path / "seloste.txt"
    statement.write_text(
        "Rekisterin tietosisältö\n\nAsiakkaan nimi, henkilötunnus, sähköpostiosoite ja puhelinnumero.\n", "utf-8"
    )
    config = tmp_path / "harava.toml"
    config.write_text(
        f'{extra}[history]\npath = "historia.db"\n\n'
        f'[[registers]]\nname = "Asiakasrekisteri"\nstatement = "{statement.name}"\nsources = ["{share.name}"]\n'
    )
    return config


def test_a_register_whose_sources_were_not_fully_read_is_incomplete_never_ok(share, tmp_path):
    config = _config(tmp_path, share)
    code, out, err = run("check", "--config", str(config), "--format", "json", "--no-progress")
    assert code == 2, err  # everything found is declared, but what was not read could hold anything
    [verdict] = json.loads(out)["registers"]
    assert verdict["status"] == "incomplete" and verdict["undeclared"] == []
    assert verdict["coverage"] == {
        "complete": 2,
        "partial": 1,
        "skipped": 2,
        "unread": {"binary": 1, "corrupt": 1, "encrypted": 1, "unsupported-format": 1},
        "gaps": {"corrupt": 1, "encrypted": 1, "unsupported-format": 1},  # a picture is accepted by default
        "unreachable": [],
    }
    code, out, _ = run("check", "--config", str(config), "--no-progress")
    assert "[INCOMPLETE]" in out and "(so the verdict is incomplete)" in out

    # the history keeps the run's coverage and each error's code; the reports show them
    with sqlite3.connect(tmp_path / "historia.db") as db:
        coverage = [json.loads(c) for (c,) in db.execute("SELECT coverage FROM runs")]
        codes = sorted(c for (c,) in db.execute("SELECT code FROM errors"))
    assert coverage[-1] == {"complete": 2, "partial": 1, "skipped": 2, "reasons": verdict["coverage"]["unread"]}
    assert codes == ["corrupt", "corrupt", "encrypted", "encrypted", "unsupported-format", "unsupported-format"]
    code, html, err = run("report", "--history", str(tmp_path / "historia.db"), "--format", "html")
    assert code == 0, err
    assert "Incomplete: not everything could be read" in html and "counted against the verdict" in html
    assert "[encrypted]" in html


def test_accepted_codes_make_the_verdict_the_one_the_data_gives(share, tmp_path):
    config = _config(tmp_path, share, 'accept_unread = ["binary", "corrupt", "encrypted", "unsupported-format"]\n')
    code, out, err = run("check", "--config", str(config), "--format", "json", "--no-progress")
    assert code == 0, err
    [verdict] = json.loads(out)["registers"]
    assert verdict["status"] == "ok" and verdict["coverage"]["gaps"] == {}


def test_a_code_the_configuration_does_not_know_is_an_error_with_its_line(share, tmp_path):
    config = _config(tmp_path, share, 'accept_unread = ["binary", "salattu"]\n')
    code, _, err = run("check", "--config", str(config))
    assert code == 2 and "harava.toml:1: accept_unread: unknown code 'salattu'" in err
    config = _config(tmp_path, share, "[limits]\nmax_cells = -1\n\n")
    code, _, err = run("check", "--config", str(config))
    assert code == 2 and "limits.max_cells: limit max_cells must be a whole number of at least 1" in err


def test_a_history_from_before_coverage_is_upgraded_in_place(share, tmp_path):
    """A history written before these columns existed gains them on first use; its runs stay readable."""
    history = tmp_path / "historia.db"
    with sqlite3.connect(history) as db:
        db.executescript(
            """
            CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, started VARCHAR(32) NOT NULL,
                finished VARCHAR(32), config TEXT, status INTEGER, version VARCHAR(32), signature VARCHAR(64));
            CREATE TABLE errors (run_id INTEGER NOT NULL, source TEXT NOT NULL, error TEXT NOT NULL);
            CREATE TABLE files (run_id INTEGER NOT NULL, path TEXT NOT NULL, size BIGINT NOT NULL,
                mtime_ns BIGINT NOT NULL);
            INSERT INTO runs VALUES (1, '2026-01-01T00:00:00+00:00', '2026-01-01T00:01:00+00:00', 'x', 0, '0.1', 'y');
            INSERT INTO errors VALUES (1, 'vanha.pdf', 'corrupt PDF');
            """
        )
    config = _config(tmp_path, share)
    code, _, err = run("check", "--config", str(config), "--no-progress")
    assert code == 2, err
    with sqlite3.connect(history) as db:
        assert db.execute("SELECT code FROM errors WHERE run_id = 1").fetchall() == [(None,)]
        assert db.execute("SELECT count(*) FROM runs WHERE coverage IS NOT NULL").fetchone() == (1,)
    code, out, err = run("report", "1", "--history", str(history), "--format", "md")
    assert code == 0 and "vanha.pdf: corrupt PDF" in out, err


def test_formats_read_whole_are_bounded_by_max_member(tmp_path):
    """RTF and .xls readers need the whole file in memory: beyond max_member they are reported, not read."""
    (tmp_path / "kirje.rtf").write_bytes(b"{\\rtf1\\ansi " + b"aino@example.fi \\par " * 200 + b"}")
    code, out, err = run("scan", str(tmp_path), "--format", "jsonl", "--no-progress", "--limit", "max_member=1000")
    assert code == 0, err
    [row] = jsonl(out)
    assert (row["code"], row["coverage"]) == ("too-large", "skipped") and "(max_member)" in row["error"]
    code, out, _ = run("scan", str(tmp_path), "--format", "jsonl", "--no-progress")
    assert len([r for r in jsonl(out) if r["entity"] == "EMAIL_ADDRESS"]) == 200
