"""Error pages (and JSON errors under /api) for the register's errors and HTTP errors."""

from __future__ import annotations

from flask import Flask, Response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from bng.register.core import errors as register_errors

from .api.models import Problem

TITLES = {
    400: "There is a problem with the request",
    403: "You do not have permission to see this page",
    404: "Page not found",
    405: "That cannot be done here",
    409: "This cannot be done now",
    413: "The file is too large",
    500: "Sorry, there is a problem with the service",
}


def _page(status: int, message: str = "") -> ResponseReturnValue:
    """An error page, or under /api an RFC 9457 problem (the OpenAPI document's ``Problem``)."""
    if request.path.startswith("/api/"):
        problem = Problem(status=status, title=TITLES.get(status, "Error"), detail=message)
        return Response(problem.model_dump_json(), status=status, mimetype="application/problem+json")
    return render_template("error.html", status=status, title=TITLES.get(status, "Error"), message=message), status


def register(app: Flask) -> None:
    """The register's refusals and HTTP's errors as error pages (problems under /api), or on to sign in."""

    @app.errorhandler(register_errors.NotFound)
    def _not_found(err: register_errors.NotFound) -> ResponseReturnValue:
        return _page(404, err.message)

    @app.errorhandler(register_errors.Forbidden)
    def _forbidden(err: register_errors.Forbidden) -> ResponseReturnValue:
        return _page(403, err.message)

    @app.errorhandler(register_errors.NotSignedIn)
    def _sign_in(err: register_errors.NotSignedIn) -> ResponseReturnValue:
        return redirect(url_for("account.sign_in", next=request.full_path.rstrip("?")))

    @app.errorhandler(register_errors.Conflict)
    def _conflict(err: register_errors.Conflict) -> ResponseReturnValue:
        return _page(409, err.message)

    @app.errorhandler(register_errors.Invalid)
    def _invalid(err: register_errors.Invalid) -> ResponseReturnValue:
        return _page(400, "; ".join(p.message for p in err.problems))

    @app.errorhandler(CSRFError)
    def _csrf(err: CSRFError) -> ResponseReturnValue:
        return _page(
            400, "The form had expired or was not sent from this service. Go back, reload the page and try again."
        )

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException) -> ResponseReturnValue:
        status = err.code or 500
        if status == 413:
            return _page(413, "The request is larger than the register accepts; upload a smaller file.")
        response = app.make_response(_page(status, ""))
        allowed = dict(err.get_headers()).get("Allow")
        if allowed:  # a 405 says which methods the address answers (RFC 9110)
            response.headers["Allow"] = allowed
        return response

    @app.errorhandler(Exception)
    def _crash(err: Exception) -> ResponseReturnValue:
        if app.testing:
            raise err  # let the test see the traceback
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return _page(500, "Try again later. What you saved before is kept.")
