"""A `harava check --history` stopped mid-run — kill -9, a service stopped (SIGTERM), Ctrl-C (SIGINT).

The stopped run stays in the history as unfinished: never the run a later one is compared with or carries
findings over from, even though some of its findings were already recorded. The next run gives the
verdict a whole run gives, `--since last` compares with the last run that finished, the reports read a
history holding the stopped run, and no worker process outlives the run it worked for."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import TEST_KEY
from tests.test_cli import ROOT, run

HETU = "131052-308T"
MEMBERS = 200  # addresses in the member list, read first: recorded in the history before the archive is read
FLUSH_ROWS = 50  # rows the stopped run's history sink holds before writing them (instead of thousands): the
# member list's MEMBERS + 2 rows are written in four flushes, the last of them done once MEMBERS rows are in
STATEMENT = """Tietosuojaseloste – Lukupiiri Kirjanen ry:n jäsenrekisteri

Päivitetty 2.3.2026. Seloste kuvaa, miten yhdistys käsittelee jäsentensä henkilötietoja.

1. Rekisterinpitäjä

Lukupiiri Kirjanen ry, Kirjastokuja 5, 00990 Esimerkkilä
sihteeri@example.fi

2. Rekisterin nimi

Lukupiiri Kirjanen ry:n jäsenrekisteri

3. Henkilötietojen käsittelyn tarkoitus

Jäsenyyden hoitaminen ja kokouskutsujen lähettäminen.

4. Rekisterin tietosisältö

Rekisteriin tallennetaan jäsenestä:

- etu- ja sukunimi
- matkapuhelinnumero
- sähköpostiosoite

5. Tietojen säilytysaika

Tietoja säilytetään kaksi vuotta jäsenyyden päättymisestä.
"""
FOUND = {"EMAIL_ADDRESS": MEMBERS + 2, "FI_PERSONAL_IDENTITY_CODE": 1, "PERSON": 1, "PHONE_NUMBER": 1}
TOTAL = sum(FOUND.values())
ARCHIVE = "b-arkisto.txt"

# how each stop ends the process: its exit status, what it says, and the run's status in the history
STOPS = {
    "SIGKILL": (-signal.SIGKILL, None, None),
    "SIGTERM": (143, "harava: interrupted (SIGTERM)", 143),
    "SIGINT": (130, "harava: interrupted", 130),
}


def _share(folder: Path) -> None:
    """Read in this order (names sorted): a member list of declared data, ~20 MB of meeting minutes that
    keep the run busy, and an application holding an undeclared identity code."""
    folder.mkdir()
    members = "".join(f"Jäsen {n}: jasen{n:03d}@example.fi\n" for n in range(MEMBERS))
    (folder / "a-jasenet.txt").write_text(
        f"Aino Virtanen, puh. 040 123 4567, aino.virtanen@example.fi\n{members}", "utf-8"
    )
    minutes = "Kokouksen pöytäkirja: käsiteltiin lukulistaa ja sovittiin seuraavan tapaamisen ajankohta.\n"
    with (folder / ARCHIVE).open("w", encoding="utf-8") as archive:
        for _ in range(20):
            archive.write(minutes * 10_500)
        archive.write("Pöytäkirjan laati kirjanen.sihteeri@example.fi\n")
    (folder / "c-hakemus.txt").write_text(f"Jäsenhakemus, henkilötunnus {HETU}\n", "utf-8")


def _session(leader: int) -> list[int]:
    """Live processes of the process group ``leader`` started (the run and its workers)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                state, _, group = Path("/proc", entry, "stat").read_text().rsplit(")", 1)[1].split()[:3]
            except (OSError, ValueError):
                continue
            if int(group) == leader and state != "Z":
                found.append(int(entry))
    return found


def _recorded(history: Path) -> tuple[int, int]:
    """Runs and findings in the history so far (0, 0 while it is being created or is locked)."""
    if not history.exists():
        return 0, 0
    try:
        with sqlite3.connect(f"file:{history}?mode=ro", uri=True, timeout=0.1) as db:
            runs = db.execute("SELECT count(*) FROM runs").fetchone()[0]
            findings = db.execute("SELECT count(*) FROM findings").fetchone()[0]
        db.close()
        return runs, findings
    except sqlite3.Error:
        return 0, 0


@dataclass
class Stopped:
    sent: str
    folder: Path
    config: Path
    history: Path
    status: int
    err: str
    seconds: float  # from the signal to the end of the process
    left_behind: list[int]  # its processes still alive 10 s after it ended (then killed here)
    runs: list[tuple]
    errors: list[tuple]
    recorded: int  # findings of the stopped run in the history


@pytest.fixture(scope="module")
def stopped(request, tmp_path_factory) -> Stopped:
    """A check stopped by the signal ``request.param`` once its first findings are in the history."""
    sent = request.param
    folder = tmp_path_factory.mktemp(f"stopped-{sent}")
    _share(folder / "jako")
    (folder / "seloste.txt").write_text(STATEMENT, "utf-8")
    config, history = folder / "harava.toml", folder / "historia.db"
    config.write_text(
        '[history]\npath = "historia.db"\n\n'
        '[[registers]]\nname = "Jäsenrekisteri"\nstatement = "seloste.txt"\nsources = ["jako"]\n',
        "utf-8",
    )
    env = dict(os.environ, HARAVA_HASH_KEY=TEST_KEY, XDG_CONFIG_HOME=str(folder), PYTHONPATH=str(ROOT))
    arguments = [
        "check",
        "--config",
        str(config),
        "--history",
        str(history),
        "--format",
        "json",
        "-o",
        str(folder / "raportti.json"),
        "--no-progress",
    ]
    code = (
        "from scanner.sinks import HistorySink\n"
        f"assert HistorySink.FLUSH_ROWS > {FLUSH_ROWS}\n"
        f"HistorySink.FLUSH_ROWS = {FLUSH_ROWS}\n"
        "from scanner.cli import main\n"
        f"main({arguments!r})\n"
    )
    with (folder / "stderr.txt").open("w") as err:  # a file, not a pipe: a process left behind cannot block us
        process = subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=folder,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,  # a group of its own: what it leaves behind can be found and ended
        )
    try:
        deadline = time.monotonic() + 180
        # begun, and the member list recorded (every full flush of it): the archive is being read. (A stop
        # during a flush is test_a_stop_in_the_middle_of_a_history_write_is_still_recorded.)
        while _recorded(history)[1] < MEMBERS:
            assert process.poll() is None, "the run ended before it could be stopped"
            assert time.monotonic() < deadline, "the run never recorded a finding"
            time.sleep(0.02)
        assert process.poll() is None, "the run ended before it could be stopped: make the archive larger"
        process.send_signal(getattr(signal, sent))
        signalled = time.monotonic()
        status = process.wait(timeout=120)
        seconds = time.monotonic() - signalled
        deadline = time.monotonic() + 10
        while _session(process.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        left_behind = _session(process.pid)
    finally:
        if _session(process.pid):
            os.killpg(process.pid, signal.SIGKILL)
        if process.poll() is None:
            process.wait()
    with sqlite3.connect(history) as db:
        runs = db.execute("SELECT id, finished, status FROM runs").fetchall()
        errors = db.execute("SELECT run_id, source, error FROM errors").fetchall()
        recorded = db.execute("SELECT count(*) FROM findings WHERE run_id = 1").fetchone()[0]
    db.close()
    yield Stopped(
        sent,
        folder,
        config,
        history,
        status,
        (folder / "stderr.txt").read_text("utf-8"),
        seconds,
        left_behind,
        runs,
        errors,
        recorded,
    )
    (folder / "jako" / ARCHIVE).unlink()


ALL = ["SIGKILL", "SIGTERM", "SIGINT"]


@pytest.mark.parametrize("stopped", ALL, indirect=True)
def test_the_stopped_run_ends_with_its_status_and_stays_unfinished(stopped):
    status, message, recorded_status = STOPS[stopped.sent]
    assert stopped.status == status, stopped.err
    assert stopped.seconds < 60  # stopping does not wait for the archive to be read
    assert "Traceback" not in stopped.err and HETU not in stopped.err
    if message:
        assert message in stopped.err.splitlines()
    assert stopped.runs == [(1, None, recorded_status)]  # begun, never finished
    assert stopped.errors == ([] if message is None else [(1, "harava", message.removeprefix("harava: "))])
    assert 0 < stopped.recorded < TOTAL  # some findings were in, as a long run records them as it goes
    # no report that looks whole, and no half-written one either
    assert not [p.name for p in stopped.folder.iterdir() if p.name.startswith(("raportti", ".raportti"))]


@pytest.mark.parametrize(
    "stopped",
    [
        "SIGKILL",
        "SIGTERM",
        "SIGINT",
    ],
    indirect=True,
)
def test_no_worker_outlives_the_stopped_run(stopped):
    assert stopped.left_behind == []


def _check(stopped: Stopped, *options: str) -> tuple[int, dict, str]:
    code, out, err = run(
        "check",
        "--config",
        str(stopped.config),
        "--history",
        str(stopped.history),
        "--format",
        "json",
        "--no-progress",
        *options,
    )
    assert "Traceback" not in err and HETU not in err
    return code, (json.loads(out) if out.strip() else {}), err


@pytest.mark.parametrize("stopped", ALL, indirect=True)
def test_the_next_runs_judge_and_compare_as_if_the_stopped_run_never_was(stopped):
    history = str(stopped.history)

    # a history holding only the stopped run has nothing to report yet, and says so
    code, _, err = run("report", "--history", history, "--format", "json")
    assert code == 2 and "Traceback" not in err and "no runs recorded yet" in err

    # the next run reads everything (nothing is carried over from the stopped run) and has no baseline
    code, report, err = _check(stopped, "--since", "last")
    assert code == 1, err
    [verdict] = report["registers"]
    assert verdict["found"] == FOUND
    assert [u["entity"] for u in verdict["undeclared"]] == ["FI_PERSONAL_IDENTITY_CODE"]
    assert report["changes"]["since_run"] is None
    assert len(report["changes"]["new"]) == TOTAL and report["changes"]["gone"] == []
    assert "not read again" not in err

    # the one after compares with that run, and carries its unchanged files over from it
    code, report, err = _check(stopped, "--since", "last", "--fail-on", "new-undeclared")
    assert code == 0, err
    assert report["registers"][0]["found"] == FOUND
    changes = report["changes"]
    assert changes["since_run"]["id"] == 2
    assert (changes["new"], changes["gone"], changes["persisting"]) == ([], [], TOTAL)
    assert "unchanged since run 2" in err

    # the stopped run is no baseline even when asked for by number
    code, _, err = _check(stopped, "--since", "1")
    assert code == 2 and "no run 1" in err

    with sqlite3.connect(history) as db:
        runs = db.execute("SELECT id, finished IS NOT NULL, status FROM runs").fetchall()
    db.close()
    assert runs[0] == (1, 0, STOPS[stopped.sent][2]) and all(finished for _, finished, _ in runs[1:])


@pytest.mark.parametrize("stopped", ALL, indirect=True)
def test_reports_read_a_history_holding_the_stopped_run(stopped, tmp_path):
    history = str(stopped.history)
    code, _, err = _check(stopped)
    assert code == 1, err
    code, out, err = run("report", "--history", history, "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    with sqlite3.connect(history) as db:
        [(last,)] = db.execute("SELECT max(id) FROM runs").fetchall()
    db.close()
    assert report["run"]["id"] == last
    assert len(report["findings"]) == TOTAL  # its own findings, none of the stopped run's
    for fmt in ("html", "md", "csv", "parquet"):
        code, _, err = run("report", "--history", history, "--format", fmt, "-o", str(tmp_path / f"r.{fmt}"))
        assert code == 0 and "Traceback" not in err, (fmt, err)
    code, _, err = run("report", "1", "--history", history, "--format", "json")  # the stopped run itself
    assert code == 2 and "Traceback" not in err and "no run 1" in err


@pytest.mark.parametrize(
    ("raised", "status", "why"),
    [
        ("Terminated", 143, "interrupted (SIGTERM)"),
        ("KeyboardInterrupt", 130, "interrupted"),
    ],
)
def test_a_stop_in_the_middle_of_a_history_write_is_still_recorded(tmp_path, raised, status, why):
    """A SIGTERM (or Ctrl-C) arriving where a stopped nightly run met it about one time in four: inside the
    driver's executemany, while a flush of findings is being written (here sent by the adapter of one value,
    between two rows). The signal is held until the write has committed, so the run is then recorded as
    stopped instead of failing on the write lock the cut-short statement kept."""
    import signal

    from scanner.findings import RECORD_SCHEMA
    from scanner.history import History, now
    from scanner.options import Terminated, _terminate, ended_on_failure
    from scanner.sinks import HistorySink

    exception = Terminated if raised == "Terminated" else KeyboardInterrupt
    number = signal.SIGTERM if raised == "Terminated" else signal.SIGINT
    previous = signal.signal(signal.SIGTERM, _terminate)  # as the command group installs it

    class Arriving(str):
        """A value whose writing is where the signal arrives."""

    def signal_arrives(value: str) -> str:
        signal.raise_signal(number)
        return str.__str__(value)

    def row(value: str) -> dict:
        return {
            **{f.name: "x" for f in RECORD_SCHEMA},
            "entity": "EMAIL_ADDRESS",
            "value": value,
            "score": 1.0,
            "undeclared": False,
        }

    history_file = tmp_path / "historia.db"
    history = History(history_file)
    sink = HistorySink.begin(history, "harava.toml", now())
    for n in range(FLUSH_ROWS * 2):
        sink.rows.append(row(Arriving(f"j***{n}@example.fi") if n == FLUSH_ROWS else f"j***{n}@example.fi"))
    sqlite3.register_adapter(Arriving, signal_arrives)
    try:
        with pytest.raises(exception), ended_on_failure(sink):
            sink.flush()
    finally:
        del sqlite3.adapters[(Arriving, sqlite3.PrepareProtocol)]
        signal.signal(signal.SIGTERM, previous)
    with sqlite3.connect(history_file) as db:
        runs = db.execute("SELECT id, finished, status FROM runs").fetchall()
        errors = db.execute("SELECT run_id, source, error FROM errors").fetchall()
    db.close()
    assert runs == [(1, None, status)] and errors == [(1, "harava", why)]
    assert history.findings(1) and len(history.findings(1)) == FLUSH_ROWS * 2  # the write went through whole
