"""The storage contract, run against every backend (sqlite, redis, cluster)."""

from __future__ import annotations

import threading

import pytest

from cmp import clock, consents
from cmp.model import (
    AdminUser,
    Alias,
    ApiKey,
    AuditEntry,
    ProvisionRecord,
)
from cmp.receipts import verify_chain
from cmp.seed import demo_categories, demo_recipients, seed_demo
from cmp.storage import Charge, ChargeExceeded, Storage, StorageError, open_store
from cmp.storage.base import AliasLink

VID = "A" * 21 + "Q"
VID2 = "B" * 21 + "Q"


def _decide(store: Storage, vid: str, cats: dict[str, bool], method: str = "banner", **kw):
    site = store.get_site("demo")
    assert site is not None
    return consents.record(
        store,
        site,
        store.get_categories("demo"),
        store.get_recipients("demo"),
        vid,
        cats,
        kw.pop("recipients", {}),
        method=method,
        gpc=kw.pop("gpc", False),
        ctx=consents.Context(lang="ja", texts_hash="t" * 8, ip="192.0.2.0"),
        **kw,
    )


@pytest.fixture
def seeded(store: Storage) -> Storage:
    seed_demo(store)
    return store


def test_sites_categories_recipients_round_trip(seeded: Storage) -> None:
    site = seeded.get_site("demo")
    assert site is not None and site.policy_version == 1
    assert [s.key for s in seeded.list_sites()] == ["demo"]
    assert [c.key for c in seeded.get_categories("demo")] == ["essential", "analytics", "targeting"]
    assert seeded.get_categories("demo") == demo_categories()
    assert seeded.get_recipients("demo") == demo_recipients()
    assert seeded.get_site("nope") is None
    assert seeded.get_categories("nope") == []
    site.name = "changed"
    seeded.put_site(site)
    assert seeded.get_site("demo").name == "changed"


def test_policy_versions_are_write_once(seeded: Storage) -> None:
    first = seeded.get_policy("demo", 1)
    assert first is not None and first.snapshot["site"]["key"] == "demo"
    altered = first.__class__(**{**first.to_dict(), "changes": "rewritten"})
    seeded.put_policy(altered)
    assert seeded.get_policy("demo", 1).changes == first.changes
    assert [p.version for p in seeded.list_policies("demo")] == [1]
    assert seeded.get_policy("demo", 9) is None


def test_decision_writes_state_receipt_and_counters(seeded: Storage) -> None:
    state, receipt = _decide(seeded, VID, {"analytics": True}, recipients={})
    assert state.categories == {"essential": True, "analytics": True, "targeting": False}
    assert receipt.seq == 1 and receipt.prev_hash == "" and len(receipt.hash) == 64
    assert state.receipt_id == receipt.receipt_id
    stored = seeded.get_state("demo", VID)
    assert stored == state
    assert seeded.get_receipts("demo", VID) == [receipt]
    assert seeded.get_head(VID) == receipt.hash
    today = clock.day(clock.now())
    stats = seeded.get_stats("demo", [today, "2000-01-01"])
    assert stats[today]["decisions"] == 1
    assert stats[today]["cat:analytics:on"] == 1
    assert stats[today]["cat:targeting:off"] == 1
    assert "2000-01-01" not in stats


def test_receipts_chain_and_verify(seeded: Storage) -> None:
    _decide(seeded, VID, {"analytics": True})
    _decide(seeded, VID, {"analytics": False, "targeting": True}, recipients={"dmp-partner": True})
    receipts = seeded.get_receipts(None, VID)
    assert [r.seq for r in receipts] == [1, 2]
    assert receipts[1].prev_hash == receipts[0].hash
    assert verify_chain(receipts, seeded.get_head(VID)) == []
    tampered = [receipts[0].__class__(**{**receipts[0].to_dict(), "categories": {}}), receipts[1]]
    assert verify_chain(tampered, seeded.get_head(VID))
    assert verify_chain(receipts[:1], seeded.get_head(VID)) == ["newest receipt missing or altered"]
    state = seeded.get_state("demo", VID)
    assert state.recipients["dmp-partner"] is True and state.recipients["ad-global"] is False


def test_concurrent_decisions_for_one_visitor_all_land_in_order(seeded: Storage) -> None:
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(5):
                _decide(seeded, VID, {"analytics": (n + i) % 2 == 0})
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    receipts = seeded.get_receipts("demo", VID)
    assert [r.seq for r in receipts] == list(range(1, 21))
    assert verify_chain(receipts, seeded.get_head(VID)) == []
    state = seeded.get_state("demo", VID)
    assert state.receipt_id == receipts[-1].receipt_id
    assert state.categories == receipts[-1].categories


def test_bulk_states_and_iteration(seeded: Storage) -> None:
    _decide(seeded, VID, {"analytics": True})
    _decide(seeded, VID2, {})
    found = seeded.get_states("demo", [VID2, "C" * 22, VID])
    assert found[0].visitor_id == VID2 and found[1] is None and found[2].visitor_id == VID
    assert seeded.get_states("demo", []) == []
    assert sorted(seeded.iter_visitors()) == sorted([VID, VID2])
    assert seeded.get_state("other-site", VID) is None


def test_opt_out_overrides_and_explicit_grant_clears_it(seeded: Storage) -> None:
    site = seeded.get_site("demo")
    _decide(seeded, VID, {"analytics": True, "targeting": True}, recipients={"dmp-partner": True})
    first = seeded.get_state("demo", VID)
    site.policy_version = 2  # the opt-out arrives after a policy change
    state, receipt = consents.opt_out(
        seeded,
        site,
        seeded.get_categories("demo"),
        seeded.get_recipients("demo"),
        VID,
        ["targeting"],
        ctx=consents.Context(source="email"),
    )
    assert state.categories["targeting"] is False and state.categories["analytics"] is True
    assert state.opted_out == ["targeting"] and receipt.method == "opt-out"
    assert state.recipients["dmp-partner"] is False
    # What is left keeps its own policy version and expiry; the receipt shows when it came.
    assert state.policy_version == 1 and state.expires_at == first.expires_at
    assert receipt.policy_version == 2
    assert seeded.get_state("demo", VID) == state
    state, _ = _decide(seeded, VID, {"analytics": False})
    assert state.opted_out == ["targeting"]
    state, _ = _decide(seeded, VID, {"targeting": True})
    assert state.opted_out == []


def test_aliases(seeded: Storage) -> None:
    _decide(seeded, VID, {"analytics": True}, aliases=[("cookie:_ga", "GA1.1.123.456")])
    assert seeded.resolve_aliases("demo", [("cookie:_ga", "GA1.1.123.456"), ("idfa", "x")]) == [
        VID,
        None,
    ]
    seeded.put_aliases([Alias("demo", "idfa", "x", VID2, "2026-01-01T00:00:00Z")])
    assert seeded.resolve_aliases("demo", [("idfa", "x")]) == [VID2]
    assert seeded.resolve_aliases("other", [("idfa", "x")]) == [None]
    assert seeded.resolve_aliases("demo", []) == []


# -- alias provenance (issue 12, finding 1) ------------------------------------------------

GA = ("cookie:_ga", "GA1.1.9.9")


def _link(store: Storage, vid: str, pair: tuple[str, str] = GA) -> list[Alias]:
    return store.put_aliases([Alias("demo", *pair, vid, "2026-01-01T00:00:00Z")])


def test_alias_links_keep_their_provenance(seeded: Storage) -> None:
    """A banner claim is stored as such; the keyed API upgrades it; the holder's own later
    claims never downgrade an API link; another visitor's claim leaves a conflict."""
    _decide(seeded, VID, {"analytics": True}, aliases=[GA])
    assert seeded.resolve_alias_links("demo", [GA]) == [AliasLink(VID, "banner")]
    _link(seeded, VID)
    assert seeded.resolve_alias_links("demo", [GA]) == [AliasLink(VID, "api")]
    _decide(seeded, VID, {"analytics": False}, aliases=[GA])
    assert seeded.resolve_alias_links("demo", [GA]) == [AliasLink(VID, "api")]
    assert seeded.resolve_aliases("demo", [GA]) == [VID]
    # A stranger's decision naming the linked alias leaves the link as it is (issue 12
    # review, finding 3), and a keyed link to the stranger does not move it (finding 2).
    _decide(seeded, VID2, {"analytics": True}, aliases=[GA])
    assert seeded.resolve_alias_links("demo", [GA]) == [AliasLink(VID, "api")]
    refused = Alias("demo", *GA, VID2, "2026-01-01T00:00:00Z")
    assert seeded.put_aliases([refused]) == [refused]
    assert seeded.resolve_alias_links("demo", [GA, ("idfa", "y")]) == [
        AliasLink(VID, "api"),
        None,
    ]
    assert seeded.resolve_alias_links("other", [GA]) == [None]
    assert seeded.resolve_alias_links("demo", []) == []


def test_a_conflict_is_settled_only_for_its_first_holder(seeded: Storage) -> None:
    """Two visitors' banner claims leave a conflict; a keyed link settles it for the visitor
    who held the alias first, never moves it to the other one (issue 12 review, finding 2);
    a link to another visitor than a banner claim's holder changes nothing."""
    _decide(seeded, VID, {"analytics": False}, aliases=[GA])
    assert _link(seeded, VID2) != []
    assert seeded.resolve_alias_links("demo", [GA]) == [AliasLink(VID, "banner")]
    _decide(seeded, VID2, {"analytics": True}, aliases=[GA])
    assert seeded.resolve_alias_links("demo", [GA]) == [None]
    _decide(seeded, VID, {"analytics": True}, aliases=[GA])  # its own claim: still a conflict
    assert seeded.resolve_alias_links("demo", [GA]) == [None]
    assert _link(seeded, VID2) != [] and seeded.resolve_alias_links("demo", [GA]) == [None]
    assert _link(seeded, VID) == []
    assert seeded.resolve_alias_links("demo", [GA]) == [AliasLink(VID, "api")]
    free = ("idfa", "f")
    assert _link(seeded, VID2, free) == [] and _link(seeded, VID2, free) == []
    assert seeded.resolve_alias_links("demo", [free]) == [AliasLink(VID2, "api")]


def test_a_banner_claim_on_a_free_alias_stays_a_banner_claim(seeded: Storage) -> None:
    other = ("cookie:_ga", "GA1.1.7.7")
    _decide(seeded, VID2, {"analytics": True}, aliases=[GA, other])
    _decide(seeded, VID2, {"analytics": True}, aliases=[GA])
    assert seeded.resolve_alias_links("demo", [GA, other]) == [
        AliasLink(VID2, "banner"),
        AliasLink(VID2, "banner"),
    ]


def test_api_keys(seeded: Storage) -> None:
    key = ApiKey("k1", "demo", "backend", ["read"], "h" * 64, "2026-01-01T00:00:00Z")
    later = ApiKey("k2", "demo", "dmp", ["provision"], "g" * 64, "2026-01-02T00:00:00Z")
    seeded.put_api_key(key)
    seeded.put_api_key(later)
    assert seeded.get_api_key("h" * 64) == key
    assert seeded.get_api_key("x" * 64) is None
    assert [k.key_id for k in seeded.list_api_keys("demo")] == ["k1", "k2"]
    seeded.touch_api_key("k1", "2026-02-01T00:00:00Z")
    assert seeded.get_api_key("h" * 64).last_used_at == "2026-02-01T00:00:00Z"
    seeded.touch_api_key("missing", "2026-02-01T00:00:00Z")
    key.revoked_at = "2026-03-01T00:00:00Z"
    seeded.put_api_key(key)
    assert seeded.get_api_key("h" * 64).revoked_at == "2026-03-01T00:00:00Z"
    assert len(seeded.list_api_keys("demo")) == 2


def test_admin_users(seeded: Storage) -> None:
    seeded.put_admin(AdminUser("zoe", "hash1", "viewer"))
    seeded.put_admin(AdminUser("amy", "hash2"))
    assert [u.username for u in seeded.list_admins()] == ["amy", "zoe"]
    assert seeded.get_admin("zoe").role == "viewer"
    assert seeded.get_admin("nobody") is None


def _record(rid: str, created: str, retention: str, recipient: str = "dmp-partner"):
    return ProvisionRecord(
        record_id=rid,
        site="demo",
        recipient={"key": recipient, "name": "x", "address": "y", "representative": "z"},
        items=["閲覧履歴"],
        purpose="ads",
        consent_confirmation="own check",
        foreign_info_confirmation="n/a",
        provided_from=created,
        provided_to=created,
        allowed_count=1,
        denied_count=0,
        retention_until=retention,
        created_by="k1",
        created_at=created,
        allowed=[[VID, f"{VID}-1"]],
    )


def test_provision_records_query_and_purge(seeded: Storage) -> None:
    seeded.append_provision_record(_record("r1", "2026-01-01T00:00:00Z", "2029-01-01T00:00:00Z"))
    seeded.append_provision_record(
        _record("r2", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z", "ad-global")
    )
    seeded.append_provision_record(_record("r3", "2026-03-01T00:00:00Z", "2029-03-01T00:00:00Z"))
    every = seeded.query_provision_records("demo")
    assert [r.record_id for r in every] == ["r1", "r2", "r3"]
    assert every[0].allowed == [[VID, f"{VID}-1"]]
    ranged = seeded.query_provision_records(
        "demo", start="2026-02-01T00:00:00Z", end="2026-03-01T00:00:00Z"
    )
    assert [r.record_id for r in ranged] == ["r2"]
    only = seeded.query_provision_records("demo", recipient="dmp-partner", limit=1)
    assert [r.record_id for r in only] == ["r1"]
    assert seeded.purge_provision_records("2026-06-01T00:00:00Z") == 1
    assert [r.record_id for r in seeded.query_provision_records("demo")] == ["r1", "r3"]
    assert seeded.purge_provision_records("2026-06-01T00:00:00Z") == 0


def test_audit_log(seeded: Storage) -> None:
    for i in range(3):
        seeded.append_audit(
            AuditEntry(
                "demo", "amy", "edit", f"cat{i}", f"2026-01-0{i + 1}T00:00:00Z", {"a": i}, None
            )
        )
    entries = seeded.list_audit("demo", limit=2)
    assert [e.target for e in entries] == ["cat2", "cat1"]
    assert entries[0].before == {"a": 2}
    assert seeded.list_audit("other") == []


def test_unknown_scheme_and_unreachable_store_fail_clearly() -> None:
    with pytest.raises(StorageError, match="unknown store URL scheme"):
        open_store("mongodb://localhost")
    with pytest.raises(StorageError, match="cannot reach Redis"):
        open_store("redis://127.0.0.1:1/0")


# -- provision-side additions (issue 5) ---------------------------------------------------------


def test_consent_summaries_share_choices_and_match_states(seeded: Storage) -> None:
    _decide(seeded, VID, {"targeting": True}, recipients={"dmp-partner": True})
    _decide(seeded, VID2, {"targeting": True}, recipients={"dmp-partner": True})
    found = seeded.get_consent_summaries("demo", [VID, "C" * 22, VID2])
    assert found[1] is None
    first, second = found[0], found[2]
    assert first.choice == second.choice and first.choice is second.choice
    assert first.choice.categories == frozenset({"essential", "targeting"})
    assert first.choice.recipients == frozenset({"dmp-partner"})
    assert first.choice.policy_version == 1 and first.choice.method == "banner"
    state = seeded.get_state("demo", VID)
    assert first.expires == int(clock.parse(state.expires_at).timestamp())
    assert f"{VID}-{first.seq}" == state.receipt_id
    assert seeded.get_consent_summaries("other-site", [VID]) == [None]
    assert seeded.get_consent_summaries("demo", []) == []


def test_receipts_many_in_order(seeded: Storage) -> None:
    _decide(seeded, VID, {"analytics": True})
    _decide(seeded, VID, {"analytics": False})
    _decide(seeded, VID2, {})
    many = seeded.get_receipts_many("demo", [VID2, "C" * 22, VID])
    assert [len(r) for r in many] == [1, 0, 2]
    assert many[2] == seeded.get_receipts("demo", VID)


def test_unusual_values_round_trip_exactly(seeded: Storage) -> None:
    """Values the compact encoding cannot hold fall back to JSON without loss."""
    from cmp.model import ConsentState, Receipt

    def make(prior):
        state = ConsentState(
            VID, "demo", 7, {"essential": True, "odd key": False}, {"x": True}, ["odd key"],
            gpc=True, method="api", updated_at="2026-01-01T00:00:00.5Z", expires_at="",
        )  # fmt: skip
        receipt = Receipt(
            "", VID, "demo", "1969-12-31T23:59:59Z", 7, "not-a-hash", {"essential": True},
            ip="2001:db8::", ua={"browser": "日本語", "bot": False}, note="メモ", source="s",
        )  # fmt: skip
        return state, receipt

    state, receipt = seeded.record_decision("demo", VID, make, day="2026-01-01")
    assert seeded.get_state("demo", VID) == state
    assert seeded.get_receipts("demo", VID) == [receipt]
    normal, second = _decide(seeded, VID, {"analytics": True})
    assert seeded.get_receipts(None, VID) == [receipt, second]
    assert verify_chain(seeded.get_receipts(None, VID), seeded.get_head(VID)) == []


class _Charges:
    """Charges as the limiter hands them to a write: folded into it once, or spent alone."""

    def __init__(self, charges: list[Charge]) -> None:
        self.charges, self.spent_alone = charges, 0

    def fold(self) -> list[Charge]:
        out, self.charges = self.charges, []
        return out

    def spend(self) -> None:
        if self.charges:
            self.charges, self.spent_alone = [], self.spent_alone + 1


def test_a_decision_spends_its_charges_in_its_own_write(seeded: Storage) -> None:
    """Where a store folds rate-limit charges, they are counted before the decision, and
    one over its limit writes nothing; a store that cannot fold them refuses them."""
    charges = [Charge("LIMITS:test/a", 10, 3600), Charge("LIMITS:test/b", 2, 60)]
    if not seeded.folds_charges:
        with pytest.raises(ValueError):
            _decide(seeded, VID, {"analytics": True}, charges=lambda: _Charges(charges))
        assert seeded.get_state("demo", VID) is None
        return
    _decide(seeded, VID, {"analytics": True})  # nothing new to add for the next ones
    for _ in range(2):
        folded = _Charges(charges)
        _decide(seeded, VID, {"analytics": True}, charges=lambda f=folded: f)
        assert folded.spent_alone == 0  # counted by the decision's own write
    with pytest.raises(ChargeExceeded) as refused:
        _decide(seeded, VID, {"analytics": True}, charges=lambda: _Charges(charges))
    assert refused.value.index == 1 and 1 <= refused.value.retry_after <= 61
    # Nothing of the refused decision was written: three receipts, the third state.
    assert len(seeded.get_receipts("demo", VID)) == 3
    state = seeded.get_state("demo", VID)
    assert state is not None and state.categories["analytics"] is True
    # Without charges the next decision goes through.
    _decide(seeded, VID, {"analytics": False})
    assert len(seeded.get_receipts("demo", VID)) == 4


def test_a_decision_adding_to_the_store_spends_its_charges_first(seeded: Storage) -> None:
    """A folding store that must add something before the decision (a choice it has not
    seen) spends the charges on their own first, so a request over its limit adds nothing;
    a decision with nothing new folds them into its write."""
    if not seeded.folds_charges:
        return
    _decide(seeded, VID, {"analytics": True})  # its choice is known from now on
    known = _Charges([Charge("LIMITS:test/c", 10, 60)])
    _decide(seeded, VID, {"analytics": True}, charges=lambda: known)
    assert known.spent_alone == 0 and known.charges == []
    new = _Charges([Charge("LIMITS:test/c", 10, 60)])
    _decide(seeded, VID, {"analytics": False, "targeting": True}, charges=lambda: new)
    assert new.spent_alone == 1


def test_two_store_instances_agree(store_url: str, seeded: Storage) -> None:
    """A second process (here: a second store) decodes what the first one wrote."""
    _decide(seeded, VID, {"analytics": True}, recipients={})
    other = open_store(store_url)
    try:
        assert other.get_state("demo", VID) == seeded.get_state("demo", VID)
        _decide(other, VID2, {"targeting": True}, recipients={"ad-global": True})
        assert seeded.get_state("demo", VID2) == other.get_state("demo", VID2)
        assert seeded.get_receipts("demo", VID2) == other.get_receipts("demo", VID2)
    finally:
        other.close()


def test_provision_records_ids_listing_and_visitor_lookup(seeded: Storage) -> None:
    big = _record("r1", "2026-01-01T00:00:00Z", "2029-01-01T00:00:00Z")
    big.allowed = [[f"{n:022d}", f"{n:022d}-{n % 7 + 1}"] for n in range(3000)] + [
        [VID, f"{VID}-12"]
    ]
    big.allowed_count = len(big.allowed)
    odd = _record("r2", "2026-02-01T00:00:00Z", "2029-01-01T00:00:00Z")
    odd.allowed = [["short", "short-1"], [VID, "receipt-of-another-shape"]]
    none = _record("r3", "2026-03-01T00:00:00Z", "2029-01-01T00:00:00Z")
    none.allowed = [[VID2, f"{VID2}-1"]]
    for record in (big, odd, none):
        seeded.append_provision_record(record)
    assert seeded.query_provision_records("demo")[0].allowed == big.allowed
    assert seeded.query_provision_records("demo")[1].allowed == odd.allowed
    bare = seeded.query_provision_records("demo", with_ids=False)
    assert [r.allowed for r in bare] == [[], [], []] and bare[0].allowed_count == 3001
    assert seeded.count_provision_records("demo") == 3
    assert seeded.count_provision_records("demo", start="2026-01-15T00:00:00Z") == 2
    assert [r.record_id for r in seeded.iter_provision_records("demo", with_ids=False)] == [
        "r1",
        "r2",
        "r3",
    ]
    mine = seeded.visitor_provision_records("demo", VID)
    assert [(r.record_id, r.allowed) for r in mine] == [
        ("r1", [[VID, f"{VID}-12"]]),
        ("r2", [[VID, "receipt-of-another-shape"]]),
    ]
    # A match that straddles two fixed-width ids is not a match.
    straddle = f"{1:022d}"[11:] + f"{2:022d}"[:11]
    assert seeded.visitor_provision_records("demo", straddle) == []
    assert seeded.visitor_provision_records("other", VID) == []
    assert seeded.purge_provision_records("2030-01-01T00:00:00Z") == 3
    assert seeded.visitor_provision_records("demo", VID) == []


def test_received_provisions(seeded: Storage) -> None:
    from cmp.model import ReceivedProvision

    def received(rid: str, created: str, retention: str) -> ReceivedProvision:
        return ReceivedProvision(
            record_id=rid,
            site="demo",
            provider={"name": "株式会社提供元", "address": "東京都", "representative": "代表"},
            items=["購買履歴"],
            person_id="member-1",
            consent_statement="本人同意取得済み",
            received_at=created,
            created_by="k1",
            retention_until=retention,
            created_at=created,
        )

    one = received("a1", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")
    two = received("a2", "2026-02-01T00:00:00Z", "2029-01-01T00:00:00Z")
    seeded.append_received_provision(one)
    seeded.append_received_provision(two)
    assert seeded.query_received_provisions("demo") == [one, two]
    assert seeded.query_received_provisions("demo", start="2026-01-15T00:00:00Z") == [two]
    assert seeded.query_received_provisions("demo", limit=1) == [one]
    assert seeded.query_received_provisions("other") == []
    assert seeded.purge_received_provisions("2028-01-01T00:00:00Z") == 1
    assert seeded.query_received_provisions("demo") == [two]


# -- the site's sync counter (server stream) -------------------------------------------------


def test_sync_counter_bumps_atomically_per_site(store_url: str, seeded: Storage) -> None:
    assert seeded.get_sync("demo") == 0 and seeded.get_sync("nope") == 0
    assert seeded.bump_sync("demo") == 1
    assert seeded.bump_sync("demo") == 2
    assert seeded.get_sync("demo") == 2 and seeded.get_sync("other") == 0
    # Two processes' worth of stores, four threads each: every bump gets its own value.
    other = open_store(store_url)
    seen: list[int] = []
    lock = threading.Lock()

    def bump(target: Storage) -> None:
        for _ in range(25):
            value = target.bump_sync("demo")
            with lock:
                seen.append(value)

    threads = [threading.Thread(target=bump, args=(s,)) for s in (seeded, other) * 4]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    other.close()
    assert sorted(seen) == list(range(3, 203))
    assert seeded.get_sync("demo") == 202


# -- periodic checks of a 基準適合体制 (issue 11 gap 3) ------------------------------------


def test_transfer_checks_append_and_list_per_recipient(seeded: Storage) -> None:
    from cmp.model import TransferCheck

    def made(recipient: str, day: str, result: str = "ok") -> TransferCheck:
        return TransferCheck(
            "demo", recipient, day, ["implementation", "foreign_law"], result, note="確認 ✓"
        )

    assert seeded.list_transfer_checks("demo", "ad-global") == []
    first, second = made("ad-global", "2026-05-01"), made("ad-global", "2025-01-01", "failed")
    seeded.append_transfer_check(first)
    seeded.append_transfer_check(second)
    seeded.append_transfer_check(made("dmp-partner", "2026-01-01"))
    assert seeded.list_transfer_checks("demo", "ad-global") == [first, second]
    assert [c.recipient for c in seeded.list_transfer_checks("demo", "dmp-partner")] == [
        "dmp-partner"
    ]
    assert seeded.list_transfer_checks("other", "ad-global") == []
