"""``POST /api/v1/sites/{site}/aliases`` on every backend: linking, normalisation, bad input."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from cmp import ids
from tests.conftest import SECRET
from tests.test_provision import ORIGIN, check, decide, reasons

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


# -- issue 12, finding 1: a banner claim can only narrow ----------------------------------

VICTIM_GA = [{"type": "cookie:_ga", "value": "GA1.1.424242.1700000000"}]
EVERYTHING = {"analytics": True, "targeting": True}
ALL_RECIPIENTS = {"dmp-partner": True, "ad-global": True}


def _verdicts(resp) -> list:
    data = resp.get_json()
    return [None] * len(data["allowed"]) + [d["reason"] for d in data["denied"]]


def test_a_stranger_squatting_an_unclaimed_alias_never_makes_it_allowed(
    app: Flask, client: FlaskClient, api_key
) -> None:
    """The attack of issue 12 #1: a stranger's anonymous "accept all" naming the victim's
    unclaimed _ga. A check by that _ga must not answer allowed, and the record lists no id."""
    key = api_key("provision")
    decide(client, EVERYTHING, ALL_RECIPIENTS, aliases=VICTIM_GA)
    for recipient in ("dmp-partner", "ad-global"):
        resp = check(client, key, recipient, None, identifiers=VICTIM_GA)
        assert resp.status_code == 200
        assert resp.get_json()["allowed"] == []
        assert _verdicts(resp) == ["alias_unverified"]
    for record in app.extensions["cmp.store"].query_provision_records("demo"):
        assert record.allowed == [] and record.allowed_count == 0


def test_a_banner_claim_still_carries_refusals_and_opt_outs(
    app: Flask, client: FlaskClient, api_key
) -> None:
    key = api_key("provision")
    write = {"Authorization": f"Bearer {api_key('write')}"}
    refuser = decide(client, {"analytics": True, "targeting": False}, aliases=VICTIM_GA)
    resp = check(client, key, "dmp-partner", None, identifiers=VICTIM_GA)
    assert _verdicts(resp) == ["no_consent"]
    decide(client, EVERYTHING, ALL_RECIPIENTS, visitor_id=refuser, aliases=VICTIM_GA)
    opt_out = {"visitor_id": refuser, "categories": ["targeting"], "source": "support-desk"}
    assert (
        client.post("/api/v1/sites/demo/opt-outs", json=opt_out, headers=write).status_code == 201
    )
    assert _verdicts(check(client, key, "dmp-partner", None, identifiers=VICTIM_GA)) == [
        "opted_out"
    ]


def test_an_authenticated_link_upgrades_a_banner_claim(
    app: Flask, client: FlaskClient, api_key
) -> None:
    """The operator's backend saw cmp's cookie and the _ga in one first-party request and
    links them: from then on the alias answers like the visitor id, allowed included."""
    key = api_key("provision")
    vid = decide(client, EVERYTHING, ALL_RECIPIENTS, aliases=VICTIM_GA)
    assert _verdicts(check(client, key, "dmp-partner", None, identifiers=VICTIM_GA)) == [
        "alias_unverified"
    ]
    write = {"Authorization": f"Bearer {api_key('write')}"}
    linked = client.post(URL, json={"visitor_id": vid, "aliases": VICTIM_GA}, headers=write)
    assert linked.status_code == 201
    resp = check(client, key, "dmp-partner", None, identifiers=VICTIM_GA)
    assert resp.get_json()["allowed"] == VICTIM_GA
    # The visitor's own later banner decisions keep the link it has.
    decide(client, EVERYTHING, ALL_RECIPIENTS, visitor_id=vid, aliases=VICTIM_GA)
    assert (
        check(client, key, "dmp-partner", None, identifiers=VICTIM_GA).get_json()["allowed"]
        == VICTIM_GA
    )
    raw = ids.verify(SECRET, vid)
    records = app.extensions["cmp.store"].query_provision_records("demo")
    assert [r.allowed for r in records] == [[], [[raw, f"{raw}-1"]], [[raw, f"{raw}-2"]]]


def test_bad_aliases_are_left_out_and_the_decision_is_recorded(
    app: Flask, client: FlaskClient
) -> None:
    """CONTRACT E: no 422 for aliases on the public POST; the 201 lists what was left out."""
    good = {"type": "cookie:_ga", "value": "GA1.1.5.5"}
    sent = [
        {"type": "cookie:sid", "value": "x"},
        {"type": "cookie:_ga", "value": "has space"},
        {"type": "idfa", "value": IDFA},
        "junk",
        {"type": "cookie:_ga"},
        good,
        good,
        *({"type": "cookie:_ga", "value": f"GA1.1.{n}"} for n in range(25)),
    ]
    body = {"policy_version": 1, "categories": {"analytics": True}, "aliases": sent}
    resp = client.post("/api/v1/sites/demo/consents", json=body, headers={"Origin": ORIGIN})
    assert resp.status_code == 201, resp.get_json()
    data = resp.get_json()
    ignored = data["ignored_aliases"]
    assert [i["index"] for i in ignored] == [0, 1, 2, 3, 4, *range(26, 32)]
    assert ignored[0] == {"index": 0, "type": "cookie:sid", "reason": ignored[0]["reason"]}
    store = app.extensions["cmp.store"]
    raw = ids.verify(SECRET, data["visitor_id"])
    assert store.get_state("demo", raw).categories["analytics"] is True
    kept = [("cookie:_ga", "GA1.1.5.5")] + [("cookie:_ga", f"GA1.1.{n}") for n in range(19)]
    assert store.resolve_aliases("demo", kept) == [raw] * 20
    assert store.resolve_aliases("demo", [("cookie:_ga", "GA1.1.19"), ("cookie:sid", "x")]) == [
        None,
        None,
    ]
    for aliases in ("not a list", 7, {"type": "cookie:_ga"}):
        resp = client.post(
            "/api/v1/sites/demo/consents",
            json={**body, "aliases": aliases},
            headers={"Origin": ORIGIN},
        )
        assert resp.status_code == 201 and resp.get_json()["ignored_aliases"][0]["index"] is None
    body["aliases"] = [good]
    resp = client.post("/api/v1/sites/demo/consents", json=body, headers={"Origin": ORIGIN})
    assert resp.status_code == 201 and "ignored_aliases" not in resp.get_json()


def test_links_stored_before_provenance_count_as_banner_claims(tmp_path) -> None:
    """A SQLite file from an older cmp gains the origin column; its links (which may be
    squatted banner claims) can deny but not allow until the operator links them again."""
    import sqlite3

    from cmp.storage import open_store
    from cmp.storage.base import AliasLink

    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE aliases (site TEXT NOT NULL, type TEXT NOT NULL, value TEXT NOT NULL, "
        "vid TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (site, type, value))"
    )
    conn.execute("INSERT INTO aliases VALUES ('demo', 'cookie:_ga', 'G', 'V', 'then')")
    conn.commit()
    conn.close()
    store = open_store(f"sqlite:///{path}")
    try:
        assert store.resolve_alias_links("demo", [("cookie:_ga", "G")]) == [
            AliasLink("V", "banner")
        ]
    finally:
        store.close()
