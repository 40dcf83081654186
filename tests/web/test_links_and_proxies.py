"""Absolute links come from BNG_BASE_URL, never from the Host header (the API's answers are cached
publicly); behind a trusted TLS proxy, https is seen as such (HSTS) and the client's address is the
one the proxy saw. Without the trusted-proxy setting, X-Forwarded-* headers are nobody's word."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from bng.web.app import Settings, create_app
from tests.db.fixtures import Register

EVIL = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}


def _app(register: Register, **settings: object) -> Flask:
    return create_app(register.services, Settings(secret_key="test-secret", testing=True, **settings))  # type: ignore[arg-type]


def _all_links(response: object) -> list[str]:
    text = response.get_data(as_text=True) + response.headers.get("Link", "")  # type: ignore[attr-defined]
    return re.findall(r"https?://[^\s\"<>,;]+", text)


@pytest.mark.parametrize(
    "path",
    ["/api/v1/sites", "/api/v1/sites.csv", "/api/v1/sites.geojson", "/api/v1/parcels", "/api/v1/openapi.json"],
)
def test_a_forged_host_never_reaches_a_cached_answer(register: Register, path: str) -> None:
    app = _app(register, base_url="https://register.example.gov.uk")
    response = app.test_client().get(path, headers=EVIL)
    assert response.status_code == 200 and "public" in response.headers["Cache-Control"]
    links = _all_links(response)
    assert links, path
    assert "evil.example" not in response.get_data(as_text=True) + response.headers.get("Link", "")
    ours = [link for link in links if "register.example.gov.uk" in link]
    assert ours and all(link.startswith("https://register.example.gov.uk") for link in ours)


def test_a_site_and_its_documents_link_to_the_base_url(register: Register) -> None:
    world = register.world
    assert world is not None
    app = _app(register, base_url="https://register.example.gov.uk/")
    detail = app.test_client().get(f"/api/v1/sites/{world.site}", headers=EVIL).get_json()
    assert detail["url"] == f"https://register.example.gov.uk/api/v1/sites/{world.site}"
    assert detail["documents"] and all(
        d["url"].startswith("https://register.example.gov.uk/files/") for d in detail["documents"]
    )


@pytest.mark.parametrize("url", ["register.example.gov.uk", "ftp://x", "https://x/bng", "https://u@x", "https://x?q"])
def test_a_base_url_with_anything_but_scheme_and_host_is_refused(register: Register, url: str) -> None:
    with pytest.raises(ValueError, match="BNG_BASE_URL"):
        _app(register, base_url=url)


def _seen(app: Flask, headers: dict[str, str]) -> dict[str, object]:
    """The client's address and whether the request was https, as the app sees them."""
    seen: dict[str, object] = {}

    @app.get("/_probe")
    def probe() -> str:
        from flask import request

        seen.update(addr=request.remote_addr, secure=request.is_secure)
        return ""

    app.test_client().get("/_probe", headers=headers)
    return seen


FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7, 203.0.113.9"}


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(register: Register) -> None:
    assert _seen(_app(register), FORWARDED) == {"addr": "127.0.0.1", "secure": False}
    assert "Strict-Transport-Security" not in _app(register).test_client().get("/", headers=FORWARDED).headers


def test_behind_a_trusted_tls_proxy_https_and_the_client_are_seen(register: Register) -> None:
    # the last proxy's word only: one proxy is trusted, the address it saw is the client's
    assert _seen(_app(register, trusted_proxies=1), FORWARDED) == {"addr": "203.0.113.9", "secure": True}
    response = _app(register, trusted_proxies=1).test_client().get("/", headers=FORWARDED)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookie = _app(register, trusted_proxies=1).test_client().get("/sign-in", headers=FORWARDED).headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_the_configuration_reads_both(tmp_path: object) -> None:
    from bng.bootstrap import load_config

    env = {"BNG_VAR": str(tmp_path), "BNG_BASE_URL": "https://register.example.gov.uk", "BNG_TRUSTED_PROXIES": "2"}
    config = load_config(env)
    assert (config.base_url, config.trusted_proxies) == ("https://register.example.gov.uk", 2)
    assert load_config({"BNG_VAR": str(tmp_path)}).trusted_proxies == 0
    with pytest.raises(ValueError, match="BNG_TRUSTED_PROXIES"):
        load_config({**env, "BNG_TRUSTED_PROXIES": "yes"})
