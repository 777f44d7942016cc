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


def time_harava(folder: Path, workers: int) -> tuple[float, int, str]:
    cmd = [
        sys.executable,
        "-m",
        "scanner",
        "scan",
        str(folder),
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
    return time.perf_counter() - start, sum(p.stat().st_size for p in folder.iterdir()), done.stderr.strip()


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


def time_presidio(files: list[Path], slice_mb: float) -> tuple[float, int, int]:
    engine = presidio_engine()
    limit = int(slice_mb * 1_000_000)
    texts: list[str] = []
    size = 0
    for path in files[:2]:  # one dense and one sparse file, half the slice each
        with path.open(encoding="utf-8") as handle:
            taken = 0
            chunk: list[str] = []
            for line in handle:
                chunk.append(line)
                taken += len(line.encode())
                if len(chunk) == 100:
                    texts.append("".join(chunk))
                    chunk = []
                if taken >= limit // 2:
                    break
            if chunk:
                texts.append("".join(chunk))
            size += taken
    engine.analyze(texts[0], language="fi")  # warm up
    start = time.perf_counter()
    found = sum(len(engine.analyze(text, language="fi")) for text in texts)
    return time.perf_counter() - start, size, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=int, default=100)
    parser.add_argument("--presidio-mb", type=float, default=2.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus")
    args = parser.parse_args()

    files = make_corpus(args.corpus, args.size_mb)
    seconds, size, summary = time_harava(args.corpus, args.workers)
    harava_mbs = size / 1e6 / seconds
    p_seconds, p_size, p_found = time_presidio(files, args.presidio_mb)
    presidio_mbs = p_size / 1e6 / p_seconds
    print(f"corpus:   {size / 1e6:.0f} MB in {len(files)} files ({args.corpus})")
    print(f"harava:   {harava_mbs:8.1f} MB/s  ({seconds:.1f} s, {args.workers} worker(s), whole run incl. start-up)")
    print(f"presidio: {presidio_mbs:8.2f} MB/s  ({p_seconds:.1f} s over {p_size / 1e6:.1f} MB, {p_found} results)")
    print(f"ratio:    {harava_mbs / args.workers / presidio_mbs:8.0f}x per core")
    print("harava summary:\n  " + summary.replace("\n", "\n  "))


if __name__ == "__main__":
    main()
