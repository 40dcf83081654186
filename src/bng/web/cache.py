"""Public searches answered once per distinct query, so that a busy register is not searched again and again.

Each worker keeps the last response it made for each anonymous GET request (its path and query), with the
version of the register it was made from: its last change (a gain site's or an allocation's, two index
lookups) and the day. A kept response is given only while the register is at that version, so a change
shows at once. The version is looked up only when there is a kept response to compare it with; a search
asked for the first time (or whose kept response has expired) reads it in the search's own unit of work
(:func:`counted_once`), so that it costs one checkout and transaction of the database, not two.

Entries also expire after ``TTL`` seconds, the bound on anything the key does not see: a
responsible body renamed, or a change committed after a later one (its time then is not the last),
whose search results a worker may so show for up to ``TTL`` seconds (the API already lets caches keep
its responses for 60). Each application keeps its own. A page's
CSP nonce is per response: a kept page has its nonce replaced by the request's own. Signed-in
users' pages, and anything with a session (a flashed message), are never kept.

A worker keeps at most ``BNG_CACHE_BYTES`` of bodies (32 MiB by default; ``BNG_CACHE_MB`` in the
environment), the least recently used going first: a count of responses said nothing of their
size (an API page is 10-40 KB, a search page about 60 KB), and 256 of them could not hold the
searches a busy hour asks. Each response says ``X-Cache: hit`` or ``miss``, and the store counts
both (:func:`stats`), so that the hit rate can be measured.

The count of a search depends on its filters, not its page: :func:`known` and :func:`keep` hold it
per filter set under the same key (the register's last change and the day) for up to ``VALUE_TTL``
seconds, so that the next page, or the same search asked afresh, is not counted again. That bound is
the one the API's ``Cache-Control: max-age=60`` already gives any cache in front of it: a count can be
that old only after a change committed out of order, which the key does not see.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date
from functools import wraps
from typing import Any, TypeVar

from flask import Response, current_app, g, make_response, request, session
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from bng.register.core.ports import Page, SiteQuery

from .lru import BytesLRU
from .security import services

TTL = 10.0  # seconds
VALUE_TTL = 60.0  # seconds: counts and names (see the module)
DEFAULT_BYTES = 32 * 1024 * 1024
"""Bodies a worker keeps, unless the application's ``BNG_CACHE_BYTES`` says otherwise."""
FIELDS = 500
"""Form fields' HTML a worker keeps (:func:`kept_field`; a list of every LPA is about 20 KB)."""
VALUES = 20_000
"""Small values a worker keeps (:func:`keep`: searches' counts, a few dozen bytes each)."""

F = TypeVar("F", bound=Callable[..., ResponseReturnValue])


class _Kept:
    __slots__ = ("at", "body", "headers", "nonce", "size", "status", "version")

    def __init__(self, response: Response, nonce: str, version: tuple[Any, ...]) -> None:
        self.at = time.monotonic()
        self.version = version
        self.status = response.status_code
        self.body = response.get_data()
        self.headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
        self.nonce = nonce.encode() if response.mimetype == "text/html" else b""
        self.size = len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + 200  # and the key, roughly


class _Store:
    def __init__(self, limit: int) -> None:
        self.kept: BytesLRU[tuple[Any, ...], _Kept] = BytesLRU(limit, lambda kept: kept.size)
        self.values: OrderedDict[tuple[Any, ...], tuple[float, Any]] = OrderedDict()
        self.fields: OrderedDict[tuple[Any, ...], Markup] = OrderedDict()
        self.choices: dict[Hashable, list[Any]] = {}
        self.choice_names: dict[int, Hashable] = {}
        self.hits = 0
        self.misses = 0
        self.lock = threading.Lock()

    def keep(self, key: tuple[Any, ...], kept: _Kept) -> None:
        """Keep a response, letting the least recently used go while the bodies are over the limit."""
        with self.lock:
            self.kept.put(key, kept)


def _store() -> _Store:
    store = current_app.extensions.get("bng.kept")
    if store is None:  # (two threads may both make one; one wins, which is harmless)
        limit = int(current_app.config.get("BNG_CACHE_BYTES") or DEFAULT_BYTES)
        store = current_app.extensions.setdefault("bng.kept", _Store(limit))
    return store  # type: ignore[no-any-return]


def stats() -> dict[str, float]:
    """This worker's kept responses: how many, their bytes, the limit, hits, misses and the hit rate."""
    store = _store()
    with store.lock:
        asked = store.hits + store.misses
        return {
            "responses": len(store.kept),
            "bytes": store.kept.size,
            "limit": store.kept.limit,
            "hits": store.hits,
            "misses": store.misses,
            "hit_rate": store.hits / asked if asked else 0.0,
        }


def version() -> tuple[Any, ...]:
    """The register's last change and the day, looked up once a request (the kept responses' key)."""
    if "bng_register_version" not in g:
        _at(services().register.last_change())
    return g.bng_register_version  # type: ignore[no-any-return]


def _at(changed: Any) -> None:
    """This request's version of the register: the last change it read, and the day."""
    g.bng_register_version = (changed, date.today())


def known(key: Hashable) -> Any:
    """A value kept under ``key`` for this version of the register (see :func:`keep`), or None."""
    store = _store()
    full = (key, *version())
    with store.lock:
        found = store.values.get(full)
        if found is None or time.monotonic() - found[0] >= VALUE_TTL:
            return None
        store.values.move_to_end(full)
        return found[1]


def keep(key: Hashable, value: Any) -> None:
    """Keep a small value derived from the register (a search's count, the responsible bodies' names).

    It is kept until the register changes, the day ends, or ``VALUE_TTL`` passes.
    """
    store = _store()
    full = (key, *version())
    with store.lock:
        store.values[full] = (time.monotonic(), value)
        store.values.move_to_end(full)
        while len(store.values) > VALUES:
            store.values.popitem(last=False)


Search = Callable[[SiteQuery, Callable[[Any], int | None]], tuple[Any, Page]]
"""A search read with the register's version (``PublicRegister.search_at``, ``OpenRegister.sites_at``)."""


def counted_once(query: SiteQuery, search: Search) -> Page:
    """A page of the register's search, its count kept per filter set, and the version it was read at.

    A count depends on the filters, not the page: the next page, or the same search asked again, is not
    counted again. The register's version is read in the search's own unit of work and becomes this
    request's (:func:`version`): the count is looked up under it, and the response kept under it.
    """
    key = ("count", query.filters())
    kept: list[int | None] = [None]

    def total_at(changed: Any) -> int | None:
        _at(changed)
        kept[0] = known(key)
        return kept[0]

    _, found = search(query, total_at)
    if kept[0] is None:
        keep(key, found.total)
    return found


def kept_choices(name: Hashable, build: Callable[[], list[Any]]) -> list[Any]:
    """A select's choices that stay the same while the worker runs (the LPAs, NCAs, LNRS areas), built once.

    :func:`kept_field` then knows them by ``name`` rather than by reading each of their hundreds of options
    a request (``repr`` of the LPAs' 339 took about a millisecond). Never change the list returned.
    """
    store = _store()
    with store.lock:
        found = store.choices.get(name)
    if found is None:
        built = build()
        with store.lock:
            found = store.choices.setdefault(name, built)
            store.choice_names[id(found)] = name  # the list is held here, so its id is not another's
    return found


def kept_field(field: Any, **params: Any) -> Markup:
    """A form field's HTML, rendered once per field, value, errors, choices and parameters.

    GOV.UK Frontend's macros take about 2 ms a field; a search page's filters are mostly empty or share
    their values, so a new search renders only what it changed.
    """
    store = _store()
    choices = getattr(field, "choices", None)
    named = store.choice_names.get(id(choices)) if choices is not None else None
    key = (
        field.name,
        type(field).__name__,
        repr(field.raw_data),
        repr(field.data),
        tuple(field.errors),
        repr(params),
        ("kept choices", named) if named is not None else repr(choices),
    )
    with store.lock:
        found = store.fields.get(key)
        if found is not None:
            store.fields.move_to_end(key)
            return found
    html = Markup(field(**params))
    with store.lock:
        store.fields[key] = html
        while len(store.fields) > FIELDS:
            store.fields.popitem(last=False)
    return html


def once_per_query(view: F) -> F:
    """Keep the view's 200 responses to anonymous visitors (see the module)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        if request.method != "GET" or g.get("user") is not None or session:
            return view(*args, **kwargs)
        store = _store()
        key = (request.endpoint, request.query_string)
        with store.lock:
            kept = store.kept.get(key)
        if kept is not None and (time.monotonic() - kept.at >= TTL or kept.version != version()):
            kept = None  # (the version is looked up only when there is a kept response to compare it with)
        with store.lock:
            if kept is not None:
                if key in store.kept:  # (unless another thread let it go meanwhile)
                    store.kept.move_to_end(key)
                store.hits += 1
            else:
                store.misses += 1
        if kept is None:
            response = make_response(view(*args, **kwargs))
            response.headers["X-Cache"] = "miss"
            if response.status_code != 200 or response.is_streamed or session:
                return response
            store.keep(key, _Kept(response, g.get("csp_nonce", ""), version()))  # the version the view read at
            return response
        body = kept.body
        if kept.nonce:
            body = body.replace(kept.nonce, g.get("csp_nonce", "").encode())
        response = Response(body, status=kept.status, headers=kept.headers)
        response.headers["X-Cache"] = "hit"
        return response.make_conditional(request) if "ETag" in response.headers else response

    return wrapped  # type: ignore[return-value]
