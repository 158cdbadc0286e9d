"""Redis backend, visitor side: decisions, states, receipts and summaries.

A decision is a compare-and-set Lua script on the visitor's slot: Python reads the receipt
blob's header (count and chain head), seals the receipt (SHA-256 needs Python; Lua in Redis
has only SHA-1), and the script writes state and receipts only if the header is still the
one that was read. On a conflict the decision is rebuilt on the newer state and tried
again, so concurrent decisions for one visitor all land, in order, without WATCH (which a
cluster client cannot hold across calls).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from cmp.chain import place
from cmp.model import Alias, ConsentState, ConsentSummary, Receipt, summary_of
from cmp.storage import keys
from cmp.storage.codec import (
    STATE_TAG,
    choice_text,
    is_json,
    pack_state,
    state_summary_fields,
    unpack_state,
)
from cmp.storage.contract.aliases import ALIAS_CONFLICT
from cmp.storage.contract.visitors import (
    Charge,
    ChargeExceeded,
    Charges,
    DecisionMaker,
    VisitorStorage,
)
from cmp.storage.errors import StorageError
from cmp.storage.intern import Interner
from cmp.storage.lua import source
from cmp.storage.receipt_codec import (
    HEADER,
    blob_header,
    element,
    pack_receipt,
    read_header,
    receipt_site_no,
    split_blob,
    unpack_receipt,
)
from cmp.storage.redis_aliases import API_LINK
from cmp.storage.redis_conn import DRIVER_ERRORS, guard

_MAX_ATTEMPTS = 64
_COMMON = STATE_TAG | 1  # a packed state whose expiry is a whole number of days


def counter_lines(counts: dict[str, int]) -> str:
    """The day's counters as decide.lua reads them: one ``"increment field"`` line each.

    One script argument instead of two per counter: a write adds eight, and redis-py
    encodes every argument on its own. Counter names are keys, methods and fixed words
    (:func:`cmp.consents.counters`): never a space or a line break.
    """
    return "".join(f"{n} {name}\n" for name, n in counts.items())


def charge_lines(charges: Sequence[Charge]) -> str:
    """The rate-limit charges as decide.lua reads them: one ``"limit expiry"`` line each."""
    return "".join(f"{c.limit} {c.expiry}\n" for c in charges)


def _same_choice(state: ConsentState, receipt: Receipt) -> bool:
    """Whether ``receipt`` records the very choice ``state`` holds (as a decision's does;
    an opt-out's state keeps the prior policy version, so its receipt's choice differs)."""
    # As the interned text tells them apart: key order counts, and True is not 1.
    return (
        _typed([state.policy_version, state.method, state.gpc])
        == _typed([receipt.policy_version, receipt.method, receipt.gpc])
        and state.opted_out == receipt.opted_out
        and _typed_map(state.categories) == _typed_map(receipt.categories)
        and _typed_map(state.recipients) == _typed_map(receipt.recipients)
    )


def _typed(values: Iterable[Any]) -> list[tuple[Any, type]]:
    return [(v, type(v)) for v in values]


def _typed_map(values: dict[str, Any]) -> list[tuple[str, Any, type]]:
    return [(k, v, type(v)) for k, v in values.items()]


class VisitorsMixin(VisitorStorage):
    """Decisions and everything read per visitor; mixed into ``RedisStorage``."""

    # One node holds the limiter's counters beside the visitor: a decision spends its
    # rate limit inside its own script, one round trip instead of two (the cluster class
    # turns this off: the counter lives in another slot).
    folds_charges = True

    client: Any  # text replies
    raw: Any  # bytes replies, for the packed visitor records
    tables: Interner
    wait_replicas: int
    wait_ms: int
    _get_many: Callable[[Sequence[str]], list[bytes | None]]

    def _init_visitors(self) -> None:
        self._decide = self.raw.register_script(source("alias_rule", "decide"))

    def _choice_id(self, site: str, record: ConsentState | Receipt) -> int:
        text = choice_text(
            record.policy_version,
            record.method,
            record.gpc,
            record.categories,
            record.recipients,
            record.opted_out,
        )
        return self.tables.choices(site).id(text.encode())

    def _unpack(self, site: str, vid: str, data: bytes) -> ConsentState:
        table = self.tables.choices(site)
        return unpack_state(site, vid, data, lambda i: table.get(i)[0])

    def _pack_receipt(self, receipt: Receipt, choice_id: int, ua_id: int) -> bytes:
        tables = self.tables
        return pack_receipt(
            receipt,
            tables.sites.id(receipt.site.encode()),
            choice_id,
            tables.shown_id(receipt.lang, receipt.texts_hash),
            ua_id,
        )

    @guard
    def record_decision(
        self,
        site: str,
        visitor_id: str,
        make: DecisionMaker,
        *,
        day: str,
        counters: Callable[[ConsentState, Receipt], dict[str, int]] | None = None,
        aliases: Iterable[Alias] = (),
        fresh: bool = False,
        charges: Charges | None = None,
    ) -> tuple[ConsentState, Receipt]:
        """Record a decision with the compare-and-set script, retrying on a race.

        On a single node the counters, the aliases and the rate-limit ``charges`` are
        written by the same script, so the whole decision is one atomic round trip (two
        when the prior state must be read); a cluster writes counters and aliases
        afterwards (:class:`~.redis_cluster.RedisClusterStorage`) and takes no charges.
        """
        if charges is not None and not self.folds_charges:
            raise ValueError("this store does not fold rate-limit charges")
        with self.tables.before_adding(charges.spend if charges is not None else None):
            return self._record(site, visitor_id, make, day, counters, links=list(aliases),
                                fresh=fresh, charges=charges)  # fmt: skip

    def _record(
        self,
        site: str,
        visitor_id: str,
        make: DecisionMaker,
        day: str,
        counters: Callable[[ConsentState, Receipt], dict[str, int]] | None,
        *,
        links: list[Alias],
        fresh: bool,
        charges: Charges | None,
    ) -> tuple[ConsentState, Receipt]:
        """:meth:`record_decision`, with new intern entries guarded by the charges."""
        skey = keys.state(visitor_id, self.tables.sites.id(site.encode()))
        rkey = keys.receipts(visitor_id)
        counts: dict[str, int] = {}
        for attempt in range(_MAX_ATTEMPTS):
            if fresh and attempt == 0:
                # A freshly issued id has no history: skip the read round trip.
                packed, header = None, b""
            else:
                pipe = self.raw.pipeline(transaction=False)
                pipe.get(skey)
                pipe.getrange(rkey, 0, HEADER - 1)
                packed, header = pipe.execute()
            prior = self._unpack(site, visitor_id, packed) if packed else None
            state, receipt = make(prior)
            receipt.ua, ua_id = self.tables.bounded_ua(receipt.ua)  # the UA table is capped
            count, head = read_header(header)
            # ``make`` built this receipt for this attempt alone: sealed in place.
            receipt = place(receipt, head, count + 1)
            state.receipt_id = receipt.receipt_id
            counts = counters(state, receipt) if counters else {}
            extra_keys, extra_args = self._in_decision(site, day, counts, links)
            choice_id = self._choice_id(site, state)
            # A decision's receipt records the choice its state holds: interned once.
            same = _same_choice(state, receipt)
            receipt_choice = choice_id if same else self._choice_id(site, receipt)
            packed_state = pack_state(state, choice_id)
            packed_receipt = element(self._pack_receipt(receipt, receipt_choice, ua_id))
            # Taken last, once every intern entry exists, right before the script: a failure
            # before it leaves them unspent, for the limiter to spend on its own (and a
            # retry gets none: spent already).
            folded = charges.fold() if charges is not None else ()
            args: list[bytes | str | int] = [
                header or b"",
                packed_state,
                blob_header(count + 1, receipt.hash),
                packed_receipt,
                HEADER,
                visitor_id,
                ALIAS_CONFLICT,
                API_LINK,
                charge_lines(folded),
                *extra_args,
            ]
            script_keys = [skey, rkey, *(c.key for c in folded), *extra_keys]
            written = self._write_decision(rkey, script_keys, args)
            if isinstance(written, list):
                index, ttl = (int(v) for v in written)
                raise ChargeExceeded(index, max(1, ttl + 1))
            if written:
                break
        else:
            raise StorageError(f"too many concurrent decisions for one visitor on {site}")
        self._after_decision(site, day, counts, links)
        return state, receipt

    def _in_decision(
        self, site: str, day: str, counts: dict[str, int], links: list[Alias]
    ) -> tuple[list[str], list[str | int]]:
        """Return the keys and the ARGV tail (the counters, :func:`counter_lines`) that the
        decision script writes along with the decision: on one node, the day's counters
        and the claimed aliases, all in the one atomic script."""
        extra_keys = [keys.stats(site, day)] if counts else []
        extra_keys += [keys.alias(a.site, a.type, a.value) for a in links]
        return extra_keys, [counter_lines(counts)]

    def _after_decision(
        self, site: str, day: str, counts: dict[str, int], links: list[Alias]
    ) -> None:
        """Write what the decision script could not: nothing on one node."""

    def _write_decision(self, rkey: str, script_keys: list, args: list) -> int | list:
        """Run the decision script and return its answer (1 written, 0 lost the race,
        ``[i, ttl]`` charge ``i`` over its limit); with ``wait_replicas`` also WAIT for
        that many replicas.

        WAIT counts the writes made on its own connection, so script and WAIT go down one
        connection to the node that owns the visitor's slot. A decision the replicas did not
        confirm in time is not acknowledged (StorageError, so the API answers 503 and the
        banner retries): the worst case is a repeated receipt, never a lost one.
        """
        if not self.wait_replicas:
            return self._decide(keys=script_keys, args=args)
        pipe = self._node_of(rkey).pipeline(transaction=False)
        self._decide(keys=script_keys, args=args, client=pipe)
        pipe.execute_command("WAIT", self.wait_replicas, self.wait_ms)
        try:
            written, confirmed = pipe.execute()
        except DRIVER_ERRORS:
            self._lost_node()
            raise
        if written == 1 and int(confirmed) < self.wait_replicas:
            raise StorageError(
                f"decision stored on the primary but confirmed by {confirmed} of "
                f"{self.wait_replicas} replicas within {self.wait_ms} ms"
            )
        return written

    def _node_of(self, key: str) -> Any:
        """Return the bytes client of the node holding ``key``: the one node."""
        return self.raw

    def _lost_node(self) -> None:
        """React to a connection lost during a WAIT: nothing to relearn on one node."""

    @guard
    def get_state(self, site: str, visitor_id: str) -> ConsentState | None:
        """Return the visitor's state or None."""
        site_no = self.tables.sites.find(site.encode())
        if site_no is None:
            return None
        packed = self.raw.get(keys.state(visitor_id, site_no))
        return self._unpack(site, visitor_id, packed) if packed else None

    @guard
    def get_states(self, site: str, visitor_ids: Sequence[str]) -> list[ConsentState | None]:
        """Return many states with one pipeline per node."""
        site_no = self.tables.sites.find(site.encode())
        if site_no is None:
            return [None] * len(visitor_ids)
        found = self._get_many([keys.state(v, site_no) for v in visitor_ids])
        return [
            self._unpack(site, vid, p) if p else None
            for vid, p in zip(visitor_ids, found, strict=True)
        ]

    @guard
    def get_consent_summaries(
        self, site: str, visitor_ids: Sequence[str]
    ) -> list[ConsentSummary | None]:
        """Return many summaries with one pipeline per node, decoding only the fixed fields."""
        site_no = self.tables.sites.find(site.encode())
        if site_no is None:
            return [None] * len(visitor_ids)
        found = self._get_many([keys.state(v, site_no) for v in visitor_ids])
        table = self.tables.choices(site)
        values, get = table.values, table.get
        new = tuple.__new__  # what ConsentSummary(...) calls, without its Python wrapper
        out: list[ConsentSummary | None] = []
        append = out.append
        for vid, data in zip(visitor_ids, found, strict=True):
            if data is None:
                append(None)
            elif data[0] == _COMMON and len(data) == 9 and data[5] > 127 > max(data[6:9]):
                # The usual shape, read without the general decoder: expiry in days as a
                # two-byte varint, sequence number and choice id below 128.
                expires = int.from_bytes(data[1:5]) + ((data[5] & 127) | data[6] << 7) * 86400
                choice_id = data[8]
                entry = values[choice_id] if choice_id < len(values) else get(choice_id)
                append(new(ConsentSummary, (expires, data[7], entry[1])))
            elif is_json(data):
                append(summary_of(self._unpack(site, vid, data)))
            else:
                expires, seq, choice_id = state_summary_fields(data)
                entry = values[choice_id] if choice_id < len(values) else get(choice_id)
                append(ConsentSummary(expires, seq, entry[1]))
        return out

    def _receipts(self, site: str | None, vid: str, blob: bytes | None) -> list[Receipt]:
        site_no = None if site is None else self.tables.sites.find(site.encode())
        if site is not None and site_no is None:
            return []
        out = []
        for seq, packed in enumerate(split_blob(blob), start=1):
            number = receipt_site_no(packed)
            if site_no is not None and number is not None and number != site_no:
                continue
            receipt = unpack_receipt(vid, seq, packed, self.tables)
            if site is None or receipt.site == site:
                out.append(receipt)
        return out

    @guard
    def get_receipts(self, site: str | None, visitor_id: str) -> list[Receipt]:
        """Return the visitor's receipts, oldest first."""
        return self._receipts(site, visitor_id, self.raw.get(keys.receipts(visitor_id)))

    @guard
    def get_receipts_many(self, site: str, visitor_ids: Sequence[str]) -> list[list[Receipt]]:
        """Return the receipts of many visitors with one pipeline per node."""
        blobs = self._get_many([keys.receipts(v) for v in visitor_ids])
        return [self._receipts(site, v, b) for v, b in zip(visitor_ids, blobs, strict=True)]

    @guard
    def get_chains(self, visitor_ids: Sequence[str]) -> list[tuple[list[Receipt], str]]:
        """Return receipts and head from each visitor's one blob, one pipeline per node."""
        blobs = self._get_many([keys.receipts(v) for v in visitor_ids])
        return [
            (self._receipts(None, v, b), read_header(b)[1])
            for v, b in zip(visitor_ids, blobs, strict=True)
        ]

    @guard
    def get_head(self, visitor_id: str) -> str:
        """Return the stored hash of the visitor's newest receipt."""
        return read_header(self.raw.getrange(keys.receipts(visitor_id), 0, HEADER - 1))[1]

    @guard
    def iter_visitors(self) -> Iterator[str]:
        """SCAN every primary for receipt blobs, then for states (a state without any
        receipt is exactly what a walk of the store must not miss)."""
        seen: set[str] = set()
        for pattern in (keys.RECEIPTS_MATCH, keys.STATES_MATCH):
            for key in self.client.scan_iter(match=pattern, count=1000):
                vid = keys.vid_from_receipts_key(key)
                if vid not in seen:
                    seen.add(vid)
                    yield vid
