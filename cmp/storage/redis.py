"""Redis and Redis Cluster backends: ``redis://``, ``rediss://``, ``redis+cluster://h:p,h:p``.

A decision is a compare-and-set Lua script on the visitor's slot: Python reads the chain
head, seals the receipt (SHA-256 needs Python; Lua in Redis has only SHA-1), and the script
writes state and receipt only if the head is still the one that was read. On a conflict the
decision is rebuilt on the newer state and tried again, so concurrent decisions for one
visitor all land, in order, without WATCH (which a cluster client cannot hold across calls).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar
from urllib.parse import urlsplit

import redis
from redis.cluster import ClusterNode, RedisCluster
from redis.exceptions import RedisClusterException, RedisError

from cmp import clock
from cmp.model import (
    AdminUser,
    Alias,
    ApiKey,
    AuditEntry,
    Category,
    ConsentState,
    PolicyVersion,
    ProvisionRecord,
    Receipt,
    Recipient,
    Site,
)
from cmp.receipts import seal
from cmp.storage import keys
from cmp.storage.base import DecisionMaker, Storage, StorageError
from cmp.storage.codec import dumps, loads, pack_state, unpack_state

# KEYS: visitor hash, receipts list, then (single node only) the stats hash and alias keys.
# ARGV: expected head, site, packed state, receipt, new head, head field, visitor id,
# counter count n, then n (field, increment) pairs.
_DECIDE = """
local head = redis.call('HGET', KEYS[1], ARGV[6]) or ''
if head ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3], ARGV[6], ARGV[5])
local length = redis.call('RPUSH', KEYS[2], ARGV[4])
local counters = tonumber(ARGV[8])
local first_alias = 3
if counters > 0 then
  for i = 0, counters - 1 do
    redis.call('HINCRBY', KEYS[3], ARGV[9 + 2 * i], ARGV[10 + 2 * i])
  end
  first_alias = 4
end
for k = first_alias, #KEYS do redis.call('SET', KEYS[k], ARGV[7]) end
return length
"""

_MAX_ATTEMPTS = 64
T = TypeVar("T")


def _guard(method: Callable[..., T]) -> Callable[..., T]:
    """Turn any driver error into :class:`StorageError`."""

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return method(*args, **kwargs)
        except (RedisError, RedisClusterException, OSError) as exc:
            raise StorageError(f"redis: {exc.__class__.__name__}: {exc}") from exc

    return wrapper


def _epoch(text: str) -> float:
    return clock.parse(text).timestamp() if text else 0.0


def connect(url: str) -> redis.Redis | RedisCluster:
    """Open a client for a ``redis://``, ``rediss://`` or ``redis+cluster://`` URL."""
    options: dict[str, Any] = {
        "decode_responses": True,
        "socket_timeout": 5,
        "socket_connect_timeout": 2,
        "health_check_interval": 30,
    }
    if url.startswith("redis+cluster://"):
        parts = urlsplit(url.replace("redis+cluster://", "redis://", 1))
        hosts = parts.netloc.rsplit("@", 1)[-1]
        nodes = []
        for item in hosts.split(","):
            host, _, port = item.strip().rpartition(":")
            if not host or not port.isdigit():
                raise StorageError(f"redis+cluster URL needs host:port pairs, got {item!r}")
            nodes.append(ClusterNode(host, int(port)))
        if parts.password:
            options["password"] = parts.password
        return RedisCluster(startup_nodes=nodes, **options)
    return redis.Redis.from_url(url, **options)


class RedisStorage(Storage):
    """Storage on a Redis server or a Redis Cluster."""

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self.client = connect(url)
            self.client.ping()
        except (RedisError, RedisClusterException, OSError, ValueError) as exc:
            raise StorageError(f"cannot reach Redis at {url}: {exc}") from exc
        self.cluster = isinstance(self.client, RedisCluster)
        self._decide = self.client.register_script(_DECIDE)

    @_guard
    def ping(self) -> None:
        """PING the server (every primary, on a cluster)."""
        self.client.ping()

    def close(self) -> None:
        """Close the connection pool(s)."""
        self.client.close()

    # -- sites ---------------------------------------------------------------------------

    @_guard
    def put_site(self, site: Site) -> None:
        """Create or replace a site."""
        self.client.hset(keys.site(site.key), "settings", dumps(site.to_dict()))
        self.client.sadd(keys.SITES, site.key)

    @_guard
    def get_site(self, key: str) -> Site | None:
        """Return the site or None."""
        data = self.client.hget(keys.site(key), "settings")
        return Site.from_dict(loads(data)) if data else None

    @_guard
    def list_sites(self) -> list[Site]:
        """Return every site by key."""
        found = [self.get_site(k) for k in sorted(self.client.smembers(keys.SITES))]
        return [s for s in found if s is not None]

    @_guard
    def put_categories(self, site: str, categories: Sequence[Category]) -> None:
        """Replace the site's categories."""
        self.client.hset(keys.site(site), "categories", dumps([c.to_dict() for c in categories]))

    @_guard
    def get_categories(self, site: str) -> list[Category]:
        """Return the site's categories in order."""
        data = self.client.hget(keys.site(site), "categories")
        return [Category.from_dict(d) for d in loads(data)] if data else []

    @_guard
    def put_recipients(self, site: str, recipients: Sequence[Recipient]) -> None:
        """Replace the site's recipients."""
        self.client.hset(keys.site(site), "recipients", dumps([r.to_dict() for r in recipients]))

    @_guard
    def get_recipients(self, site: str) -> list[Recipient]:
        """Return the site's recipients in order."""
        data = self.client.hget(keys.site(site), "recipients")
        return [Recipient.from_dict(d) for d in loads(data)] if data else []

    @_guard
    def put_policy(self, policy: PolicyVersion) -> None:
        """Store a policy version once (HSETNX keeps the first)."""
        self.client.hsetnx(keys.policies(policy.site), str(policy.version), dumps(policy.to_dict()))

    @_guard
    def get_policy(self, site: str, version: int) -> PolicyVersion | None:
        """Return one policy version or None."""
        data = self.client.hget(keys.policies(site), str(version))
        return PolicyVersion.from_dict(loads(data)) if data else None

    @_guard
    def list_policies(self, site: str) -> list[PolicyVersion]:
        """Return the site's policy versions, oldest first."""
        found = [PolicyVersion.from_dict(loads(v)) for v in self.client.hvals(keys.policies(site))]
        return sorted(found, key=lambda p: p.version)

    # -- decisions -----------------------------------------------------------------------

    @_guard
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
    ) -> tuple[ConsentState, Receipt]:
        """Record a decision with the compare-and-set script, retrying on a race.

        On a single node the counters and aliases are written by the same script, so the
        whole decision is one atomic round trip (two when the prior state must be read). A
        cluster script may only touch one slot, so there they follow in a second pipeline.
        """
        vkey, rkey = keys.visitor(visitor_id), keys.receipts(visitor_id)
        links = list(aliases)
        for attempt in range(_MAX_ATTEMPTS):
            if fresh and attempt == 0:
                # A freshly issued id has no history: skip the read round trip.
                packed, head, length = None, "", 0
            else:
                pipe = self.client.pipeline(transaction=False)
                pipe.hmget(vkey, [site, keys.HEAD_FIELD])
                pipe.llen(rkey)
                (packed, head), length = pipe.execute()
            prior = unpack_state(site, visitor_id, packed) if packed else None
            state, receipt = make(prior)
            receipt = seal(receipt, head or "", length + 1)
            state.receipt_id = receipt.receipt_id
            counts = counters(state, receipt) if counters else {}
            script_keys = [vkey, rkey]
            args: list[str | int] = [
                head or "",
                site,
                pack_state(state),
                dumps(receipt.to_dict()),
                receipt.hash,
                keys.HEAD_FIELD,
                visitor_id,
            ]
            if self.cluster:
                args.append(0)
            else:
                args.append(len(counts))
                if counts:
                    script_keys.append(keys.stats(site, day))
                    for name, n in counts.items():
                        args += [name, n]
                script_keys += [keys.alias(a.site, a.type, a.value) for a in links]
            if self._decide(keys=script_keys, args=args):
                break
        else:
            raise StorageError(f"too many concurrent decisions for one visitor on {site}")
        if self.cluster and (counts or links):
            pipe = self.client.pipeline(transaction=False)
            for name, n in counts.items():
                pipe.hincrby(keys.stats(site, day), name, n)
            for a in links:
                pipe.set(keys.alias(a.site, a.type, a.value), a.visitor_id)
            pipe.execute()
        return state, receipt

    @_guard
    def get_state(self, site: str, visitor_id: str) -> ConsentState | None:
        """Return the visitor's state or None."""
        packed = self.client.hget(keys.visitor(visitor_id), site)
        return unpack_state(site, visitor_id, packed) if packed else None

    @_guard
    def get_states(self, site: str, visitor_ids: Sequence[str]) -> list[ConsentState | None]:
        """Return many states with one pipeline (split per node by the cluster client)."""
        pipe = self.client.pipeline(transaction=False)
        for vid in visitor_ids:
            pipe.hget(keys.visitor(vid), site)
        packed = pipe.execute() if visitor_ids else []
        return [
            unpack_state(site, vid, p) if p else None
            for vid, p in zip(visitor_ids, packed, strict=True)
        ]

    @_guard
    def get_receipts(self, site: str | None, visitor_id: str) -> list[Receipt]:
        """Return the visitor's receipts, oldest first."""
        found = [
            Receipt.from_dict(loads(r))
            for r in self.client.lrange(keys.receipts(visitor_id), 0, -1)
        ]
        return found if site is None else [r for r in found if r.site == site]

    @_guard
    def get_head(self, visitor_id: str) -> str:
        """Return the stored hash of the visitor's newest receipt."""
        return self.client.hget(keys.visitor(visitor_id), keys.HEAD_FIELD) or ""

    @_guard
    def iter_visitors(self) -> Iterator[str]:
        """SCAN every primary for receipt lists."""
        seen: set[str] = set()
        for key in self.client.scan_iter(match=keys.RECEIPTS_MATCH, count=1000):
            vid = keys.vid_from_receipts_key(key)
            if vid not in seen:
                seen.add(vid)
                yield vid

    # -- aliases -------------------------------------------------------------------------

    @_guard
    def put_aliases(self, aliases: Iterable[Alias]) -> None:
        """Link aliases to visitors."""
        pipe = self.client.pipeline(transaction=False)
        for a in aliases:
            pipe.set(keys.alias(a.site, a.type, a.value), a.visitor_id)
        pipe.execute()

    @_guard
    def resolve_aliases(self, site: str, pairs: Sequence[tuple[str, str]]) -> list[str | None]:
        """Resolve many aliases with one pipeline."""
        if not pairs:
            return []
        pipe = self.client.pipeline(transaction=False)
        for kind, value in pairs:
            pipe.get(keys.alias(site, kind, value))
        return list(pipe.execute())

    # -- statistics ----------------------------------------------------------------------

    @_guard
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

    @_guard
    def put_api_key(self, key: ApiKey) -> None:
        """Create or replace an API key and its indexes."""
        self.client.set(keys.api_key(key.secret_hash), dumps(key.to_dict()))
        self.client.set(keys.api_key_id(key.key_id), key.secret_hash)
        score = _epoch(key.created_at)
        self.client.zadd(keys.site_api_keys(key.site), {key.key_id: score}, nx=True)

    @_guard
    def get_api_key(self, secret_hash: str) -> ApiKey | None:
        """Return the key by secret hash or None."""
        data = self.client.get(keys.api_key(secret_hash))
        return ApiKey.from_dict(loads(data)) if data else None

    @_guard
    def list_api_keys(self, site: str) -> list[ApiKey]:
        """Return the site's keys, oldest first."""
        out = []
        for key_id in self.client.zrange(keys.site_api_keys(site), 0, -1):
            secret_hash = self.client.get(keys.api_key_id(key_id))
            found = self.get_api_key(secret_hash) if secret_hash else None
            if found:
                out.append(found)
        return out

    @_guard
    def touch_api_key(self, key_id: str, when: str) -> None:
        """Record the key's last use."""
        secret_hash = self.client.get(keys.api_key_id(key_id))
        found = self.get_api_key(secret_hash) if secret_hash else None
        if found:
            found.last_used_at = when
            self.client.set(keys.api_key(found.secret_hash), dumps(found.to_dict()))

    @_guard
    def put_admin(self, user: AdminUser) -> None:
        """Create or replace an admin user."""
        self.client.set(keys.admin(user.username), dumps(user.to_dict()))
        self.client.sadd(keys.ADMINS, user.username)

    @_guard
    def get_admin(self, username: str) -> AdminUser | None:
        """Return the admin user or None."""
        data = self.client.get(keys.admin(username))
        return AdminUser.from_dict(loads(data)) if data else None

    @_guard
    def list_admins(self) -> list[AdminUser]:
        """Return every admin user by name."""
        found = [self.get_admin(u) for u in sorted(self.client.smembers(keys.ADMINS))]
        return [u for u in found if u is not None]

    # -- records and audit ---------------------------------------------------------------

    @_guard
    def append_provision_record(self, record: ProvisionRecord) -> None:
        """Append one record with its time and retention indexes (one slot per site)."""
        pipe = self.client.pipeline(transaction=not self.cluster)
        pipe.set(keys.provision_record(record.site, record.record_id), dumps(record.to_dict()))
        pipe.zadd(keys.provision_index(record.site), {record.record_id: _epoch(record.created_at)})
        pipe.zadd(
            keys.provision_retention(record.site),
            {record.record_id: _epoch(record.retention_until)},
        )
        pipe.execute()

    @_guard
    def query_provision_records(
        self,
        site: str,
        *,
        start: str = "",
        end: str = "",
        recipient: str = "",
        limit: int = 0,
    ) -> list[ProvisionRecord]:
        """Return records of a site in a time range, oldest first."""
        low = _epoch(start) if start else "-inf"
        high = f"({_epoch(end)}" if end else "+inf"
        ids = self.client.zrangebyscore(keys.provision_index(site), low, high)
        out: list[ProvisionRecord] = []
        for begin in range(0, len(ids), 500):
            chunk = ids[begin : begin + 500]
            pipe = self.client.pipeline(transaction=False)
            for record_id in chunk:
                pipe.get(keys.provision_record(site, record_id))
            for data in pipe.execute():
                if not data:
                    continue
                record = ProvisionRecord.from_dict(loads(data))
                if recipient and record.recipient.get("key") != recipient:
                    continue
                out.append(record)
                if limit and len(out) >= limit:
                    return out
        return out

    @_guard
    def purge_provision_records(self, now: str) -> int:
        """Delete records past retention, site by site."""
        cutoff = f"({_epoch(now)}"
        removed = 0
        for site in self.client.smembers(keys.SITES):
            ids = self.client.zrangebyscore(keys.provision_retention(site), "-inf", cutoff)
            for begin in range(0, len(ids), 500):
                chunk = ids[begin : begin + 500]
                pipe = self.client.pipeline(transaction=not self.cluster)
                pipe.delete(*[keys.provision_record(site, i) for i in chunk])
                pipe.zrem(keys.provision_index(site), *chunk)
                pipe.zrem(keys.provision_retention(site), *chunk)
                removed += pipe.execute()[0]
        return removed

    @_guard
    def append_audit(self, entry: AuditEntry) -> None:
        """Prepend one audit entry (newest first)."""
        self.client.lpush(keys.audit(entry.site), dumps(entry.to_dict()))

    @_guard
    def list_audit(self, site: str, limit: int = 100) -> list[AuditEntry]:
        """Return the newest audit entries first."""
        rows = self.client.lrange(keys.audit(site), 0, max(limit, 1) - 1)
        return [AuditEntry.from_dict(loads(r)) for r in rows]
