"""The banner on a company page of its own origin (issue 10, "Defects"): embed orders and
Consent Mode, the JS API before and after the script, per-recipient gating of scripts,
iframes, images and stylesheets, the iframe placeholder, problem codes, a hung cmp host,
layout shift on a phone, Esc and Enter.

Every page here is served by :mod:`tests.banner_pages` at ``http://localhost:<port>``, cmp at
``http://127.0.0.1:<port>``: the banner runs cross-origin, third-party requests are logged.
The tests in :data:`NEEDS_SERVER` exercise the server stream's half of CONTRACT.md (CORS on
problem answers, ``since``, ``cookie_domain``, ``sync`` and ``consent-state``); they skip,
saying so, while the server they run against does not offer it yet.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Route

from cmp.model import Recipient
from cmp.siteconfig import publish_policy

pytest.register_assert_rewrite("tests.browser_support")
from tests.banner_pages import SitePages, hung_port, site_pages  # noqa: E402
from tests.browser_support import Visit, new_visit  # noqa: E402
from tests.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

pytest_plugins = ["tests.browser_support"]
pytestmark = pytest.mark.browser

#: Tests that need the server branch's half of CONTRACT.md (they skip without it).
NEEDS_SERVER = [
    "test_policy_outdated_409_asks_again",
    "test_forged_visitor_id_is_replaced_by_a_fresh_one",
    "test_refused_origin_logs_one_error_and_runs_nothing",
    "test_policy_bump_runs_only_what_is_unchanged",
    "test_cookie_domain_is_shared_by_subdomains",
    "test_api_opt_out_reaches_the_browser",
]


@pytest.fixture
def pages(live_server: Any) -> Iterator[SitePages]:
    """The company site on its own origin."""
    with site_pages(live_server) as served:
        yield served


def config_of(live_server: Any) -> dict[str, Any]:
    """The demo config as the server sends it now."""
    with urllib.request.urlopen(f"{live_server.url}/api/v1/sites/demo/config", timeout=10) as r:
        return dict(json.loads(r.read()))


def need(live_server: Any, feature: str) -> None:
    """Skip unless the server offers ``feature`` of CONTRACT.md (probed, not assumed)."""
    config = config_of(live_server)
    probes = {
        "since": all("since" in r for r in config["recipients"]),
        "sync": "sync" in config,
        "cookie_domain": "cookie_domain" in config,
    }
    if feature in probes and not probes[feature]:
        pytest.skip(f"needs the server stream's `{feature}` (CONTRACT.md A)")
    if feature == "cors_errors":
        request = urllib.request.Request(
            f"{live_server.url}/api/v1/sites/demo/consents",
            data=b"{}",
            headers={"Content-Type": "application/json", "Origin": "http://127.0.0.1:1"},
        )
        try:
            urllib.request.urlopen(request, timeout=10)
        except urllib.error.HTTPError as err:
            err.close()
            if not err.headers.get("Access-Control-Allow-Origin"):
                pytest.skip("needs CORS headers on problem answers (CONTRACT.md D)")


HEAD = '<!doctype html><html lang="ja"><head><meta charset="utf-8">'
HEAD += '<meta name="viewport" content="width=device-width, initial-scale=1"><title>t</title>'
EMBED = '<script src="{CMP}/cmp.js" data-site="demo"%s></script>'


# ---- 1. Consent Mode default before the site's own tags ---------------------------------

GOOGLE = """<script>window.dataLayer = window.dataLayer || [];
function gtag(){dataLayer.push(arguments);}
gtag('js', new Date()); gtag('config', 'G-TEST');
dataLayer.push({'gtm.start': Date.now(), event: 'gtm.js'});</script>"""

ORDER = """window.dataLayer.map((e) => Object.prototype.toString.call(e) === '[object Arguments]'
  ? e[0] + (e[0] === 'consent' ? ' ' + e[1] : '') : e.event || '?')"""


def test_sync_embed_puts_consent_default_before_unblocked_google_tags(
    visit: Visit, pages: SitePages
) -> None:
    # The embed for unblocked Google tags: synchronous, first script of <head>.
    url = pages.add("/sync", HEAD + EMBED % "" + GOOGLE + "</head><body><p>x</body></html>")
    visit.goto(url)
    visit.wait_banner()
    order = visit.page.evaluate(ORDER)
    assert order[:3] == ["consent default", "js", "config"], order
    assert order.index("consent default") < order.index("gtm.js")


def test_async_embed_with_blocked_google_tags_keeps_the_order(
    visit: Visit, pages: SitePages
) -> None:
    # The async embed is for sites whose Google tags are blocked: they run after `update`.
    blocked = GOOGLE.replace("<script>", '<script type="text/plain" data-cmp-category="analytics">')
    url = pages.add("/async", HEAD + EMBED % " async" + blocked + "</head><body>x</body></html>")
    visit.goto(url)
    visit.wait_banner().get_by_role("button", name="同意する").click()
    visit.wait_until("window.dataLayer.some((e) => e && e[0] === 'config')")
    order = visit.page.evaluate(ORDER)
    assert order.index("consent default") < order.index("consent update") < order.index("js")


# ---- 3. The JS API: complete at once, queue, replay, ready, method ----------------------

API_PAGE = (
    HEAD
    + """<script>window.__seen = [];
(window.cmpq = window.cmpq || []).push(['on', 'change', (c) => __seen.push('queued:' + c.method)]);
window.cmpq.push((api) => { window.__early = typeof api.on; });
</script>"""
    + EMBED % " async"
    + """<script>document.addEventListener('cmp:change',
  (e) => __seen.push('dom:' + e.detail.method));
addEventListener('load', () => { window.__atLoad = [typeof cmp.on, typeof cmp.open,
  typeof cmp.consent, cmp.ready instanceof Promise].join(); });</script>
</head><body><p>body</p></body></html>"""
)


def test_js_api_is_complete_and_replays_the_decision(visit: Visit, pages: SitePages) -> None:
    url = pages.add("/api", API_PAGE)
    visit.goto(url)
    visit.wait_banner()
    visit.wait_until("window.__atLoad")
    assert visit.page.evaluate("__atLoad") == "function,function,function,true"
    assert visit.page.evaluate("__early") == "function"
    assert visit.page.evaluate("cmp.ready") is None  # no decision yet
    visit.page.get_by_role("button", name="同意する").click()
    visit.wait_stored()
    assert sorted(visit.page.evaluate("__seen")) == ["dom:banner", "queued:banner"]

    # A return visit: the queued subscriber, the head listener and a late one all hear it.
    visit.page.reload()
    visit.wait_until("window.__seen.length >= 2")
    visit.page.wait_for_load_state("load")
    assert sorted(visit.page.evaluate("__seen")) == ["dom:banner", "queued:banner"]
    ready = visit.page.evaluate("cmp.ready")
    assert ready["categories"]["analytics"] is True and ready["method"] == "banner"
    late = visit.page.evaluate("new Promise((ok) => cmp.on('change', (c) => ok(c.method)))")
    assert late == "banner"
    assert visit.page.evaluate("cmp.consent().method") == "banner"


# ---- 4 and 10. Per-recipient gating; images and stylesheets; the placeholder ----------

GATED = (
    HEAD
    + EMBED % " async"
    + """
<script type="text/plain" data-cmp-category="targeting" src="/tp/targeting-any.js"></script>
<script type="text/plain" data-cmp-category="targeting" data-cmp-recipient="ad-global"
        src="/tp/meta.js"></script>
<script type="text/plain" data-cmp-category="targeting" data-cmp-recipient="dmp-partner"
        src="/tp/dmp.js"></script>
<link rel="stylesheet" data-cmp-category="analytics" data-href="/tp/an.css">
</head><body><main>
<img data-cmp-category="targeting" data-cmp-recipient="ad-global" data-src="/tp/ad.gif" alt="">
<img data-cmp-category="analytics" data-src="/tp/an.gif" alt="">
<iframe data-cmp-category="targeting" data-cmp-recipient="dmp-partner" data-src="/tp/video"
        width="320" height="180" title="video"></iframe>
<p>after</p></main></body></html>"""
)


def test_a_refused_recipient_gets_nothing(visit: Visit, pages: SitePages) -> None:
    url = pages.add("/gated", GATED)
    visit.goto(url)
    visit.wait_banner().get_by_role("button", name="設定").click()
    settings = visit.page.get_by_role("dialog", name="設定")
    settings.get_by_role("switch", name="アクセス解析").check()
    settings.get_by_role("switch", name="広告・DMP").check()  # category on, linking ones off
    settings.get_by_role("button", name="選択を保存").click()
    visit.wait_tags("targeting-any")
    visit.wait_until("document.querySelector('img[src$=\"/tp/an.gif\"]')")
    visit.page.wait_for_load_state("networkidle")
    assert pages.tp("an.gif") and pages.tp("an.css") and pages.tp("targeting-any.js")
    assert not pages.tp("meta.js") and not pages.tp("ad.gif") and not pages.tp("dmp.js")
    assert not pages.tp("video")

    # The placeholder names the service and grants that recipient only.
    placeholder = visit.page.locator("cmp-frame")
    shown = placeholder.locator(".frame").inner_text()
    assert "株式会社DMPパートナー" in shown and "オーディエンスデータ基盤" in shown
    placeholder.get_by_role("button", name="同意して表示").click()
    visit.page.locator("iframe[src$='/tp/video']").wait_for()
    visit.wait_tags("dmp")
    cookie = visit.wait_stored()
    assert "dmp-partner" in cookie["recipients"] and "ad-global" not in cookie["recipients"]
    visit.page.wait_for_load_state("networkidle")
    assert not pages.tp("meta.js") and not pages.tp("ad.gif")


def test_placeholder_shows_once_without_storing_a_grant(visit: Visit, pages: SitePages) -> None:
    url = pages.add("/once", GATED)
    visit.goto(url)
    visit.wait_banner().get_by_role("button", name="拒否する").click()
    visit.wait_stored()
    visit.page.locator("cmp-frame").get_by_role("button", name="今回だけ表示").click()
    visit.page.locator("iframe[src$='/tp/video']").wait_for()
    assert "dmp-partner" not in (visit.consent_cookie() or {})["recipients"]
    assert not pages.tp("dmp.js")
    visit.page.reload()
    visit.page.locator("cmp-frame").wait_for()  # only that once


# ---- 5. A policy bump runs only what the old decision covered ---------------------------


def test_policy_bump_runs_only_what_is_unchanged(
    visit: Visit, pages: SitePages, live_server: Any
) -> None:
    need(live_server, "since")
    page = GATED.replace(
        "</head>",
        '<script type="text/plain" data-cmp-category="targeting" data-cmp-recipient="new-co"'
        ' src="/tp/newco.js"></script></head>',
    )
    url = pages.add("/bump", page)
    visit.goto(url)
    visit.wait_banner().get_by_role("button", name="同意する").click()
    visit.wait_tags("meta", "dmp")
    visit.wait_stored()
    store = live_server.store
    before = store.get_recipients("demo")
    newcomer = Recipient(
        key="new-co",
        category="targeting",
        name={"ja": "新規広告株式会社", "en": "New Ads K.K."},
        items={"ja": ["閲覧履歴"], "en": ["Browsing history"]},
        purpose={"ja": "広告配信", "en": "Ads"},
    )
    store.put_recipients("demo", [*before, newcomer])
    publish_policy(store, "demo", "browser test: a new recipient", bump=True)
    try:
        pages.hits.clear()
        visit.page.reload()
        visit.wait_banner()
        visit.wait_tags("meta", "dmp")  # unchanged recipients keep running
        visit.page.wait_for_load_state("networkidle")
        assert not pages.tp("newco.js")  # the new one waits for a new decision
        assert not pages.tp("targeting-any.js")  # untagged: its category has a new recipient
        visit.page.get_by_role("button", name="同意する").click()
        visit.wait_tags("newco")
    finally:
        store.put_recipients("demo", before)
        publish_policy(store, "demo", "browser test: recipient removed", bump=True)


# ---- 2 and 7. Problem codes: recovery, never a dropped decision -------------------------


def test_a_bad_alias_cookie_never_sinks_the_decision(
    visit: Visit, pages: SitePages, live_server: Any
) -> None:
    url = pages.add("/alias", GATED)
    visit.context.add_cookies([{"name": "_ga", "value": "GA1 has a space", "url": pages.origin}])
    visit.goto(url)
    visit.wait_banner().get_by_role("button", name="同意する").click()
    cookie = visit.wait_stored()
    key = live_server.api_key("read")
    request = urllib.request.Request(
        f"{live_server.url}/api/v1/sites/demo/consents/{cookie['visitor_id']}",
        headers={"Authorization": f"Bearer {key}"},
    )
    with urllib.request.urlopen(request, timeout=10) as resp:
        assert json.loads(resp.read())["categories"]["targeting"] is True


def test_policy_outdated_409_asks_again(visit: Visit, pages: SitePages, live_server: Any) -> None:
    need(live_server, "cors_errors")
    url = pages.add("/stale", GATED)
    visit.goto(url)
    dialog = visit.wait_banner()

    def down(route: Route) -> None:
        route.abort("connectionrefused")

    visit.context.route("**/consents", down)
    dialog.get_by_role("button", name="同意する").click()  # queued in a stale tab
    publish_policy(live_server.store, "demo", "browser test: publish meanwhile", bump=True)
    visit.context.unroute("**/consents", down)
    visit.page.evaluate("window.dispatchEvent(new Event('online'))")
    visit.wait_banner()  # asked again under the new version
    visit.wait_until("!(JSON.parse(localStorage.getItem('cmp_queue') || '{}').demo || []).length")
    visit.page.get_by_role("button", name="拒否する").click()
    cookie = visit.wait_stored()
    assert cookie["policy_version"] == int(live_server.store.get_site("demo").policy_version)


def test_forged_visitor_id_is_replaced_by_a_fresh_one(
    visit: Visit, pages: SitePages, live_server: Any
) -> None:
    need(live_server, "cors_errors")
    version = int(live_server.store.get_site("demo").policy_version)
    forged = f"1~{version - 1 or 1}~AAAAAAAAAAAAAAAAAAAAAA.forged~essential~~0~1700000000"
    visit.context.add_cookies([{"name": "cmp_consent", "value": forged, "url": pages.origin}])
    url = pages.add("/forged", GATED)
    visit.goto(url)
    visit.wait_banner().get_by_role("button", name="拒否する").click()
    cookie = visit.wait_stored()
    assert cookie["visitor_id"] and not cookie["visitor_id"].endswith(".forged")


def test_refused_origin_logs_one_error_and_runs_nothing(browser: Browser, live_server: Any) -> None:
    need(live_server, "cors_errors")
    with site_pages(live_server) as pages:
        url = pages.add("/refused", GATED)
        store = live_server.store
        site = store.get_site("demo")
        site.origins = [o for o in site.origins if o != pages.origin]  # not configured
        store.put_site(site)
        visit = new_visit(browser, live_server.url)
        errors: list[str] = []
        visit.page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        try:
            visit.goto(url)
            visit.page.wait_for_load_state("networkidle")
            visit.page.wait_for_timeout(500)
            mine = [e for e in errors if e.startswith("cmp:")]
            assert len(mine) == 1, errors
            assert pages.origin in mine[0] and '"demo"' in mine[0] and "origins" in mine[0]
            assert not visit.banner_open() and not pages.hits
        finally:
            visit.context.close()


# ---- 6. Cross-subdomain consent -----------------------------------------------------------


def test_cookie_domain_is_shared_by_subdomains(browser: Browser, live_server: Any) -> None:
    need(live_server, "cookie_domain")

    store = live_server.store
    with site_pages(live_server) as pages:
        port = pages.origin.rsplit(":", 1)[1]
        www, shop = f"http://www.dealer.test:{port}", f"http://shop.dealer.test:{port}"
        site = store.get_site("demo")
        site.origins = [*site.origins, www, shop]
        site.cookie_domain = ".dealer.test"
        store.put_site(site)
        pages.add("/p", GATED)
        args = [*CHROMIUM_ARGS, "--host-resolver-rules=MAP *.dealer.test 127.0.0.1"]
        try:
            chromium = browser.browser_type.launch(executable_path=CHROMIUM, args=args)
            visit = new_visit(chromium, live_server.url)
            visit.goto(www + "/p")
            visit.wait_banner().get_by_role("button", name="拒否する").click()
            visit.wait_stored()
            [cookie] = [c for c in visit.context.cookies() if c["name"] == "cmp_consent"]
            assert cookie["domain"] == ".dealer.test"
            visit.goto(shop + "/p")
            visit.page.wait_for_load_state("networkidle")
            assert not visit.banner_open()  # the same decision on the other subdomain
            chromium.close()
        finally:
            site = store.get_site("demo")
            site.origins = [o for o in site.origins if o not in (www, shop)]
            site.cookie_domain = ""
            store.put_site(site)


# ---- 8. An opt-out recorded by the API reaches the browser -------------------------------


def test_api_opt_out_reaches_the_browser(visit: Visit, pages: SitePages, live_server: Any) -> None:
    need(live_server, "sync")
    url = pages.add("/optout", GATED)
    visit.goto(url)
    visit.wait_banner().get_by_role("button", name="同意する").click()
    cookie = visit.wait_stored()
    visit.page.reload()
    visit.wait_tags("meta")
    visit.page.wait_for_load_state("networkidle")
    states = [u for u in visit.requests if u.endswith("/consent-state")]
    assert states == []  # a visitor whose counter is current asks nothing

    key = live_server.api_key("write")
    body = {"visitor_id": cookie["visitor_id"], "categories": ["targeting"], "source": "phone"}
    request = urllib.request.Request(
        f"{live_server.url}/api/v1/sites/demo/opt-outs",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as resp:
        assert resp.status == 201
    pages.hits.clear()
    visit.page.reload()
    visit.wait_until("document.cookie.includes('cmp_consent=') && cmp.consent()"
                     " && cmp.consent().categories.targeting === false")  # fmt: skip
    visit.page.wait_for_load_state("networkidle")
    assert not pages.tp("meta.js") and not pages.tp("targeting-any.js")
    assert "targeting" not in (visit.consent_cookie() or {})["categories"]
    visit.page.evaluate("cmp.open()")
    settings = visit.page.get_by_role("dialog", name="設定")
    assert not settings.get_by_role("switch", name="広告・DMP").is_checked()
    assert settings.get_by_role("switch", name="アクセス解析").is_checked()


# ---- 9. A hung cmp host cannot hold the page ----------------------------------------------


def test_hung_cmp_api_does_not_hold_load_and_runs_nothing(visit: Visit, pages: SitePages) -> None:
    # The deployment of docs/banner.md: cmp.js from the site's own origin, the API on cmp.
    with hung_port() as port:
        embed = (
            f'<script src="/own/cmp.js" data-site="demo" data-api="http://127.0.0.1:{port}"'
            ' data-timeout="1500"></script>'
        )
        url = pages.add("/hung", HEAD + embed + GATED[GATED.index("<script type") :])
        visit.goto(url)  # waits for `load`
        took = visit.page.evaluate("performance.getEntriesByType('navigation')[0].loadEventStart")
        assert took < 1500, took
        assert any(f"127.0.0.1:{port}/api/v1/sites/demo/config" in u for u in visit.requests)
        assert visit.page.evaluate("cmp.ready.then(String)") == "null"  # gave up
        visit.page.wait_for_timeout(300)
        assert not visit.banner_open() and not pages.hits
        assert visit.page.evaluate("cmp.consent()") is None


# ---- 9b. No layout shift on a phone -----------------------------------------------------

ALL_SHIFTS = """window.__shift = 0;
new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__shift += e.value; })
  .observe({type: 'layout-shift', buffered: true});"""


def test_no_layout_shift_on_a_phone_from_a_wide_iframe(browser: Browser, live_server: Any) -> None:
    page_html = (
        HEAD
        + EMBED % " async"
        + "</head><body><h1>Dealer</h1><p>"
        + "新車のご案内。" * 40
        + '</p><iframe data-cmp-category="targeting" data-src="/tp/video" width="560"'
        ' height="315" title="video"></iframe><p>'
        + "試乗予約はこちら。" * 60
        + "</p></body></html>"
    )
    with site_pages(live_server) as pages:
        url = pages.add("/phone", page_html)
        visit = new_visit(
            browser,
            live_server.url,
            viewport={"width": 390, "height": 844},
            device_scale_factor=3,
            is_mobile=True,
            has_touch=True,
        )
        visit.context.add_init_script(ALL_SHIFTS)
        try:
            visit.goto(url)
            visit.wait_banner()
            visit.page.locator("cmp-frame").wait_for()
            visit.page.wait_for_timeout(1000)
            assert visit.page.evaluate("window.__shift") <= 0.01
        finally:
            visit.context.close()


# ---- 10. Esc on the first layer; Enter on a non-link settings opener --------------------


def test_esc_keeps_the_first_layer_and_enter_opens_settings(visit: Visit) -> None:
    visit.goto("/demo")
    visit.wait_banner()
    visit.page.keyboard.press("Escape")
    visit.page.wait_for_timeout(100)
    assert visit.banner_open()  # a dismissal is no decision: the first layer stays
    visit.page.get_by_role("button", name="拒否する").click()
    visit.wait_stored()
    visit.page.evaluate(
        "document.body.insertAdjacentHTML('beforeend',"
        " '<span id=opener tabindex=0 role=button data-cmp-open>Cookie設定</span>')"
    )
    visit.page.locator("#opener").focus()
    visit.page.keyboard.press("Enter")
    # the settings layer opens once its chunk arrived (one request after the key press)
    visit.page.get_by_role("dialog", name="設定").wait_for(state="visible")
