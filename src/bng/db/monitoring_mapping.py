"""Classical mappings of monitoring's records (``bng.register.monitoring.records``) onto their tables."""

from __future__ import annotations

from typing import Any

from bng.register.core.model import OutboxMessage
from bng.register.monitoring import records as r

from . import monitoring_tables as t


def map_monitoring_models(map_imperatively: Any) -> None:
    """Map monitoring's records with the register's mapper registry (called once by ``map_models``)."""
    m = map_imperatively
    m(r.Obligation, t.monitoring_obligation, version_id_col=t.monitoring_obligation.c.version)
    m(r.MonitoringReport, t.monitoring_report, version_id_col=t.monitoring_report.c.version)
    m(r.RemedialAction, t.monitoring_action, version_id_col=t.monitoring_action.c.version)
    m(r.MonitoringEvent, t.monitoring_event)
    m(OutboxMessage, t.notification_outbox)
    m(r.CalendarFeed, t.calendar_feed)
    a = t.excess_account
    m(r.ExcessAccount, a, properties={"sellable": a.c.sellable_micro, "sold": a.c.sold_micro})
    m(r.ExcessSale, t.excess_sale, properties={"units": t.excess_sale.c.units_micro})
