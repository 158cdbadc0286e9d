"""Outside review of ``cmp scan`` (issue 13): a Japanese shop's real tag setup and hostile
pages (tests/scan_review_site.py), scanned by the real CLI in real Chromium against a real
``cmp serve``. Each test is one finding of the review; docs/scanner.md says what is held."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest

from cmp import create_app
from cmp.scan import catalogue
from tests.scan_cli import SCHEMA, Shop, running_shop
from tests.scan_cli import find as _find
from tests.scan_cli import page_of as _page
from tests.scan_review_site import (
    APEX,
    CMP_JS,
    EVIL,
    FBEVENTS,
    GTAG,
    GTM,
    HITS,
    HOME,
    LT,
    SHOP,
    YT,
    YTAG,
    review_site,
    start_review,
)  # fmt: skip
from tests.serving import SECRET
from tests.test_admin_support import ADMIN, Console, add_user

pytestmark = pytest.mark.browser
CAMPAIGN = f"http://{SHOP}/campaign"


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    yield from running_shop(tmp_path_factory.mktemp("review"), "review", review_site, start_review)


@pytest.fixture(scope="module")
def site_scan(shop: Shop) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """The shop from its apex (which redirects to www), five pages."""
    out = shop.tmp / "site.json"
    proc = shop.scan(f"http://{APEX}/", "--pages", "5", "--no-store", "--json", str(out))
    assert proc.returncode in (1, 2), proc.stderr
    report = json.loads(out.read_text())
    jsonschema.validate(report, SCHEMA)
    return proc, report


@pytest.fixture(scope="module")
def hostile_scan(shop: Shop) -> tuple[subprocess.CompletedProcess[str], dict[str, Any], str, float]:
    """The hostile pages in one scan (stored, for the admin); its duration."""
    HITS.counts.clear()
    out, html = shop.tmp / "hostile.json", shop.tmp / "hostile.html"
    urls = [f"http://{SHOP}/{p}" for p in ("busy", "popups", "flood", "xss", "wander")]
    began = time.monotonic()
    proc = shop.scan(*urls, "--page-timeout", "12", "--json", str(out), "--html", str(html))
    seconds = time.monotonic() - began
    report = json.loads(out.read_text())
    jsonschema.validate(report, SCHEMA)
    return proc, report, html.read_text(), seconds


def test_links_are_followed_breadth_first_from_a_start_url_that_redirects(site_scan: Any) -> None:
    # Held before the review: the apex redirected to www and no link was followed (one page).
    _, report = site_scan
    assert [p["url"] for p in report["pages"]] == [
        f"http://{APEX}/", f"http://{SHOP}/products", CAMPAIGN, f"http://{SHOP}/about",
        f"http://{SHOP}/products/1",
    ]  # fmt: skip
    assert _page(report, f"http://{APEX}/")["final_url"] == HOME


def test_the_gtm_container_runs_only_after_consent_and_names_each_tag(site_scan: Any) -> None:
    _, report = site_scan
    top = _page(report, f"http://{APEX}/")
    for phase in ("before", "rejected"):
        assert top["phases"][phase]["requests"] == []  # GTM, YouTube, the gated tag: blocked
    after = {(r["host"], r["url"]): r for r in top["phases"]["accepted"]["requests"]}
    assert after[("www.googletagmanager.com", GTAG)]["chain"] == [HOME, CMP_JS, GTM]
    pixel = after[("www.facebook.com", "https://www.facebook.com/tr/?id=42&ev=PageView")]
    assert pixel["beacon"] == "pixel" and pixel["chain"] == [HOME, CMP_JS, GTM, FBEVENTS]
    assert pixel["tag"] == GTM
    ga = next(r for r in after.values() if r["host"] == "region1.google-analytics.com")
    assert ga["beacon"] == "sendBeacon" and ga["initiator"] == GTAG
    assert ("tr.line.me", "https://tr.line.me/tag.gif?e=consented") in after  # 同意する only
    assert any(h == "www.youtube.com" and u.startswith(YT) for h, u in after)
    for owner in ("gtm", "line"):  # ga4 and meta leak on /campaign: not ok
        assert _find(report, "ok", None, owner)["detail"]["phases"] == ["accepted"]
    ytag = _find(report, "undeclared", "accepted", "s.yimg.jp")
    assert ytag["detail"]["chain"] == [HOME, CMP_JS, GTM] and ytag["detail"]["tag"] == GTM
    assert ytag["proposal"]["vendor"].startswith("yahoo-ads-")


def test_cookies_and_keys_name_the_script_that_wrote_them(site_scan: Any) -> None:
    # Held before the review: a cookie or storage finding named no script at all.
    _, report = site_scan
    cookies = {
        c["name"]: c for c in _page(report, f"http://{APEX}/")["phases"]["accepted"]["cookies"]
    }
    assert cookies["_ycl_yjad"]["initiator"] == YTAG
    assert cookies["_ycl_yjad"]["chain"] == [HOME, CMP_JS, GTM, YTAG]
    assert cookies["_ycl_yjad"]["tag"] == GTM
    assert cookies["__lt__cid"]["initiator"] == LT
    assert cookies["shop_session"]["initiator"] == HOME  # the page's own Set-Cookie
    undeclared = _find(report, "undeclared", "accepted", "_ycl_yjad")
    assert undeclared["detail"]["tag"] == GTM
    stored = _find(report, "violation", "before", "_fbq_event")["detail"]
    assert (stored["initiator"], stored["owner"]) == (CAMPAIGN, "meta")


def test_a_campaign_page_s_leaks_are_violations_in_both_phases(site_scan: Any) -> None:
    proc, report = site_scan
    for phase in ("before", "rejected"):
        pixel = _find(report, "violation", phase, "www.facebook.com")["detail"]
        assert pixel["url"] == "https://www.facebook.com/tr?id=42&ev=PageView&noscript=1"
        assert (pixel["beacon"], pixel["initiator"], pixel["owner"]) == ("pixel", CAMPAIGN, "meta")
        video = _find(report, "violation", phase, "www.youtube.com")["detail"]
        assert (video["url"], video["type"], video["initiator"]) == (YT, "document", CAMPAIGN)
        thumb = _find(report, "violation", phase, "i.ytimg.com")["detail"]
        assert thumb["initiator"] == YT  # made inside the cross-site frame
        # Held before the review: a cookie written 1.5 s after the load was never seen.
        ga = _find(report, "violation", phase, "_ga")["detail"]
        assert (ga["owner"], ga["initiator"], ga["party"]) == ("ga4", CAMPAIGN, "first")
        _find(report, "violation", phase, "_fbq_event")
    unknown = _find(report, "undeclared", "before", "log.unknown-ads.example")
    assert unknown["detail"]["beacon"] == "sendBeacon" and "proposal" not in unknown
    hosts = {f["detail"].get("host") for f in report["findings"] if f["kind"] == "violation"}
    assert "log.unknown-ads.example" not in hosts  # unknown: undeclared, not a violation
    assert proc.returncode == 1 and report["exit_status"] == 1


def test_a_hostile_page_cannot_hang_or_flood_the_scan(hostile_scan: Any) -> None:
    proc, report, _, seconds = hostile_scan
    # Held before the review: a script that never yields hung the scanner for ever, a
    # window.open loop opened a hundred pages, a page still loading lost what it had run.
    assert seconds < 150, seconds
    errors = {f["page"].rsplit("/", 1)[1]: f["detail"] for f in report["findings"]
              if f["kind"] == "error"}  # fmt: skip
    assert errors["busy"]["code"] == "timeout" and "never yields" in errors["busy"]["message"]
    assert "popups" not in errors  # all three phases ran
    assert HITS.counts[(SHOP, "/popups")] < 60
    assert errors["wander"]["code"] == "redirect" and "after loading" in errors["wander"]["message"]
    flood = _page(report, f"http://{SHOP}/flood")
    before = flood["phases"]["before"]
    assert before is not None  # kept though the page never finished loading
    hosts = [r["host"] for r in before["requests"]]
    assert hosts and hosts.count("b92.yahoo.co.jp") <= 20 and before["omitted"] > 0
    assert len(before["storage"]) <= 1000
    assert proc.returncode == 2 and report["exit_status"] == 2


def test_hostile_names_are_escaped_and_printable(shop: Shop, hostile_scan: Any) -> None:
    proc, report, html, _ = hostile_scan
    _find(report, "undeclared", "before", EVIL)  # the cookie and the key are reported
    assert "<script" not in html and EVIL not in html
    assert "&lt;/code&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # Held before the review: a storage key's escape sequence and newline went to the
    # terminal raw, forging a finding line in a CI log.
    assert "\x1b" not in proc.stdout
    assert not [ln for ln in proc.stdout.splitlines() if ln.startswith("violation  forged")]
    assert "\\x1b[2J\\x0aviolation  forged line" in proc.stdout
    app = create_app({"TESTING": True, "SECRET_KEY": SECRET, "STORE_URL": shop.url,
                      "RATE_LIMIT": "off"})  # fmt: skip
    add_user(app, ADMIN, "admin")
    admin = Console(app)
    admin.login(ADMIN)
    page = admin.get(f"/admin/sites/review/scans/{report['scan_id']}")
    assert page.status_code == 200 and EVIL not in page.text and "&lt;/code&gt;" in page.text
    listing = admin.get("/admin/sites/review/scans")
    assert report["scan_id"] in listing.text
    app.extensions["cmp.store"].close()


def test_max_time_bounds_the_whole_scan(shop: Shop) -> None:
    # Held before the review: --max-time was checked between pages only, so one page could
    # run three phases of --page-timeout past it.
    began = time.monotonic()
    proc = shop.scan(f"http://{SHOP}/never", f"http://{SHOP}/about", "--page-timeout", "20",
                     "--max-time", "4", "--no-store", "--json", "-")  # fmt: skip
    assert time.monotonic() - began < 60  # never the 3 x 20 s of the page timeout
    report = json.loads(proc.stdout)
    # The scan's own clock (browser launch to the end), not this process's: starting the
    # CLI took up to 10 s of the former 16 s bound on 2 loaded cores (second review).
    assert report["seconds"] < 12, report["seconds"]
    assert proc.returncode == 2
    codes = {f["detail"]["code"] for f in report["findings"] if f["kind"] == "error"}
    assert codes == {"timeout", "time_limit"}


def test_a_report_path_that_cannot_be_written_fails_before_the_scan(shop: Shop) -> None:
    # Held before the review: the whole scan ran, then a traceback and exit 1 ("violations").
    began = time.monotonic()
    proc = shop.scan(HOME, "--json", "/nonexistent/dir/r.json", "--no-store")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "cannot write" in proc.stderr and time.monotonic() - began < 20


#: Entries whose source is still the vendor's home page (docs/scanner.md, "The catalogue"):
#: none since the second review (Ptengine cites its help page showing the base tag).
UNCONFIRMED_SOURCES: set[str] = set()


def test_catalogue_entries_are_complete_and_cite_documentation_pages() -> None:
    for entry in catalogue.load().entries:
        for field in ("company", "service", "country", "purpose", "recipient_purpose"):
            assert entry[field]["ja"] and entry[field]["en"], (entry["key"], field)
        assert entry["items"]["ja"] and len(entry["items"]["ja"]) == len(entry["items"]["en"])
        assert entry["policy_url"].startswith("https://"), entry["key"]
        assert entry["opt_out_url"] == "" or entry["opt_out_url"].startswith("https://")
        source = urlsplit(entry["source"])
        assert source.scheme == "https", entry["key"]
        if entry["key"] in UNCONFIRMED_SOURCES:
            assert "home page" in entry["note"]  # said where the operator reads it
            continue
        # Held before the review: four entries cited a site's or help centre's home page.
        assert source.path.strip("/") not in ("", "jp", "ja"), entry["key"]
        assert entry["hosts"], entry["key"]
