"""Harava's speed against Presidio, measured in the same run on the same synthetic corpus.

    python bench/bench_scan.py [--size-mb 100] [--presidio-mb 2] [--workers 1]

Generates (once, reproducibly) a corpus of mixed Finnish prose, CSV rows and log lines — half the
files dense with personal data (a value in 43% of lines, about one per 200 bytes), half sparse (a
value in 3% of lines) — then times ``harava scan``
over all of it and Presidio's ``AnalyzerEngine`` (offline: no-op NLP engine; FI-configured pattern
recognizers) over a slice of it, and prints MB/s for both and the ratio per core.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import synth

HERE = Path(__file__).resolve().parent


def make_corpus(folder: Path, size_mb: int, seed: int = 2026) -> list[Path]:
    """Files of ~10 MB each, alternating dense and sparse; reused when already there."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    count = max(size_mb // 10, 2)
    for index in range(count):
        dense = index % 2 == 0
        path = folder / f"{'dense' if dense else 'sparse'}_{index:03d}.txt"
        files.append(path)
        if path.exists() and path.stat().st_size >= 10_000_000 * size_mb // (count * 10):
            continue
        rng = random.Random(seed + index)
        target = size_mb * 1_000_000 // count
        written = 0
        with path.open("w", encoding="utf-8") as out:
            while written < target:
                chunk = "\n".join(synth.line(rng, rng.random() < (0.43 if dense else 0.03)) for _ in range(2000)) + "\n"
                out.write(chunk)
                written += len(chunk.encode())
    return files


def time_harava(folder: Path, include: str, workers: int) -> tuple[float, int, str]:
    """Wall time of a whole ``harava scan`` run (start-up included) and its own in-run summary."""
    cmd = [
        sys.executable,
        "-m",
        "scanner",
        "scan",
        str(folder),
        "--include",
        include,
        "--format",
        "jsonl",
        "-o",
        os.devnull,
        "--no-progress",
        "--workers",
        str(workers),
    ]
    env = dict(os.environ, HARAVA_HASH_KEY="bench-key-bench-key-bench-key-bench-key")
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
    size = sum(p.stat().st_size for p in folder.glob(include))
    return time.perf_counter() - start, size, done.stderr.strip()


def in_run_seconds(summary: str) -> float:
    """The scan time Harava reports itself (without interpreter start-up and imports)."""
    return float(summary.split(" in ", 1)[1].split(" s ", 1)[0])


def presidio_engine():
    import logging

    # Presidio's e-mail recognizer has tldextract fetch the public-suffix list; offline, that
    # fails once (slowly, with a traceback) and falls back to the bundled snapshot.
    logging.getLogger("tldextract").setLevel(logging.CRITICAL)
    from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NoOpNlpEngine
    from presidio_analyzer.predefined_recognizers import (
        EmailRecognizer,
        FiPersonalIdentityCodeRecognizer,
        IpRecognizer,
        PhoneRecognizer,
    )

    registry = RecognizerRegistry(supported_languages=["fi"])
    registry.add_recognizer(FiPersonalIdentityCodeRecognizer(supported_language="fi"))
    registry.add_recognizer(EmailRecognizer(supported_language="fi"))
    registry.add_recognizer(IpRecognizer(supported_language="fi"))
    registry.add_recognizer(PhoneRecognizer(supported_regions=["FI"], supported_language="fi"))
    registry.add_recognizer(
        PatternRecognizer(
            "FI_BUSINESS_ID", supported_language="fi", patterns=[Pattern("ytunnus", r"\b\d{7}-\d\b", 0.5)]
        )
    )
    return AnalyzerEngine(
        registry=registry,
        nlp_engine=NoOpNlpEngine(models=[{"lang_code": "fi", "model_name": "none"}]),
        supported_languages=["fi"],
    )


def time_presidio(engine, files: list[Path], slice_mb: float) -> tuple[float, int, int]:
    """Presidio over the first ``slice_mb`` of the given files, in 100-line texts."""
    limit = int(slice_mb * 1_000_000)
    texts: list[str] = []
    size = 0
    for path in files:
        with path.open(encoding="utf-8") as handle:
            chunk: list[str] = []
            for line in handle:
                chunk.append(line)
                size += len(line.encode())
                if len(chunk) == 100:
                    texts.append("".join(chunk))
                    chunk = []
                if size >= limit:
                    break
            if chunk:
                texts.append("".join(chunk))
        if size >= limit:
            break
    start = time.perf_counter()
    found = sum(len(engine.analyze(text, language="fi")) for text in texts)
    return time.perf_counter() - start, size, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=int, default=100)
    parser.add_argument("--presidio-mb", type=float, default=2.0, help="how much of each kind Presidio reads")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus")
    args = parser.parse_args()

    files = make_corpus(args.corpus, args.size_mb)
    presidio = presidio_engine()
    presidio.analyze("warm up 040 123 4567", language="fi")
    print(f"corpus: {sum(p.stat().st_size for p in files) / 1e6:.0f} MB in {len(files)} files ({args.corpus})")
    print(f"{'':8} {'harava MB/s':>12} {'(whole run)':>12} {'presidio MB/s':>14} {'ratio/core':>11} {'findings':>9}")
    for kind in ("dense", "sparse", "all"):
        include = "*.txt" if kind == "all" else f"{kind}_*.txt"
        wall, size, summary = time_harava(args.corpus, include, args.workers)
        in_run = size / 1e6 / in_run_seconds(summary)
        kind_files = [p for p in files if kind == "all" or p.name.startswith(kind)]
        p_seconds, p_size, _p_found = time_presidio(
            presidio, kind_files[:1] if kind != "all" else [files[0], files[1]], args.presidio_mb
        )
        p_speed = p_size / 1e6 / p_seconds
        findings = summary.split("Findings: ", 1)[1].split()[0]
        print(
            f"{kind:8} {in_run:12.1f} {size / 1e6 / wall:12.1f} {p_speed:14.2f} "
            f"{in_run / args.workers / p_speed:10.0f}x {findings:>9}"
        )
    print("harava MB/s is the scan as Harava times it; 'whole run' adds interpreter start-up and imports.")


if __name__ == "__main__":
    main()
