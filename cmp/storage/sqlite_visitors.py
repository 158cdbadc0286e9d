"""SQLite backend, visitor side: decisions, states, receipts, aliases and statistics.

A decision runs inside ``BEGIN IMMEDIATE``, which takes the write lock up front, so reading
the visitor's chain head and appending the next receipt cannot interleave with another
writer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

from cmp.chain import seal
from cmp.model import Alias, ConsentState, Receipt
from cmp.storage.codec import dumps, loads
from cmp.storage.contract.aliases import ALIAS_CONFLICT, AliasLink, AliasStorage
from cmp.storage.contract.sites import StatsStorage
from cmp.storage.contract.visitors import Charges, DecisionMaker, VisitorStorage
from cmp.storage.sqlite_base import SQLiteBase, guard


class VisitorsMixin(SQLiteBase, StatsStorage, VisitorStorage, AliasStorage):
    """Decisions and everything read per visitor; mixed into ``SQLiteStorage``."""

    # -- decisions -----------------------------------------------------------------------

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
        """Record a decision in one IMMEDIATE transaction (``fresh`` changes nothing here)."""
        if charges is not None:
            raise ValueError("the SQLite store does not fold rate-limit charges")
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            data = self._one(
                "SELECT data FROM states WHERE vid = ? AND site = ?", (visitor_id, site)
            )
            prior = ConsentState.from_dict(loads(data)) if data else None
            head = self._one("SELECT hash FROM heads WHERE vid = ?", (visitor_id,)) or ""
            seq = self._one("SELECT COUNT(*) FROM receipts WHERE vid = ?", (visitor_id,))
            state, receipt = make(prior)
            receipt = seal(receipt, head, seq + 1)
            state.receipt_id = receipt.receipt_id
            conn.execute(
                "INSERT OR REPLACE INTO states (vid, site, data) VALUES (?, ?, ?)",
                (visitor_id, site, dumps(state.to_dict())),
            )
            conn.execute(
                "INSERT INTO receipts (vid, seq, site, data) VALUES (?, ?, ?, ?)",
                (visitor_id, receipt.seq, site, dumps(receipt.to_dict())),
            )
            conn.execute(
                "INSERT OR REPLACE INTO heads (vid, hash) VALUES (?, ?)", (visitor_id, receipt.hash)
            )
            for name, n in (counters(state, receipt) if counters else {}).items():
                conn.execute(
                    "INSERT INTO stats (site, day, name, n) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (site, day, name) DO UPDATE SET n = n + excluded.n",
                    (site, day, name, n),
                )
            self._claim_aliases(aliases)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return state, receipt

    @guard
    def get_state(self, site: str, visitor_id: str) -> ConsentState | None:
        """Return the visitor's state or None."""
        data = self._one("SELECT data FROM states WHERE vid = ? AND site = ?", (visitor_id, site))
        return ConsentState.from_dict(loads(data)) if data else None

    @guard
    def get_states(self, site: str, visitor_ids: Sequence[str]) -> list[ConsentState | None]:
        """Return states for many ids, in chunks that fit SQLite's parameter limit."""
        found: dict[str, ConsentState] = {}
        ids = list(visitor_ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._all_rows(
                f"SELECT vid, data FROM states WHERE site = ? AND vid IN ({marks})",
                (site, *chunk),
            )
            for vid, data in rows:
                found[vid] = ConsentState.from_dict(loads(data))
        return [found.get(v) for v in ids]

    @guard
    def get_receipts(self, site: str | None, visitor_id: str) -> list[Receipt]:
        """Return the visitor's receipts, oldest first."""
        if site is None:
            rows = self._all_rows(
                "SELECT data FROM receipts WHERE vid = ? ORDER BY seq", (visitor_id,)
            )
        else:
            rows = self._all_rows(
                "SELECT data FROM receipts WHERE vid = ? AND site = ? ORDER BY seq",
                (visitor_id, site),
            )
        return [Receipt.from_dict(loads(r[0])) for r in rows]

    @guard
    def get_head(self, visitor_id: str) -> str:
        """Return the stored hash of the visitor's newest receipt ('' if none)."""
        return self._one("SELECT hash FROM heads WHERE vid = ?", (visitor_id,)) or ""

    @guard
    def iter_visitors(self) -> Iterator[str]:
        """Yield every visitor with receipts or a state."""
        for (vid,) in self._all_rows("SELECT vid FROM receipts UNION SELECT vid FROM states"):
            yield vid

    # -- aliases -------------------------------------------------------------------------

    def _claim_aliases(self, aliases: Iterable[Alias]) -> None:
        # A banner claim: a free alias is linked as 'banner'; the holder's own claim keeps
        # the link and its origin (an 'api' link is never downgraded); another visitor's
        # claim leaves a banner-claimed alias in conflict (remembering who held it first)
        # and an 'api' link untouched: an anonymous POST must not stop an operator's link.
        self._conn().executemany(
            "INSERT INTO aliases (site, type, value, vid, created_at, origin) "
            "VALUES (?, ?, ?, ?, ?, 'banner') "
            "ON CONFLICT (site, type, value) DO UPDATE SET "
            "vid = CASE WHEN aliases.vid = excluded.vid OR substr(aliases.vid, 1, 1) = ? "
            "THEN aliases.vid ELSE ? || aliases.vid END, "
            "origin = CASE WHEN aliases.vid = excluded.vid THEN aliases.origin "
            "ELSE 'banner' END, "
            "created_at = excluded.created_at "
            "WHERE aliases.vid = excluded.vid OR aliases.origin <> 'api'",
            [
                (a.site, a.type, a.value, a.visitor_id, a.created_at, *[ALIAS_CONFLICT] * 2)
                for a in aliases
            ],
        )

    @guard
    def put_aliases(self, aliases: Iterable[Alias]) -> list[Alias]:
        """Link aliases to visitors (origin ``api``) where the contract allows; return the
        aliases refused because another visitor holds them (see Storage.put_aliases)."""
        conn = self._conn()
        refused: list[Alias] = []
        conn.execute("BEGIN IMMEDIATE")
        try:
            for a in aliases:
                # Taken when free, held by this visitor, or in a conflict this visitor's
                # claim started (the conflict marker is followed by the first holder).
                cur = conn.execute(
                    "INSERT INTO aliases (site, type, value, vid, created_at, origin) "
                    "VALUES (?, ?, ?, ?, ?, 'api') "
                    "ON CONFLICT (site, type, value) DO UPDATE SET "
                    "vid = excluded.vid, origin = 'api', created_at = excluded.created_at "
                    "WHERE aliases.vid = excluded.vid OR aliases.vid = ? || excluded.vid",
                    (a.site, a.type, a.value, a.visitor_id, a.created_at, ALIAS_CONFLICT),
                )
                if cur.rowcount == 0:
                    refused.append(a)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return refused

    @guard
    def resolve_alias_links(
        self, site: str, pairs: Sequence[tuple[str, str]]
    ) -> list[AliasLink | None]:
        """Return the link of each alias, or None (unknown or in conflict)."""
        out: list[AliasLink | None] = []
        for kind, value in pairs:
            row = (
                self._conn()
                .execute(
                    "SELECT vid, origin FROM aliases WHERE site = ? AND type = ? AND value = ?",
                    (site, kind, value),
                )
                .fetchone()
            )
            in_conflict = row is not None and row[0].startswith(ALIAS_CONFLICT)
            out.append(None if row is None or in_conflict else AliasLink(*row))
        return out

    # -- statistics ----------------------------------------------------------------------

    @guard
    def get_stats(self, site: str, days: Sequence[str]) -> dict[str, dict[str, int]]:
        """Return the counters of the given days."""
        out: dict[str, dict[str, int]] = {}
        wanted = list(days)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._all_rows(
                f"SELECT day, name, n FROM stats WHERE site = ? AND day IN ({marks})",
                (site, *chunk),
            )
            for d, name, n in rows:
                out.setdefault(d, {})[name] = n
        return out
