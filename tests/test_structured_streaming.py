"""JSON, JSON Lines, HTML and CSV in bounded memory and linear time: the streaming readers give what the
whole-file readers gave on ordinary files, and hostile files (absurd nesting, markup that never closes,
one line holding thousands of values) finish in seconds instead of exhausting the stack or the clock.

Times are CPU seconds of the reading process, not wall time: the bounds are about the work (linear or
not), and CPU time does not depend on what else the machine is running."""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
import time
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pyarrow as pa
import pytest

import scanner.extract.html as html_reader
import scanner.extract.jsondoc as jsondoc
import scanner.extract.structured as structured
from scanner.extract import Limits, Piece, Unreadable, extract, text_pieces
from scanner.extract.tables import json_leaves
from scanner.extract.text import decode
from tests.test_cli import jsonl, run

ROOT = Path(__file__).resolve().parent.parent
HETU = "131052-308T"
EMAIL = "aino.virtanen@example.fi"


def outputs(data: bytes, name: str, limits: Limits | None = None) -> list:
    """Everything a reader gives for a file: (text, location text) for every element of every piece,
    and the Unreadable notes as they are."""
    found: list = []
    for out in extract(io.BytesIO(data), name, limits=limits):
        if isinstance(out, Piece):
            rows = np.arange(len(out.lines), dtype=np.int64)
            group = SimpleNamespace(row=rows, start=np.zeros(len(rows), np.int64))
            locations = out.locate(group).to_pylist() if len(rows) else []
            found.extend(zip(out.lines.to_pylist(), locations, strict=True))
        else:
            found.append(out)
    return found


def cells(data: bytes, name: str, limits: Limits | None = None) -> list[tuple[str, str]]:
    found = outputs(data, name, limits)
    assert not [o for o in found if isinstance(o, Unreadable)]
    return found


def notes(found: list) -> list[Unreadable]:
    return [o for o in found if isinstance(o, Unreadable)]


def cpu_seconds(work) -> tuple[float, object]:
    start = time.process_time()
    result = work()
    return time.process_time() - start, result


# --- JSON documents ----------------------------------------------------------------------------------

DOCUMENTS = [
    {"asiakas": {"nimi": "Aino Virtanen", "hetu": HETU, "sähköposti": [EMAIL, "eino@example.fi"]}},
    [1, -2, 3.25, 1e5, 1.5e300, 0.1, 2**70, -0.0, True, False, None, "teksti", [], {}, [[["syvä"]]]],
    {"": {"x": 1, "": [None, "tyhjä avain"]}, "a.b": {"c[0]": "piste ja hakasulku"}, 'lai"nausmerkki': "\\"},
    {"rivinvaihto\nja\ttabulaattori": "arvo\u0001ohjausmerkki", "emoji 😀": "ääkköset ÅÄÖ", "€": 358401234567},
    "pelkkä merkkijono " + HETU,
    358401234567,
    [{"id": n, "puhelin": f"040 123 {n:04}", "tiedot": {"aktiivinen": n % 2 == 0, "saldo": n / 3}} for n in range(50)],
]


def whole_document(data: bytes) -> list[tuple[str, str]]:
    """What the reader gave before it streamed: every leaf of the parsed document with its path."""
    return [
        (text, json.dumps({"field": path}, ensure_ascii=False)) for path, text in json_leaves(json.loads(decode(data)))
    ]


@pytest.mark.parametrize("document", DOCUMENTS, ids=range(len(DOCUMENTS)))
def test_json_values_and_paths_are_those_of_the_whole_document(document):
    data = json.dumps(document, ensure_ascii=False).encode()
    assert cells(data, "vienti.json") == whole_document(data)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-8-sig", "utf-32", "cp1252"])
def test_json_in_other_encodings_reads_as_before(encoding):
    document = {"nimi": "Äänekosken Öljy", "kuvaus": "Sähköposti: " + EMAIL, "luku": 12}
    data = json.dumps(document, ensure_ascii=False).encode(encoding)
    assert cells(data, "vienti.json") == whole_document(data)
    assert [text for text, _ in cells(data, "vienti.json")] == ["Äänekosken Öljy", "Sähköposti: " + EMAIL, "12"]


def test_a_large_json_document_streams_in_batches_with_the_same_values(monkeypatch):
    monkeypatch.setattr(jsondoc, "_JSON_READ", 4096)
    monkeypatch.setattr(jsondoc, "_JSON_BATCH", 1000)
    document = {"rivit": [{"n": n, "nimi": f"Asiakas {n}", "ä": [n, {"x": None}]} for n in range(12_000)]}
    data = json.dumps(document, ensure_ascii=False).encode()
    pieces = [o for o in extract(io.BytesIO(data), "iso.json") if isinstance(o, Piece)]
    assert len(pieces) > 10 and max(len(p.lines) for p in pieces[1:]) < 2000  # the first: the 64 KiB head
    assert cells(data, "iso.json") == whole_document(data)


def test_json_that_is_not_json_in_its_first_64_kib_is_read_as_text_from_the_start():
    lines = b"".join(b'{"n": %d, "email": "k%d@example.fi"}\n' % (n, n) for n in range(5000))  # ~190 KB of JSON Lines
    expected = [
        (text, location)
        for piece in text_pieces(io.BytesIO(lines), None)
        for text, location in zip(
            piece.lines.to_pylist(),
            piece.locate(
                SimpleNamespace(row=np.arange(len(piece.lines)), start=np.zeros(len(piece.lines), np.int64))
            ).to_pylist(),
            strict=True,
        )
    ]
    assert cells(lines, "loki.json") == expected
    assert cells(b"ei json: " + HETU.encode(), "x.json") == [("ei json: " + HETU, '{"line": 1, "column": 1}')]


def test_json_and_html_inside_an_archive_read_as_they_do_on_disk():
    """Archive members cannot seek back: the head a reader may re-read as text is kept, not re-read."""
    members = {
        "vienti/loki.json": b"".join(b'{"n": %d, "email": "k%d@example.fi"}\n' % (n, n) for n in range(3000)),
        "vienti/asiakas.json": json.dumps(DOCUMENTS[6] * 40, ensure_ascii=False).encode(),
        "vienti/sivu.html": PAGE.encode(),
        "vienti/rikki.json": ("[" + '"arvo", ' * 5000 + f"rikki {HETU}]").encode(),  # breaks at 40 KB: text
    }
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as packed:
        for name, data in members.items():
            packed.writestr(name, data)
    expected = [found for name, data in members.items() for found in cells(data, name)]
    assert len(members["vienti/loki.json"]) > 65536 and len(expected) > 9000
    assert cells(archive.getvalue(), "vienti.zip") == expected


def test_json_that_breaks_later_keeps_what_was_read_and_says_where():
    head = "[" + "".join(f'"arvo {n}", ' for n in range(20_000))  # ~240 KB of good values
    data = (head + f'"{HETU}", rikki ja "{EMAIL}"]').encode()
    found = outputs(data, "rikki.json")
    values = [text for text, _ in found[:-1]]
    assert values[:2] == ["arvo 0", "arvo 1"] and values[-1] == HETU and EMAIL not in values
    [note] = notes(found)
    assert note.code == "corrupt" and "not valid JSON" in note.reason and "byte" in note.reason
    assert HETU not in note.reason and "rikki" not in note.reason
    truncated = outputs(head.encode(), "katkennut.json")
    assert len(truncated) == 20_001 and "at its end" in notes(truncated)[0].reason


def test_200000_deep_json_stops_at_max_nesting_and_reads_what_is_shallower():
    deep = "[" * 200_000 + "]" * 200_000
    data = f'{{"hetu": "{HETU}", "syvä": {deep}, "sähköposti": "{EMAIL}"}}'.encode()
    seconds, found = cpu_seconds(lambda: outputs(data, "syva.json"))
    assert seconds < 20
    assert [f for f in found if not isinstance(f, Unreadable)] == [
        (HETU, '{"field": "hetu"}'),
        (EMAIL, '{"field": "sähköposti"}'),
    ]
    [note] = notes(found)
    assert note.code == "limit" and note.reason.startswith("nested deeper than 500 levels (max_nesting)")


def test_json_nesting_up_to_the_limit_is_read_and_array_indexes_go_on_after_a_skipped_one():
    limits = Limits(max_nesting=3)
    assert cells(b'[[["kolme"]]]', "x.json", limits) == [("kolme", '{"field": "[0][0][0]"}')]
    found = outputs(b'[[[["nelj\xc3\xa4"]]], "sitten", {"a": [[{"b": 1}]], "c": 2}]', "x.json", limits)
    assert [f for f in found if not isinstance(f, Unreadable)] == [
        ("sitten", '{"field": "[1]"}'),
        ("2", '{"field": "[2].c"}'),
    ]
    assert [n.code for n in notes(found)] == ["limit"]


def test_json_with_the_limit_raised_reads_nesting_the_standard_parser_cannot():
    data = ("[" * 5000 + f'"{HETU}"' + "]" * 5000).encode()
    assert cells(data, "x.json", Limits(max_nesting=10_000)) == [(HETU, json.dumps({"field": "[0]" * 5000}))]


def test_a_phone_number_stored_as_a_json_number_is_still_found(tmp_path):
    (tmp_path / "yhteys.json").write_text('{"asiakas": {"puhelin": "040 123 4567", "hetu": "' + HETU + '"}}')
    code, out, err = run("scan", str(tmp_path), "--format", "jsonl", "--show-values", "--no-progress")
    assert code == 0, err
    assert sorted((r["location"]["field"], r["value"]) for r in jsonl(out)) == [
        ("asiakas.hetu", HETU),
        ("asiakas.puhelin", "040 123 4567"),
    ]
    # a number keeps its digits as the whole-document reader printed them
    assert cells(b'{"puhelin": 358401234567, "osuus": 1e2}', "x.json") == [
        ("358401234567", '{"field": "puhelin"}'),
        ("100.0", '{"field": "osuus"}'),
    ]


# --- JSON Lines --------------------------------------------------------------------------------------


def old_jsonl(data: bytes) -> list[tuple[str, str]]:
    """The JSON Lines reader before nesting was bounded: json.loads per line, text if not JSON."""
    found = []
    for line_no, line in enumerate(decode(data).splitlines(keepends=True), 1):
        if not line.strip():
            continue
        try:
            leaves = list(json_leaves(json.loads(line)))
        except ValueError:
            leaves = [("", line)]
        for path, value in leaves:
            location = {"line": line_no, "field": path} if path else {"line": line_no}
            found.append((value, json.dumps(location, ensure_ascii=False)))
    return found


def test_jsonl_reads_as_before():
    data = "\n".join(
        [
            json.dumps({"user": {"email": EMAIL, "tunnukset": [1, 2.5, None, True]}, "ip": "192.0.2.1"}),
            "ei json 040 123 4567",
            "",
            json.dumps(["ääkköset", {"": "tyhjä"}], ensure_ascii=False),
            "12345",
            '"' + HETU + '"',
            "[" * 400 + "1" + "]" * 400,  # deep, but within the limit
        ]
    ).encode()
    assert cells(data, "tapahtumat.jsonl") == old_jsonl(data)


def test_a_5000_deep_jsonl_line_is_reported_and_the_next_lines_are_read():
    deep = '{"a": ' * 5_000 + f'"{HETU}"' + "}" * 5_000
    data = f'{{"email": "{EMAIL}"}}\n{deep}\n{{"hetu": "{HETU}"}}\n[[[[[[[[[[ ei json\n'.encode()
    seconds, found = cpu_seconds(lambda: outputs(data, "syva.jsonl"))
    assert seconds < 20
    assert [f for f in found if not isinstance(f, Unreadable)] == [
        (EMAIL, '{"line": 1, "field": "email"}'),
        (HETU, '{"line": 3, "field": "hetu"}'),
        ("[[[[[[[[[[ ei json\n", '{"line": 4}'),
    ]
    [note] = notes(found)
    assert note.code == "limit" and "line 2" in note.reason and "(max_nesting)" in note.reason
    # a line that may be deep but is not JSON is text, as before
    assert cells(b"[" * 600 + b" " + HETU.encode() + b"\n", "x.jsonl") == [
        ("[" * 600 + " " + HETU + "\n", '{"line": 1}')
    ]


def test_jsonl_with_the_limit_raised_past_the_interpreters_stack_does_not_raise():
    deep = "[" * 5_000 + f'"{HETU}"' + "]" * 5_000 + "\n"
    assert cells(deep.encode(), "x.jsonl", Limits(max_nesting=100_000)) == [
        (HETU, json.dumps({"line": 1, "field": "[0]" * 5000}))
    ]


# --- HTML --------------------------------------------------------------------------------------------


class OldHtml(HTMLParser):
    """The HTML reader before it streamed: the whole document fed at once, then closed (and, as the reader
    does now, comments read as text)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.lines: list[int] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        for attribute, value in attrs:
            if value and attribute in html_reader._Html.ATTRIBUTES:
                for prefix in ("mailto:", "tel:", "callto:"):
                    if value.lower().startswith(prefix):
                        value = value[len(prefix) :].split("?", 1)[0]
                self.texts.append(value)
                self.lines.append(self.getpos()[0])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(self.skip - 1, 0)

    def handle_data(self, data):
        if not self.skip and data.strip():
            line = self.getpos()[0]
            for offset, piece in enumerate(data.split("\n")):
                if piece.strip():
                    self.texts.append(piece)
                    self.lines.append(line + offset)

    def handle_comment(self, data):
        self.handle_data(data)


def old_html(markup: str) -> list[tuple[str, str]]:
    parser = OldHtml()
    parser.feed(markup)
    parser.close()
    return [(text, json.dumps({"line": line})) for text, line in zip(parser.texts, parser.lines, strict=True)]


PAGE = f"""<!DOCTYPE html>
<html lang="fi"><head><title>Yhteystiedot &amp; muuta</title>
<meta name="description" content="Aino Virtanen, puh. 040 123 4567">
<style>p {{ color: red }} /* {HETU} */</style></head>
<body>
<p>Aino Virtanen
puh. 040 123 4567 &ndash; a &lt; b &#228;iti</p>
<a
  href="mailto:{EMAIL}?subject=Hei">kirjoita</a> hänelle &amp; muille
<!-- kommentti
 monirivinen {HETU} -->
<div title='Titteli' data-email=eino@example.fi>x<b>lihavoitu</b>jälkeen
</div>
<input type="text" value="{HETU}" placeholder="henkilötunnus"/>
<a href="tel:+358401234567">soita</a> a < b > c
<script>var x = "<b>{HETU}</b>"; if (a<b) {{}}</script>
loppu &amp
<![CDATA[ x ]]> <?php echo 1 ?>
</body></html>
perään <br
"""

TRUNCATED = [
    "<p>teksti</p><!-- kommentti ei pääty",
    f"<p>{EMAIL}</p><a href='mailto:eino@example.fi'",
    "<p>a</p><script>ei suljettu " + HETU,
    "alku &amp loppu &#x41",
    '<div title="kaksi\nriviä">teksti</div>',
    "<",
    "</",
    "<!",
    "&",
    "rivi\n\n\nja toinen",
]


@pytest.mark.parametrize("read", [1, 7, 64, 65536])
def test_html_reads_as_before_whatever_the_chunk_size(monkeypatch, read):
    monkeypatch.setattr(html_reader, "_HTML_READ", read)
    assert cells(PAGE.encode(), "sivu.html") == old_html(PAGE)
    for markup in TRUNCATED:
        assert cells(markup.encode(), "sivu.html") == old_html(markup), markup


def test_html_text_for_mail_bodies_is_unchanged():
    assert html_reader.html_text(PAGE) == "\n".join(text for text, _ in old_html(PAGE))
    for markup in TRUNCATED:
        assert html_reader.html_text(markup) == "\n".join(text for text, _ in old_html(markup))


@pytest.mark.parametrize("size", [1, 5, 100, 1 << 20])
def test_html_texts_of_a_document_in_pieces_are_those_of_the_whole(size):
    for markup in [PAGE, *TRUNCATED]:
        pieces = [markup[at : at + size] for at in range(0, len(markup), size)]
        assert list(html_reader.html_texts(pieces)) == [text for text, _ in old_html(markup)], markup
    seconds, texts = cpu_seconds(lambda: list(html_reader.html_texts(["<a " * 1000] * 100 + [f"<p>{EMAIL}</p>"])))
    assert seconds < 20 and texts[-1] == EMAIL


def test_html_in_utf16_and_cp1252_reads_as_before():
    for encoding in ("utf-16", "cp1252"):
        page = "<p>Äänekoski, sähköposti " + EMAIL + "</p>\n<p title='Öljy'>x</p>"
        assert cells(page.encode(encoding), "sivu.html") == old_html(page)


HOSTILE_HTML = {
    "a": "<a" * 200_000,  # 400 KB: took minutes with the whole-document parser
    "a-space": "<a " * 100_000,
    "comment": "<!--" * 100_000,
    "end-tag": "</a" * 100_000,
    "quote": "<a b='" * 50_000,
    "script": "<script>" + "</scrip" * 50_000,
}


@pytest.mark.parametrize("name", HOSTILE_HTML)
def test_markup_that_never_closes_takes_linear_time(name):
    data = (f"<p>{EMAIL}</p>\n" + HOSTILE_HTML[name] + f"\n<p>{HETU}</p>").encode()
    seconds, found = cpu_seconds(lambda: outputs(data, "vihamielinen.html"))
    assert seconds < 20, f"{seconds:.1f} s"
    assert found[0] == (EMAIL, '{"line": 1}')
    assert not notes(found)
    seconds, _ = cpu_seconds(lambda: html_reader.html_text(HOSTILE_HTML[name]))
    assert seconds < 20, f"html_text: {seconds:.1f} s"


def test_one_construct_longer_than_the_buffer_is_cut_and_reading_goes_on(monkeypatch):
    monkeypatch.setattr(html_reader, "_HTML_PENDING", 10_000)
    markup = (
        '<p title="' + "x" * 50_000 + f'">a</p>\n<p>{EMAIL}</p>\n<script>' + "y" * 50_000 + f"</script><p>{HETU}</p>"
    )
    texts = [text for text, _ in cells(markup.encode(), "iso.html")]
    assert EMAIL in texts and HETU in texts


@pytest.mark.parametrize("name", ["sivu.xhtml", "sivu.html"])
def test_an_external_entity_is_never_resolved(tmp_path, name):
    secret = tmp_path / "salainen.txt"
    secret.write_text(f"henkilötunnus {HETU}\n")
    share = tmp_path / "jako"
    share.mkdir()
    (share / name).write_text(
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE html [<!ENTITY salainen SYSTEM "file://{secret}">]>\n'
        f'<html><body><p>&salainen;</p><p title="&salainen;">{EMAIL}</p></body></html>\n'
    )
    code, out, err = run("scan", str(share), "--format", "jsonl", "--show-values", "--no-progress")
    assert code == 0, err
    assert [(r["entity"], r["value"]) for r in jsonl(out)] == [("EMAIL_ADDRESS", EMAIL)]
    assert HETU not in out and HETU not in err
    assert not any(HETU in text for text, _ in cells((share / name).read_bytes(), name))


# --- CSV ---------------------------------------------------------------------------------------------


def cells_by_character_loop(line: str, delimiter: str) -> list[tuple[str, int, int]]:
    """Each non-empty cell of a line as (text, field, offset), one character at a time: a quote toggles,
    a delimiter outside quotes ends a cell; spaces around a cell and one pair of enclosing quotes go."""
    line = line.rstrip("\r\n")
    found, field, begin, quoted = [], 0, 0, False
    for at, ch in enumerate([*line, None]):
        if ch == '"':
            quoted = not quoted
        elif ch is None or (ch == delimiter and not quoted):
            cell = line[begin:at]
            stripped = cell.lstrip(" \t")
            offset = begin + len(cell) - len(stripped)
            stripped = stripped.rstrip(" \t")
            if len(stripped) > 1 and stripped[0] == stripped[-1] == '"':
                stripped, offset = stripped[1:-1], offset + 1
            if stripped:
                found.append((stripped, field, offset))
            field, begin = field + 1, at + 1
    return found


def test_csv_cells_are_those_of_the_character_loop():
    rng = random.Random(20240611)
    alphabet = ',;\t|"aä €x '
    lines = ["", "a", '"', ",,,", '"a,b",c', 'a,"b,""c"",d",e', ' " x " ,y\r\n'] + [
        "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 200))) for _ in range(300)
    ]
    for delimiter in ",;\t|":
        got = structured.csv_cells(pa.array(lines, pa.large_string()), delimiter)
        cells = list(zip(got.texts.to_pylist(), got.line.tolist(), got.field.tolist(), got.start.tolist(), strict=True))
        expected = [
            (text, row, field, offset)
            for row, line in enumerate(lines)
            for text, field, offset in cells_by_character_loop(line, delimiter)
        ]
        assert cells == expected


def test_a_500_kb_csv_line_full_of_values_is_located_in_linear_time(engine):
    values = 12_000
    header = "nimi,hetu,sähköposti\n"
    row = ",".join(f'"{HETU}",asiakas{n}@example.fi' for n in range(values))
    data = (header + row + "\n").encode()
    assert len(data) > 300_000

    def scan() -> list[dict]:
        found = []
        for piece in extract(io.BytesIO(data), "leveä.csv"):
            for group in engine.scan(piece.lines).groups:
                found.extend(json.loads(text) for text in piece.locate(group).to_pylist())
        return found

    seconds, found = cpu_seconds(scan)
    assert seconds < 20, f"{seconds:.1f} s"
    assert len(found) == 2 * values
    names = ["nimi", "hetu", "sähköposti"]
    fields = sorted((f["column"], f["field"]) for f in found)
    field_before, count, quoted = [], 0, False  # the character loop once, for every offset of the line
    for ch in row:
        field_before.append(count)
        if ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            count += 1
    assert fields == [
        (column, names[index] if index < 3 else str(index + 1))
        for column, index in ((c, field_before[c - 1]) for c, _ in fields)
    ]
    assert fields[:2] == [(2, "nimi"), (15, "hetu")]


# --- memory ------------------------------------------------------------------------------------------


def scan_peak(path: Path, output: Path) -> tuple[float, list[dict]]:
    """Peak resident memory (MB) of a `harava scan` of one file in child processes, and its rows."""
    arguments = ["scan", str(path), "--format", "jsonl", "--show-values", "-o", str(output), "--no-progress"]
    arguments += ["--item-timeout", "3600"]  # a loaded test machine must not turn a slow read into a timeout
    code = (
        "import resource, subprocess, sys\n"
        f"subprocess.run([sys.executable, '-m', 'scanner', *{arguments!r}], check=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return int(done.stdout) / 1024, jsonl(output.read_text())


def write_json(path: Path, size: int) -> None:
    """A JSON export of about ``size`` bytes — an array of customer records — with one identity code
    and one e-mail address at its very end, written in repeated chunks."""
    record = {"id": 7, "nimi": "Asiakas Esimerkki", "tila": "aktiivinen", "tiedot": {"huom": "ei " * 20, "n": [1, 2.5]}}
    chunk = ",".join([json.dumps(record, ensure_ascii=False)] * 2000)
    with path.open("w") as out:
        out.write('{"asiakkaat": [')
        written = 0
        while written < size:
            out.write(("," if written else "") + chunk)
            written += len(chunk) + 1
        out.write(f'], "yhteys": {{"hetu": "{HETU}", "sähköposti": "{EMAIL}"}}}}')


def test_memory_for_a_100_mb_json_document_stays_flat(tmp_path):
    """Read whole, 100 MB of JSON took 3.5 GB; streamed, it costs what a 1 MB file does."""
    small, large = tmp_path / "pieni.json", tmp_path / "suuri.json"
    write_json(small, 1_000_000)
    write_json(large, 100_000_000)
    try:
        base, _ = scan_peak(small, tmp_path / "pieni.jsonl")
        peak, rows = scan_peak(large, tmp_path / "suuri.jsonl")
    finally:
        large.unlink()
    assert sorted((r["location"]["field"], r["value"]) for r in rows) == [
        ("yhteys.hetu", HETU),
        ("yhteys.sähköposti", EMAIL),
    ]
    assert peak < 700, f"peak {peak:.0f} MB"
    assert peak - base < 150, f"memory grew by {peak - base:.0f} MB for a file 100x larger"


@pytest.mark.slow
def test_memory_for_a_1_gb_json_document_stays_under_1_gb(tmp_path):
    large = tmp_path / "valtava.json"
    write_json(large, 1_000_000_000)
    try:
        peak, rows = scan_peak(large, tmp_path / "valtava.jsonl")
    finally:
        large.unlink()
    assert [r["error"] for r in rows] == [None, None]
    assert peak < 1024, f"peak {peak:.0f} MB"
