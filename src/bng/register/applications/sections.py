"""The sections of a registration application: what each asks, how its answers are checked.

Each section's answers are saved as they are given (save and return), as a small JSON document
in the application; a section is "Completed" once its answers pass its own checks. The checks
that span sections (the boundary against the metric, double registration, the dates against the
day of submission) run again at submission (``checks``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol, TypeVar

import shapely

from bng.register.core.errors import Invalid, Problem
from bng.register.core.filetypes import DocumentKind, FileType, sniff
from bng.register.core.geometries import BYTES, SHA256, Geometries, geometry_in
from bng.register.core.lpas import not_current
from bng.register.core.model import AgreementType, Lpa, ResponsibleBody, StoredFile
from bng.register.core.outbox import EMAIL
from bng.register.core.places import Places
from bng.register.core.rules import land_charge_rule, thirty_year_rule
from bng.register.core.uploads import Upload

from . import boundary as boundary_rules
from .habitats import Habitats, from_site_json
from .metric_doors import habitats_from_maps, habitats_from_workbook

MAX_TEXT = 500
"""The most characters a typed answer may have where ``TEXT_LIMITS`` says nothing. Longer answers are
refused with a message saying so, never cut short."""
TEXT_LIMITS: dict[str, tuple[str, int]] = {
    "name": ("Your full name", 200),
    "organisation": ("The organisation's name", 200),
    "client_name": ("The landowner's name", 200),
    "email": ("The email address", 320),
    "phone": ("The telephone number", 40),
    "landowners": ("The names of the landowners", 2_000),
    "title_numbers": ("The title numbers", 500),
    "site_name": ("The gain site's name", 200),
    "development_name": ("The development's name", 200),
    "planning_reference": ("The planning reference", 100),
}
"""Each typed answer's label and its limit in characters (the database's column sizes where they are kept)."""


class SectionContext(Protocol):
    """What a section needs while saving: storing files, reference lists, where places are."""

    places: Places
    today: date

    @property
    def answers(self) -> Mapping[str, Any]: ...  # the application's as saved (the allocation reads the habitats)

    @property
    def reference(self) -> str: ...  # the application's (a development's metric names it before registration)

    def store(self, kind: DocumentKind, upload: Upload) -> tuple[StoredFile, FileType]: ...
    def file_bytes(self, file_id: int) -> bytes: ...
    def file_name(self, file_id: int) -> str: ...  # as stored: the upload's own name, in safe characters
    def parsed(self, read: Callable[..., T], *args: Any) -> T:
        """``read(*args)``: reading an upload, done once, before any database transaction opens."""
        ...

    def keep_geometry(self, geom: Any) -> dict[str, Any]:
        """Keep a geometry apart from the answers; what the answers hold of it (its digest and size)."""
        ...

    def lpa(self, lpa_id: int) -> Lpa | None: ...
    def body(self, body_id: int) -> ResponsibleBody | None: ...


T = TypeVar("T")
Handler = Callable[[dict[str, Any], Mapping[str, Any], Mapping[str, Upload], SectionContext], dict[str, Any]]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    group: str
    handler: Handler | None  # None: the section's own area supplies it (``Applications.handler``)
    needs: tuple[str, ...] = ()  # sections that must be completed first
    optional: bool = False  # may be left not started; once started, it must be completed


def _text(values: Mapping[str, Any], name: str) -> str:
    """A typed answer as given, line breaks kept (a browser's CR LF read as one line break)."""
    v = values.get(name)
    return str(v).replace("\r\n", "\n").strip() if v is not None else ""


def text_limit(name: str) -> tuple[str, int]:
    return TEXT_LIMITS.get(name, ("The answer", MAX_TEXT))


def text_problems(section: str, values: Mapping[str, Any]) -> list[Problem]:
    """Every typed answer longer than its limit, each named with its length: refused, not cut short."""
    problems = []
    for name, v in values.items():
        if not isinstance(v, str):
            continue
        n = len(v.replace("\r\n", "\n").strip())
        label, limit = text_limit(name)
        if n > limit:
            problems.append(Problem(name, f"{label} must be {limit:,} characters or fewer (it has {n:,})", section))
    return problems


def within_limits(values: Mapping[str, Any]) -> dict[str, Any]:
    """The answers with any over-long text cut to its limit: what a section's checks read while the answer
    itself is refused (so no check repeats a megabyte of text back), never what is kept."""
    return {k: v[: text_limit(k)[1]] if isinstance(v, str) else v for k, v in values.items()}


def _require(problems: list[Problem], section: str, values: Mapping[str, Any], name: str, label: str) -> str:
    v = _text(values, name)
    if not v:
        problems.append(Problem(name, f"Enter {label}", section))
    return v


def _date(problems: list[Problem], section: str, values: Mapping[str, Any], name: str, label: str) -> date | None:
    v = values.get(name)
    if isinstance(v, date):
        return v
    if isinstance(v, str) and v:
        try:
            return date.fromisoformat(v)
        except ValueError:
            problems.append(Problem(name, f"{label} must be a real date", section))
            return None
    problems.append(Problem(name, f"Enter {label.lower()}", section))
    return None


def _file(
    problems: list[Problem],
    section: str,
    current: dict[str, Any],
    uploads: Mapping[str, Upload],
    ctx: SectionContext,
    name: str,
    kind: DocumentKind,
    label: str,
    required: bool = True,
) -> tuple[int | None, FileType | None]:
    """Store a new upload for ``name`` (replacing any earlier one), or keep the earlier one."""
    upload = uploads.get(name)
    if upload is not None and upload.data:
        try:
            stored, found = ctx.store(kind, upload)
        except Invalid as err:
            problems.extend(Problem(name, p.message, section) for p in err.problems)
            return None, None
        return stored.id, found
    earlier = current.get(name)
    if earlier is None and required:
        problems.append(Problem(name, f"Upload the {label}", section))
    return earlier, None


def _done(problems: list[Problem], answers: dict[str, Any]) -> dict[str, Any]:
    if problems:
        raise Invalid("There is a problem with your answers", problems)
    answers["completed"] = True
    return answers


# -- applicant -------------------------------------------------------------------------------------


def applicant(
    current: dict[str, Any], values: Mapping[str, Any], uploads: Mapping[str, Upload], ctx: SectionContext
) -> dict[str, Any]:
    s, p = "applicant", []
    role = _text(values, "acting_as")
    if role not in ("landowner", "agent"):
        p.append(Problem("acting_as", "Select whether you are the landowner or an agent acting for the landowner", s))
    answers: dict[str, Any] = {
        "acting_as": role,
        "name": _require(p, s, values, "name", "your full name"),
        "organisation": _text(values, "organisation"),
        "email": _require(p, s, values, "email", "your email address"),
        "phone": _require(p, s, values, "phone", "your telephone number"),
    }
    if answers["email"] and not EMAIL.match(answers["email"]):
        p.append(Problem("email", "Enter an email address in the correct format, like name@example.com", s))
    if role == "agent":
        answers["client_name"] = _require(p, s, values, "client_name", "the name of the landowner you act for")
        answers["authorisation_file"], _ = _file(
            p, s, current, uploads, ctx, "authorisation_file", DocumentKind.AUTHORISATION,
            "written authorisation from the landowner",
        )  # fmt: skip
    return _done(p, answers)


# -- land ownership -------------------------------------------------------------------------------


def ownership(
    current: dict[str, Any], values: Mapping[str, Any], uploads: Mapping[str, Upload], ctx: SectionContext
) -> dict[str, Any]:
    s, p = "ownership", list[Problem]()
    answers: dict[str, Any] = {
        "landowners": _require(p, s, values, "landowners", "the names of everyone who owns the land"),
        "title_numbers": _text(values, "title_numbers"),
    }
    answers["ownership_file"], _ = _file(
        p, s, current, uploads, ctx, "ownership_file", DocumentKind.OWNERSHIP, "proof of land ownership"
    )
    return _done(p, answers)


# -- boundary ----------------------------------------------------------------------------------------


def boundary(
    current: dict[str, Any], values: Mapping[str, Any], uploads: Mapping[str, Upload], ctx: SectionContext
) -> dict[str, Any]:
    s, p = "boundary", list[Problem]()
    method = _text(values, "method")
    answers: dict[str, Any] = {
        "method": method,
        "site_name": _require(p, s, values, "site_name", "the gain site's name"),
    }
    if method == "map":
        file_id, found = _file(p, s, current, uploads, ctx, "boundary_file", DocumentKind.BOUNDARY_MAP, "boundary map")
        answers["boundary_file"] = file_id
        if found is not None and file_id is not None:
            try:
                geom = ctx.parsed(boundary_rules.read_boundary_file, ctx.file_bytes(file_id), found)
            except Invalid as err:
                p.extend(err.problems)
            else:
                p.extend(ctx.parsed(boundary_rules.check_boundary, geom, ctx.places))
                b = boundary_rules.from_geometry(geom)
                answers |= _boundary_answers(b) | ctx.keep_geometry(geom)
        elif file_id is not None and current.get("method") == "map":
            kept = ("wkt", SHA256, BYTES, "area_ha", "easting", "northing", "grid_reference")
            answers |= {k: current[k] for k in kept if k in current}
    elif method == "document":
        answers["boundary_file"], _ = _file(
            p, s, current, uploads, ctx, "boundary_file", DocumentKind.BOUNDARY_DOCUMENT, "boundary plan"
        )
        ref = _require(p, s, values, "grid_reference", "the grid reference of the centre of the gain site")
        area = _number(p, s, values, "area_ha", "the gain site's area in hectares")
        point = None
        if ref:
            try:
                point = boundary_rules.parse_grid_reference(ref)
            except ValueError as err:
                p.append(Problem("grid_reference", f"The grid reference {ref!r} is not valid: {err}", s))
            else:
                if not ctx.places.in_england(shapely.Point(*point)):
                    where = boundary_rules.grid_reference(*point)
                    p.append(Problem("grid_reference", f"The grid reference {where} is not in England", s))
        if area is not None and not 0 < area <= boundary_rules.MAX_AREA_HA:
            p.append(Problem("area_ha", f"Enter an area between 0 and {boundary_rules.MAX_AREA_HA:,.0f} hectares", s))
        if point is not None and area is not None:
            answers |= _boundary_answers(boundary_rules.from_grid_reference(ref, area))
    else:
        p.append(
            Problem("method", "Select how you will give the boundary: a map file, or a plan with a grid reference", s)
        )
    return _done(p, answers)


def _number(problems: list[Problem], section: str, values: Mapping[str, Any], name: str, label: str) -> float | None:
    v = values.get(name)
    if isinstance(v, int | float):
        return float(v)
    text = _text(values, name).replace(",", "")
    if not text:
        problems.append(Problem(name, f"Enter {label}", section))
        return None
    try:
        return float(text)
    except ValueError:
        problems.append(Problem(name, f"{label[0].upper()}{label[1:]} must be a number, like 12.5", section))
        return None


def _boundary_answers(b: boundary_rules.Boundary) -> dict[str, Any]:
    """The boundary's answers but its geometry, which is kept apart (``keep_geometry``)."""
    return {
        SHA256: "",
        BYTES: 0,
        "area_ha": round(b.area_ha, 6),
        "easting": round(b.easting, 2),
        "northing": round(b.northing, 2),
        "grid_reference": b.grid_reference,
    }


def boundary_of(answers: Mapping[str, Any], geometries: Geometries) -> boundary_rules.Boundary | None:
    """The saved boundary of an application's answers, or None if not given yet."""
    b = answers.get("boundary") or {}
    if not b.get("completed"):
        return None
    geom = geometry_in(b, geometries)
    return boundary_rules.Boundary(
        geom, float(b["area_ha"]), float(b["easting"]), float(b["northing"]), b["grid_reference"]
    )


# -- habitats ---------------------------------------------------------------------------------------


HabitatReader = Callable[[bytes, FileType], Habitats]


def _read_metric(data: bytes, found: FileType, only: str) -> Habitats:
    if found == FileType.SITE_JSON:
        return from_site_json(data, only=only)
    return habitats_from_workbook(data, found, only)


def habitats(
    current: dict[str, Any], values: Mapping[str, Any], uploads: Mapping[str, Upload], ctx: SectionContext
) -> dict[str, Any]:
    """The metric (workbook or site file), or a baseline and post-intervention GeoPackage pair."""
    s, p = "habitats", list[Problem]()
    label = _text(values, "gain_site_label")
    answers: dict[str, Any] = {"gain_site_label": label}
    maps = [uploads.get(n) for n in MAP_FIELDS]
    new_maps = [u for u in maps if u is not None and u.data]
    metric = uploads.get("metric_file")
    if (metric is not None and metric.data) or (not new_maps and current.get("metric_file")):
        file_id, found = _file(
            p, s, current, uploads, ctx, "metric_file", DocumentKind.METRIC, "statutory biodiversity metric"
        )
        answers["metric_file"] = file_id
        if (
            found is None
            and file_id is not None
            and (label != current.get("gain_site_label", "") or "habitats" not in current)
        ):
            found = sniff(ctx.file_bytes(file_id))  # the same metric, read again for another of its gain sites
        if found is not None and file_id is not None:
            metric_id = file_id  # narrowed to int for the lambda (mypy does not carry narrowing into it)
            _read(
                p, s, answers, lambda: ctx.parsed(_read_metric, ctx.file_bytes(metric_id), found, label), "metric_file"
            )
        elif "habitats" in current:
            answers["habitats"] = current["habitats"]
    elif new_maps or current.get(MAP_FIELDS[0]):
        ids = []
        for name in MAP_FIELDS:
            file_id, _ = _file(p, s, current, uploads, ctx, name, DocumentKind.HABITAT_MAP, MAP_LABELS[name])
            answers[name] = file_id
            ids.append(file_id)
        if None not in ids and (new_maps or label != current.get("gain_site_label", "") or "habitats" not in current):
            base, post = (ctx.file_bytes(i) for i in ids)  # type: ignore[arg-type]
            names = (ctx.file_name(ids[0]), ctx.file_name(ids[1]))  # type: ignore[arg-type]
            read = lambda: ctx.parsed(habitats_from_maps, base, post, label, names, ctx.keep_geometry)  # noqa: E731
            _read(p, s, answers, read, MAP_FIELDS[0])
        elif None not in ids and "habitats" in current:
            answers["habitats"] = current["habitats"]
    else:
        p.append(
            Problem(
                "metric_file",
                "Upload the statutory biodiversity metric, or the baseline and post-intervention habitat maps",
                s,
            )
        )
    return _done(p, answers)


MAP_FIELDS = ("habitat_baseline_map", "habitat_post_map")
MAP_LABELS = {
    "habitat_baseline_map": "baseline habitat map (GeoPackage)",
    "habitat_post_map": "post-intervention habitat map (GeoPackage)",
}


def _read(p: list[Problem], s: str, answers: dict[str, Any], read: Callable[[], Habitats], field: str) -> None:
    try:
        habitats = read()
    except Invalid as err:
        p.extend(Problem(q.field if q.field == "gain_site_label" else field, q.message, s) for q in err.problems)
    else:
        answers["habitats"] = habitats.to_dict()
        p.extend(uplift_problems(habitats, field))


def uplift_problems(h: Habitats, field: str = "metric_file") -> list[Problem]:
    """A gain site must deliver an uplift: habitat created or enhanced on it, and more biodiversity units
    after the works than before in at least one module. Retained baseline alone is not a gain site."""
    sellable = [q for q in h.parcels if q.stage in ("creation", "enhancement") and q.size > 0 and q.units > 0]
    if not sellable:
        return [
            Problem(
                field,
                "The habitats give this gain site no created or enhanced habitat: every parcel is baseline habitat "
                "retained as it is. A gain site must deliver an uplift: create or enhance habitat on it, and record "
                "that on the metric's off-site sheets (D-2, D-3, E-2, E-3, F-2, F-3) or in the post-intervention map",
                SECTION_HABITATS,
            )
        ]
    gains = {m: t.get("net_change_units", 0.0) for m, t in h.totals.items()}
    if gains and all(g <= 0 for g in gains.values()):
        shown = [m for m, t in h.totals.items() if t.get("baseline_units") or t.get("post_intervention_units")]
        worst = ", ".join(f"{m} {gains[m]:+,.2f}" for m in shown)
        return [
            Problem(
                field,
                f"The habitats give this gain site no net gain in any module (units after the works less units "
                f"before: {worst}). A gain site must deliver an uplift",
                SECTION_HABITATS,
            )
        ]
    return []


SECTION_HABITATS = "habitats"


def habitats_of(answers: Mapping[str, Any]) -> Habitats | None:
    h = answers.get("habitats") or {}
    return Habitats.from_dict(h["habitats"]) if h.get("completed") and "habitats" in h else None


# -- legal agreement --------------------------------------------------------------------------------


def legal_agreement(
    current: dict[str, Any], values: Mapping[str, Any], uploads: Mapping[str, Upload], ctx: SectionContext
) -> dict[str, Any]:
    s, p = "legal-agreement", []
    kind = _text(values, "agreement_type")
    answers: dict[str, Any] = {"agreement_type": kind}
    if kind == AgreementType.S106:
        raw = values.get("lpa_ids") or []
        ids = [int(x) for x in (raw if isinstance(raw, list | tuple) else [raw]) if str(x).strip().isdigit()]
        ids = list(dict.fromkeys(ids))
        if not ids:
            p.append(
                Problem("lpa_ids", "Select the local planning authority (LPA) or authorities party to the agreement", s)
            )
        for lpa_id in ids:
            lpa = ctx.lpa(lpa_id)
            if lpa is None:
                p.append(Problem("lpa_ids", "Select an LPA from the list", s))
            elif why := not_current(lpa, ctx.today):
                p.append(Problem("lpa_ids", why, s))
        answers["lpa_ids"] = ids
    elif kind == AgreementType.CONSERVATION_COVENANT:
        raw_body = _text(values, "responsible_body_id")
        body = ctx.body(int(raw_body)) if raw_body.isdigit() else None
        if body is None:
            p.append(
                Problem("responsible_body_id", "Select the responsible body from the list of designated bodies", s)
            )
        else:
            answers["responsible_body_id"] = body.id
    else:
        p.append(Problem("agreement_type", "Select the type of legal agreement", s))
    signed = _date(p, s, values, "agreement_date", "The date the agreement was signed")
    works = _date(p, s, values, "works_completion_date", "The date the habitat works complete")
    until = _date(p, s, values, "secured_until", "The date the agreement secures the habitat until")
    if signed and signed > ctx.today:
        p.append(Problem("agreement_date", "The date the agreement was signed must be today or in the past", s))
    if kind == AgreementType.CONSERVATION_COVENANT and signed and "responsible_body_id" in answers:
        body = ctx.body(answers["responsible_body_id"])
        if body is not None and not body.designated_at(signed):
            p.append(
                Problem(
                    "responsible_body_id",
                    f"{body.name} was not a designated responsible body on the date the agreement was signed",
                    s,
                )
            )
    if works and until:
        p.extend(thirty_year_rule(works, until, s))
    answers |= {
        "agreement_date": signed.isoformat() if signed else None,
        "works_completion_date": works.isoformat() if works else None,
        "secured_until": until.isoformat() if until else None,
    }
    answers["agreement_file"], _ = _file(
        p, s, current, uploads, ctx, "agreement_file", DocumentKind.LEGAL_AGREEMENT, "legal agreement"
    )
    return _done(p, answers)


# -- local land charge ----------------------------------------------------------------------------


def land_charge(
    current: dict[str, Any], values: Mapping[str, Any], uploads: Mapping[str, Upload], ctx: SectionContext
) -> dict[str, Any]:
    s, p = "land-charge", list[Problem]()
    when = _date(p, s, values, "certificate_date", "The date of the search certificate")
    if when:
        p.extend(land_charge_rule(when, ctx.today, s))
    answers: dict[str, Any] = {"certificate_date": when.isoformat() if when else None}
    answers["land_charge_file"], _ = _file(
        p,
        s,
        current,
        uploads,
        ctx,
        "land_charge_file",
        DocumentKind.LAND_CHARGE,
        "local land charge search certificate",
    )
    return _done(p, answers)


# -- HMMP ---------------------------------------------------------------------------------------------


def hmmp(
    current: dict[str, Any], values: Mapping[str, Any], uploads: Mapping[str, Upload], ctx: SectionContext
) -> dict[str, Any]:
    s, p = "hmmp", []
    where = _text(values, "hmmp_in_agreement")
    if where not in ("yes", "no"):
        p.append(Problem("hmmp_in_agreement", "Select whether the HMMP is included in the legal agreement", s))
    answers: dict[str, Any] = {"hmmp_in_agreement": where == "yes"}
    if where == "no":
        answers["hmmp_file"], _ = _file(
            p, s, current, uploads, ctx, "hmmp_file", DocumentKind.HMMP, "habitat management and monitoring plan (HMMP)"
        )
    return _done(p, answers)


# -- declarations ---------------------------------------------------------------------------------------


DECLARATIONS: tuple[tuple[str, str], ...] = (
    ("true", "The information I have given is true and complete to the best of my knowledge."),
    ("consent", "Every landowner and anyone else with an interest in the land has agreed to the registration."),
    (
        "maintain",
        "The habitat will be created or enhanced and maintained for at least 30 years after the works complete.",
    ),
    ("fee", "I understand the registration fee is not refunded if the application is rejected."),
)


def declarations(
    current: dict[str, Any], values: Mapping[str, Any], uploads: Mapping[str, Upload], ctx: SectionContext
) -> dict[str, Any]:
    s, p = "declarations", []
    raw = values.get("confirm") or []
    ticked = set(raw if isinstance(raw, list | tuple) else [raw])
    missing = [key for key, _ in DECLARATIONS if key not in ticked]
    if missing:
        p.append(Problem("confirm", "Confirm every declaration to continue", s))
    return _done(p, {"confirm": sorted(ticked & {k for k, _ in DECLARATIONS})})


SECTIONS: tuple[Section, ...] = (
    Section("applicant", "Applicant details", "About you", applicant),
    Section("ownership", "Proof of land ownership", "The land", ownership),
    Section("boundary", "Gain site boundary", "The land", boundary),
    Section("habitats", "Habitats (the statutory biodiversity metric)", "The land", habitats),
    Section("legal-agreement", "Legal agreement", "Legal agreement", legal_agreement),
    Section("land-charge", "Local land charge search certificate", "Legal agreement", land_charge),
    Section("hmmp", "Habitat management and monitoring plan (HMMP)", "Legal agreement", hmmp),
    # optional, register and allocate in one application: the allocations area's (``allocation_section``)
    Section("allocation", "Allocate units to a development", "Allocation (optional)", None, ("habitats",), True),
    Section("declarations", "Declarations", "Submit", declarations),
)
SECTION_BY_KEY = {s.key: s for s in SECTIONS}


def status(answers: Mapping[str, Any], key: str) -> str:
    """The GOV.UK task list status of a section: completed, in progress, or not yet started."""
    a = answers.get(key)
    if not a:
        return "not_started"
    return "completed" if a.get("completed") else "in_progress"


def done(answers: Mapping[str, Any], s: Section) -> bool:
    """Completed, or optional and not started."""
    now = status(answers, s.key)
    return now == "completed" or (s.optional and now == "not_started")


def all_completed(answers: Mapping[str, Any]) -> bool:
    return all(done(answers, s) for s in SECTIONS)


def file_ids(answers: Mapping[str, Any]) -> Sequence[int]:
    ids = []
    for section in answers.values():
        if isinstance(section, dict):
            ids += [v for k, v in section.items() if k.endswith("_file") and isinstance(v, int)]
    return ids
