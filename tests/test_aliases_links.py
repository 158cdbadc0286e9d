"""Who may move an alias, on every backend (issue 12 review, findings 2 and 3).

A keyed link (``POST /aliases``) never moves an alias another visitor holds: it answers 409
``alias_held`` and the holder's refusals keep applying through the alias. An anonymous
banner claim never undoes a keyed link: the decision is recorded, the claim is dropped.
"""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.test_provision import ORIGIN, check, decide

URL = "/api/v1/sites/demo/aliases"
BOTH = {"dmp-partner": True, "ad-global": True}


def _link(client: FlaskClient, key: str, vid: str, aliases: list) -> object:
    body = {"visitor_id": vid, "aliases": aliases}
    return client.post(URL, json=body, headers={"Authorization": f"Bearer {key}"})


def _by_alias(client: FlaskClient, key: str, alias: dict) -> dict:
    resp = check(client, key, "dmp-partner", None, identifiers=[alias])
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def test_a_keyed_link_does_not_move_a_refusing_visitors_alias(client: FlaskClient, api_key) -> None:
    """The victim refused with her ``_ga`` (a banner claim). An attacker who sends that
    ``_ga`` value next to his own cmp cookie in one first-party request gets the operator's
    backend to link it to him: the link is refused (409) and the victim's refusal still
    applies through the alias; the attacker's free aliases in the same call are linked."""
    ga = {"type": "cookie:_ga", "value": "GA1.2.111.222"}
    own = {"type": "cookie:_ga", "value": "GA1.2.999.888"}
    victim = decide(client, {"targeting": False}, aliases=[ga])
    check_key, write = api_key("provision"), api_key("write")
    assert _by_alias(client, check_key, ga)["denied"][0]["reason"] == "no_consent"
    attacker = decide(client, {"targeting": True}, BOTH)
    resp = _link(client, write, attacker, [ga, own])
    assert resp.status_code == 409 and resp.mimetype == "application/problem+json"
    data = resp.get_json()
    assert data["code"] == "alias_held" and data["refused"] == [ga] and data["aliases"] == [own]
    after = _by_alias(client, check_key, ga)
    assert after["allowed"] == [] and after["denied"][0]["reason"] == "no_consent"
    assert _by_alias(client, check_key, own)["allowed"] == [own]
    # Asking again changes nothing; the holder's own link still upgrades the claim.
    assert _link(client, write, attacker, [ga]).status_code == 409
    assert _link(client, write, victim, [ga]).status_code == 201
    assert _by_alias(client, check_key, ga)["denied"][0]["reason"] == "no_consent"


def test_a_conflict_is_not_settled_for_the_second_claimant(client: FlaskClient, api_key) -> None:
    """A stranger's banner claim of the victim's alias leaves it in conflict; the stranger
    cannot then have it linked to himself (the two-step form of the same attack)."""
    ga = {"type": "cookie:_ga", "value": "GA1.2.555.666"}
    decide(client, {"targeting": False}, aliases=[ga])
    stranger = decide(client, {"targeting": True}, BOTH, aliases=[ga])
    check_key = api_key("provision")
    assert _by_alias(client, check_key, ga)["denied"][0]["reason"] == "unknown_visitor"
    assert _link(client, api_key("write"), stranger, [ga]).status_code == 409
    assert _by_alias(client, check_key, ga)["allowed"] == []


def test_an_anonymous_claim_does_not_undo_a_keyed_link(client: FlaskClient, api_key) -> None:
    """Any anonymous decision naming an ``api``-linked ``_ga`` value used to turn the link
    into a conflict: the alias then resolved to no one, stopping a consenting visitor's data
    flow and hiding a refusal behind ``unknown_visitor``. The claim is dropped instead (the
    decision itself is recorded, and nothing tells the anonymous caller the value is linked)."""
    ga = {"type": "cookie:_ga", "value": "GA1.2.333.444"}
    owner = decide(client, {"targeting": True}, BOTH)
    assert _link(client, api_key("write"), owner, [ga]).status_code == 201
    check_key = api_key("provision")
    assert _by_alias(client, check_key, ga)["allowed"] == [ga]
    body = {"policy_version": 1, "categories": {}, "recipients": {}, "aliases": [ga]}
    resp = client.post("/api/v1/sites/demo/consents", json=body, headers={"Origin": ORIGIN})
    assert resp.status_code == 201 and "ignored_aliases" not in resp.get_json()
    assert _by_alias(client, check_key, ga)["allowed"] == [ga]
    # The owner's refusal applies through the link, not hidden as unknown_visitor.
    decide(client, {"targeting": False}, visitor_id=owner)
    assert _by_alias(client, check_key, ga)["denied"][0]["reason"] == "no_consent"
