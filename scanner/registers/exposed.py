"""Who can reach what a register holds, and how risky each item is: the check's last step.

The findings are counted per item as they stream past (:class:`ItemCounts`, fed by the register's tally);
after the scan each item with findings is looked at once — a file's owner, mode, ACL and the folders on
the way (``scanner.exposure``), a table's grants — and scored with the formula of ``scanner.risk``. The
exposure is read on every run, also for items whose findings were carried over from an earlier run: a
``chmod`` changes no modification time.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from scanner.config import RegisterConfig, is_database_url, item_path
from scanner.exposure import Exposures, TableExposure, table_exposure
from scanner.risk import Scored, item_risk, register_risk, special_entities, top

RISKIEST = 20


class ItemCounts(Counter[tuple[str, str | None, str]]):
    """Findings per (source, table or None, entity): a database's tables are items of their own."""

    def add(self, batch: pa.RecordBatch) -> None:
        entity = batch.column("entity")
        present = pc.is_valid(entity)
        if not pc.any(present).as_py():
            return
        rows = batch.filter(present)
        table = pc.extract_regex(pc.fill_null(rows.column("location"), ""), r'"table": "(?P<t>[^"]*)"').field("t")
        keys = pa.table({"s": rows.column("source"), "t": table, "e": rows.column("entity")})
        for group in keys.group_by(["s", "t", "e"]).aggregate([("e", "count")]).to_pylist():
            self[(group["s"], group["t"] or None, group["e"])] += group["e_count"]


def _root(path: str, register: RegisterConfig) -> str | None:
    """The register's source folder the file lies in: readers are judged from there down."""
    folders = [item_path(s) for s in register.sources if not is_database_url(s)]
    inside = [f for f in folders if path == f or path.startswith(f.rstrip(os.sep) + os.sep)]
    return max(inside, key=len) if inside else None


class Assessor:
    """Exposure and risk for the registers of one run (one cache of folders and one connection per
    database for all of them)."""

    def __init__(self, urls: Sequence[str]) -> None:
        from scanner.sources.database import redact

        self.exposures = Exposures()
        self._urls = {redact(u): u for u in urls if is_database_url(u)}
        self._engines: dict[str, Any] = {}
        self._tables: dict[tuple[str, str], TableExposure] = {}

    def close(self) -> None:
        for engine in self._engines.values():
            engine.dispose()

    def _table(self, source: str, table: str, register: RegisterConfig) -> TableExposure:
        """Who may read a table: its database's grants, or — for an SQLite file found in a share, named by
        its path — whoever may read the file."""
        if (source, table) not in self._tables:
            from scanner.sources.database import DatabaseError, connect

            if not is_database_url(source):
                path = item_path(source)
                exposure = TableExposure(table, "sqlite", file=self.exposures.file(path, _root(path, register)))
            else:
                url = self._urls.get(source, source)
                if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
                    url = item_path(url)  # the same file from any working folder
                try:
                    # the scan's own read-only connection, with its timeouts and password sources
                    engine = self._engines.get(url) or self._engines.setdefault(url, connect(url))
                except DatabaseError as exc:
                    exposure = TableExposure(table, source.partition(":")[0], error=str(exc))
                else:
                    schema, _, name = table.rpartition(".")
                    exposure = table_exposure(engine, schema or None, name, exposures=self.exposures)
            self._tables[(source, table)] = exposure
        return self._tables[(source, table)]

    def assess(
        self,
        register: RegisterConfig,
        counts: ItemCounts,
        undeclared: ItemCounts,
        retention_days: int | None,
        categories: dict[str, Any],
        modified: dict[str, int],
    ) -> dict[str, Any]:
        """The register's risk, and its riskiest items with their exposure (JSON-ready). ``undeclared``: of
        ``counts``, the findings undeclared and not accepted — an entity counts as undeclared in an item
        only where such a finding of it is (a file whose IP addresses were all accepted holds none)."""
        per_item: dict[tuple[str, str | None], Counter[str]] = {}
        for (source, table, entity), n in counts.items():
            per_item.setdefault((source, table), Counter())[entity] += n
        open_here: dict[tuple[str, str | None], set[str]] = {}
        for (source, table, entity), n in undeclared.items():
            if n:
                open_here.setdefault((source, table), set()).add(entity)
        special = special_entities(categories)
        scored: list[Scored] = []
        exposed: dict[tuple[str, str | None], dict[str, Any] | None] = {}
        for (source, table), found in sorted(per_item.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
            if table is not None or is_database_url(source):
                exposure: Any = self._table(source, table, register) if table else None
            else:
                path = item_path(source)
                exposure = self.exposures.file(path, _root(path, register))
            risk = item_risk(
                found,
                exposure,
                undeclared=open_here.get((source, table), set()),
                retention_days=retention_days,
                special=special,
                modified_ns=modified.get(source),
            )
            scored.append(Scored(source, risk, table))
            exposed[(source, table)] = exposure.as_dict() if exposure is not None else None
        overall = register_risk(scored)
        return {
            **overall.as_dict(),
            "riskiest": [{**s.as_dict(), "exposure": exposed[(s.source, s.table)]} for s in top(scored, RISKIEST)],
        }
