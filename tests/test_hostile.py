"""Broken and hostile files: each is named with its reason, no raw value leaks, and the rest of the share is
still read — one bad file never ends a nightly run."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from pathlib import Path

import pytest

from tests.test_cli import jsonl, run

HETU = "131052-308T"


def _xlsx_number_cell_holding_text() -> bytes:
    """A cell typed as a number (t="n") whose value is an identity code: openpyxl raises on it, and its
    error message quotes the value."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active["A1"] = 1
    plain = io.BytesIO()
    book.save(plain)
    source, out = zipfile.ZipFile(io.BytesIO(plain.getvalue())), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<v>1</v>", f"<v>{HETU}</v>".encode())
            target.writestr(name, data)
    return out.getvalue()


def _corrupt_gzip() -> bytes:
    data = bytearray(gzip.compress(b"yhteys osoitteesta 192.0.2.1\n" * 5000))
    for index in range(20, 60):  # inside the deflate stream, past the header
        data[index] ^= 0x55
    return bytes(data)


HOSTILE = {
    "syva.json": ("[" * 200_000 + "]" * 200_000).encode(),  # deeper than Python's recursion limit
    "syva.jsonl": ('{"a": ' * 5_000 + f'"{HETU}"' + "}" * 5_000 + "\n").encode(),
    "rikki.log.gz": _corrupt_gzip(),
    "numerot.xlsx": _xlsx_number_cell_holding_text(),
}


@pytest.fixture
def share(tmp_path: Path) -> Path:
    folder = tmp_path / "jako"
    folder.mkdir()
    for name, data in HOSTILE.items():
        (folder / name).write_bytes(data)
    (folder / "tavallinen.txt").write_text(f"hetu {HETU}, puh. 040 123 4567\n", "utf-8")
    return folder


def test_a_share_of_hostile_files_is_scanned_to_the_end(share):
    code, out, err = run("scan", str(share), "--format", "jsonl", "--no-progress")
    assert code == 0, err
    rows = jsonl(out)
    assert sorted((Path(r["source"]).name, r["entity"]) for r in rows if r["entity"]) == [
        ("tavallinen.txt", "FI_PERSONAL_IDENTITY_CODE"),
        ("tavallinen.txt", "PHONE_NUMBER"),
    ]
    failed = {Path(r["source"]).name: r["error"] for r in rows if r["error"]}
    assert set(failed) == set(HOSTILE)
    assert "RecursionError" in failed["syva.json"] and "zlib.error" in failed["rikki.log.gz"]
    assert all(name in err for name in HOSTILE)  # each named on standard error and in the summary
    assert HETU not in err and HETU not in out  # never a raw value, not even the one quoted by a parser


def test_check_reports_the_broken_files_and_still_judges_the_rest(share, tmp_path):
    statement = tmp_path / "seloste.txt"
    statement.write_text("Rekisterin tietosisältö\n\nAsiakkaan nimi ja puhelinnumero.\n", "utf-8")
    config = tmp_path / "harava.toml"
    config.write_text(f'[[registers]]\nname = "R"\nstatement = "{statement.name}"\nsources = ["{share.name}"]\n')
    code, out, err = run("check", "--config", str(config), "--format", "json", "--no-progress")
    assert code == 1, err  # the identity code in the ordinary file is undeclared
    report = json.loads(out)
    assert [u["entity"] for u in report["registers"][0]["undeclared"]] == ["FI_PERSONAL_IDENTITY_CODE"]
    assert {Path(e["source"]).name for e in report["errors"]} == set(HOSTILE)
    assert HETU not in out and HETU not in err
