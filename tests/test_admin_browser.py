"""The console in a real browser (headless Debian Chromium via Playwright).

Signs in through the form, edits a category and watches the change reach the banner of the
demo page, types banner texts and watches the live preview (the real cmp.js) follow, checks
that operator HTML stays text everywhere and that no admin page breaks its own CSP, and
saves screenshots of the main pages: under ``docs/screenshots/`` with ``CMP_SCREENSHOTS=1``
(``make screenshots``), else in a temporary folder, so a test run leaves the checkout as it was.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from werkzeug.security import generate_password_hash

from cmp import clock, consents, ids
from cmp.model import AdminUser
from tests.test_admin_support import ADMIN, FAST_HASH, PASSWORD

pytestmark = pytest.mark.browser

DOCS_SHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
TIMEOUT_MS = 10_000
#: Records Content Security Policy violations from the first script that runs on a page.
CSP_RECORDER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""
EVIL = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>'


@pytest.fixture
def admin(browser: Browser, live_server: Any) -> Iterator[Page]:
    """A page signed in to the console as an admin (a fresh context: own cookies)."""
    live_server.store.put_admin(
        AdminUser(ADMIN, generate_password_hash(PASSWORD, method=FAST_HASH), "admin")
    )
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    context.add_init_script(CSP_RECORDER)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(live_server.url + "/admin/")
    page.fill("#username", ADMIN)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    expect(page.locator("h1")).to_have_text("サイト")
    yield page
    context.close()


def _no_csp_violations(page: Page) -> None:
    assert page.evaluate("window.__csp") == [], page.url


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder screenshots are written to (docs/screenshots/ only when asked for)."""
    if os.environ.get("CMP_SCREENSHOTS") == "1":
        DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
        return DOCS_SHOTS
    return tmp_path_factory.mktemp("screenshots")


def _shot(page: Page, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def _banner(browser: Browser, url: str) -> Iterator[Page]:
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    try:
        yield page
    finally:
        context.close()


def _save_category(admin: Page, base: str, name_ja: str) -> None:
    admin.goto(base + "/admin/sites/demo/categories/analytics")
    admin.fill("#name_ja", name_ja)
    admin.click("form.editor button[type=submit].primary")
    expect(admin.locator("p.note.ok")).to_be_visible()


def test_edited_category_text_reaches_the_banner(
    admin: Page, browser: Browser, live_server: Any
) -> None:
    _save_category(admin, live_server.url, "アクセス解析（統計）")
    _no_csp_violations(admin)
    shown = admin.request.get(live_server.url + "/api/v1/sites/demo/config").json()
    assert "アクセス解析（統計）" in [c["name"] for c in shown["categories"]]
    for page in _banner(browser, live_server.url + "/demo"):
        page.locator("cmp-banner button", has_text="設定").click()
        expect(page.locator("cmp-banner label", has_text="アクセス解析（統計）")).to_be_visible()


def test_live_preview_follows_the_texts(admin: Page, live_server: Any, shots: Path) -> None:
    admin.goto(live_server.url + "/admin/sites/demo/texts?lang=ja")
    frame = admin.frame_locator("#preview-frame")
    expect(frame.locator("cmp-banner h2")).to_have_text("Cookie等の利用について")
    admin.fill("#title", "プレビュー中の見出し")
    expect(frame.locator("cmp-banner h2")).to_have_text("プレビュー中の見出し")
    assert live_server.store.get_site("demo").texts.get("ja", {}).get("title") is None
    _shot(admin, shots, "admin-texts-preview")
    frame.locator("cmp-banner button", has_text="同意する").click()  # recorded nowhere
    expect(frame.locator("#preview-done")).to_be_visible()
    _no_csp_violations(admin)


def test_operator_html_stays_text(admin: Page, browser: Browser, live_server: Any) -> None:
    base = live_server.url
    admin.goto(base + "/admin/sites/demo/texts?lang=ja")
    admin.fill("#title", EVIL)
    admin.click("form.editor button[type=submit].primary")
    expect(admin.locator("p.note.ok")).to_be_visible()
    _save_category(admin, base, EVIL)
    admin.goto(base + "/admin/sites/demo/categories")
    assert admin.evaluate("window.__pwned") is None
    expect(admin.locator("td span[lang=ja]", has_text="<img src=x").first).to_be_visible()
    for page in _banner(browser, base + "/demo"):
        expect(page.locator("cmp-banner h2")).to_have_text(EVIL)
        page.locator("cmp-banner button", has_text="設定").click()
        expect(page.locator("cmp-banner label", has_text="<img src=x").first).to_be_visible()
        assert page.evaluate("window.__pwned") is None
    for page in _banner(browser, base + "/sites/demo/external-transmission"):
        assert page.evaluate("window.__pwned") is None
    site = live_server.store.get_site("demo")
    site.texts = {}
    live_server.store.put_site(site)
    _save_category(admin, base, "アクセス解析")


def _thirty_days_of_decisions(live_server: Any) -> None:
    """Some decisions on each of the last 30 days, so that the chart has a shape."""
    store, now = live_server.store, clock.now()
    site = store.get_site("demo")
    cats, recs = store.get_categories("demo"), store.get_recipients("demo")
    rng = random.Random(4)
    for back in range(30):
        moment = now - timedelta(days=back, hours=1)
        for _ in range(rng.randint(2, 7)):
            consents.record(
                store,
                site,
                cats,
                recs,
                ids.issue(live_server.app.config["SECRET_KEY"])[0],
                {"analytics": rng.random() < 0.7, "targeting": rng.random() < 0.4},
                {},
                method=rng.choice(["banner", "banner", "preferences"]),
                gpc=False,
                ctx=consents.Context(),
                now=moment,
            )


def test_screenshots_of_the_main_pages(admin: Page, live_server: Any, shots: Path) -> None:
    base = live_server.url
    _thirty_days_of_decisions(live_server)
    pages = [
        ("admin-sites", "/admin/"),
        ("admin-categories", "/admin/sites/demo/categories"),
        ("admin-category-form", "/admin/sites/demo/categories/targeting"),
        ("admin-recipients", "/admin/sites/demo/recipients"),
        ("admin-recipient-form", "/admin/sites/demo/recipients/ad-global"),
        ("admin-policies", "/admin/sites/demo/policies"),
        ("admin-stats", "/admin/sites/demo/stats"),
        ("admin-audit", "/admin/sites/demo/audit"),
        ("notice", "/sites/demo/external-transmission"),
    ]
    for name, path in pages:
        admin.goto(base + path)
        _shot(admin, shots, name)
        _no_csp_violations(admin)
    admin.goto(base + "/admin/sites/demo/keys")
    admin.fill("#name", "CRM連携")
    admin.click("form.editor button[type=submit].primary")
    expect(admin.locator("#new-key")).to_contain_text("cmp_")
    _shot(admin, shots, "admin-keys")
    admin.goto(base + "/admin/sites/demo/recipients/new")
    admin.fill("#items_ja", "閲覧履歴等")
    admin.click("form.editor button[type=submit].primary")
    expect(admin.locator("#items_ja-error")).to_contain_text("具体的")
    _shot(admin, shots, "admin-recipient-errors")
    for name in ("admin-sites", "admin-stats", "notice"):
        assert (shots / f"{name}.png").stat().st_size > 10_000


def test_axe_finds_no_serious_violation(admin: Page, live_server: Any) -> None:
    axe = Axe()
    found = {}
    for path in (
        "/admin/",
        "/admin/sites/demo/categories",
        "/admin/sites/demo/categories/analytics",
        "/admin/sites/demo/recipients/ad-global",
        "/admin/sites/demo/texts",
        "/admin/sites/demo/stats",
        "/admin/sites/demo/keys",
        "/sites/demo/external-transmission",
    ):
        admin.goto(live_server.url + path)
        found[path] = axe.run(admin).response["violations"]
    admin.goto(live_server.url + "/admin/sites/demo/recipients/new")
    admin.click("form.editor button[type=submit].primary")  # a form full of errors
    found["errors"] = axe.run(admin).response["violations"]
    serious = [
        (path, v["id"], [n["target"] for n in v["nodes"]][:3])
        for path, violations in found.items()
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
