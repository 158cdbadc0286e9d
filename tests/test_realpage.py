"""cmp.js on a Japanese car dealer's real-looking pages (issue 10): the harness itself,
Consent Mode order with both embeds (defect 1), recovery from readable errors (2, 7's
alias) and the JS API (3).

The pages live on ``www.dealer.example`` (another origin than cmp) with GA4, a GTM loader,
the Meta pixel, a heat map, a DMP, a YouTube iframe and a conversion pixel, all pointing at
hosts with their real names that a local server logs (tests/realpage_support.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

pytest.register_assert_rewrite("tests.realpage_support")
from tests.realpage.dealer import add_recipient  # noqa: E402
from tests.realpage_support import Dealer  # noqa: E402

pytest_plugins = ["tests.realpage_support"]
pytestmark = pytest.mark.browser

SIGNALS = ("ad_storage", "analytics_storage", "ad_user_data", "ad_personalization")
ALL = {"essential", "analytics", "targeting"}

#: The dataLayer as gtag.js reads it: each entry's kind and its first fields.
DATALAYER = """
window.dataLayer.map((e) => {
  const args = Object.prototype.toString.call(e) === '[object Arguments]';
  return args ? {args: true, cmd: e[0], sub: typeof e[1] === 'string' ? e[1] : null,
                 params: e[2] && typeof e[2] === 'object' ? JSON.parse(JSON.stringify(e[2])) : null}
              : {args: false, event: e && e.event};
})
"""


def test_harness_nothing_leaves_before_consent(dealer: Callable[..., Dealer]) -> None:
    """Passes today: the fixture really blocks, and the log sees only the dealer's page."""
    visitor = dealer("chrome_win")
    visitor.goto("/")
    visitor.banner()
    visitor.settle()
    assert visitor.third_party() == []
    assert [h.host + h.path for h in visitor.hits() if h.path != "/favicon.ico"] == [
        "www.dealer.example/?site=dealer"
    ]
    assert not {"_ga", "_fbp", "_td"} & {c["name"] for c in visitor.context.cookies()}
    assert visitor.page.evaluate("localStorage.getItem('_pt_sid')") is None


def test_harness_accept_runs_the_tags(dealer: Callable[..., Dealer]) -> None:
    """Passes today: after 同意する the logging server sees every script tag and the video."""
    visitor = dealer("safari_mac")
    visitor.goto("/")
    visitor.banner().get_by_role("button", name="同意する").click()
    for host, path in [
        ("www.googletagmanager.com", "/gtag/js?id=G-DEALER01"),
        ("www.googletagmanager.com", "/gtm.js?id=GTM-DEALER"),
        ("www.google-analytics.com", "/g/collect"),
        ("connect.facebook.net", "/en_US/fbevents.js"),
        ("www.facebook.com", "/tr?id="),
        ("js.ptengine.jp", "/pta.js"),
        ("cdn.treasuredata.com", "/sdk/td.js"),
        ("s.yimg.jp", "/images/listing/tool/cv/ytag.js"),
        ("www.youtube.com", "/embed/dQw4w9WgXcQ"),
    ]:
        visitor.wait_requested(host, path)
    visitor.wait_stored(ALL)
    hits = visitor.page.evaluate("window.__gtagLog.filter((e) => e.hit)")
    assert hits and all(h["gcs"] == "G111" for h in hits), hits  # measured with consent


def test_1_sync_embed_consent_default_precedes_every_site_command(
    dealer: Callable[..., Dealer],
) -> None:
    """Unblocked GA4 + GTM relying on Consent Mode, cmp.js synchronous and first in <head>."""
    visitor = dealer("chrome_mac")
    visitor.goto("/sync")
    visitor.banner()
    visitor.wait_requested("www.google-analytics.com", "/g/collect")  # the cookieless ping
    layer = visitor.page.evaluate(DATALAYER)
    first = layer[0]
    assert first["args"] and (first["cmd"], first["sub"]) == ("consent", "default"), layer
    assert {k: first["params"][k] for k in SIGNALS} == dict.fromkeys(SIGNALS, "denied")
    positions = {(e.get("cmd"), e.get("event")): i for i, e in reversed(list(enumerate(layer)))}
    assert 0 < positions[("js", None)] < positions[("config", None)], layer
    assert positions[(None, "gtm.js")] > 0, layer
    log = visitor.page.evaluate("window.__gtagLog")
    assert log[0] == {"command": "consent", "sub": "default"}, log
    assert all(e["gcs"] == "G100" and e["cid"] == "" for e in log if "hit" in e), log
    assert visitor.page.evaluate("window.__gtm.consentAtLoad.analytics_storage") == "denied"
    assert "_ga" not in {c["name"] for c in visitor.context.cookies()}
    assert not visitor.requested("connect.facebook.net")

    # 同意する: an update (real arguments) grants; only then _ga and a measured hit.
    visitor.banner().get_by_role("button", name="同意する").click()
    visitor.wait(
        lambda: "_ga" in {c["name"] for c in visitor.context.cookies()}, "_ga after consent"
    )
    updates = [e for e in visitor.page.evaluate(DATALAYER) if e.get("sub") == "update"]
    assert updates and all(e["args"] for e in updates)
    assert updates[-1]["params"]["analytics_storage"] == "granted"
    visitor.wait_stored(ALL)

    # A return visit: default first again, the update before any measured hit.
    visitor.mark = visitor.web.mark()
    visitor.goto("/sync")
    measured = "window.__gtagLog.some((e) => e.gcs === 'G111')"
    visitor.wait(lambda: visitor.page.evaluate(measured), "a hit with analytics granted")
    layer = visitor.page.evaluate(DATALAYER)
    assert (layer[0]["cmd"], layer[0]["sub"]) == ("consent", "default"), layer
    hits = [e for e in visitor.page.evaluate("window.__gtagLog") if "hit" in e]
    assert all(h["gcs"] for h in hits), hits  # never a hit without a consent state


def test_1_async_embed_with_blocked_tags_runs_google_only_after_the_update(
    dealer: Callable[..., Dealer],
) -> None:
    """The async embed with every tag blocked: default first, gtag.js only after consent."""
    visitor = dealer("edge")
    visitor.goto("/")
    visitor.banner()
    visitor.settle()
    layer = visitor.page.evaluate(DATALAYER)
    assert layer[0]["args"] and (layer[0]["cmd"], layer[0]["sub"]) == ("consent", "default")
    assert not [e for e in layer if e.get("cmd") in ("js", "config") or e.get("event")], layer
    assert not visitor.requested("www.googletagmanager.com")

    visitor.banner().get_by_role("button", name="同意する").click()
    visitor.wait_requested("www.google-analytics.com", "/g/collect")
    layer = visitor.page.evaluate(DATALAYER)
    commands = [(e["cmd"], e["sub"] if e["cmd"] == "consent" else None) for e in layer if e["args"]]
    assert commands.index(("consent", "update")) < commands.index(("config", None)), layer
    log = visitor.page.evaluate("window.__gtagLog")
    assert {e["gcs"] for e in log if "hit" in e} == {"G111"}, log


def test_2_decision_from_a_stale_tab_is_asked_again_and_stored(
    dealer: Callable[..., Dealer],
) -> None:
    """A publish while the banner is open: the 409 is readable, cmp re-asks, then stores."""
    visitor = dealer("chrome_win", site="dealer-stale")
    visitor.goto("/", site="dealer-stale")
    banner = visitor.banner()
    version = add_recipient(visitor.cmp.store, "dealer-stale", _line())
    configs = lambda: [r for r in visitor.requests if r.startswith("GET") and "/config" in r]  # noqa: E731
    fetched = len(configs())
    with visitor.page.expect_request(_posted) as sent:
        banner.get_by_role("button", name="同意する").click()
    assert json.loads(sent.value.post_data)["policy_version"] == version - 1  # 409 by contract
    # policy_outdated -> the config is fetched again and the visitor asked again.
    visitor.wait(lambda: len(configs()) > fetched, "the config fetched again after the 409")
    visitor.banner().get_by_role("button", name="拒否する").click()
    state = visitor.wait_stored({"essential"}, policy_version=version)
    assert visitor.consent_cookie()["policy_version"] == version
    assert state["method"] == "banner"


def test_2_forged_visitor_id_becomes_a_fresh_visitor(dealer: Callable[..., Dealer]) -> None:
    """A cookie whose id the server refuses (400): the decision is stored as a new visitor."""
    visitor = dealer("safari_iphone")
    version = visitor.cmp.store.get_site("dealer").policy_version
    forged = "AAAAAAAAAAAAAAAAAAAAAA.forgedsignature"
    value = f"1~{version}~{forged}~essential~~0~{int(__import__('time').time()) - 60}"
    visitor.context.add_cookies(
        [{"name": "cmp_consent", "value": value, "domain": ".dealer.example", "path": "/"}]
    )
    visitor.goto("/")
    visitor.settle()
    visitor.page.evaluate("cmp.open()")
    settings = visitor.page.get_by_role("dialog", name="設定")
    settings.get_by_role("button", name="同意する").click()
    state = visitor.wait_stored(ALL)
    assert state["visitor_id"] != forged and visitor.consent_cookie()["visitor_id"] != forged


def test_7_alias_cookie_with_a_space_never_sinks_the_decision(
    dealer: Callable[..., Dealer],
) -> None:
    """``_ga`` holding a space (a broken tag wrote it), an alias cookie of the site, with
    同意する: the bad alias is left out (by the banner or the server), the decision stored."""
    visitor = dealer("android")
    visitor.context.add_cookies(
        [{"name": "_ga", "value": "GA1.1.123 456", "domain": ".dealer.example", "path": "/"}]
    )
    visitor.goto("/")
    visitor.banner().get_by_role("button", name="同意する").click()
    visitor.wait_stored(ALL)


def test_3_api_is_complete_as_soon_as_the_script_has_run(dealer: Callable[..., Dealer]) -> None:
    """First visit: on/open/consent/ready exist when cmp.js's own load event fires."""
    visitor = dealer("chrome_mac")
    visitor.goto("/")
    complete = {"on": "function", "open": "function", "consent": "function", "ready": True}
    assert visitor.page.evaluate("window.__apiAtRun") == complete
    assert visitor.page.evaluate("window.__apiAtLoad") == complete
    visitor.banner()
    assert visitor.page.evaluate("cmp.consent()") is None
    # The synchronous embed: complete for the very next inline script of <head>.
    visitor.goto("/sync")
    assert visitor.page.evaluate("window.__apiAtProbe") == complete


def test_3_stored_decision_reaches_queue_late_subscribers_and_events(
    dealer: Callable[..., Dealer],
) -> None:
    """Return visit: cmpq, a <head> cmp:change listener and a late cmp.on all get the
    stored decision; its method is known; cmp.ready resolves."""
    visitor = dealer("safari_mac")
    visitor.goto("/")
    visitor.banner().get_by_role("button", name="拒否する").click()
    visitor.wait_stored({"essential"})
    for _ in range(2):  # twice: the result must not depend on timing
        visitor.goto("/")
        seen = visitor.wait(
            lambda: visitor.page.evaluate("window.__seen.map((s) => s[0])"), "cmpq / cmp:change"
        )
        assert set(seen) == {"cmpq", "event"}, seen
        late = visitor.page.evaluate(
            """() => new Promise((done) => {
                 cmp.on('change', (c) => done(c));
                 setTimeout(() => done('not called'), 3000);
               })"""
        )
        assert late != "not called" and late["categories"]["analytics"] is False
        assert visitor.page.evaluate("cmp.consent().method") == "banner"
        ready = visitor.page.evaluate(
            "Promise.race([cmp.ready.then(() => 'ready'),"
            " new Promise((r) => setTimeout(() => r('pending'), 3000))])"
        )
        assert ready == "ready"


def test_1_docs_give_both_embeds() -> None:
    """docs/banner.md documents the synchronous embed (unblocked Google tags) beside the
    async one (every tag blocked), as docs/banner.md's embed section has them."""
    text = (Path(__file__).parent.parent / "docs" / "banner.md").read_text(encoding="utf-8")
    embeds = re.findall(r"<script src=\"[^\"]*cmp\.js\"[^>]*data-site=[^>]*>", text)
    assert any(" async" in e for e in embeds), embeds
    assert any(" async" not in e and "defer" not in e for e in embeds), embeds


def _posted(request) -> bool:
    return request.url.endswith("/consents") and request.method == "POST"


def _line():
    from tests.realpage.dealer import line_recipient

    return line_recipient()
