"""Starting a server worker while the store may be down.

Gunicorn forks workers at start and again whenever one exits (a crash, a timeout, a deploy).
A worker whose app cannot be built makes gunicorn stop the whole server ("Worker failed to
boot"), so a worker that happens to start during a store outage would take every other
worker down with it and turn a brief outage into a dead service. :func:`worker_app` builds
the app if it can and otherwise hands gunicorn a stand-in that answers like the app does
during an outage (503, problem+json on the API, ``/livez`` 200) and builds the real app on
a later request once the store answers again.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

log = logging.getLogger("cmp.boot")

#: Seconds between two attempts to build the app while the store is down.
RETRY_SECONDS = 1.0
#: After this long without an app, ``/livez`` fails too, so that a supervisor restarts a
#: worker whose failure was not the store's passing outage after all.
GIVE_UP_SECONDS = 600.0
_UNAVAILABLE = "503 SERVICE UNAVAILABLE"

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def worker_app(factory: Callable[[], WSGIApp]) -> WSGIApp:
    """Return ``factory()``, or a :class:`Deferred` app when the store is unreachable."""
    try:
        return factory()
    except Exception as exc:
        # `cmp serve` builds the app once before forking, so a bad setting never gets here;
        # what fails in a worker is the store or a client of it (a cluster client raises
        # its own errors, not StorageError), and that must not stop the whole server.
        log.warning("the worker cannot build the app (%r); answering 503 until it can", exc)
        return Deferred(factory)


class Deferred:
    """A WSGI app that answers 503 until ``factory()`` succeeds, then is that app."""

    def __init__(self, factory: Callable[[], WSGIApp]) -> None:
        self.factory = factory
        self.app: WSGIApp | None = None
        self._next_try = time.monotonic() + RETRY_SECONDS
        self._since = time.monotonic()
        self._lock = threading.Lock()

    def _built(self) -> WSGIApp | None:
        if self.app is not None or time.monotonic() < self._next_try:
            return self.app
        with self._lock:
            if self.app is None and time.monotonic() >= self._next_try:
                try:
                    self.app = self.factory()
                    log.warning("store reachable again: the worker serves the app")
                except Exception:
                    self._next_try = time.monotonic() + RETRY_SECONDS
        return self.app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        """Serve through the real app once built; until then answer as during an outage."""
        path = environ.get("PATH_INFO", "")
        if self.app is None and path == "/livez":
            # Liveness answers at once: building the app may wait on a hung store.
            if time.monotonic() - self._since > GIVE_UP_SECONDS:
                body = {"status": "no app", "seconds": round(time.monotonic() - self._since)}
                return _answer(start_response, _UNAVAILABLE, "application/json", body)
            return _answer(start_response, "200 OK", "application/json", {"status": "ok"})
        app = self._built()
        if app is not None:
            return app(environ, start_response)
        if path.startswith("/api/"):
            problem = {
                "type": "urn:cmp:problem:store_unavailable",
                "title": "Service Unavailable",
                "status": 503,
                "detail": "the consent store is unreachable; retry later",
                "code": "store_unavailable",
            }
            return _answer(
                start_response, "503 SERVICE UNAVAILABLE", "application/problem+json", problem
            )
        text = "Service temporarily unavailable (consent store unreachable)."
        return _answer(start_response, "503 SERVICE UNAVAILABLE", "text/plain", text)


def _answer(start_response: Callable[..., Any], status: str, media: str, body: Any) -> list[bytes]:
    data = (json.dumps(body) if media != "text/plain" else body).encode()
    headers = [
        ("Content-Type", f"{media}; charset=utf-8"),
        ("Content-Length", str(len(data))),
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
    ]
    if status.startswith("503"):
        headers.append(("Retry-After", "5"))
    start_response(status, headers)
    return [data]
