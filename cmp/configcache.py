"""The per-process cache of built site configs, bounded in entries whatever clients send.

The hottest endpoint (the banner's config) costs one dict lookup while an entry is fresh
(``CONFIG_CACHE_SECONDS``); every map here has a fixed size, so no request header can grow
the process (issue 12, finding 4: 6,000 ``Host`` headers once took a worker to 271 MB).
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from typing import Any

from cmp.siteconfig import BuiltConfig, SiteData, load, render, snapshot
from cmp.storage import Storage


class BoundedMap:
    """A small LRU map with a fixed number of entries (thread-safe)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def fingerprint(data: SiteData) -> str:
    """What a document is rendered from, as text that differs whenever the rendering may.

    Not ``==`` of the dataclasses: that ignores the order of a dict's keys (a text's
    fallback language is its first) and takes ``True`` for ``1``; JSON keeps both apart.
    """
    parts = [snapshot(data.site, data.categories, data.recipients), data.since, data.sync]
    return json.dumps(parts, ensure_ascii=False, default=repr)


class ConfigCache:
    """Per-process cache of built configs, bounded in entries whatever the requests say.

    Two levels: what the store holds per site (the reads, shared by every language and
    notice URL), and the built documents per (site, language, notice URL). The notice URL
    comes from the request's host, which a client chooses: both levels are LRU maps of a
    fixed size, so 6,000 different ``Host`` headers cost at most ``entries`` documents (set
    ``CMP_TRUSTED_HOSTS`` to refuse foreign hosts outright). Unknown sites are remembered in a
    third, separate map, so random site keys cannot evict the real ones.
    """

    def __init__(self, seconds: float, entries: int = 256) -> None:
        self.seconds = seconds
        self._sites = BoundedMap(entries)
        self._missing = BoundedMap(4 * entries)
        self._built = BoundedMap(entries)

    def get(self, store: Storage, site_key: str, lang: str, notice_url: str) -> BuiltConfig | None:
        """Return the built config, or None for an unknown site."""
        now = time.monotonic()
        key = (site_key, lang, notice_url)
        hit = self._built.get(key)
        if hit and now - hit[0] < self.seconds:
            return hit[1]
        missing = self._missing.get(site_key)
        if missing is not None and now - missing < self.seconds:
            return None
        read = self._sites.get(site_key)
        if not read or now - read[0] >= self.seconds:
            data = load(store, site_key)
            if data is None:
                self._missing.put(site_key, now)
                return None
            read = (now, data)
            self._sites.put(site_key, read)
        mark = fingerprint(read[1])
        if hit and hit[2] == mark:
            # Re-read and unchanged (the usual case, once per period and process): the
            # document built from the same data is as fresh as this read, and rendering
            # it again (JSON, gzip twice, brotli) was most of a write's share of the cache.
            built = hit[1]
        else:
            built = render(read[1], lang, notice_url)
        # A document is as old as the reads it was built from.
        self._built.put(key, (read[0], built, mark))
        return built

    def sizes(self) -> tuple[int, int, int]:
        """Entries held: site reads, unknown sites, built documents (for tests and ops)."""
        return len(self._sites), len(self._missing), len(self._built)

    def clear(self) -> None:
        """Forget every cached document (after an edit in this process)."""
        for part in (self._sites, self._missing, self._built):
            part.clear()
