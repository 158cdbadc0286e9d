"""A worker that boots while the store (or a client of it) fails serves 503, never dies."""

from __future__ import annotations

import json
from typing import Any

import pytest
from redis.exceptions import RedisClusterException

from cmp import boot
from cmp.storage import StorageError


class Factory:
    """Fails ``failures`` times (with the given errors), then returns a tiny app."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> Any:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)

        def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"real app"]

        return app


def call(app: Any, path: str) -> tuple[str, dict[str, str], bytes]:
    """Run one WSGI request; return status, headers and body."""
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(app({"PATH_INFO": path, "REQUEST_METHOD": "GET"}, start_response))
    return seen["status"], seen["headers"], body


def test_a_healthy_store_gives_the_real_app() -> None:
    factory = Factory()
    assert call(boot.worker_app(factory), "/x")[2] == b"real app"


def test_outage_answers_503_then_the_app_once_it_can_be_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(boot, "RETRY_SECONDS", 0.0)
    # A cluster client raises its own errors, not StorageError: those must not kill it.
    factory = Factory(StorageError("down"), RedisClusterException("no nodes"), StorageError("x"))
    app = boot.worker_app(factory)
    assert isinstance(app, boot.Deferred)
    status, headers, body = call(app, "/livez")
    assert status.startswith("200") and factory.calls == 1  # liveness never waits on a build
    status, headers, body = call(app, "/api/v1/sites/demo/config")
    assert status.startswith("503") and headers["Retry-After"]
    assert headers["Content-Type"].startswith("application/problem+json")
    assert json.loads(body)["code"] == "store_unavailable"
    status, _, _ = call(app, "/healthz")
    assert status.startswith("503")
    assert call(app, "/api/v1/sites/demo/config")[2] == b"real app"
    assert call(app, "/livez")[2] == b"real app"


def test_failed_builds_are_tried_at_most_once_a_second() -> None:
    factory = Factory(*[StorageError("down")] * 10)
    app = boot.worker_app(factory)
    for _ in range(5):
        assert call(app, "/api/x")[0].startswith("503")
    assert factory.calls == 1


def test_liveness_fails_after_a_long_time_without_an_app(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker that never gets its app (not a passing outage after all) must be restarted
    by the supervisor: /livez fails after GIVE_UP_SECONDS."""
    monkeypatch.setattr(boot, "GIVE_UP_SECONDS", 0.0)
    app = boot.worker_app(Factory(*[StorageError("down")] * 3))
    status, _, body = call(app, "/livez")
    assert status.startswith("503") and json.loads(body)["status"] == "no app"
