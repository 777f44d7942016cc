"""``--cluster``: the same scan on a Dask cluster (a real ``LocalCluster`` of two worker processes).

The findings of a cluster run are those of a local run, byte for byte after sorting (files, SQLite and
PostgreSQL tables, and the check's verdicts); a file that kills its worker is reported alone and the rest
scanned; a worker killed mid-run costs nothing but time; a scheduler that cannot be reached, or workers with
another hash key, end the run with exit 2 and the reason."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="the cluster extra is not installed: pip install 'harava[cluster]'")

from tests.conftest import TEST_KEY
from tests.test_cli import ROOT

TRAPS = {"DASK_DISTRIBUTED__WORKER__PRELOAD": '["tests.cluster_traps"]'}


def harava(*args: str, env: dict[str, str] | None = None, timeout: float = 240) -> tuple[int, str, str]:
    """``harava`` in a process of its own (a cluster's workers and their nannies are its children)."""
    environment = {**os.environ, "HARAVA_HASH_KEY": TEST_KEY, "PYTHONPATH": str(ROOT), **(env or {})}
    done = subprocess.run(
        [sys.executable, "-m", "scanner", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return done.returncode, done.stdout, done.stderr


def rows(text: str) -> list[str]:
    return sorted(line for line in text.splitlines() if line.strip())


def test_a_cluster_run_finds_what_a_local_run_finds():
    targets = ("examples/share", "sqlite:///examples/crm.db")
    code, here, err = harava("scan", *targets, "--format", "jsonl", "--no-progress")
    assert code == 0, err
    code, there, err = harava("scan", *targets, "--format", "jsonl", "--no-progress", "--cluster", "local:2")
    assert code == 0, err
    assert rows(there) == rows(here) and len(rows(here)) > 60
    assert "Scanned 9 files" in err and "Scanned 2 tables" in err


def test_a_check_on_a_cluster_gives_the_same_verdicts(tmp_path):
    def verdicts(*extra: str) -> dict:
        out = tmp_path / f"check{len(extra)}.json"
        code, _, err = harava(
            "check", "--config", "examples/harava.toml", "--format", "json", "-o", str(out), "--no-progress",
            "--history", str(tmp_path / f"history{len(extra)}.db"), *extra,
        )  # fmt: skip
        assert code == 1, err  # the examples hold undeclared data
        report = json.loads(out.read_text("utf-8"))
        return {"registers": report["registers"], "errors": report.get("errors")}

    assert verdicts("--cluster", "local:2") == verdicts()


def test_the_config_names_the_cluster(tmp_path):
    config = tmp_path / "harava.toml"
    config.write_text('[cluster]\naddress = "local:2"\n', "utf-8")
    code, out, err = harava("scan", "examples/share/Henkilosto", "--config", str(config), "--format", "jsonl")
    assert code == 0, err
    assert len(rows(out)) == 6
    config.write_text('[cluster]\naddress = "scheduler"\n', "utf-8")
    code, _, err = harava("scan", "examples/share/Henkilosto", "--config", str(config))
    assert code == 2 and "expected local:N or a scheduler address" in err


def test_a_file_that_crashes_or_hangs_its_reader_is_reported_alone(tmp_path):
    share = tmp_path / "jako"
    share.mkdir()
    (share / "a.txt").write_text("puh. 040 123 4567\n", "utf-8")  # in one group of small files with the others
    (share / "b-kaatuu.dat").write_bytes(b"HARAVA-CLUSTER-CRASH 131052-308T")
    (share / "c-jumittaa.dat").write_bytes(b"HARAVA-CLUSTER-HANG 131052-308T")
    (share / "d.txt").write_text("aino@example.fi\n", "utf-8")
    command = ("scan", str(share), "--format", "jsonl", "--cluster", "local:2", "--item-timeout", "2")
    code, out, err = harava(*command, env=TRAPS)
    assert code == 0, err
    found = [json.loads(line) for line in rows(out)]
    assert sorted((Path(r["source"]).name, r["entity"]) for r in found if r["entity"]) == [
        ("a.txt", "PHONE_NUMBER"),
        ("d.txt", "EMAIL_ADDRESS"),
    ]
    assert {Path(r["source"]).name: (r["error"], r["code"]) for r in found if r["error"]} == {  # as in a local run
        "b-kaatuu.dat": ("crashed: the reader died of SIGSEGV", "crashed"),
        "c-jumittaa.dat": ("timeout: still reading after 2 s (--item-timeout)", "timeout"),
    }
    assert "131052-308T" not in out + err


def test_a_file_that_keeps_killing_workers_is_found_by_splitting_its_batch(tmp_path):
    share = tmp_path / "jako"
    share.mkdir()
    for name in ("a.txt", "c.txt"):
        (share / name).write_text(f"{name}: aino@example.fi\n", "utf-8")
    (share / "b-tappaja.dat").write_bytes(b"HARAVA-CLUSTER-KILL-WORKER 131052-308T")
    code, out, err = harava("scan", str(share), "--format", "jsonl", "--cluster", "local:2", env=TRAPS)
    assert code == 0, err
    found = [json.loads(line) for line in rows(out)]
    assert sorted(Path(r["source"]).name for r in found if r["entity"]) == ["a.txt", "c.txt"]
    assert {Path(r["source"]).name: (r["error"], r["code"]) for r in found if r["error"]} == {
        "b-tappaja.dat": ("crashed: the reader killed its worker (the cluster gave up on it)", "crashed")
    }


def test_a_worker_killed_mid_run_costs_only_time(tmp_path):
    import psutil

    share = tmp_path / "hidas"
    share.mkdir()
    for n in range(24):
        (share / f"{n:02}.dat").write_bytes(f"HARAVA-CLUSTER-SLOW\nasiakas{n}@example.fi\n".encode())
    environment = dict(os.environ, HARAVA_HASH_KEY=TEST_KEY, PYTHONPATH=str(ROOT), **TRAPS)
    command = [sys.executable, "-m", "scanner", "scan", str(share), "--format", "jsonl", "--cluster", "local:2"]
    process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    killed = None
    deadline = time.monotonic() + 60
    while killed is None and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.5)
        for child in psutil.Process(process.pid).children(recursive=True):
            with contextlib.suppress(psutil.Error):
                if any(f.path.startswith(str(share)) for f in child.open_files()):  # a worker's reader
                    worker = child.parent()  # the Dask worker, not the process it reads in
                    killed = worker.pid
                    worker.kill()
                    break
    out, err = process.communicate(timeout=240)
    assert killed is not None, "no worker to kill"
    assert process.returncode == 0, err.decode()
    found = [json.loads(line) for line in rows(out.decode())]
    assert not [r for r in found if r["error"]]
    assert sorted(r["value_hash"] is not None and Path(r["source"]).name for r in found) == [
        f"{n:02}.dat" for n in range(24)
    ]


def test_no_scheduler_at_the_address_ends_the_run_with_the_reason():
    started = time.monotonic()
    code, _, err = harava(
        "scan",
        "examples/share",
        "--cluster",
        "tcp://127.0.0.1:9",
        env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"},
    )
    assert code == 2 and "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in err, err
    assert time.monotonic() - started < 60


@contextlib.contextmanager
def started_by_hand(folder: Path, workers: int = 2, env: dict[str, str] | None = None) -> Iterator[tuple[str, list]]:
    """A scheduler and workers started with the ``dask`` CLI, as on file servers: in another folder (the
    items' paths must be absolute), with the run's key in their environment. Yields the scheduler's
    address and the processes (the scheduler first)."""
    address_file = folder / "scheduler.json"
    environment = {**os.environ, "HARAVA_HASH_KEY": TEST_KEY, "PYTHONPATH": str(ROOT), **(env or {})}

    def start(*command: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", *command, "--scheduler-file", str(address_file)],
            cwd=folder,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    started = [start("distributed.cli.dask_scheduler", "--port", "0", "--dashboard-address", ":0")]
    deadline = time.monotonic() + 60
    while not address_file.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    started += [start("distributed.cli.dask_worker", "--nthreads", "1", "--no-dashboard") for _ in range(workers)]
    try:
        address = json.loads(address_file.read_text())["address"]
        from distributed import Client

        with Client(address, timeout="60s") as client:
            client.wait_for_workers(workers, timeout=60)
        yield address, started
    finally:
        for process in reversed(started):
            process.terminate()
        for process in started:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=20)


@pytest.fixture(scope="module")
def by_hand(tmp_path_factory):
    with started_by_hand(tmp_path_factory.mktemp("cluster")) as (address, _):
        yield address


def test_a_scheduler_and_workers_started_by_hand_find_what_a_local_run_finds(by_hand):
    from tests.test_database import PG_URL, server

    engine = server(PG_URL)
    with engine.connect() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS harava_cluster_jasenet")
        connection.exec_driver_sql(
            "CREATE TABLE harava_cluster_jasenet (id integer PRIMARY KEY, nimi text, hetu text, puhelin text)"
        )
        connection.exec_driver_sql(
            "INSERT INTO harava_cluster_jasenet VALUES (1, 'Aino Virtanen', '131052-308T', '040 123 4567'),"
            " (2, 'Eino Mäkelä', '010594Y9021', '+358 50 765 4321')"
        )
    try:
        targets = ("examples/share", "sqlite:///examples/crm.db", PG_URL)
        include = ("--include", "*", "--include", "public.harava_cluster_jasenet", "--include", "asiakkaat")
        code, here, err = harava("scan", *targets, *include, "--format", "jsonl", "--no-progress")
        assert code == 0, err
        code, there, err = harava(
            "scan", *targets, *include, "--format", "jsonl", "--no-progress", "--cluster", by_hand
        )
        assert code == 0, err
        assert rows(there) == rows(here)
        assert sum("public.harava_cluster_jasenet" in row for row in rows(here)) == 6
    finally:
        with engine.connect() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS harava_cluster_jasenet")


def test_workers_with_another_hash_key_are_refused(by_hand):
    code, out, err = harava(
        "scan", "examples/share/Henkilosto", "--cluster", by_hand, env={"HARAVA_HASH_KEY": "another-key-" + "x" * 32}
    )
    assert code == 2 and "has another hash key" in err and "give every worker the same key" in err, err
    assert out == ""


def test_a_lost_scheduler_ends_the_run_with_exit_2_and_no_output_that_looks_complete(tmp_path):
    share = tmp_path / "hidas"
    share.mkdir()
    for n in range(40):
        (share / f"{n:02}.dat").write_bytes(f"HARAVA-CLUSTER-SLOW\nasiakas{n}@example.fi\n".encode())
    output = tmp_path / "loydot.jsonl"
    with started_by_hand(tmp_path, workers=1, env=TRAPS) as (address, (scheduler, *_)):
        environment = {**os.environ, "HARAVA_HASH_KEY": TEST_KEY, "PYTHONPATH": str(ROOT)}
        command = [sys.executable, "-m", "scanner", "scan", str(share), "-o", str(output), "--cluster", address]
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stderr=subprocess.PIPE, text=True)
        time.sleep(4)  # the first batch under way (20 s of reading)
        scheduler.kill()
        _, err = process.communicate(timeout=120)
    assert process.returncode == 2, err
    assert f"Error: lost the Dask scheduler at {address}" in err and "Traceback" not in err
    assert not output.exists()
