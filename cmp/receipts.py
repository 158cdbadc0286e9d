"""Building and chaining receipts: hashes, the user-agent summary, IP truncation.

A receipt's ``hash`` is the SHA-256 of its canonical JSON (every field but ``hash``), and
that JSON includes ``prev_hash``, the hash of the visitor's previous receipt. Changing or
removing any receipt therefore breaks every later link, which :func:`verify_chain` reports.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from dataclasses import replace
from typing import Any

from cmp import useragent
from cmp.model import Receipt


def canonical(data: Any) -> str:
    """Serialise ``data`` deterministically (sorted keys, no spaces, UTF-8 kept)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(data: Any) -> str:
    """Return the hex SHA-256 of the canonical JSON of ``data``."""
    return hashlib.sha256(canonical(data).encode()).hexdigest()


def receipt_hash(receipt: Receipt) -> str:
    """Return the hash that seals ``receipt`` (its ``hash`` field excluded)."""
    body = receipt.to_dict()
    body.pop("hash", None)
    return digest(body)


def receipt_id(visitor_id: str, seq: int) -> str:
    """Return the id of the visitor's ``seq``-th receipt (1-based)."""
    return f"{visitor_id}-{seq}"


def shown_receipt_id(shown_id: str, stored: str) -> str:
    """Name the receipt ``stored`` under the visitor id an answer shows (``shown_id``): a
    receipt id holds the raw visitor id, which would let partners holding per-recipient
    lookup ids join their lists on it."""
    return receipt_id(shown_id, int(stored.rpartition("-")[2])) if stored else stored


def seal(receipt: Receipt, prev_hash: str, seq: int) -> Receipt:
    """Return ``receipt`` placed on its chain: numbered, linked to ``prev_hash``, hashed."""
    placed = replace(
        receipt, seq=seq, prev_hash=prev_hash, receipt_id=receipt_id(receipt.visitor_id, seq)
    )
    return replace(placed, hash=receipt_hash(placed))


def verify_chain(receipts: list[Receipt], head_hash: str = "") -> list[str]:
    """Return the problems found in one visitor's receipts (oldest first); empty if intact.

    ``head_hash`` is the hash the store keeps for the newest receipt, so that removing the
    last receipt is caught too.
    """
    problems: list[str] = []
    prev = ""
    for index, receipt in enumerate(receipts, start=1):
        if receipt.seq != index:
            problems.append(f"{receipt.receipt_id}: expected seq {index}, found {receipt.seq}")
        if receipt.prev_hash != prev:
            problems.append(f"{receipt.receipt_id}: previous receipt missing or altered")
        if receipt_hash(receipt) != receipt.hash:
            problems.append(f"{receipt.receipt_id}: content altered")
        prev = receipt.hash
    if head_hash and head_hash != prev:
        problems.append("newest receipt missing or altered")
    return problems


def ua_summary(user_agent: str) -> dict[str, Any]:
    """Summarise a User-Agent header: browser, OS, device kind and whether it is a bot.

    See :mod:`cmp.useragent` (ua-parser with its native matcher, a bounded cache).
    """
    return useragent.summary(user_agent)


def truncate_ip(address: str) -> str:
    """Keep only the network part of an IP: /24 for IPv4, /48 for IPv6 ('' if invalid)."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return ""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)
