"""The register as open data: pages of gain sites, habitat parcels and allocations, read-only and
public. No personal data: allocations give their reference, the planning reference, the
development's name and LPA, the date and the units, never who asked for them."""

from __future__ import annotations

from datetime import datetime

from bng.register.core.ports import AllocationQuery, Page, ParcelQuery, SiteQuery
from bng.register.core.service import Service


class OpenRegister(Service):
    def sites(self, query: SiteQuery) -> Page:
        """Items are GainSite, as the public search finds them."""
        with self._uow() as uow:
            return uow.sites.search(query)

    def parcels(self, query: ParcelQuery) -> Page:
        """Items are (HabitatParcel, gain site reference); parcels of registered sites only."""
        with self._uow() as uow:
            return uow.open_data.parcels(query)

    def allocations(self, query: AllocationQuery) -> Page:
        """Items are (Allocation, gain site reference, LPA name, {module: (size, units) as Decimals},
        (gain site easting, northing))."""
        with self._uow() as uow:
            return uow.open_data.allocations(query)

    def responsible_body_names(self) -> dict[int, str]:
        with self._uow() as uow:
            return {b.id: b.name for b in uow.bodies.all() if b.id is not None}

    def last_change(self) -> datetime | None:
        """When anything the open data shows last changed: a gain site or an allocation."""
        with self._uow() as uow:
            return uow.sites.last_change()
