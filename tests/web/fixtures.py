"""Web fixtures: the app on a test register, a client that checks every page it gets, a live
server, and Chromium (Debian's, through Playwright) for the browser tests."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from bng.web.app import Settings, create_app
from tests.db.fixtures import Register
from tests.register.world import EMAILS, PASSWORD
from tests.web.html import problems

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("BNG_TEST_OUTPUT", ROOT / "test-output")) / "screenshots"
CHROMIUM = os.environ.get("BNG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def make_app(register: Register) -> Flask:
    return create_app(register.services, Settings(secret_key="test-secret", secure_cookies=True, testing=True))


class CheckedClient(FlaskClient):
    """A test client that parses and validates every HTML page it receives."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        response = super().open(*args, **kwargs)
        if response.mimetype == "text/html" and response.status_code != 304 and response.data:
            found = problems(response.get_data(as_text=True))
            path = args[0] if args and isinstance(args[0], str) else kwargs.get("path", "")
            assert not found, f"invalid HTML from {path} ({response.status_code}):\n  " + "\n  ".join(found[:30])
        return response

    def csrf(self, path: str = "/sign-in") -> str:
        """A CSRF token of this client's session (read from a page's form)."""
        page = self.get(path).get_data(as_text=True)
        m = CSRF.search(page)
        assert m, f"no CSRF token on {path}"
        return m.group(1) or m.group(2)

    def tokens(self, path: str, prefix: str = "") -> dict[str, str]:
        """The CSRF token and, if the page's form with this prefix confirms a change, its one-time
        submission token, as a browser would send them back from the page at ``path``."""
        page = self.get(path).get_data(as_text=True)
        m = CSRF.search(page)
        assert m, f"no CSRF token on {path}"
        found = {f"{prefix}csrf_token": m.group(1) or m.group(2)}
        once = re.search(rf'name="{re.escape(prefix)}submission_token" value="([^"]+)"', page)
        if once:
            found[f"{prefix}submission_token"] = once.group(1)
        return found

    def sign_in(self, who: str) -> None:
        email = EMAILS.get(who, who)
        response = self.post("/sign-in", data={"csrf_token": self.csrf(), "email": email, "password": PASSWORD})
        assert response.status_code == 302, f"could not sign in as {who}"

    def form(self, path: str, data: dict[str, Any], page: str | None = None, **kwargs: Any) -> Any:
        """POST a form with this session's CSRF token (and the page's submission token, if it has one)."""
        return self.post(path, data={**self.tokens(page or "/account"), **data}, **kwargs)


@pytest.fixture
def app(register: Register) -> Flask:
    return make_app(register)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.test_client_class = CheckedClient
    return app.test_client()


class ValidatingMiddleware:
    """Checks every HTML page the live server sends (the browser tests' pages), keeping what fails."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.failures: list[str] = []
        self.pages = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        captured: dict[str, Any] = {}

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info)

        body = b"".join(self.app(environ, start))
        kind = dict((k.lower(), v) for k, v in captured.get("headers", [])).get("content-type", "")
        if kind.startswith("text/html") and body:
            self.pages += 1
            found = problems(body.decode("utf-8"))
            if found:
                self.failures.append(f"{environ['PATH_INFO']}: " + "; ".join(found[:10]))
        return [body]


class LiveServer:
    def __init__(self, app: Flask) -> None:
        self.middleware = ValidatingMiddleware(app.wsgi_app)
        app.wsgi_app = self.middleware  # type: ignore[method-assign]
        app.config["TESTING"] = False  # a browser should see the error pages, not tracebacks
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture
def live_server(register: Register) -> Iterator[LiveServer]:
    with LiveServer(make_app(register)) as server:
        yield server
    assert not server.middleware.failures, "invalid HTML served:\n" + "\n".join(server.middleware.failures)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    profile = tempfile.mkdtemp(prefix="bng-chromium-")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    browser.clear_cookies()
    tab = browser.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda err: errors.append(str(err)))
    # a page answering 400 (a form with errors) or 404 is the service speaking, not a fault; any
    # stylesheet, script, font or image that fails to load is one
    tab.on(
        "console",
        lambda msg: errors.append(msg.text) if msg.type == "error" and not _status_message(msg.text) else None,
    )
    tab.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}") if r.status >= 400 and r.request.resource_type != "document" else None
        ),
    )
    try:
        yield tab
    finally:
        tab.close()
    assert not errors, "the browser reported errors:\n" + "\n".join(errors)


def _status_message(text: str) -> bool:
    # (connection refused, reset or its socket gone: a map's base still loading when the page moved on or the
    # live server stopped at the test's end; a status the server answered is checked by the "response" hook)
    return text.startswith("Failed to load resource: the server responded with a status of") or text in (
        "Failed to load resource: net::ERR_CONNECTION_REFUSED",
        "Failed to load resource: net::ERR_CONNECTION_RESET",
        "Failed to load resource: net::ERR_SOCKET_NOT_CONNECTED",
    )


def screenshot(tab: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=True)
    return path
