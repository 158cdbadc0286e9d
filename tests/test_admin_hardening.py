"""Admin console edges of issue 12: control characters in ``next=``, the stats page's escaping.

Finding 9: CR/LF in ``next=`` on /admin/login (after a correct password) and /admin/lang
answered 500. Finding 13: the stats page escaped category names twice (``A&amp;amp;B``).
"""

from __future__ import annotations

import pytest
from flask import Flask

from cmp.model import Category
from tests.test_admin_support import ADMIN, PASSWORD, add_user, sign_in, token_in

#: Targets that hold a control character (as the query string decodes them).
CONTROL = [
    "/admin/%0d%0aSet-Cookie:%20x=1",
    "/admin/%0aLocation:%20https://evil.example/",
    "/admin/sites%0d",
    "/admin/%00",
    "/admin/%09x",
    "/admin/%c2%85x",
]


@pytest.mark.parametrize("target", CONTROL)
def test_control_characters_in_next_after_login_go_home(app: Flask, target: str) -> None:
    add_user(app, ADMIN, "admin")
    client = app.test_client()
    page = client.get("/admin/login?next=" + target)
    assert page.status_code == 200
    resp = client.post(
        "/admin/login?next=" + target,
        data={"username": ADMIN, "password": PASSWORD, "csrf_token": token_in(page.text)},
    )
    assert resp.status_code == 303
    assert resp.headers["Location"] == "/admin/"
    assert "x=1" not in resp.headers.get("Set-Cookie", "")


@pytest.mark.parametrize("target", CONTROL)
def test_control_characters_in_next_of_the_language_switch(app: Flask, target: str) -> None:
    resp = app.test_client().get("/admin/lang/en?next=" + target)
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/admin/"


def test_good_next_targets_still_work(app: Flask) -> None:
    client = app.test_client()
    resp = client.get("/admin/lang/en?next=/admin/sites/demo/stats%3Fdays%3D90")
    assert resp.headers["Location"] == "/admin/sites/demo/stats?days=90"


def test_stats_page_escapes_category_names_once(app: Flask) -> None:
    store = app.extensions["cmp.store"]
    cats = store.get_categories("demo")
    cats.append(
        Category(key="odd", name={"ja": 'A&B <i>"x"</i>', "en": "A&B"}, description={"ja": "d"})
    )
    store.put_categories("demo", cats)
    console = sign_in(app, "admin")
    page = console.get("/admin/sites/demo/stats").text
    assert "A&amp;B &lt;i&gt;" in page
    assert "&amp;amp;" not in page and "&amp;lt;" not in page and "<i>" not in page
