"""The banner's look and feel (issue 10): axe in every layout and in dark mode, a first layer
that reads on a 390x844 phone, theming through CSS custom properties, dark mode from the
system and from the site, switches, and the recipients' links in the settings.
"""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, expect

pytest.register_assert_rewrite("tests.browser_support")
from tests.browser_support import Visit, new_visit  # noqa: E402

pytest_plugins = ["tests.browser_support"]
pytestmark = pytest.mark.browser

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def serious(visit: Visit) -> list[Any]:
    """axe's serious and critical violations on the page as it is now."""
    found = Axe().run(visit.page).response["violations"]
    return [
        (v["id"], [n["target"] for n in v["nodes"]])
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize(
    ("query", "options"),
    [
        ("?layout=box", {}),
        ("?layout=bar", {}),
        ("?layout=modal", {}),
        ("?theme=dark", {}),
        ("", {"color_scheme": "dark"}),
        ("", PHONE),
    ],
)
def test_axe_clean_in_every_layout(
    browser: Browser, live_server: Any, query: str, options: dict[str, Any]
) -> None:
    visit = new_visit(browser, live_server.url, **options)
    try:
        visit.goto("/demo" + query)
        dialog = visit.wait_banner()
        assert serious(visit) == [], "first layer"
        dialog.get_by_role("button", name="設定").click()
        assert serious(visit) == [], "settings"
        dialog.get_by_role("button", name="拒否する").click()
        visit.page.locator("cmp-frame").wait_for()
        assert serious(visit) == [], "placeholder"
    finally:
        visit.context.close()


#: Elements of the dialog whose text is cut off: wider than their box without a scrollbar.
CLIPPED = """(host) => {
  const root = host.shadowRoot, d = root.querySelector('dialog');
  const out = [];
  for (const e of d.querySelectorAll('*')) {
    const s = getComputedStyle(e);
    if (e.scrollWidth > e.clientWidth + 1 && s.overflowX !== 'auto') out.push(e.localName);
  }
  return out;
}"""


def test_first_layer_reads_on_a_phone(browser: Browser, live_server: Any) -> None:
    visit = new_visit(browser, live_server.url, **PHONE)
    try:
        visit.goto("/demo")
        dialog = visit.wait_banner()
        box = dialog.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert box["y"] >= 844 * 0.35 and box["y"] + box["height"] <= 844 + 0.5
        assert visit.page.locator("cmp-banner").evaluate(CLIPPED) == []
        for name in ("同意する", "拒否する", "設定"):
            button = dialog.get_by_role("button", name=name).bounding_box()
            assert button and button["y"] + button["height"] <= 844  # always on screen
        # The text scrolls inside the sheet: every line of it can be reached.
        scroll = dialog.locator(".scroll")
        assert scroll.evaluate("e => getComputedStyle(e).overflowY") == "auto"
        scroll.evaluate("e => e.scrollTo(0, e.scrollHeight)")
        assert dialog.get_by_text("提供先が講ずる措置").is_visible()
        # The page above the sheet stays usable (a non-blocking first layer).
        # The settings layer is a chunk loaded on demand: wait for it, as a visitor would.
        visit.page.locator("header [data-cmp-open]").click()
        expect(visit.page.get_by_role("dialog", name="設定")).to_be_visible()
    finally:
        visit.context.close()


THEME = """:root{--cmp-accent:rgb(200, 0, 0);--cmp-on-accent:rgb(255, 255, 255);
--cmp-bg:rgb(250, 245, 230);--cmp-text:rgb(20, 20, 20);--cmp-radius:2px;--cmp-font:serif}"""


def test_theming_reaches_into_the_shadow_root(visit: Visit) -> None:
    visit.goto("/demo")
    dialog = visit.wait_banner()
    visit.page.add_style_tag(content=THEME)
    button = dialog.get_by_role("button", name="同意する")
    style = "(e, p) => getComputedStyle(e)[p]"
    assert button.evaluate(style, "backgroundColor") == "rgb(200, 0, 0)"
    assert dialog.evaluate(style, "backgroundColor") == "rgb(250, 245, 230)"
    assert dialog.evaluate(style, "color") == "rgb(20, 20, 20)"
    assert dialog.evaluate(style, "borderTopLeftRadius") == "2px"
    assert "serif" in dialog.evaluate(style, "fontFamily")


def luminance(rgb: str) -> float:
    """Rough luminance of ``rgb(r, g, b)``."""
    r, g, b = (int(x) for x in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_dark_mode_from_the_system_and_the_site(browser: Browser, live_server: Any) -> None:
    style = "e => getComputedStyle(e).backgroundColor"
    for query, scheme, dark in (
        ("", "dark", True),
        ("?theme=light", "dark", False),
        ("?theme=dark", "light", True),
        ("", "light", False),
    ):
        visit = new_visit(browser, live_server.url, color_scheme=scheme)
        try:
            visit.goto("/demo" + query)
            background = visit.wait_banner().evaluate(style)
            assert (luminance(background) < 80) is dark, (query, scheme, background)
        finally:
            visit.context.close()


def test_settings_use_switches_and_link_each_recipient(visit: Visit) -> None:
    visit.goto("/demo")
    visit.wait_banner().get_by_role("button", name="設定").click()
    settings = visit.page.get_by_role("dialog", name="設定")
    switch = settings.get_by_role("switch", name="アクセス解析")
    assert switch.evaluate("e => getComputedStyle(e).appearance") == "none"
    switch.click()
    assert switch.is_checked()
    for url in ("https://dmp.example.jp/privacy", "https://dmp.example.jp/opt-out"):
        assert settings.locator(f"a[href='{url}']").count() == 1
    # The close button sits in the heading row, clear of the text when the settings scroll.
    close = settings.get_by_role("button", name="閉じる").bounding_box()
    text = settings.locator("#cmp-text").bounding_box()
    assert close and text and close["y"] + close["height"] <= text["y"]
