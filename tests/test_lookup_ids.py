"""Lookup-only ids (issue 12, finding 2): partners and exports never receive the signed id
that can change consent; the keyed endpoints accept lookup ids, the public POST never; a
grant that reverses an operator-recorded opt-out is visible to the operator."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from cmp import clock, ids, lookup
from cmp.consents import REVERSAL_COUNTER, REVERSAL_NOTE
from tests.conftest import SECRET
from tests.test_provision import ORIGIN, check, decide

SITE = "/api/v1/sites/demo"
BOTH = {"dmp-partner": True, "ad-global": True}


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _support_desk_opt_out(client: FlaskClient, api_key, vid: str) -> None:
    body = {"visitor_id": vid, "categories": ["targeting"], "source": "support-desk"}
    resp = client.post(f"{SITE}/opt-outs", json=body, headers=_auth(api_key("write")))
    assert resp.status_code == 201


def test_a_partner_cannot_turn_an_operator_opt_out_back_into_consent(
    app: Flask, client: FlaskClient, api_key
) -> None:
    """The attack of issue 12 #2: everything a partner receives (check answers, records
    with ids, CSV) names the visitor by a lookup id; an anonymous decision with it is
    refused before the store is touched, and the opt-out stands."""
    store = app.extensions["cmp.store"]
    vid = decide(client, {"targeting": True}, BOTH)
    raw = ids.verify(SECRET, vid)
    answer = check(client, api_key("provision"), "dmp-partner", [vid]).get_json()
    [shown] = answer["allowed"]
    assert answer["lookup_ids"] == [shown] and shown != vid and raw not in shown
    _support_desk_opt_out(client, api_key, vid)
    read = _auth(api_key("read"))
    exported = client.get(f"{SITE}/provision-records?ids=1", headers=read).get_json()
    csv = client.get(f"{SITE}/provision-records?ids=1&format=csv", headers=read)
    assert exported["records"][0]["allowed"][0]["visitor_id"] == shown
    assert vid not in csv.get_data(as_text=True) and shown in csv.get_data(as_text=True)
    before = store.get_receipts("demo", raw)
    for stolen in (shown, lookup.make(SECRET, "demo", "_", raw)):
        body = {"visitor_id": stolen, "policy_version": 1, "categories": {"targeting": True}}
        resp = client.post(
            f"{SITE}/consents", json={**body, "recipients": BOTH}, headers={"Origin": ORIGIN}
        )
        assert resp.status_code == 400 and resp.get_json()["code"] == "invalid_visitor_id"
    assert store.get_receipts("demo", raw) == before
    assert store.get_state("demo", raw).opted_out == ["targeting"]
    # Nor can a lookup id link an alias (a link can allow, so it needs the signed cookie).
    link = {"visitor_id": shown, "aliases": [{"type": "cookie:_ga", "value": "GA1.1.1.1"}]}
    resp = client.post(f"{SITE}/aliases", json=link, headers=_auth(api_key("write")))
    assert resp.status_code == 400


def test_keyed_endpoints_accept_lookup_ids_and_answer_with_them(
    app: Flask, client: FlaskClient, api_key
) -> None:
    vid = decide(client, {"targeting": True}, BOTH)
    raw = ids.verify(SECRET, vid)
    answer = check(client, api_key("provision"), "dmp-partner", [vid]).get_json()
    [shown] = answer["allowed"]
    read = _auth(api_key("read"))
    state = client.get(f"{SITE}/consents/{shown}", headers=read)
    assert state.status_code == 200 and state.get_json()["visitor_id"] == shown
    receipts = client.get(f"{SITE}/consents/{shown}/receipts", headers=read).get_json()
    assert {r["visitor_id"] for r in receipts["receipts"]} == {shown}
    assert vid not in state.get_data(as_text=True) + str(receipts)
    # A partner re-checks by the id it was given: answered with the same id.
    again = check(client, api_key("provision"), "dmp-partner", [shown]).get_json()
    assert again["allowed"] == [shown] and again["lookup_ids"] == [shown]
    # An ad-global partner receives another id for the same visitor: lists cannot be joined.
    other = check(client, api_key("provision"), "ad-global", [vid]).get_json()["allowed"]
    assert other == [lookup.make(SECRET, "demo", "ad-global", raw)] and other != [shown]
    # An opt-out (which can only narrow) may name the visitor by a lookup id.
    body = {"visitor_id": shown, "categories": ["targeting"], "source": "partner"}
    opted = client.post(f"{SITE}/opt-outs", json=body, headers=_auth(api_key("write")))
    assert opted.status_code == 201 and opted.get_json()["visitor_id"] == shown
    assert opted.get_json()["consent"]["visitor_id"] == shown
    denied = check(client, api_key("provision"), "dmp-partner", [shown]).get_json()["denied"]
    assert denied == [{"visitor_id": shown, "reason": "opted_out"}]


def test_forged_and_foreign_lookup_ids_are_refused(
    app: Flask, client: FlaskClient, api_key
) -> None:
    vid = decide(client, {"targeting": True}, BOTH)
    raw = ids.verify(SECRET, vid)
    good = lookup.make(SECRET, "demo", "dmp-partner", raw)
    altered = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    bad = [
        altered,
        good.replace("dmp-partner", "ad-global"),
        lookup.make(SECRET, "other-site", "dmp-partner", raw),
        lookup.make("another-secret-0123456789", "demo", "dmp-partner", raw),
        "lk.dmp-partner.short",
        "lk..x",
    ]
    read = _auth(api_key("read"))
    for value in bad:
        resp = client.get(f"{SITE}/consents/{value}", headers=read)
        assert resp.status_code == 400 and resp.get_json()["code"] == "invalid_visitor_id"
    resp = check(client, api_key("provision"), "dmp-partner", bad)
    assert {d["reason"] for d in resp.get_json()["denied"]} == {"invalid_visitor_id"}
    assert resp.get_json()["lookup_ids"] == [None] * len(bad)


def test_a_site_wide_scope_gives_one_id_for_every_recipient(
    app: Flask, client: FlaskClient, api_key
) -> None:
    app.config["LOOKUP_ID_SCOPE"] = "site"
    vid = decide(client, {"targeting": True}, BOTH)
    key = api_key("provision")
    one = check(client, key, "dmp-partner", [vid]).get_json()["allowed"]
    two = check(client, key, "ad-global", [vid], items=["Cookie ID"]).get_json()["allowed"]
    assert one == two == [lookup.make(SECRET, "demo", "_", ids.verify(SECRET, vid))]


def test_a_grant_reversing_an_operator_opt_out_is_flagged(
    app: Flask, client: FlaskClient, api_key
) -> None:
    """The visitor may change their mind, but the operator sees it: the receipt says so,
    the day's statistics count it and the audit log names the opt-out and its source."""
    store = app.extensions["cmp.store"]
    vid = decide(client, {"targeting": True}, BOTH)
    _support_desk_opt_out(client, api_key, vid)
    decide(client, {"analytics": True, "targeting": False}, visitor_id=vid)
    assert store.list_audit("demo") == []
    decide(client, {"targeting": True}, BOTH, visitor_id=vid)
    raw = ids.verify(SECRET, vid)
    receipts = store.get_receipts("demo", raw)
    assert receipts[-1].note == REVERSAL_NOTE + "targeting"
    assert [r.note for r in receipts[:-1]] == ["", "", ""]
    [entry] = store.list_audit("demo")
    assert entry.action == REVERSAL_COUNTER and entry.target == receipts[-1].receipt_id
    assert entry.before == {
        "opted_out": ["targeting"],
        "opt_out_receipt": receipts[1].receipt_id,
        "source": "support-desk",
    }
    assert entry.after == {"categories": {"targeting": True}}
    day = clock.day(clock.now())
    assert store.get_stats("demo", [day])[day][REVERSAL_COUNTER] == 1
    history = client.get(f"{SITE}/consents/{vid}/receipts", headers=_auth(api_key("read")))
    assert history.get_json()["receipts"][-1]["note"] == REVERSAL_NOTE + "targeting"


raws = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
scopes = st.sampled_from(["_", "dmp-partner", "a", "x" * 63])


@given(raw=raws.filter(lambda r: len(r) == 22) | st.builds(ids.new_raw_id), scope=scopes)
def test_lookup_ids_round_trip_and_hide_the_raw_id(raw: str, scope: str) -> None:
    made = lookup.make(SECRET, "demo", scope, raw)
    assert made.startswith(f"lk.{scope}.") and len(made) == len(scope) + 52
    assert raw not in made and ids.verifier(SECRET).raw(made) is None
    assert lookup.parse(SECRET, "demo", made) == raw
    assert lookup.parse(SECRET, "other", made) is None


@given(raw=st.builds(ids.new_raw_id), at=st.integers(0, 47), char=st.sampled_from("ABQRgwx-_09"))
def test_an_altered_lookup_id_never_reads_as_an_id(raw: str, at: int, char: str) -> None:
    made = lookup.make(SECRET, "demo", "dmp-partner", raw)
    start = len("lk.dmp-partner.")
    changed = made[: start + at] + char + made[start + at + 1 :]
    assert lookup.parse(SECRET, "demo", changed) in ((raw,) if changed == made else (None,))


@pytest.mark.parametrize("scope", ["", "UPPER", "a.b", "x" * 64])
def test_a_bad_scope_is_refused(scope: str) -> None:
    with pytest.raises(ValueError):
        lookup.codec(SECRET, "demo", scope)


def test_lookup_settings(app: Flask, client: FlaskClient, api_key, tmp_path) -> None:
    """CMP_LOOKUP_SECRET changes every lookup id (old ones stop resolving) but not the
    visitors' signed ids; CMP_LOOKUP_ID_SCOPE accepts recipient or site only."""
    from cmp import create_app
    from cmp.config import ConfigError

    vid = decide(client, {"targeting": True}, BOTH)
    key = api_key("provision")
    before = check(client, key, "dmp-partner", [vid]).get_json()["allowed"]
    app.config["LOOKUP_SECRET"] = "rotated-lookup-secret-0123"
    after = check(client, key, "dmp-partner", [vid]).get_json()["allowed"]
    assert before != after and after[0] != vid
    assert check(client, key, "dmp-partner", before).get_json()["denied"][0]["reason"] == (
        "invalid_visitor_id"
    )
    with pytest.raises(ConfigError, match="CMP_LOOKUP_ID_SCOPE"):
        create_app({"TESTING": True, "SECRET_KEY": SECRET, "LOOKUP_ID_SCOPE": "partner",
                    "STORE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})  # fmt: skip
