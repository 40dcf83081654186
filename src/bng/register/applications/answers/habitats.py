"""The habitats section: the gain site's habitats, and the files they are read from.

The statutory biodiversity metric (workbook or site file), or a pair of habitat maps (baseline and
post-intervention GeoPackages).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from bng.metric import MODULE_NAMES, SIZE_UNITS
from bng.register.core.errors import Invalid, Problem
from bng.register.core.filetypes import DocumentKind, FileType, sniff
from bng.register.core.ledger import SELLABLE_STAGES, shown
from bng.register.core.summary import Row
from bng.register.core.uploads import Upload

from ..fields import Form, SectionContext
from ..habitats import Habitats, ParcelDraft, from_site_json
from ..metric_doors import habitats_from_maps, habitats_from_workbook
from .rows import RowContext
from .stored import SectionAnswers, id_of, text_of

SECTION_HABITATS = "habitats"
MAP_FIELDS = ("habitat_baseline_map", "habitat_post_map")
MAP_LABELS = {
    "habitat_baseline_map": "baseline habitat map (GeoPackage)",
    "habitat_post_map": "post-intervention habitat map (GeoPackage)",
}


@dataclass(frozen=True)
class HabitatsAnswers(SectionAnswers):
    """The gain site's baseline and post-intervention habitats, read from its metric or its pair of habitat maps."""

    KEY: ClassVar[str] = SECTION_HABITATS

    gain_site_label: str = ""
    """The gain site's reference in a metric that names several."""
    metric_file: int | None = None
    habitat_baseline_map: int | None = None
    habitat_post_map: int | None = None
    habitats: Habitats | None = None

    @property
    def sellable(self) -> tuple[ParcelDraft, ...]:
        """The created and enhanced parcels, in the metric's order (what an allocation may take)."""
        h = self.habitats
        return tuple(p for p in h.parcels if p.stage in SELLABLE_STAGES) if h is not None else ()

    @classmethod
    def parse(
        cls, current: HabitatsAnswers, values: Mapping[str, Any], uploads: Mapping[str, Upload], ctx: SectionContext
    ) -> HabitatsAnswers:
        """The metric or the habitat maps, read for the gain site's habitats, which must deliver an uplift."""
        form = Form(cls.KEY, values, uploads, ctx)
        label = form.text("gain_site_label")
        answers = cls(gain_site_label=label)
        again = label != current.gain_site_label or current.habitats is None  # read again for another gain site
        new_maps = [u for u in (uploads.get(n) for n in MAP_FIELDS) if u is not None and u.data]
        metric = uploads.get("metric_file")
        if (metric is not None and metric.data) or (not new_maps and current.metric_file is not None):
            file_id, found = form.file(
                "metric_file", current.metric_file, DocumentKind.METRIC, "statutory biodiversity metric"
            )
            answers = replace(answers, metric_file=file_id)
            if found is None and file_id is not None and again:
                found = sniff(ctx.file_bytes(file_id))  # the same metric, read again for another of its gain sites
            if found is not None and file_id is not None:
                metric_id, kind = file_id, found  # narrowed for the lambda (mypy does not carry narrowing into it)
                answers = _read(
                    form,
                    answers,
                    lambda: ctx.parsed(_read_metric, ctx.file_bytes(metric_id), kind, label),
                    "metric_file",
                )
            elif current.habitats is not None:
                answers = replace(answers, habitats=current.habitats)
        elif new_maps or current.habitat_baseline_map is not None:
            base_id, _ = form.file(
                MAP_FIELDS[0], current.habitat_baseline_map, DocumentKind.HABITAT_MAP, MAP_LABELS[MAP_FIELDS[0]]
            )
            post_id, _ = form.file(
                MAP_FIELDS[1], current.habitat_post_map, DocumentKind.HABITAT_MAP, MAP_LABELS[MAP_FIELDS[1]]
            )
            answers = replace(answers, habitat_baseline_map=base_id, habitat_post_map=post_id)
            if base_id is not None and post_id is not None and (new_maps or again):
                base, post = ctx.file_bytes(base_id), ctx.file_bytes(post_id)
                names = (ctx.file_name(base_id), ctx.file_name(post_id))
                read = lambda: ctx.parsed(habitats_from_maps, base, post, label, names, ctx.keep_geometry)  # noqa: E731
                answers = _read(form, answers, read, MAP_FIELDS[0])
            elif base_id is not None and post_id is not None and current.habitats is not None:
                answers = replace(answers, habitats=current.habitats)
        else:
            form.problem(
                "metric_file",
                "Upload the statutory biodiversity metric, or the baseline and post-intervention habitat maps",
            )
        return answers.checked(form)

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> HabitatsAnswers:
        """The habitats as the section holds them."""
        h = doc.get("habitats")
        return cls(
            **cls._common_of(doc),
            gain_site_label=text_of(doc, "gain_site_label"),
            metric_file=id_of(doc, "metric_file"),
            habitat_baseline_map=id_of(doc, "habitat_baseline_map"),
            habitat_post_map=id_of(doc, "habitat_post_map"),
            habitats=_habitats(h),
        )

    def to_json(self) -> dict[str, Any]:
        """The files given and the habitats read from them."""
        doc: dict[str, Any] = {"gain_site_label": self.gain_site_label}
        for name in ("metric_file", *MAP_FIELDS):
            if getattr(self, name) is not None:
                doc[name] = getattr(self, name)
        if self.habitats is not None:
            doc["habitats"] = self.habitats.to_dict()
        return doc | self._common()

    def rows(self, ctx: RowContext) -> list[Row]:
        """The files given, and each module's baseline and post-intervention units."""
        if self.habitat_baseline_map:
            rows = [
                ctx.document("Baseline habitat map", self.habitat_baseline_map),
                ctx.document("Post-intervention habitat map", self.habitat_post_map),
            ]
        else:
            rows = [ctx.document("Metric", self.metric_file)]
        h = self.habitats
        if h is None:
            return rows
        # the parcels' units as the register keeps them (at the ledger's precision), so these totals are
        # the gain site page's to the last figure once it is registered
        for module, label in MODULE_NAMES.items():
            base = sum(p.ledger_units for p in h.parcels if p.module == module and p.stage == "baseline")
            post = sum(p.ledger_units for p in h.parcels if p.module == module and p.stage != "baseline")
            if base or post:
                before, after = shown(base), shown(post)
                rows.append(Row(label, f"{before} units baseline, {after} units created or enhanced"))
        if h.left_out:
            rows.append(Row("Rows of the metric left out", "\n".join(h.left_out)))
        created = [
            f"{p.habitat}: {shown(p.size, 4)} {SIZE_UNITS[p.module]}, {p.condition} ({p.stage})"
            for p in h.parcels
            if p.stage != "baseline"
        ]
        rows.append(Row("Created and enhanced habitat", "\n".join(created) or "None"))
        return rows


def _habitats(doc: Any) -> Habitats | None:
    """The habitats a section holds (as ``Habitats.to_dict`` gave them), or None."""
    if not isinstance(doc, dict) or "metric_release" not in doc:
        return None
    try:
        return Habitats.from_dict(doc)
    except (TypeError, ValueError, AttributeError):  # not what the register ever kept: none read
        return None


def _read_metric(data: bytes, found: FileType, only: str) -> Habitats:
    if found == FileType.SITE_JSON:
        return from_site_json(data, only=only)
    return habitats_from_workbook(data, found, only)


def _read(form: Form, answers: HabitatsAnswers, read: Callable[[], Habitats], field: str) -> HabitatsAnswers:
    """The answers with the habitats read; the reading's problems (and the uplift's) named by ``field``."""
    try:
        habitats = read()
    except Invalid as err:
        form.problems.extend(
            Problem(q.field if q.field == "gain_site_label" else field, q.message, form.section) for q in err.problems
        )
        return answers
    form.problems.extend(uplift_problems(habitats, field))
    return replace(answers, habitats=habitats)


def uplift_problems(h: Habitats, field: str = "metric_file") -> list[Problem]:
    """Why the habitats are no gain site, if they are not: a gain site must deliver an uplift.

    Habitat created or enhanced on it, and more biodiversity units after the works than before in at least one
    module. Retained baseline alone is not a gain site.
    """
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
        shown_ = [m for m, t in h.totals.items() if t.get("baseline_units") or t.get("post_intervention_units")]
        worst = ", ".join(f"{m} {gains[m]:+,.2f}" for m in shown_)
        return [
            Problem(
                field,
                f"The habitats give this gain site no net gain in any module (units after the works less units "
                f"before: {worst}). A gain site must deliver an uplift",
                SECTION_HABITATS,
            )
        ]
    return []
