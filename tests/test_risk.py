"""Risk scores: the module's documented formula on hand-computed cases, with real files' exposure, and the
``--fail-on`` conditions.

Hand computations (log10 1,200 = 3.0792, log10 3 = 0.4771, log10 4 = 0.6021):

- 1,200 identity codes readable by everyone: 10 × 4.0792 = 40.79; × 3 = 122.38; 100 × 122.38 / 172.38 = 70.99 → 71
- 3 e-mail addresses only the owner may read: 2 × 1.4771 = 2.954; 100 × 2.954 / 52.954 = 5.58 → 6
- 4 undeclared health data findings (GDPR art. 9), group-readable, 6 years unchanged with a 2-year retention:
  10 × 1.6021 × 2 = 32.04; × 1.5 × 1.5 = 72.09; 100 × 72.09 / 122.09 = 59.05 → 59
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scanner.exposure import Exposure, Exposures, Grant, SmbMount, TableExposure, file_exposure
from scanner.risk import (
    FACTORS,
    HALF,
    WEIGHTS,
    FailOn,
    Risk,
    Scored,
    item_risk,
    parse_fail_on,
    register_risk,
    score_of,
    top,
)

HETU = "FI_PERSONAL_IDENTITY_CODE"
DAY = 86_400
NOW = 1_800_000_000.0  # 2027-01-15, a fixed "now" for the retention arithmetic


def exposure(**fields) -> Exposure:
    """An exposure as :class:`Exposures` gives it for a file only its owner may read, with ``fields`` changed."""
    base = {"owner": "aino", "group": "hr", "mode": "0600", "world_readable": False, "group_readable": False}
    return Exposure("/srv/jako/x.csv", **{**base, **fields})


def folder(path: Path, mode: int) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(mode)
    return path


def make(path: Path, mode: int) -> Path:
    path.write_text("synthetic")
    path.chmod(mode)
    return path


# --- the formula, by hand ----------------------------------------------------------------------


def test_identity_codes_readable_by_everyone():
    risk = item_risk({HETU: 1200}, exposure(mode="0644", world_readable=True, group_readable=True))
    assert risk.points == pytest.approx(10 * (1 + math.log10(1200)) * 3)
    assert risk.points == pytest.approx(122.38, abs=0.01)
    assert risk.score == 71
    assert risk.reasons == ["identity codes × 1,200", "readable by everyone"]
    assert risk.working == "10 × (1 + log10 1,200) = 40.79 × 3 = 122.38; 100 × 122.38 / (122.38 + 50) = 71.0 → 71"
    assert risk.flags == {"everyone"}


def test_three_emails_only_the_owner_may_read():
    risk = item_risk({"EMAIL_ADDRESS": 3}, exposure())
    assert risk.points == pytest.approx(2.954, abs=0.001)
    assert (risk.score, risk.reasons, risk.flags) == (6, ["e-mail addresses × 3"], frozenset())


def test_undeclared_special_data_group_readable_beyond_retention():
    risk = item_risk(
        {"HEALTH_DATA": 4},
        exposure(mode="0640", group_readable=True, modified_ns=int((NOW - 6 * 365 * DAY - 10 * DAY) * 1e9)),
        undeclared={"HEALTH_DATA"},
        retention_days=730,
        special={"HEALTH_DATA": "GDPR art. 9"},
        now=NOW,
    )
    assert risk.points == pytest.approx(10 * (1 + math.log10(4)) * 2 * 1.5 * 1.5)
    assert risk.score == 59
    assert risk.reasons == [
        "health data × 4 (GDPR art. 9), undeclared",
        "readable by group hr",
        "unchanged for 6 years, beyond the declared 2-year retention",
    ]
    assert risk.flags == {"special", "undeclared", "group", "retention"}
    assert risk.working == (
        "10 × (1 + log10 4) × 2 = 32.04 × 1.5 × 1.5 = 72.09; 100 × 72.09 / (72.09 + 50) = 59.0 → 59"
    )


def test_several_entities_add_up_largest_first():
    risk = item_risk({"EMAIL_ADDRESS": 3, HETU: 1200, "IP_ADDRESS": 0}, exposure(world_readable=True))
    assert risk.points == pytest.approx((10 * (1 + math.log10(1200)) + 2 * (1 + math.log10(3))) * 3)
    assert risk.score == 72
    assert risk.reasons == ["identity codes × 1,200", "e-mail addresses × 3", "readable by everyone"]
    assert risk.working.startswith(
        "10 × (1 + log10 1,200) = 40.79; 2 × (1 + log10 3) = 2.95; sum 40.79 + 2.95 = 43.75 × 3 = 131.24; "
    )


def test_every_tenfold_adds_one_weight():
    points = [item_risk({HETU: n}, None).points for n in (1, 10, 100, 1000)]
    assert points == pytest.approx([10, 20, 30, 40])


def test_weights_and_unknown_entities():
    assert item_risk({"X_PLUGIN_ENTITY": 1}, None).points == 2  # the default weight
    assert item_risk({"X_PLUGIN_ENTITY": 1}, None).reasons == ["x plugin entities × 1"]
    assert item_risk({"X": 1}, None, labels={"X": "asiakasnumerot"}).reasons == ["asiakasnumerot × 1"]
    assert item_risk({"EMAIL_ADDRESS": 1}, None, special={"EMAIL_ADDRESS": "GDPR art. 10"}).points == 10
    assert WEIGHTS[HETU] == max(WEIGHTS.values())
    from scanner.registers.taxonomy import Category
    from scanner.risk import special_entities

    categories = {
        "FI_DIAGNOSIS_CODE": Category("terveystiedot", "terveystiedot", ("terveys",), special="GDPR art. 9"),
        "EMAIL_ADDRESS": Category("sahkopostiosoite", "sähköpostiosoite", ("sähköposti",)),
    }
    assert special_entities(categories) == {"FI_DIAGNOSIS_CODE": "GDPR art. 9"}


def test_score_curve():
    assert [score_of(p) for p in (0, -1, 1, 50, 150, 450, 4950)] == [0, 0, 2, 50, 75, 90, 99]
    assert score_of(HALF) == 50 and score_of(1e12) == 100
    assert score_of(50 * 0.005 / 0.995) == 1  # 0.5 → rounded half up, not to even


def test_no_findings_no_risk():
    risk = item_risk({}, exposure(world_readable=True))
    assert (risk.score, risk.points) == (0, 0)
    assert risk.working.startswith("no findings")


# --- exposure as the factors see it --------------------------------------------------------------


def test_acl_readers_count_as_a_group():
    from scanner.exposure import AclEntry

    acl = (AclEntry("user", 0, 4, 4),)
    risk = item_risk({HETU: 1}, exposure(acl=acl))
    assert risk.points == 15 and "group" in risk.flags
    assert risk.reasons[-1] == "readable by user:root (ACL)"


def test_an_unknown_exposure_adds_nothing_and_says_so():
    risk = item_risk({HETU: 1}, Exposure("/srv/x", error="permission denied"))
    assert risk.points == 10
    assert risk.reasons == ["identity codes × 1", "who may read it is unknown: permission denied"]
    assert risk.flags == {"unknown"}
    assert item_risk({HETU: 1}, None).reasons == ["identity codes × 1"]  # not looked at: nothing said


def test_smb_share():
    smb = SmbMount("//fs.example.fi/hr", 0, 0, "0644", "0755")
    risk = item_risk({HETU: 1}, exposure(world_readable=True, smb=smb))
    assert risk.points == pytest.approx(10 * 3 * 1.25)
    assert risk.reasons[-1] == (
        "on an SMB share (//fs.example.fi/hr): who may read it on the server is not visible from here"
    )


def test_retention_only_beyond_the_period():
    def risk(days_old: float, retention: int | None):
        modified = int((NOW - days_old * DAY) * 1e9)
        return item_risk({HETU: 1}, exposure(modified_ns=modified), retention_days=retention, now=NOW)

    assert "retention" not in risk(700, 730).flags
    assert "retention" not in risk(2000, None).flags
    assert risk(731.5, 730).reasons[-1] == "unchanged for 2 years, beyond the declared 2-year retention"
    assert risk(100, 90).reasons[-1] == "unchanged for 3 months, beyond the declared 3-month retention"
    assert risk(20, 14).reasons[-1] == "unchanged for 20 days, beyond the declared 2-week retention"
    assert risk(800, 540).reasons[-1] == "unchanged for 2 years, beyond the declared 18-month retention"
    assert risk(731.5, 730).points == 15
    # a table's time comes from the run where its exposure has none
    table = TableExposure("crm.asiakkaat", "postgresql", public=False)
    old = item_risk({HETU: 1}, table, retention_days=30, modified_ns=int((NOW - 60 * DAY) * 1e9), now=NOW)
    assert "retention" in old.flags


def test_tables():
    public = TableExposure("crm.asiakkaat", "postgresql", public=True, readers=(Grant("app", "table", "PUBLIC"),))
    assert item_risk({HETU: 1}, public).reasons[-1] == "readable by everyone (granted to PUBLIC)"
    readers = (*(Grant(f"r{i}", "table") for i in range(5)), Grant("postgres", "table", "owner"))
    roles = item_risk({HETU: 1}, TableExposure("crm.a", "postgresql", public=False, readers=readers))
    assert roles.points == 15 and roles.reasons[-1] == "readable by other roles: r0, r1, r2 and 2 more"
    owner_only = TableExposure("crm.a", "postgresql", public=False, readers=(Grant("postgres", "table", "owner"),))
    assert item_risk({HETU: 1}, owner_only).points == 10
    broken = item_risk({HETU: 1}, TableExposure("crm.a", "mysql", error="permission denied: …"))
    assert broken.reasons[-1] == "who may read it is unknown: permission denied: …"
    sqlite = TableExposure("asiakkaat", "sqlite", file=exposure(world_readable=True))
    assert item_risk({HETU: 1}, sqlite).points == 30


# --- real files -----------------------------------------------------------------------------------


def test_a_world_readable_file_of_identity_codes_outranks_a_locked_one_of_emails(tmp_path):
    share = folder(tmp_path / "share", 0o755)
    open_file = make(folder(share / "Yleinen", 0o755) / "asiakkaat.csv", 0o644)
    locked = make(folder(share / "HR", 0o700) / "yhteystiedot.csv", 0o644)
    exposures = Exposures()
    items = [
        Scored(str(locked), item_risk({"EMAIL_ADDRESS": 3}, exposures.file(locked, root=share))),
        Scored(str(open_file), item_risk({HETU: 1200}, exposures.file(open_file, root=share))),
    ]
    ranked = top(items)
    assert [s.source for s in ranked] == [str(open_file), str(locked)]
    assert ranked[0].risk.score == 71 and ranked[0].risk.reasons == ["identity codes × 1,200", "readable by everyone"]
    assert ranked[1].risk.score == 6 and ranked[1].risk.reasons == ["e-mail addresses × 3"]  # 0644, but in HR's 0700


def test_retention_from_a_real_files_time(tmp_path):
    share = folder(tmp_path / "share", 0o755)
    old = make(share / "vanha.csv", 0o600)
    six_years = int((NOW - 6 * 365.25 * DAY) * 1e9)
    os.utime(old, ns=(six_years, six_years))
    risk = item_risk({HETU: 5}, file_exposure(old, root=share), retention_days=730, now=NOW)
    assert risk.reasons[-1] == "unchanged for 6 years, beyond the declared 2-year retention"


# --- registers and the top list ---------------------------------------------------------------------


def scored(name: str, points_of: dict[str, int], **exposure_fields) -> Scored:
    return Scored(name, item_risk(points_of, exposure(**exposure_fields) if exposure_fields else None))


def test_top_is_by_points_then_name_and_stable():
    items = [
        scored("b.csv", {HETU: 1}),
        scored("a.csv", {HETU: 1}),
        scored("c.csv", {HETU: 2}),
        scored("d.csv", {"EMAIL_ADDRESS": 1}),
    ]
    assert [s.source for s in top(items)] == ["c.csv", "a.csv", "b.csv", "d.csv"]
    assert [s.source for s in top(reversed(items), n=2)] == ["c.csv", "a.csv"]
    many = [scored(f"f{i:03d}.csv", {HETU: i + 1}) for i in range(50)]
    assert len(top(many)) == 20 and top(many)[0].source == "f049.csv"


def test_register_risk_is_its_riskiest_item_with_a_summary():
    items = [
        scored("a.csv", {HETU: 1200}, world_readable=True),
        scored("b.csv", {"EMAIL_ADDRESS": 3}),
        Scored("crm", item_risk({HETU: 10}, None, undeclared={HETU}), table="public.asiakkaat"),
    ]
    risk = register_risk(items)
    assert (risk.score, risk.points) == (items[0].risk.score, items[0].risk.points)
    assert risk.reasons == [
        "riskiest: a.csv (71)",
        "3 items with findings",
        "1 readable by everyone",
        "1 holding undeclared data",
    ]
    assert risk.working.startswith("the riskiest item's: 10 × (1 + log10 1,200)")
    assert register_risk([]) == Risk(0, [], 0.0, "no findings: 0")
    assert items[2].name == "crm public.asiakkaat"
    assert items[2].as_dict()["table"] == "public.asiakkaat"


def test_as_dict():
    risk = item_risk({HETU: 1200}, exposure(world_readable=True))
    assert risk.as_dict() == {
        "score": 71,
        "reasons": ["identity codes × 1,200", "readable by everyone"],
        "points": 122.4,
        "working": risk.working,
    }


# --- properties -------------------------------------------------------------------------------------

counts = st.dictionaries(st.sampled_from([*WEIGHTS, "HEALTH_DATA", "X"]), st.integers(1, 10**7), min_size=1)


@given(counts, st.sampled_from(sorted(WEIGHTS)), st.integers(1, 1000))
def test_more_findings_never_lower_the_score(found, entity, more):
    more_found = {**found, entity: found.get(entity, 0) + more}
    assert item_risk(more_found, None).points > item_risk(found, None).points


@given(counts)
def test_exposure_undeclared_and_age_only_raise(found):
    locked = item_risk(found, exposure())
    group = item_risk(found, exposure(group_readable=True))
    everyone = item_risk(found, exposure(world_readable=True))
    assert locked.points < group.points < everyone.points
    assert locked.score <= group.score <= everyone.score <= 100
    assert item_risk(found, None, undeclared=set(found)).points == pytest.approx(2 * locked.points)
    old = exposure(modified_ns=0)
    assert item_risk(found, old, retention_days=1, now=NOW).points == pytest.approx(
        locked.points * FACTORS["retention"]
    )


# --- --fail-on --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("undeclared", FailOn(undeclared=True)),
        ("new-undeclared", FailOn(new_undeclared=True)),
        ("never", FailOn()),
        ("risk>=70", FailOn(risk=70)),
        ("risk >= 0", FailOn(risk=0)),
        ("risk>69", FailOn(risk=70)),
        ("RISK≥70", FailOn(risk=70)),
        ("new-undeclared,risk>=80", FailOn(new_undeclared=True, risk=80)),
        ("risk>=90, risk>=60", FailOn(risk=60)),
    ],
)
def test_fail_on_parses(text, expected):
    assert parse_fail_on(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "expected undeclared"),
        ("risk", "expected undeclared"),
        ("risk>=", "expected undeclared"),
        ("risk<=50", "expected undeclared"),
        ("risk>=101", "a score is from 0 to 100"),
        ("risk>100", "a score is from 0 to 100"),
        ("undeclared,", "expected undeclared"),
        ("never,risk>=50", "never cannot be joined"),
        ("sometimes", "'sometimes': expected"),
    ],
)
def test_fail_on_refuses(text, message):
    with pytest.raises(ValueError, match=message):
        parse_fail_on(text)


def test_fail_on_decides_and_says_why():
    condition = parse_fail_on("new-undeclared,risk>=70")
    assert condition.needs_history
    assert not condition(undeclared=True, risk=69)
    assert condition(risk=70)
    assert condition.why(risk=85) == "risk 85 ≥ 70"
    assert condition.why(new_undeclared=True, risk=85) == "new-undeclared"
    assert condition.why(undeclared=True) is None
    assert not condition(risk=None)
    assert str(condition) == "new-undeclared,risk>=70" and str(parse_fail_on("never")) == "never"
    assert not parse_fail_on("undeclared").needs_history
