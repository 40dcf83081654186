"""The gain site's name and boundary: a map file, or a plan with a grid reference and an area."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import shapely

from bng.register.core.errors import Invalid
from bng.register.core.filetypes import DocumentKind
from bng.register.core.geometries import BYTES, SHA256, Geometries, geometry_in
from bng.register.core.ledger import shown
from bng.register.core.summary import Row
from bng.register.core.uploads import Upload

from .. import boundary as rules
from ..fields import Form, SectionContext
from .rows import RowContext
from .stored import SectionAnswers, id_of, number_of, text_of


@dataclass(frozen=True)
class BoundaryAnswers(SectionAnswers):
    """The gain site's name and boundary, its area, centre and grid reference.

    The geometry itself is kept apart (``bng.register.core.geometries``): these name it by its digest and size
    (a plan's boundary has none: "" and 0).
    """

    KEY: ClassVar[str] = "boundary"

    method: str = ""
    """"map" (a boundary map file) or "document" (a plan, with a grid reference and an area)."""
    site_name: str = ""
    boundary_file: int | None = None
    area_ha: float | None = None
    easting: float | None = None
    northing: float | None = None
    grid_reference: str = ""
    geometry_sha256: str | None = None
    geometry_bytes: int | None = None
    wkt: str | None = None
    """The geometry itself, in answers saved before geometries were kept apart."""

    @classmethod
    def parse(
        cls, current: BoundaryAnswers, values: Mapping[str, Any], uploads: Mapping[str, Upload], ctx: SectionContext
    ) -> BoundaryAnswers:
        """The gain site's name and boundary: a map file read and checked, or a plan, a grid reference and an area."""
        form = Form(cls.KEY, values, uploads, ctx)
        method = form.text("method")
        answers = cls(method=method, site_name=form.required("site_name", "the gain site's name"))
        if method == "map":
            file_id, found = form.file(
                "boundary_file", current.boundary_file, DocumentKind.BOUNDARY_MAP, "boundary map"
            )
            answers = replace(answers, boundary_file=file_id)
            if found is not None and file_id is not None:
                try:
                    geom = ctx.parsed(rules.read_boundary_file, ctx.file_bytes(file_id), found)
                except Invalid as err:
                    form.problems.extend(err.problems)
                else:
                    form.problems.extend(ctx.parsed(rules.check_boundary, geom, ctx.places))
                    kept = ctx.keep_geometry(geom)
                    answers = replace(
                        answers._located(rules.from_geometry(geom)),
                        geometry_sha256=str(kept[SHA256]),
                        geometry_bytes=int(kept[BYTES]),
                    )
            elif file_id is not None and current.method == "map":  # the same map: its boundary as it was read
                answers = replace(
                    answers, area_ha=current.area_ha, easting=current.easting, northing=current.northing,
                    grid_reference=current.grid_reference, geometry_sha256=current.geometry_sha256,
                    geometry_bytes=current.geometry_bytes, wkt=current.wkt,
                )  # fmt: skip
        elif method == "document":
            file_id, _ = form.file(
                "boundary_file", current.boundary_file, DocumentKind.BOUNDARY_DOCUMENT, "boundary plan"
            )
            answers = replace(answers, boundary_file=file_id)
            ref = form.required("grid_reference", "the grid reference of the centre of the gain site")
            area = form.number("area_ha", "the gain site's area in hectares")
            point = None
            if ref:
                try:
                    point = rules.parse_grid_reference(ref)
                except ValueError as err:
                    form.problem("grid_reference", f"The grid reference {ref!r} is not valid: {err}")
                else:
                    if not ctx.places.in_england(shapely.Point(*point)):
                        form.problem(
                            "grid_reference", f"The grid reference {rules.grid_reference(*point)} is not in England"
                        )
            if area is not None and not 0 < area <= rules.MAX_AREA_HA:
                form.problem("area_ha", f"Enter an area between 0 and {rules.MAX_AREA_HA:,.0f} hectares")
            if point is not None and area is not None:
                answers = replace(
                    answers._located(rules.from_grid_reference(ref, area)), geometry_sha256="", geometry_bytes=0
                )
        else:
            form.problem("method", "Select how you will give the boundary: a map file, or a plan with a grid reference")
        return answers.checked(form)

    def _located(self, b: rules.Boundary) -> BoundaryAnswers:
        """With the boundary's area, centre and grid reference, as the answers keep them."""
        return replace(
            self,
            area_ha=round(b.area_ha, 6),
            easting=round(b.easting, 2),
            northing=round(b.northing, 2),
            grid_reference=b.grid_reference,
        )

    def boundary(self, geometries: Geometries) -> rules.Boundary | None:
        """The boundary given, once the section is completed; None before."""
        if not self.completed or self.area_ha is None or self.easting is None or self.northing is None:
            return None
        return rules.Boundary(
            geometry_in(self.to_json(), geometries), self.area_ha, self.easting, self.northing, self.grid_reference
        )

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> BoundaryAnswers:
        """The boundary as the section holds it (a geometry kept apart is named by its digest and size)."""
        sha, size, wkt = doc.get(SHA256), doc.get(BYTES), doc.get("wkt")
        return cls(
            **cls._common_of(doc),
            method=text_of(doc, "method"),
            site_name=text_of(doc, "site_name"),
            boundary_file=id_of(doc, "boundary_file"),
            area_ha=number_of(doc, "area_ha"),
            easting=number_of(doc, "easting"),
            northing=number_of(doc, "northing"),
            grid_reference=text_of(doc, "grid_reference"),
            geometry_sha256=str(sha) if sha is not None else None,
            geometry_bytes=size if isinstance(size, int) and not isinstance(size, bool) else None,
            wkt=str(wkt) if wkt is not None else None,
        )

    def to_json(self) -> dict[str, Any]:
        """The method, the name, the file and, once located, the area, centre and grid reference."""
        doc: dict[str, Any] = {"method": self.method, "site_name": self.site_name}
        if self.boundary_file is not None or self.method in ("map", "document"):
            doc["boundary_file"] = self.boundary_file
        for name in ("wkt", SHA256, BYTES, "area_ha", "easting", "northing"):
            if getattr(self, name) is not None:
                doc[name] = getattr(self, name)
        if self.grid_reference or self.area_ha is not None:
            doc["grid_reference"] = self.grid_reference
        return doc | self._common()

    def rows(self, ctx: RowContext) -> list[Row]:
        """The gain site's name, the boundary file, and its area and grid reference once located."""
        rows = [Row("Gain site name", self.site_name), ctx.document("Boundary", self.boundary_file)]
        if self.area_ha is not None:
            rows += [Row("Area", f"{shown(self.area_ha, 4)} hectares"), Row("Grid reference", self.grid_reference)]
        return rows
