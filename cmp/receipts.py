"""What a decision records about its request: the user-agent summary and the truncated IP.

The hash chain itself (canonical JSON, seals, receipt ids, verification) lives in
:mod:`cmp.chain`, below the storage layer; its names are re-exported here for the callers
that build and check receipts.
"""

from __future__ import annotations

import functools
import ipaddress
from typing import Any

from cmp import useragent
from cmp.chain import canonical, digest, receipt_hash, receipt_id, seal, verify_chain

__all__ = [
    "canonical",
    "digest",
    "receipt_hash",
    "receipt_id",
    "seal",
    "shown_receipt_id",
    "truncate_ip",
    "ua_summary",
    "verify_chain",
]


def shown_receipt_id(shown_id: str, stored: str) -> str:
    """Name the receipt ``stored`` under the visitor id an answer shows (``shown_id``): a
    receipt id holds the raw visitor id, which would let partners holding per-recipient
    lookup ids join their lists on it."""
    return receipt_id(shown_id, int(stored.rpartition("-")[2])) if stored else stored


def ua_summary(user_agent: str) -> dict[str, Any]:
    """Summarise a User-Agent header: browser, OS, device kind and whether it is a bot.

    See :mod:`cmp.useragent` (ua-parser with its native matcher, a bounded cache).
    """
    return useragent.summary(user_agent)


def truncate_ip(address: str) -> str:
    """Keep only the network part of an IP: /24 for IPv4, /48 for IPv6 ('' if invalid)."""
    return _truncated(address)


@functools.lru_cache(maxsize=4096)
def _truncated(address: str) -> str:
    # Cached: one client (a NAT gateway, a proxy) sends many decisions, and parsing with
    # ipaddress cost ~11 µs of every write (docs/benchmarks.md, profile).
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return ""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)
