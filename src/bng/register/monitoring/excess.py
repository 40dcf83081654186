"""Selling excess on-site gains (source 002): the ledger that keeps the same units from counting twice.

A development whose approved gain plan's on-site gain exceeds max(10 %, the LPA's local target) may sell
the excess to another development (:func:`bng.planning.excess.excess` computes it per module: only above
the target, never from retained habitat). Its developer records each sale here: the buyer's planning
reference and LPA, the units per module, and the gain site reference once the parcels are registered
(the sold units are the buyer's off-site gains: registered through the register's own application and
allocated to the buyer, GOV.UK's rule).

The ledger (``excess_account``) holds, per module, the sellable excess (fixed from the approved plan) and
what is sold; the database refuses to sell more (a CHECK), so a second sale of the same units fails even
when two are made at the same moment. A sale carries its form's one-time token: the same post twice is
one sale.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from math import isfinite

from bng.planning import MODULES, ModuleExcess
from bng.planning import planning_tables as tables
from bng.planning import sellable_excess as excess
from bng.register.core import audit, submissions
from bng.register.core.audit import Actor
from bng.register.core.errors import Conflict, Invalid, NotFound, Problem, refuse
from bng.register.core.ledger import quantity
from bng.register.core.model import Lpa
from bng.register.core.roles import Permission
from bng.register.core.service import Service, require
from bng.register.planning.cases import PlanningCase, PlanningCaseEvent

from .records import ExcessAccount, ExcessSale, MonitoringUnitOfWork, new_reference
from .service import token_key


def local_target(lpa: Lpa | None) -> float | None:
    """The LPA's local target for biodiversity net gain, in per cent, if its profile sets one."""
    if lpa is None:
        return None
    found = tables().lpa(lpa.ons_code or "") or tables().lpa(lpa.name.removesuffix(" LPA"))
    return found.local_target_percent if found else None


@dataclass(frozen=True)
class ExcessView:
    """A gain plan's excess per module (on-site gain above max(10 %, the local target)): what is sold, to whom."""

    case: PlanningCase
    lpa: Lpa | None
    modules: tuple[ModuleExcess, ...]
    accounts: Mapping[str, ExcessAccount]
    sales: tuple[ExcessSale, ...]

    def sold(self, module: str) -> float:
        """The units of a module's excess already sold to other developments."""
        a = self.accounts.get(module)
        return float(a.sold) if a else 0.0

    def remaining(self, module: str) -> float:
        """The units of a module's excess still to sell (all of it before the first sale)."""
        a = self.accounts.get(module)
        if a is not None:
            return float(a.sellable - a.sold)
        found = next((m for m in self.modules if m.module == module), None)
        return found.sellable if found else 0.0

    @property
    def anything_to_sell(self) -> bool:
        """Some module has excess units left to sell."""
        return any(self.remaining(m) > 0 for m in MODULES)


class ExcessSales(Service):
    """The developer's sales of a gain plan's excess units to other developments, recorded once each."""

    def _muow(self, write: bool = False) -> MonitoringUnitOfWork:
        found: MonitoringUnitOfWork = self._uow(write=write)  # type: ignore[assignment]
        return found

    def _case(self, uow: MonitoringUnitOfWork, actor: Actor, reference: str) -> PlanningCase:
        case: PlanningCase | None = uow.planning.case(reference.strip().upper())
        if case is None or case.submitted_by != actor.user_id:
            raise NotFound("No such gain plan")
        return case

    def position(self, actor: Actor | None, case_reference: str) -> ExcessView:
        """The development's excess per module, what is sold and what remains."""
        actor = require(actor, Permission.REPORT_MONITORING)
        with self._muow() as uow:
            case = self._case(uow, actor, case_reference)
            assert case.id is not None
            lpa = uow.lpas.get(case.lpa_id)
            modules = excess(case.gain_plan or {}, local_target(lpa)) if case.status == "approved" else ()
            accounts = {a.module: a for a in uow.monitoring.excess_accounts(case.id)}
            return ExcessView(case, lpa, tuple(modules), accounts, tuple(uow.monitoring.sales(case.id)))

    def _open(self, actor: Actor, case_reference: str) -> None:
        """Open the development's ledger (once): the sellable excess per module, fixed from the approved plan."""
        try:
            self._open_once(actor, case_reference)
        except Conflict:
            with self._muow() as uow:  # opened by a sale at the same moment: its ledger is this one
                case = self._case(uow, actor, case_reference)
                assert case.id is not None
                if not uow.monitoring.excess_accounts(case.id):
                    raise

    def _open_once(self, actor: Actor, case_reference: str) -> None:
        with self._muow(write=True) as uow:
            case = self._case(uow, actor, case_reference)
            assert case.id is not None
            if uow.monitoring.excess_accounts(case.id):
                return
            if case.status != "approved":
                raise Conflict("Only the excess of an approved gain plan can be sold")
            for m in excess(case.gain_plan or {}, local_target(uow.lpas.get(case.lpa_id))):
                uow.add(ExcessAccount(case.id, m.module, quantity(m.sellable)))
            uow.commit()

    def sell(
        self,
        actor: Actor | None,
        case_reference: str,
        *,
        buyer_planning_reference: str,
        buyer_lpa_id: int | None,
        units: Mapping[str, float | None],
        gain_site_reference: str = "",
        once: submissions.Once | None = None,
    ) -> ExcessSale:
        """Record a sale of excess units to another development.

        Refused if more than what remains of the excess is asked for (by the database, so a sale made at the same moment
        cannot take it too).
        """
        actor = require(actor, Permission.REPORT_MONITORING)
        key = token_key(once)
        problems: list[Problem] = []
        buyer = buyer_planning_reference.strip()
        if not buyer or len(buyer) > 100:
            problems.append(Problem("buyer_planning_reference", "Enter the buying development's planning reference"))
        if buyer_lpa_id is None:
            problems.append(Problem("buyer_lpa_id", "Select the buying development's LPA"))
        sold: dict[str, Decimal] = {}
        for module in MODULES:
            value = units.get(module)
            if value is None:
                continue
            if not isfinite(value) or value < 0 or value > 1e6:
                problems.append(Problem(f"units_{module}", f"Enter the {module} units as a number, like 1.5"))
            elif quantity(value) > 0:
                sold[module] = quantity(value)
        if not sold and not [p for p in problems if p.field.startswith("units_")]:
            problems.append(Problem("units_area", "Enter the units sold in at least one module"))
        refuse(problems)
        site_ref = gain_site_reference.strip().upper()
        with self._muow() as uow:
            case = self._case(uow, actor, case_reference)
            if buyer.upper() == case.planning_reference.upper():
                raise Invalid.one("buyer_planning_reference", "A development cannot buy its own excess")
            if uow.lpas.get(buyer_lpa_id or 0) is None:
                raise Invalid.one("buyer_lpa_id", "Select the buying development's LPA")
            if site_ref and uow.sites.by_reference(site_ref) is None:
                raise Invalid.one("gain_site_reference", f"No gain site {site_ref} is on the register")
        self._open(actor, case_reference)
        now = self.now()
        try:
            with self._muow(write=True) as uow:
                submissions.claim(uow, actor, once, now)
                case = self._case(uow, actor, case_reference)
                assert case.id is not None
                for module, amount in sold.items():
                    uow.monitoring.sell(case.id, module, amount)
                sale = ExcessSale(
                    reference=new_reference("XS"),
                    planning_case_id=case.id,
                    buyer_planning_reference=buyer,
                    buyer_lpa_id=buyer_lpa_id or 0,
                    units=sold,
                    created_at=now,
                    created_by=actor.user_id,
                    gain_site_reference=site_ref,
                    token=key,
                )
                uow.add(sale)
                uow.flush()
                said = ", ".join(f"{float(v):.4f} {m} units" for m, v in sold.items())
                uow.add(
                    PlanningCaseEvent(case.id, now, "excess sold", f"Excess sold to {buyer}: {said}", actor.user_id)
                )
                audit.record(
                    uow,
                    now,
                    actor,
                    "excess.sold",
                    "excess_sale",
                    sale.reference,
                    None,
                    audit.snapshot(
                        sale,
                        ("reference", "buyer_planning_reference", "buyer_lpa_id", "units", "gain_site_reference"),
                    ),
                )
                submissions.settle(uow, once, sale.reference)
                uow.commit()
                return sale
        except Conflict:
            if key is not None:
                with self._muow() as uow:
                    done = uow.monitoring.sale_by_token(key)
                if done is not None:
                    return done
            raise
