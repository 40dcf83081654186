"""Classical (imperative) mappings: the register's dataclasses onto the tables.

The register's records stay plain Python, and only this package knows SQLAlchemy (and that the ledger's
quantities are stored as millionths: a record's ``size`` is the column ``size_micro``).
"""

from __future__ import annotations

from sqlalchemy.orm import registry

from bng.register.core import model

from . import tables
from .credit_mapping import map_credit_models
from .monitoring_mapping import map_monitoring_models
from .planning_mapping import map_planning_models

mapper_registry = registry(metadata=tables.metadata)
QUANTITIES = ("size", "units")
"""The ledger's quantities: Decimal attributes of the records, ``*_micro`` columns (``types.Millionths``)."""
ALLOCATED = ("allocated_size", "allocated_units")
_mapped = False


def map_models() -> None:
    """Map every record class once per process (idempotent)."""
    global _mapped
    if _mapped:
        return
    m = mapper_registry.map_imperatively
    m(model.Lpa, tables.lpa)
    m(model.ResponsibleBody, tables.responsible_body)
    m(model.User, tables.account)
    m(model.LoginSession, tables.login_session)
    m(model.StoredFile, tables.stored_file)
    m(model.Application, tables.application, version_id_col=tables.application.c.version)
    m(model.ApplicationEvent, tables.application_event)
    m(model.Payment, tables.payment)
    m(model.Refund, tables.payment_refund)
    m(model.CardPayment, tables.card_payment)
    g = tables.gain_site
    m(
        model.GainSite,
        g,
        version_id_col=g.c.version,
        properties={
            f"remaining_{k}_units": g.c[f"remaining_{k}_units_micro"] for k in ("area", "hedgerow", "watercourse")
        },
    )
    m(model.GainSiteArea, tables.gain_site_area)
    m(model.AgreementLpa, tables.agreement_lpa)
    p = tables.habitat_parcel
    m(model.HabitatParcel, p, properties={name: p.c[f"{name}_micro"] for name in QUANTITIES + ALLOCATED})
    m(model.Allocation, tables.allocation)
    line = tables.allocation_line
    m(model.AllocationLine, line, properties={name: line.c[f"{name}_micro"] for name in QUANTITIES})
    m(model.SiteEvent, tables.site_event, properties={"on": tables.site_event.c.on_date})
    m(model.AuditEvent, tables.audit_event)
    map_credit_models(m)
    map_planning_models(m)
    map_monitoring_models(m)
    _mapped = True
