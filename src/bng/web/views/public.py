"""The public pages: the start page, the register's search and the gain site page."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from bng.register.places import places
from bng.register.ports import SiteQuery

from ..forms import SearchForm, choices
from ..maps import site_map
from ..security import services

bp = Blueprint("public", __name__)
PER_PAGE = 20


@bp.get("/")
def home() -> ResponseReturnValue:
    return render_template("home.html")


@bp.get("/cookies")
def cookies() -> ResponseReturnValue:
    return render_template("cookies.html")


@bp.get("/register")
def search() -> ResponseReturnValue:
    form = SearchForm(request.args)
    p = places()
    form.lpa.choices = choices([(n, n) for n in p.names("lpa")], "Any LPA")
    form.nca.choices = choices([(n, n) for n in p.names("nca")], "Any National Character Area")
    form.lnrs.choices = choices([(n, n) for n in p.names("lnrs")], "Any LNRS area")
    bodies = services().register.responsible_bodies(include_withdrawn=True)
    form.responsible_body.choices = choices([(b.id, b.name) for b in bodies], "Any responsible body")
    page = max(1, request.args.get("page", 1, type=int) or 1)
    body = request.args.get("responsible_body", "")
    query = SiteQuery(
        reference=(form.reference.data or "").strip(),
        lpa=form.lpa.data or "",
        nca=form.nca.data or "",
        lnrs=form.lnrs.data or "",
        habitat=(form.habitat.data or "").strip(),
        responsible_body_id=int(body) if body.isdigit() else None,
        page=page,
        per_page=PER_PAGE,
    )
    results = services().register.search(query)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("register/search.html", form=form, results=results, args=args)


@bp.get("/register/<reference>")
def site(reference: str) -> ResponseReturnValue:
    view = services().register.site(reference)
    return render_template("register/site.html", view=view, map_svg=site_map(view))
