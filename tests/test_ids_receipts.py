"""Signed visitor ids, receipt sealing, the user-agent summary and IP truncation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmp import ids
from cmp.model import Receipt
from cmp.receipts import seal, truncate_ip, ua_summary, verify_chain

SECRET = "s" * 32


def test_issue_sign_verify() -> None:
    raw, signed = ids.issue(SECRET)
    assert len(raw) == 22 and signed.startswith(raw + ".")
    assert ids.verify(SECRET, signed) == raw
    assert ids.sign(SECRET, raw) == signed


@pytest.mark.parametrize(
    "value", ["", "abc", None, 5, "A" * 22, "A" * 22 + ".xxxx", "a.b.c", "x" * 200]
)
def test_rejects_forged_and_malformed(value: object) -> None:
    with pytest.raises(ids.InvalidVisitorId):
        ids.verify(SECRET, value)


def test_other_secret_rejected() -> None:
    _, signed = ids.issue(SECRET)
    with pytest.raises(ids.InvalidVisitorId):
        ids.verify("other-secret-0123456789", signed)


@given(st.text(max_size=120))
def test_verify_never_crashes(value: str) -> None:
    try:
        ids.verify(SECRET, value)
    except ids.InvalidVisitorId:
        pass


def _receipt(n: int) -> Receipt:
    return Receipt("", "vid", "demo", f"2026-01-0{n}T00:00:00Z", 1, "h", {"analytics": n % 2 == 0})


def test_chain_detects_alteration_reordering_and_removal() -> None:
    chain, prev = [], ""
    for n in range(1, 4):
        sealed = seal(_receipt(n), prev, n)
        chain.append(sealed)
        prev = sealed.hash
    assert verify_chain(chain, prev) == []
    assert chain[0].receipt_id == "vid-1"
    altered = list(chain)
    altered[1] = Receipt(**{**chain[1].to_dict(), "categories": {"tampered": True}})
    assert any("altered" in p for p in verify_chain(altered, prev))
    assert verify_chain([chain[0], chain[2]], prev)
    assert verify_chain(chain[:2], prev)


def test_ua_summary() -> None:
    iphone = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
    )
    got = ua_summary(iphone)
    assert got["device"] == "mobile" and got["os"].startswith("iOS") and not got["bot"]
    bot = ua_summary("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")
    assert bot["bot"] is True and bot["device"] == "bot"
    assert ua_summary("")["device"] == "unknown"


@pytest.mark.parametrize(
    ("ip", "expected"),
    [
        ("203.0.113.77", "203.0.113.0"),
        ("2001:db8:1234:5678::1", "2001:db8:1234::"),
        ("::ffff:198.51.100.9", "198.51.100.0"),
        ("garbage", ""),
    ],
)
def test_truncate_ip(ip: str, expected: str) -> None:
    assert truncate_ip(ip) == expected
