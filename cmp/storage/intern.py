"""Append-only intern tables in Redis: a repeated string stored once, referenced by a small id.

Visitors share a handful of choices, user-agent summaries and notice texts, so the per-visitor
records (:mod:`.codec`) keep ids into these tables. A table is a list (id -> string) and a
hash (string -> id) on one slot; a Lua script adds a string atomically, so two processes
interning the same string get the same id. Ids are never reused or changed, which is what
lets every process cache a table without invalidation: a missing id means "appended since",
and is fetched. (Flushing Redis under a running cmp therefore needs a restart of cmp.)
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from cmp.model import choice_of
from cmp.storage import keys
from cmp.storage.codec import dumps, loads
from cmp.storage.lua import source


def _text(raw: bytes) -> Any:
    return raw.decode()


def _json(raw: bytes) -> Any:
    return loads(raw)


def _choice(raw: bytes) -> Any:
    # Kept twice: the list for full decoding, the Choice for provision summaries.
    fields = loads(raw)
    pv, method, _gpc, cats, recips, opted = fields
    return fields, choice_of(pv, method, cats, recips, opted)


class Table:
    """One intern table with its per-process cache."""

    def __init__(
        self,
        client: Any,
        script: Any,
        name: str,
        parse: Callable[[bytes], Any],
        before_add: Callable[[], None],
    ) -> None:
        self.client, self.script, self.parse = client, script, parse
        self.before_add = before_add
        self.list_key, self.index_key = keys.table(name), keys.table_index(name)
        self.ids: dict[bytes, int] = {}
        self.values: list[Any] = []
        self.lock = threading.Lock()

    def id(self, raw: bytes) -> int:
        """Return the id of ``raw``, adding it to the table if new."""
        found = self.ids.get(raw)
        if found is None:
            self.before_add()
            found = int(self.script(keys=[self.list_key, self.index_key], args=[raw, 0]))
            self.ids[raw] = found
        return found

    def find(self, raw: bytes) -> int | None:
        """Return the id of ``raw`` if the table has it (never adds)."""
        found = self.ids.get(raw)
        if found is None:
            stored = self.client.hget(self.index_key, raw)
            if stored is None:
                return None
            found = self.ids[raw] = int(stored)
        return found

    def get(self, index: int) -> Any:
        """Return the parsed value with id ``index`` (fetching what was appended since)."""
        if index >= len(self.values):
            with self.lock:
                if index >= len(self.values):
                    fresh = self.client.lrange(self.list_key, len(self.values), -1)
                    for raw in fresh:
                        self.ids.setdefault(raw, len(self.values))
                        self.values.append(self.parse(raw))
            if index >= len(self.values):
                raise KeyError(f"intern table {self.list_key} has no id {index}")
        return self.values[index]


# -- the bounded user-agent table (issue 12, finding 4) ---------------------------------------

#: Most user-agent summaries the store keeps; later new ones are recorded coarsely.
UA_TABLE_MAX = 20_000
#: Most user-agent summaries one process keeps in memory (either direction): at most about
#: 7 MB with both full (tracemalloc). A summary missing here costs its decision a round
#: trip (the intern script), and real traffic has thousands: 50,000 draws of
#: bench/agents.py give 4,675 distinct summaries, of which an LRU of 2,048 missed 8% of
#: decisions, one of 8,192 none.
UA_CACHE_MAX = 8_192


class BoundedTable:
    """The user-agent table: capped in Redis, and cached per process in two small LRUs.

    Anyone chooses their User-Agent header, so an append-only table of its summaries grew
    without limit in Redis and, cached whole, in every worker. Here the table stops taking
    new summaries at ``cap`` (:meth:`Interner.bounded_ua` then records a coarse one: device
    kind and bot flag only, a dozen values at most), and each process keeps at most
    ``cache`` entries, fetching an evicted id again with ``LINDEX``.
    """

    def __init__(
        self,
        client: Any,
        name: str,
        parse: Callable[[bytes], Any],
        cap: int,
        cache: int,
        before_add: Callable[[], None],
    ) -> None:
        self.client, self.parse, self.cap, self.cache = client, parse, cap, cache
        self.before_add = before_add
        self.script = client.register_script(source("intern"))
        self.list_key, self.index_key = keys.table(name), keys.table_index(name)
        self.ids: OrderedDict[bytes, int] = OrderedDict()
        self.values: OrderedDict[int, Any] = OrderedDict()
        self.lock = threading.Lock()

    def _remember(self, store: OrderedDict, key: Any, value: Any) -> None:
        with self.lock:
            store[key] = value
            store.move_to_end(key)
            while len(store) > self.cache:
                store.popitem(last=False)

    def try_id(self, raw: bytes, *, capped: bool = True) -> int | None:
        """Return the id of ``raw``, adding it if new and the table is not full (else None)."""
        found = self.ids.get(raw)
        if found is None:
            self.before_add()
            cap = self.cap if capped else 0
            found = int(self.script(keys=[self.list_key, self.index_key], args=[raw, cap]))
            if found < 0:
                return None
            self._remember(self.ids, raw, found)
        return found

    def id(self, raw: bytes) -> int:
        """Return the id of ``raw``, adding it even past the cap (coarse summaries only)."""
        found = self.try_id(raw, capped=False)
        assert found is not None
        return found

    def find(self, raw: bytes) -> int | None:
        """Return the id of ``raw`` if the table has it (never adds)."""
        found = self.ids.get(raw)
        if found is None:
            stored = self.client.hget(self.index_key, raw)
            if stored is None:
                return None
            found = int(stored)
            self._remember(self.ids, raw, found)
        return found

    def get(self, index: int) -> Any:
        """Return the parsed value with id ``index`` (from the cache or one ``LINDEX``)."""
        found = self.values.get(index)
        if found is None:
            raw = self.client.lindex(self.list_key, index)
            if raw is None:
                raise KeyError(f"intern table {self.list_key} has no id {index}")
            found = self.parse(raw)
            self._remember(self.values, index, found)
        return found

    def __len__(self) -> int:
        return len(self.ids) + len(self.values)


class Interner:
    """Every table the Redis backend uses, created on first use."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.script = client.register_script(source("intern"))
        self._guard = threading.local()
        hook = self._before_add
        self.sites = Table(client, self.script, "sites", _text, hook)
        self.ua_table = BoundedTable(client, "ua", _json, UA_TABLE_MAX, UA_CACHE_MAX, hook)
        self.shown_table = Table(client, self.script, "shown", _json, hook)
        self._shown: dict[tuple[str, str], int] = {}
        self._choices: dict[str, Table] = {}
        self._lock = threading.Lock()

    @contextmanager
    def before_adding(self, check: Callable[[], None] | None) -> Iterator[None]:
        """Within the block, this thread calls ``check`` once before its first new entry
        (may raise: then nothing is added). A decision over its rate limit must not grow
        the tables, which anyone can otherwise fill with made-up user agents."""
        self._guard.check = check
        try:
            yield
        finally:
            self._guard.check = None

    def _before_add(self) -> None:
        check = getattr(self._guard, "check", None)
        if check is not None:
            self._guard.check = None
            check()

    def choices(self, site: str) -> Table:
        """Return the site's table of choices."""
        table = self._choices.get(site)
        if table is None:
            with self._lock:
                table = self._choices.setdefault(
                    site,
                    Table(self.client, self.script, f"ch:{site}", _choice, self._before_add),
                )
        return table

    def bounded_ua(self, ua: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """Return the summary a receipt may record and its id: ``ua`` itself while the
        table takes new summaries (interned here), else the coarse one (device kind and bot
        flag only).

        Called before the receipt is sealed, so its hash covers what is stored.
        """
        found = self.ua_table.try_id(dumps(ua).encode())
        if found is not None:
            return ua, found
        coarse = {
            "browser": "",
            "os": "",
            "device": str(ua.get("device", "other")),
            "bot": bool(ua.get("bot")),
        }
        return coarse, self.ua_table.id(dumps(coarse).encode())

    def shown_id(self, lang: str, texts_hash: str) -> int:
        """Return the id of ``(lang, texts_hash)`` in the table of what visitors were shown.

        Kept per process by the pair as well: a site has a few of them (one per language
        and text revision), and serialising the pair on every write was a measurable share.
        """
        pair = (lang, texts_hash)
        found = self._shown.get(pair)
        if found is None:
            found = self.shown_table.id(dumps([lang, texts_hash]).encode())
            self._shown[pair] = found
        return found

    # The lookup interface codec.unpack_receipt expects.

    def site(self, no: int) -> str:
        """Return the site key with number ``no``."""
        return self.sites.get(no)

    def choice(self, site: str, index: int) -> list[Any]:
        """Return an interned choice as stored: ``[pv, method, gpc, cats, recips, opted]``."""
        return self.choices(site).get(index)[0]

    def shown(self, index: int) -> list[str]:
        """Return ``[lang, texts_hash]``."""
        return self.shown_table.get(index)

    def ua(self, index: int) -> dict[str, Any]:
        """Return a user-agent summary."""
        return self.ua_table.get(index)
