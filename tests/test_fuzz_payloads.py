"""Hypothesis fuzzing of the API's request bodies: never a 500, only documented answers.

Bodies come in three kinds: any JSON value at all, objects that look almost like a valid
decision (the right keys holding anything), and raw bytes under random media types. Every
answer must be a documented status; every error must be problem+json with a ``code``; and
after the storm every receipt chain in the store must still verify.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmp.apikeys import issue
from cmp.verify import verify_store
from tests.conftest import make_app
from tests.openapi_check import watch

DECISION_STATUSES = {201, 400, 403, 404, 409, 413, 415, 422}
KEYED_STATUSES = {200, 201, 400, 401, 403, 404, 413, 415, 422}
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=80)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=20), inner, max_size=6)
    ),
    max_leaves=25,
)
category_keys = st.sampled_from(["essential", "analytics", "targeting", "nosuch", "", "__proto__"])
near_decision = st.fixed_dictionaries(
    {},
    optional={
        "visitor_id": json_values | st.text(max_size=120) | st.just("AAAA.BBBB"),
        "policy_version": st.just(1) | st.integers() | json_values,
        "categories": st.dictionaries(
            category_keys | st.text(max_size=70), st.booleans() | json_values, max_size=5
        )
        | json_values,
        "recipients": st.dictionaries(st.text(max_size=70), st.booleans(), max_size=5)
        | json_values,
        "method": st.sampled_from(["banner", "preferences", "gpc", "opt-out", ""]) | json_values,
        "lang": st.sampled_from(["ja", "en", "fr"]) | json_values,
        "gpc": st.booleans() | json_values,
        "aliases": st.lists(
            st.fixed_dictionaries(
                {"type": st.sampled_from(["cookie:_ga", "cookie:x", "email"]) | json_values},
                optional={"value": st.text(max_size=300) | json_values},
            )
            | json_values,
            max_size=25,
        )
        | json_values,
    },
)
bodies = json_values.map(json.dumps) | near_decision.map(json.dumps)
raw_bodies = st.binary(max_size=2048) | st.text(max_size=400).map(str.encode)
media_types = st.sampled_from(
    [
        "application/json",
        "text/plain",
        "application/x-www-form-urlencoded",
        "",
        "application/json; charset=latin-1",
    ]
)


@pytest.fixture(params=["sqlite", "redis"])
def fuzz_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """The app on SQLite or a flushed Redis, every API answer checked against openapi.json."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'cmp.sqlite3'}"
    else:
        server = request.getfixturevalue("redis_server")
        client = server.client()
        client.flushall()
        client.close()
        url = server.url
    app = make_app(url)
    strays = watch(app)
    yield app
    report = verify_store(app.extensions["cmp.store"])
    app.extensions["cmp.store"].close()
    assert strays == [], strays[:5]
    assert report.ok, report.findings[:5]


def _check(resp: Any, allowed: set[int]) -> None:
    assert resp.status_code in allowed, (resp.status_code, resp.get_data()[:300])
    if resp.status_code >= 400:
        assert resp.mimetype == "application/problem+json"
        problem = resp.get_json()
        assert isinstance(problem["code"], str) and problem["status"] == resp.status_code


def test_decision_bodies_never_500(fuzz_app: Flask) -> None:
    client = fuzz_app.test_client()

    @SETTINGS
    @given(body=bodies)
    def run(body: str) -> None:
        resp = client.post(
            "/api/v1/sites/demo/consents", data=body, content_type="application/json"
        )
        _check(resp, DECISION_STATUSES)
        if resp.status_code == 201:
            data = resp.get_json()
            assert data["consent"]["categories"]["essential"] is True

    run()


def test_raw_bytes_and_media_types_never_500(fuzz_app: Flask) -> None:
    client = fuzz_app.test_client()

    @SETTINGS
    @given(
        body=raw_bodies,
        media=media_types,
        site=st.sampled_from(["demo", "nosuch", "%00", "a" * 300]),
    )
    def run(body: bytes, media: str, site: str) -> None:
        resp = client.post(f"/api/v1/sites/{site}/consents", data=body, content_type=media)
        _check(resp, DECISION_STATUSES)

    run()


def test_keyed_bodies_never_500(fuzz_app: Flask) -> None:
    key = issue(fuzz_app.extensions["cmp.store"], "demo", ["write", "provision", "read"])[1]
    client = fuzz_app.test_client()
    auth = {"Authorization": f"Bearer {key}"}
    paths = ["opt-outs", "provision-checks", "aliases", "received-provisions"]

    @SETTINGS
    @given(body=bodies, path=st.sampled_from(paths))
    def run(body: str, path: str) -> None:
        resp = client.post(
            f"/api/v1/sites/demo/{path}", data=body, content_type="application/json", headers=auth
        )
        _check(resp, KEYED_STATUSES)

    run()
