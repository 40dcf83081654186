"""Who is asking, and what the browser may do with our pages.

The session cookie (signed, HttpOnly, Secure, SameSite=Lax) holds a random token; the register
keeps its hash and which user it belongs to. Every page gets a Content Security Policy with a
fresh nonce for GOV.UK Frontend's one inline script, and pages for signed-in people are never
cached.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, Response, abort, g, redirect, request, session, url_for
from flask.typing import ResponseReturnValue

from bng.register.accounts.service import actor_of
from bng.register.core.audit import Actor
from bng.register.core.fees import FeePurpose, fee
from bng.register.core.roles import Permission, can
from bng.register.services import Services

F = TypeVar("F", bound=Callable[..., ResponseReturnValue])


def services() -> Services:
    """The register's services this application was built over."""
    from flask import current_app

    found: Services = current_app.extensions["bng.services"]
    return found


def actor() -> Actor | None:
    """Who is asking: the signed-in person, or None."""
    found: Actor | None = g.get("actor")
    return found


def _refuse_nul() -> None:
    """Refuse a request with a NUL in its query, form fields or file names, before anything reads it.

    A NUL character can be stored by neither database (PostgreSQL refuses it in text).
    """
    if request.endpoint in ("assets.asset", "static"):
        return
    sent = [*request.args.items(multi=True)]
    if request.method == "POST":
        sent += [*request.form.items(multi=True)]
        sent += [(name, f.filename or "") for name, f in request.files.items(multi=True)]
    if any(key is None for key, _ in sent):  # a multipart part without a name is no form's (and crashed checks)
        abort(400)
    if any("\x00" in key or "\x00" in (value or "") for key, value in sent):
        abort(400)


def _load_user() -> None:
    g.csp_nonce = secrets.token_urlsafe(16)
    g.user = None
    g.actor = None
    if request.endpoint in ("assets.asset", "static"):
        return
    token = session.get("token")
    if token:
        user = services().accounts.user_for(token)
        if user is None:
            session.pop("token", None)
        else:
            g.user = user
            g.actor = actor_of(user)


def _headers(response: Response) -> Response:
    nonce = g.get("csp_nonce", "")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self'; img-src 'self' data:; font-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if g.get("user") is not None:
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")
    return response


def register(app: Flask) -> None:
    """Refuse NUL characters, load who is asking, and set the security headers on every response."""
    app.before_request(_refuse_nul)
    app.before_request(_load_user)
    app.after_request(_headers)

    @app.context_processor
    def _context() -> dict[str, Any]:
        return {
            "current_user": g.get("user"),
            "cspNonce": g.get("csp_nonce", ""),
            "can": lambda permission: can(g.actor.role if g.get("actor") else None, Permission(permission)),
            "serviceName": app.config["SERVICE_NAME"],
            "registration_fee": fee(FeePurpose.REGISTRATION, date.today()),
        }


def safe_next(target: str | None) -> str | None:
    """A path on this site to return to after signing in (never another site)."""
    if not target:
        return None
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in target) or "\\" in target:
        return None  # a CR/LF would split the Location header; browsers read "/\evil.example" as "//evil.example"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def requires(permission: Permission | None = None) -> Callable[[F], F]:
    """Sign-in (and, if given, a permission) for a view: the public go to sign in, others get 403."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            who = actor()
            if who is None:
                return redirect(url_for("account.sign_in", next=request.full_path.rstrip("?")))
            if permission is not None and not can(who.role, permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


def sign_in_session(token: str) -> None:
    """Start a fresh session for a signed-in user (a new cookie: no session fixation)."""
    session.clear()
    session["token"] = token
    session.permanent = True
