"""Provision checks (APPI Art. 31) through the API on every backend: each verdict, the
confirmation record with every Rule 28 item, limits and bad input."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from itsdangerous import BadSignature, Signer

from cmp import clock, consents, ids, jst, lookup
from cmp.ids import Verifier
from cmp.siteconfig import publish_policy
from tests.conftest import SECRET

ORIGIN = "http://127.0.0.1:8000"
URL = "/api/v1/sites/demo/provision-checks"
RULE_28 = (
    "record_id site recipient items purpose consent_confirmation foreign_info_confirmation "
    "provided_from provided_to allowed_count denied_count retention_until created_by"
).split()


def decide(client: FlaskClient, categories: dict, recipients: dict | None = None, **extra) -> str:
    """Record a banner decision; return the signed visitor id."""
    body = {"policy_version": extra.pop("policy_version", 1), "categories": categories}
    body.update(recipients=recipients or {}, lang="ja", **extra)
    resp = client.post("/api/v1/sites/demo/consents", json=body, headers={"Origin": ORIGIN})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["visitor_id"]


def check(client: FlaskClient, key: str, recipient: str, vids: list, items=None, **extra):
    body = {"recipient": recipient, "items": ["閲覧履歴"] if items is None else items, **extra}
    if vids is not None:
        body["visitor_ids"] = vids
    resp = client.post(URL, json=body, headers={"Authorization": f"Bearer {key}"})
    resp.sent = body
    return resp


def reasons(resp) -> dict:
    """Verdict per id as sent: answers name visitors by lookup id (``lookup_ids`` maps
    them back), an invalid id as given."""
    data = resp.get_json()
    sent = resp.sent.get("visitor_ids", [])
    assert len(data["lookup_ids"]) == len(sent)
    given = {shown: v for v, shown in zip(sent, data["lookup_ids"], strict=True) if shown}
    out = {given.get(v, v): None for v in data["allowed"]}
    out.update({given.get(d["visitor_id"], d["visitor_id"]): d["reason"] for d in data["denied"]})
    return out


def test_every_verdict_and_one_record_per_call(app: Flask, client: FlaskClient, api_key) -> None:
    key = api_key("provision")
    store = app.extensions["cmp.store"]
    site = store.get_site("demo")
    both = {"dmp-partner": True, "ad-global": True}
    allowed = decide(client, {"targeting": True}, both)
    no_consent = decide(client, {"analytics": True})
    not_named = decide(client, {"targeting": True}, {"dmp-partner": False, "ad-global": False})
    opted = decide(client, {"targeting": True}, both)
    resp = client.post(
        "/api/v1/sites/demo/opt-outs",
        json={"visitor_id": opted, "categories": ["targeting"]},
        headers={"Authorization": f"Bearer {api_key('write')}"},
    )
    assert resp.status_code == 201
    # Consent given long ago: past the site's lifetime of 395 days.
    raw_old = ids.new_raw_id()
    consents.record(
        store, site, store.get_categories("demo"), store.get_recipients("demo"), raw_old,
        {"targeting": True}, both, method="banner", gpc=False, ctx=consents.Context(),
        now=clock.now() - timedelta(days=400),
    )  # fmt: skip
    expired = ids.sign(SECRET, raw_old)
    unknown = ids.issue(SECRET)[1]
    forged = allowed[:-2] + ("AA" if not allowed.endswith("AA") else "BB")
    vids = [allowed, no_consent, not_named, opted, expired, unknown, forged, "junk", allowed]
    resp = check(client, key, "dmp-partner", vids)
    assert resp.status_code == 200
    assert reasons(resp) == {
        allowed: None,
        no_consent: "no_consent",
        not_named: "recipient_not_consented",
        opted: "opted_out",
        expired: "expired",
        unknown: "unknown_visitor",
        forged: "invalid_visitor_id",
        "junk": "invalid_visitor_id",
    }
    data = resp.get_json()
    shown = lookup.make(SECRET, "demo", "dmp-partner", ids.verify(SECRET, allowed))
    assert data["allowed"] == [shown] and data["allowed_count"] == 1
    # No signed id (the credential that can change consent) anywhere in the answer.
    assert not {v for v in vids if ids.verifier(SECRET).raw(v)} & set(str(data).split("'"))
    assert data["denied_count"] == 7
    [record] = store.query_provision_records("demo")
    assert record.record_id == data["record_id"]
    raw = ids.verify(SECRET, allowed)
    assert record.allowed == [[raw, f"{raw}-1"]]
    for name in RULE_28:
        assert getattr(record, name) not in ("", None, {}), name
    assert record.recipient["address"] == "大阪府大阪市北区梅田二丁目2番2号"
    assert record.recipient["representative"] == "代表取締役 佐藤花子"
    assert record.recipient["name"] == "株式会社DMPパートナー"
    assert record.items == ["閲覧履歴"] and "代行" in record.consent_confirmation
    [provisioner] = [k for k in store.list_api_keys("demo") if "provision" in k.scopes]
    assert record.created_by == provisioner.key_id
    retention = clock.parse(record.retention_until) - clock.parse(record.created_at)
    assert retention == timedelta(days=app.config["PROVISION_RETENTION_DAYS"])
    # Every call leaves one record, even when nothing is allowed.
    assert check(client, key, "dmp-partner", [unknown]).get_json()["allowed"] == []
    assert len(store.query_provision_records("demo")) == 2


def test_outdated_and_foreign_info_follow_policy_versions(
    app: Flask, client: FlaskClient, api_key
) -> None:
    key = api_key("provision")
    store = app.extensions["cmp.store"]
    both = {"dmp-partner": True, "ad-global": True}
    under_v1 = decide(client, {"targeting": True}, both)
    # v2: the DMP now also receives location; Ad Global's foreign information is reworded.
    changed = []
    for r in store.get_recipients("demo"):
        if r.key == "dmp-partner":
            r = replace(
                r, items={"ja": [*r.items["ja"], "位置情報"], "en": [*r.items["en"], "Location"]}
            )
        if r.key == "ad-global":
            r = replace(r, foreign={**r.foreign, "measures": {"ja": "新しい措置", "en": "New"}})
        changed.append(r)
    store.put_recipients("demo", changed)
    publish_policy(store, "demo", "v2", bump=True)
    under_v2 = decide(client, {"targeting": True}, both, policy_version=2)
    dmp = check(client, key, "dmp-partner", [under_v1, under_v2])
    assert reasons(dmp) == {under_v1: "outdated", under_v2: None}
    ad = check(client, key, "ad-global", [under_v1, under_v2])
    assert reasons(ad) == {under_v1: "foreign_info_not_shown", under_v2: None}
    [_, record] = store.query_provision_records("demo")
    assert record.recipient["country"] == "アメリカ合衆国"
    assert "アメリカ合衆国" in record.foreign_info_confirmation
    assert record.recipient["foreign"]["measures"] == "新しい措置"
    # The analytics recipient was not changed: a v1 consent still counts for it.
    stats = check(client, key, "analytics-co", [under_v1], items=["Cookie ID"])
    assert reasons(stats) == {under_v1: "no_consent"}


def test_a_state_set_without_the_banner_rests_on_the_last_banner_decision(
    app: Flask, client: FlaskClient, api_key
) -> None:
    key = api_key("provision")
    store = app.extensions["cmp.store"]
    site = store.get_site("demo")
    vid = decide(client, {"targeting": True, "analytics": True}, {"ad-global": True})
    resp = client.post(
        "/api/v1/sites/demo/opt-outs",
        json={"visitor_id": vid, "categories": ["analytics"]},
        headers={"Authorization": f"Bearer {api_key('write')}"},
    )
    assert resp.status_code == 201
    assert store.get_state("demo", ids.verify(SECRET, vid)).method == "opt-out"
    # A grant recorded by the operator's backend, never shown the notice.
    raw_api = ids.new_raw_id()
    consents.record(
        store, site, store.get_categories("demo"), store.get_recipients("demo"), raw_api,
        {"targeting": True}, {"ad-global": True, "dmp-partner": True}, method="api", gpc=False,
        ctx=consents.Context(),
    )  # fmt: skip
    api_only = ids.sign(SECRET, raw_api)
    resp = check(client, key, "ad-global", [vid, api_only])
    assert reasons(resp) == {vid: None, api_only: "recipient_not_consented"}
    raw = ids.verify(SECRET, vid)
    record = store.query_provision_records("demo")[0]
    # The receipt that justifies it is the banner decision (1), not the opt-out (2).
    assert record.allowed == [[raw, f"{raw}-1"]]


def test_identifiers_resolve_through_aliases(app: Flask, client: FlaskClient, api_key) -> None:
    key = api_key("provision")
    vid = decide(
        client,
        {"targeting": True},
        {"dmp-partner": True},
        aliases=[{"type": "cookie:_ga", "value": "GA1.1.123.456"}],
    )
    known = {"type": "cookie:_ga", "value": "GA1.1.123.456"}
    missing = {"type": "idfa", "value": "6D92078A-8246-4BA4-AE5B-76104861E7DC"}
    # A banner decision's claim can only narrow; the operator's backend links it to allow.
    link = {"visitor_id": vid, "aliases": [known]}
    write = {"Authorization": f"Bearer {api_key('write')}"}
    assert client.post("/api/v1/sites/demo/aliases", json=link, headers=write).status_code == 201
    resp = client.post(
        URL,
        json={"recipient": "dmp-partner", "items": ["Cookie ID"], "identifiers": [known, missing]},
        headers={"Authorization": f"Bearer {key}"},
    )
    data = resp.get_json()
    assert resp.status_code == 200
    assert data["allowed"] == [known]
    assert data["denied"] == [
        {"type": "idfa", "value": missing["value"].lower(), "reason": "unknown_visitor"}
    ]
    raw = ids.verify(SECRET, vid)
    record = app.extensions["cmp.store"].query_provision_records("demo")[0]
    assert record.allowed == [[raw, f"{raw}-1"]]


def test_limits_and_bad_requests(app: Flask, client: FlaskClient, api_key) -> None:
    key = api_key("provision")
    store = app.extensions["cmp.store"]
    vid = decide(client, {"targeting": True}, {"dmp-partner": True})
    too_many = check(client, key, "dmp-partner", [vid] * 10_001)
    assert too_many.status_code == 413
    assert too_many.get_json()["limit"] == 10_000 and "10000" in too_many.get_json()["detail"]
    app.config["PROVISION_MAX_IDS"] = 2
    assert check(client, key, "dmp-partner", [vid] * 3).status_code == 413
    assert check(client, key, "dmp-partner", [vid] * 2).status_code == 200
    bad_item = check(client, key, "dmp-partner", [vid], items=["閲覧履歴", "位置情報"])
    assert bad_item.status_code == 422 and bad_item.get_json()["code"] == "unknown_item"
    assert bad_item.get_json()["items"] == ["位置情報"]
    # Ad Global was never registered for purchase history, though the DMP was.
    assert check(client, key, "ad-global", [vid], items=["購買履歴"]).status_code == 422
    nobody = check(client, key, "nobody", [vid])
    assert nobody.status_code == 422 and nobody.get_json()["code"] == "unknown_recipient"
    both = check(client, key, "dmp-partner", [vid], identifiers=[])
    assert both.status_code == 422
    assert check(client, key, "dmp-partner", None).status_code == 422
    assert check(client, key, "dmp-partner", []).status_code == 422
    assert check(client, key, "dmp-partner", [1]).status_code == 422
    assert check(client, key, "dmp-partner", [vid], items=[]).status_code == 422
    weird = check(client, key, "dmp-partner", None, identifiers=[{"type": "fax", "value": "1"}])
    assert weird.status_code == 422 and weird.get_json()["code"] == "invalid_identifier"
    backwards = check(
        client, key, "dmp-partner", [vid], provided_from="2026-02-01", provided_to="2026-01-01"
    )
    assert backwards.status_code == 422
    assert check(client, api_key("read"), "dmp-partner", [vid]).status_code == 403
    assert client.post(URL, json={}).status_code == 401
    # Only the one good call wrote a record.
    assert len(store.query_provision_records("demo")) == 1


def test_provision_period_sets_the_record_dates(app: Flask, client: FlaskClient, api_key) -> None:
    vid = decide(client, {"targeting": True}, {"dmp-partner": True})
    today = clock.now()
    # Within the consent's lifetime (a period may not outlast it: cmp/periods.py).
    last = (jst.today() + timedelta(days=300)).isoformat()
    resp = check(
        client,
        api_key("provision"),
        "dmp-partner",
        [vid],
        provided_from=clock.iso(today + timedelta(days=1)),
        provided_to=last,
    )
    body = resp.get_json()
    assert resp.status_code == 200 and body["allowed"] == body["lookup_ids"]  # the one id given
    record = app.extensions["cmp.store"].query_provision_records("demo")[0]
    assert record.provided_from == clock.iso(today + timedelta(days=1))
    # Days are Japanese calendar days: the last day begins at 00:00 JST.
    assert record.provided_to == clock.iso(jst.day_start(last)) and record.last_day == last
    # Batch records are kept for three years after the last provision.
    kept = clock.parse(record.retention_until) - jst.day_start(last)
    assert timedelta(days=3 * 365) <= kept <= timedelta(days=3 * 366)


@given(text=st.text(max_size=60) | st.from_regex(r"[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{27}"))
def test_bulk_verifier_agrees_with_cmp_ids(text: str) -> None:
    """The fast verifier accepts exactly what itsdangerous's own Signer accepts."""
    verifier = Verifier(SECRET)
    try:
        unsigned = Signer(SECRET, salt=ids.SALT).unsign(text).decode()
        expected = unsigned if re.fullmatch(r"[A-Za-z0-9_-]{22}", unsigned) else None
    except (BadSignature, UnicodeDecodeError):
        expected = None
    assert verifier.raw(text) == expected


def test_bulk_verifier_signs_like_cmp_ids() -> None:
    verifier = Verifier(SECRET)
    for _ in range(50):
        raw = ids.new_raw_id()
        signed = Signer(SECRET, salt=ids.SALT).sign(raw).decode()
        assert verifier.sign(raw) == signed and verifier.raw(signed) == raw
    assert verifier.raw(None) is None and verifier.raw("x" * 101) is None


@pytest.mark.parametrize("count", [2_000])
def test_bulk_check_matches_one_by_one(app: Flask, client: FlaskClient, api_key, count) -> None:
    """The memoised bulk path gives each id the verdict the rule gives it alone."""
    store = app.extensions["cmp.store"]
    site = store.get_site("demo")
    cats, recips = store.get_categories("demo"), store.get_recipients("demo")
    signed = []
    for n in range(40):
        raw = ids.new_raw_id()
        consents.record(
            store, site, cats, recips, raw, {"targeting": n % 3 > 0, "analytics": n % 2 == 0},
            {"dmp-partner": n % 4 > 0, "ad-global": n % 5 > 0}, method="banner", gpc=False,
            ctx=consents.Context(), now=clock.now() - timedelta(days=(n % 7) * 70),
        )  # fmt: skip
        signed.append(ids.sign(SECRET, raw))
    key = api_key("provision")
    many = signed * (count // len(signed)) + [ids.issue(SECRET)[1]]
    bulk = reasons(check(client, key, "ad-global", many))
    for vid in signed[:12]:
        assert reasons(check(client, key, "ad-global", [vid])) == {vid: bulk[vid]}
    assert set(bulk.values()) >= {None, "no_consent", "expired", "recipient_not_consented"}


def test_an_opt_out_alone_never_allows_anything(
    app: Flask, client: FlaskClient, api_key, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From the fourth review: an opt-out of "all" from a visitor who never decided created
    a state with the required categories on, so a recipient in a required category came out
    "allowed" for someone who only ever refused. Such a state is under no policy version."""
    store = app.extensions["cmp.store"]
    dmp = next(r for r in store.get_recipients("demo") if r.key == "analytics-co")
    essential = replace(dmp, key="ess-co", category="essential")
    store.put_recipients("demo", [*store.get_recipients("demo"), essential])
    publish_policy(store, "demo", "必須カテゴリの受領者", bump=True)
    key, write = api_key("provision"), {"Authorization": f"Bearer {api_key('write')}"}
    never = ids.issue(SECRET)[1]
    refused = decide(client, {"analytics": False, "targeting": False}, policy_version=2)
    for vid in (never, refused):
        body = {"visitor_id": vid, "categories": "all"}
        resp = client.post("/api/v1/sites/demo/opt-outs", json=body, headers=write)
        assert resp.status_code == 201
    # A state written before opt-outs alone were put under no version carries the site's
    # version: the check reads the receipts behind it and still finds no decision.
    monkeypatch.setattr(consents, "NO_POLICY", 2)
    legacy = ids.issue(SECRET)[1]
    body = {"visitor_id": legacy, "categories": "all"}
    assert client.post("/api/v1/sites/demo/opt-outs", json=body, headers=write).status_code == 201
    monkeypatch.undo()
    assert store.get_state("demo", ids.verify(SECRET, legacy)).policy_version == 2
    resp = check(client, key, "ess-co", [never, refused, legacy], items=essential.items["ja"][:1])
    assert reasons(resp) == {never: "outdated", refused: None, legacy: "outdated"}
    # The visitor who refused on the banner saw ess-co under "essential": the site says it
    # needs no consent. The one who never decided saw nothing, and gets nothing.
    lookup = {"Authorization": f"Bearer {api_key('read')}"}
    state = client.get(f"/api/v1/sites/demo/consents/{never}", headers=lookup).get_json()
    assert state["status"] == "outdated"
