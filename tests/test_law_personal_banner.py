"""Lawyer review of issue 11, finding 2, in the browser: the banner's first layer lists a
recipient that receives personal data (a hashed e-mail) by name, with the hashed e-mail
among what it receives, before anyone consents (LAW.md §6). Headless Chromium on the /demo
page of a live server on a real Redis."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from cmp import personal
from cmp.siteconfig import publish_policy

pytest.register_assert_rewrite("tests.browser_support")
from tests.browser_support import Visit  # noqa: E402

pytest_plugins = ["tests.browser_support"]
pytestmark = pytest.mark.browser


def test_first_layer_lists_a_recipient_receiving_personal_data(
    visit: Visit, live_server: Any
) -> None:
    store = live_server.store
    # analytics-co does not link: without personal data it is not in the first layer.
    visit.goto("/demo")
    assert "アナリティクス株式会社" not in visit.wait_banner().inner_text()
    store.put_recipients(
        "demo",
        [
            replace(r, receives_personal_data=True) if r.key == "analytics-co" else r
            for r in store.get_recipients("demo")
        ],
    )
    publish_policy(store, "demo", "analytics-co receives hashed e-mails", bump=True)
    visit.context.clear_cookies()
    visit.goto("/demo")
    dialog = visit.wait_banner()
    # The first layer (its three buttons shown), in the section of recipients that link.
    assert dialog.get_by_role("button", name="設定").is_visible()
    listed = dialog.locator("section").inner_text()
    assert "アナリティクス株式会社" in listed, listed
    assert personal.LABELS["email_sha256"]["ja"] in listed, listed
