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
from collections.abc import Callable
from typing import Any

from cmp.model import choice_of
from cmp.storage import keys
from cmp.storage.codec import loads

# KEYS: list, index hash. ARGV: the string. Returns its id (new ones are appended).
_INTERN = """
local i = redis.call('HGET', KEYS[2], ARGV[1])
if i then return tonumber(i) end
i = redis.call('RPUSH', KEYS[1], ARGV[1]) - 1
redis.call('HSET', KEYS[2], ARGV[1], i)
return i
"""


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

    def __init__(self, client: Any, script: Any, name: str, parse: Callable[[bytes], Any]):
        self.client, self.script, self.parse = client, script, parse
        self.list_key, self.index_key = keys.table(name), keys.table_index(name)
        self.ids: dict[bytes, int] = {}
        self.values: list[Any] = []
        self.lock = threading.Lock()

    def id(self, raw: bytes) -> int:
        """Return the id of ``raw``, adding it to the table if new."""
        found = self.ids.get(raw)
        if found is None:
            found = int(self.script(keys=[self.list_key, self.index_key], args=[raw]))
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


class Interner:
    """Every table the Redis backend uses, created on first use."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.script = client.register_script(_INTERN)
        self.sites = Table(client, self.script, "sites", _text)
        self.ua_table = Table(client, self.script, "ua", _json)
        self.shown_table = Table(client, self.script, "shown", _json)
        self._choices: dict[str, Table] = {}
        self._lock = threading.Lock()

    def choices(self, site: str) -> Table:
        """Return the site's table of choices."""
        table = self._choices.get(site)
        if table is None:
            with self._lock:
                table = self._choices.setdefault(
                    site, Table(self.client, self.script, f"ch:{site}", _choice)
                )
        return table

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
