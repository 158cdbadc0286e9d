"""What runs on the dealer's pages, per recipient and per policy version (issue 10):
a refused linking recipient (defect 4), the iframe placeholder's grant (4), a policy bump
(5), one decision for www. and shop. (6), and the smaller gating defects of 10
(``<img data-src>``, ``<link data-href>``, storage keys on withdrawal, Enter on an opener).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

pytest.register_assert_rewrite("tests.realpage_support")
from tests.realpage.dealer import add_recipient, line_recipient  # noqa: E402
from tests.realpage_support import Dealer  # noqa: E402

pytest_plugins = ["tests.realpage_support"]
pytestmark = pytest.mark.browser

ALL = {"essential", "analytics", "targeting"}
LINKING_TAGS = [
    ("connect.facebook.net", "/en_US/fbevents.js"),
    ("cdn.treasuredata.com", "/sdk/td.js"),
]
PT_KEYS = "['_pt_sid', '_pt_heatmap_v1'].map((k) => localStorage.getItem(k))"


def granted(state: dict) -> set[str]:
    """The recipients a consent state allows."""
    return {k for k, v in state["recipients"].items() if v}


def test_4_refused_linking_recipient_never_receives_its_tag(
    dealer: Callable[..., Dealer],
) -> None:
    """Advertising on, every linking recipient (Meta, the DMP) left off in the settings:
    the other advertising tags run, the Meta pixel and the DMP are never requested."""
    visitor = dealer("chrome_win")
    visitor.goto("/")
    visitor.banner().get_by_role("button", name="設定").click()
    settings = visitor.page.get_by_role("dialog", name="設定")
    settings.get_by_role("switch", name="広告・DMP").check()
    settings.get_by_role("button", name="選択を保存").click()
    state = visitor.wait_stored({"essential", "targeting"})
    assert not {"meta", "td-dmp"} & granted(state)
    visitor.wait_requested("s.yimg.jp", "/images/listing/tool/cv/ytag.js")  # not linking: runs
    visitor.settle()
    for host, path in LINKING_TAGS:
        assert not visitor.requested(host, path), visitor.third_party()
    assert "_fbp" not in {c["name"] for c in visitor.context.cookies()}


def test_4_iframe_placeholder_names_the_service_and_grants_only_it(
    dealer: Callable[..., Dealer],
) -> None:
    """After 拒否する the YouTube placeholder names YouTube; its button loads the video and
    grants that recipient alone, not the whole advertising category."""
    visitor = dealer("safari_mac")
    visitor.goto("/")
    visitor.banner().get_by_role("button", name="拒否する").click()
    visitor.wait_stored({"essential"})
    placeholder = visitor.page.locator("cmp-frame")
    text = placeholder.evaluate("(e) => (e.shadowRoot || e).textContent")
    assert "YouTube" in text, text
    placeholder.get_by_role("button", name=re.compile("同意")).click()
    visitor.wait_requested("www.youtube.com", "/embed/dQw4w9WgXcQ")
    visitor.settle()
    for host, path in [*LINKING_TAGS, ("s.yimg.jp", "/"), ("px.a8.net", "/")]:
        assert not visitor.requested(host, path), visitor.third_party()
    state = visitor.wait(
        lambda: (
            (s := visitor.cmp.state("dealer", visitor.consent_cookie()["visitor_id"]))
            and granted(s) == {"youtube"}
            and s
        ),
        "the server to hold the YouTube grant",
    )
    assert granted(state) == {"youtube"}


def test_5_policy_bump_runs_a_new_recipients_tag_only_after_a_new_decision(
    dealer: Callable[..., Dealer],
) -> None:
    """同意する under version 1; then the LINE Tag is published (version 2) and appears on
    the page: the returning visitor's old decision runs what it covered, never LINE, until
    the visitor answers the new banner."""
    visitor = dealer("android", site="dealer-bump")
    visitor.goto("/")
    visitor.banner().get_by_role("button", name="同意する").click()
    visitor.wait_stored(ALL, policy_version=1)
    version = add_recipient(visitor.cmp.store, "dealer-bump", line_recipient())

    visitor.mark = visitor.web.mark()
    visitor.goto("/", extra="line")
    banner = visitor.banner()  # a new version: asked again
    visitor.wait_requested("s.yimg.jp", "/images/listing/tool/cv/ytag.js")  # unchanged: runs
    visitor.settle()
    assert not visitor.requested("d.line-scdn.net"), visitor.third_party()
    assert not visitor.requested("tr.line.me")

    banner.get_by_role("button", name="同意する").click()
    visitor.wait_requested("d.line-scdn.net", "/n/line_tag/public/release/v1/lt.js")
    visitor.wait_stored(ALL, policy_version=version)


def test_6_www_and_shop_share_one_decision(dealer: Callable[..., Dealer]) -> None:
    """cookie_domain .dealer.example: 同意する on www. holds on shop.; a refusal on shop.
    holds on www. (one visitor, one choice)."""
    visitor = dealer("chrome_mac")
    visitor.goto("/")
    visitor.banner().get_by_role("button", name="同意する").click()
    state = visitor.wait_stored(ALL)
    assert visitor.consent_cookie()["domain"] == ".dealer.example"

    visitor.mark = visitor.web.mark()
    visitor.goto("/", host="shop.dealer.example")
    visitor.wait_requested("s.yimg.jp", "/images/listing/tool/cv/ytag.js")
    visitor.settle()
    assert not visitor.banner_open()
    assert visitor.page.evaluate("cmp.consent().visitor_id") == state["visitor_id"]

    visitor.page.evaluate("cmp.open()")
    visitor.page.get_by_role("dialog", name="設定").get_by_role("button", name="拒否する").click()
    after = visitor.wait_stored({"essential"})
    assert after["visitor_id"] == state["visitor_id"]

    visitor.mark = visitor.web.mark()
    visitor.goto("/")
    visitor.settle()
    assert not visitor.banner_open()
    assert visitor.page.evaluate("cmp.consent().categories.analytics") is False
    assert visitor.third_party() == []
    assert [c["domain"] for c in visitor.context.cookies() if c["name"] == "cmp_consent"] == [
        ".dealer.example"
    ]


def test_10_img_data_src_and_link_data_href_wait_for_consent(
    dealer: Callable[..., Dealer],
) -> None:
    """The A8.net conversion <img data-src> and the heat map's <link data-href>: nothing
    before consent, requested after 同意する."""
    visitor = dealer("safari_iphone")
    visitor.goto("/")
    visitor.banner()
    visitor.settle()
    assert not visitor.requested("px.a8.net") and not visitor.requested("js.ptengine.jp")
    visitor.banner().get_by_role("button", name="同意する").click()
    visitor.wait_requested("px.a8.net", "/a8fly/earnings?a8mat=DEALER")
    visitor.wait_requested("js.ptengine.jp", "/pt-heatmap.css")


def test_10_withdrawal_removes_the_heat_maps_local_storage(
    dealer: Callable[..., Dealer],
) -> None:
    """Analytics withdrawn in the settings: the config's storage keys (``_pt_*``) go, like
    the cookies (``_ga``)."""
    visitor = dealer("edge")
    visitor.goto("/")
    visitor.banner().get_by_role("button", name="同意する").click()
    visitor.wait(lambda: all(visitor.page.evaluate(PT_KEYS)), "the heat map's localStorage keys")
    visitor.wait_stored(ALL)

    visitor.page.locator("footer a[data-cmp-open]").click()
    settings = visitor.page.get_by_role("dialog", name="設定")
    settings.get_by_role("switch", name="アクセス解析").uncheck()
    settings.get_by_role("button", name="選択を保存").click()
    visitor.wait_stored({"essential", "targeting"})
    visitor.wait(lambda: "_ga" not in {c["name"] for c in visitor.context.cookies()}, "_ga removed")
    assert visitor.page.evaluate(PT_KEYS) == [None, None]


def test_10_enter_on_a_non_link_opener_opens_the_settings(
    dealer: Callable[..., Dealer],
) -> None:
    """A ``<span tabindex=0 role=button data-cmp-open>`` in the footer: Enter opens them."""
    visitor = dealer("chrome_win")
    visitor.goto("/")
    visitor.banner().get_by_role("button", name="拒否する").click()
    visitor.wait_stored({"essential"})
    visitor.page.locator("#open-span").focus()
    visitor.page.keyboard.press("Enter")
    visitor.page.get_by_role("dialog", name="設定").wait_for(state="visible", timeout=3000)
