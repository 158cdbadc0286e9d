"""What the Redis backend's decision write does to be cheap, held to what it replaced.

- A decision's choice is interned once when its receipt records the very choice of its
  state, as the interned text tells choices apart (key order, True vs 1).
- A decision's statistics counters, written by the same script, sum per counter.
"""

from __future__ import annotations

import pytest

from cmp import clock, consents
from cmp.model import ConsentState, Receipt
from cmp.seed import seed_demo
from cmp.storage import Storage, open_store
from cmp.storage.codec import choice_text
from cmp.storage.redis_visitors import _same_choice


def _pair(**receipt_fields: object) -> tuple[ConsentState, Receipt]:
    state = ConsentState(
        visitor_id="v", site="demo", policy_version=2, method="banner", gpc=False,
        categories={"essential": True, "analytics": False}, recipients={"dmp": False},
        opted_out=[],
    )  # fmt: skip
    receipt = Receipt(
        receipt_id="", visitor_id="v", site="demo", created_at="", policy_version=2,
        texts_hash="", categories={"essential": True, "analytics": False},
        recipients={"dmp": False}, opted_out=[], method="banner", lang="ja", gpc=False,
    )  # fmt: skip
    for name, value in receipt_fields.items():
        setattr(receipt, name, value)
    return state, receipt


def _texts(state: ConsentState, receipt: Receipt) -> tuple[str, str]:
    def text(r: ConsentState | Receipt) -> str:
        return choice_text(
            r.policy_version, r.method, r.gpc, r.categories, r.recipients, r.opted_out
        )

    return text(state), text(receipt)


def test_same_choice_agrees_with_the_interned_text() -> None:
    cases = [
        {},
        {"policy_version": 1},
        {"method": "opt-out"},
        {"gpc": True},
        {"opted_out": ["analytics"]},
        {"categories": {"analytics": False, "essential": True}},  # other key order
        {"categories": {"essential": 1, "analytics": False}},  # 1, not True
        {"recipients": {}},
        {"note": "reverses opt-out: analytics"},  # not part of the choice
    ]
    for fields in cases:
        state, receipt = _pair(**fields)
        same_text = _texts(state, receipt)[0] == _texts(state, receipt)[1]
        assert _same_choice(state, receipt) == same_text, fields


def _decide(store: Storage, vid: str, cats: dict[str, bool], method: str = "banner") -> None:
    site = store.get_site("demo")
    assert site is not None
    consents.record(
        store, site, store.get_categories("demo"), store.get_recipients("demo"), vid, cats,
        {}, method=method, gpc=False, ctx=consents.Context(lang="ja", ip="192.0.2.0"),
    )  # fmt: skip


@pytest.mark.parametrize("backend", ["sqlite", "redis", "cluster"])
def test_counters_of_many_decisions_sum_per_counter(store_url: str) -> None:
    store = open_store(store_url)
    seed_demo(store)
    today = clock.day(clock.now())
    before = store.get_stats("demo", [today]).get(today, {})
    _decide(store, "a" * 22, {"analytics": True})
    _decide(store, "b" * 22, {"analytics": True})
    _decide(store, "c" * 22, {"analytics": False}, method="preferences")
    got = store.get_stats("demo", [today])[today]
    added = {k: v - before.get(k, 0) for k, v in got.items() if v != before.get(k, 0)}
    assert added == {
        "decisions": 3,
        "method:banner": 2,
        "method:preferences": 1,
        "cat:essential:on": 3,
        "cat:essential:on:m:banner": 2,
        "cat:essential:on:m:preferences": 1,
        "cat:analytics:on": 2,
        "cat:analytics:on:m:banner": 2,
        "cat:analytics:off": 1,
        "cat:analytics:off:m:preferences": 1,
        "cat:targeting:off": 3,
        "cat:targeting:off:m:banner": 2,
        "cat:targeting:off:m:preferences": 1,
    }
    store.close()
