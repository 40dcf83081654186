"""Public searches answered once per distinct query: each worker keeps the last responses it made
for anonymous GET requests, keyed by the request's path and query, the register's last change (a
gain site's or an allocation's, two index lookups) and the day, so a change shows at once.

Entries also expire after ``TTL`` seconds, the bound on anything the key does not see: a
responsible body renamed, or a change committed after a later one (its time then is not the last),
whose search results a worker may so show for up to ``TTL`` seconds (the API already lets caches keep
its responses for 60). Each application keeps its own. A page's
CSP nonce is per response: a kept page has its nonce replaced by the request's own. Signed-in
users' pages, and anything with a session (a flashed message), are never kept."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any, TypeVar

from flask import Response, current_app, g, make_response, request, session
from flask.typing import ResponseReturnValue

from .security import services

TTL = 10.0  # seconds
SIZE = 256  # responses a worker keeps

F = TypeVar("F", bound=Callable[..., ResponseReturnValue])


class _Kept:
    __slots__ = ("at", "body", "headers", "nonce", "status")

    def __init__(self, response: Response, nonce: str) -> None:
        self.at = time.monotonic()
        self.status = response.status_code
        self.body = response.get_data()
        self.headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
        self.nonce = nonce.encode() if response.mimetype == "text/html" else b""


class _Store:
    def __init__(self) -> None:
        self.kept: OrderedDict[tuple[Any, ...], _Kept] = OrderedDict()
        self.lock = threading.Lock()


def _store() -> _Store:
    store = current_app.extensions.get("bng.kept")
    if store is None:  # (two threads may both make one; one wins, which is harmless)
        store = current_app.extensions.setdefault("bng.kept", _Store())
    return store  # type: ignore[no-any-return]


def once_per_query(view: F) -> F:
    """Keep the view's 200 responses to anonymous visitors (see the module)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        if request.method != "GET" or g.get("user") is not None or session:
            return view(*args, **kwargs)
        store = _store()
        key = (request.endpoint, request.query_string, services().register.last_change(), date.today())
        now = time.monotonic()
        with store.lock:
            kept = store.kept.get(key)
            if kept is not None and now - kept.at < TTL:
                store.kept.move_to_end(key)
            else:
                kept = None
        if kept is None:
            response = make_response(view(*args, **kwargs))
            if response.status_code != 200 or response.is_streamed or session:
                return response
            kept = _Kept(response, g.get("csp_nonce", ""))
            with store.lock:
                store.kept[key] = kept
                while len(store.kept) > SIZE:
                    store.kept.popitem(last=False)
            return response
        body = kept.body
        if kept.nonce:
            body = body.replace(kept.nonce, g.get("csp_nonce", "").encode())
        response = Response(body, status=kept.status, headers=kept.headers)
        return response.make_conditional(request) if "ETag" in response.headers else response

    return wrapped  # type: ignore[return-value]
