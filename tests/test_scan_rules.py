"""The scanner's pure rules, without a browser: domains, initiator chains, declarations,
findings, exit status, the catalogue and its proposals."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cmp.model import Category, Recipient
from cmp.scan import KINDS, catalogue
from cmp.scan.crawl import page_link
from cmp.scan.declared import registry_of
from cmp.scan.domains import host_matches, registrable
from cmp.scan.observe import chain_of, cookie_view, request_view, tag_of
from cmp.scan.report import explain, line
from cmp.scan.rules import evaluate, exit_status, summary

PAGE = "https://www.shop.co.jp/"
CMP_JS = "https://cmp.shop.co.jp/cmp.js"
GTM = "https://www.googletagmanager.com/gtm.js?id=GTM-X"


@pytest.mark.parametrize(
    ("host", "domain"),
    [
        ("www.googletagmanager.com", "googletagmanager.com"),
        ("b92.yahoo.co.jp", "yahoo.co.jp"),
        ("s.yimg.jp", "yimg.jp"),
        ("a.b.example.tokyo.jp", "example.tokyo.jp"),
        ("127.0.0.1", "127.0.0.1"),
        ("localhost", "localhost"),
        (".Example.COM.", "example.com"),
    ],
)
def test_registrable_domains_come_from_the_public_suffix_list(host: str, domain: str) -> None:
    assert registrable(host) == domain


def test_declared_hosts_cover_subdomains_and_path_prefixes() -> None:
    assert host_matches("connect.facebook.net", "facebook.net")
    assert host_matches("connect.facebook.net", "*.facebook.net")
    assert not host_matches("evilfacebook.net", "facebook.net")
    assert host_matches("www.facebook.com", "www.facebook.com/tr", "/tr/")
    assert not host_matches("www.facebook.com", "www.facebook.com/tr", "/plugins/like.php")


def test_the_chain_walks_initiators_back_to_the_page() -> None:
    ytag = "https://s.yimg.jp/images/listing/tool/cv/ytag.js"
    initiators = {
        CMP_JS: {"type": "parser", "url": PAGE},
        GTM: {"type": "script", "stack": {"callFrames": [{"url": CMP_JS}]}},
        ytag: {
            "type": "script",
            "stack": {"callFrames": [], "parent": {"callFrames": [{"url": GTM}]}},
        },
        "https://b92.yahoo.co.jp/x": {"type": "script", "stack": {"callFrames": [{"url": ytag}]}},
    }
    chain = chain_of("https://b92.yahoo.co.jp/x", initiators)
    assert chain == [PAGE, CMP_JS, GTM, ytag]
    assert tag_of("https://b92.yahoo.co.jp/x", "ping", chain) == GTM  # the loader, not cmp
    assert tag_of("https://connect.facebook.net/fbevents.js", "script", [PAGE]).endswith(
        "fbevents.js"
    )
    assert tag_of("https://px.example/p.gif", "image", [PAGE]) == PAGE  # an inline script
    # A request inside a cross-site iframe DevTools did not see: the frame is its initiator.
    assert chain_of("https://i.ytimg.com/a.jpg", {}, "https://www.youtube.com/embed/x") == [
        "https://www.youtube.com/embed/x"
    ]
    loop = {"a": {"url": "b"}, "b": {"url": "a"}}
    assert chain_of("a", loop) == ["b"]


def test_request_and_cookie_views() -> None:
    beacon = request_view("https://b92.yahoo.co.jp/cv?x=1", "ping", "POST", [PAGE])
    assert (beacon["beacon"], beacon["domain"], beacon["path"]) == (
        "sendBeacon",
        "yahoo.co.jp",
        "/cv",
    )
    pixel = request_view("https://www.facebook.com/tr?id=1", "image", "GET", [PAGE])
    assert pixel["beacon"] == "pixel"
    now = 1_000_000.0
    first = cookie_view(
        {"name": "_fbp", "domain": ".shop.co.jp", "expires": now + 86400 * 90}, "shop.co.jp", now
    )
    assert (first["party"], first["session"], first["lifetime_days"]) == ("first", False, 90.0)
    third = cookie_view(
        {"name": "IDE", "domain": ".doubleclick.net", "expires": -1}, "shop.co.jp", now
    )
    assert (third["party"], third["session"], third["lifetime_days"]) == ("third", True, None)


def _req(host: str, path: str = "/", chain: list[str] | None = None) -> dict[str, Any]:
    return request_view(f"https://{host}{path}", "script", "GET", chain or [PAGE])


def _cookie(name: str, domain: str = "www.shop.co.jp") -> dict[str, Any]:
    return {
        "name": name,
        "domain": domain,
        "party": "first",
        "session": True,
        "lifetime_days": None,
    }


def _registry() -> Any:
    categories = [
        Category(key="essential", required=True, cookies=["sid"]),
        Category(key="analytics"),
        Category(key="targeting"),
    ]
    recipients = [
        Recipient(key="gtm", category="analytics", hosts=["www.googletagmanager.com"]),
        Recipient(
            key="ga",
            category="analytics",
            hosts=["www.googletagmanager.com/gtag/js"],
            cookies=["_ga", "_ga_*"],
        ),
        Recipient(
            key="meta",
            category="targeting",
            hosts=["facebook.net"],
            cookies=["_fbp"],
            storage=["_fbq*"],
        ),
        Recipient(key="gone", category="targeting", hosts=["static.criteo.net"]),
        Recipient(key="nothing-declared", category="targeting"),
    ]
    return registry_of(categories, recipients, ["cmp.shop.co.jp"])


def _page(url: str = PAGE, **phases: dict[str, list[Any]]) -> dict[str, Any]:
    full = {
        p: {"requests": [], "cookies": [], "storage": [], **phases.get(p, {})}
        for p in ("before", "rejected", "accepted")
    }
    return {"url": url, "error": None, "phases": full}


def _about(f: dict[str, Any]) -> str:
    d = f["detail"]
    names = ("host", "name", "key", "pattern", "owner", "code")
    return next(d[n] for n in names if d.get(n))


def test_findings_of_a_scan() -> None:
    ytag = _req("s.yimg.jp", "/images/listing/tool/cv/ytag.js", [PAGE, CMP_JS, GTM])
    page = _page(
        before={
            "requests": [_req("connect.facebook.net", "/fbevents.js")],
            "cookies": [_cookie("sid"), _cookie("_fbp", "shop.co.jp"), _cookie("cmp_consent")],
            "storage": [
                {"area": "local", "key": "_fbq_x", "origin": PAGE},
                {"area": "local", "key": "cmp_queue", "origin": PAGE},
            ],
        },
        rejected={"cookies": [_cookie("_fbp", "shop.co.jp")]},
        accepted={
            "requests": [
                _req("www.googletagmanager.com", "/gtm.js"),
                _req("www.googletagmanager.com", "/gtag/js"),
                ytag,
                _req("connect.facebook.net", "/fbevents.js"),
            ],
            "cookies": [_cookie("_ga"), _cookie("_ycl_yjad"), _cookie("mystery")],
        },
    )
    broken = {
        "url": "https://www.shop.co.jp/x",
        "error": {"code": "no_banner", "message": "no banner"},
        "phases": {"before": None},
    }
    findings = evaluate([page, broken], _registry(), catalogue.load())
    got = {(f["kind"], f["what"], f["phase"], _about(f)) for f in findings}
    assert got == {
        ("violation", "request", "before", "connect.facebook.net"),
        ("violation", "cookie", "before", "_fbp"),
        ("violation", "storage", "before", "_fbq_x"),
        ("violation", "cookie", "rejected", "_fbp"),
        ("undeclared", "request", "accepted", "s.yimg.jp"),
        ("undeclared", "cookie", "accepted", "_ycl_yjad"),
        ("undeclared", "cookie", "accepted", "mystery"),
        ("stale", "recipient", None, "gone"),
        ("stale", "cookie", None, "_ga_*"),
        ("error", "page", None, "no_banner"),
        ("ok", "recipient", None, "gtm"),
        ("ok", "recipient", None, "ga"),
    }
    assert [f["kind"] for f in findings] == sorted((f["kind"] for f in findings), key=KINDS.index)
    leak = next(f for f in findings if f["kind"] == "violation" and f["what"] == "request")
    assert (leak["page"], leak["detail"]["owner"], leak["detail"]["category"]) == (
        PAGE,
        "meta",
        "targeting",
    )
    assert leak["detail"]["url"] == "https://connect.facebook.net/fbevents.js"
    yahoo = next(f for f in findings if f["detail"].get("host") == "s.yimg.jp")
    assert yahoo["detail"]["tag"] == GTM and yahoo["detail"]["chain"] == [PAGE, CMP_JS, GTM]
    assert yahoo["proposal"]["vendor"].startswith("yahoo-ads-")
    assert yahoo["proposal"]["alternatives"]  # the same tag serves two Yahoo! services
    assert "proposal" not in next(f for f in findings if f["detail"].get("name") == "mystery")
    assert summary(findings)["violation"] == 4 and exit_status(findings) == 1
    assert all(line(f) and explain(f, "ja") for f in findings)


def test_an_undeclared_catalogue_tag_before_the_choice_is_a_violation() -> None:
    page = _page(before={"requests": [_req("www.clarity.ms", "/tag/abc")]})
    findings = evaluate([page], _registry(), catalogue.load())
    kinds = {
        (f["kind"], f["what"]) for f in findings if f["detail"].get("host") == "www.clarity.ms"
    }
    assert kinds == {("violation", "request"), ("undeclared", "request")}
    violation = next(f for f in findings if f["kind"] == "violation")
    assert violation["detail"]["vendor"] == "microsoft-clarity"


def test_exit_status() -> None:
    def f(kind: str) -> dict[str, Any]:
        return {"kind": kind}

    assert exit_status([]) == 0
    assert exit_status([f("ok")]) == 0
    assert exit_status([f("stale"), f("ok")]) == 2
    assert exit_status([f("undeclared")]) == 2
    assert exit_status([f("error")]) == 2
    assert exit_status([f("undeclared"), f("violation")]) == 1


def test_nothing_is_stale_when_no_page_reached_the_accept_phase() -> None:
    broken = {
        "url": PAGE,
        "error": {"code": "unreachable", "message": "net::ERR_CONNECTION_REFUSED"},
        "phases": {},
    }
    findings = evaluate([broken], _registry(), catalogue.load())
    assert [f["kind"] for f in findings] == ["error"]
    assert exit_status(findings) == 2


def test_page_links() -> None:
    origins = {"https://www.shop.co.jp"}
    assert page_link("https://www.shop.co.jp/a#top", origins) == "https://www.shop.co.jp/a"
    assert page_link("https://other.jp/", origins) is None
    assert page_link("mailto:x@shop.co.jp", origins) is None
    assert page_link("https://www.shop.co.jp/catalog.PDF", origins) is None


REQUIRED = {
    "ga4",
    "google-tag-manager",
    "google-ads",
    "meta-pixel",
    "youtube",
    "yahoo-ads-retargeting",
    "yahoo-ads-conversion",
    "line-tag",
    "x-pixel",
    "tiktok-pixel",
    "criteo",
    "microsoft-clarity",
    "hotjar",
    "treasure-data",
    "ptengine",
}


def test_the_catalogue_is_complete_and_sourced() -> None:
    doc = json.loads(catalogue.PATH.read_text(encoding="utf-8"))
    entries = {e["key"]: e for e in doc["entries"]}
    assert REQUIRED <= entries.keys() and len(entries) == len(doc["entries"])
    for e in entries.values():
        for field in ("company", "service", "country", "purpose", "recipient_purpose"):
            assert e[field]["ja"] and e[field]["en"], (e["key"], field)
        assert len(e["items"]["ja"]) == len(e["items"]["en"]) > 0
        assert e["category"] in ("analytics", "targeting")
        assert e["source"].startswith("https://") and e["policy_url"].startswith("https://")
        assert e["hosts"], e["key"]
        assert isinstance(e["foreign"], bool) and e["foreign"] == (e["country"]["en"] != "Japan")


def test_a_proposal_is_a_recipient_entry() -> None:
    cat = catalogue.load()
    entry = cat.match("request", _req("www.googletagmanager.com", "/gtag/js"))
    assert entry["key"] == "ga4"  # the longer pattern wins over the bare Tag Manager host
    assert (
        cat.match("request", _req("www.googletagmanager.com", "/gtm.js"))["key"]
        == "google-tag-manager"
    )
    made = catalogue.recipient_of(cat.by_key["meta-pixel"], "ads", key="meta")
    assert (made.key, made.category, made.name["ja"]) == ("meta", "ads", "Meta Platforms, Inc.")
    assert made.foreign == {"system": {}, "measures": {}} and "_fbp" in made.cookies
    assert catalogue.recipient_of(cat.by_key["line-tag"], "targeting").foreign is None
