"""Judging registers: what each register's sources hold against what its statement declares.

Nothing here reads a file or a database. A :class:`RegisterTally` is fed the findings batches of the
register's sources as they stream past (by the pipeline's check sink) and keeps only counts, a few
masked examples and the findings per file; :meth:`RegisterTally.verdict` then says, per register, the
declared entities, the entities found (with counts), the *undeclared* ones (found, not declared, not
ignored, not accepted) with a few example locations, and the declared ones never found — a hint that
the statement is broader than the data, or stale.

An undeclared entity the statement explicitly denies ("Emme tallenna IP-osoitteita", line 36) is also
listed as *contradicted*, with the statement's line and sentence: the statement does not merely omit what
was found, it says the register does not hold it — a finding a DPO reads first.
"""

from __future__ import annotations

import datetime
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from scanner.config import Config, RegisterConfig, item_path
from scanner.findings import counts
from scanner.registers.accepted import Accepted
from scanner.registers.exposed import ItemCounts
from scanner.registers.statement import Evidence, Statement
from scanner.registers.taxonomy import Category, by_entity

EXAMPLES_PER_ENTITY = 3


@dataclass
class Verdict:
    register: RegisterConfig
    statement: Statement
    declared: list[str]
    found: Counter[str]
    undeclared: list[dict[str, Any]]
    declared_not_found: list[str]
    ignored: list[str]
    umbrella_notes: list[str]
    accepted: list[dict[str, Any]] = field(default_factory=list)
    retention: dict[str, Any] | None = None
    coverage: RegisterCoverage | None = None
    #: Undeclared entities the statement denies holding: a subset of ``undeclared``, with the denial.
    contradicted: list[dict[str, Any]] = field(default_factory=list)
    #: The register's risk score and its riskiest items (``scanner.registers.exposed``); None: not assessed.
    risk: dict[str, Any] | None = None

    @property
    def special(self) -> list[dict[str, Any]]:
        """The undeclared entities that are special data (GDPR art. 9 or 10, a non-disclosure marker)."""
        return [u for u in self.undeclared if u.get("special")]

    @property
    def incomplete(self) -> bool:
        return self.coverage is not None and self.coverage.incomplete

    @property
    def status(self) -> str:
        """``incomplete`` before anything else: what was not read could hold anything."""
        if self.incomplete:
            return "incomplete"
        return "undeclared" if self.undeclared else "ok"

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.register.name,
            "status": self.status,
            "statement": str(self.register.statement),
            "register_in_statement": self.statement.register,
            "sources": self.register.sources,
            "declared": self.declared,
            "declared_categories": [e.as_dict() for e in self.statement.declared],
            "found": dict(sorted(self.found.items())),
            "undeclared": self.undeclared,
            "contradicted": self.contradicted,
            "special_declared": self.statement.special,
            "declared_not_found": self.declared_not_found,
            "ignored": self.ignored,
            "accepted": self.accepted,
            "retention": self.retention,
            "coverage": self.coverage.as_dict() if self.coverage else None,
            "risk": self.risk,
            "notes": self.umbrella_notes,
        }


@dataclass
class RegisterCoverage:
    """How fully a register's sources were read: items ``complete``/``partial``/``skipped``, parts not read
    per code, the sources that could not be reached at all, and which codes the configuration accepts.
    Any other code, or an unreachable source, leaves the verdict incomplete."""

    items: Counter[str] = field(default_factory=Counter)
    unread: Counter[str] = field(default_factory=Counter)
    unreachable: list[str] = field(default_factory=list)
    accepted: set[str] = field(default_factory=set)

    @property
    def gaps(self) -> dict[str, int]:
        return {code: n for code, n in sorted(self.unread.items()) if code not in self.accepted}

    @property
    def incomplete(self) -> bool:
        return bool(self.gaps or self.unreachable)

    def as_dict(self) -> dict[str, Any]:
        return {
            "complete": self.items["complete"],
            "partial": self.items["partial"],
            "skipped": self.items["skipped"],
            "unread": dict(sorted(self.unread.items())),
            "gaps": self.gaps,
            "unreachable": self.unreachable,
        }


@dataclass
class CheckResult:
    verdicts: list[Verdict]
    errors: list[dict[str, str]]
    #: A source could not be scanned at all (e.g. its database was unreachable), or a register's sources were
    #: not read in full: the verdict is incomplete.
    incomplete: bool = False

    @property
    def has_undeclared(self) -> bool:
        return any(v.undeclared for v in self.verdicts)

    @property
    def max_risk(self) -> int | None:
        """The highest risk score of any item of any register (None: none assessed)."""
        scores = [v.risk["score"] for v in self.verdicts if v.risk is not None]
        return max(scores) if scores else None

    def as_dict(self) -> dict[str, Any]:
        return {"registers": [v.as_dict() for v in self.verdicts], "errors": self.errors}


def _covers(register: RegisterConfig, config: Config, key: str) -> Any:
    """What an umbrella term covers for this register: its own setting, else the configuration's (None:
    not said)."""
    return register.umbrella.get(key, config.umbrella.get(key))


def declared_entities(register: RegisterConfig, statement: Statement, config: Config) -> tuple[set[str], list[str]]:
    """Entities the register declares: its statement's, umbrella terms as configured, manual ones."""
    declared = set(statement.declared_entities) | set(register.declare)
    notes = []
    for evidence in statement.declared:
        category = evidence.category
        if not category.umbrella:
            continue
        covers = _covers(register, config, category.key)
        if covers is None:
            notes.append(
                f"'{category.label}' (line {evidence.line}) may cover {', '.join(category.may_cover)}; "
                f"not counted as declaring them — set [umbrella] {category.key} = [...] in the config to decide"
            )
        else:
            declared |= set(covers)
            notes.append(
                f"'{category.label}' (line {evidence.line}) counted as declaring {', '.join(covers) or 'nothing'}"
            )
    if not statement.has_content_section:
        notes.append("no data-content section found in the statement: nothing counts as declared")
    return declared, notes


def denials(register: RegisterConfig, statement: Statement, config: Config) -> dict[str, Evidence]:
    """Entity → the statement's sentence denying it (the first one, by line). An umbrella term denied
    ("Emme tallenna yhteystietoja") denies what the configuration says it covers, nothing otherwise."""
    denied: dict[str, Evidence] = {}
    for evidence in statement.negated:
        category = evidence.category
        entities = category.entities
        if category.umbrella:
            entities = tuple(_covers(register, config, category.key) or ())
        for entity in entities:
            denied.setdefault(entity, evidence)
    return denied


def example(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "source": row["source"],
        "member": row["member"],
        "location": json.loads(row["location"]) if row["location"] else None,
        "value": row["value"],
    }


class RegisterTally:
    """One register's running account of the findings in its sources (bounded: counts and examples)."""

    def __init__(
        self,
        register: RegisterConfig,
        statement: Statement,
        config: Config,
        accepted: list[Accepted] | None = None,
        categories: dict[str, Category] | None = None,
    ) -> None:
        self.register = register
        self.statement = statement
        #: Entity → its category (see :func:`scanner.registers.taxonomy.by_entity`); default: the built-in
        #: detectors' and the installed plug-ins'.
        self.categories = by_entity() if categories is None else categories
        self.declared, self.notes = declared_entities(register, statement, config)
        self.denials = denials(register, statement, config)
        self.ignored = set(register.ignore)
        self.rules = [a for a in accepted or [] if a.register in (None, register.name)]
        self.found: Counter[str] = Counter()
        self.open: Counter[str] = Counter()  # undeclared and not accepted
        self.examples: dict[str, list[dict[str, Any]]] = {}
        self.taken: Counter[tuple[str, str, str]] = Counter()  # (entity, by, why) of accepted findings
        self.per_file: Counter[str] = Counter()  # findings per file (as displayed), for the retention check
        self.items = ItemCounts()  # findings per item and entity, for the risk score
        self.open_items = ItemCounts()  # of them, the undeclared ones no accepted-findings rule covers

    def add(self, batch: pa.RecordBatch) -> np.ndarray:
        """Count a findings batch; returns which rows are undeclared (for the history)."""
        entity = batch.column("entity")
        present = pc.is_valid(entity)
        if not pc.any(present).as_py():
            return np.zeros(batch.num_rows, bool)
        self.found.update(counts(entity))
        self.per_file.update(counts(pc.filter(batch.column("source"), present)))
        self.items.add(batch)
        allowed = pa.array(sorted(self.declared | self.ignored), pa.string())
        mask = pc.and_(present, pc.invert(pc.is_in(entity, value_set=allowed))).to_numpy(zero_copy_only=False).copy()
        if not mask.any():
            return mask
        if self.rules:
            self._accept(batch, mask)
        undeclared = batch.filter(pa.array(mask))
        self._undeclared(undeclared)
        self.open_items.add(undeclared)
        return mask

    def _accept(self, batch: pa.RecordBatch, mask: np.ndarray) -> None:
        """Undeclared rows an accepted-findings rule matches are counted under it, and unmarked."""
        at = np.flatnonzero(mask)
        paths: dict[str, str] = {}
        for index, row in zip(at.tolist(), batch.take(pa.array(at)).to_pylist(), strict=True):
            path = paths.get(row["source"]) or paths.setdefault(row["source"], item_path(row["source"]))
            rule = next((a for a in self.rules if a.matches(self.register.name, row, path)), None)
            if rule is not None:
                self.taken[(row["entity"], rule.by, rule.why)] += 1
                mask[index] = False

    def _undeclared(self, rows: pa.RecordBatch) -> None:
        """Count undeclared rows per entity, and keep the first few of each as examples."""
        entity = rows.column("entity")
        for name, count in counts(entity).items():
            self.open[name] += count
            shelf = self.examples.setdefault(name, [])
            wanted = EXAMPLES_PER_ENTITY - len(shelf)
            if wanted > 0:
                first = np.flatnonzero(pc.equal(entity, name).to_numpy(zero_copy_only=False))[:wanted]
                shelf.extend(example(row) for row in rows.take(pa.array(first)).to_pylist())

    def verdict(
        self, detector_entities: set[str], modified: dict[str, int], coverage: RegisterCoverage | None = None
    ) -> Verdict:
        undeclared = sorted(
            (self._undeclared_item(e, n) for e, n in self.open.items()),
            key=lambda u: (not u["special"], u["entity"]),  # special data first
        )
        accepted = [{"entity": e, "count": n, "by": by, "why": why} for (e, by, why), n in sorted(self.taken.items())]
        return Verdict(
            self.register,
            self.statement,
            sorted(self.declared),
            self.found,
            undeclared,
            sorted(e for e in self.declared & detector_entities if e not in self.found),
            sorted(self.ignored),
            self.notes,
            accepted,
            self.retention(modified),
            coverage,
            self.contradicted(),
        )

    def _undeclared_item(self, entity: str, count: int) -> dict[str, Any]:
        """One undeclared entity: its count, category (special data marked with its provision) and examples."""
        category = self.categories.get(entity)
        return {
            "entity": entity,
            "count": count,
            "category": category.key if category else None,
            "special": (category.special or None) if category else None,
            "examples": self.examples.get(entity, []),
        }

    def contradicted(self) -> list[dict[str, Any]]:
        """The undeclared entities (not accepted) whose category the statement denies, with its words."""
        return [
            {
                "category": evidence.category.key,
                "label": evidence.category.label,
                "entity": entity,
                "count": count,
                "statement_line": evidence.line,
                "sentence": evidence.text,
            }
            for entity, count in sorted(self.open.items())
            if (evidence := self.denials.get(entity)) is not None
        ]

    def retention(self, modified: dict[str, int]) -> dict[str, Any] | None:
        """The register's retention period and the files holding personal data that have not changed for
        longer than it (their data may be kept beyond what the statement allows)."""
        if self.register.retention_days is not None:
            days, origin = self.register.retention_days, "configuration"
        elif self.statement.retention is not None:
            period, line, _ = self.statement.retention
            days, origin = period.days, f"statement line {line}: {period.text}"
        else:
            return None
        limit = time.time_ns() - days * 86_400 * 10**9
        older = [
            {
                "source": path,
                "modified": datetime.datetime.fromtimestamp(modified[path] / 1e9, datetime.UTC).date().isoformat(),
                "findings": count,
            }
            for path, count in sorted(self.per_file.items())
            if path in modified and modified[path] < limit
        ]
        return {"days": days, "from": origin, "older_files": older}
