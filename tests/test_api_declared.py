"""One declared source for the API: the document and the server take and refuse the same.

Each body is checked twice: by the JSON Schema of ``/api/v1/openapi.json`` (jsonschema, as a
client or schemathesis reads it) and by the server's own decoding of the declaration
(:func:`cmp.api.declared.body`, through the app). The two must agree on every case, valid
or not; refusals keep their stable codes. The operation table and the app's routes agree.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from cmp import ids
from cmp.api.openapi import spec
from cmp.api.operations import OPERATIONS
from cmp.apikeys import issue
from cmp.model import SCOPES
from tests.conftest import SECRET, make_app

ORIGIN = "http://127.0.0.1:8000"
VID = ids.issue(SECRET)[1]
IDFA = "6D92078A-8246-4BA4-AE5B-76104861E7DC"
PROVIDER = {"name": "a", "address": "b", "representative": "c"}
RECEIVED = {"provider": PROVIDER, "items": ["x"], "person_id": "p", "consent_statement": "s"}


def decision(**members: Any) -> dict[str, Any]:
    return {"policy_version": 1, **members}


def link(*aliases: dict[str, str]) -> dict[str, Any]:
    return {"visitor_id": VID, "aliases": list(aliases)}


def check(**members: Any) -> dict[str, Any]:
    return {"recipient": "r", "items": ["x"], **members}


IDFA_ALIAS = {"type": "idfa", "value": IDFA}
# (path under /sites/demo, component, body, valid by the declaration)
CASES: list[tuple[str, str, Any, bool]] = [
    ("/consents", "Decision", decision(), True),
    ("/consents", "Decision", decision(visitor_id=None), True),
    ("/consents", "Decision", decision(aliases="not a list"), True),
    ("/consents", "Decision", {"policy_version": "1"}, False),
    ("/consents", "Decision", {"policy_version": True}, False),
    ("/consents", "Decision", decision(lang=None), False),
    ("/consents", "Decision", decision(lang="fr"), False),
    ("/consents", "Decision", decision(method="opt-out"), False),
    ("/consents", "Decision", decision(categories={"a": 1}), False),
    ("/consents", "Decision", decision(categories={"a" * 65: True}), False),
    ("/consents", "Decision", decision(recipients={str(n): True for n in range(201)}), False),
    ("/consents", "Decision", decision(visitor_id="not-an-id"), False),
    ("/consents", "Decision", [], False),
    ("/consent-state", "ConsentStateRequest", {}, False),
    ("/consent-state", "ConsentStateRequest", {"visitor_id": 5}, False),
    ("/opt-outs", "OptOut", {"visitor_id": VID, "categories": "all"}, True),
    ("/opt-outs", "OptOut", {"visitor_id": VID, "categories": ["analytics"]}, True),
    ("/opt-outs", "OptOut", {"visitor_id": VID, "categories": []}, False),
    ("/opt-outs", "OptOut", {"visitor_id": VID, "categories": "some"}, False),
    ("/opt-outs", "OptOut", {"visitor_id": VID, "categories": "all", "note": 5}, False),
    ("/aliases", "AliasLink", link(IDFA_ALIAS), True),
    ("/aliases", "AliasLink", link(), False),
    ("/aliases", "AliasLink", link(*[IDFA_ALIAS] * 21), False),
    ("/aliases", "AliasLink", link({"type": "idfa", "value": "x"}), False),
    ("/aliases", "AliasLink", link({"type": "cookie:", "value": "x"}), False),
    ("/aliases", "AliasLink", link({"type": "imei", "value": "1"}), False),
    ("/provision-checks", "ProvisionCheck", check(visitor_ids=[VID]), True),
    ("/provision-checks", "ProvisionCheck", check(), False),
    (
        "/provision-checks",
        "ProvisionCheck",
        check(visitor_ids=[VID], identifiers=[IDFA_ALIAS]),
        False,
    ),
    ("/provision-checks", "ProvisionCheck", check(identifiers=[]), False),
    ("/provision-checks", "ProvisionCheck", check(items=[""], visitor_ids=[VID]), False),
    (
        "/provision-checks",
        "ProvisionCheck",
        check(visitor_ids=[VID], provided_from="2026-02-30"),
        False,
    ),
    ("/received-provisions", "ReceivedProvisionInput", RECEIVED, True),
    ("/received-provisions", "ReceivedProvisionInput", {**RECEIVED, "person_id": "   "}, False),
    (
        "/received-provisions",
        "ReceivedProvisionInput",
        {**RECEIVED, "provider": {**PROVIDER, "name": "n" * 501}},
        False,
    ),
    ("/received-provisions", "ReceivedProvisionInput", {**RECEIVED, "note": "n" * 2001}, False),
    ("/received-provisions", "ReceivedProvisionInput", {**RECEIVED, "items": []}, False),
]
#: What the server answers beyond the declaration (the site's own data, signatures).
SEMANTIC = {400, 404, 409, 422}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> tuple[Flask, str]:
    app = make_app(f"sqlite:///{Path(tmp_path_factory.mktemp('declared')) / 'c.sqlite3'}")
    return app, issue(app.extensions["cmp.store"], "demo", list(SCOPES))[1]


def _validator(component: str) -> Draft202012Validator:
    document = spec()
    registry = Registry().with_resource(
        "urn:cmp:openapi",
        Resource.from_contents(
            {"$schema": "https://json-schema.org/draft/2020-12/schema", **document}
        ),
    )
    return Draft202012Validator(
        {"$ref": f"urn:cmp:openapi#/components/schemas/{component}"}, registry=registry
    )


def _post(client: FlaskClient, key: str, path: str, body: Any):
    return client.post(
        f"/api/v1/sites/demo{path}",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Origin": ORIGIN, "Authorization": f"Bearer {key}"},
    )


@pytest.mark.parametrize(("path", "component", "body", "valid"), CASES)
def test_document_and_server_agree(
    served: tuple[Flask, str], path: str, component: str, body: Any, valid: bool
) -> None:
    app, key = served
    assert _validator(component).is_valid(body) is valid, "the document"
    resp = _post(app.test_client(), key, path, body)
    problem = resp.get_json()
    if valid:
        # Taken by the declaration; the site's own data may still refuse (unknown visitor).
        assert resp.status_code < 300 or (
            resp.status_code in SEMANTIC
            and problem["code"] not in ("validation_error", "invalid_identifier")
        ), problem
    else:
        assert resp.status_code in (400, 422), problem
        assert problem["code"] in ("validation_error", "invalid_identifier", "invalid_visitor_id")


def test_refusals_keep_their_codes(served: tuple[Flask, str]) -> None:
    app, key = served
    client = app.test_client()

    def problem(path: str, body: Any) -> tuple[int, str, str | None]:
        answer = _post(client, key, path, body).get_json()
        return answer["status"], answer["code"], answer.get("field")

    assert problem("/consents", {"policy_version": 1, "visitor_id": "x"}) == (
        400,
        "invalid_visitor_id",
        "visitor_id",
    )
    assert problem("/consent-state", {}) == (422, "validation_error", "visitor_id")
    assert problem("/consents", {"policy_version": 1, "lang": None}) == (
        422,
        "validation_error",
        "lang",
    )
    link = {"visitor_id": VID, "aliases": [{"type": "idfa", "value": "x"}]}
    assert problem("/aliases", link)[:2] == (422, "invalid_identifier")
    bad_name = {**RECEIVED, "provider": {"name": "a", "address": "b"}}
    assert problem("/received-provisions", bad_name) == (
        422,
        "validation_error",
        "provider.representative",
    )
    assert problem("/consents", {"policy_version": 1, "x": "\ud800"})[:2] == (400, "invalid_json")


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ({"limit": "5.0"}, 422, "validation_error"),
        ({"limit": "²"}, 422, "validation_error"),
        ({"limit": "10001"}, 422, "validation_error"),
        ({"ids": "2"}, 422, "validation_error"),
        ({"visitor_id": "x"}, 400, "invalid_visitor_id"),
        ({"limit": "10000", "ids": "1", "from": "", "lang": "en"}, 200, None),
    ],
)
def test_queries_are_read_through_their_declaration(
    served: tuple[Flask, str], query: dict[str, str], status: int, code: str | None
) -> None:
    app, key = served
    resp = app.test_client().get(
        "/api/v1/sites/demo/provision-records",
        query_string=query,
        headers={"Authorization": f"Bearer {key}"},
    )
    assert resp.status_code == status, resp.get_data(as_text=True)
    if code:
        assert resp.get_json()["code"] == code


def test_every_operation_is_a_route_and_every_route_an_operation(
    served: tuple[Flask, str],
) -> None:
    app, _ = served
    routes = {
        (method.lower(), rule.rule.replace("<", "{").replace(">", "}"))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }
    declared = {(op.method, f"/api/v1{op.path}") for op in OPERATIONS}
    assert routes == declared
    assert set(spec()["paths"]) == {path for _, path in declared}
