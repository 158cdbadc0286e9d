"""``cmp scan`` end to end: a real ``cmp serve`` (its own /cmp.js banner), a fixture shop
whose tags live on real host names (``--host-resolver-rules``), the CLI's exit status and
lines, the JSON and HTML reports, the stored report in the admin's スキャン page, adopting a
proposal, and bad input. One scan of the shop serves most tests (the CLI starts Chromium)."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

from cmp import create_app
from tests.scan_cli import SCHEMA, Shop, running_shop
from tests.scan_site import SHOP, shop_site, start_shop
from tests.serving import SECRET
from tests.test_admin_support import ADMIN, VIEWER, Console, add_user

pytestmark = pytest.mark.browser
HOME = f"http://{SHOP}/"
GTM = "https://www.googletagmanager.com/gtm.js?id=GTM-SHOP"
CMP_JS = "http://cmp.example-shop.jp/cmp.js"


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    yield from running_shop(tmp_path_factory.mktemp("scan"), "shop", shop_site, start_shop)


@pytest.fixture(scope="module")
def scanned(shop: Shop) -> tuple[subprocess.CompletedProcess[str], dict[str, Any], str]:
    out = shop.tmp / "report.json"
    html = shop.tmp / "report.html"
    proc = shop.scan(HOME, "--pages", "10", "--json", str(out), "--html", str(html))
    assert proc.returncode in (0, 1, 2), proc.stderr
    return proc, json.loads(out.read_text()), html.read_text()


def _about(f: dict[str, Any]) -> str:
    d = f["detail"]
    return next(str(d[n]) for n in ("host", "name", "key", "owner", "code") if d.get(n))


#: Every finding the shop must give, exactly: (kind, phase, page, what, subject).
EXPECTED = {
    *(
        (kind, phase, HOME, what, about)
        for kind, phase in (("violation", "before"), ("violation", "rejected"))
        for what, about in (("request", "connect.facebook.net"), ("request", "www.facebook.com"),
                            ("cookie", "_fbp"), ("storage", "_fbq_session"))
    ),
    ("undeclared", "accepted", HOME, "request", "s.yimg.jp"),
    ("undeclared", "accepted", HOME, "request", "b92.yahoo.co.jp"),
    ("undeclared", "accepted", HOME, "cookie", "_ycl_yjad"),
    ("stale", None, None, "recipient", "criteo"),
    ("error", "rejected", f"http://{SHOP}/nobanner", "page", "no_banner"),
    ("ok", None, None, "recipient", "gtm"),
}  # fmt: skip


def test_the_json_report_holds_every_finding_exactly(scanned: Any) -> None:
    _, report, _ = scanned
    jsonschema.validate(report, SCHEMA)
    got = {(f["kind"], f["phase"], f["page"], f["what"], _about(f)) for f in report["findings"]}
    assert got == EXPECTED
    assert len(report["findings"]) == len(EXPECTED)
    pages = {p["url"] for p in report["pages"]}  # same-origin links only, no PDF, no fragment
    assert pages == {
        HOME,
        f"http://{SHOP}/about",
        f"http://{SHOP}/products",
        f"http://{SHOP}/nobanner",
    }
    assert report["summary"] == {"violation": 8, "undeclared": 3, "stale": 1, "error": 1, "ok": 1}
    assert report["exit_status"] == 1 and report["site"] == "shop"


def test_findings_name_the_request_and_what_made_it(scanned: Any) -> None:
    _, report, _ = scanned
    by = {(f["kind"], f["phase"], _about(f)): f for f in report["findings"]}
    leak = by[("violation", "before", "connect.facebook.net")]["detail"]
    assert leak["url"] == "https://connect.facebook.net/en_US/fbevents.js"
    assert (leak["owner"], leak["category"], leak["initiator"]) == ("meta", "targeting", HOME)
    pixel = by[("violation", "rejected", "www.facebook.com")]["detail"]
    assert pixel["beacon"] == "pixel" and pixel["tag"] == leak["url"]
    cookie = by[("violation", "before", "_fbp")]["detail"]
    assert (cookie["domain"], cookie["party"]) == ("example-shop.jp", "first")
    assert 89 <= cookie["lifetime_days"] <= 90
    ytag = by[("undeclared", "accepted", "s.yimg.jp")]
    assert ytag["detail"]["chain"] == [HOME, CMP_JS, GTM] and ytag["detail"]["tag"] == GTM
    assert ytag["detail"]["pages"] == [HOME, f"http://{SHOP}/products"]
    assert ytag["proposal"]["vendor"].startswith("yahoo-ads-")
    beacon = by[("undeclared", "accepted", "b92.yahoo.co.jp")]
    assert beacon["detail"]["beacon"] == "sendBeacon" and beacon["detail"]["tag"] == GTM
    # The catalogue does not list the beacon host; the tag that sent it (ytag.js) it knows.
    assert beacon["proposal"]["vendor"].startswith("yahoo-ads-")
    assert beacon["proposal"]["via"] == "https://s.yimg.jp/images/listing/tool/cv/ytag.js"
    cv = by[("undeclared", "accepted", "_ycl_yjad")]["proposal"]
    assert cv["vendor"] == "yahoo-ads-conversion"
    assert cv["recipient"]["name"]["ja"] == "LINEヤフー株式会社" and cv["source"].startswith(
        "https://"
    )
    home = next(p for p in report["pages"] if p["url"] == HOME)
    before_hosts = {r["host"] for r in home["phases"]["before"]["requests"]}
    assert "www.googletagmanager.com" not in before_hosts  # blocked until consent
    assert {c["name"] for c in home["phases"]["accepted"]["cookies"]} >= {
        "shop_session",
        "cmp_consent",
    }


def test_the_cli_exits_1_and_lists_each_finding(scanned: Any) -> None:
    proc, report, _ = scanned
    assert proc.returncode == 1
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    assert len(lines) == len(EXPECTED) + 1
    assert sum(ln.startswith("violation ") for ln in lines) == 8
    assert any("s.yimg.jp" in ln and "proposal: Yahoo!" in ln for ln in lines)
    assert lines[-1].startswith("4 page(s) in ") and "8 violation, 3 undeclared" in lines[-1]


def test_the_html_report_reads_in_japanese(scanned: Any) -> None:
    _, report, html = scanned
    assert '<html lang="ja">' in html and "外部送信スキャン結果" in html
    assert "同意なしに動作しているもの（違反）" in html and "登録の提案" in html
    for f in report["findings"]:
        assert _about(f) in html
    assert "<script" not in html  # a self-contained page: nothing runs, nothing loads


def test_the_admin_lists_the_report_and_adopts_a_proposal(shop: Shop, scanned: Any) -> None:
    _, report, _ = scanned
    app = create_app({"TESTING": True, "SECRET_KEY": SECRET, "STORE_URL": shop.url,
                      "RATE_LIMIT": "off"})  # fmt: skip
    add_user(app, ADMIN, "admin")
    add_user(app, VIEWER, "viewer")
    admin = Console(app)
    admin.login(ADMIN)
    listing = admin.get("/admin/sites/shop/scans")
    assert listing.status_code == 200 and report["scan_id"] in listing.text
    page = admin.get(f"/admin/sites/shop/scans/{report['scan_id']}")
    assert page.status_code == 200
    assert page.text.count('class="finding"') == len(EXPECTED)
    for f in report["findings"]:
        assert _about(f) in page.text
    assert admin.get(f"/admin/sites/shop/scans/{report['scan_id']}.json").json == report
    viewer = Console(app)
    viewer.login(VIEWER)
    url = f"/admin/sites/shop/scans/{report['scan_id']}/adopt"
    assert viewer.post(url, {"vendor": "yahoo-ads-conversion"}).status_code == 403
    assert admin.post(url, {"vendor": "nobody"}).status_code == 400
    done = admin.post(url, {"vendor": "yahoo-ads-conversion", "category": "targeting"})
    assert done.status_code == 303 and "adopted=yahoo-ads-conversion" in done.headers["Location"]
    store = app.extensions["cmp.store"]
    made = next(r for r in store.get_recipients("shop") if r.key == "yahoo-ads-conversion")
    assert made.cookies == ["_ycl_yjad"] and made.category == "targeting"
    assert store.get_site("shop").policy_version == 2  # a new version, as every new recipient
    listed = store.get_policy("shop", 2).snapshot["recipients"]
    assert "yahoo-ads-conversion" in {r["key"] for r in listed}
    again = admin.get(f"/admin/sites/shop/scans/{report['scan_id']}")
    assert "yahoo-ads-conversion" in again.text and "登録済み" in again.text
    store.close()


def test_bad_input_gives_clear_findings_in_bounded_time(shop: Shop) -> None:
    urls = [f"http://{SHOP}/slow", "http://down.example-shop.jp/", f"http://{SHOP}/away",
            f"http://{SHOP}/missing"]  # fmt: skip
    began = time.monotonic()
    proc = shop.scan(*urls, "--page-timeout", "3", "--no-store", "--json", "-")
    assert time.monotonic() - began < 90
    assert proc.returncode == 2, proc.stderr
    report = json.loads(proc.stdout)
    jsonschema.validate(report, SCHEMA)
    errors = {f["page"]: f["detail"]["code"] for f in report["findings"] if f["kind"] == "error"}
    assert errors == {urls[0]: "timeout", urls[1]: "unreachable", urls[2]: "redirect",
                      urls[3]: "http_status"}  # fmt: skip
    assert {f["kind"] for f in report["findings"]} == {"error"}
    assert "ERR_CONNECTION_REFUSED" in next(
        f["detail"]["message"] for f in report["findings"] if f["page"] == urls[1]
    )


def test_the_scan_stops_at_its_time_limit(shop: Shop) -> None:
    proc = shop.scan(HOME, f"http://{SHOP}/about", "--max-time", "0", "--no-store", "--json", "-")
    assert proc.returncode == 2
    report = json.loads(proc.stdout)
    (stop,) = report["findings"]
    assert (stop["kind"], stop["what"], stop["detail"]["code"]) == ("error", "scan", "time_limit")
    assert stop["detail"]["not_scanned"] == [HOME, f"http://{SHOP}/about"]


def test_setup_errors_exit_2_before_any_page(shop: Shop) -> None:
    assert shop.scan("ftp://x/").returncode == 2
    proc = shop.scan(HOME, "--browser", "/nonexistent/chromium")
    assert proc.returncode == 2 and "no browser" in proc.stderr
