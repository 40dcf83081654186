"""Absolute links, built from configuration (``BNG_BASE_URL``), never from the request's Host header.

They are the API's ``url`` fields, its Link headers and OpenAPI server, and e-mailed links. The API's answers
are cached publicly, and a request sent with ``Host: evil.example`` must not put links to evil.example in what
the next reader gets.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, url_for


def base_url_problem(url: str) -> str | None:
    """Why a base URL cannot be used, or None: it is ``http(s)://host[:port]`` and nothing more."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"BNG_BASE_URL must be like https://register.example.gov.uk (got {url!r})"
    if parts.path not in ("", "/") or parts.query or parts.fragment or "@" in parts.netloc:
        return f"BNG_BASE_URL must be the scheme and host only, no path, query or user (got {url!r})"
    return None


def base_url() -> str:
    """Where the public reach the service (``BNG_BASE_URL``), without a trailing slash."""
    found: str = current_app.config["BNG_BASE_URL"]
    return found


def absolute(endpoint: str, **values: Any) -> str:
    """``url_for`` as an absolute URL on the configured base URL."""
    return base_url() + url_for(endpoint, **values)
