"""The extractor registry: every format is reachable, the order is explicit, and a new format is one
decorated function."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import tarfile
import zipfile
from pathlib import Path

import pytest

from scanner.extract import (
    Limits,
    Piece,
    Skipped,
    Unreadable,
    extract,
    extractor,
    formats,
    kind_of,
    unregister,
)
from tests.test_formats import _odf, docx_bytes, xlsx_bytes
from tests.test_registers import _pdf

NEEDLE = "aino@example.fi"
LINE = f"Yhteys: {NEEDLE}\n".encode()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _tar(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _office(tmp_path: Path) -> dict[str, list[tuple[str, bytes, str | None]]]:
    import py7zr
    import xlwt
    from pptx import Presentation

    deck = Presentation()
    deck.slides.add_slide(deck.slide_layouts[5]).shapes.title.text = NEEDLE
    pptx = io.BytesIO()
    deck.save(pptx)
    book = xlwt.Workbook()
    book.add_sheet("A").write(0, 0, NEEDLE)
    xls = io.BytesIO()
    book.save(xls)
    with py7zr.SevenZipFile(tmp_path / "x.7z", "w") as archive:
        archive.writestr(LINE, "a.txt")
    return {
        "odf": [("muistio.odt", _odf("text", f"<office:text><text:p>{NEEDLE}</text:p></office:text>"), NEEDLE)],
        "xlsx": [("asiakkaat.xlsx", xlsx_bytes(), "eino@example.fi")],
        "docx": [("sopimus.docx", docx_bytes(), "sopimukset@example.fi")],
        "pptx": [("esitys.pptx", pptx.getvalue(), NEEDLE)],
        "pdf": [("kirje.pdf", _pdf([f"Yhteys: {NEEDLE}"]), NEEDLE)],
        "xls": [("vanha.xls", xls.getvalue(), NEEDLE)],
        "ole2": [("vanha.doc", xls.getvalue(), None)],  # an OLE2 container not named .xls
        "7z": [("arkisto.7z", (tmp_path / "x.7z").read_bytes(), NEEDLE)],
    }


def _tables() -> dict[str, list[tuple[str, bytes, str | None]]]:
    import pyarrow as pa
    import pyarrow.feather as feather
    import pyarrow.ipc as ipc
    import pyarrow.parquet as pq

    table = pa.table({"email": [NEEDLE]})
    parquet, arrow_file, arrow_stream = io.BytesIO(), io.BytesIO(), io.BytesIO()
    pq.write_table(table, parquet)
    feather.write_feather(table, arrow_file)
    with ipc.new_stream(arrow_stream, table.schema) as writer:
        writer.write_table(table)
    return {
        "parquet": [("taulu.parquet", parquet.getvalue(), NEEDLE)],
        "arrow": [
            ("taulu.bin", arrow_file.getvalue(), NEEDLE),  # by its ARROW1 magic
            ("taulu.arrow", arrow_stream.getvalue(), NEEDLE),  # a stream has no magic: by name
        ],
    }


def _sqlite(tmp_path: Path) -> bytes:
    import sqlite3

    path = tmp_path / "crm.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE asiakkaat (email TEXT)")
        db.execute("INSERT INTO asiakkaat VALUES (?)", (NEEDLE,))
    return path.read_bytes()


def samples(tmp_path: Path) -> dict[str, list[tuple[str, bytes, str | None]]]:
    """kind -> small files of that kind as (name, bytes, a text expected among the pieces, or None when
    the file is to be reported rather than read)."""
    mail = b"From: Aino <" + NEEDLE.encode() + b">\nTo: b@example.fi\nSubject: Hei\n\nTerveisin\n"
    return {
        **_office(tmp_path),
        **_tables(),
        "zip": [("arkisto.zip", _zip({"a.txt": LINE}), NEEDLE)],
        "tar": [("arkisto.tar", _tar({"a.txt": LINE}), NEEDLE)],
        "gzip": [("a.txt.gz", gzip.compress(LINE), NEEDLE)],
        "bzip2": [("a.txt.bz2", bz2.compress(LINE), NEEDLE)],
        "xz": [("a.txt.xz", lzma.compress(LINE), NEEDLE)],
        "mbox": [("saapuneet.mbox", b"From aino Mon Nov 23 04:00:00 2026\n" + mail, NEEDLE)],
        "sqlite": [("crm.db", _sqlite(tmp_path), None)],
        "rtf": [("kirje.rtf", b"{\\rtf1\\ansi Yhteys: " + NEEDLE.encode() + b"\\par}", NEEDLE)],
        "csv": [("a.csv", b"nimi;email\nAino;" + NEEDLE.encode() + b"\n", NEEDLE)],
        "jsonl": [("a.jsonl", json.dumps({"email": NEEDLE}).encode() + b"\n", NEEDLE)],
        "json": [("a.json", json.dumps({"users": [{"email": NEEDLE}]}).encode(), NEEDLE)],
        "html": [("a.html", f'<p><a href="mailto:{NEEDLE}">kirjoita</a></p>'.encode(), NEEDLE)],
        "eml": [("viesti.eml", b"Hei\n" + LINE, NEEDLE), ("viesti", mail, NEEDLE)],  # by name; by headers
        "binary": [("blob.bin", b"\x00\x01\x02" + LINE, None)],
        "text": [("muistio.txt", LINE, NEEDLE), ("muistio.xlsx", LINE, NEEDLE)],  # a name alone is no xlsx
    }


def _texts(outputs: list) -> str:
    return "\n".join(str(t) for out in outputs if isinstance(out, Piece) for t in out.lines.to_pylist())


def test_every_registered_kind_is_reached_by_a_file_of_that_kind(tmp_path):
    cases = samples(tmp_path)
    assert set(cases) == {f.kind for f in formats()}
    for kind, files in cases.items():
        for name, data, needle in files:
            assert kind_of(data[:8192], name).kind == kind, name
            outputs = list(extract(io.BytesIO(data), name))
            if needle is not None:
                assert needle in _texts(outputs), (name, outputs)
                assert not [o for o in outputs if not isinstance(o, Piece)], (name, outputs)
    assert [type(o) for o in extract(io.BytesIO(b"\x00\x01" + LINE), "blob.bin")] == [Skipped]
    [legacy] = extract(io.BytesIO(cases["ole2"][0][1]), "vanha.doc")
    assert legacy == Unreadable(
        None, "unsupported format: legacy Office or Outlook file (OLE2: .doc/.msg)", "unsupported-format"
    )


def test_the_dispatch_table_is_ordered_by_unique_priorities_and_kinds():
    table = formats()
    kinds = [f.kind for f in table]
    priorities = [f.priority for f in table]
    assert len(kinds) == len(set(kinds))
    assert priorities == sorted(set(priorities))
    assert kinds[-2:] == ["binary", "text"]  # the last resorts
    assert kinds.index("odf") < kinds.index("xlsx") < kinds.index("zip")  # specific zips before the plain one
    assert kinds.index("xls") < kinds.index("ole2")
    assert {f.kind for f in table if f.container} == {"zip", "tar", "gzip", "bzip2", "xz", "7z"}
    assert {f.kind for f in table if f.random_access} == {
        *("zip", "xlsx", "docx", "pptx", "odf", "xls", "pdf", "parquet", "arrow", "7z")
    }


def test_a_clashing_kind_or_priority_is_refused():
    def read(stream, name, member, depth, limits, budget, block_size):
        yield from ()

    with pytest.raises(ValueError, match="already registered"):
        extractor("pdf", priority=12345, magic=[b"%PDF-"])(read)
    with pytest.raises(ValueError, match="'pdf'"):
        extractor("haravatest", priority=200, magic=[b"HARAVATEST"])(read)
    assert "haravatest" not in {f.kind for f in formats()}


@pytest.fixture
def toy_format():
    """A format of our own, registered for one test: the names of the files it was handed."""
    seen: list[str] = []

    @extractor("haravatest", priority=350, magic=[b"HARAVATEST"])
    def toy(stream, name, member, depth, limits, budget, block_size):
        seen.append(name)
        yield Skipped(member, f"toy format: {stream.read().decode()}")

    yield seen
    unregister("haravatest")


def test_a_new_magic_prefix_goes_to_its_registered_extractor(toy_format):
    data = b"HARAVATEST v1\n"
    assert kind_of(data, "raportti.txt").kind == "haravatest"
    assert list(extract(io.BytesIO(data), "raportti.txt")) == [Skipped(None, "toy format: HARAVATEST v1\n")]
    nested = list(extract(io.BytesIO(_zip({"sisalla/raportti.csv": data})), "arkisto.zip"))
    assert nested == [Skipped("sisalla/raportti.csv", "toy format: HARAVATEST v1\n")]
    assert toy_format == ["raportti.txt", "sisalla/raportti.csv"]


def test_an_unregistered_format_no_longer_claims_its_files():
    @extractor("haravatest", priority=350, magic=[b"HARAVATEST"])
    def toy(stream, name, member, depth, limits, budget, block_size):
        yield Skipped(member, "toy")

    assert kind_of(b"HARAVATEST v1\n", "raportti.txt").kind == "haravatest"
    unregister("haravatest")
    assert kind_of(b"HARAVATEST v1\n", "raportti.txt").kind == "text"


def test_flags_decide_nesting_and_holding_in_memory():
    inner = _tar({"a.txt": LINE})
    nested = gzip.compress(inner)
    [deep] = extract(io.BytesIO(nested), "a.tar.gz", depth=5)
    assert deep == Unreadable(None, "nested deeper than 5 containers (max_depth)", "limit")
    # inside an archive, a random-access member is held in memory, within Limits.max_member; text streams
    archive = _tar({"kirje.pdf": _pdf([f"Yhteys: {NEEDLE}"]), "muistio.txt": LINE * 100})
    outputs = list(extract(io.BytesIO(archive), "arkisto.tar", limits=Limits(max_member=500)))
    assert [o for o in outputs if isinstance(o, Unreadable)] == [
        Unreadable(
            "kirje.pdf",
            f"too large to open inside an archive ({len(_pdf([f'Yhteys: {NEEDLE}']))} bytes, max_member)",
            "too-large",
        )
    ]
    assert NEEDLE in _texts(outputs)
