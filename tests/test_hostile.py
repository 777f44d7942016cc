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
        ("numerot.xlsx", "FI_PERSONAL_IDENTITY_CODE"),  # a cell typed as a number holding text is read as text
        ("tavallinen.txt", "FI_PERSONAL_IDENTITY_CODE"),
        ("tavallinen.txt", "PHONE_NUMBER"),
    ]
    failed = {Path(r["source"]).name: r["error"] for r in rows if r["error"]}
    assert set(failed) == set(HOSTILE) - {"numerot.xlsx"}
    assert "(max_nesting)" in failed["syva.json"] and "zlib.error" in failed["rikki.log.gz"]
    codes = {Path(r["source"]).name: r["code"] for r in rows if r["error"]}
    assert codes == {"syva.json": "limit", "syva.jsonl": "limit", "rikki.log.gz": "corrupt"}
    assert all(name in err for name in failed)  # each named on standard error and in the summary
    assert HETU not in err and HETU not in out  # never a raw value, not even the one quoted by a parser


def test_check_reports_the_broken_files_and_still_judges_the_rest(share, tmp_path):
    statement = tmp_path / "seloste.txt"
    statement.write_text("Rekisterin tietosisältö\n\nAsiakkaan nimi ja puhelinnumero.\n", "utf-8")
    config = tmp_path / "harava.toml"
    config.write_text(f'[[registers]]\nname = "R"\nstatement = "{statement.name}"\nsources = ["{share.name}"]\n')
    code, out, err = run("check", "--config", str(config), "--format", "json", "--no-progress")
    assert code == 2, err  # what could not be read could hold anything: never a clean verdict
    report = json.loads(out)
    [verdict] = report["registers"]
    assert verdict["status"] == "incomplete" and "verdict on R is incomplete" in err
    assert verdict["coverage"]["gaps"] == {"corrupt": 1, "limit": 2}
    assert [u["entity"] for u in verdict["undeclared"]] == ["FI_PERSONAL_IDENTITY_CODE"]  # still judged
    assert {Path(e["source"]).name for e in report["errors"]} == {"syva.json", "syva.jsonl", "rikki.log.gz [rikki.log]"}
    assert HETU not in out and HETU not in err

    # a DPO who has looked at these may accept such gaps: the verdict is then the one the data gives
    config.write_text(config.read_text() + 'accept_unread = ["corrupt", "limit"]\n')
    code, out, err = run("check", "--config", str(config), "--format", "json", "--no-progress")
    assert code == 1, err
    [verdict] = json.loads(out)["registers"]
    assert verdict["status"] == "undeclared" and verdict["coverage"]["gaps"] == {}


@pytest.fixture
def traps():
    """Readers that crash the process or never return, as C libraries can on hostile bytes (registered in
    this process; forked workers inherit them)."""
    import os
    import signal
    import time

    from scanner.extract import cells_piece, extractor, unregister

    @extractor("test-crash", priority=5, magic=[b"HARAVA-CRASH"])
    def crash(stream, *args):
        os.kill(os.getpid(), signal.SIGSEGV)
        yield from ()

    @extractor("test-hang", priority=6, magic=[b"HARAVA-HANG"])
    def hang(stream, *args):
        time.sleep(3600)
        yield from ()

    @extractor("test-half", priority=7, magic=[b"HARAVA-HALF"])
    def half(stream, name, member, *args):
        """Reads the first line, then dies."""
        yield cells_piece(member, [stream.read().decode().split("\n")[1]], [{"line": 2}])
        os.kill(os.getpid(), signal.SIGSEGV)

    @extractor("test-hog", priority=8, magic=[b"HARAVA-HOG"])
    def hog(stream, *args):
        """Takes memory 100 MB at a time, as a decompressor fed a bomb would."""
        held = []
        for _ in range(40):
            held.append(bytearray(100 << 20))
            time.sleep(0.2)
        yield from ()

    yield
    for kind in ("test-crash", "test-hang", "test-half", "test-hog"):
        unregister(kind)


def test_findings_sent_before_a_reader_died_are_kept_and_counted(traps, tmp_path):
    (tmp_path / "puolikas.dat").write_bytes(b"HARAVA-HALF\nkirjoita aino@example.fi\n")
    code, out, err = run("scan", str(tmp_path), "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    assert [f["entity"] for f in report["findings"] if f["entity"]] == ["EMAIL_ADDRESS"]
    assert report["summary"]["findings"] == {"EMAIL_ADDRESS": 1}
    assert [e["error"] for e in report["summary"]["errors"]] == ["crashed: the reader died of SIGSEGV"]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_reader_that_crashes_or_hangs_fails_its_item_and_the_run_goes_on(traps, tmp_path, workers):
    import time

    share = tmp_path / "jako"
    share.mkdir()
    (share / "a.txt").write_text("puh. 040 123 4567\n", "utf-8")  # read in one group with the three below
    (share / "b-kaatuu.dat").write_bytes(b"HARAVA-CRASH " + HETU.encode())
    (share / "c-jumittaa.dat").write_bytes(b"HARAVA-HANG " + HETU.encode())
    (share / "d.txt").write_text("aino@example.fi\n", "utf-8")
    started = time.monotonic()
    code, out, err = run("scan", str(share), "--format", "jsonl", "--workers", workers, "--item-timeout", "2")
    assert code == 0, err
    assert time.monotonic() - started < 30  # the hang cost its time limit, not the night
    rows = jsonl(out)
    assert sorted((Path(r["source"]).name, r["entity"]) for r in rows if r["entity"]) == [
        ("a.txt", "PHONE_NUMBER"),
        ("d.txt", "EMAIL_ADDRESS"),
    ]
    failed = {Path(r["source"]).name: r["error"] for r in rows if r["error"]}
    assert failed == {
        "b-kaatuu.dat": "crashed: the reader died of SIGSEGV",
        "c-jumittaa.dat": "timeout: still reading after 2 s (--item-timeout)",
    }
    assert "Scanned 2 files" in err and "Could not read 2 items" in err


def test_a_reader_that_takes_too_much_memory_is_stopped_and_its_item_reported(traps, tmp_path):
    (tmp_path / "a.txt").write_text("puh. 040 123 4567\n", "utf-8")
    (tmp_path / "pommi.dat").write_bytes(b"HARAVA-HOG")
    code, out, err = run("scan", str(tmp_path), "--format", "jsonl", "--max-memory", "1200M", "--no-progress")
    assert code == 0, err
    rows = jsonl(out)
    assert [r["entity"] for r in rows if r["entity"]] == ["PHONE_NUMBER"]
    [failed] = [r for r in rows if r["error"]]
    assert failed["source"].endswith("pommi.dat") and (failed["code"], failed["coverage"]) == ("too-large", "skipped")
    assert "more than 1200 MiB of memory (--max-memory)" in failed["error"]


def test_an_arrow_file_whose_offsets_point_past_its_data_is_reported_not_read(tmp_path):
    """Arrow's kernels trust an IPC file's offsets: these send them 2 GB past the data, which crashed the
    worker (SIGSEGV). Each batch is now validated first, so the file is reported corrupt."""
    import struct

    import pyarrow as pa
    import pyarrow.ipc as ipc

    sink = io.BytesIO()
    table = pa.table({"email": ["aino@example.fi"] * 4})
    with ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    data = bytearray(sink.getvalue())
    offsets = data.find(struct.pack("<5i", 0, 15, 30, 45, 60))
    data[offsets : offsets + 20] = struct.pack("<5i", 0, 15, 30, 45, 0x7FFF0000)
    (tmp_path / "vientitiedosto.arrow").write_bytes(bytes(data))
    (tmp_path / "muistio.txt").write_text("puh. 040 123 4567\n", "utf-8")
    code, out, err = run("scan", str(tmp_path), "--format", "jsonl")
    assert code == 0, err
    rows = jsonl(out)
    assert [r["entity"] for r in rows if r["entity"]] == ["PHONE_NUMBER"]
    [failed] = [r for r in rows if r["error"]]
    assert failed["source"].endswith("vientitiedosto.arrow") and failed["code"] == "corrupt"
    assert failed["error"].startswith("corrupt Arrow/Feather file: ")


@pytest.mark.parametrize(("sent", "status"), [("SIGINT", 130), ("SIGTERM", 143)])
def test_a_stopped_scan_leaves_no_output_that_looks_complete_and_an_unfinished_history_run(
    traps, tmp_path, sent, status
):
    """Stopped mid-run (Ctrl-C, a service stopped): no findings file that looks whole, the history run kept
    as interrupted, and an exit status that is neither 0 nor 1."""
    import signal
    import sqlite3
    import subprocess
    import sys
    import time

    from tests.test_cli import ROOT

    share = tmp_path / "jako"
    share.mkdir()
    # over the size of a small file, which would be read (and reported) together with b.dat
    (share / "a.txt").write_text("puh. 040 123 4567\n" + "x" * 70_000 + "\n", "utf-8")
    (share / "b.dat").write_bytes(b"HARAVA-HANG")  # keeps the run busy until it is stopped
    out, history = tmp_path / "loydot.jsonl", tmp_path / "historia.db"
    code = (
        "from scanner.extract import extractor\n"
        "import time\n"
        "@extractor('test-hang', priority=6, magic=[b'HARAVA-HANG'])\n"
        "def hang(stream, *args):\n"
        "    time.sleep(3600)\n"
        "    yield from ()\n"
        "from scanner.cli import main\n"
        f"main(['scan', {str(share)!r}, '--format', 'jsonl', '-o', {str(out)!r}, '--history', {str(history)!r},"
        " '--no-progress'])\n"
    )
    process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not any(p.name.endswith(".partial") for p in tmp_path.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)  # a.txt is read, b.dat hangs
    process.send_signal(getattr(signal, sent))
    _, err = process.communicate(timeout=60)
    assert process.returncode == status, err
    assert "interrupted" in err
    assert "Interrupted — read so far:\nScanned 1 file," in err  # how far the stopped run got
    assert sorted(p.name for p in tmp_path.iterdir()) == ["historia.db", "jako"]  # no findings file at all
    with sqlite3.connect(history) as db:
        assert db.execute("SELECT status, finished FROM runs").fetchall() == [(status, None)]


@pytest.mark.parametrize("swap", ["fifo", "symlink"])
def test_a_file_swapped_after_the_listing_is_neither_followed_nor_waited_for(tmp_path, monkeypatch, swap):
    """Between listing and reading, a file becomes a FIFO (open would block forever) or a symbolic link
    (to something outside the share): it is reported, not read, and the run goes on."""
    import os

    import scanner.pipeline
    from scanner.sources.files import FileItem

    share = tmp_path / "jako"
    share.mkdir()
    (share / "a.txt").write_text("aino@example.fi\n", "utf-8")
    secret = tmp_path / "muualla.txt"
    secret.write_text(f"hetu {HETU}\n", "utf-8")
    swapped = share / "b.txt"
    real_walk = scanner.pipeline.walk

    def listing_then_swap(targets, options):
        yield from real_walk(targets, options)
        if swap == "fifo":
            os.mkfifo(swapped)
        else:
            swapped.symlink_to(secret)
        yield FileItem(str(swapped), str(swapped), 20, 0)  # as it was listed: a regular file of 20 bytes

    monkeypatch.setattr(scanner.pipeline, "walk", listing_then_swap)
    code, out, err = run("scan", str(share), "--format", "jsonl", "--show-values", "--item-timeout", "20")
    assert code == 0, err
    rows = jsonl(out)
    assert [r["value"] for r in rows if r["entity"]] == ["aino@example.fi"]  # never the secret's code
    [failed] = [r for r in rows if r["error"]]
    expected = "no longer a regular file" if swap == "fifo" else "replaced by a symbolic link"
    assert failed["source"] == str(swapped) and expected in failed["error"]
