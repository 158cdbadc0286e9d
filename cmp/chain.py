"""The receipt hash chain: canonical JSON, SHA-256 seals, receipt ids, chain verification.

A receipt's ``hash`` is the SHA-256 of its canonical JSON (every field but ``hash``), and
that JSON includes ``prev_hash``, the hash of the visitor's previous receipt. Changing or
removing any receipt therefore breaks every later link, which :func:`verify_chain` reports.

Pure functions over :class:`cmp.model.Receipt`, below both :mod:`cmp.receipts` (which adds
what a decision records about the request) and :mod:`cmp.storage` (which seals a receipt as
it writes it), so that storage depends on nothing above the model.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Any

from cmp.model import Receipt

#: Built once: ``json.dumps`` with options builds a new encoder on every call.
_canonical = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


def canonical(data: Any) -> str:
    """Serialise ``data`` deterministically (sorted keys, no spaces, UTF-8 kept)."""
    return _canonical(data)


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


def seal(receipt: Receipt, prev_hash: str, seq: int) -> Receipt:
    """Return a copy of ``receipt`` placed on its chain (see :func:`place`)."""
    return place(replace(receipt), prev_hash, seq)


def place(receipt: Receipt, prev_hash: str, seq: int) -> Receipt:
    """Place ``receipt`` itself on its chain: numbered, linked to ``prev_hash``, hashed.

    For a writer that built the receipt for this one write (the decision path): no copy.
    """
    receipt.seq, receipt.prev_hash = seq, prev_hash
    receipt.receipt_id = receipt_id(receipt.visitor_id, seq)
    receipt.hash = receipt_hash(receipt)
    return receipt


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
