"""The on-demand chunk (static/cmp-settings.js) in headless Chromium: a first visit asks cmp
for the script and the config only, until the visitor aims at a button; a decision made
while the chunk cannot be had holds at once and is sent once it can (docs/banner.md, "When
the chunk is loaded").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Route

pytest.register_assert_rewrite("tests.browser_support")
from tests.banner_pages import SitePages, site_pages  # noqa: E402
from tests.browser_support import Visit  # noqa: E402

pytest_plugins = ["tests.browser_support"]
pytestmark = pytest.mark.browser

PAGE = """<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>t</title>
<script src="{CMP}/cmp.js" data-site="demo" async></script>
<script type="text/plain" data-cmp-category="analytics" src="/tp/analytics.js"></script>
</head><body><p>A page without a blocked iframe.</p></body></html>"""


@pytest.fixture
def pages(live_server: Any) -> Iterator[SitePages]:
    """A site page on its own origin."""
    with site_pages(live_server) as served:
        yield served


def from_cmp(visit: Visit, base: str) -> list[str]:
    """The paths the page asked of cmp so far."""
    return [u[len(base) :].split("?")[0] for u in visit.requests if u.startswith(base)]


def test_first_visit_asks_cmp_for_script_and_config_until_a_button_is_aimed_at(
    visit: Visit, pages: SitePages, live_server: Any
) -> None:
    visit.goto(pages.add("/plain", PAGE))
    dialog = visit.wait_banner()
    visit.page.wait_for_load_state("networkidle")
    assert from_cmp(visit, live_server.url) == ["/cmp.js", "/api/v1/sites/demo/config"]

    button = dialog.get_by_role("button", name="拒否する")
    with visit.page.expect_request("**/cmp-settings.js?*"):
        button.hover()  # aiming at a button fetches the chunk that sends the decision
    button.click()
    visit.wait_stored()
    assert not pages.tp("analytics.js")


def test_decision_without_the_chunk_holds_at_once_and_is_sent_once_it_loads(
    visit: Visit, live_server: Any
) -> None:
    def down(route: Route) -> None:
        route.abort("connectionrefused")

    visit.context.route("**/cmp-settings.js*", down)
    visit.goto("/demo")
    dialog = visit.wait_banner()
    dialog.get_by_role("button", name="同意する").click()
    visit.wait_until("(window.demoTags || []).includes('analytics')")  # the page follows at once
    cookie = visit.consent_cookie()
    assert (
        cookie
        and cookie["visitor_id"] == ""
        and cookie["categories"]
        == {
            "essential",
            "analytics",
            "targeting",
        }
    )
    queued = visit.page.evaluate("JSON.parse(localStorage.getItem('cmp_queue')).demo")
    assert len(queued) == 1 and queued[0]["categories"]["targeting"] is True

    visit.context.unroute("**/cmp-settings.js*", down)
    visit.page.evaluate("window.dispatchEvent(new Event('online'))")  # the chunk, then the send
    assert visit.wait_stored()["visitor_id"]
