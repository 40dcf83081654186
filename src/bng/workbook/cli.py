"""``bng metric check`` and ``bng metric export``: the workbook commands."""

from __future__ import annotations

import typer


def register(metric_app: typer.Typer) -> None:
    """Add the workbook commands to the ``bng metric`` group."""
