"""Open findings of the outside privacy-lawyer review of issue 11 (Law fidelity 2).

Each test states what the law asks and fails on today's code: they are kept here, outside the
suite `make test` runs (tests/open_findings/, docs/open-findings.md): run them with
`.venv/bin/pytest tests/open_findings`; a fixed finding's test moves into tests/.
docs/open-findings.md lists them with the suggested fixes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cmp import confirmation, exemptions, items, joint_use, jst
from cmp.model import Recipient
from cmp.siteconfig import publish_policy
from tests.test_admin_recipients import NEW
from tests.test_admin_support import Console, sign_in
from tests.test_provision import decide

CHECKS = "/api/v1/sites/demo/provision-checks"
RECORDS = "/api/v1/sites/demo/provision-records"
RECEIVED = "/api/v1/sites/demo/received-provisions"
PROVIDER = {"name": "株式会社提供元", "address": "東京都港区", "representative": "代表 一郎"}
RESPONSIBLE = {"name": "株式会社グループA", "address": "東京都", "representative": "代表 A"}


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


# -- gap 1 (and 8): vague items still pass the one rule --------------------------------






# -- gap 2: the Art. 29 record of a hashed-e-mail provision does not name the e-mail --------




# -- gap 3: a recipient with no country entered is recorded as "in Japan" ---------------




# -- gap 4: "Art. 31 consent not required" with no reason -------------------------------






# -- gap 5: a future period is told to the person as past provision ---------------------






# -- gap 6: the first-party exemption for analytics ------------------------------------




# -- gap 7: the first layer claims a per-送信先 choice that settings do not offer ---------




# -- gap 9: joint use ----------------------------------------------------------------


def test_record_note_only_for_a_declared_joint_user(app: Flask) -> None:
    store = app.extensions["cmp.store"]
    site = store.get_site("demo")
    site.joint_use = {
        "users": ["株式会社グループA"],
        "scope": {"ja": "当社グループ", "en": "Our group"},
        "items": {"ja": ["閲覧履歴"], "en": ["Browsing history"]},
        "purpose": {"ja": "広告配信", "en": "Advertising"},
        "responsible": RESPONSIBLE,
    }
    dmp = next(r for r in store.get_recipients("demo") if r.key == "dmp-partner")
    # 株式会社DMPパートナー is not among the joint users, yet the record would call it one.
    assert joint_use.record_note(site, replace(dmp, joint_user=True)) == ""


def test_joint_use_items_are_checked_in_every_language() -> None:
    joint = {
        "users": ["株式会社グループA"],
        "scope": {"ja": "当社グループ", "en": "Our group"},
        "items": {"ja": ["閲覧履歴"], "en": ["Browsing history and more"]},
        "purpose": {"ja": "広告配信", "en": "Advertising"},
        "responsible": RESPONSIBLE,
    }
    assert "items" in joint_use.problems(joint)


# -- gap 10: the per-person disclosure in English ---------------------------------------

