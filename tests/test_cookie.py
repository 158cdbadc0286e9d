"""The ``cmp_consent`` cookie parser: known values, round trips, and fuzzed garbage."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmp import rules
from cmp.cookie import ConsentCookie, CookieError, dump, parse

# Category and recipient keys as the one key rule allows them (cmp.rules.KEY).
KEYS = st.frozensets(st.from_regex(rules.KEY, fullmatch=True), max_size=5)
VIDS = st.one_of(
    st.just(""), st.from_regex(r"[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{27}", fullmatch=True)
)


def test_parses_a_banner_value() -> None:
    got = parse("1~3~AbC-_x.SiG~essential+analytics~dmp-partner~1~1763771561")
    assert got.policy_version == 3 and got.visitor_id == "AbC-_x.SiG"
    assert got.allows("analytics") and not got.allows("targeting")
    assert got.recipients == {"dmp-partner"} and got.gpc and got.decided_at == 1763771561


def test_queued_decision_has_empty_visitor_id() -> None:
    assert parse("1~1~~essential~~0~1").visitor_id == ""


@pytest.mark.parametrize(
    "value",
    [
        "",
        "2~1~~a~~0~1",
        "1~x~~a~~0~1",
        "1~1~~A B~~0~1",
        "1~1~~a~~2~1",
        "1~1~~a~~0",
        "1~1~bad~a~~0~1",
        "1~-1~~a~~0~1",
        "1~1~~a+~~0~1",
        "1~1~~a~~0~1~extra",
    ],
)
def test_rejects_malformed(value: str) -> None:
    with pytest.raises(CookieError):
        parse(value)


@given(
    version=st.integers(0, 10**9),
    vid=VIDS,
    cats=KEYS,
    recips=KEYS,
    gpc=st.booleans(),
    at=st.integers(0, 2**33),
)
def test_round_trip(version: int, vid: str, cats, recips, gpc: bool, at: int) -> None:
    cookie = ConsentCookie(version, vid, cats, recips, gpc, at)
    assert parse(dump(cookie)) == cookie


@given(st.text(max_size=300))
def test_garbage_never_crashes(value: str) -> None:
    try:
        parse(value)
    except CookieError:
        pass
