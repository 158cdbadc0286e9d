"""The pure alias rules of :mod:`cmp.aliases`, over generated inputs (hypothesis)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cmp import aliases, decisions

verdicts = st.none() | st.sampled_from(decisions.REASONS)
origins = st.sampled_from(aliases.ORIGINS) | st.text(max_size=8)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
cookie_items = st.fixed_dictionaries(
    {"type": st.sampled_from(["cookie:_ga", "cookie:sid", "idfa"]) | json_values},
    optional={"value": st.text(max_size=30) | json_values},
)


@given(verdict=verdicts, origin=origins)
def test_only_an_api_link_can_allow_and_every_refusal_passes(verdict, origin) -> None:
    out = aliases.narrow(verdict, origin)
    if verdict is not None:
        assert out == verdict  # a refusal applies through any alias
    elif origin == aliases.API:
        assert out is None
    else:
        assert out == aliases.ALIAS_UNVERIFIED


@given(
    items=st.lists(cookie_items | json_values, max_size=30)
    | st.lists(st.just({"type": "cookie:_ga", "value": "v"}) | cookie_items, min_size=21)
    | json_values
)
def test_banner_aliases_never_raise_and_keep_only_valid_site_cookies(items) -> None:
    kept, ignored = aliases.banner_aliases(items, ["_ga"])
    assert len(kept) <= aliases.MAX_PER_DECISION and len(set(kept)) == len(kept)
    for kind, value in kept:
        assert kind == "cookie:_ga" and 1 <= len(value) <= 256 and " " not in value
    if isinstance(items, list):
        valid = [
            i for i in items if isinstance(i, dict) and (i.get("type"), i.get("value")) in kept
        ]
        assert len(valid) + len(ignored) == len(items)
        assert all(isinstance(i["index"], int) and i["reason"] for i in ignored)
    elif items is not None:
        assert kept == [] and ignored[0]["index"] is None
