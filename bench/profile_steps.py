"""Each step of a decision write and a state lookup timed on its own, against a real Redis.

Used by :mod:`bench.profile_api`. Every step runs the same code the request path runs
(cmp's own functions, the app's WSGI callable with no HTTP server in front) in a loop, and
reports wall-clock µs per call, median of a few rounds. :func:`wsgi_loop` drives the app
itself; :func:`steps` the pieces.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from flask import Flask
from werkzeug.test import EnvironBuilder

from bench.agents import generate, traffic
from cmp import consents, ids, useragent
from cmp.configcache import ConfigCache
from cmp.receipts import seal, truncate_ip, ua_summary

ROUNDS = 5


@contextmanager
def redis_app(secret: str, prefix: str) -> Iterator[tuple[Flask, Any]]:
    """The app on a fresh redis-server (AOF, ``everysec``) with a rate limit no loop reaches;
    yields the app and a redis-py client of that server, and removes both afterwards."""
    from cmp import create_app
    from tests.servers import start_redis

    workdir = tempfile.mkdtemp(prefix=prefix)
    os.environ["CMP_INSTANCE_PATH"] = workdir
    redis = start_redis(appendonly=True)
    client = redis.client()
    client.config_set("appendfsync", "everysec")
    app = create_app(
        {"STORE_URL": redis.url, "SECRET_KEY": secret, "RATE_LIMIT": "100000000/minute"}
    )
    try:
        yield app, client
    finally:
        app.extensions["cmp.store"].close()
        client.close()
        redis.stop()
        shutil.rmtree(redis.directory, ignore_errors=True)
        shutil.rmtree(workdir, ignore_errors=True)


BODY = (
    '{"policy_version":1,"lang":"ja","method":"banner","categories":'
    '{"analytics":true,"targeting":false},"recipients":{}}'
)


def timed(fn: Callable[[], Any], count: int, rounds: int = ROUNDS) -> float:
    """µs per call of ``fn``: the best of ``rounds`` rounds of ``count`` calls (as timeit
    reports it: the other rounds measure what else the shared cores were doing)."""
    results = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(count):
            fn()
        results.append((time.perf_counter() - started) / count * 1e6)
    return min(results)


def environs(
    kind: str, count: int, seed: int = 5, key: str = "", lookup_ids: Sequence[str] = ()
) -> list[dict]:
    """``count`` WSGI environs of one request kind: ``write`` (a new visitor, an agent from
    :func:`bench.agents.traffic` with ``seed``), ``write_one`` (always the same agent),
    ``lookup``, ``livez`` or ``healthz``."""
    agents = traffic(count, seed=seed)
    out = []
    for n in range(count):
        if kind in ("write", "write_one"):
            agent = agents[0] if kind == "write_one" else agents[n]
            builder = EnvironBuilder(
                path="/api/v1/sites/demo/consents",
                method="POST",
                data=BODY,
                headers={"Content-Type": "application/json", "User-Agent": agent},
            )
        elif kind == "lookup":
            builder = EnvironBuilder(
                path=f"/api/v1/sites/demo/consents/{lookup_ids[n % len(lookup_ids)]}",
                headers={"Authorization": f"Bearer {key}"},
            )
        else:
            builder = EnvironBuilder(path=f"/{kind}")
        builder.environ_base = {"REMOTE_ADDR": "203.0.113.7"}
        out.append(builder.get_environ())
    return out


def wsgi_loop(app: Flask, environ_list: list[dict]) -> Iterator[int]:
    """Serve each environ through the app's WSGI callable, as gunicorn's worker would."""
    statuses: list[str] = []

    def start_response(status: str, headers: list, exc_info: Any = None) -> None:
        statuses.append(status)

    for environ in environ_list:
        body = app.wsgi_app(environ, start_response)
        for _ in body:
            pass
        if hasattr(body, "close"):
            body.close()
        yield int(statuses[-1][:3])


def per_request(app: Flask, environ_list: list[dict], client: Any) -> dict[str, Any]:
    """Serve ``environ_list`` once; per request: wall-clock µs, the app's own CPU µs (this
    thread), Redis's own CPU µs (``INFO commandstats``) and Redis commands by name."""
    client.config_resetstat()
    wall, cpu = time.perf_counter(), time.thread_time()
    seen = set(wsgi_loop(app, environ_list))
    wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
    stats = client.info("commandstats")
    stats.pop("cmdstat_config", None)  # the resetstat above
    n = len(environ_list)
    return {
        "wall": wall / n * 1e6,
        "cpu": cpu / n * 1e6,
        "redis": sum(c["usec"] for c in stats.values()) / n,
        "commands": {k.removeprefix("cmdstat_"): c["calls"] / n for k, c in stats.items()},
        "statuses": seen,
    }


def steps(app: Flask, client: Any, count: int) -> dict[str, float]:
    """µs per call of each piece of the two request paths, in isolation."""
    store = app.extensions["cmp.store"]
    secret = app.config["SECRET_KEY"]
    out: dict[str, float] = {}
    out["redis_ping"] = timed(client.ping, count)
    out["json_loads_body"] = timed(lambda: json.loads(BODY), count)
    with app.test_request_context("/api/v1/sites/demo/consents", base_url="http://cmp.test"):
        built = ConfigCache(60).get(store, "demo", "ja", "http://cmp.test/notice")
        raw, signed = ids.issue(secret)
        out["id_issue"] = timed(lambda: ids.issue(secret), count)
        out["id_verify"] = timed(lambda: ids.verify(secret, signed), count)
        fresh_agents = iter(generate(count * ROUNDS, seed=77))
        out["ua_never_seen"] = timed(lambda: useragent.parse(next(fresh_agents)), count)
        ua_summary(BODY)
        out["ua_cached"] = timed(lambda: ua_summary(BODY), count)
        out["truncate_ip"] = timed(lambda: truncate_ip("203.0.113.7"), count)
        ctx = consents.Context(lang="ja", user_agent=ua_summary(BODY), ip="203.0.113.0")

        def record() -> tuple[Any, Any]:
            fresh, _ = ids.issue(secret)
            return consents.record(
                store, built.site, built.categories, built.recipients, fresh,
                {"analytics": True, "targeting": False}, {}, method="banner", gpc=False,
                ctx=ctx, fresh=True,
            )  # fmt: skip

        state, receipt = record()
        out["receipt_seal"] = timed(lambda: seal(receipt, receipt.hash, 2), count)
        present = consents.present_state(secret, state, built.site)
        out["present_state"] = timed(
            lambda: consents.present_state(secret, state, built.site), count
        )
        answer = {"visitor_id": signed, "receipt_id": receipt.receipt_id, "consent": present}
        dumps = json.dumps
        out["json_dumps_answer"] = timed(
            lambda: dumps(answer, ensure_ascii=False, separators=(",", ":")), count
        )
        # The AOF settings alternate round by round; each keeps its best round.
        aof: dict[str, list[float]] = {"no": [], "everysec": [], "always": []}
        for _ in range(3):
            for mode, runs in aof.items():
                client.config_set("appendonly", "no" if mode == "no" else "yes")
                if mode != "no":
                    client.config_set("appendfsync", mode)
                    _wait_aof(client)
                runs.append(timed(record, max(count // 4, 50), rounds=1))
        out.update({f"record_aof_{mode}": min(runs) for mode, runs in aof.items()})
        client.config_set("appendfsync", "everysec")
        out["get_state"] = timed(lambda: store.get_state("demo", raw), count)
    return out


def _wait_aof(client: Any) -> None:
    """Wait for an AOF rewrite started by ``CONFIG SET appendonly yes`` to finish."""
    for _ in range(200):
        info = client.info("persistence")
        if not info.get("aof_rewrite_in_progress") and not info.get("aof_rewrite_scheduled"):
            return
        time.sleep(0.05)
