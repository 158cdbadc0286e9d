"""An API key revoked while its last use is being recorded stays revoked (Redis).

Recording a key's last use reads the key's record and writes it back; a revocation that
lands in between must not be overwritten by the stale copy, on a single node or a cluster.
"""

from __future__ import annotations

import pytest

from cmp import apikeys
from cmp.storage import Storage, open_store
from cmp.storage import redis as redis_backend


@pytest.fixture(params=["redis", "cluster"])
def redis_store(request: pytest.FixtureRequest) -> Storage:
    """A flushed Redis store, single node or cluster."""
    url = request.getfixturevalue("store_url")
    store = open_store(url)
    yield store
    store.close()


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """The store_url fixture's backend follows redis_store's parameter."""
    return request.node.callspec.params["redis_store"]


def test_revocation_between_read_and_write_wins(
    redis_store: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    record, secret = apikeys.issue(redis_store, "demo", ["provision"])
    digest = apikeys.hash_secret(secret)
    real_loads = redis_backend.loads

    def revoke_meanwhile(data: str) -> dict:
        # touch_api_key has read the record; an admin revokes the key right now.
        monkeypatch.setattr(redis_backend, "loads", real_loads)
        apikeys.revoke(redis_store, redis_store.get_api_key(digest))
        return real_loads(data)

    monkeypatch.setattr(redis_backend, "loads", revoke_meanwhile)
    redis_store.touch_api_key(record.key_id, "2026-11-22T00:00:00Z")
    assert redis_store.get_api_key(digest).revoked_at


def test_touch_records_the_last_use(redis_store: Storage) -> None:
    record, secret = apikeys.issue(redis_store, "demo", ["read"])
    redis_store.touch_api_key(record.key_id, "2026-11-22T00:00:00Z")
    key = redis_store.get_api_key(apikeys.hash_secret(secret))
    assert key.last_used_at == "2026-11-22T00:00:00Z" and not key.revoked_at
