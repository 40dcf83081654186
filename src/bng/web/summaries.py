"""The answers of an application as GOV.UK summary lists (check your answers, the case page).

They are the rows the register gives (``ApplicationView.summary``), rendered.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from markupsafe import Markup, escape

from bng.register.applications.service import ApplicationView
from bng.register.core.summary import Row

from .filters import lines


def file_size(size: int) -> str:
    """A file's size as people read it: bytes, KB or MB."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:,.0f} KB"
    return f"{size / 1024 / 1024:,.1f} MB"


def summary_row(row: Row, change: str | None = None, href: str | None = None) -> dict[str, Any]:
    """A row as the GOV.UK summary list takes it.

    A document's name links to it (or to ``href``), with its size after; ``change`` is the href of the
    section's Change link.
    """
    if row.document is not None:
        href = href or url_for("files.download", file_id=row.document.id)
        size = file_size(row.document.size)
        value = Markup(f'<a class="govuk-link" href="{href}">{escape(row.document.name)}</a> ({size})')
    else:
        value = lines(row.value)
    out: dict[str, Any] = {"key": {"text": row.label}, "value": {"html": value}}
    if change and row.changeable:
        hidden = row.action or row.label.lower()
        out["actions"] = {"items": [{"href": change, "text": "Change", "visuallyHiddenText": hidden}]}
    return out


def all_sections(view: ApplicationView, editable: bool) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """Each section's key, title and summary list rows; with Change links when ``editable``."""
    reference = view.application.reference
    out = []
    for section, rows in view.summary():
        change = url_for("apply.section", reference=reference, key=section.key, back="check") if editable else None
        out.append((section.key, section.title, [summary_row(r, change) for r in rows]))
    return out
