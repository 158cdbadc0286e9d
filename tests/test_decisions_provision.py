"""The pure provision rules (APPI Art. 31): the verdict against a reference predicate, and the
rule built from policy snapshots."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from cmp import decisions
from cmp.model import Choice, ConsentSummary, Receipt
from cmp.seed import demo_categories, demo_recipients, demo_site
from cmp.siteconfig import snapshot

KEYS = ["essential", "analytics", "targeting"]
RECIPS = ["dmp-partner", "ad-global", "analytics-co"]
NOW = 1_800_000_000

subsets = st.frozensets(st.sampled_from(KEYS))
choices = st.builds(
    Choice,
    policy_version=st.integers(1, 4),
    method=st.sampled_from(["banner", "preferences", "gpc", "opt-out", "api"]),
    categories=subsets,
    recipients=st.frozensets(st.sampled_from(RECIPS)),
    opted_out=subsets,
)
summaries = st.none() | st.builds(
    ConsentSummary,
    expires=st.sampled_from([0, NOW - 1, NOW, NOW + 1]),
    seq=st.integers(1, 9),
    choice=choices,
)
versions = st.frozensets(st.integers(1, 4))
rules = st.builds(
    decisions.ProvisionRule,
    recipient=st.sampled_from(RECIPS),
    category=st.sampled_from(KEYS[1:]),
    links_personal_data=st.booleans(),
    foreign=st.booleans(),
    unchanged_versions=versions,
    foreign_shown_versions=versions,
)
bases = st.none() | st.builds(
    decisions.Basis,
    policy_version=st.integers(1, 4),
    recipient_granted=st.booleans(),
    receipt_seq=st.integers(1, 9),
)


def reference(summary, rule, now, basis):
    """Every condition tested on its own; the verdict is the first reason in REASONS order."""
    if summary is None:
        return "unknown_visitor"
    choice = summary.choice
    version = basis.policy_version if basis is not None else choice.policy_version
    failing = {
        "opted_out": rule.category in choice.opted_out,
        "no_consent": rule.category not in choice.categories,
        "expired": summary.expires != 0 and summary.expires <= now,
        "outdated": version not in rule.unchanged_versions,
        "recipient_not_consented": rule.links_personal_data
        and not (
            rule.recipient in choice.recipients and basis is not None and basis.recipient_granted
        ),
        "foreign_info_not_shown": rule.foreign
        and (basis is None or version not in rule.foreign_shown_versions),
    }
    for reason in decisions.REASONS:
        if failing.get(reason):
            return reason
    return None


@given(summary=summaries, rule=rules, basis=bases)
def test_verdict_equals_reference_predicate(summary, rule, basis) -> None:
    assert decisions.provision_verdict(summary, rule, NOW, basis) == reference(
        summary, rule, NOW, basis
    )


@given(summary=summaries, rule=rules, basis=bases)
def test_allowed_only_with_active_unrefused_consent(summary, rule, basis) -> None:
    if decisions.provision_verdict(summary, rule, NOW, basis) is None:
        assert summary is not None
        assert rule.category in summary.choice.categories
        assert rule.category not in summary.choice.opted_out
        assert summary.expires == 0 or summary.expires > NOW
        if rule.links_personal_data:
            assert rule.recipient in summary.choice.recipients and basis.recipient_granted
        if rule.foreign:
            assert basis is not None


@given(summary=summaries, rule=rules)
def test_display_basis_only_for_banner_decisions(summary, rule) -> None:
    if summary is None:
        return
    basis = decisions.display_basis(summary, rule)
    if summary.choice.method in ("banner", "preferences"):
        assert basis == decisions.Basis(
            summary.choice.policy_version, rule.recipient in summary.choice.recipients, summary.seq
        )
    else:
        assert basis is None


def test_every_reason_is_reachable() -> None:
    rule = decisions.ProvisionRule(
        "ad-global", "targeting", True, True, frozenset({2}), frozenset({2})
    )
    good = Choice(2, "banner", frozenset({"targeting"}), frozenset({"ad-global"}), frozenset())
    summary = ConsentSummary(NOW + 10, 1, good)
    basis = decisions.display_basis(summary, rule)
    no_links = replace(rule, links_personal_data=False)
    opted = summary._replace(choice=replace(good, opted_out=frozenset({"targeting"})))
    older = summary._replace(choice=replace(good, policy_version=1))
    cases = [
        (None, summary, basis, rule),
        ("unknown_visitor", None, None, rule),
        ("opted_out", opted, basis, rule),
        ("no_consent", summary._replace(choice=replace(good, categories=frozenset())), basis, rule),
        ("expired", summary._replace(expires=NOW), basis, rule),
        ("outdated", older, replace(basis, policy_version=1), rule),
        ("recipient_not_consented", summary, replace(basis, recipient_granted=False), rule),
        ("foreign_info_not_shown", summary, None, no_links),
        ("foreign_info_not_shown", summary, basis, replace(rule, foreign_shown_versions=set())),
    ]
    for expected, s, b, r in cases:
        assert decisions.provision_verdict(s, r, NOW, b) == expected
    assert {c[0] for c in cases} - {None} == set(decisions.REASONS) - {"invalid_visitor_id"}


def _snap(recipients):
    return snapshot(demo_site(), demo_categories(), recipients)


def test_rule_from_snapshots_compares_material_fields_and_foreign_info() -> None:
    live = demo_recipients()
    ad = live[2]
    moved_items = [replace(r, items={"ja": ["閲覧履歴"], "en": ["Browsing history"]}) for r in live]
    new_address = [replace(r, address="別の住所") for r in live]
    no_foreign = [replace(r, foreign=None) for r in live]
    rule = decisions.provision_rule(
        ad, {1: _snap(live), 2: _snap(moved_items), 3: _snap(new_address), 4: _snap(no_foreign)}
    )
    assert rule.unchanged_versions == {1, 3, 4}  # the address is not shown on the banner
    assert rule.foreign_shown_versions == {1, 3}
    assert rule.links_personal_data and rule.foreign and rule.category == "targeting"
    dmp = decisions.provision_rule(live[1], {1: _snap(live), 5: {}})
    assert dmp.unchanged_versions == {1} and not dmp.foreign
    empty = replace(ad, foreign={"system": {"ja": ""}, "measures": {"ja": "措置"}})
    assert decisions.provision_rule(empty, {1: _snap([empty])}).foreign_shown_versions == set()


def test_unknown_items_accepts_any_registered_language() -> None:
    dmp = demo_recipients()[1]
    assert decisions.unknown_items(dmp, ["閲覧履歴", "Purchase history"]) == []
    assert decisions.unknown_items(dmp, ["閲覧履歴", "位置情報"]) == ["位置情報"]


def _receipt(seq: int, method: str, version: int, granted: bool) -> Receipt:
    return Receipt(
        f"v-{seq}", "v", "demo", "", version, "", {}, {"ad-global": granted}, method=method, seq=seq
    )


def test_receipts_basis_is_the_last_display_decision_up_to_the_state() -> None:
    rule = decisions.ProvisionRule("ad-global", "targeting", True, True, frozenset(), frozenset())
    history = [
        _receipt(1, "banner", 1, True),
        _receipt(2, "preferences", 2, False),
        _receipt(3, "opt-out", 2, False),
        _receipt(4, "banner", 3, True),
    ]
    assert decisions.receipts_basis(history, rule, 3) == decisions.Basis(2, False, 2)
    assert decisions.receipts_basis(history, rule, 1) == decisions.Basis(1, True, 1)
    assert decisions.receipts_basis(history[2:3], rule, 3) is None
