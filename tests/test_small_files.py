"""Small files are read in groups, with one engine pass over all their text: the same findings as file
by file, and no context from one file reaching into the next."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa

from scanner.scan import Scanner, ScanOptions, Summary
from scanner.sources.files import FileItem, walk
from scanner.supervisor import GROUP_FILES, SMALL_FILE, Group, grouped

KEY = b"small-files-test-key-0123456789ab"


def share(root: Path) -> Path:
    """Small files of several formats, as a share has them."""
    root.mkdir()
    for n in range(40):
        (root / f"muistio{n:02}.txt").write_text(f"Soita {n}: puh. 040 123 45{n:02}\nkiitos\n", "utf-8")
    (root / "asiakkaat.csv").write_text("nimi;puhelin\nAino;358401234567\n", "utf-8")  # the header is context
    (root / "tilaus.json").write_text(json.dumps({"asiakas": {"email": "aino@example.fi", "version": "4.12.0.1"}}))
    (root / "sivu.html").write_text("<p>Yhteys: <a href='mailto:eino@example.fi'>Eino</a></p><!-- 192.0.2.7 -->")
    (root / "rikki.zip").write_bytes(b"PK\x03\x04 not a zip")
    (root / "tyhja.txt").write_text("", "utf-8")
    return root


def rows(batches) -> list[str]:
    return sorted(json.dumps(r, sort_keys=True) for b in batches for r in b.to_pylist())


def test_a_group_finds_what_file_by_file_finds(tmp_path):
    items = [i for i in walk([str(share(tmp_path / "jako"))]) if isinstance(i, FileItem)]
    scanner = Scanner(ScanOptions(key=KEY))
    one_by_one, summaries = [], []
    for item in items:
        summary = Summary()
        one_by_one.extend(scanner.scan_item(item, summary))
        summaries.append(summary)
    together, reported = [], {}
    for kind, index, payload in scanner.scan_group(items):
        if kind == "batch":
            together.append(payload)
        elif kind == "done":
            reported[index] = payload
    assert rows(together) == rows(one_by_one) and len(rows(together)) > 40
    assert sorted(reported) == list(range(len(items)))
    for index, summary in enumerate(summaries):
        assert (reported[index].files, reported[index].findings) == (summary.files, summary.findings)
        assert reported[index].errors == summary.errors


def test_no_context_from_one_file_reaches_the_next():
    from detectors import load_detectors
    from scanner.engine import Engine

    engine = Engine([d.recognizer for d in load_detectors(entry_points=False)])
    texts = [(pa.array(["puhelin:"]), None, None), (pa.array(["358401234567"]), None, None)]
    assert [len(h) for h in engine.scan_many(texts)] == [0, 0]  # a bare 358… needs context of its own
    joined = engine.scan(pa.array(["puhelin:", "358401234567"]))
    assert len(joined) == 1  # the same lines as one text: the line above is context


def test_small_files_are_grouped_and_others_are_not(tmp_path):
    small = [("s", FileItem(f"{n}", str(tmp_path / f"{n}"), 100)) for n in range(GROUP_FILES + 3)]
    big = ("b", FileItem("big", str(tmp_path / "big"), SMALL_FILE + 1))
    work = list(grouped([small[0], big, *small[1:]]))
    assert work[0] == small[0]  # a lone small file stays an item
    assert work[1] == big
    assert isinstance(work[2][1], Group) and len(work[2][1].members) == GROUP_FILES
    assert isinstance(work[3][1], Group) and len(work[3][1].members) == 2


def test_a_scan_in_this_process_reads_small_files_in_groups_and_finds_what_workers_find(tmp_path):
    """``--workers 0`` groups small files as the workers do (it took 36 ms a file read one by one) and
    reports the same findings and the same summary."""
    from tests.test_cli import run

    folder = share(tmp_path / "jako")
    outputs = {}
    for workers in ("0", "1"):
        code, out, err = run("scan", str(folder), "--workers", workers, "--format", "json", "--no-progress")
        assert code == 0, err
        report = json.loads(out)
        outputs[workers] = (
            sorted(json.dumps(f, sort_keys=True) for f in report["findings"]),
            {k: report["summary"][k] for k in ("files", "bytes", "findings", "errors")},
        )
    assert outputs["0"] == outputs["1"]
    assert outputs["0"][1]["files"] == 45 and outputs["0"][1]["findings"]["PHONE_NUMBER"] == 41
