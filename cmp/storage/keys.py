"""Every Redis key cmp writes, built here and nowhere else.

The part in braces is the cluster hash tag: keys that must change together share it. A
visitor's state and receipts carry the visitor id (one slot, so a decision is one atomic
script); a site's configuration, statistics, records and audit log carry the site key.
"""

from __future__ import annotations

PREFIX = "cmp"


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, rest = divmod(n, 36)
        out = digits[rest] + out
        if not n:
            return out


# Visitor keys drop the "cmp:" prefix on purpose: with a 22-character id, "cv{<vid>}" plus a
# site number of up to two base-36 digits is 28 characters, the most that fits jemalloc's
# 32-byte class; "cmp:" would push every visitor key into the 48-byte class (16 bytes more
# per visitor and per receipt list, measured in bench/provision_bench.py).


def state(vid: str, site_no: int) -> str:
    """String: the visitor's packed state on one site (site number from the sites table)."""
    return f"cv{{{vid}}}{_base36(site_no)}"


def receipts(vid: str) -> str:
    """String: the visitor's receipts on every site, one blob (see :mod:`.codec`)."""
    return f"cr{{{vid}}}"


RECEIPTS_MATCH = "cr{*}"
STATES_MATCH = "cv{*}*"


def vid_from_receipts_key(key: str) -> str:
    """Return the visitor id inside a :func:`receipts` or :func:`state` key."""
    return key[key.index("{") + 1 : key.rindex("}")]


def table(name: str) -> str:
    """List: the strings of one intern table, in id order (append-only)."""
    return f"{PREFIX}:t:{{{name}}}"


def table_index(name: str) -> str:
    """Hash: string -> id for the same table (same slot as :func:`table`)."""
    return f"{PREFIX}:ti:{{{name}}}"


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
    """Hash: one confirmation record: ``m`` JSON without the ids, ``k``/``v``/``s`` the
    allowed ids and their receipts, compactly (see :mod:`.records_codec`)."""
    return f"{PREFIX}:provrec:{{{key}}}:{record_id}"


def received_index(key: str) -> str:
    """Sorted set: the site's received-provision record ids by creation time."""
    return f"{PREFIX}:recv:{{{key}}}"


def received_retention(key: str) -> str:
    """Sorted set: the same ids by ``retention_until``."""
    return f"{PREFIX}:recvret:{{{key}}}"


def received_record(key: str, record_id: str) -> str:
    """String: JSON of one received-provision record (APPI Art. 30)."""
    return f"{PREFIX}:recvrec:{{{key}}}:{record_id}"


def transfer_checks(key: str, recipient: str) -> str:
    """List: JSON of a recipient's periodic 基準適合体制 checks, oldest first."""
    return f"{PREFIX}:tc:{{{key}}}:{recipient}"


def audit(key: str) -> str:
    """List: the site's audit entries, newest first (``key`` "" for global entries)."""
    return f"{PREFIX}:audit:{{{key or '_'}}}"


# -- admin sessions and sign-in counters (issue 12) ---------------------------------------


def admin_session(token_hash: str) -> str:
    """String with expiry: the user name of one live console session (by token hash)."""
    return f"{PREFIX}:asess:{token_hash}"


def counter(key: str) -> str:
    """String with expiry: a sign-in counter (per name and address, or per name)."""
    return f"{PREFIX}:cnt:{key}"


def slot(key: str) -> str:
    """String with expiry: a claimed slot (the global sign-in slow-down)."""
    return f"{PREFIX}:slot:{key}"


# -- the per-site sync counter (see redis_sync.py) -------------------------------------------


def sync(key: str) -> str:
    """String: the site's counter of server-side state changes (``INCR`` only)."""
    return f"{PREFIX}:sync:{{{key}}}"


# -- scan reports (cmp.scan) -----------------------------------------------------------------


def scans(key: str) -> str:
    """Sorted set: the site's scan ids by start time."""
    return f"{PREFIX}:scans:{{{key}}}"


def scan_report(key: str, scan_id: str) -> str:
    """Hash: one scan's summary (``h``) and compressed report (``r``)."""
    return f"{PREFIX}:scan:{{{key}}}:{scan_id}"
