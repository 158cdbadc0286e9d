"""Shared fixtures: real Redis and Redis Cluster servers, one store per backend, the app.

``backend`` is parametrized over sqlite / redis / cluster, so every test that uses ``store``
or ``app`` runs against all three (the limits model: one suite, every backend).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from playwright.sync_api import Browser
from werkzeug.serving import make_server

from cmp import create_app
from cmp.apikeys import issue
from cmp.seed import seed_demo
from cmp.storage import Storage, open_store
from tests.chromium import CHROMIUM_ARGS
from tests.live_chromium import LiveChromium
from tests.openapi_check import watch
from tests.servers import RedisCluster, RedisServer, free_port, start_cluster, start_redis

# The machines are shared and noisy: hypothesis judges the rules, never the speed of a draw
# (a "too slow" health check or a 200 ms deadline fails a correct rule under load).
settings.register_profile(
    "shared-machine", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("shared-machine")

SECRET = "test-secret-key-0123456789"
BACKENDS = ["sqlite", "redis", "cluster"]


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A real redis-server with AOF on a free port, for the whole session."""
    server = start_redis()
    yield server
    server.stop(kill=True)


@pytest.fixture(scope="session")
def redis_cluster() -> Iterator[RedisCluster]:
    """A real 3-master Redis Cluster, for the whole session."""
    cluster = start_cluster(masters=3)
    yield cluster
    cluster.stop()


def _flush(server: RedisServer) -> None:
    client = server.client()
    try:
        client.flushall()
    finally:
        client.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The backend under test (ids: sqlite, redis, cluster)."""
    return request.param


@pytest.fixture
def store_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A clean store URL for the backend: a fresh SQLite file or a flushed Redis."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'cmp.sqlite3'}"
    if backend == "redis":
        server = request.getfixturevalue("redis_server")
        _flush(server)
        return server.url
    cluster = request.getfixturevalue("redis_cluster")
    cluster.flush()
    return cluster.url


@pytest.fixture
def store(store_url: str) -> Iterator[Storage]:
    """An open store of the backend under test."""
    opened = open_store(store_url)
    yield opened
    opened.close()


def make_app(store_url: str, **extra: object) -> Flask:
    """Create a test app on ``store_url`` with the demo site seeded."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": SECRET,
            "STORE_URL": store_url,
            "RATE_LIMIT": "off",
            "CONFIG_CACHE_SECONDS": 0.0,
            **extra,
        }
    )
    seed_demo(app.extensions["cmp.store"])
    return app


@pytest.fixture
def app(store_url: str) -> Iterator[Flask]:
    """The app on the backend under test, demo site seeded."""
    application = make_app(store_url)
    problems = watch(application)
    yield application
    application.extensions["cmp.store"].close()
    assert problems == [], "API responses outside /api/v1/openapi.json"


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of ``app``."""
    return app.test_client()


@pytest.fixture
def api_key(app: Flask):
    """Factory: ``api_key("read", "write", site="demo")`` returns a plain key."""

    def make(*scopes: str, site: str = "demo") -> str:
        return issue(app.extensions["cmp.store"], site, list(scopes or ("read",)))[1]

    return make


@dataclass
class LiveServer:
    """A real HTTP server running the app in a thread."""

    url: str
    port: int
    app: Flask
    store: Storage

    def api_key(self, *scopes: str, site: str = "demo") -> str:
        """Create an API key for ``site`` and return it."""
        return issue(self.store, site, list(scopes or ("read",)))[1]


@pytest.fixture(scope="module")
def live_server(redis_server: RedisServer) -> Iterator[LiveServer]:
    """The app on the session Redis (flushed), served over HTTP on a free port, demo seeded
    with the server's own origin allowed."""
    _flush(redis_server)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": SECRET,
            "STORE_URL": redis_server.url,
            "RATE_LIMIT": "off",
            "CONFIG_CACHE_SECONDS": 0.0,
        }
    )
    store = app.extensions["cmp.store"]
    problems = watch(app)
    seed_demo(store, [url, f"http://localhost:{port}"])
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(url=url, port=port, app=app, store=store)
    server.shutdown()
    thread.join(timeout=5)
    store.close()
    assert problems == [], "API responses outside /api/v1/openapi.json"


@pytest.fixture(scope="module")
def module_chromium() -> Iterator[LiveChromium]:
    """The module's driver and headless Chromium (tests/live_chromium.py); a missing
    Chromium fails (never skips)."""
    with LiveChromium(CHROMIUM_ARGS) as chromium:
        yield chromium


@pytest.fixture
def browser(module_chromium: LiveChromium) -> Browser:
    """The module's Chromium, started afresh first if it or its driver died (a crash of
    Playwright's driver fails the one test it happened in, not the rest of the module)."""
    return module_chromium.browser
