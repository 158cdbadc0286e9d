"""Lawyer review of issue 11, finding 8: joint use (共同利用) as the declaration says it.

A recipient is called a joint user (record, notice) only where the declaration lists it;
the declaration's items are specific in every language; a change of the declaration goes
live only with a new policy version, as recipient changes do."""

from __future__ import annotations

from dataclasses import replace

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cmp import joint_use
from cmp.seed import demo_recipients, demo_site
from tests.test_admin_recipients import NEW
from tests.test_admin_support import Console, config, errors_of, sign_in
from tests.test_law_wording import JOINT

GROUP_ONLY = {**JOINT, "users": ["株式会社デモホールディングス"]}
DMP = demo_recipients()[1]


def _form(joint: dict, **extra: str) -> dict[str, str]:
    body = {
        "enabled": "y",
        "users": "\n".join(joint["users"]),
        "responsible_name": joint["responsible"]["name"],
        "responsible_address": joint["responsible"]["address"],
        "responsible_representative": joint["responsible"]["representative"],
    }
    for part in ("scope", "purpose"):
        body.update({f"{part}_{lang}": joint[part][lang] for lang in ("ja", "en")})
    body.update({f"items_{lang}": "\n".join(joint["items"][lang]) for lang in ("ja", "en")})
    return {**body, **extra}


def test_only_a_listed_recipient_is_a_joint_user() -> None:
    site = replace(demo_site(), joint_use=GROUP_ONLY)
    flagged = replace(DMP, joint_user=True)
    # 株式会社DMPパートナー is flagged but not among the joint users.
    assert not joint_use.declared(site, flagged)
    assert joint_use.record_note(site, flagged) == ""
    listed = replace(site, joint_use=JOINT)
    assert joint_use.declared(listed, flagged) and joint_use.record_note(listed, flagged)
    assert not joint_use.declared(listed, DMP)  # listed, but not flagged
    # Names compare after NFKC and without spaces (full-width letters, a stray space).
    wide = replace(site, joint_use={**JOINT, "users": ["株式会社ＤＭＰ パートナー"]})
    assert joint_use.declared(wide, flagged)


@pytest.mark.parametrize(
    "items",
    [
        {"ja": ["閲覧履歴"], "en": ["Browsing history and more"]},
        {"ja": ["閲覧履歴"], "en": ["Browsing history", "all of your data"]},
        {"ja": ["閲覧履歴を含む情報"], "en": ["Browsing history"]},
        {"en": ["Browsing history"]},
    ],
)
def test_joint_use_items_are_checked_in_every_language(items: dict) -> None:
    assert "items" in joint_use.problems({**JOINT, "items": items})


def test_the_notice_names_only_listed_joint_users(app: Flask, client: FlaskClient) -> None:
    store = app.extensions["cmp.store"]
    site = store.get_site("demo")
    site.joint_use = GROUP_ONLY
    store.put_site(site)
    store.put_recipients(
        "demo", [replace(r, joint_user=r.key == DMP.key) for r in store.get_recipients("demo")]
    )
    page = client.get("/sites/demo/external-transmission").text
    assert "共同利用について" in page and "下記の共同利用の共同利用者" not in page


def test_a_joint_use_change_goes_live_only_with_a_new_version(app: Flask) -> None:
    console: Console = sign_in(app, "admin")
    store = app.extensions["cmp.store"]
    version = config(app)["policy_version"]
    resp = console.post("/admin/sites/demo/joint-use", _form(JOINT))
    assert resp.status_code == 422 and "joint_use" in errors_of(resp.text, "publish")
    assert store.get_site("demo").joint_use == {}
    assert console.post("/admin/sites/demo/joint-use", _form(JOINT, publish="y")).status_code == 303
    assert config(app)["policy_version"] == version + 1
    assert config(app)["joint_use"]["responsible"]["name"] == JOINT["responsible"]["name"]
    policy = store.get_policy("demo", version + 1)
    assert policy.snapshot["site"]["joint_use"] == JOINT
    # Saving what is already published needs no new version.
    assert console.post("/admin/sites/demo/joint-use", _form(JOINT)).status_code == 303
    assert config(app)["policy_version"] == version + 1
    # Switching it off is a change too.
    resp = console.post("/admin/sites/demo/joint-use", {"enabled": "", "publish": ""})
    assert resp.status_code == 422
    assert store.get_site("demo").joint_use == JOINT


def test_the_recipient_editor_flags_only_a_listed_joint_user(app: Flask) -> None:
    console: Console = sign_in(app, "admin")
    store = app.extensions["cmp.store"]
    body = {**NEW, "joint_user": "y"}
    resp = console.post("/admin/sites/demo/recipients/new", body)
    assert resp.status_code == 422
    assert "共同して利用する者" in errors_of(resp.text, "joint_user")
    listed = {**JOINT, "users": [*JOINT["users"], NEW["name_ja"]]}
    console.post("/admin/sites/demo/joint-use", _form(listed, publish="y"))
    assert store.get_site("demo").joint_use["users"][-1] == NEW["name_ja"]
    assert console.post("/admin/sites/demo/recipients/new", body).status_code == 303
    saved = next(r for r in store.get_recipients("demo") if r.key == NEW["key"])
    assert saved.joint_user and joint_use.declared(store.get_site("demo"), saved)
