"""Sign-in throttling: a lock per user name and client address, and a global slow-down.

- Every attempt first takes a numbered place on the counter of its (name, address) pair,
  atomically in the store (every worker and host counts on the same counter). Only places
  1 to ``ADMIN_MAX_FAILURES`` get their password checked; the attempt that fails on the
  last of them locks that pair for ``ADMIN_LOCK_MINUTES``, so 16 parallel guesses get
  exactly 5 checks, not 8. A correct password clears the pair's counter.
- Names that do not exist count and lock exactly like real ones: the answer never tells
  whether a name exists.
- The lock is per address (IPv6: per /64), so someone else's guesses cannot lock an admin
  out from their own address. Guesses spread over many addresses are slowed instead: once
  a name has failed ``GLOBAL_FACTOR`` x ``ADMIN_MAX_FAILURES`` times within the lock period,
  its password is checked at most once per ``SLOW_SECONDS`` across all addresses; an attempt
  that finds the slot taken is told to retry in a moment (and spends its place, so flooding
  the slot costs the attacker's own addresses their attempts).
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass

from flask import current_app

from cmp import context

#: Failures of one name (all addresses) within the lock period before the slow-down starts.
GLOBAL_FACTOR = 4
#: With the slow-down on, one password check per name per this many seconds.
SLOW_SECONDS = 1.0


@dataclass(frozen=True)
class Turn:
    """What an attempt may do: ``check`` the password, or not (``reason`` locked or slow,
    for ``seconds``); ``place`` is its number on the (name, address) counter."""

    check: bool
    reason: str = ""
    seconds: float = 0.0
    place: int = 0


def _name(username: str) -> str:
    # Hashed: bounded, safe key whatever was typed; case-folded so "Alice" is "alice".
    return "login:" + hashlib.sha256(username.casefold().encode()).hexdigest()[:32]


def _address(ip: str) -> str:
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return ip[:64] or "-"
    if isinstance(addr, ipaddress.IPv6Address):
        if addr.ipv4_mapped is not None:
            return str(addr.ipv4_mapped)
        return str(ipaddress.ip_network(f"{addr}/64", strict=False).network_address) + "/64"
    return str(addr)


def _settings() -> tuple[int, float]:
    config = current_app.config
    return int(config["ADMIN_MAX_FAILURES"]), float(config["ADMIN_LOCK_MINUTES"]) * 60


def begin(username: str, ip: str) -> Turn:
    """Take this attempt's place; say whether its password may be checked."""
    store = context.store()
    limit, lock = _settings()
    name = _name(username)
    # The place that may be the last check starts the lock period: if that check fails,
    # the pair stays locked for the whole period from then on.
    place, left = store.hit_counter(
        f"{name}|{_address(ip)}", window_seconds=lock, lock_at=limit, lock_seconds=lock
    )
    if place > limit:
        return Turn(False, "locked", left, place)
    if store.get_counter(name) >= GLOBAL_FACTOR * limit and not store.take_slot(name, SLOW_SECONDS):
        return Turn(False, "slow", SLOW_SECONDS, place)
    return Turn(True, place=place)


def failed(username: str, turn: Turn) -> Turn:
    """Count a wrong password; the failure on the pair's last place locks it."""
    limit, lock = _settings()
    context.store().hit_counter(_name(username), window_seconds=lock)
    if turn.place >= limit:
        return Turn(False, "locked", lock, turn.place)
    return Turn(False, "failed", 0.0, turn.place)


def succeeded(username: str, ip: str) -> None:
    """A correct password: the pair starts over (the name's global count stays)."""
    context.store().reset_counter(f"{_name(username)}|{_address(ip)}")
