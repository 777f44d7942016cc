"""Harava on a 10^6-row PostgreSQL table, against a plain SQLAlchemy row loop with Python ``re``.

    python bench/bench_database.py [--url postgresql://postgres@127.0.0.1:5432/test] [--rows 1000000]

Creates (once) the table ``harava_bench.asiakkaat`` with mixed columns — names, free text with
personal data in some rows, phone numbers, e-mail addresses, JSON, numbers and dates — then times, in
the same run: ``harava scan`` over the whole table, ``harava scan --sample 10000``, and the baseline: a
server-side-cursor SQLAlchemy loop that applies the same five kinds of pattern with Python ``re`` to every
text cell (no validation at all, so the baseline is flattered). Prints rows/s and the ratio.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time

import sqlalchemy as sa

SCHEMA = "harava_bench"
BASELINE_PATTERNS = re.compile(
    r"\b\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]\b|\b\d{7}-\d\b|(?:\+358|\b0)\d{1,3}(?:[ -]?\d){4,10}\b"
    r"|[\w.%+-]+@[\w-]+(?:\.[\w-]+)+|\b\d{1,3}(?:\.\d{1,3}){3}\b"
)


def create(engine: sa.Engine, rows: int) -> None:
    with engine.begin() as conn:
        exists = conn.execute(
            sa.text(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = :s AND table_name = 'asiakkaat'"
            ),
            {"s": SCHEMA},
        ).scalar()
        if exists and conn.execute(sa.text(f"SELECT count(*) FROM {SCHEMA}.asiakkaat")).scalar() == rows:
            return
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        conn.execute(sa.text(f"CREATE SCHEMA {SCHEMA}"))
        conn.execute(
            sa.text(f"""
            CREATE TABLE {SCHEMA}.asiakkaat AS SELECT
              g AS id,
              'Asiakas ' || g AS nimi,
              '04' || (g % 6) || ' ' || lpad((g::bigint * 7919 % 10000000)::text, 7, '0') AS puhelin,
              'asiakas' || g || '@example.fi' AS sahkoposti,
              CASE WHEN g % 10 = 0 THEN 'Soittopyyntö numeroon 050 ' || lpad((g % 9999999)::text, 7, '0')
                   ELSE 'Tilaus toimitettu ' || (g % 28 + 1) || '.11.2026' END AS muistiinpano,
              jsonb_build_object('kanava', 'verkko', 'ip', '10.' || (g % 250) || '.' || (g % 199) || '.7') AS tiedot,
              (g % 1000)::numeric AS saldo,
              DATE '2020-01-01' + (g % 1500) AS alkaen
            FROM generate_series(1, {rows}) g""")
        )
        conn.execute(sa.text(f"ALTER TABLE {SCHEMA}.asiakkaat ADD PRIMARY KEY (id)"))
        conn.execute(sa.text(f"ANALYZE {SCHEMA}.asiakkaat"))


def time_harava(url: str, *extra: str) -> tuple[float, str]:
    cmd = [
        sys.executable,
        "-m",
        "scanner",
        "scan",
        url,
        "--include",
        f"{SCHEMA}.*",
        "--format",
        "jsonl",
        "-o",
        os.devnull,
        "--no-progress",
        *extra,
    ]
    env = dict(os.environ, HARAVA_HASH_KEY="bench-key-bench-key-bench-key-bench-key")
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
    return time.perf_counter() - start, done.stderr


def time_baseline(engine: sa.Engine) -> tuple[float, int, int]:
    start = time.perf_counter()
    rows = found = 0
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=10_000).execute(
            sa.text(f"SELECT id, nimi, puhelin, sahkoposti, muistiinpano, tiedot::text FROM {SCHEMA}.asiakkaat")
        )
        for row in result:
            rows += 1
            for cell in row[1:]:
                if cell is not None:
                    found += len(BASELINE_PATTERNS.findall(cell))
    return time.perf_counter() - start, rows, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    sa_url = sa.engine.make_url(args.url).set(drivername="postgresql+psycopg")
    engine = sa.create_engine(sa_url)
    create(engine, args.rows)

    full, summary = time_harava(args.url)
    sampled, _ = time_harava(args.url, "--sample", "10000")
    base, rows, found = time_baseline(engine)
    findings = summary.split("Findings: ", 1)[1].split()[0] if "Findings: " in summary else "0"
    print(f"table: {SCHEMA}.asiakkaat, {rows} rows, 8 columns (5 scanned as text, JSON included)")
    print(f"harava full scan:        {rows / full:10.0f} rows/s  ({full:.1f} s, {findings} validated findings)")
    print(f"harava --sample 10000:   {full / sampled:10.1f}x faster than the full scan ({sampled:.1f} s)")
    print(f"SQLAlchemy loop + re:    {rows / base:10.0f} rows/s  ({base:.1f} s, {found} unvalidated matches)")
    print(f"ratio (full scan):       {base / full:10.1f}x")


if __name__ == "__main__":
    main()
