"""datafog-core over text files, timed in its own process: the baseline ``bench_scan.py --datafog`` runs.

Needs only the standard library and datafog-core, in a virtual environment of its own, e.g.::

    python3 -m venv /tmp/datafog-venv && /tmp/datafog-venv/bin/pip install datafog-core
    /tmp/datafog-venv/bin/python bench/datafog_run.py FILE... [--output PATH] [--hash-key KEY]

datafog-core (Rust; ``datafog_core.scan(text, config)``) has no batch API; one call per ~1 MB block
was its fastest way here (as fast as one call for a whole 10 MB file, twice as fast as 100-line texts,
8× as fast as a call per line). So each file is read in binary blocks of about 1 MB cut after a
newline, decoded, and scanned for the entities it shares with Harava: ``EMAIL``, ``PHONE``, ``SSN`` and
``IP_ADDRESS`` (it has nothing for Finnish identity codes or business IDs, and takes a phone number
without ``+`` as North American).
Like Harava's output, each finding becomes one JSON line (file, entity, detector, byte range, and with
``--hash-key`` an HMAC-SHA256 of the value as Harava computes it; no masked value and no line number),
written to ``--output`` (default: the null device). Prints one JSON object on stdout: bytes read, seconds
for the whole loop (wall and CPU) and for the ``scan`` calls alone, findings per entity, datafog-core's
version.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from collections import Counter
from importlib.metadata import version

import datafog_core

ENTITIES = ["EMAIL", "PHONE", "SSN", "IP_ADDRESS"]
BLOCK = 1 << 20


def blocks(path: str):
    """(byte offset, text) of ~1 MB blocks of a UTF-8 file, each ending after a newline."""
    offset = 0
    rest = b""
    with open(path, "rb") as handle:
        while True:
            data = handle.read(BLOCK)
            if not data:
                break
            data = rest + data
            cut = data.rfind(b"\n") + 1 or len(data)
            rest = data[cut:]
            yield offset, data[:cut].decode("utf-8", "replace")
            offset += cut
    if rest:
        yield offset, rest.decode("utf-8", "replace")


def hasher(key: bytes):
    """HMAC-SHA256 of ``entity\\0value``, truncated to 32 hex digits, as ``scanner.keys.Hasher``."""
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key)).copy
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key)).copy

    def digest(entity: str, value: str) -> str:
        i = inner()
        i.update(f"{entity}\0{value}".encode())
        o = outer()
        o.update(i.digest())
        return o.hexdigest()[:32]

    return digest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="+")
    parser.add_argument("--output", default=os.devnull, help="JSONL findings go here")
    parser.add_argument("--hash-key", help="HMAC key: add each value's hash to its line, as Harava does")
    args = parser.parse_args()

    config = {"entities": ENTITIES}
    datafog_core.scan("warm up 10.0.0.1 x@example.com", config)
    digest = hasher(args.hash_key.encode()) if args.hash_key else None
    counts: Counter[str] = Counter()
    scan_seconds = 0.0
    dumps = json.dumps
    start, cpu = time.perf_counter(), time.process_time()
    with open(args.output, "w", encoding="utf-8") as out:
        for path in args.files:
            for offset, text in blocks(path):
                before = time.perf_counter()
                found = datafog_core.scan(text, config)
                scan_seconds += time.perf_counter() - before
                lines = []
                for f in found:
                    entity = f.entity_type
                    span = f.byte_range
                    record = {
                        "source": path,
                        "entity": entity,
                        "detector": f.detector_name,
                        "start": offset + span.start,
                        "end": offset + span.end,
                    }
                    if digest is not None:
                        record["value_hash"] = digest(entity, f.matched_text)
                    lines.append(dumps(record))
                    counts[entity] += 1
                if lines:
                    out.write("\n".join(lines) + "\n")
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    size = sum(os.path.getsize(p) for p in args.files)
    json.dump(
        {
            "version": version("datafog-core"),
            "bytes": size,
            "seconds": seconds,
            "cpu_seconds": cpu,
            "scan_seconds": scan_seconds,
            "findings": dict(counts),
            "hashed": digest is not None,
        },
        sys.stdout,
    )
    print()


if __name__ == "__main__":
    main()
