"""The pure consent rules, tested directly (hypothesis where inputs vary)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmp import decisions
from cmp.decisions import DecisionError
from cmp.model import ConsentState
from cmp.seed import demo_categories, demo_recipients

CATS = demo_categories()
RECIPS = demo_recipients()
OPTIONAL = ["analytics", "targeting"]
NOW = datetime(2026, 11, 22, tzinfo=UTC)

requests = st.dictionaries(st.sampled_from(["essential", *OPTIONAL]), st.booleans())
recipient_requests = st.dictionaries(st.sampled_from([r.key for r in RECIPS]), st.booleans())
methods = st.sampled_from(["banner", "preferences", "gpc"])


@given(requested=requests, gpc=st.booleans(), method=methods)
def test_categories_follow_the_request_essential_always_on(requested, gpc, method) -> None:
    chosen = decisions.choose_categories(CATS, requested, gpc=gpc, method=method)
    assert set(chosen) == {"essential", *OPTIONAL}
    assert chosen["essential"] is True
    for key in OPTIONAL:
        expected = requested.get(key, False) and not (gpc and method == "gpc")
        assert chosen[key] is expected


@given(requested=requests, wanted=recipient_requests)
def test_recipients_need_their_category_and_linking_ones_their_name(requested, wanted) -> None:
    chosen = decisions.choose_categories(CATS, requested)
    granted = decisions.choose_recipients(RECIPS, chosen, wanted)
    for r in RECIPS:
        if r.links_personal_data:
            named = wanted.get(r.key, False)
        else:
            named = wanted.get(r.key) is not False
        expected = chosen[r.category] and named
        assert granted[r.key] is expected


def test_unknown_keys_are_errors() -> None:
    with pytest.raises(DecisionError) as info:
        decisions.choose_categories(CATS, {"marketing": True})
    assert info.value.code == "unknown_category"
    with pytest.raises(DecisionError) as info:
        decisions.choose_recipients(RECIPS, {}, {"nobody": True})
    assert info.value.code == "unknown_recipient"


@given(prior=st.lists(st.sampled_from(OPTIONAL)), requested=requests)
def test_opt_outs_survive_until_granted_again(prior, requested) -> None:
    chosen = decisions.choose_categories(CATS, requested)
    kept = decisions.carry_opt_outs(prior, chosen)
    assert set(kept) == {c for c in prior if not chosen[c]}


@given(
    current=requests,
    target=st.one_of(st.just("all"), st.lists(st.sampled_from(OPTIONAL), min_size=1)),
)
def test_opt_out_turns_targets_off_and_keeps_the_rest(current, target) -> None:
    base = decisions.choose_categories(CATS, current)
    after, opted = decisions.apply_opt_out(CATS, base, target)
    targets = OPTIONAL if target == "all" else target
    assert after["essential"] is True
    for key in OPTIONAL:
        assert after[key] is (False if key in targets else base[key])
    assert set(opted) == set(targets)


def test_required_category_cannot_be_opted_out() -> None:
    with pytest.raises(DecisionError) as info:
        decisions.apply_opt_out(CATS, None, ["essential"])
    assert info.value.code == "required_category"


def _state(version: int = 1, expires: datetime | None = None, **cats: bool) -> ConsentState:
    return ConsentState(
        visitor_id="v",
        site="demo",
        policy_version=version,
        categories={"essential": True, **cats},
        expires_at=(expires or NOW + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


@given(days=st.integers(-800, 800), version=st.integers(1, 4), current=st.integers(1, 4))
def test_status_expired_beats_outdated_beats_active(days: int, version: int, current: int) -> None:
    state = _state(version, NOW + timedelta(days=days))
    got = decisions.status(state, current, NOW)
    if days <= 0:
        assert got == "expired"
    elif version != current:
        assert got == "outdated"
    else:
        assert got == "active"


def test_expiry_is_lifetime_days_later() -> None:
    assert decisions.expires_at(NOW, 395) == NOW + timedelta(days=395)


def test_category_allowed() -> None:
    assert decisions.category_allowed(_state(analytics=True), "analytics", 1, NOW)
    assert not decisions.category_allowed(_state(analytics=False), "analytics", 1, NOW)
    assert not decisions.category_allowed(_state(2, analytics=True), "analytics", 1, NOW)
    assert not decisions.category_allowed(None, "analytics", 1, NOW)
    opted = _state(analytics=True)
    opted.opted_out = ["analytics"]
    assert not decisions.category_allowed(opted, "analytics", 1, NOW)
