"""A store outage while records are listed or exported: 503 problem+json, never a 500, and
an export cut short mid-stream never looks like a complete file.

Storage generators (``iter_provision_records``, ``iter_visitors``) run their driver calls
while the caller iterates, after the method has returned; their driver errors must still
come out as ``StorageError``. Each test stops a real redis-server of its own (or breaks a
real SQLite file) at a chosen point.
"""

from __future__ import annotations

import http.client
import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from cmp import clock, provision
from cmp.api.records import INCOMPLETE
from cmp.apikeys import issue
from cmp.model import ProvisionRecord
from cmp.seed import seed_demo
from cmp.storage import Storage, StorageError, open_store
from tests.conftest import make_app
from tests.openapi_check import watch
from tests.servers import RedisServer, free_port, start_redis

RECORDS = "/api/v1/sites/demo/provision-records"
# More than one batch of the storage iterators (200), so an outage can strike between two.
COUNT = 230


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    server = start_redis()
    yield server
    server.stop(kill=True)


@pytest.fixture
def down_app(own_redis: RedisServer) -> Iterator[tuple[Flask, list[str], dict[str, str]]]:
    """The app on ``own_redis`` with COUNT records, its config cached (so the outage is met
    by the records, not by the site lookup), the OpenAPI watch and a read key."""
    app = make_app(own_redis.url, CONFIG_CACHE_SECONDS=60.0)
    problems = watch(app)
    store = app.extensions["cmp.store"]
    _fill(store)
    key = issue(store, "demo", ["read"])[1]
    yield app, problems, {"Authorization": f"Bearer {key}"}
    store.close()


def _fill(store: Storage, count: int = COUNT) -> None:
    dmp = next(r for r in store.get_recipients("demo") if r.key == "dmp-partner")
    for n in range(count):
        when = f"2026-01-01T{n // 60:02d}:{n % 60:02d}:00Z"
        store.append_provision_record(
            ProvisionRecord(
                record_id=f"pr-{n:05d}",
                site="demo",
                recipient=provision.recipient_snapshot(dmp),
                items=["閲覧履歴"],
                purpose="p",
                consent_confirmation="c",
                foreign_info_confirmation="",
                provided_from=when,
                provided_to=when,
                allowed_count=1,
                denied_count=0,
                retention_until=provision.retention_until(clock.parse(when), 30),
                created_by="test",
                created_at=when,
                allowed=[[f"v{n}", f"v{n}-1"]],
            )
        )


def _kill_on_second_load(store: Any, server: RedisServer) -> None:
    """Stop ``server`` just before the store reads its second batch of records."""
    real = store._load
    calls = []

    def load(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            server.stop(kill=True)
        return real(*args, **kwargs)

    store._load = load


def _is_503(resp) -> None:
    assert resp.status_code == 503, resp.get_data(as_text=True)[:200]
    assert resp.mimetype == "application/problem+json"
    assert resp.get_json()["code"] == "store_unavailable"
    assert resp.headers["Retry-After"]


@pytest.mark.parametrize(
    "query",
    ["format=json", "format=json&ids=1", "format=csv", "format=csv&ids=1&lang=en"],
)
def test_records_with_the_store_down_are_503(
    down_app: tuple[Flask, list[str], dict[str, str]], own_redis: RedisServer, query: str
) -> None:
    app, problems, read = down_app
    client = app.test_client()
    assert client.get(f"{RECORDS}?{query}", headers=read).status_code == 200
    own_redis.stop(kill=True)
    _is_503(client.get(f"{RECORDS}?{query}", headers=read))
    _is_503(client.get("/api/v1/sites/demo/received-provisions", headers=read))
    assert problems == []


def test_json_listing_losing_the_store_between_batches_ends_in_an_error(
    own_redis: RedisServer,
) -> None:
    # The JSON listing streams (bounded memory, issue 12): cut short, it ends like the CSV
    # export, with the marker, which makes the document invalid, and a broken transfer.
    # (No OpenAPI watch here: it reads a JSON body whole, inside the request.)
    app = make_app(own_redis.url, CONFIG_CACHE_SECONDS=60.0)
    _fill(app.extensions["cmp.store"])
    read = {"Authorization": f"Bearer {issue(app.extensions['cmp.store'], 'demo', ['read'])[1]}"}
    client = app.test_client()
    assert client.get(f"{RECORDS}?limit=10000", headers=read).get_json()["count"] == COUNT
    _kill_on_second_load(app.extensions["cmp.store"], own_redis)
    resp = client.get(f"{RECORDS}?limit=10000&lang=en", headers=read, buffered=False)
    assert resp.status_code == 200  # the first batch was read before the headers went out
    chunks: list[bytes] = []
    with pytest.raises(StorageError):
        for chunk in resp.response:
            chunks.append(chunk)
    resp.close()
    text = b"".join(chunks).decode()
    assert text.endswith(f"{INCOMPLETE['en']}\r\n")
    with pytest.raises(ValueError):
        json.loads(text)


def test_csv_export_cut_short_ends_in_an_error(
    down_app: tuple[Flask, list[str], dict[str, str]], own_redis: RedisServer
) -> None:
    app, problems, read = down_app
    client = app.test_client()
    _kill_on_second_load(app.extensions["cmp.store"], own_redis)
    resp = client.get(f"{RECORDS}?format=csv&lang=en", headers=read, buffered=False)
    assert resp.status_code == 200  # the first batch was read before the headers went out
    chunks: list[bytes] = []
    with pytest.raises(StorageError):
        for chunk in resp.response:
            chunks.append(chunk)
    resp.close()
    text = b"".join(chunks).decode()
    assert text.count("\r\n") == 1 + 200 + 1  # header, the first batch, the marker
    assert text.endswith(f"{INCOMPLETE['en']}\r\n")
    assert problems == []


def test_csv_export_cut_short_is_a_broken_transfer_over_http(
    down_app: tuple[Flask, list[str], dict[str, str]], own_redis: RedisServer
) -> None:
    app, _, read = down_app
    app.config["TESTING"] = False
    _kill_on_second_load(app.extensions["cmp.store"], own_redis)
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", f"{RECORDS}?format=csv", headers=read)
        resp = conn.getresponse()
        assert resp.status == 200 and resp.getheader("Transfer-Encoding") == "chunked"
        # The server drops the connection without the last chunk: the client cannot
        # mistake the part it got for the whole export.
        with pytest.raises(http.client.IncompleteRead) as info:
            resp.read()
        assert info.value.partial.decode().endswith(f"{INCOMPLETE['ja']}\r\n")
        conn.close()
    finally:
        server.shutdown()
        thread.join(timeout=5)


def test_store_down_at_the_start_of_a_csv_export_is_503_over_http(
    down_app: tuple[Flask, list[str], dict[str, str]], own_redis: RedisServer
) -> None:
    app, problems, read = down_app
    app.config["TESTING"] = False
    own_redis.stop(kill=True)
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", f"{RECORDS}?format=csv&ids=1", headers=read)
        resp = conn.getresponse()
        assert resp.status == 503
        assert resp.getheader("Content-Type") == "application/problem+json"
        assert b"store_unavailable" in resp.read()
        conn.close()
    finally:
        server.shutdown()
        thread.join(timeout=5)
    assert problems == []


def test_redis_generators_turn_driver_errors_into_storage_error(
    own_redis: RedisServer,
) -> None:
    store = open_store(own_redis.url)
    try:
        seed_demo(store)
        _fill(store)
        records = store.iter_provision_records("demo")
        assert next(records).record_id == "pr-00000"
        visitors = store.iter_visitors()
        own_redis.stop(kill=True)
        with pytest.raises(StorageError):
            list(records)
        with pytest.raises(StorageError):
            list(visitors)
    finally:
        store.close()


def test_sqlite_generators_turn_driver_errors_into_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "cmp.sqlite3"
    store = open_store(f"sqlite:///{path}")
    try:
        seed_demo(store)
        _fill(store)
        records = store.iter_provision_records("demo")
        assert next(records).record_id == "pr-00000"
        # Broken from outside between two batches: the next query fails in the driver.
        other = sqlite3.connect(path)
        other.execute("DROP TABLE provision_records")
        other.commit()
        other.close()
        with pytest.raises(StorageError):
            list(records)
        visitors = store.iter_visitors()
        other = sqlite3.connect(path)
        other.execute("DROP TABLE receipts")
        other.commit()
        other.close()
        with pytest.raises(StorageError):
            list(visitors)
    finally:
        store.close()
