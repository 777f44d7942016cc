"""How dangerous an item's findings are: a score from 0 to 100 with its reasons, by a formula a DPO can
check by hand.

**The formula.** For one item (a file, or a database table) with ``n`` findings of entity ``e``:

1. *Points per entity*: ``w(e) × (1 + log10 n)`` — the entity's weight, growing by one weight for every
   tenfold more findings (1 → w, 10 → 2w, 100 → 3w, 1,200 → 4.08w). Doubled (``× 2``) when the register's
   statement does not declare the entity.
2. *Weights* ``w(e)`` (:data:`WEIGHTS`): identity codes and special-category data (diagnosis codes, health,
   trade-union, religion, ethnic origin, criminal records, a non-disclosure marker) 10; passport,
   payment-card and health-insurance card numbers 8; bank accounts 6; SATU 5; phone numbers, e-mail and
   postal addresses and vehicle plates 2; names, IP addresses and business IDs 1; any other entity 2. Any
   entity whose category has a ``special`` provision (e.g. "GDPR art. 9") weighs at least 10.
3. *Item points* ``P`` = the sum of its entities' points, multiplied by each factor that applies
   (:data:`FACTORS`):

   - ``× 3`` readable by everyone (any local account may read the file; a table granted to PUBLIC);
   - else ``× 1.5`` readable by its group or by users and groups named in its ACL (a table: by roles other
     than its owner and the superusers);
   - ``× 1.25`` on an SMB/CIFS share (who may read it on the server is not visible from here);
   - ``× 1.5`` unchanged for longer than the register's retention period.

4. *Score* = ``100 × P / (P + 50)``, rounded half up: 50 points score 50, 150 points 75, 450 points 90; the
   score never reaches 100 by a bounded sum, so the riskiest items still sort apart (:func:`top` sorts by
   ``P``).

Example: 1,200 identity codes, declared, in a file readable by everyone: ``10 × (1 + log10 1200) = 40.79``;
``× 3 = 122.38``; ``100 × 122.38 / 172.38 = 71.0`` → 71. Three e-mail addresses in a file only its owner may
read: ``2 × (1 + log10 3) = 2.95``, score 6. Every :class:`Risk` carries that working (:attr:`Risk.working`),
written with two decimals; the score is computed from the unrounded values.

What is *not* known counts as nothing: an item whose permissions could not be read gets no exposure factor
and says so in its reasons.

``--fail-on`` conditions, old and new (``undeclared``, ``new-undeclared``, ``never``, ``risk>=N``, joined by
commas) are parsed by :func:`parse_fail_on`.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scanner.exposure import Exposure, TableExposure

if TYPE_CHECKING:
    from scanner.registers.taxonomy import Category

__all__ = [
    "DEFAULT_WEIGHT",
    "FACTORS",
    "HALF",
    "LABELS",
    "SPECIAL_WEIGHT",
    "UNDECLARED",
    "WEIGHTS",
    "FailOn",
    "Risk",
    "Scored",
    "item_risk",
    "parse_fail_on",
    "register_risk",
    "score_of",
    "special_entities",
    "top",
]

#: An entity's weight: what one finding of it is worth.
WEIGHTS: dict[str, int] = {
    "FI_PERSONAL_IDENTITY_CODE": 10,
    "FI_PASSPORT": 8,
    "CREDIT_CARD": 8,
    "FI_HEALTH_INSURANCE_CARD": 8,
    "IBAN_CODE": 6,
    "FI_SATU": 5,
    "PHONE_NUMBER": 2,
    "EMAIL_ADDRESS": 2,
    "FI_VEHICLE_PLATE": 2,
    "IP_ADDRESS": 1,
    "FI_BUSINESS_ID": 1,
    "ADDRESS": 2,
    "PERSON": 1,
    # special categories (their ``special`` provision gives any other such entity the same weight)
    "FI_DIAGNOSIS_CODE": 10,
    "HEALTH_DATA": 10,
    "TRADE_UNION": 10,
    "RELIGION": 10,
    "ETHNIC_ORIGIN": 10,
    "CRIMINAL_RECORD": 10,
    "TURVAKIELTO": 10,
}
DEFAULT_WEIGHT = 2  # an entity not listed (a plug-in's)
SPECIAL_WEIGHT = 10  # at least, for special-category data (GDPR art. 9 and 10)
UNDECLARED = 2  # an entity's points, when the register's statement does not declare it

#: The factors multiplying an item's points.
FACTORS: dict[str, float] = {"everyone": 3.0, "group": 1.5, "smb": 1.25, "retention": 1.5}

#: Points that score 50: the curve's midpoint.
HALF = 50.0

#: What the reasons call each entity's findings.
LABELS: dict[str, str] = {
    "FI_PERSONAL_IDENTITY_CODE": "identity codes",
    "FI_PASSPORT": "passport numbers",
    "CREDIT_CARD": "payment card numbers",
    "FI_HEALTH_INSURANCE_CARD": "health insurance card numbers",
    "IBAN_CODE": "bank account numbers",
    "FI_SATU": "electronic identification numbers (SATU)",
    "PHONE_NUMBER": "phone numbers",
    "EMAIL_ADDRESS": "e-mail addresses",
    "FI_VEHICLE_PLATE": "vehicle registration plates",
    "IP_ADDRESS": "IP addresses",
    "FI_BUSINESS_ID": "business IDs",
    "ADDRESS": "postal addresses",
    "PERSON": "names",
    "FI_DIAGNOSIS_CODE": "diagnosis codes",
    "HEALTH_DATA": "health data",
    "TRADE_UNION": "trade-union membership data",
    "RELIGION": "religious belief data",
    "ETHNIC_ORIGIN": "ethnic origin data",
    "CRIMINAL_RECORD": "criminal record data",
    "TURVAKIELTO": "non-disclosure markers (turvakielto)",
}


def label(entity: str, labels: Mapping[str, str] | None = None) -> str:
    """What the reasons call an entity's findings.

    >>> label("FI_PERSONAL_IDENTITY_CODE"), label("FI_DIAGNOSIS_CODE"), label("FI_KELA_DECISION_NUMBER")
    ('identity codes', 'diagnosis codes', 'kela decision numbers')
    >>> label("X_ETHNICITY"), label("TRADE_UNION_DATA")
    ('x ethnicities', 'trade union data')
    """
    if labels and entity in labels:
        return labels[entity]
    if entity in LABELS:
        return LABELS[entity]
    words = entity.removeprefix("FI_").lower().replace("_", " ")
    if words.endswith(("s", "data", "information")):
        return words
    if words.endswith("y") and not words.endswith(("ay", "ey", "oy", "uy")):
        return words[:-1] + "ies"
    return words + "s"


def weight(entity: str, special: Mapping[str, str] | None = None) -> int:
    """An entity's weight (see the module's formula).

    >>> weight("FI_PERSONAL_IDENTITY_CODE"), weight("EMAIL_ADDRESS"), weight("X_PLUGIN")
    (10, 2, 2)
    >>> weight("EMAIL_ADDRESS", {"EMAIL_ADDRESS": "GDPR art. 9"})
    10
    """
    own = WEIGHTS.get(entity, DEFAULT_WEIGHT)
    return max(own, SPECIAL_WEIGHT) if special and special.get(entity) else own


def special_entities(categories: Mapping[str, Category]) -> dict[str, str]:
    """Entity → provision for the special-category entities of an entity → category mapping (what
    :func:`scanner.registers.taxonomy.by_entity` and ``RegisterTally.categories`` hold): ``special`` for
    :func:`item_risk`."""
    return {entity: category.special for entity, category in categories.items() if category.special}


def score_of(points: float) -> int:
    """The 0–100 score of an item's points: ``100 × P / (P + 50)``, rounded half up.

    >>> score_of(0), score_of(50), score_of(122.4), score_of(2.95), score_of(1e9)
    (0, 50, 71, 6, 100)
    """
    if points <= 0:
        return 0
    return math.floor(100 * points / (points + HALF) + 0.5)


def _thousands(n: int) -> str:
    return f"{n:,}"


def _number(x: float) -> str:
    """A multiplier or points as the working writes them: 3, 1.5, 1.25, 40.8."""
    return f"{x:.2f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))


def _period(days: int) -> tuple[int, str]:
    """A retention period in the unit it was most likely written in (730 → 2 years, 540 → 18 months)."""
    if days >= 365 and days % 365 == 0:
        return days // 365, "year"
    if days >= 30 and days % 30 == 0:
        return days // 30, "month"
    if days >= 7 and days % 7 == 0:
        return days // 7, "week"
    return days, "day"


def _age(days: int) -> str:
    """How long something has been unchanged, in whole units: ``6 years``, ``14 months``, ``40 days``."""
    if days >= 730:
        n, unit = days // 365, "year"
    elif days >= 60:
        n, unit = days // 30, "month"
    else:
        n, unit = days, "day"
    return f"{n} {unit}{'s' if n != 1 else ''}"


@dataclass(frozen=True)
class Risk:
    """A score (0–100) and why: ``reasons`` in words, ``points`` (the formula's ``P``, by which items sort),
    ``working`` (the arithmetic, to check by hand) and ``flags`` (``everyone``, ``group``, ``smb``,
    ``retention``, ``undeclared``, ``special``, ``unknown``: what applied, for summaries)."""

    score: int
    reasons: list[str]
    points: float = 0.0
    working: str = ""
    flags: frozenset[str] = field(default_factory=frozenset)

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "reasons": list(self.reasons),
            "points": round(self.points, 1),
            "working": self.working,
        }


@dataclass(frozen=True)
class Scored:
    """An item and its risk: ``source`` as findings name it, ``table`` for a database's table."""

    source: str
    risk: Risk
    table: str | None = None

    @property
    def name(self) -> str:
        return f"{self.source} {self.table}" if self.table else self.source

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "table": self.table, **self.risk.as_dict()}


def _reach(exposure: Exposure | TableExposure | None) -> tuple[str | None, str]:
    """(``everyone`` | ``group`` | ``owner`` | None for not known, the reason in words)."""
    if exposure is None:
        return None, ""
    if isinstance(exposure, TableExposure):
        if exposure.file is not None:  # SQLite: whoever may read the file
            return _reach(exposure.file)
        if exposure.error:
            return None, f"who may read it is unknown: {exposure.error}"
        if exposure.public:
            return "everyone", "readable by everyone (granted to PUBLIC)"
        others = [g.grantee for g in exposure.readers if g.how not in ("owner", "superuser")]
        if others:
            shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
            return "group", f"readable by other roles: {shown}"
        return "owner", ""
    if exposure.world_readable:
        return "everyone", "readable by everyone"
    acl = exposure.acl_readers
    if exposure.group_readable or acl:
        parts = [f"group {exposure.group}"] if exposure.group_readable else []
        parts += [f"{r} (ACL)" for r in acl]
        return "group", "readable by " + ", ".join(parts)
    if exposure.world_readable is None or exposure.group_readable is None:
        return None, f"who may read it is unknown: {exposure.error or 'not looked at'}"
    return "owner", ""


def _modified(exposure: Exposure | TableExposure | None, modified_ns: int | None) -> int | None:
    if modified_ns is not None:
        return modified_ns
    if exposure is None:
        return None
    if isinstance(exposure, TableExposure):
        return exposure.file.modified_ns if exposure.file is not None else None
    return exposure.modified_ns


def _smb(exposure: Exposure | TableExposure | None) -> str | None:
    if isinstance(exposure, TableExposure):
        exposure = exposure.file
    if exposure is None or exposure.smb is None:
        return None
    return exposure.smb.share


def item_risk(
    counts: Mapping[str, int],
    exposure: Exposure | TableExposure | None,
    *,
    undeclared: set[str] | frozenset[str] = frozenset(),
    retention_days: int | None = None,
    special: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    modified_ns: int | None = None,
    now: float | None = None,
) -> Risk:
    """One item's risk from its findings per entity (``counts``) and who can reach it (``exposure``; None
    when not looked at). ``undeclared``: the entities its register does not declare; ``retention_days``: the
    register's period (None: none declared); ``special``: entity → provision for special-category data (see
    :func:`scanner.registers.taxonomy.by_entity`); ``modified_ns``: the item's modification time where the
    exposure has none (a database table: None); ``now``: the time to measure age against (default: now).

    >>> risk = item_risk({"FI_PERSONAL_IDENTITY_CODE": 1200}, None)
    >>> risk.score, risk.reasons, risk.working
    (45, ['identity codes × 1,200'], '10 × (1 + log10 1,200) = 40.79; 100 × 40.79 / (40.79 + 50) = 44.9 → 45')
    """
    special = special or {}
    terms: list[tuple[float, str, str]] = []  # (points, reason, working)
    flags: set[str] = set()
    for entity, n in counts.items():
        if n <= 0:
            continue
        w = weight(entity, special)
        points = w * (1 + math.log10(n))
        words = f"{label(entity, labels)} × {_thousands(n)}"
        working = f"{w} × (1 + log10 {_thousands(n)})"
        if special.get(entity):
            words += f" ({special[entity]})"
            flags.add("special")
        if entity in undeclared:
            points *= UNDECLARED
            words += ", undeclared"
            working += f" × {UNDECLARED}"
            flags.add("undeclared")
        terms.append((points, words, working))
    terms.sort(key=lambda t: (-t[0], t[1]))
    total = sum(t[0] for t in terms)
    reasons = [t[1] for t in terms]
    factors: list[float] = []

    reach, why = _reach(exposure)
    if reach in ("everyone", "group"):
        factors.append(FACTORS[reach])
        reasons.append(why)
        flags.add(reach)
    elif reach is None and why:
        reasons.append(why)
        flags.add("unknown")
    share = _smb(exposure)
    if share:
        factors.append(FACTORS["smb"])
        reasons.append(f"on an SMB share ({share}): who may read it on the server is not visible from here")
        flags.add("smb")
    modified = _modified(exposure, modified_ns)
    if retention_days is not None and modified is not None:
        age = int(((time.time() if now is None else now) - modified / 1e9) // 86_400)
        if age > retention_days:
            n, unit = _period(retention_days)
            factors.append(FACTORS["retention"])
            reasons.append(f"unchanged for {_age(age)}, beyond the declared {n}-{unit} retention")
            flags.add("retention")
    for factor in factors:
        total *= factor
    return Risk(score_of(total), reasons, total, _working(terms, factors, total), frozenset(flags))


def _working(terms: list[tuple[float, str, str]], factors: list[float], total: float) -> str:
    """The arithmetic of a score, two decimals per step: ``10 × (1 + log10 1,200) = 40.79 × 3 = 122.38;
    100 × 122.38 / (122.38 + 50) = 71.0 → 71``."""
    if not terms:
        return "no findings: 0"

    def shown(x: float) -> str:
        return _number(round(x, 2))

    if len(terms) == 1:
        base = f"{terms[0][2]} = {shown(terms[0][0])}"
    else:
        base = "; ".join(f"{t[2]} = {shown(t[0])}" for t in terms)
        base += f"; sum {' + '.join(shown(t[0]) for t in terms)} = {shown(sum(t[0] for t in terms))}"
    if factors:
        base += " × " + " × ".join(_number(f) for f in factors) + f" = {shown(total)}"
    exact = 100 * total / (total + HALF)
    return f"{base}; 100 × {shown(total)} / ({shown(total)} + {_number(HALF)}) = {exact:.1f} → {score_of(total)}"


def top(items: Iterable[Scored], n: int = 20) -> list[Scored]:
    """The ``n`` riskiest items, by points (finer than the rounded score), then by name: the same order
    every run."""
    return sorted(items, key=lambda s: (-s.risk.points, s.name))[:n]


_SUMMARY = (
    ("everyone", "readable by everyone"),
    ("group", "readable by a group or named users"),
    ("special", "holding special-category data"),
    ("undeclared", "holding undeclared data"),
    ("retention", "unchanged beyond the retention period"),
    ("smb", "on SMB shares"),
    ("unknown", "whose readers are unknown"),
)


def register_risk(items: Iterable[Scored]) -> Risk:
    """A register's risk: its riskiest item's score and points, with a summary of its items as reasons.

    >>> a = Scored("a.csv", item_risk({"EMAIL_ADDRESS": 3}, None))
    >>> b = Scored("b.csv", item_risk({"FI_PERSONAL_IDENTITY_CODE": 1}, None))
    >>> register_risk([a, b]).score, register_risk([a, b]).reasons
    (17, ['riskiest: b.csv (17)', '2 items with findings'])
    """
    scored = sorted(items, key=lambda s: (-s.risk.points, s.name))
    if not scored:
        return Risk(0, [], 0.0, "no findings: 0")
    first = scored[0]
    reasons = [
        f"riskiest: {first.name} ({first.risk.score})",
        f"{len(scored):,} item{'s' * (len(scored) != 1)} with findings",
    ]
    for flag, words in _SUMMARY:
        k = sum(flag in s.risk.flags for s in scored)
        if k:
            reasons.append(f"{k:,} {words}")
    return Risk(
        first.risk.score, reasons, first.risk.points, f"the riskiest item's: {first.risk.working}", first.risk.flags
    )


# --- --fail-on --------------------------------------------------------------------------------

_WORDS = ("undeclared", "new-undeclared", "never")
_RISK = re.compile(r"risk\s*(>=|>|≥)\s*(\d{1,3})")


@dataclass(frozen=True)
class FailOn:
    """When ``check`` exits with status 1: on any undeclared data, on undeclared data new since the previous
    run, and/or when some item's risk score reaches ``risk``. Called with what the run found, says whether
    that is a failure; :meth:`why` says which condition it was, in the words of the option."""

    undeclared: bool = False
    new_undeclared: bool = False
    risk: int | None = None  # the lowest failing score

    def __call__(self, *, undeclared: bool = False, new_undeclared: bool = False, risk: int | None = None) -> bool:
        return self.why(undeclared=undeclared, new_undeclared=new_undeclared, risk=risk) is not None

    def why(self, *, undeclared: bool = False, new_undeclared: bool = False, risk: int | None = None) -> str | None:
        if self.undeclared and undeclared:
            return "undeclared"
        if self.new_undeclared and new_undeclared:
            return "new-undeclared"
        if self.risk is not None and risk is not None and risk >= self.risk:
            return f"risk {risk} ≥ {self.risk}"
        return None

    @property
    def needs_history(self) -> bool:
        """Whether the condition needs the previous run (``new-undeclared``)."""
        return self.new_undeclared

    def __str__(self) -> str:
        parts = [w for w, on in (("undeclared", self.undeclared), ("new-undeclared", self.new_undeclared)) if on]
        if self.risk is not None:
            parts.append(f"risk>={self.risk}")
        return ",".join(parts) or "never"


def parse_fail_on(text: str) -> FailOn:
    """The ``--fail-on`` value: ``undeclared``, ``new-undeclared``, ``never``, ``risk>=N`` (or ``risk>N``;
    N from 0 to 100), several joined by commas (any one failing fails). Raises ValueError saying what is
    wrong.

    >>> parse_fail_on("risk>=70")(risk=71), parse_fail_on("risk>=70")(risk=69, undeclared=True)
    (True, False)
    >>> str(parse_fail_on(" new-undeclared , risk > 79 "))
    'new-undeclared,risk>=80'
    >>> parse_fail_on("never")(undeclared=True, risk=100)
    False
    >>> parse_fail_on("risk>=101")
    Traceback (most recent call last):
    ...
    ValueError: risk>=101: a score is from 0 to 100
    """
    parts = [p.strip() for p in text.split(",")]
    if not text.strip() or not all(parts):
        raise ValueError(f"{text!r}: expected undeclared, new-undeclared, never or risk>=N, joined by commas")
    found: dict[str, Any] = {}
    for part in parts:
        lower = part.lower()
        match = _RISK.fullmatch(lower)
        if lower in _WORDS:
            found[lower] = True
        elif match:
            n = int(match.group(2)) + (1 if match.group(1) == ">" else 0)
            if not 0 <= n <= 100:
                raise ValueError(f"{part}: a score is from 0 to 100")
            found["risk"] = min(n, found.get("risk", n))
        else:
            raise ValueError(f"{part!r}: expected undeclared, new-undeclared, never or risk>=N (N from 0 to 100)")
    if "never" in found and len(found) > 1:
        raise ValueError(f"{text!r}: never cannot be joined with another condition")
    return FailOn(bool(found.get("undeclared")), bool(found.get("new-undeclared")), found.get("risk"))
