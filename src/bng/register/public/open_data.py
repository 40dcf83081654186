"""The register as open data: pages of gain sites, habitat parcels and allocations, read-only and public.

No personal data: allocations give their reference, the planning reference, the development's name
and LPA, the date and the units, never who asked for them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bng.register.core.ports import AllocationQuery, Page, ParcelQuery, SiteQuery
from bng.register.core.service import Service

from .sites import searched


class OpenRegister(Service):
    """The JSON API's and the downloads' reading of the register: the same pages for everyone."""

    def sites(self, query: SiteQuery) -> Page:
        """Items are GainSite, as the public search finds them."""
        with self._uow() as uow:
            return uow.sites.search(query)

    def sites_at(
        self, query: SiteQuery, total_at: Callable[[datetime | None], int | None]
    ) -> tuple[datetime | None, Page]:
        """The register's last change and a page of its gain sites, in one unit of work (see :func:`searched`)."""
        with self._uow() as uow:
            return searched(uow, query, total_at)

    def parcels(self, query: ParcelQuery) -> Page:
        """Items are (HabitatParcel, gain site reference); parcels of registered sites only."""
        with self._uow() as uow:
            return uow.open_data.parcels(query)

    def allocations(self, query: AllocationQuery) -> Page:
        """A page of allocations of gain site units to developments, for the open data.

        Items are (Allocation, gain site reference, LPA name, {module: (size, units) as Decimals},
        (gain site easting, northing)).
        """
        with self._uow() as uow:
            return uow.open_data.allocations(query)

    def responsible_body_names(self) -> dict[int, str]:
        """Every responsible body's name by id, withdrawn ones too: a covenant names its body for good."""
        with self._uow() as uow:
            return {b.id: b.name for b in uow.bodies.all() if b.id is not None}

    def last_change(self) -> datetime | None:
        """When anything the open data shows last changed: a gain site or an allocation."""
        with self._uow() as uow:
            return uow.sites.last_change()
