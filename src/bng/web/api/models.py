"""The JSON API's documents, as pydantic models (their JSON Schemas make the OpenAPI document)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field


class Links(BaseModel):
    """The page's own link and its neighbours: follow ``next`` to read every page of a search."""

    self: str
    next: str | None = None
    prev: str | None = None
    first: str | None = None
    last: str | None = None


class SiteSummary(BaseModel):
    """A gain site on the register, as the search lists it."""

    reference: str = Field(examples=["BGS-221126001"], description="The register's reference (BGS- and 9 digits)")
    name: str
    status: Literal["registered", "removed"]
    registered_on: date
    removed_on: date | None = None
    area_ha: float = Field(description="Area of the gain site in hectares")
    grid_reference: str = Field(examples=["TL 45000 58000"])
    easting: float = Field(description="EPSG:27700")
    northing: float = Field(description="EPSG:27700")
    longitude: float = Field(description="WGS84 (EPSG:4326) of the easting and northing")
    latitude: float = Field(description="WGS84 (EPSG:4326) of the easting and northing")
    lpa: str = Field(description="The local planning authority most of the site lies in")
    national_character_area: str
    lnrs_area: str = Field(description="The Local Nature Recovery Strategy area most of the site lies in")
    agreement_type: Literal["s106", "conservation_covenant"]
    responsible_body: str | None = None
    remaining_habitat_units: float = Field(description="Area habitat units still to allocate")
    remaining_hedgerow_units: float = Field(description="Hedgerow units still to allocate")
    remaining_watercourse_units: float = Field(description="Watercourse units still to allocate")
    url: str


class SitePage(BaseModel):
    """A page of gain sites found by the search, with the search's count and the links to its other pages."""

    items: list[SiteSummary]
    page: int
    per_page: int
    total: int
    pages: int
    links: Links


class Parcel(BaseModel):
    """A habitat parcel of the gain site's metric, with its capacity ledger."""

    module: Literal["area", "hedgerow", "watercourse"]
    stage: Literal["baseline", "creation", "enhancement"]
    ref: str
    habitat: str
    distinctiveness: str
    condition: str
    strategic_significance: str
    baseline_ref: str = ""
    size: float = Field(description="Hectares for area habitats, kilometres for hedgerows and watercourses")
    size_unit: Literal["ha", "km"]
    units: float = Field(description="Biodiversity units: baseline units, or post-intervention units")
    allocated_size: float
    allocated_units: float
    remaining_size: float
    remaining_units: float


class NamedArea(BaseModel):
    """An area the gain site lies in (LPA, National Character Area or LNRS area), with its share of the site."""

    kind: Literal["lpa", "nca", "lnrs"]
    name: str
    share: float = Field(description="Share of the gain site's area in it, 0 to 1")


class Allocation(BaseModel):
    """An allocation of the gain site's units to a development, by its planning reference."""

    reference: str
    planning_reference: str
    development_name: str
    lpa: str | None
    recorded_on: date


class HistoryEntry(BaseModel):
    """A change of the gain site's registration: registered, amended or removed."""

    kind: Literal["registered", "amended", "removed"]
    date: date
    description: str


class Document(BaseModel):
    """A document the register published with the gain site: the legal agreement, HMMP, metric or a map."""

    kind: str
    name: str
    url: str


class ModuleTotals(BaseModel):
    """A module's baseline, post-intervention, allocated and remaining units on the gain site."""

    module: Literal["area", "hedgerow", "watercourse"]
    baseline_units: float
    post_intervention_units: float
    allocated_units: float
    remaining_units: float


class SiteDetail(SiteSummary):
    """A gain site with its habitats, allocations, history and published documents."""

    agreement_date: date
    works_completion_date: date
    secured_until: date
    agreement_lpas: list[str]
    hmmp_in_agreement: bool
    metric_release: str
    totals: list[ModuleTotals]
    parcels: list[Parcel]
    areas: list[NamedArea]
    allocations: list[Allocation]
    history: list[HistoryEntry]
    documents: list[Document]
    boundary: dict[str, Any] | None = Field(
        default=None, description="The boundary as a GeoJSON geometry in WGS84 (RFC 7946), or null if given as a plan"
    )


class Lpa(BaseModel):
    """A local planning authority, with its ONS code."""

    name: str
    ons_code: str | None


class ResponsibleBody(BaseModel):
    """A responsible body designated to hold conservation covenants."""

    name: str
    type: str
    designated_on: date
    withdrawn_on: date | None = None


class OpenParcel(Parcel):
    """A habitat parcel of a registered gain site, as the open data lists it."""

    site_reference: str


class ParcelPage(BaseModel):
    """A page of habitat parcels of registered gain sites, with the count and the links to other pages."""

    items: list[OpenParcel]
    page: int
    per_page: int
    total: int
    pages: int
    links: Links


class OpenAllocation(BaseModel):
    """An allocation of units from a gain site to a development. No personal data: not who asked."""

    reference: str
    site_reference: str
    planning_reference: str
    development_name: str
    lpa: str = Field(description="The development's local planning authority")
    recorded_on: date
    habitat_units: float = Field(description="Area habitat units allocated")
    hedgerow_units: float
    watercourse_units: float
    habitat_hectares: float = Field(description="Hectares of area habitat allocated")
    hedgerow_km: float
    watercourse_km: float


class AllocationPage(BaseModel):
    """A page of allocations, with the count and the links to other pages."""

    items: list[OpenAllocation]
    page: int
    per_page: int
    total: int
    pages: int
    links: Links


class InvalidParam(BaseModel):
    """A query parameter the request got wrong, and why."""

    name: str = Field(description="The query parameter")
    reason: str


class Problem(BaseModel):
    """An error (RFC 9457 style)."""

    status: int
    title: str
    detail: str = ""
    invalid_params: list[InvalidParam] = Field(default_factory=list, description="Which parameters are wrong, and why")
