"""The HTML report of a recorded run: what it says first, readable locations and local times, contradicted
findings, the charts, the print layout and the findings explorer — driven in headless Chromium through
the DevTools protocol (over a pipe: no port, no extra package), on the examples and on 50,000 findings."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import select
import shutil
import subprocess
import sys
import time
import unicodedata
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from scanner.history import History
from scanner.reports import render
from tests.test_cli import ROOT, run

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(BROWSER is None, reason="Chromium is not installed (Debian package chromium)")


# --- the examples, recorded twice ---------------------------------------------------------------------------
def _examples(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    config = tmp_path / "examples" / "harava.toml"
    config.write_text(config.read_text("utf-8") + '\n[history]\npath = "history.db"\n', "utf-8")
    return config


def _check(config: Path) -> None:
    code, _, err = run("check", "--config", str(config), "--no-progress")
    assert code in (0, 1), err


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The examples checked twice: between the runs a memo went away and a file with a phone number and an
    IP address (which the newsletter statement denies holding) came in."""
    tmp_path = tmp_path_factory.mktemp("report")
    config = _examples(tmp_path)
    _check(config)
    share = config.parent / "share"
    (share / "Markkinointi" / "arvonta.txt").write_text("Voittaja: puh. 040 765 4321, IP 192.0.2.99\n", "utf-8")
    (share / "Henkilosto" / "muistio.txt").unlink()
    _check(config)
    return config.parent / "history.db"


def _facts(history: Path) -> dict[str, Any]:
    """What the page should say, counted from the history itself (the examples gain findings as detectors
    are added; the page must agree with the data, whatever it holds)."""
    store = History(str(history))
    last = store.resolve("last")
    change = store.compare(last["id"], store.resolve("last", before=last["id"]))
    findings = store.findings(last["id"])
    verdicts = store.verdicts(last["id"])
    return {
        "new": len(change.new),
        "new_undeclared": sum(f.undeclared for f in change.new),
        "gone": len(change.gone),
        "persisting": change.persisting,
        "total": len(findings),
        "undeclared": sum(f.undeclared for f in findings),
        "failing": sum(1 for v in verdicts if v["undeclared"]),
        "contradicted": sum(c["count"] for v in verdicts for c in v["contradicted"]),
        "customers": sum(f.register == "Asiakasrekisteri" for f in findings),
    }


def _html(history: Path, run_id: str = "last", tz: str = "Europe/Helsinki") -> str:
    previous = os.environ.get("TZ")
    os.environ["TZ"] = tz
    time.tzset()
    try:
        store = History(str(history))
        return render(store, store.resolve(run_id), "html").decode()
    finally:
        if previous is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = previous
        time.tzset()


class _Text(HTMLParser):
    """The page's text as a person reads it (scripts and styles left out), and its links and sources."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.refs: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.skip += tag in ("script", "style")
        self.refs += [v or "" for k, v in attrs if k in ("src", "href", "action")]

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def _text(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


def test_the_page_opens_with_what_changed_and_says_where_in_words(two_runs):
    html = _html(two_runs)
    page = _text(html)
    text = page.text
    # what a DPO reads first: new and gone since the run before, and the numbers now
    assert text.index("New since the last run") < text.index("Registers")
    assert re.search(r"Compared with run 1 \(\d{4}-\d\d-\d\d \d\d:\d\d EET\)", text)
    facts = _facts(two_runs)
    assert (facts["new"], facts["new_undeclared"], facts["contradicted"]) == (2, 2, 6)
    assert "2 new undeclared findings" in text and f"{facts['gone']} gone since then" in text
    assert f"{facts['persisting']} unchanged" in text
    assert f"{facts['undeclared']} undeclared now, in {facts['failing']} registers" in text
    assert "6 contradict what a statement says" in text
    # readable locations: the database cell, the line
    assert "crm.db › tukipyynnot.lahetetty_osoitteesta, row id 1" in html
    assert "arvonta.txt › line 1, column 16" in text
    assert "muistio.txt › line 9, column 27" in text  # gone since the last run
    # contradicted before undeclared, in the statement's own words
    assert (
        "<strong>Contradicted: IP_ADDRESS 2</strong> — statement line 13 says <q>We do not collect IP addresses of "
        "subscribers.</q>, yet 2 IP addresses were found."
    ) in html
    assert text.index("Contradicted: IP_ADDRESS 2") < text.index("Undeclared: PHONE_NUMBER 1")
    # the declared categories no detector looks for yet
    assert "Declared, no detector yet: laskutustiedot" in text
    # times in the local zone, with the date
    assert re.search(r"Started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d EET", text)
    assert "+00:00" not in text
    # the chart has an axis title, values and run dates
    assert "undeclared findings" in html and re.search(r">run 2</text><text[^>]*>\d{4}-\d\d-\d\d<", html)
    # nothing is loaded from anywhere: no reference, and a policy that forbids them
    assert page.refs == [] and "default-src 'none'" in html
    assert "10.30.*.*" in html and "10.30.105.128" not in html and "192.0.2.99" not in html


def test_json_and_markdown_say_what_changed_and_what_is_contradicted(two_runs):
    code, out, _ = run("report", "--history", str(two_runs), "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert report["since_last_run"] == {
        "run": 1,
        "started": report["since_last_run"]["started"],
        "new": 2,
        "new_undeclared": 2,
        "gone": _facts(two_runs)["gone"],
        "persisting": _facts(two_runs)["persisting"],
        "key_changed": None,
    }
    news = {v["name"]: v for v in report["registers"]}["Newsletter register"]
    assert [(c["entity"], c["count"], c["statement_line"]) for c in news["contradicted"]] == [("IP_ADDRESS", 2, 13)]
    code, out, _ = run("report", "1", "--history", str(two_runs), "--format", "json")
    assert code == 0 and json.loads(out)["since_last_run"] is None
    code, out, _ = run("report", "--history", str(two_runs), "--format", "md")
    facts = _facts(two_runs)
    assert (
        code == 0 and f"Since run 1: 2 new (2 undeclared), {facts['gone']} gone, {facts['persisting']} unchanged" in out
    )
    assert '- **contradicted: IP_ADDRESS 2** — statement line 13 says "We do not collect IP addresses' in out


def test_names_that_look_like_markup_stay_text_and_members_are_shown(tmp_path):
    """A file or member name is data: whatever it holds cannot end the embedded data or add an element."""
    import zipfile

    config = _examples(tmp_path)
    folder = config.parent / "share" / "Markkinointi"
    (folder / "<img src=x onerror=alert(1)>.txt").write_text("puh. 040 765 4321\n", "utf-8")
    with zipfile.ZipFile(folder / "liitteet.zip", "w") as archive:
        archive.writestr("2026/</script><img src=y>.txt", "Voittaja: puh. 040 765 4322\n")
    _check(config)
    html = _html(config.parent / "history.db")
    assert "<img" not in html and html.count("</script>") == 2  # the data's and the explorer's own
    assert "&lt;img src=x onerror=alert(1)&gt;.txt › line 1, column 6" in html  # in the printed table, escaped
    assert "liitteet.zip › 2026/&lt;/script&gt;&lt;img src=y&gt;.txt › line 1, column 16" in html
    data = html.split('<script type="application/json" id="harava-findings">')[1].split("</script>")[0]
    assert "liitteet.zip › 2026/</script><img src=y>.txt › line 1, column 16" in json.loads(data)["w"]


# --- Chromium, through the DevTools protocol on a pipe ------------------------------------------------------
#: Starts a program with two pipes as its fds 3 and 4, where ``--remote-debugging-pipe`` looks for them (moved
#: out of the way first, so that neither overwrites the other).
_ON_3_AND_4 = (
    "import fcntl, os, sys\n"
    "ends = [fcntl.fcntl(int(fd), fcntl.F_DUPFD, 10) for fd in sys.argv[1:3]]\n"
    "os.dup2(ends[0], 3)\n"
    "os.dup2(ends[1], 4)\n"
    "os.execv(sys.argv[3], sys.argv[3:])\n"
)


class Chromium:
    """Headless Chromium driven through ``--remote-debugging-pipe``: commands are JSON written to its fd 3,
    answers and events come back on its fd 4, each ended by a NUL byte."""

    def __init__(self, profile: Path) -> None:
        to_browser, self._write = os.pipe()
        self._read, from_browser = os.pipe()
        flags = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--remote-debugging-pipe",
            f"--user-data-dir={profile}",
            "about:blank",
        ]
        self.process = subprocess.Popen(
            [sys.executable, "-c", _ON_3_AND_4, str(to_browser), str(from_browser), BROWSER, *flags],
            pass_fds=(to_browser, from_browser),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=dict(os.environ, HOME=str(profile)),
        )
        os.close(to_browser)
        os.close(from_browser)
        self._buffer = b""
        self._id = 0
        self.events: list[dict[str, Any]] = []
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.send("Page.enable", session=True)

    def _messages(self, deadline: float) -> Iterator[dict[str, Any]]:
        while True:
            while b"\0" in self._buffer:
                message, self._buffer = self._buffer.split(b"\0", 1)
                yield json.loads(message)
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._read], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed its pipe")
            self._buffer += chunk

    def send(self, method: str, session: bool = False, timeout: float = 60, **params: Any) -> dict[str, Any]:
        self._id += 1
        message: dict[str, Any] = {"id": self._id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        for answer in self._messages(time.monotonic() + timeout):
            if answer.get("id") == self._id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            self.events.append(answer)
        raise AssertionError("unreachable")

    def wait_for(self, event: str, timeout: float = 60) -> None:
        if any(e.get("method") == event for e in self.events):
            self.events = [e for e in self.events if e.get("method") != event]
            return
        for message in self._messages(time.monotonic() + timeout):
            if message.get("method") == event:
                return
            self.events.append(message)

    def open(self, url: str, width: int = 1200, height: int = 900) -> None:
        self.send("Emulation.setDeviceMetricsOverride", session=True, width=width, height=height,
                  deviceScaleFactor=1, mobile=False)  # fmt: skip
        self.events.clear()
        self.send("Page.navigate", session=True, url=url)
        self.wait_for("Page.loadEventFired", timeout=120)

    def js(self, expression: str) -> Any:
        result = self.send(
            "Runtime.evaluate", session=True, expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: Path, full: bool = True) -> Path:
        if full:
            size = self.send("Page.getLayoutMetrics", session=True)["cssContentSize"]
            self.send("Emulation.setDeviceMetricsOverride", session=True, width=int(size["width"]),
                      height=int(size["height"]), deviceScaleFactor=1, mobile=False)  # fmt: skip
        shot = self.send("Page.captureScreenshot", session=True, format="png")
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def pdf(self, path: Path) -> Path:
        printed = self.send("Page.printToPDF", session=True, preferCSSPageSize=True, printBackground=True)
        path.write_bytes(base64.b64decode(printed["data"]))
        return path

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):  # it may be gone already
            self.send("Browser.close", timeout=10)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._read)
        os.close(self._write)


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[Chromium]:
    if BROWSER is None:
        pytest.skip("Chromium is not installed (Debian package chromium)")
    browser = Chromium(tmp_path / "profile")
    try:
        yield browser
    finally:
        browser.close()


def _shots() -> Path | None:
    """Where screenshots are kept for a person to look at (``HARAVA_SCREENSHOTS=folder``), else nowhere."""
    folder = os.environ.get("HARAVA_SCREENSHOTS")
    if not folder:
        return None
    Path(folder).mkdir(parents=True, exist_ok=True)
    return Path(folder)


def _select(name: str, value: str) -> str:
    """JavaScript choosing ``value`` in the explorer's ``name`` filter, as a person would."""
    return (
        f"(function(){{var s=document.querySelector('[data-x=\"{name}\"]');s.value={json.dumps(value)};"
        "s.dispatchEvent(new Event(s.tagName==='INPUT'?'input':'change'));return s.value;})()"
    )


COUNT = "document.querySelector('[data-x=\"count\"]').textContent"
FIRST_ROW = (
    "Array.from(document.querySelectorAll('[data-x=\"rows\"] tr:not([aria-hidden]) td')).slice(0,6)"
    ".map(td=>td.textContent)"
)


@needs_chromium
def test_the_explorer_filters_and_sorts_the_examples(two_runs, chromium, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(_html(two_runs), "utf-8")
    chromium.open(page.as_uri())
    assert chromium.js("document.getElementById('explorer').dataset.ready") == "true"
    facts = _facts(two_runs)
    total = facts["total"]
    assert chromium.js(COUNT) == f"Showing {total} of {total} findings"
    # contradicted first, new ones before the rest
    assert chromium.js(FIRST_ROW)[:3] == ["contradictednew", "Newsletter register", "IP_ADDRESS"]
    assert chromium.js(_select("register", "Asiakasrekisteri")) == "Asiakasrekisteri"
    assert chromium.js(COUNT) == f"Showing {facts['customers']} of {total} findings"
    chromium.js(_select("entity", "IP_ADDRESS"))
    assert chromium.js(COUNT) == f"Showing 4 of {total} findings"
    chromium.js(_select("register", ""))
    chromium.js(_select("folder", "examples"))  # a folder with its subfolders: the share and the database
    assert chromium.js(COUNT) == f"Showing 6 of {total} findings"
    chromium.js(_select("folder", "examples/share/Markkinointi"))
    assert chromium.js(COUNT) == f"Showing 2 of {total} findings"
    assert chromium.js("location.hash") == "#entity=IP_ADDRESS&folder=examples%2Fshare%2FMarkkinointi"
    chromium.js(_select("folder", ""))
    chromium.js(_select("entity", ""))
    chromium.js(_select("status", "new"))
    assert chromium.js(COUNT) == f"Showing 2 of {total} findings"
    chromium.js(_select("status", ""))
    chromium.js(_select("q", "tukipyynnot.lahetetty"))
    chromium.js("new Promise(r => setTimeout(r, 300))")
    assert chromium.js(COUNT) == f"Showing 2 of {total} findings"
    chromium.js(_select("q", ""))
    chromium.js("new Promise(r => setTimeout(r, 300))")
    chromium.js("document.querySelector('th button[data-sort=\"value\"]').click()")
    values = chromium.js(
        "Array.from(document.querySelectorAll('[data-x=\"rows\"] tr td:last-child')).map(t=>t.textContent)"
    )
    values = [v for v in values if v]
    assert values == sorted(values)
    assert chromium.js("document.querySelector('th[aria-sort=\"ascending\"]').textContent") == "value (masked) ▲"
    # a view in the address opens as it was left
    chromium.open("about:blank")
    chromium.open(page.as_uri() + "#status=contradicted&register=Personalregister")
    assert chromium.js(COUNT) == f"Showing 0 of {total} findings"
    chromium.js("location.hash = '#status=contradicted'; new Promise(r => setTimeout(r, 100))")
    assert chromium.js(COUNT) == f"Showing 6 of {total} findings"
    assert chromium.js("document.querySelector('[data-x=\"register\"]').value") == ""

    chromium.open(page.as_uri(), width=1200, height=900)
    shots = _shots() or tmp_path
    shot = chromium.screenshot(shots / "report.png")
    assert shot.stat().st_size > 50_000


@needs_chromium
def test_the_page_prints_on_a4_without_the_explorer(two_runs, chromium, tmp_path):
    from pypdf import PdfReader

    page = tmp_path / "report.html"
    page.write_text(_html(two_runs), "utf-8")
    chromium.open(page.as_uri())
    pdf = chromium.pdf((_shots() or tmp_path) / "report.pdf")
    reader = PdfReader(str(pdf))
    width, height = (float(x) for x in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    pages = [unicodedata.normalize("NFKC", p.extract_text()) for p in reader.pages]  # "ﬁ" is "fi"
    text = " ".join(pages)
    assert "Findings explorer" not in text and "Undeclared findings" in text
    # every undeclared finding is in the printed table, whole: nothing cut at a cell's edge
    for value in ("10.30.*.*", "2001:db8:*", "192.0.*.*", "040 *** **21"):
        assert value in text
    assert "tukipyynnot.lahetetty_osoitteesta, row" in " ".join(text.split())
    # a heading is never the last thing on its page
    for number, p in enumerate(pages[:-1]):
        last = [line for line in p.splitlines() if line.strip()][-1]
        assert last.strip() not in {
            "Registers",
            "New since the last run",
            "Undeclared findings over runs",
            "Findings by entity",
            "Top folders and tables",
            "Undeclared findings",
            "Items that could not be read",
        }, f"page {number + 1} ends with its heading"
    chromium.send("Emulation.setEmulatedMedia", session=True, media="print")
    chromium.open(page.as_uri(), width=794, height=1123)  # A4 at 96 dpi
    chromium.screenshot((_shots() or tmp_path) / "report-print.png")


# --- 50,000 findings --------------------------------------------------------------------------------------------
ENTITIES = ("EMAIL_ADDRESS", "PHONE_NUMBER", "IP_ADDRESS", "FI_PERSONAL_IDENTITY_CODE")
VALUES = ("a***@example.fi", "040 *** **67", "192.0.*.*", "131052-***T")


def _large_history(path: Path, n: int = 50_000) -> History:
    """A history with one run of ``n`` findings over 2 registers, 500 folders and a database table."""
    history = History(str(path))
    run_id = history.begin("large.toml", "2026-11-03T08:00:00+00:00")
    rows = []
    for i in range(n):
        entity = ENTITIES[i % 4]
        register = "Asiakasrekisteri" if i % 5 else "Newsletter register"
        if i % 10 == 0:
            source = "sqlite:////srv/data/crm.db"
            location = {"table": "tukipyynnot", "column": "viesti", "row": {"id": i}}
        else:
            source = f"/srv/share/Asiakaspalvelu/{i % 500:03d}/tiketti-{i % 2000}.txt"
            location = {"line": i % 300 + 1, "column": 5}
        rows.append(
            {
                "register": register,
                "source": source,
                "path": source,
                "member": None,
                "location": json.dumps(location),
                "entity": entity,
                "value": VALUES[i % 4],
                "value_hash": f"{i:016x}",
                "undeclared": entity == "IP_ADDRESS",
                "score": 0.9,
                "detector": "x",
                "detail": None,
            }
        )
    history.add_findings(run_id, rows)
    verdicts = [
        {
            "name": name,
            "status": "undeclared",
            "declared": ["EMAIL_ADDRESS", "FI_PERSONAL_IDENTITY_CODE", "PHONE_NUMBER"],
            "declared_categories": [{"category": "nimi", "label": "nimi", "entities": []}],
            "found": {},
            "undeclared": [{"entity": "IP_ADDRESS", "count": 1, "examples": []}],
            "contradicted": [
                {
                    "category": "ip_osoite",
                    "label": "IP-osoite",
                    "entity": "IP_ADDRESS",
                    "count": 1,
                    "statement_line": 36,
                    "sentence": "Emme tallenna IP-osoitteita.",
                }
            ]
            if name == "Asiakasrekisteri"
            else [],
            "declared_not_found": [],
        }
        for name in ("Asiakasrekisteri", "Newsletter register")
    ]
    history.finish(run_id, verdicts, [], 1)
    return history


@needs_chromium
def test_the_explorer_opens_and_filters_50000_findings(chromium, tmp_path):
    history = _large_history(tmp_path / "large.db")
    started = time.perf_counter()
    html = render(history, history.resolve("last"), "html").decode()
    assert time.perf_counter() - started < 30
    assert len(html) < 12_000_000  # compact: about 150 bytes a finding, the printed table included
    page = tmp_path / "large.html"
    page.write_text(html, "utf-8")

    chromium.open(page.as_uri())
    assert chromium.js("document.getElementById('explorer').dataset.ready") == "true"
    assert chromium.js(COUNT) == "Showing 50,000 of 50,000 findings"
    drawn = int(chromium.js("document.getElementById('explorer').dataset.drawn"))
    assert 0 < drawn < 100  # only the rows in view (and a few around them) are in the page
    timing = chromium.js(
        "(function(){var t=performance.now();" + _select("entity", "IP_ADDRESS") + ";return performance.now()-t;})()"
    )
    assert chromium.js(COUNT) == "Showing 12,500 of 50,000 findings"
    assert timing < 2_000, f"filtering took {timing:.0f} ms"
    chromium.js(_select("register", "Newsletter register"))
    assert chromium.js(COUNT) == "Showing 2,500 of 50,000 findings"  # i % 5 == 0 and i % 4 == 2
    chromium.js(_select("register", "Asiakasrekisteri"))
    assert chromium.js(COUNT) == "Showing 10,000 of 50,000 findings"
    chromium.js(_select("register", ""))
    chromium.js(_select("entity", ""))
    chromium.js(_select("folder", "srv/share/Asiakaspalvelu/007"))
    assert chromium.js(COUNT) == "Showing 100 of 50,000 findings"  # i % 500 == 7
    chromium.js(_select("folder", "srv/share"))  # a folder with all its subfolders
    assert chromium.js(COUNT) == "Showing 45,000 of 50,000 findings"  # all but the database's
    chromium.js(_select("folder", ""))
    chromium.js(_select("q", "tiketti-1999.txt"))
    chromium.js("new Promise(r => setTimeout(r, 400))")
    assert chromium.js(COUNT) == "Showing 25 of 50,000 findings"
    chromium.js(_select("q", ""))
    chromium.js("new Promise(r => setTimeout(r, 400))")
    # scrolling to the end draws the last rows, not all of them
    chromium.js("var s=document.querySelector('[data-x=\"scroll\"]');s.scrollTop=s.scrollHeight;")
    chromium.js("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert int(chromium.js("document.getElementById('explorer').dataset.drawn")) < 100
    sort = chromium.js(
        "(function(){var t=performance.now();"
        "document.querySelector('th button[data-sort=\"where\"]').click();return performance.now()-t;})()"
    )
    assert sort < 5_000, f"sorting took {sort:.0f} ms"
    assert chromium.js(FIRST_ROW)[3] == "crm.db › tukipyynnot.viesti, row id 0"
    load = chromium.js("performance.getEntriesByType('navigation')[0].loadEventEnd")
    assert load < 15_000, f"the page took {load:.0f} ms to load"
