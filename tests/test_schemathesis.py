"""Property-based API tests generated from ``/api/v1/openapi.json`` by schemathesis.

Every operation gets a bounded number of generated requests (``MAX_EXAMPLES``), valid and
invalid, against the in-process WSGI app on SQLite and on Redis, with an API key that has
every scope, so the authenticated paths are reached. Each answer must not be a server error,
must use a documented status and media type, and must match the documented schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cmp.api.openapi import spec
from cmp.apikeys import issue
from cmp.model import SCOPES
from tests.conftest import make_app
from tests.openapi_check import watch

MAX_EXAMPLES = 30
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _store_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'cmp.sqlite3'}"
    server = request.getfixturevalue("redis_server")
    client = server.client()
    try:
        client.flushall()
    finally:
        client.close()
    return server.url


@dataclass
class Target:
    """The app's schema as schemathesis loaded it, plus what generation should aim at."""

    schema: Any
    key: str
    visitors: list[str]

    def strategy(self, operation: str) -> st.SearchStrategy:
        """Cases for one operation: free, on the seeded site, on real visitors, and invalid."""
        method, path = operation.split(" ", 1)
        op = self.schema[path][method]
        demo = {"site": "demo"}
        choices = [
            op.as_strategy(),
            op.as_strategy(path_parameters=demo),
            op.as_strategy(GenerationMode.NEGATIVE, path_parameters=demo),
        ]
        if "{visitor_id}" in path:
            choices += [
                op.as_strategy(path_parameters={**demo, "visitor_id": v}) for v in self.visitors
            ]
        return st.one_of(choices)


@pytest.fixture(params=["sqlite", "redis"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    """The app on SQLite or Redis, loaded by schemathesis over WSGI, with real data behind it."""
    app = make_app(_store_url(request.param, request, tmp_path))
    strays = watch(app)
    store = app.extensions["cmp.store"]
    key = issue(store, "demo", list(SCOPES))[1]
    client = app.test_client()
    visitors = [
        client.post(
            "/api/v1/sites/demo/consents",
            json={"policy_version": 1, "categories": {"analytics": n % 2 == 0}},
        ).get_json()["visitor_id"]
        for n in range(3)
    ]
    config = SchemathesisConfig.from_dict({"generation": {"max-examples": MAX_EXAMPLES}})
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)
    yield Target(schema, key, visitors)
    store.close()
    assert strays == [], strays


def _operations() -> list[str]:
    return [f"{m.upper()} {p}" for p, ops in spec()["paths"].items() for m in ops]


# The plugin's lazy ``from_fixture`` needs a pytest internal that pytest 9 removed, so each
# operation is one test item here, driving schemathesis's own strategies through hypothesis.
@pytest.mark.parametrize("operation", _operations())
def test_api_conforms_to_its_openapi_document(target: Target, operation: str) -> None:
    # Schemathesis's WSGI transport asks for gzip but does not decode it; the compressed
    # config is checked against the plain one in tests/test_public_edges.py.
    auth = {"Authorization": f"Bearer {target.key}", "Accept-Encoding": "identity"}

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=target.strategy(operation))
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=auth, checks=CHECKS)

    run()
