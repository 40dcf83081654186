"""``bng gis …``: habitat map commands."""

from __future__ import annotations

import typer

gis_app = typer.Typer(help="Habitat maps: validate, convert to a site, reconcile and draw plans.", no_args_is_help=True)
