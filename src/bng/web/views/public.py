"""The public pages: the start page, the register's search and the gain site page."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, cast

from flask import Blueprint, render_template, request, url_for
from flask.typing import ResponseReturnValue

from bng.register.core.errors import Invalid
from bng.register.core.places import places
from bng.register.core.ports import Page

from ..cache import counted_once, keep, kept_choices, known, once_per_query
from ..forms import SearchForm, choices
from ..maps import search_map, site_map
from ..paging import page_number
from ..security import services
from ..site_filters import filter_args, site_query

bp = Blueprint("public", __name__)
PER_PAGE = 20


@bp.get("/")
def home() -> ResponseReturnValue:
    """The start page: what the register is for and where to begin."""
    return render_template("home.html")


@bp.get("/cookies")
def cookies() -> ResponseReturnValue:
    """The one essential cookie the service sets, and why: no analytics or advertising cookies."""
    return render_template("cookies.html")


def _areas(kind: str, blank: str) -> list[Any]:
    """The search's choices of an area kind: every area's name (the same all the worker's life)."""
    return choices([(n, n) for n in places().names(kind)], blank)


@bp.get("/register")
@once_per_query
def search() -> ResponseReturnValue:
    """The public search of gain sites, rendered once per distinct query for anonymous visitors."""
    form = SearchForm(request.args)
    form.lpa.choices = kept_choices("lpa", lambda: _areas("lpa", "Any LPA"))
    form.nca.choices = kept_choices("nca", lambda: _areas("nca", "Any National Character Area"))
    form.lnrs.choices = kept_choices("lnrs", lambda: _areas("lnrs", "Any LNRS area"))
    page = page_number(request.args)
    query, errors = site_query(request.args, page, PER_PAGE)
    errors = [e for e in errors if e.field != "after"]  # a bad next link's place: the page by its number
    for e in errors:
        getattr(form, e.field).errors = [e.message]
    results = Page([], 0, 1, PER_PAGE)
    if not errors:  # first: the search reads the register's version (the key of what is kept) with its page
        try:
            results = counted_once(query, services().register.search_at)
        except Invalid:  # ``after`` is no gain site's reference: the page by its number
            results = counted_once(replace(query, after=""), services().register.search_at)
    bodies = known("body choices")
    if bodies is None:
        bodies = [(b.id, b.name) for b in services().register.responsible_bodies(include_withdrawn=True)]
        keep("body choices", bodies)
    form.responsible_body.choices = choices(bodies, "Any responsible body")
    args = filter_args(request.args)
    found_map = (
        search_map(url_for("api.sites_geojson", **cast(dict[str, Any], args)), query.bbox) if not errors else None
    )
    return (
        render_template(
            "register/search.html", form=form, results=results, args=args, errors=bool(errors), found_map=found_map
        ),
        400 if errors else 200,
    )


@bp.get("/register/<reference>")
def site(reference: str) -> ResponseReturnValue:
    """A gain site's public page: its habitats, units, allocations, history and published documents."""
    view = services().register.site(reference)
    return render_template("register/site.html", view=view, map_svg=site_map(view))
