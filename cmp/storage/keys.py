"""Every Redis key cmp writes, built here and nowhere else.

The part in braces is the cluster hash tag: keys that must change together share it. A
visitor's state and receipts carry the visitor id (one slot, so a decision is one atomic
script); a site's configuration, statistics, records and audit log carry the site key.
"""

from __future__ import annotations

PREFIX = "cmp"

#: Field of the visitor hash that holds the hash of the visitor's newest receipt. Site keys
#: never contain '#', so it cannot collide with a per-site state field.
HEAD_FIELD = "#"


def visitor(vid: str) -> str:
    """Hash: one field per site with the packed current state, plus :data:`HEAD_FIELD`."""
    return f"{PREFIX}:v:{{{vid}}}"


def receipts(vid: str) -> str:
    """List: the visitor's receipts (JSON), oldest first."""
    return f"{PREFIX}:r:{{{vid}}}"


RECEIPTS_MATCH = f"{PREFIX}:r:*"


def vid_from_receipts_key(key: str) -> str:
    """Return the visitor id inside a :func:`receipts` key."""
    return key[key.index("{") + 1 : key.rindex("}")]


def alias(site: str, kind: str, value: str) -> str:
    """String: the visitor id an alias points to (tagged by value, so aliases spread out)."""
    return f"{PREFIX}:a:{site}:{kind}:{{{value}}}"


SITES = f"{PREFIX}:sites"


def site(key: str) -> str:
    """Hash: fields ``settings``, ``categories``, ``recipients`` (JSON each)."""
    return f"{PREFIX}:site:{{{key}}}"


def policies(key: str) -> str:
    """Hash: policy version number -> JSON of the published version."""
    return f"{PREFIX}:pol:{{{key}}}"


def stats(key: str, day: str) -> str:
    """Hash: counter name -> count, for one site and UTC day."""
    return f"{PREFIX}:stats:{{{key}}}:{day}"


def api_key(secret_hash: str) -> str:
    """String: JSON of the API key whose secret hashes to ``secret_hash``."""
    return f"{PREFIX}:key:{secret_hash}"


def api_key_id(key_id: str) -> str:
    """String: the secret hash of the key with this id."""
    return f"{PREFIX}:keyid:{key_id}"


def site_api_keys(key: str) -> str:
    """Sorted set: the site's key ids, scored by creation order."""
    return f"{PREFIX}:keys:{{{key}}}"


ADMINS = f"{PREFIX}:admins"


def admin(username: str) -> str:
    """String: JSON of one admin user."""
    return f"{PREFIX}:admin:{username}"


def provision_index(key: str) -> str:
    """Sorted set: the site's record ids scored by creation time (epoch seconds)."""
    return f"{PREFIX}:prov:{{{key}}}"


def provision_retention(key: str) -> str:
    """Sorted set: the site's record ids scored by ``retention_until`` (epoch seconds)."""
    return f"{PREFIX}:provret:{{{key}}}"


def provision_record(key: str, record_id: str) -> str:
    """String: JSON of one confirmation record."""
    return f"{PREFIX}:provrec:{{{key}}}:{record_id}"


def audit(key: str) -> str:
    """List: the site's audit entries, newest first (``key`` "" for global entries)."""
    return f"{PREFIX}:audit:{{{key or '_'}}}"
