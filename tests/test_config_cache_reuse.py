"""The config cache keeps a built document across re-reads only while the data it was
rendered from is unchanged as the rendering sees it (cmp.configcache.fingerprint)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from cmp.configcache import ConfigCache
from cmp.seed import seed_demo
from cmp.siteconfig import build
from cmp.storage import open_store

NOTICE = "https://cmp.example/sites/demo/external-transmission"


def _names(body: bytes) -> list[tuple[object, object]]:
    return [(c["name"], c["required"]) for c in json.loads(body)["categories"]]


def test_an_edit_equal_by_dataclass_but_rendered_otherwise_is_served(tmp_path: Path) -> None:
    """Key order (a text's fallback language is its first) and True against 1 compare equal
    as dataclasses but render differently: the next period serves the new document."""
    store = open_store(f"sqlite:///{tmp_path / 'cmp.db'}")
    seed_demo(store)
    cats = store.get_categories("demo")
    cats[0].name, cats[0].required = {"ja": "", "en": "English"}, 1
    store.put_categories("demo", cats)
    cache = ConfigCache(seconds=0.01)
    first = cache.get(store, "demo", "ja", NOTICE)
    assert first is not None and _names(first.body)[0] == ("", 1)
    cats[0].name, cats[0].required = {"en": "English", "ja": ""}, True
    store.put_categories("demo", cats)
    fresh = build(store, "demo", "ja", NOTICE)
    assert fresh is not None and _names(fresh.body)[0] == ("English", True)
    time.sleep(0.02)
    served = cache.get(store, "demo", "ja", NOTICE)
    assert served is not None and served.body == fresh.body and served.etag == fresh.etag
    store.close()


def test_a_reread_of_unchanged_data_keeps_the_built_document(tmp_path: Path) -> None:
    """The usual period: the same data read again, the same document object kept."""
    store = open_store(f"sqlite:///{tmp_path / 'cmp.db'}")
    seed_demo(store)
    cache = ConfigCache(seconds=0.01)
    first = cache.get(store, "demo", "ja", NOTICE)
    time.sleep(0.02)
    assert cache.get(store, "demo", "ja", NOTICE) is first
    store.close()
