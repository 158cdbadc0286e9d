"""The Redis backend interns a decision's choice once when its receipt records the very
choice of its state, as the interned text tells choices apart (key order, True vs 1)."""

from __future__ import annotations

from cmp.model import ConsentState, Receipt
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
