"""Office formats: per-format MB/s and files/s of ``harava scan`` against the fastest parser run alone.

A share shaped like a company's — about 40% Word documents, 20% Excel workbooks, 15% PDF, 10% e-mail and
15% CSV, text and log files — is generated once, reproducibly, from synthetic Finnish personal data
(fictional people; ``example.fi``-style addresses). For each format, every candidate parser extracts all
the text of the same files in this process, and ``harava scan`` reads that format's folder with one
worker; both are timed in CPU seconds in the same run (Harava: the supervisor and its worker, start-up
included, JSONL output to /dev/null). The baseline of a format is its fastest candidate; the target is
Harava at 0.7× its speed or better, although Harava also validates, masks, hashes and writes findings::

    python -m bench.bench_office [--files 2000] [--corpus DIR] [--formats docx,xlsx] [--repeat 1]

Candidates: docx — python-docx, and ``word/document.xml`` (plus headers and footers) streamed with
``xml.etree`` or lxml ``iterparse``; xlsx — openpyxl read-only, python-calamine, fastexcel; pdf — pypdf,
pypdfium2, pdfminer.six; eml — the standard ``email`` package; text — reading and decoding (``csv`` for
CSV). A candidate whose package is not installed is listed as missing (``pip install '.[bench]'``).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import resource
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid
from pathlib import Path

from bench import synth

HERE = Path(__file__).resolve().parent
VERSION = 1  # of the generator: a corpus made by another version is made again
SHARES = {"docx": 0.40, "xlsx": 0.20, "pdf": 0.15, "eml": 0.10, "text": 0.15}
ENV_KEY = "bench-key-bench-key-bench-key-bench-key"
STREETS = ["Mannerheimintie", "Hämeenkatu", "Aleksanterinkatu", "Kauppakatu", "Rantatie", "Koulukatu", "Puistotie"]
CITIES = [("00100", "Helsinki"), ("33100", "Tampere"), ("20100", "Turku"), ("90100", "Oulu"), ("40100", "Jyväskylä")]


# --- the share ----------------------------------------------------------------------------------------


def address(rng: random.Random) -> str:
    code, city = rng.choice(CITIES)
    return f"{rng.choice(STREETS)} {rng.randint(1, 99)} {rng.choice('ABC')} {rng.randint(1, 40)}, {code} {city}"


def sentence(rng: random.Random, personal: float = 0.15) -> str:
    """A sentence of office prose, with a personal value in about ``personal`` of them."""
    text = synth.prose(rng, rng.randint(8, 24))
    if rng.random() < personal:
        first, last = synth.person(rng)
        text += f" Yhteyshenkilö {first} {last}, {synth.value(rng)}."
    return text


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(1, 6)))


def customer_row(rng: random.Random, number: int) -> list:
    first, last = synth.person(rng)
    code, city = rng.choice(CITIES)
    joined = date(2015, 1, 1) + timedelta(days=rng.randint(0, 4000))
    return [
        number,
        first,
        last,
        synth.hetu(rng) if rng.random() < 0.6 else "",
        synth.phone(rng),
        synth.email(rng),
        f"{rng.choice(STREETS)} {rng.randint(1, 99)}",
        code,
        city,
        synth.ytunnus(rng) if rng.random() < 0.2 else "",
        joined,
        round(rng.uniform(-500, 25_000), 2),
        synth.prose(rng, rng.randint(2, 10)) if rng.random() < 0.3 else "",
    ]


HEADER = ["asiakasnro", "etunimi", "sukunimi", "hetu", "puhelin", "sähköposti", "katuosoite", "postinumero"]
HEADER += ["postitoimipaikka", "y-tunnus", "asiakkuus alkanut", "saldo", "muistiinpano"]


def make_docx(path: Path, rng: random.Random) -> None:
    """A memo, contract or personnel list: headings, paragraphs, tables, a header and a footer."""
    import docx

    document = docx.Document()
    document.add_heading(synth.prose(rng, rng.randint(2, 6)), level=1)
    long = rng.random() < 0.15
    blocks = rng.randint(40, 200) if long else rng.randint(5, 40)
    for _ in range(blocks):
        roll = rng.random()
        if roll < 0.08:
            document.add_heading(synth.prose(rng, rng.randint(2, 5)), level=2)
        elif roll < 0.12:
            rows = rng.randint(80, 250) if long and rng.random() < 0.3 else rng.randint(3, 25)
            columns = rng.randint(3, 5)
            table = document.add_table(rows=rows, cols=columns)
            table.style = "Table Grid"
            for r, row in enumerate(table.rows):
                data = customer_row(rng, r) if r else HEADER
                for c, cell in enumerate(row.cells):
                    cell.text = str(data[(c * 2 + 1) % len(data)])
        else:
            document.add_paragraph(paragraph(rng))
    section = document.sections[0]
    section.header.paragraphs[0].text = f"Esimerkki Oy – {synth.prose(rng, 2)} – Luottamuksellinen"
    first, last = synth.person(rng)
    section.footer.paragraphs[0].text = f"Yhteyshenkilö {first} {last}, puh. {synth.phone(rng)}, {synth.email(rng)}"
    document.save(path)


def make_xlsx(path: Path, rng: random.Random) -> None:
    """A CRM export: customers, orders and a summary sheet; a few thousand rows in some."""
    import xlsxwriter

    roll = rng.random()
    rows = rng.randint(2000, 6000) if roll < 0.1 else rng.randint(300, 1500) if roll < 0.3 else rng.randint(20, 300)
    book = xlsxwriter.Workbook(str(path))
    dated = book.add_format({"num_format": "d.m.yyyy"})
    customers = book.add_worksheet("Asiakkaat")
    customers.write_row(0, 0, HEADER)
    for r in range(1, rows + 1):
        row = customer_row(rng, 1000 + r)
        customers.write_row(r, 0, row[:10])
        customers.write_datetime(r, 10, datetime.combine(row[10], datetime.min.time()), dated)
        customers.write_row(r, 11, row[11:])
    if rng.random() < 0.7:
        orders = book.add_worksheet("Tilaukset")
        orders.write_row(0, 0, ["tilausnro", "asiakasnro", "tuote", "määrä", "hinta", "toimitusosoite", "lisätiedot"])
        for r in range(1, rows // 2 + 2):
            note = f"Soita {synth.phone(rng)}" if rng.random() < 0.1 else synth.prose(rng, 3)
            orders.write_row(
                r, 0, [50_000 + r, 1000 + rng.randint(1, rows), rng.choice(synth.WORDS), rng.randint(1, 20)]
            )
            orders.write_row(r, 4, [round(rng.uniform(5, 900), 2), address(rng), note])
    if rng.random() < 0.5:
        summary = book.add_worksheet("Yhteenveto")
        summary.write_row(0, 0, ["Raportti", synth.prose(rng, 4)])
        summary.write_row(1, 0, ["Laatija", synth.email(rng)])
        summary.write_formula(2, 1, f"=SUM(Asiakkaat!L2:L{rows + 1})")
    book.close()


def make_pdf(path: Path, rng: random.Random) -> None:
    """An invoice, a letter or a report: paragraphs and tables over one to twenty pages."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    document = SimpleDocTemplate(str(path), pagesize=A4, title=synth.prose(rng, 3), invariant=1)
    first, last = synth.person(rng)
    story = [
        Paragraph(f"Esimerkki Oy — {synth.prose(rng, 3)}", styles["Title"]),
        Paragraph(f"{first} {last}<br/>{address(rng)}<br/>puh. {synth.phone(rng)}", styles["Normal"]),
        Spacer(1, 12),
    ]
    report = rng.random() < 0.25
    for _ in range(rng.randint(30, 160) if report else rng.randint(3, 15)):
        if rng.random() < 0.1:
            data = [HEADER[1:6]] + [[str(v) for v in customer_row(rng, n)[1:6]] for n in range(rng.randint(3, 20))]
            table = Table(data)
            table.setStyle(
                TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("FONTSIZE", (0, 0), (-1, -1), 7)])
            )
            story.append(table)
        else:
            story.append(Paragraph(paragraph(rng), styles["BodyText"]))
    document.build(story)


def make_eml(path: Path, rng: random.Random) -> None:
    """A message with full transport headers, plain text and HTML bodies, sometimes a CSV attached."""
    sender, recipient = synth.email(rng), synth.email(rng)
    message = EmailMessage()
    sent = datetime(2026, 1, 1, 8) + timedelta(minutes=rng.randint(0, 500_000))
    for hop in range(rng.randint(2, 4)):
        message["Received"] = (
            f"from mail{hop}.example.fi (mail{hop}.example.fi [{synth.ip(rng)}]) by mx.example.fi "
            f"with ESMTPS id {rng.getrandbits(40):x}; {format_datetime(sent)}"
        )
    message["Return-Path"] = f"<{sender}>"
    first, last = synth.person(rng)
    message["From"] = f"{first} {last} <{sender}>"
    message["To"] = recipient
    if rng.random() < 0.4:
        message["Cc"] = ", ".join(synth.email(rng) for _ in range(rng.randint(1, 3)))
    message["Subject"] = f"Re: {synth.prose(rng, rng.randint(2, 6))}"
    message["Date"] = format_datetime(sent)
    message["Message-ID"] = make_msgid(domain="example.fi")
    message["X-Mailer"] = "Esimerkki Mail 4.2"
    paragraphs = [paragraph(rng) for _ in range(rng.randint(2, 20))]
    signature = f"Ystävällisin terveisin\n{first} {last}\npuh. {synth.phone(rng)}"
    message.set_content("\n\n".join([*paragraphs, signature]) + "\n")
    html = "".join(f"<p>{p}</p>" for p in paragraphs) + f"<p>{signature.replace(chr(10), '<br>')}</p>"
    message.add_alternative(f"<html><body>{html}</body></html>\n", subtype="html")
    if rng.random() < 0.2:
        rows = "\n".join(";".join(str(v) for v in customer_row(rng, n)[:6]) for n in range(rng.randint(10, 200)))
        message.add_attachment(
            (";".join(HEADER[:6]) + "\n" + rows + "\n").encode("utf-8"), "text", "csv", filename="poiminta.csv"
        )
    path.write_bytes(message.as_bytes(policy=policy.default))


def make_text(path: Path, rng: random.Random) -> None:
    """A CSV export, a log or a memo."""
    kind = path.suffix
    if kind == ".csv":
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, delimiter=";")
            writer.writerow(HEADER)
            for n in range(rng.choice([rng.randint(20, 400), rng.randint(1000, 8000)])):
                writer.writerow(customer_row(rng, n))
    elif kind == ".log":
        lines = [synth.line(rng, rng.random() < 0.2) for _ in range(rng.randint(500, 20_000))]
        path.write_text("\n".join(lines) + "\n", "utf-8")
    else:
        path.write_text("\n\n".join(paragraph(rng) for _ in range(rng.randint(3, 40))) + "\n", "utf-8")


MAKERS: dict[str, tuple[Callable[[Path, random.Random], None], tuple[str, ...]]] = {
    "docx": (make_docx, (".docx",)),
    "xlsx": (make_xlsx, (".xlsx",)),
    "pdf": (make_pdf, (".pdf",)),
    "eml": (make_eml, (".eml",)),
    "text": (make_text, (".csv", ".txt", ".log")),
}


def make_share(corpus: Path, files: int, seed: int = 2026) -> dict[str, list[Path]]:
    """The share, one folder per format, generated once: reused while its stamp matches."""
    stamp = corpus / ".bench_office"
    wanted = f"version={VERSION} files={files} seed={seed}\n"
    if stamp.exists() and stamp.read_text() == wanted:
        return {kind: sorted((corpus / kind).iterdir()) for kind in SHARES}
    if stamp.exists():  # made by this bench with other settings: its folders are ours to replace
        for kind in SHARES:
            shutil.rmtree(corpus / kind, ignore_errors=True)
    elif corpus.exists() and any(corpus.iterdir()):
        sys.exit(f"{corpus} holds files this bench did not make; give an empty or new folder with --corpus")
    found: dict[str, list[Path]] = {}
    for index, (kind, share) in enumerate(SHARES.items()):
        make, suffixes = MAKERS[kind]
        folder = corpus / kind
        folder.mkdir(parents=True, exist_ok=True)
        found[kind] = []
        count = max(round(files * share), 1)
        started = time.perf_counter()
        for n in range(count):
            rng = random.Random(seed * 1000 + index * 100_000 + n)
            path = folder / f"{kind}_{n:05}{suffixes[n % len(suffixes)]}"
            make(path, rng)
            found[kind].append(path)
        print(f"generated {count} {kind} files in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    stamp.write_text(wanted)
    return found


# --- the candidates, each extracting all text of a list of files -------------------------------------------


def docx_python_docx(paths: list[Path]) -> int:
    import docx
    from docx.table import Table

    chars = 0
    for path in paths:
        document = docx.Document(str(path))
        parts = [document] + [
            getattr(s, p)
            for s in document.sections
            for p in ("header", "footer")
            if not getattr(s, p).is_linked_to_previous
        ]
        for part in parts:
            for block in part.iter_inner_content():
                if isinstance(block, Table):
                    chars += sum(len(cell.text) for row in block.rows for cell in row.cells)
                else:
                    chars += len(block.text)
    return chars


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_WORD_PARTS = ("word/document.xml", "word/header", "word/footer")


def _docx_stream(paths: list[Path], iterparse: Callable) -> int:
    """Each paragraph's text (``w:t``, tabs, breaks) as its element ends, element cleared after."""
    chars = 0
    p, t, tab, br = _W + "p", _W + "t", _W + "tab", _W + "br"
    for path in paths:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if not name.startswith(_WORD_PARTS) or not name.endswith(".xml"):
                    continue
                with archive.open(name) as part:
                    for _, element in iterparse(part, events=("end",)):
                        if element.tag == p:
                            pieces = []
                            for child in element.iter():
                                tag = child.tag
                                if tag == t:
                                    pieces.append(child.text or "")
                                elif tag == tab:
                                    pieces.append("\t")
                                elif tag == br:
                                    pieces.append("\n")
                            chars += len("".join(pieces))
                            element.clear()
    return chars


def docx_etree(paths: list[Path]) -> int:
    from xml.etree.ElementTree import iterparse

    return _docx_stream(paths, iterparse)


def docx_lxml(paths: list[Path]) -> int:
    """lxml at its fastest: only paragraphs handed to Python (``tag=``), their text gathered in C."""
    from lxml.etree import iterparse

    chars = 0
    p, t, tab, br = _W + "p", _W + "t", _W + "tab", _W + "br"
    for path in paths:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if not name.startswith(_WORD_PARTS) or not name.endswith(".xml"):
                    continue
                with archive.open(name) as part:
                    for _, element in iterparse(part, tag=p, resolve_entities=False):
                        pieces = [
                            e.text or "" if e.tag == t else "\t" if e.tag == tab else "\n"
                            for e in element.iter(t, tab, br)
                        ]
                        chars += len("".join(pieces))
                        element.clear()
    return chars


def xlsx_openpyxl(paths: list[Path]) -> int:
    import openpyxl

    chars = 0
    for path in paths:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                chars += sum(len(v) for v in row if isinstance(v, str))
        book.close()
    return chars


def xlsx_calamine(paths: list[Path]) -> int:
    from python_calamine import CalamineWorkbook

    chars = 0
    for path in paths:
        book = CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            for row in book.get_sheet_by_name(name).to_python():
                chars += sum(len(v) for v in row if isinstance(v, str))
    return chars


def xlsx_fastexcel(paths: list[Path]) -> int:
    import fastexcel
    import pyarrow as pa

    chars = 0
    for path in paths:
        reader = fastexcel.read_excel(str(path))
        for name in reader.sheet_names:
            batch = pa.record_batch(reader.load_sheet(name, header_row=None, dtypes="string"))
            for column in batch.columns:
                chars += sum(len(v) for v in column.to_pylist() if v)
    return chars


def pdf_pypdf(paths: list[Path]) -> int:
    from pypdf import PdfReader

    return sum(len(page.extract_text() or "") for path in paths for page in PdfReader(path).pages)


def pdf_pypdfium2(paths: list[Path]) -> int:
    import pypdfium2

    chars = 0
    for path in paths:
        document = pypdfium2.PdfDocument(str(path))
        for page in document:
            chars += len(page.get_textpage().get_text_range())
        document.close()
    return chars


def pdf_pdfminer(paths: list[Path]) -> int:
    from pdfminer.high_level import extract_text

    return sum(len(extract_text(str(path))) for path in paths)


def eml_email(paths: list[Path]) -> int:
    """Headers and every part decoded: text parts to text, attachments to bytes."""
    chars, parser = 0, BytesParser(policy=policy.default)
    for path in paths:
        with path.open("rb") as stream:
            message = parser.parse(stream)
        chars += sum(len(str(value)) for value in message.values())
        for part in message.walk():
            if part.is_multipart():
                continue
            content = part.get_content()
            chars += len(content)
    return chars


def text_stdlib(paths: list[Path]) -> int:
    """Each file decoded and split into lines; CSV files through ``csv`` into fields."""
    chars = 0
    for path in paths:
        text = path.read_bytes().decode("utf-8")
        if path.suffix == ".csv":
            chars += sum(len(field) for row in csv.reader(io.StringIO(text), delimiter=";") for field in row)
        else:
            chars += sum(len(line) for line in text.splitlines())
    return chars


CANDIDATES: dict[str, list[tuple[str, str, Callable[[list[Path]], int]]]] = {
    "docx": [
        ("python-docx", "docx", docx_python_docx),
        ("xml.etree iterparse", "xml", docx_etree),
        ("lxml iterparse", "lxml", docx_lxml),
    ],
    "xlsx": [
        ("openpyxl read-only", "openpyxl", xlsx_openpyxl),
        ("python-calamine", "python_calamine", xlsx_calamine),
        ("fastexcel", "fastexcel", xlsx_fastexcel),
    ],
    "pdf": [
        ("pypdf", "pypdf", pdf_pypdf),
        ("pypdfium2", "pypdfium2", pdf_pypdfium2),
        ("pdfminer.six", "pdfminer", pdf_pdfminer),
    ],
    "eml": [("email (stdlib)", "email", eml_email)],
    "text": [("decode + csv (stdlib)", "csv", text_stdlib)],
}


# --- timing -------------------------------------------------------------------------------------------


@dataclass
class Timing:
    name: str
    cpu: float | None  # None: not installed
    chars: int | str = ""  # text extracted (a candidate) or findings (Harava)


def cpu_of(run: Callable[[], object], repeat: int) -> tuple[float, object]:
    """The least CPU time of ``repeat`` runs, and what the last one returned."""
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.process_time()
        result = run()
        best = min(best, time.process_time() - started)
    return best, result


def harava_extract(paths: list[Path]) -> int:
    """Harava's extractors alone, in this process: the text handed to the engine, no detection."""
    from scanner.extract import Piece, extract

    chars = 0
    for path in paths:
        with path.open("rb") as stream:
            chars += sum(out.nbytes for out in extract(stream, str(path)) if isinstance(out, Piece))
    return chars


def harava_scan(folder: Path, repeat: int) -> tuple[float, str]:
    """CPU seconds of ``harava scan --workers 1`` (the process tree, start-up included), and its findings."""
    cmd = [sys.executable, "-m", "scanner", "scan", str(folder), "--format", "jsonl", "-o", os.devnull]
    cmd += ["--no-progress", "--workers", "1"]
    env = dict(os.environ, HARAVA_HASH_KEY=ENV_KEY)
    best, findings = float("inf"), "?"
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            sys.exit(f"harava scan failed ({done.returncode}):\n{done.stderr}")
        best = min(best, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
        summary = done.stderr
        findings = summary.split("Findings: ", 1)[1].split()[0] if "Findings: " in summary else "?"
    return best, findings


def measure(kind: str, paths: list[Path], folder: Path, repeat: int) -> list[Timing]:
    timings = []
    for name, module, read in CANDIDATES[kind]:
        try:
            __import__(module)
        except ImportError:
            timings.append(Timing(name, None, "not installed"))
            continue
        cpu, chars = cpu_of(lambda read=read: read(paths), repeat)
        timings.append(Timing(name, cpu, chars))
    cpu, chars = cpu_of(lambda: harava_extract(paths), repeat)
    timings.append(Timing("(harava extractor)", cpu, chars))
    cpu, findings = harava_scan(folder, repeat)
    timings.append(Timing("harava scan -w1", cpu, f"{findings} findings"))
    return timings


def start_up(repeat: int) -> float:
    """CPU seconds of ``harava scan`` of an empty folder: the fixed cost inside every Harava figure."""
    import tempfile

    with tempfile.TemporaryDirectory() as empty:
        return harava_scan(Path(empty), repeat)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--corpus", type=Path, default=HERE / "office_corpus")
    parser.add_argument("--formats", default=",".join(SHARES), help="comma-separated: docx,xlsx,pdf,eml,text")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement; the least CPU time counts")
    args = parser.parse_args()
    share = make_share(args.corpus, args.files)
    fixed = start_up(args.repeat)
    print(f"share: {sum(map(len, share.values()))} files ({args.corpus}); harava start-up {fixed:.2f} s CPU\n")
    print(f"{'format':6} {'reader':22} {'CPU s':>7} {'MB/s':>7} {'files/s':>8} {'× best':>7}  text chars / findings")
    for kind in [k.strip() for k in args.formats.split(",") if k.strip()]:
        paths = share[kind]
        size = sum(p.stat().st_size for p in paths) / 1e6
        timings = measure(kind, paths, args.corpus / kind, args.repeat)
        best = min((t.cpu for t in timings[:-2] if t.cpu), default=None)
        print(f"{kind:6} {len(paths)} files, {size:.1f} MB")
        for t in timings:
            if t.cpu is None:
                print(f"{'':6} {t.name:22} {'—':>7} {'':>7} {'':>8} {'':>7}  {t.chars}")
                continue
            ratio = f"{best / t.cpu:.2f}" if best else "—"
            print(
                f"{'':6} {t.name:22} {t.cpu:7.2f} {size / t.cpu:7.1f} {len(paths) / t.cpu:8.1f} {ratio:>7}  {t.chars}"
            )
        scan = timings[-1].cpu
        if best and scan:
            net = max(scan - fixed, 1e-9)
            print(f"{'':6} Harava / fastest: {best / scan:.2f}× ({best / net:.2f}× without start-up); target ≥ 0.7×")
    print("\nCPU seconds in this process (candidates) and of harava's process tree (scan); same run, same files.")


if __name__ == "__main__":
    main()
