"""API keys: issuing (the plain key is shown once) and hashing.

Keys look like ``cmp_<key id>_<secret>``. Only the SHA-256 of the whole key is stored: the
secret has 256 bits of entropy, so a slow password hash would add cost and no safety.
"""

from __future__ import annotations

import hashlib
import secrets

from cmp import clock
from cmp.model import SCOPES, ApiKey
from cmp.storage import Storage


def hash_secret(key: str) -> str:
    """Return the stored form of an API key."""
    return hashlib.sha256(key.encode()).hexdigest()


def issue(store: Storage, site: str, scopes: list[str], name: str = "") -> tuple[ApiKey, str]:
    """Create and store a key; return it and the plain key (never stored, shown once)."""
    bad = sorted(set(scopes) - set(SCOPES))
    if bad or not scopes:
        raise ValueError(
            f"scopes must be among {', '.join(SCOPES)}; got {', '.join(bad) or 'none'}"
        )
    key_id = secrets.token_hex(4)
    plain = f"cmp_{key_id}_{secrets.token_urlsafe(32)}"
    record = ApiKey(
        key_id=key_id,
        site=site,
        name=name or f"key {key_id}",
        scopes=sorted(set(scopes)),
        secret_hash=hash_secret(plain),
        created_at=clock.iso(clock.now()),
    )
    store.put_api_key(record)
    return record, plain


def revoke(store: Storage, key: ApiKey) -> ApiKey:
    """Mark a key revoked from now on; it keeps its record for the audit trail."""
    key.revoked_at = clock.iso(clock.now())
    store.put_api_key(key)
    return key
