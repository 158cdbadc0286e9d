"""``POST /api/v1/sites/{site}/aliases`` on every backend: linking, normalisation, bad input."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from cmp import ids
from tests.conftest import SECRET
from tests.test_provision import check, decide, reasons

URL = "/api/v1/sites/demo/aliases"
IDFA = "6D92078A-8246-4BA4-AE5B-76104861E7DC"
HASHED = "A" * 64


def test_link_aliases_and_resolve_them(app: Flask, client: FlaskClient, api_key) -> None:
    vid = decide(client, {"targeting": True}, {"dmp-partner": True})
    aliases = [
        {"type": "idfa", "value": IDFA},
        {"type": "email_sha256", "value": HASHED},
        {"type": "cookie:dmp_uid", "value": "u-123"},
        {"type": "idfa", "value": IDFA.lower()},
    ]
    resp = client.post(
        URL,
        json={"visitor_id": vid, "aliases": aliases},
        headers={"Authorization": f"Bearer {api_key('write')}"},
    )
    assert resp.status_code == 201
    linked = resp.get_json()["aliases"]
    assert linked == [
        {"type": "idfa", "value": IDFA.lower()},
        {"type": "email_sha256", "value": HASHED.lower()},
        {"type": "cookie:dmp_uid", "value": "u-123"},
    ]
    store = app.extensions["cmp.store"]
    raw = ids.verify(SECRET, vid)
    pairs = [(a["type"], a["value"]) for a in linked]
    assert store.resolve_aliases("demo", pairs) == [raw, raw, raw]


def test_bad_alias_requests(app: Flask, client: FlaskClient, api_key) -> None:
    vid = decide(client, {"analytics": True})
    key = {"Authorization": f"Bearer {api_key('write')}"}
    cases = [
        ({"visitor_id": vid, "aliases": []}, 422),
        ({"visitor_id": vid, "aliases": [{"type": "idfa", "value": "nope"}] * 21}, 422),
        ({"visitor_id": vid, "aliases": [{"type": "idfa", "value": "nope"}]}, 422),
        ({"visitor_id": vid, "aliases": [{"type": "email_sha256", "value": "abc"}]}, 422),
        ({"visitor_id": vid, "aliases": [{"type": "cookie:", "value": "v"}]}, 422),
        ({"visitor_id": vid, "aliases": [{"type": "phone", "value": "1"}]}, 422),
        ({"visitor_id": vid, "aliases": ["idfa"]}, 422),
        ({"visitor_id": "forged.sig", "aliases": [{"type": "idfa", "value": IDFA}]}, 400),
        ({"visitor_id": ids.issue(SECRET)[1], "aliases": [{"type": "idfa", "value": IDFA}]}, 404),
    ]
    for body, status in cases:
        assert client.post(URL, json=body, headers=key).status_code == status, body
    read = {"Authorization": f"Bearer {api_key('read')}"}
    body = {"visitor_id": vid, "aliases": [{"type": "idfa", "value": IDFA}]}
    assert client.post(URL, json=body, headers=read).status_code == 403
    assert app.extensions["cmp.store"].resolve_aliases("demo", [("idfa", IDFA.lower())]) == [None]


GA = [{"type": "cookie:_ga", "value": "GA1.1.111.222"}]


def test_a_decision_cannot_take_another_visitors_alias(
    app: Flask, client: FlaskClient, api_key
) -> None:
    """The public endpoint takes any cookie value from anyone: a decision naming an alias
    another visitor holds must not move it (that would let a stranger's consent answer for
    the victim). The alias then resolves to no one until the operator's backend links it."""
    key = api_key("provision")
    victim = decide(client, {"analytics": False, "targeting": False}, aliases=GA)
    # The victim's own later decisions keep the alias.
    decide(client, {"targeting": False}, visitor_id=victim, aliases=GA)
    store = app.extensions["cmp.store"]
    assert store.resolve_aliases("demo", [("cookie:_ga", "GA1.1.111.222")]) == [
        ids.verify(SECRET, victim)
    ]
    attacker = decide(client, {"analytics": True, "targeting": True}, {"dmp-partner": True})
    decide(client, {"targeting": True}, {"dmp-partner": True}, visitor_id=attacker, aliases=GA)

    resp = check(client, key, "dmp-partner", None, identifiers=GA)
    assert resp.status_code == 200
    assert resp.get_json()["allowed"] == []
    assert resp.get_json()["denied"][0]["reason"] == "unknown_visitor"
    # Neither visitor's own decision changed: the victim still refuses by id.
    assert reasons(check(client, key, "dmp-partner", [victim])) == {victim: "no_consent"}

    # The operator's backend settles it with the keyed API.
    write = {"Authorization": f"Bearer {api_key('write')}"}
    body = {"visitor_id": victim, "aliases": GA}
    assert client.post(URL, json=body, headers=write).status_code == 201
    resp = check(client, key, "dmp-partner", None, identifiers=GA)
    assert resp.get_json()["denied"][0]["reason"] == "no_consent"
