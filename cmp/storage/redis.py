"""The Redis backend on one node: ``redis://`` and ``rediss://`` (a cluster is
:mod:`.redis_cluster`, a subclass).

The backend is split by what it stores, one mixin per concern of the contract: this module
holds the site configuration, API keys, admin users, statistics and the audit log (small
JSON values); :mod:`.redis_visitors` the per-visitor records in their compact encoding
(:mod:`.codec`); :mod:`.redis_aliases` the aliases; :mod:`.redis_records` the confirmation
and received-provision records; sessions, sync, law and scans their own small modules. Two
clients share the URL: one decodes replies to text, the other returns bytes for the binary
visitor records. Key names are :mod:`.keys`'; Lua scripts are files in :mod:`.lua`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from redis.exceptions import RedisClusterException, RedisError

from cmp.model import AdminUser, ApiKey, AuditEntry, Category, PolicyVersion, Recipient, Site
from cmp.storage import bulk, keys
from cmp.storage.base import Storage
from cmp.storage.codec import dumps, loads
from cmp.storage.errors import StorageError
from cmp.storage.intern import Interner
from cmp.storage.lua import source
from cmp.storage.redis_aliases import AliasesMixin
from cmp.storage.redis_conn import connect, guard, own_options, score
from cmp.storage.redis_law import LawMixin
from cmp.storage.redis_records import RecordsMixin
from cmp.storage.redis_scans import ScansMixin
from cmp.storage.redis_sessions import SessionsMixin
from cmp.storage.redis_sync import SyncMixin
from cmp.storage.redis_visitors import VisitorsMixin


class RedisStorage(
    SyncMixin,
    ScansMixin,
    VisitorsMixin,
    AliasesMixin,
    RecordsMixin,
    SessionsMixin,
    LawMixin,
    Storage,
):
    """Storage on one Redis server (with replicas, if any)."""

    def __init__(self, url: str) -> None:
        self.url = url
        driver_url, own = own_options(url)
        self.wait_replicas, self.wait_ms = own["wait_replicas"], own["wait_ms"]
        try:
            self.client = self._connect(driver_url)
            self.client.ping()
            self.raw = self._connect(driver_url, decode=False)
        except (RedisError, RedisClusterException, OSError, ValueError) as exc:
            raise StorageError(f"cannot reach Redis at {url}: {exc}") from exc
        self.tables = Interner(self.raw)
        self._init_visitors()
        self._init_aliases()
        self._init_records()
        self._init_sessions()
        self._replace_if = self.client.register_script(source("replace_if"))

    @staticmethod
    def _connect(url: str, *, decode: bool = True) -> Any:
        """Open a client for the URL (text replies, or bytes with ``decode=False``)."""
        return connect(url, decode=decode)

    def _get_many(self, names: Sequence[str]) -> list[bytes | None]:
        """GET many keys in one round trip, raw bytes (:mod:`.bulk`)."""
        return bulk.get_one_node(self.raw, names)

    @guard
    def ping(self) -> None:
        """PING the server (every primary, on a cluster: the client does that)."""
        self.client.ping()

    def close(self) -> None:
        """Close the connection pools."""
        self.client.close()
        self.raw.close()

    # -- sites ---------------------------------------------------------------------------

    @guard
    def put_site(self, site: Site) -> None:
        """Create or replace a site."""
        self.client.hset(keys.site(site.key), "settings", dumps(site.to_dict()))
        self.client.sadd(keys.SITES, site.key)

    @guard
    def get_site(self, key: str) -> Site | None:
        """Return the site or None."""
        data = self.client.hget(keys.site(key), "settings")
        return Site.from_dict(loads(data)) if data else None

    @guard
    def list_sites(self) -> list[Site]:
        """Return every site by key."""
        found = [self.get_site(k) for k in sorted(self.client.smembers(keys.SITES))]
        return [s for s in found if s is not None]

    @guard
    def put_categories(self, site: str, categories: Sequence[Category]) -> None:
        """Replace the site's categories."""
        self.client.hset(keys.site(site), "categories", dumps([c.to_dict() for c in categories]))

    @guard
    def get_categories(self, site: str) -> list[Category]:
        """Return the site's categories in order."""
        data = self.client.hget(keys.site(site), "categories")
        return [Category.from_dict(d) for d in loads(data)] if data else []

    @guard
    def put_recipients(self, site: str, recipients: Sequence[Recipient]) -> None:
        """Replace the site's recipients."""
        self.client.hset(keys.site(site), "recipients", dumps([r.to_dict() for r in recipients]))

    @guard
    def get_recipients(self, site: str) -> list[Recipient]:
        """Return the site's recipients in order."""
        data = self.client.hget(keys.site(site), "recipients")
        return [Recipient.from_dict(d) for d in loads(data)] if data else []

    @guard
    def put_policy(self, policy: PolicyVersion) -> None:
        """Store a policy version once (HSETNX keeps the first)."""
        self.client.hsetnx(keys.policies(policy.site), str(policy.version), dumps(policy.to_dict()))

    @guard
    def get_policy(self, site: str, version: int) -> PolicyVersion | None:
        """Return one policy version or None."""
        data = self.client.hget(keys.policies(site), str(version))
        return PolicyVersion.from_dict(loads(data)) if data else None

    @guard
    def list_policies(self, site: str) -> list[PolicyVersion]:
        """Return the site's policy versions, oldest first."""
        found = [PolicyVersion.from_dict(loads(v)) for v in self.client.hvals(keys.policies(site))]
        return sorted(found, key=lambda p: p.version)

    # -- statistics ----------------------------------------------------------------------

    @guard
    def get_stats(self, site: str, days: Sequence[str]) -> dict[str, dict[str, int]]:
        """Return the counters of the given days."""
        pipe = self.client.pipeline(transaction=False)
        for d in days:
            pipe.hgetall(keys.stats(site, d))
        rows = pipe.execute() if days else []
        return {
            d: {k: int(v) for k, v in row.items()} for d, row in zip(days, rows, strict=True) if row
        }

    # -- keys and admins -----------------------------------------------------------------

    @guard
    def put_api_key(self, key: ApiKey) -> None:
        """Create or replace an API key and its indexes."""
        self.client.set(keys.api_key(key.secret_hash), dumps(key.to_dict()))
        self.client.set(keys.api_key_id(key.key_id), key.secret_hash)
        created = score(key.created_at)
        self.client.zadd(keys.site_api_keys(key.site), {key.key_id: created}, nx=True)

    @guard
    def get_api_key(self, secret_hash: str) -> ApiKey | None:
        """Return the key by secret hash or None."""
        data = self.client.get(keys.api_key(secret_hash))
        return ApiKey.from_dict(loads(data)) if data else None

    @guard
    def list_api_keys(self, site: str) -> list[ApiKey]:
        """Return the site's keys, oldest first."""
        out = []
        for key_id in self.client.zrange(keys.site_api_keys(site), 0, -1):
            secret_hash = self.client.get(keys.api_key_id(key_id))
            found = self.get_api_key(secret_hash) if secret_hash else None
            if found:
                out.append(found)
        return out

    @guard
    def touch_api_key(self, key_id: str, when: str) -> None:
        """Record the key's last use, only on the record as it was read.

        A revocation written between the read and the write must win: writing back the copy
        read before it would bring a revoked key back to life. The use is then not recorded,
        which costs nothing (the next request records it).
        """
        secret_hash = self.client.get(keys.api_key_id(key_id))
        name = keys.api_key(secret_hash) if secret_hash else None
        data = self.client.get(name) if name else None
        if not data:
            return
        found = ApiKey.from_dict(loads(data))
        found.last_used_at = when
        self._replace_if(keys=[name], args=[data, dumps(found.to_dict())])

    @guard
    def put_admin(self, user: AdminUser) -> None:
        """Create or replace an admin user."""
        self.client.set(keys.admin(user.username), dumps(user.to_dict()))
        self.client.sadd(keys.ADMINS, user.username)

    @guard
    def get_admin(self, username: str) -> AdminUser | None:
        """Return the admin user or None."""
        data = self.client.get(keys.admin(username))
        return AdminUser.from_dict(loads(data)) if data else None

    @guard
    def list_admins(self) -> list[AdminUser]:
        """Return every admin user by name."""
        found = [self.get_admin(u) for u in sorted(self.client.smembers(keys.ADMINS))]
        return [u for u in found if u is not None]

    # -- audit ---------------------------------------------------------------------------

    @guard
    def append_audit(self, entry: AuditEntry) -> None:
        """Prepend one audit entry (newest first)."""
        self.client.lpush(keys.audit(entry.site), dumps(entry.to_dict()))

    @guard
    def list_audit(self, site: str, limit: int = 100) -> list[AuditEntry]:
        """Return the newest audit entries first."""
        rows = self.client.lrange(keys.audit(site), 0, max(limit, 1) - 1)
        return [AuditEntry.from_dict(loads(r)) for r in rows]
