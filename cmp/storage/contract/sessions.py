"""The console's expiring state (issue 12): admin sessions, and the sign-in counters and
slots that throttle it. Each expires on the store's own clock, the same for every host.
"""

from __future__ import annotations

from abc import ABC, abstractmethod


class SessionStorage(ABC):
    """Signed-in console sessions, by the hash of their token."""

    @abstractmethod
    def put_admin_session(self, token_hash: str, username: str, ttl_seconds: float) -> None:
        """Remember a signed-in console session for ``ttl_seconds`` (by the hash of its token)."""

    @abstractmethod
    def get_admin_session(self, token_hash: str) -> str | None:
        """Return the user name of a live session, or None (never started, ended, expired)."""

    @abstractmethod
    def delete_admin_session(self, token_hash: str) -> None:
        """End a session (log-out); a no-op for an unknown one."""


class LimitStorage(ABC):
    """Atomic counters with a window, and one-holder slots (sign-in throttling)."""

    @abstractmethod
    def hit_counter(
        self, key: str, *, window_seconds: float, lock_at: int = 0, lock_seconds: float = 0
    ) -> tuple[int, float]:
        """Add one to the counter ``key`` atomically (across processes and hosts) and return
        ``(count, seconds until it expires)``.

        A counter that does not exist (or has expired) starts at 1 and expires after
        ``window_seconds``; the hit that makes it reach ``lock_at`` (when given) moves its
        expiry to ``lock_seconds`` from now, once. For sign-in throttling.
        """

    @abstractmethod
    def get_counter(self, key: str) -> int:
        """Return the live count of ``key`` (0 when absent or expired)."""

    @abstractmethod
    def reset_counter(self, key: str) -> None:
        """Remove the counter ``key``."""

    @abstractmethod
    def take_slot(self, key: str, seconds: float) -> bool:
        """Atomically claim ``key`` for ``seconds`` if no one holds it; True when claimed."""
