"""Thirty years of monitoring, simulated through the services on SQLite and PostgreSQL.

Orchard Fields (tests/register/monitoring_world.py): an approved gain plan in Worcestershire with
created and enhanced parcels (28 ha: the county's "20 to 40 hectares" band). The county's officer makes
the obligation; the developer reports in years 3, 5, 10 … 30; in year 10 the created grassland is found
as bramble scrub: failed, flagged to the officer, remedial action asked for and done; in year 15 it is
back on track. Fees as the county's table says; reminders and enforcement flags queued once each; every
change in the audit log.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from bng.register.core.submissions import AlreadyDone, Once
from tests.db.fixtures import Register
from tests.register.monitoring_world import GRASS, MODIFIED, SCRUB, approved_case, worcestershire

START = date(2027, 3, 1)
BRAMBLE = "Heathland and shrub - Bramble scrub"


def _at(register: Register, on: date) -> None:
    register.clock.now = datetime(on.year, on.month, on.day, 10, 0, 0)


def _on_path(ob: Any, year: int) -> dict[str, dict[str, Any]]:
    """What a report finds when every parcel is where the metric expects it in ``year``."""
    from bng.planning.trajectory import Trajectory

    out = {}
    for p in ob.parcels:
        t = Trajectory.from_dict(p)
        step = t.expected_step(year)
        if step is not None:
            out[t.key] = {"habitat": step.habitat, "condition": step.condition, "size": str(t.size)}
    return out


def _statuses(report: Any) -> dict[str, str]:
    return {v["key"]: v["status"] for v in report.assessment["verdicts"]}


def test_thirty_years_of_monitoring(register: Register) -> None:
    from bng.register.core.errors import Conflict, Invalid

    s = register.services
    world = register.world
    assert world is not None
    developer = world.actors["developer"]
    lpa_id, officer = worcestershire(register)
    case = approved_case(register, officer, lpa_id)

    with pytest.raises(Invalid, match="start"):
        s.monitoring.create_for_case(officer, case.reference, start_date=None, mechanism="section 106 agreement")
    ob = s.monitoring.create_for_case(officer, case.reference, start_date=START, mechanism="section 106 agreement")
    again = s.monitoring.create_for_case(officer, case.reference, start_date=START, mechanism="section 106 agreement")
    assert again.reference == ob.reference  # one obligation per plan
    keys = {p["key"] for p in ob.parcels}
    assert keys == {"area:created:C1", "area:created:C2", "area:enhanced:E1"}  # C3 (sealed surface) is not significant
    assert (ob.size_ha, ob.band, ob.years) == (28.0, "Large", [3, 5, 10, 15, 20, 25, 30])
    assert ob.end_date == date(2057, 3, 1) and ob.mechanism == "section 106 agreement"
    assert ob.fee is not None and ob.fee["amount_gbp"] == "13043.93" and ob.fee["vat"] == "excluded"
    assert ob.fee_due_on == case.received_on  # due in full when discharge of the gain plan condition is sought
    c1 = next(p for p in ob.parcels if p["key"] == "area:created:C1")
    assert c1["final_years"] == 10.0 and [s_["condition"] for s_ in c1["steps"]][-1] == "Good"

    s.monitoring.record_fee(officer, ob.reference, case.received_on, 1_304_393)
    s.monitoring.record_fee(officer, ob.reference, case.received_on, 1_304_393)  # the same again: nothing new
    with pytest.raises(Conflict):
        s.monitoring.record_fee(officer, ob.reference, case.received_on, 100)

    # reminders before the year 3 report (60 and 14 days), queued once however often the sweep runs
    due3 = date(2030, 3, 1)
    _at(register, due3 - timedelta(days=60))
    assert any("reminder of the year 3 report (60 days)" in x for x in s.monitoring.sweep())
    assert not any("year 3" in x for x in s.monitoring.sweep())
    _at(register, due3 - timedelta(days=10))
    s.monitoring.sweep()
    reminders = [m for m in s.monitoring.outbox() if m.kind == "report_reminder"]
    assert len(reminders) == 2 and all(m.to_email == "developer@example.com" for m in reminders)

    history: dict[int, str] = {}
    for year in (3, 5, 10, 15, 20, 25, 30):
        due = date(START.year + year, 3, 1)
        _at(register, due - timedelta(days=7))
        seen = _on_path(ob, year)
        if year == 10:
            seen["area:created:C1"] = {"habitat": BRAMBLE, "condition": "Condition Assessment N/A", "size": "18"}
        report = s.monitoring.submit_report(
            developer,
            ob.reference,
            year=year,
            observations=seen,
            narrative=f"Year {year} survey",
            once=Once(f"report-token-{year:02d}-abcdef", "monitoring.report"),
        )
        statuses = _statuses(report)
        history[year] = report.assessment["status"]
        if year == 10:
            assert statuses["area:created:C1"] == "failed"
            assert statuses["area:created:C2"] == "on track" and statuses["area:enhanced:E1"] == "on track"
            flagged = [m for m in s.monitoring.outbox() if m.kind == "off_track"]
            assert len(flagged) == 1 and flagged[0].to_email.startswith("officer@worcestershire")
            assert "area:created:C1: failed" in flagged[0].body and BRAMBLE in flagged[0].body
            units = report.assessment["units"]["area"]
            assert units["delivered"] < units["expected"]
            action = s.monitoring.request_action(
                officer,
                ob.reference,
                report.reference,
                description="Clear the bramble and re-seed C1 with a local neutral grassland mix",
                deadline=due + timedelta(days=180),
                parcel_keys=["area:created:C1"],
                once=Once("action-token-year10-abcdef", "monitoring_lpa.action"),
            )
            with pytest.raises(AlreadyDone) as again:
                s.monitoring.request_action(
                    officer,
                    ob.reference,
                    report.reference,
                    description="Clear the bramble and re-seed C1 with a local neutral grassland mix",
                    deadline=due + timedelta(days=180),
                    parcel_keys=["area:created:C1"],
                    once=Once("action-token-year10-abcdef", "monitoring_lpa.action"),
                )
            assert again.value.target == action.reference
            with pytest.raises(Conflict):
                s.monitoring.accept(officer, ob.reference, report.reference)
            _at(register, due + timedelta(days=120))
            s.monitoring.action_done(developer, ob.reference, action.reference, "Scrub cleared, re-seeded in March")
        else:
            assert set(statuses.values()) == {"on track"}, (year, report.assessment)
            s.monitoring.accept(officer, ob.reference, report.reference, "Inspected: as reported")
            s.monitoring.accept(officer, ob.reference, report.reference)  # accepting again changes nothing
    assert history == {
        3: "on track",
        5: "on track",
        10: "failed",
        15: "on track",
        20: "on track",
        25: "on track",
        30: "on track",
    }

    view = s.monitoring.view(officer, ob.reference)
    assert not view.flags and len(view.reports) == 7
    _at(register, date(2057, 3, 2))
    assert any("ended" in x for x in s.monitoring.sweep())
    assert s.monitoring.view(developer, ob.reference).obligation.status == "ended"

    with s.uow() as uow:
        actions = [e.action for e in uow.audit.recent(1, 200).items]
    assert actions.count("monitoring.report_submitted") == 7 and actions.count("monitoring.report_accepted") == 6
    assert {"monitoring.obligation_created", "monitoring.fee_received", "monitoring.action_requested"} <= set(actions)
    assert "monitoring.action_done" in actions and actions.count("monitoring.fee_received") == 1


def test_overdue_report_and_action_raise_one_enforcement_flag(register: Register) -> None:
    s = register.services
    world = register.world
    assert world is not None
    developer = world.actors["developer"]
    lpa_id, officer = worcestershire(register)
    case = approved_case(register, officer, lpa_id)
    ob = s.monitoring.create_for_case(officer, case.reference, start_date=START, mechanism="planning condition")
    _at(register, date(2030, 3, 1) + timedelta(days=20))
    assert not s.monitoring.view(officer, ob.reference).flags  # within the grace period
    _at(register, date(2030, 3, 1) + timedelta(days=29))
    flags = s.monitoring.view(officer, ob.reference).flags
    assert [f.kind for f in flags] == ["report overdue"]
    assert any("enforcement flag" in x for x in s.monitoring.sweep())
    assert not any("enforcement flag" in x for x in s.monitoring.sweep())  # raised once
    events = [e.kind for e in s.monitoring.view(officer, ob.reference).events]
    assert events.count("enforcement flag") == 1
    late = s.monitoring.submit_report(developer, ob.reference, year=3, observations=_on_path(ob, 3))
    assert not s.monitoring.view(officer, ob.reference).flags
    action = s.monitoring.request_action(
        officer, ob.reference, late.reference, description="Fence C2", deadline=date(2030, 6, 1), parcel_keys=[]
    )
    _at(register, date(2030, 6, 2))
    assert [f.kind for f in s.monitoring.view(officer, ob.reference).flags] == ["remedial action overdue"]
    s.monitoring.sweep()
    flagged = [m for m in s.monitoring.outbox() if m.kind == "enforcement_flag"]
    assert len(flagged) == 2 and any(action.reference in m.body for m in flagged)


def test_the_daily_sweep_from_the_command_line(register: Register, monkeypatch: pytest.MonkeyPatch) -> None:
    """``bng planning monitoring-sweep --on DAY`` on the register's own database: the year 3 report's
    60-day reminder is queued once, however often the command runs that day."""
    from typer.testing import CliRunner

    from bng import cli

    lpa_id, officer = worcestershire(register)
    case = approved_case(register, officer, lpa_id)
    ob = register.services.monitoring.create_for_case(
        officer, case.reference, start_date=START, mechanism="planning condition"
    )
    monkeypatch.setenv("DATABASE_URL", register.url)
    monkeypatch.setenv("BNG_FILE_STORE", str(register.files))
    monkeypatch.setenv("BNG_SECRET_KEY", "test-secret")
    day = (date(START.year + 3, START.month, START.day) - timedelta(days=60)).isoformat()
    first = CliRunner().invoke(cli.app, ["planning", "monitoring-sweep", "--on", day])
    assert first.exit_code == 0, first.output
    assert f"{ob.reference}: reminder of the year 3 report (60 days)" in first.output
    again = CliRunner().invoke(cli.app, ["planning", "monitoring-sweep", "--on", day])
    assert again.exit_code == 0 and again.output.strip() == "nothing due"
    assert [m.kind for m in register.services.monitoring.outbox()] == ["report_reminder"]
    wrong = CliRunner().invoke(cli.app, ["planning", "monitoring-sweep", "--on", "1 March"])
    assert wrong.exit_code == 2


def test_who_sees_and_does_what(register: Register) -> None:
    from bng.register.core.errors import Forbidden, Invalid, NotFound

    s = register.services
    world = register.world
    assert world is not None
    lpa_id, officer = worcestershire(register)
    case = approved_case(register, officer, lpa_id)
    cambridge = world.actors["lpa_officer"]
    with pytest.raises(NotFound):  # another LPA's officer cannot make it, nor see it
        s.monitoring.create_for_case(cambridge, case.reference, start_date=START, mechanism="planning condition")
    ob = s.monitoring.create_for_case(officer, case.reference, start_date=START, mechanism="planning condition")
    with pytest.raises(NotFound):
        s.monitoring.view(cambridge, ob.reference)
    with pytest.raises(NotFound):
        s.monitoring.view(world.actors["landowner"], ob.reference)
    with pytest.raises(Forbidden):
        s.monitoring.submit_report(officer, ob.reference, year=3, observations={})
    with pytest.raises(NotFound):
        s.monitoring.submit_report(world.actors["landowner"], ob.reference, year=3, observations={})
    with pytest.raises(Invalid) as bad:
        s.monitoring.submit_report(
            world.actors["developer"],
            ob.reference,
            year=3,
            observations={
                "area:created:C1": {"condition": "Superb", "size": "lots"},
                "area:created:ZZ": {"condition": "Good"},
            },
        )
    fields = {p.field for p in bad.value.problems}
    assert {"condition-area-created-C1", "size-area-created-C1", "parcels"} <= fields  # every problem at once


def test_a_registered_gain_site_is_monitored_by_its_agreement(register: Register) -> None:
    s = register.services
    world = register.world
    assert world is not None
    officer = world.actors["lpa_officer"]  # Cambridge: party to the gain site's section 106 agreement
    ob = s.monitoring.create_for_site(officer, world.site)
    assert ob.source == "gain site" and ob.mechanism == "section 106 agreement"
    assert ob.provider_id == world.actors["landowner"].user_id
    assert ob.parcels and all(p["intervention"] in ("created", "enhanced") for p in ob.parcels)
    assert s.monitoring.create_for_site(officer, world.site).reference == ob.reference
    mine = s.monitoring.mine(world.actors["landowner"])
    assert [v.obligation.reference for v in mine] == [ob.reference]


def test_a_plan_made_before_trajectories_were_kept_is_monitored_all_the_same(register: Register) -> None:
    """Gain plans approved before this issue carry no trajectory: monitoring makes it from the parcel's fields."""
    from bng.planning.trajectory import from_parcel

    lpa_id, officer = worcestershire(register)
    case = approved_case(register, officer, lpa_id)
    assert case.gain_plan is not None
    for p in case.gain_plan["significant_parcels"]:
        old = {k: v for k, v in p.items() if k != "trajectory"}
        assert from_parcel(old, "statutory-2024").to_dict() == p["trajectory"]


@pytest.mark.parametrize(
    ("habitat", "condition", "expected"),
    [(GRASS, "Good", "on track"), (MODIFIED, "Poor", "failed"), (SCRUB, "Poor", "behind")],
)
def test_one_parcel_each_way(register: Register, habitat: str, condition: str, expected: str) -> None:
    s = register.services
    world = register.world
    assert world is not None
    lpa_id, officer = worcestershire(register)
    case = approved_case(register, officer, lpa_id)
    ob = s.monitoring.create_for_case(officer, case.reference, start_date=START, mechanism="planning condition")
    key = {GRASS: "area:created:C1", MODIFIED: "area:enhanced:E1", SCRUB: "area:created:C2"}[habitat]
    seen = _on_path(ob, 10)
    seen[key] = {"habitat": habitat, "condition": condition}
    report = s.monitoring.submit_report(world.actors["developer"], ob.reference, year=10, observations=seen)
    assert _statuses(report)[key] == expected


def test_the_excess_is_sold_once(register: Register) -> None:
    """A development sells at most its excess above max(10 %, the local target), from created and enhanced
    habitat only; a second sale of the same units is refused, and so is one of two sales made at the same
    instant (each its own thread and connection) when both together would take more than there is."""
    import threading

    from bng.register.core.errors import Conflict, Invalid

    s = register.services
    world = register.world
    assert world is not None
    developer = world.actors["developer"]
    lpa_id, officer = worcestershire(register)
    case = approved_case(register, officer, lpa_id)
    position = s.excess.position(developer, case.reference)
    [area] = [m for m in position.modules if m.module == "area"]
    assert area.target_percent >= 10.0 and area.net_change_percent > area.target_percent
    above_target = area.post_development - area.pre_development * (1 + area.target_percent / 100.0)
    assert area.sellable == pytest.approx(min(above_target, area.uplift)) and area.uplift <= area.post_development
    sellable = position.remaining("area")
    assert sellable == pytest.approx(area.sellable) and sellable > 1.0

    with pytest.raises((Invalid, Conflict)):  # more than the excess, even by a thousandth of a unit
        s.excess.sell(developer, case.reference, buyer_planning_reference="B/1", buyer_lpa_id=lpa_id,
                      units={"area": sellable + 0.001})  # fmt: skip
    half = round(sellable / 2, 4)
    s.excess.sell(developer, case.reference, buyer_planning_reference="B/1", buyer_lpa_id=lpa_id, units={"area": half})
    with pytest.raises((Invalid, Conflict)):  # the same units again, to another buyer
        s.excess.sell(developer, case.reference, buyer_planning_reference="B/2", buyer_lpa_id=lpa_id,
                      units={"area": sellable - half + 0.001})  # fmt: skip
    left = s.excess.position(developer, case.reference).remaining("area")
    assert left == pytest.approx(sellable - half, abs=1e-6)

    ask = round(left * 0.6, 4)  # two buyers at once, each for 60 % of what is left: one is refused
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def buy(i: int) -> None:
        barrier.wait()
        try:
            s.excess.sell(developer, case.reference, buyer_planning_reference=f"C/{i}", buyer_lpa_id=lpa_id,
                          units={"area": ask})  # fmt: skip
            outcomes.append("sold")
        except (Invalid, Conflict):
            outcomes.append("refused")

    threads = [threading.Thread(target=buy, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["refused", "sold"]
    final = s.excess.position(developer, case.reference)
    assert final.sold("area") == pytest.approx(half + ask, abs=1e-6) and final.remaining("area") >= 0
    assert len(final.sales) == 2


def test_a_report_s_hostile_files_are_refused_and_nothing_is_kept(register: Register, tmp_path: Any) -> None:
    """A report's files go through the register's upload checks: a GeoPackage whose layer is a never-ending
    view, and a "photo" that is no image, are each refused by name, and no report is made."""
    from bng.register.core.errors import Invalid
    from bng.register.core.uploads import Upload
    from tests.gis.hostile import recursive_view

    s, world = register.services, register.world
    assert world is not None
    lpa_id, officer = worcestershire(register)
    case = approved_case(register, officer, lpa_id)
    ob = s.monitoring.create_for_case(officer, case.reference, start_date=START, mechanism="planning condition")
    hostile = {
        "map_file": Upload("map_file", "updated.gpkg", recursive_view(tmp_path / "updated.gpkg").read_bytes()),
        "photos": Upload("photos", "meadow.jpg", b"<script>alert(1)</script>"),
    }
    for field, upload in hostile.items():
        with pytest.raises(Invalid) as err:
            s.monitoring.submit_report(
                world.actors["developer"], ob.reference, year=3, observations=_on_path(ob, 3), files=[upload]
            )
        assert [p.field for p in err.value.problems] == [field]
    assert s.monitoring.view(world.actors["developer"], ob.reference).reports == ()
