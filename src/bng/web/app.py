"""The Flask application factory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

from bng.metric import MODULE_NAMES, SIZE_NAMES, SIZE_UNITS, UNIT_HEADINGS, UNIT_NAMES
from bng.register.applications.answers import site_name
from bng.register.core.filetypes import MAX_UPLOAD_BYTES
from bng.register.services import Services

from . import errors, filters, security
from .api import api
from .assets import ASSETS_DIR, assets
from .cache import kept_field
from .links import base_url_problem
from .maps import allocation_map, boundary_map, site_map
from .once import token_field
from .os_maps import OsMaps
from .paging import MAX_ID
from .views import (
    access,
    account,
    account_settings,
    admin,
    api_tokens,
    apply,
    credits,
    credits_casework,
    files,
    lpa,
    maps,
    money,
    notify_stand_in,
    organisations,
    outbox,
    pay,
    pay_stand_in,
    public,
    review,
)
from .views.allocate import bp as allocations_bp
from .views.common import error_list, legend
from .views.monitoring import bp as monitoring_bp
from .views.monitoring_lpa import bp as monitoring_lpa_bp
from .views.planning import bp as planning_bp
from .views.planning_lpa import bp as planning_lpa_bp

SERVICE_NAME = "Biodiversity gain sites register"


class RecordId(IntegerConverter):
    """``<int:…>`` in a route: a whole number a record's id can be.

    A larger one is no page (404), rather than a number the database cannot hold.
    """

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


@dataclass(frozen=True)
class Settings:
    """The web application's configuration (``bng.bootstrap`` makes it from the environment's)."""

    secret_key: str
    secure_cookies: bool = True
    testing: bool = False
    assets_dir: Path = ASSETS_DIR
    base_url: str = "http://localhost"
    """Where the public reach the service (``BNG_BASE_URL``): absolute links are made from it."""
    trusted_proxies: int = 0
    """How many reverse proxies in front of the service set X-Forwarded-For and -Proto (``BNG_TRUSTED_PROXIES``);
    with none, those headers are ignored (anyone could send them)."""
    cache_bytes: int = 32 * 1024 * 1024
    """Bytes of public search responses a worker keeps (``BNG_CACHE_MB``; ``bng.web.cache``)."""
    os_maps: OsMaps | None = None
    """OS Maps API tiles for the maps' base (``OS_MAPS_API_KEY``); without them, the offline base."""


def create_app(services: Services, settings: Settings) -> Flask:
    """The register's web application over its services: every page, the API, the error pages and security checks."""
    problem = base_url_problem(settings.base_url)
    if problem:
        raise ValueError(problem)
    app = Flask(__name__, static_folder="static", static_url_path="/static")
    if settings.trusted_proxies:  # the client's address and https as the proxy saw them: HSTS, throttling
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=0, x_port=0, x_prefix=0)  # type: ignore[method-assign]
    app.url_map.converters["int"] = RecordId
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_NAME="bng_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        # The cookie lasts 12 hours from sign-in, as the session it names does; re-sent on every answer, a slow
        # background answer (a map's GeoJSON) carried the cookie of before a form's post and overwrote the newer
        # one, losing the post's flash message ("Gain site … is on the register" missing under load).
        SESSION_REFRESH_EACH_REQUEST=False,
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES + 1024 * 1024,
        MAX_FORM_MEMORY_SIZE=MAX_UPLOAD_BYTES + 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        WTF_CSRF_SSL_STRICT=False,  # Referer checks break behind proxies that strip it; the token suffices
        TESTING=settings.testing,
        BNG_ASSETS_DIR=settings.assets_dir,
        BNG_BASE_URL=settings.base_url.rstrip("/"),
        BNG_OS_MAPS=settings.os_maps,
        BNG_CACHE_BYTES=settings.cache_bytes,
        SERVICE_NAME=SERVICE_NAME,
    )
    app.extensions["bng.services"] = services
    app.jinja_loader = ChoiceLoader(
        [
            PackageLoader("bng.web"),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)
    app.add_template_global(error_list, "error_list")
    app.add_template_global(legend, "legend")
    app.add_template_global(token_field, "submission_token_field")
    app.add_template_global(kept_field, "kept_field")
    app.jinja_env.globals.update(  # the metric's modules in words (bng.metric.labels): one table for every page
        module_names=MODULE_NAMES, unit_names=UNIT_NAMES, unit_headings=UNIT_HEADINGS, size_units=SIZE_UNITS,
        size_names=SIZE_NAMES,
    )  # fmt: skip
    app.add_template_filter(site_name, "site_name")  # an application's gain site, from its typed answers
    filters.register(app)
    security.register(app)  # before CSRF: a request no form could send is refused before its check reads it
    csrf = CSRFProtect(app)
    csrf.exempt(api)  # the API reads no cookie: a call is its Bearer token's (api/private.py)
    errors.register(app)
    for blueprint in (assets, public.bp, account.bp, apply.bp, review.bp, admin.bp, lpa.bp, files.bp, api):
        app.register_blueprint(blueprint)
    for blueprint in (allocations_bp,):  # allocations, open data
        app.register_blueprint(blueprint)
    for blueprint in (credits.bp, credits_casework.bp):  # statutory biodiversity credits
        app.register_blueprint(blueprint)
    for blueprint in (planning_bp, planning_lpa_bp):  # the planning side: gain plans and their decisions
        app.register_blueprint(blueprint)
    for blueprint in (monitoring_bp, monitoring_lpa_bp):  # 30 years of monitoring, excess sales, s.40A report
        app.register_blueprint(blueprint)
    app.register_blueprint(pay.bp)  # fees paid by card through GOV.UK Pay
    if services.pay_stand_in is not None:  # no GOVUK_PAY_API_KEY: Pay's local stand-in, served here
        csrf.exempt(pay_stand_in.create)  # its API takes a Bearer key, as Pay's does, not a session
        csrf.exempt(pay_stand_in.find)
        csrf.exempt(pay_stand_in.refund)
        csrf.exempt(pay_stand_in.card)  # Pay's card page, not the register's form
        app.register_blueprint(pay_stand_in.bp)
    app.register_blueprint(organisations.bp)  # organisations with verified members
    app.register_blueprint(api_tokens.bp)  # an organisation's tokens for the JSON API
    app.register_blueprint(account_settings.bp)  # one's own account: passwords, email, sessions, authenticator
    app.register_blueprint(access.bp)  # a landowner's allocations, messages to a gain site's provider
    app.register_blueprint(money.bp)  # overpayments, part refunds, bank details, invoice PDFs
    app.register_blueprint(maps.bp)  # the maps' offline base (GeoJSON) and OS Maps tiles
    app.add_template_global(site_map, "site_map")
    app.add_template_global(boundary_map, "boundary_map")
    app.add_template_global(allocation_map, "allocation_map")
    app.register_blueprint(outbox.bp)  # the e-mails queued and sent through GOV.UK Notify
    if services.notify_stand_in is not None:  # no NOTIFY_API_KEY: Notify's local stand-in, served here
        csrf.exempt(notify_stand_in.send_email)  # Notify's API takes a signed token, not a session
        app.register_blueprint(notify_stand_in.bp)
    return app
