"""The LPA's view of biodiversity gain: a dashboard, downloads, and the statutory biodiversity report.

The dashboard counts the gain plans submitted to the LPA and approved, the units they secure on-site,
off-site (registered gains allocated) and as statutory credits, the hectares by habitat created or
enhanced, the obligations by their latest judgement (on track, behind, failed, not yet due), the
enforcement flags, and the monitoring fees due and received. Everything is downloadable (CSV, GeoJSON:
the gain sites under monitoring, with their boundaries) and as JSON.

The **biodiversity report** (NERC Act 2006 s.40A, as amended by the Environment Act 2021: an LPA's report
must summarise its actions under Sch 7A and the gains resulting or expected from approved gain plans,
first for a period ending no later than 1 January 2026) is generated for any date range as a spreadsheet
and a PDF: per development and per habitat, on-site against off-site. Defra's draft template (270 data
points on 8 worksheets, per the planning-side spec §4.6) was not available to bng: the workbook follows
its described shape (by development and habitat, on-site and off-site) with bng's own sheet names.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bng.metric import SIZE_UNITS as UNIT
from bng.planning import Status, Trajectory, from_parcel
from bng.register.core.audit import Actor
from bng.register.core.errors import Invalid, NotFound, Problem
from bng.register.core.model import Lpa
from bng.register.core.places import bng_to_wgs84
from bng.register.core.ports import AllocationQuery
from bng.register.core.roles import Permission
from bng.register.core.service import Service, require
from bng.register.planning.cases import PlanningCase

from .records import MonitoringUnitOfWork
from .service import NO_REPORT, ObligationView, view_of

MODULES = ("area", "hedgerow", "watercourse")
STATUSES = (Status.ON_TRACK.value, Status.BEHIND.value, Status.FAILED.value, Status.NOT_YET_DUE.value, NO_REPORT)
SOURCES = (
    ("NERC Act 2006 s.40A (biodiversity reports), as amended by the Environment Act 2021 s.103", "T"),
    ("LGA: a summary of Sch 7A actions, gains resulting or expected from approved gain plans, plans for 5 years", "T"),
    ("First report: a period ending no later than 1 January 2026, published within 12 weeks", "T"),
    ("Defra's draft template: 270 data points, 8 worksheets, per development and habitat, on- vs off-site", "T"),
)


@dataclass(frozen=True)
class Secured:
    """What one approved gain plan secures, per module, for the LPA's biodiversity report.

    On-site post-development units and change, off-site registered gains (after the spatial risk multiplier) and credits
    as units.
    """

    case: PlanningCase
    modules: Mapping[str, Mapping[str, float]]
    parcels: tuple[Trajectory, ...]


def _secured(case: PlanningCase) -> Secured:
    plan = case.gain_plan or {}
    modules: dict[str, dict[str, float]] = {}
    for m in (plan.get("objective") or {}).get("modules", []):
        modules[m["module"]] = {
            "pre_development": float(m.get("pre_development") or 0.0),
            "on_site": float(m.get("post_development_onsite") or 0.0),
            "off_site": float(m.get("registered_offsite_change") or 0.0),
            "credits": float(m.get("credits_as_units") or 0.0),
            "net_change": float(m.get("net_change") or 0.0),
        }
    release = str((plan.get("metric") or {}).get("release") or "statutory-2024")
    parcels = tuple(
        from_parcel(p, release) for p in plan.get("parcels") or [] if p.get("intervention") in ("created", "enhanced")
    )
    return Secured(case, modules, parcels)


@dataclass(frozen=True)
class HabitatRow:
    """A habitat secured on-site by a gain plan or off-site by an allocation, with its units and target."""

    habitat: str
    module: str
    where: str  # "on-site" or "off-site"
    size: float
    units: float
    target_units: float

    @property
    def unit(self) -> str:
        """The unit of the habitat's module (area, hedgerow or watercourse units)."""
        return UNIT[self.module]


@dataclass(frozen=True)
class OffSite:
    """An allocation of a registered gain site's units to a development in the LPA's area."""

    reference: str
    gain_site: str
    planning_reference: str
    development: str
    created_at: datetime
    units: Mapping[str, float]  # module -> units allocated


@dataclass(frozen=True)
class Dashboard:
    """The LPA's monitoring at a glance: gain plans, obligations by status, habitats and off-site gains."""

    lpa: Lpa
    today: date
    received: int
    approved: tuple[Secured, ...]
    obligations: tuple[ObligationView, ...]
    habitats: tuple[HabitatRow, ...]
    offsite: tuple[OffSite, ...]
    unmonitored_cases: tuple[PlanningCase, ...]
    unmonitored_sites: tuple[Any, ...]  # GainSite
    excess_sales: tuple[Any, ...] = field(default_factory=tuple)

    def units(self, module: str, kind: str) -> float:
        """The units of a module over the approved gain plans (or allocated off-site), of one kind."""
        if kind == "off_site_allocated":
            return sum(o.units.get(module, 0.0) for o in self.offsite)
        return sum(s.modules.get(module, {}).get(kind, 0.0) for s in self.approved)

    def counts(self) -> dict[str, int]:
        """How many obligations there are in each status of their latest monitoring report."""
        out = dict.fromkeys(STATUSES, 0)
        for v in self.obligations:
            out[v.status] = out.get(v.status, 0) + 1
        return out

    @property
    def flags(self) -> list[tuple[ObligationView, Any]]:
        """Every enforcement flag, with its obligation."""
        return [(v, f) for v in self.obligations for f in v.flags]

    @property
    def fees_due_pence(self) -> int:
        """The monitoring fees quoted and not yet received."""
        total = 0
        for v in self.obligations:
            fee = v.obligation.fee or {}
            if fee.get("amount_gbp") and v.obligation.fee_received_pence is None:
                total += round(float(fee["amount_gbp"]) * 100)
        return total

    @property
    def fees_received_pence(self) -> int:
        """The monitoring fees received."""
        return sum(v.obligation.fee_received_pence or 0 for v in self.obligations)

    def hectares_by_habitat(self) -> list[tuple[str, str, float, float]]:
        """(habitat, where, hectares, units) of area habitats created or enhanced, largest first."""
        found: dict[tuple[str, str], list[float]] = {}
        for h in self.habitats:
            if h.module != "area":
                continue
            row = found.setdefault((h.habitat, h.where), [0.0, 0.0])
            row[0] += h.size
            row[1] += h.units
        return sorted(((k[0], k[1], v[0], v[1]) for k, v in found.items()), key=lambda r: (-r[2], r[0]))

    def to_dict(self) -> dict[str, Any]:
        """The dashboard as JSON for the LPA's download."""
        return {
            "lpa": {"name": self.lpa.name, "ons_code": self.lpa.ons_code},
            "on": self.today.isoformat(),
            "gain_plans": {"received": self.received, "approved": len(self.approved)},
            "units": {
                m: {
                    "on_site_post_development": self.units(m, "on_site"),
                    "on_site_net_change": sum(
                        s.modules.get(m, {}).get("on_site", 0.0) - s.modules.get(m, {}).get("pre_development", 0.0)
                        for s in self.approved
                    ),
                    "off_site_in_plans": self.units(m, "off_site"),
                    "off_site_allocated": self.units(m, "off_site_allocated"),
                    "credits": self.units(m, "credits"),
                }
                for m in MODULES
            },
            "hectares_by_habitat": [
                {"habitat": h, "where": w, "hectares": ha, "units": u} for h, w, ha, u in self.hectares_by_habitat()
            ],
            "obligations": {
                "by_status": self.counts(),
                "enforcement_flags": len(self.flags),
                "list": [obligation_row(v) for v in self.obligations],
            },
            "fees": {"due_gbp": self.fees_due_pence / 100, "received_gbp": self.fees_received_pence / 100},
        }


def obligation_row(v: ObligationView) -> dict[str, Any]:
    """An obligation as a row of the LPA's CSV download (the columns of :data:`COLUMNS`)."""
    ob = v.obligation
    fee = ob.fee or {}
    latest = v.latest
    return {
        "reference": ob.reference,
        "source": ob.source,
        "planning_reference": ob.planning_reference,
        "development": ob.development_name,
        "mechanism": ob.mechanism,
        "monitor": ob.monitor,
        "start_date": ob.start_date.isoformat(),
        "end_date": ob.end_date.isoformat(),
        "schedule": ob.schedule,
        "band": ob.band,
        "years": " ".join(str(y) for y in ob.years),
        "size_ha": round(ob.size_ha, 4),
        "parcels": len(ob.parcels),
        "fee": fee.get("text") or fee.get("note") or "",
        "fee_received_gbp": None if ob.fee_received_pence is None else ob.fee_received_pence / 100,
        "latest_report_year": latest.year if latest else None,
        "status": v.status,
        "enforcement_flags": "; ".join(f"{f.kind}: {f.what}" for f in v.flags),
        "active": ob.status == "active",
    }


class LpaMonitoring(Service):
    """The officer's dashboard, downloads and the statutory report of their own LPA."""

    def _muow(self, write: bool = False) -> MonitoringUnitOfWork:
        found: MonitoringUnitOfWork = self._uow(write=write)  # type: ignore[assignment]
        return found

    def _lpa(self, uow: MonitoringUnitOfWork, actor: Actor) -> Lpa:
        lpa = uow.lpas.get(actor.lpa_id) if actor.lpa_id is not None else None
        if lpa is None:
            raise NotFound("No LPA")
        return lpa

    def _offsite(self, uow: MonitoringUnitOfWork, lpa: Lpa) -> tuple[list[OffSite], list[HabitatRow]]:
        offsite, habitats = [], []
        page = 1
        while True:
            found = uow.open_data.allocations(AllocationQuery(lpa=lpa.name, page=page, per_page=500))
            for allocation, site_ref, _lpa, totals, _where in found.items:
                offsite.append(
                    OffSite(
                        allocation.reference,
                        site_ref,
                        allocation.planning_reference,
                        allocation.development_name,
                        allocation.created_at,
                        {m: float(units) for m, (_size, units) in totals.items()},
                    )
                )
                for line in uow.ledger.lines(allocation.id):
                    parcel = uow.ledger.parcel(line.parcel_id)
                    if parcel is not None:
                        habitats.append(
                            HabitatRow(
                                parcel.habitat,
                                parcel.module,
                                "off-site",
                                float(line.size),
                                float(line.units),
                                float(line.units),
                            )
                        )
            if page >= found.pages:
                break
            page += 1
        return offsite, habitats

    def dashboard(self, actor: Actor | None) -> Dashboard:
        """The officer's LPA's monitoring dashboard, today."""
        actor = require(actor, Permission.REVIEW_MONITORING)
        with self._muow() as uow:
            lpa = self._lpa(uow, actor)
            assert lpa.id is not None
            cases = list(uow.planning.of_lpa(lpa.id))
            approved = [c for c in cases if c.status == "approved"]
            secured = tuple(_secured(c) for c in approved)
            habitats = [
                HabitatRow(t.habitat, t.module, "on-site", t.size, t.plan_units or 0.0, t.target_units() or 0.0)
                for s in secured
                for t in s.parcels
            ]
            offsite, off_habitats = self._offsite(uow, lpa)
            obligations = uow.monitoring.obligations_of_lpa(lpa.id)
            monitored_cases = {o.planning_case_id for o in obligations}
            monitored_sites = {o.gain_site_id for o in obligations}
            sites = [
                s
                for s in uow.sites.for_lpa(lpa.id, lpa.name)
                if s.status == "registered" and s.id not in monitored_sites
            ]
            views = tuple(view_of(uow, ob, self.today()) for ob in obligations)
            return Dashboard(
                lpa,
                self.today(),
                len(cases),
                secured,
                views,
                tuple(habitats + off_habitats),
                tuple(offsite),
                tuple(c for c in approved if c.id not in monitored_cases),
                tuple(sites),
                tuple(uow.monitoring.sales_to_lpa(lpa.id)),
            )

    # -- downloads ---------------------------------------------------------------------------------------
    def obligations_csv(self, actor: Actor | None) -> str:
        """The LPA's obligations as CSV, safe to open in a spreadsheet."""
        rows = [obligation_row(v) for v in self.dashboard(actor).obligations]
        return to_csv(rows, COLUMNS)

    def obligations_geojson(self, actor: Actor | None) -> dict[str, Any]:
        """The obligations as GeoJSON (WGS84): gain sites with their registered boundaries.

        On-site obligations have no fixed geometry (the gain plan's maps are the applicant's documents, not the
        register's).
        """
        from shapely.geometry import mapping

        board = self.dashboard(actor)
        features = []
        with self._muow() as uow:
            for v in board.obligations:
                ob = v.obligation
                geometry = None
                if ob.gain_site_id is not None:
                    site = uow.sites.get(ob.gain_site_id)
                    if site is not None and site.boundary is not None:
                        geometry = mapping(bng_to_wgs84(site.boundary))
                features.append({"type": "Feature", "geometry": geometry, "properties": obligation_row(v)})
        return {"type": "FeatureCollection", "features": features}

    # -- the statutory biodiversity report -----------------------------------------------------------------
    def report(self, actor: Actor | None, start: date | None, end: date | None) -> BiodiversityReport:
        """The LPA's biodiversity report for a period (NERC Act s.40A): its developments, gains and habitats."""
        problems = []
        if start is None:
            problems.append(("from_date", "Enter the first day of the period"))
        if end is None:
            problems.append(("to_date", "Enter the last day of the period"))
        if start and end and end < start:
            problems.append(("to_date", "The period must end on or after the day it starts"))
        if problems:
            raise Invalid("Check the period", [Problem(f, m) for f, m in problems])
        assert start is not None and end is not None
        board = self.dashboard(actor)
        return BiodiversityReport(board, start, end, self.now())


COLUMNS = (
    "reference",
    "source",
    "planning_reference",
    "development",
    "mechanism",
    "monitor",
    "start_date",
    "end_date",
    "schedule",
    "band",
    "years",
    "size_ha",
    "parcels",
    "fee",
    "fee_received_gbp",
    "latest_report_year",
    "status",
    "enforcement_flags",
    "active",
)


def _cell(value: Any) -> Any:
    """A spreadsheet-safe cell: text that would start a formula gets a leading apostrophe (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(rows: Sequence[Mapping[str, Any]], columns: Iterable[str]) -> str:
    """Rows as CSV with these columns, each cell safe from formula injection."""
    out = io.StringIO()
    cols = list(columns)
    writer = csv.DictWriter(out, fieldnames=cols, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: _cell(v) for k, v in r.items()})
    return out.getvalue()


@dataclass(frozen=True)
class BiodiversityReport:
    """An LPA's biodiversity report for a period, made from its monitoring dashboard."""

    board: Dashboard
    start: date
    end: date
    made: datetime

    @property
    def developments(self) -> list[Secured]:
        """The gain plans approved within the period."""
        return [s for s in self.board.approved if s.case.decided_on and self.start <= s.case.decided_on <= self.end]

    @property
    def offsite(self) -> list[OffSite]:
        """The off-site allocations made within the period."""
        return [o for o in self.board.offsite if self.start <= o.created_at.date() <= self.end]

    def habitats(self) -> list[HabitatRow]:
        """The habitats secured on-site by the period's gain plans, and off-site by allocations."""
        rows = [
            HabitatRow(t.habitat, t.module, "on-site", t.size, t.plan_units or 0.0, t.target_units() or 0.0)
            for s in self.developments
            for t in s.parcels
        ]
        rows += [h for h in self.board.habitats if h.where == "off-site"]
        return rows

    def totals(self) -> dict[str, dict[str, float]]:
        """The units per module: pre-development, on-site post-development, off-site, credits and net change."""
        out = {}
        for m in MODULES:
            devs = self.developments
            out[m] = {
                "pre_development": sum(s.modules.get(m, {}).get("pre_development", 0.0) for s in devs),
                "on_site_post_development": sum(s.modules.get(m, {}).get("on_site", 0.0) for s in devs),
                "off_site_in_plans": sum(s.modules.get(m, {}).get("off_site", 0.0) for s in devs),
                "credits": sum(s.modules.get(m, {}).get("credits", 0.0) for s in devs),
                "off_site_allocated_in_period": sum(o.units.get(m, 0.0) for o in self.offsite),
                "expected_on_site_at_target": sum(
                    (t.target_units() or 0.0) for s in devs for t in s.parcels if t.module == m
                ),
            }
        return out

    def xlsx(self) -> bytes:
        """The report as a spreadsheet: Summary, Developments, Habitats, Off-site, Monitoring, Sources."""
        from openpyxl import Workbook
        from openpyxl.styles import Font

        wb = Workbook()
        summary = wb.active
        assert summary is not None
        summary.title = "Summary"
        bold = Font(bold=True)
        lpa = self.board.lpa
        head = [
            ("Biodiversity report (NERC Act 2006 s.40A): biodiversity net gain", ""),
            ("Local planning authority", lpa.name),
            ("ONS code", lpa.ons_code or ""),
            ("Period from", self.start),
            ("Period to", self.end),
            ("Made", self.made),
            ("Gain plans approved in the period", len(self.developments)),
            ("Gain plans received (all time)", self.board.received),
            ("Monitoring obligations (all time)", len(self.board.obligations)),
        ]
        for row in head:
            summary.append([_cell(x) for x in row])
        summary["A1"].font = bold
        summary.append([])
        summary.append(["Module", *TOTAL_LABELS.values()])
        for cell in summary[summary.max_row]:
            cell.font = bold
        for m, values in self.totals().items():
            summary.append([m, *(round(values[k], 6) for k in TOTAL_LABELS)])
        summary.append([])
        summary.append(["Obligations by latest judgement", ""])
        for status, n in self.board.counts().items():
            summary.append([status, n])

        devs = wb.create_sheet("Developments")
        devs.append(
            [
                "Planning reference",
                "Development",
                "Decided",
                "Module",
                "Pre-development units",
                "On-site post-development units",
                "On-site net change",
                "Off-site units (after spatial risk)",
                "Credits as units",
                "Net change",
            ]
        )
        for s in self.developments:
            for m in MODULES:
                v = s.modules.get(m)
                if not v or not (v["pre_development"] or v["on_site"] or v["off_site"] or v["credits"]):
                    continue
                devs.append(
                    [
                        _cell(s.case.planning_reference),
                        _cell(s.case.development_name),
                        s.case.decided_on,
                        m,
                        v["pre_development"],
                        v["on_site"],
                        v["on_site"] - v["pre_development"],
                        v["off_site"],
                        v["credits"],
                        v["net_change"],
                    ]
                )
        habitats = wb.create_sheet("Habitats")
        habitats.append(["Habitat", "Module", "Where", "Size", "Unit", "Units now", "Units expected at target"])
        for h in self.habitats():
            habitats.append([_cell(h.habitat), h.module, h.where, h.size, h.unit, h.units, h.target_units])
        off = wb.create_sheet("Off-site")
        off.append(["Allocation", "Gain site", "Planning reference", "Development", "Recorded", *MODULES])
        for o in self.offsite:
            off.append(
                [
                    o.reference,
                    o.gain_site,
                    _cell(o.planning_reference),
                    _cell(o.development),
                    o.created_at,
                    *(o.units.get(m, 0.0) for m in MODULES),
                ]
            )
        mon = wb.create_sheet("Monitoring")
        rows = [obligation_row(v) for v in self.board.obligations]
        cols = list(COLUMNS)
        mon.append(cols)
        for r in rows:
            mon.append([_cell(r[c]) for c in cols])
        src = wb.create_sheet("Sources")
        src.append(["Source", "Marker (V official, T third-party summary, U bng's)"])
        for text, marker in SOURCES:
            src.append([text, marker])
        for ws in wb.worksheets:
            for cell in ws[1]:
                cell.font = bold
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    def pdf(self) -> bytes:
        """The report as a PDF, for the LPA to publish."""
        from bng.documents import render_pdf

        lpa = self.board.lpa.name
        period = f"{self.start.isoformat()} to {self.end.isoformat()}"
        return render_pdf(
            "monitoring/biodiversity_report.html.j2",
            {
                "r": self,
                "totals": self.totals(),
                "labels": TOTAL_LABELS,
                "modules": MODULES,
                "title": f"Biodiversity report: {lpa}",
                "header_left": f"{lpa} — biodiversity report (NERC Act 2006 s.40A)",
                "header_right": period,
                "footer_left": f"Made by bng on {self.made:%d %B %Y} from approved gain plans and the register",
                "issuer": lpa,
            },
            title=f"Biodiversity report: {self.board.lpa.name}, {self.start} to {self.end}",
            created=self.made,
        )

    def to_json(self) -> str:
        """The report as JSON, with its totals, developments and habitats."""
        return json.dumps(
            {
                "lpa": self.board.lpa.name,
                "from": self.start.isoformat(),
                "to": self.end.isoformat(),
                "totals": self.totals(),
                "developments": [s.case.planning_reference for s in self.developments],
            }
        )


TOTAL_LABELS = {
    "pre_development": "Pre-development units",
    "on_site_post_development": "On-site post-development units",
    "off_site_in_plans": "Off-site units in the plans",
    "credits": "Statutory credits as units",
    "off_site_allocated_in_period": "Off-site units allocated in the period",
    "expected_on_site_at_target": "On-site units expected at target (created and enhanced)",
}
