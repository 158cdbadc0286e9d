"""The banner (static/cmp.js) on the /demo page, in headless Chromium, against a live server on
a real Redis: blocking before consent, accept / reject / custom choices, Consent Mode v2,
GPC, the retry queue, keyboard use, axe, strict CSP, withdrawal, iframes, inert texts.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Route

from cmp import ids
from cmp.siteconfig import publish_policy

pytest.register_assert_rewrite("tests.browser_support")
from tests.browser_support import Visit, new_visit  # noqa: E402
from tests.conftest import SECRET  # noqa: E402

# The browser and visit fixtures live beside the helpers.
pytest_plugins = ["tests.browser_support"]
pytestmark = pytest.mark.browser

ALL_CATEGORIES = {"essential", "analytics", "targeting"}
ALL_RECIPIENTS = {"analytics-co", "dmp-partner", "ad-global"}
SIGNALS = ("ad_storage", "analytics_storage", "ad_user_data", "ad_personalization")


@pytest.fixture(scope="module")
def read_key(live_server: Any) -> str:
    """An API key with scope ``read`` on the demo site."""
    return str(live_server.api_key("read"))


def server_state(live_server: Any, key: str, visitor_id: str) -> dict[str, Any]:
    """The visitor's state as the lookup API returns it."""
    request = urllib.request.Request(
        f"{live_server.url}/api/v1/sites/demo/consents/{visitor_id}",
        headers={"Authorization": f"Bearer {key}"},
    )
    with urllib.request.urlopen(request, timeout=10) as resp:
        assert resp.status == 200
        return dict(json.loads(resp.read()))


def policy_version(live_server: Any) -> int:
    """The demo site's current policy version."""
    return int(live_server.store.get_site("demo").policy_version)


def last_update(visit: Visit) -> dict[str, str]:
    """The parameters of the newest Consent Mode ``update`` (checked to be real arguments)."""
    updates = [e for e in visit.consent_mode() if e["command"] == "update"]
    assert updates, visit.consent_mode()
    assert all(e["arguments"] for e in updates)
    return dict(updates[-1]["params"])


def test_first_visit_shows_banner_and_nothing_non_essential_leaves(visit: Visit) -> None:
    visit.goto("/demo")
    dialog = visit.wait_banner()
    visit.page.wait_for_load_state("networkidle")

    # The default first layer is a non-blocking box: the page stays usable (issue 10).
    assert dialog.get_attribute("aria-modal") == "false"
    assert not dialog.evaluate("d => d.matches(':modal')")
    assert visit.page.get_by_role("dialog", name="Cookie等の利用について").is_visible()
    buttons = [dialog.get_by_role("button", name=n) for n in ("同意する", "拒否する", "設定")]
    boxes = [b.bounding_box() for b in buttons]
    assert all(boxes) and len({(round(b["width"]), round(b["height"])) for b in boxes}) == 1
    styles = {b.evaluate("e => getComputedStyle(e).backgroundColor") for b in buttons}
    assert len(styles) == 1, "accept, reject and settings must look alike (equal weight)"
    assert (
        dialog.get_by_role("link", name="外部送信について")
        .get_attribute("href")
        .endswith("/sites/demo/external-transmission")
    )
    assert dialog.get_by_role("link", name="プライバシーポリシー").count() == 1
    # APPI Art. 31: the linking recipients, their items and purpose, and the foreign details.
    text = dialog.inner_text()
    for needed in ("株式会社DMPパートナー", "Ad Global, Inc.", "閲覧履歴", "アメリカ合衆国"):
        assert needed in text
    assert "当該国の個人情報保護制度" in text and "提供先が講ずる措置" in text
    assert "アナリティクス株式会社" not in text  # does not link: not in the linking notice

    assert visit.non_essential() == []
    assert visit.tags() == []
    assert "cmp_consent" not in visit.cookies()
    assert visit.page.locator("iframe[data-cmp-category]").count() == 0  # placeholder instead
    assert visit.page.locator("cmp-frame").get_by_role("button", name="同意して表示").is_visible()
    modes = visit.consent_mode()
    assert modes[0]["arguments"] and modes[0]["command"] == "default"
    assert {k: modes[0]["params"][k] for k in SIGNALS} == dict.fromkeys(SIGNALS, "denied")
    assert modes[0]["params"]["wait_for_update"] > 0
    assert [m["command"] for m in modes] == ["default"]
    assert visit.page.evaluate("cmp.consent()") is None
    assert visit.page.evaluate("window.__cls") == 0


def test_accept_all(visit: Visit, live_server: Any, read_key: str) -> None:
    visit.goto("/demo")
    visit.page.evaluate(
        "window.__seen = []; cmp.on('change', (c) => __seen.push(c));"
        "document.addEventListener('cmp:change', (e) => __seen.push(e.detail))"
    )
    visit.wait_banner().get_by_role("button", name="同意する").click()
    visit.wait_tags("analytics", "analytics-inline", "targeting")
    cookie = visit.wait_stored()

    assert not visit.banner_open()
    assert cookie["categories"] == ALL_CATEGORIES
    assert cookie["recipients"] == ALL_RECIPIENTS
    assert cookie["policy_version"] == policy_version(live_server) and not cookie["gpc"]
    assert last_update(visit) == dict.fromkeys(SIGNALS, "granted")
    [event] = visit.events("cmp_consent")
    assert event["cmp"]["categories"] == dict.fromkeys(ALL_CATEGORIES, True)
    assert len(visit.page.evaluate("__seen")) == 2
    visit.page.locator("iframe[src$='/demo/frame']").wait_for()
    visit.wait_until("document.cookie.includes('_ga=')")

    state = server_state(live_server, read_key, cookie["visitor_id"])
    assert state["categories"] == dict.fromkeys(ALL_CATEGORIES, True)
    assert state["recipients"] == dict.fromkeys(ALL_RECIPIENTS, True)
    assert state["method"] == "banner" and state["gpc"] is False and state["status"] == "active"
    consent = visit.page.evaluate("cmp.consent()")
    assert consent["visitor_id"] == cookie["visitor_id"]

    # A reload follows the stored choice at once, with no banner.
    visit.requests.clear()
    visit.page.reload()
    visit.wait_tags("analytics", "analytics-inline", "targeting")
    visit.page.wait_for_load_state("networkidle")
    assert not visit.banner_open()
    assert last_update(visit) == dict.fromkeys(SIGNALS, "granted")
    assert not any("/consents" in url for url in visit.requests)


def test_reject_all(visit: Visit, live_server: Any, read_key: str) -> None:
    visit.goto("/demo")
    visit.wait_banner().get_by_role("button", name="拒否する").click()
    cookie = visit.wait_stored()

    assert cookie["categories"] == {"essential"} and cookie["recipients"] == set()
    assert last_update(visit) == dict.fromkeys(SIGNALS, "denied")
    state = server_state(live_server, read_key, cookie["visitor_id"])
    assert state["categories"] == {"essential": True, "analytics": False, "targeting": False}
    assert not any(state["recipients"].values())

    visit.page.reload()
    visit.page.wait_for_load_state("networkidle")
    assert not visit.banner_open()
    assert visit.non_essential() == [] and visit.tags() == []
    assert visit.page.locator("cmp-frame").count() == 1


def test_custom_choice_with_one_linking_recipient(
    visit: Visit, live_server: Any, read_key: str
) -> None:
    visit.goto("/demo")
    dialog = visit.wait_banner()
    dialog.get_by_role("button", name="設定").click()
    settings = visit.page.get_by_role("dialog", name="設定")
    essential = settings.get_by_role("switch", name="必須")
    assert essential.is_checked() and essential.is_disabled()
    assert not settings.get_by_role("switch", name="アクセス解析").is_checked()
    # Consenting to one linking recipient by name turns its category on too.
    settings.get_by_role("switch", name="株式会社DMPパートナー").check()
    assert settings.get_by_role("switch", name="広告・DMP").is_checked()
    settings.get_by_role("button", name="選択を保存").click()
    visit.wait_tags("targeting")
    cookie = visit.wait_stored()

    assert visit.tags() == ["targeting"]
    assert cookie["categories"] == {"essential", "targeting"}
    assert cookie["recipients"] == {"dmp-partner"}
    update = last_update(visit)
    assert update["analytics_storage"] == "denied" and update["ad_storage"] == "granted"
    state = server_state(live_server, read_key, cookie["visitor_id"])
    assert state["recipients"] == {"analytics-co": False, "dmp-partner": True, "ad-global": False}
    assert state["method"] == "preferences"
    assert not any("/demo/tags/analytics" in url for url in visit.requests)


def test_keyboard_only(visit: Visit, live_server: Any, read_key: str) -> None:
    page = visit.page
    visit.goto("/demo?layout=modal")  # the modal layout traps focus; the box does not
    assert visit.wait_banner().get_attribute("aria-modal") == "true"
    assert visit.focused().startswith("h2")  # focus moved into the dialog
    page.keyboard.press("Shift+Tab")  # trapped: wraps to the last control
    assert visit.focused() == "button:設定"
    page.keyboard.press("Tab")
    assert visit.focused().startswith("a:")  # and back to the first
    for _ in range(10):
        if visit.focused() == "button:設定":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    visit.wait_focused("h2:設定")
    page.keyboard.press("Escape")  # settings opened from the first layer: back to it
    assert visit.focused().startswith("h2:Cookie等の利用について")
    for _ in range(10):
        if visit.focused() == "button:設定":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    for _ in range(20):
        if visit.focused() == "input[analytics]":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Space")
    for _ in range(30):
        if visit.focused() == "button:選択を保存":
            break
        page.keyboard.press("Tab")
    outline = page.locator("cmp-banner button:focus-visible").evaluate(
        "e => getComputedStyle(e).outlineStyle + ' ' + getComputedStyle(e).outlineWidth"
    )
    assert outline == "solid 3px"  # visible focus
    page.keyboard.press("Enter")
    visit.wait_tags("analytics", "analytics-inline")
    cookie = visit.wait_stored()
    assert cookie["categories"] == {"essential", "analytics"}
    assert server_state(live_server, read_key, cookie["visitor_id"])["categories"]["analytics"]

    # The settings link opens the settings; Esc closes them and focus returns to the link.
    link = page.locator("header [data-cmp-open]")
    link.focus()
    page.keyboard.press("Enter")
    visit.wait_focused("h2:設定")
    page.keyboard.press("Escape")
    assert not visit.banner_open()
    assert visit.focused().startswith("a:Cookie設定")


def test_policy_bump_shows_banner_again(visit: Visit, live_server: Any) -> None:
    visit.goto("/demo")
    visit.wait_banner().get_by_role("button", name="同意する").click()
    before = visit.wait_stored()
    visit.page.reload()
    visit.page.wait_for_load_state("networkidle")
    assert not visit.banner_open()

    publish_policy(live_server.store, "demo", "browser test: new recipient terms", bump=True)
    visit.page.reload()
    visit.wait_banner().get_by_role("button", name="拒否する").click()
    after = visit.wait_stored()
    assert after["policy_version"] == before["policy_version"] + 1
    assert after["visitor_id"] == before["visitor_id"]  # the same visitor, a new decision
    assert after["categories"] == {"essential"}


def set_consent_cookie(visit: Visit, version: int) -> None:
    """A stored decision for ``version`` (everything granted, a day old), no cached config."""
    value = f"1~{version}~~{'+'.join(sorted(ALL_CATEGORIES))}~~0~{int(time.time()) - 86400}"
    visit.context.add_cookies([{"name": "cmp_consent", "value": value, "url": visit.base}])


def test_outdated_cookie_without_cached_config_runs_nothing_changed(
    visit: Visit, live_server: Any
) -> None:
    # A decision for the previous policy, and no config in localStorage (cleared storage, or
    # a new profile with the cookie kept). Issue 10 changed the rule: an older decision runs
    # what it covered and is unchanged since (the recipients' `since`); here a targeting
    # recipient changed materially, so no targeting tag runs and the banner asks again.
    # (Before issue 10 nothing at all ran; without `since` in the config nothing still does.)
    store = live_server.store
    changed = [
        dataclasses.replace(r, purpose={"ja": "新しい利用目的", "en": "A new purpose"})
        if r.key == "dmp-partner"
        else r
        for r in store.get_recipients("demo")
    ]
    store.put_recipients("demo", changed)
    publish_policy(store, "demo", "browser test: outdated cookie", bump=True)
    set_consent_cookie(visit, policy_version(live_server) - 1)
    visit.goto("/demo")
    visit.wait_banner()
    visit.page.wait_for_load_state("networkidle")
    assert not [u for u in visit.non_essential() if "targeting" in u or "frame" in u]
    assert "targeting" not in visit.tags()
    updates = [m for m in visit.consent_mode() if m["command"] == "update"]
    assert all(m["params"]["ad_storage"] == "denied" for m in updates)
    assert visit.page.evaluate("cmp.consent()") is None
    assert visit.page.locator("cmp-frame").count() == 1


def test_current_cookie_without_cached_config_waits_for_the_config(
    visit: Visit, live_server: Any
) -> None:
    def down(route: Route) -> None:
        route.abort("connectionrefused")

    set_consent_cookie(visit, policy_version(live_server))
    visit.context.route("**/config?*", down)
    with visit.page.expect_request("**/config?*"):
        visit.goto("/demo")
    visit.page.wait_for_timeout(500)
    # No config, none cached: the cookie's policy version cannot be checked, nothing runs.
    assert visit.non_essential() == [] and visit.tags() == []
    assert [m["command"] for m in visit.consent_mode()] == ["default"]
    assert visit.page.evaluate("cmp.consent()") is None

    visit.context.unroute("**/config?*", down)
    visit.page.evaluate("window.dispatchEvent(new Event('online'))")  # refetch now
    visit.wait_tags("analytics", "analytics-inline", "targeting")
    visit.page.locator("iframe[src$='/demo/frame']").wait_for()
    assert not visit.banner_open()
    assert last_update(visit) == dict.fromkeys(SIGNALS, "granted")
    assert [m["command"] for m in visit.consent_mode()] == ["default", "update"]
    assert visit.page.evaluate("cmp.consent().categories") == dict.fromkeys(ALL_CATEGORIES, True)


def test_gpc(browser: Browser, live_server: Any, read_key: str) -> None:
    visit = new_visit(browser, live_server.url, gpc=True)
    try:
        visit.goto("/demo")
        cookie = visit.wait_stored()  # GPC answers for every optional category here
        assert not visit.banner_open()
        assert cookie["gpc"] and cookie["categories"] == {"essential"}
        state = server_state(live_server, read_key, cookie["visitor_id"])
        assert state["method"] == "gpc" and state["gpc"] is True
        assert not state["categories"]["analytics"] and not state["categories"]["targeting"]
        visit.page.wait_for_load_state("networkidle")
        assert visit.non_essential() == []

        # Off unless the visitor turns them on: the settings start off, and a choice counts.
        visit.page.locator("header [data-cmp-open]").click()
        settings = visit.page.get_by_role("dialog", name="設定")
        assert "GPC" in settings.inner_text()
        analytics = settings.get_by_role("switch", name="アクセス解析")
        assert not analytics.is_checked()
        analytics.check()
        settings.get_by_role("button", name="選択を保存").click()
        visit.wait_tags("analytics")
        visit.wait_until("(window.dataLayer.filter((e) => e.event === 'cmp_consent').length === 2)")
        cookie = visit.wait_stored()
        state = server_state(live_server, read_key, cookie["visitor_id"])
        assert state["method"] == "preferences" and state["gpc"] is True
        assert state["categories"]["analytics"] and not state["categories"]["targeting"]
    finally:
        visit.context.close()


def test_server_down_then_up(visit: Visit, live_server: Any, read_key: str) -> None:
    visit.goto("/demo")
    dialog = visit.wait_banner()

    def down(route: Route) -> None:
        route.abort("connectionrefused")

    visit.context.route("**/api/v1/**", down)
    dialog.get_by_role("button", name="同意する").click()
    visit.wait_tags("analytics", "targeting")  # the page follows the choice at once
    cookie = visit.consent_cookie()
    assert cookie and cookie["visitor_id"] == "" and cookie["categories"] == ALL_CATEGORIES
    queued = visit.page.evaluate("JSON.parse(localStorage.getItem('cmp_queue')).demo")
    assert len(queued) == 1 and queued[0]["categories"]["analytics"] is True

    # Still down on the next page: no banner, the choice holds, the decision waits.
    visit.page.reload()
    visit.wait_tags("analytics", "targeting")
    assert not visit.banner_open()

    visit.context.unroute("**/api/v1/**", down)
    visit.page.evaluate("window.dispatchEvent(new Event('online'))")
    cookie = visit.wait_stored()
    state = server_state(live_server, read_key, cookie["visitor_id"])
    assert state["categories"] == dict.fromkeys(ALL_CATEGORIES, True)


def test_a_503_hands_back_the_id_the_retry_uses(
    visit: Visit, live_server: Any, read_key: str
) -> None:
    """A first decision answered 503 (a replica did not confirm it in time) is retried as
    the visitor id the 503 handed back, not as a second new visitor."""
    _, issued = ids.issue(SECRET)

    def unavailable(route: Route) -> None:
        body = {"type": "urn:cmp:problem:store_unavailable", "title": "Service Unavailable",
                "status": 503, "detail": "retry", "code": "store_unavailable",
                "visitor_id": issued}  # fmt: skip
        route.fulfill(status=503, content_type="application/problem+json", body=json.dumps(body))

    visit.goto("/demo")
    dialog = visit.wait_banner()
    visit.context.route("**/consents", unavailable)
    dialog.get_by_role("button", name="同意する").click()
    visit.wait_until(f"document.cookie.includes({json.dumps(issued)})")
    visit.context.unroute("**/consents", unavailable)
    visit.page.evaluate("window.dispatchEvent(new Event('online'))")
    cookie = visit.wait_stored()
    assert cookie["visitor_id"] == issued
    state = server_state(live_server, read_key, issued)
    assert state["categories"] == dict.fromkeys(ALL_CATEGORIES, True)


def test_axe_finds_no_serious_violation(visit: Visit) -> None:
    axe = Axe()
    visit.goto("/demo")
    dialog = visit.wait_banner()
    views = {}
    views["first layer"] = axe.run(visit.page).response["violations"]
    dialog.get_by_role("button", name="設定").click()
    views["settings"] = axe.run(visit.page).response["violations"]
    dialog.get_by_role("button", name="拒否する").click()
    views["placeholder"] = axe.run(visit.page).response["violations"]
    serious = [
        (view, v["id"], [n["target"] for n in v["nodes"]])
        for view, found in views.items()
        for v in found
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


@pytest.fixture
def shop(live_server: Any) -> Iterator[str]:
    """Another site (http://localhost:<port>) serving /demo/csp's page with its strict policy.

    The page loads cmp.js and the sample tags from the cmp server at 127.0.0.1, so the banner
    runs cross-origin (CORS) under ``script-src 'self' <cmp>; style-src <cmp>``.
    """
    with urllib.request.urlopen(f"{live_server.url}/demo/csp", timeout=10) as resp:
        body = resp.read()
        policy = resp.headers["Content-Security-Policy"]
    assert live_server.url in policy

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # the name http.server calls
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Security-Policy", policy)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://localhost:{server.server_address[1]}"
    store = live_server.store
    site = store.get_site("demo")
    site.origins = [*site.origins, origin]
    store.put_site(site)
    try:
        yield origin + "/shop"
    finally:
        site = store.get_site("demo")
        site.origins = [o for o in site.origins if o != origin]
        store.put_site(site)
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_strict_csp_cross_origin(visit: Visit, live_server: Any, shop: str, read_key: str) -> None:
    visit.goto(shop)
    visit.wait_banner().get_by_role("button", name="設定").click()
    visit.page.get_by_role("dialog", name="設定").get_by_role("button", name="同意する").click()
    visit.wait_tags("analytics", "targeting")
    cookie = visit.wait_stored()
    visit.page.locator("iframe[src$='/demo/frame']").wait_for()
    assert visit.csp_violations() == []
    assert server_state(live_server, read_key, cookie["visitor_id"])["categories"]["targeting"]
    assert visit.page.evaluate("location.host").startswith("localhost")
    assert "cmp_consent" in visit.cookies()  # first-party: on the shop's own host

    # The same-origin strict-CSP page works as well.
    visit.goto("/demo/csp")
    visit.wait_banner().get_by_role("button", name="同意する").click()
    visit.wait_tags("analytics", "targeting")
    visit.wait_stored()
    assert visit.csp_violations() == []


def test_withdrawal_deletes_the_listed_cookies(visit: Visit, live_server: Any) -> None:
    visit.goto("/demo")
    visit.wait_banner().get_by_role("button", name="同意する").click()
    visit.wait_tags("analytics", "targeting")
    visit.wait_stored()
    visit.wait_until("document.cookie.includes('_fbp=')")
    set_by_tags = {"_ga", "_ga_DEMO", "demo_analytics", "demo_targeting", "_fbp"}
    assert set_by_tags <= visit.cookies().keys()

    visit.page.locator("footer [data-cmp-open]").click()
    settings = visit.page.get_by_role("dialog", name="設定")
    settings.get_by_role("switch", name="アクセス解析").uncheck()
    settings.get_by_role("button", name="選択を保存").click()
    visit.wait_until("!document.cookie.includes('_ga=')")
    cookies = visit.cookies()
    assert not {"_ga", "_ga_DEMO", "demo_analytics"} & cookies.keys()
    assert {"demo_targeting", "_fbp"} <= cookies.keys()
    assert last_update(visit)["analytics_storage"] == "denied"

    visit.page.evaluate("cmp.open()")
    settings.get_by_role("button", name="拒否する").click()
    visit.page.locator("cmp-frame").wait_for()  # the iframe is unloaded again
    assert not {"demo_targeting", "_fbp"} & visit.cookies().keys()
    visit.requests.clear()
    visit.page.reload()
    visit.page.wait_for_load_state("networkidle")
    assert visit.non_essential() == []  # nothing loads after the withdrawal


def test_iframe_placeholder_offers_consent(visit: Visit, live_server: Any, read_key: str) -> None:
    visit.goto("/demo")
    visit.wait_banner().get_by_role("button", name="拒否する").click()
    placeholder = visit.page.locator("cmp-frame")
    assert "広告・DMP" in placeholder.locator(".frame").inner_text()
    before = placeholder.bounding_box()
    placeholder.get_by_role("button", name="同意して表示").click()
    frame = visit.page.locator("iframe[src$='/demo/frame']")
    frame.wait_for()
    after = frame.bounding_box()
    assert before and after
    assert (before["width"], before["height"]) == (after["width"], after["height"])
    visit.wait_tags("targeting")
    cookie = visit.wait_stored()
    assert cookie["categories"] == {"essential", "targeting"}
    state = server_state(live_server, read_key, cookie["visitor_id"])
    assert state["categories"]["targeting"] and state["method"] == "preferences"


def test_script_loaded_twice_gives_one_banner(visit: Visit, live_server: Any) -> None:
    visit.goto("/demo")
    visit.wait_banner()
    visit.page.evaluate(
        """(src) => { const s = document.createElement('script');
        s.src = src + '?again'; s.dataset.site = 'demo'; document.head.append(s); }""",
        f"{live_server.url}/cmp.js",
    )
    visit.page.wait_for_load_state("networkidle")
    assert visit.page.locator("cmp-banner").count() == 1
    assert [m["command"] for m in visit.consent_mode()] == ["default"]
    visit.page.get_by_role("button", name="同意する").click()
    visit.wait_tags("analytics", "targeting")
    assert visit.page.locator("cmp-banner").count() == 1


def test_operator_texts_stay_text(visit: Visit, live_server: Any) -> None:
    store = live_server.store
    site = store.get_site("demo")
    original = dict(site.texts)
    site.texts = {
        "ja": {
            "title": '<img src=x onerror="window.__xss=1">お知らせ',
            "body": "<b>太字</b><script>window.__xss=2</script>",
        }
    }
    store.put_site(site)
    try:
        visit.goto("/demo")
        dialog = visit.wait_banner()
        assert dialog.locator("h2").inner_text() == '<img src=x onerror="window.__xss=1">お知らせ'
        assert "<b>太字</b>" in dialog.inner_text()
        assert dialog.locator("img, b, script").count() == 0
        assert visit.page.evaluate("window.__xss") is None
    finally:
        site = store.get_site("demo")
        site.texts = original
        store.put_site(site)


def test_english_page_gets_english_banner(visit: Visit) -> None:
    visit.goto("/demo?lang=en")
    dialog = visit.wait_banner()
    for name in ("Accept", "Reject", "Settings"):
        assert dialog.get_by_role("button", name=name).is_visible()
    assert dialog.get_attribute("lang") == "en"
