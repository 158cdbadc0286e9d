"""`cmp verify-receipts`: an intact store passes, a receipt altered or removed is caught.

Decisions are recorded through the API; the tampering goes straight at Redis with a raw
client, as an intruder with access to the database (or a careless script) would, using the
storage's own blob layout (:mod:`cmp.storage.receipt_codec`) so the damaged record still decodes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from flask import Flask

from cmp import clock, consents, ids, verify
from cmp.model import ConsentState, Site
from cmp.seed import demo_categories
from cmp.siteconfig import publish_policy
from cmp.storage import Storage
from cmp.storage import keys as redis_keys
from cmp.storage.codec import dumps, pack_state
from cmp.storage.receipt_codec import HEADER, element, split_blob
from cmp.verify import verify_store
from tests.conftest import SECRET, make_app
from tests.servers import RedisServer

CMP = str(Path(sys.executable).with_name("cmp"))
DECISION = {"policy_version": 1, "categories": {"analytics": True, "targeting": False}}


def decide(app: Flask, site: str = "demo", times: int = 3) -> str:
    """Record ``times`` decisions for one new visitor; return its raw id."""
    client = app.test_client()
    visitor = None
    for n in range(times):
        body = {**DECISION, "categories": {"analytics": n % 2 == 0}}
        if visitor:
            body["visitor_id"] = visitor
        resp = client.post(f"/api/v1/sites/{site}/consents", json=body)
        assert resp.status_code == 201, resp.get_json()
        visitor = resp.get_json()["visitor_id"]
    return ids.verify(SECRET, visitor)


def add_site(store: Storage, key: str) -> None:
    """A second site with the demo's categories and policy version 1."""
    store.put_site(Site(key=key, name=key, origins=[], languages=["ja"]))
    store.put_categories(key, demo_categories())
    publish_policy(store, key, "初版", bump=False)


def cli(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CMP_STORE_URL": url, "CMP_SECRET_KEY": SECRET}
    env.pop("CMP_ENV", None)
    return subprocess.run(
        [CMP, "verify-receipts", *args], env=env, capture_output=True, text=True, timeout=60
    )


def rewrite(server: RedisServer, vid: str, change) -> None:
    """Apply ``change(header, elements) -> elements`` to the visitor's receipt blob."""
    raw = redis.Redis(port=server.port)
    try:
        key = redis_keys.receipts(vid)
        blob = raw.get(key)
        parts = change(split_blob(blob))
        raw.set(key, blob[:HEADER] + b"".join(element(p) for p in parts))
    finally:
        raw.close()


@pytest.fixture
def redis_app(redis_server: RedisServer) -> Flask:
    client = redis_server.client()
    client.flushall()
    client.close()
    app = make_app(redis_server.url)
    yield app
    app.extensions["cmp.store"].close()


def test_intact_chains_pass_on_every_backend(app: Flask) -> None:
    store = app.extensions["cmp.store"]
    add_site(store, "shop")
    visitors = [decide(app) for _ in range(3)] + [decide(app, "shop", 2)]
    report = verify_store(store)
    assert report.ok, report.findings
    assert report.visitors == 4 and report.receipts == 11
    only_shop = verify_store(store, "shop")
    assert only_shop.ok and only_shop.visitors == 1 and only_shop.receipts == 2
    assert set(store.iter_visitors()) == set(visitors)


def test_cli_reports_nothing_on_an_intact_store(redis_app: Flask, redis_server) -> None:
    decide(redis_app)
    result = cli(redis_server.url)
    assert result.returncode == 0, result.stderr
    assert "checked 1 visitors, 3 receipts: 0 problem(s)" in result.stdout


def test_altered_receipt_is_caught(redis_app: Flask, redis_server: RedisServer) -> None:
    store = redis_app.extensions["cmp.store"]
    victim, bystander = decide(redis_app), decide(redis_app)
    second = store.get_receipts(None, victim)[1]
    # Backdate the visitor's refusal into a consent, keeping the stored hash as it was.
    forged = replace(second, categories={**second.categories, "analytics": True})
    assert forged.categories != second.categories
    rewrite(
        redis_server, victim, lambda parts: [parts[0], dumps(forged.to_dict()).encode(), *parts[2:]]
    )
    assert store.get_receipts(None, victim)[1].categories["analytics"] is True

    result = cli(redis_server.url)
    assert result.returncode == 1
    lines = [line.split("\t") for line in result.stdout.splitlines() if "\t" in line]
    assert lines and all(ids.verify(SECRET, signed) == victim for _, signed, _ in lines)
    assert any(problem.endswith("content altered") for _, _, problem in lines)
    assert any(second.receipt_id in problem for _, _, problem in lines)
    assert "checked 2 visitors, 6 receipts" in result.stdout
    assert verify_store(store, visitors=[bystander]).ok


def test_removed_receipts_are_caught(redis_app: Flask, redis_server: RedisServer) -> None:
    store = redis_app.extensions["cmp.store"]
    middle, newest = decide(redis_app, times=4), decide(redis_app, times=4)
    rewrite(redis_server, middle, lambda parts: [parts[0], *parts[2:]])
    rewrite(redis_server, newest, lambda parts: parts[:-1])

    report = verify_store(store)
    by_visitor = {
        v: [f.problem for f in report.findings if f.visitor_id == v] for v in (middle, newest)
    }
    assert any("previous receipt missing" in p for p in by_visitor[middle])
    assert "newest receipt missing or altered" in by_visitor[newest]
    assert any(p.startswith("state points at receipt") for p in by_visitor[newest])
    assert cli(redis_server.url).returncode == 1


def test_site_filter_and_unknown_site(redis_app: Flask, redis_server: RedisServer) -> None:
    store = redis_app.extensions["cmp.store"]
    add_site(store, "shop")
    broken = decide(redis_app, "shop", 3)
    decide(redis_app)
    rewrite(redis_server, broken, lambda parts: parts[:-1])
    assert cli(redis_server.url, "--site", "demo").returncode == 0
    assert cli(redis_server.url, "--site", "shop").returncode == 1
    missing = cli(redis_server.url, "--site", "nosuch")
    assert missing.returncode != 0 and "no site 'nosuch'" in missing.stderr


def test_batches_report_exactly_the_damaged_visitors(
    redis_app: Flask, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Several batches, one undecodable blob and one altered chain among intact visitors."""
    monkeypatch.setattr(verify, "BATCH", 4)
    store = redis_app.extensions["cmp.store"]
    visitors = [decide(redis_app, times=2) for _ in range(10)]
    garbled, cut = visitors[5], visitors[6]
    raw = redis.Redis(port=redis_server.port)
    try:
        key = redis_keys.receipts(garbled)
        raw.set(key, raw.get(key)[:HEADER] + b"\xff\xff\xff\x7f not a receipt")
    finally:
        raw.close()
    rewrite(redis_server, cut, lambda parts: parts[:-1])

    done: list[int] = []
    report = verify_store(store, progress=done.append)
    assert sum(done) == 10 and len(done) == 3
    assert report.visitors == 10
    assert {f.visitor_id for f in report.findings} == {garbled, cut}
    assert any("unreadable" in f.problem for f in report.findings if f.visitor_id == garbled)


def test_decisions_landing_during_the_walk_are_not_findings(
    redis_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A live store: visitors keep deciding while the walk reads them. Between the bulk read
    of a batch's chains and of its states a decision can land; that is not tampering."""
    monkeypatch.setattr(verify, "BATCH", 3)
    store = redis_app.extensions["cmp.store"]
    visitors = [decide(redis_app, times=1) for _ in range(9)]
    signed = {v: ids.sign(SECRET, v) for v in visitors}
    client = redis_app.test_client()
    real_get_states = store.get_states

    def get_states_after_a_decision(site: str, batch: list[str]):
        for vid in batch:  # each visitor decides again between the two reads
            body = {**DECISION, "visitor_id": signed[vid]}
            assert client.post("/api/v1/sites/demo/consents", json=body).status_code == 201
        return real_get_states(site, batch)

    monkeypatch.setattr(store, "get_states", get_states_after_a_decision)
    report = verify_store(store)
    assert report.ok, report.findings
    assert report.visitors == 9 and report.receipts == 18


def put_state_raw(store: Storage, state: ConsentState) -> None:
    """Overwrite a visitor's state on Redis as an intruder would: receipts untouched."""
    site_no = store.tables.sites.find(state.site.encode())
    packed = pack_state(state, store._choice_id(state.site, state))
    store.raw.set(redis_keys.state(state.visitor_id, site_no), packed)


def test_edited_state_is_caught_though_receipts_are_intact(redis_app: Flask) -> None:
    """Provision checks answer from the state: a refusal turned into a consent in the state
    alone, or an expiry pushed out, must be reported."""
    store = redis_app.extensions["cmp.store"]
    flipped, stretched, bystander = decide(redis_app), decide(redis_app), decide(redis_app)
    state = store.get_state("demo", flipped)
    put_state_raw(store, replace(state, categories={**state.categories, "targeting": True}))
    state = store.get_state("demo", stretched)
    put_state_raw(store, replace(state, expires_at="2099-01-01T00:00:00Z"))

    report = verify_store(store)
    found = {f.visitor_id: f.problem for f in report.findings}
    assert set(found) == {flipped, stretched}
    assert "categories" in found[flipped] and "expires_at" in found[stretched]
    assert verify_store(store, visitors=[bystander]).ok


def test_opt_outs_keep_the_withdrawn_decisions_version_and_expiry(app: Flask) -> None:
    """An intact store with opt-outs (after a decision, and as the very first record)
    verifies on every backend."""
    store = app.extensions["cmp.store"]
    site = store.get_site("demo")
    cats, recips = store.get_categories("demo"), store.get_recipients("demo")
    ctx = consents.Context(lang="ja", texts_hash="0" * 64)
    after = decide(app, times=2)
    publish_policy(store, "demo", "第2版", bump=True)  # the opt-out comes under version 2
    site = store.get_site("demo")
    consents.opt_out(store, site, cats, recips, after, ["analytics"], ctx=ctx)
    consents.opt_out(store, site, cats, recips, "firstoptout00000000000", "all", ctx=ctx)
    state = store.get_state("demo", after)
    assert state.policy_version == 1 and state.method == "opt-out"
    report = verify_store(store)
    assert report.ok, report.findings


def test_visitors_who_only_opted_out_verify(app: Flask) -> None:
    """An opt-out with no decision before it sets the version and expiry; later opt-outs
    keep them, across a new policy version and long after (from the second review)."""
    store = app.extensions["cmp.store"]
    cats, recips = store.get_categories("demo"), store.get_recipients("demo")
    ctx = consents.Context(lang="ja", texts_hash="0" * 64)
    early, late = "onlyoptouts00000000001", "onlyoptouts00000000002"
    long_ago = clock.now() - timedelta(days=500)
    consents.opt_out(store, store.get_site("demo"), cats, recips, early, "all", ctx=ctx)
    consents.opt_out(
        store, store.get_site("demo"), cats, recips, late, "all", ctx=ctx, now=long_ago
    )
    publish_policy(store, "demo", "第2版", bump=True)
    for vid in (early, late):
        consents.opt_out(store, store.get_site("demo"), cats, recips, vid, ["analytics"], ctx=ctx)
    report = verify_store(store)
    assert report.ok, report.findings
    assert report.visitors == 2


def test_a_state_on_a_site_without_receipts_is_caught(app: Flask) -> None:
    """A state written for a visitor on a site where they never decided (all receipts
    elsewhere intact) would answer provision checks there: the walk reports it, with or
    without the site filter."""
    store = app.extensions["cmp.store"]
    add_site(store, "shop")
    other = decide(app, "shop")
    assert verify_store(store).ok
    # A visitor who only ever decided on demo gets a copy of another visitor's shop state.
    forged = store.get_state("shop", other)
    store_state_elsewhere(store, replace(forged, visitor_id=decide(app)))

    report = verify_store(store)
    problems = [(f.site, f.problem) for f in report.findings]
    assert ("shop", "state without any receipt on this site") in problems
    assert len(report.findings) == 1
    only_shop = verify_store(store, "shop")
    assert [f.problem for f in only_shop.findings] == ["state without any receipt on this site"]


def store_state_elsewhere(store: Storage, state: ConsentState) -> None:
    """Write a state row/key directly, as an intruder would (no receipt, no chain)."""
    if hasattr(store, "raw"):
        put_state_raw(store, state)
        return
    conn = store._conn()
    conn.execute(
        "INSERT OR REPLACE INTO states (vid, site, data) VALUES (?, ?, ?)",
        (state.visitor_id, state.site, dumps(state.to_dict())),
    )


def test_a_state_of_a_visitor_without_any_receipt_is_caught(app: Flask) -> None:
    """From the third review: the walk listed visitors by their receipts only, so a state
    written for an id with no receipt anywhere was never read."""
    store = app.extensions["cmp.store"]
    template = store.get_state("demo", decide(app))
    ghost = "ghostvisitor0000000001"
    store_state_elsewhere(store, replace(template, visitor_id=ghost))
    assert ghost in set(store.iter_visitors())
    report = verify_store(store)
    assert [(f.visitor_id, f.problem) for f in report.findings] == [
        (ghost, "state without any receipt on this site")
    ]
