"""Redis backend, console side: admin sessions and the sign-in counters (issue 12).

Every key is one string with a Redis expiry, so each operation touches one key (one slot on
a cluster) and is atomic on the server: a counter is one script (INCR and its expiry
together), a slot one ``SET NX PX``. Expiry is Redis's own clock, the same for every host.
"""

from __future__ import annotations

from typing import Any

from cmp.storage import keys
from cmp.storage.contract.sessions import LimitStorage, SessionStorage
from cmp.storage.lua import source
from cmp.storage.redis_conn import guard


def _ms(seconds: float) -> int:
    return max(int(seconds * 1000), 1)


class SessionsMixin(SessionStorage, LimitStorage):
    """Admin sessions and counters; mixed into ``RedisStorage``."""

    client: Any

    def _init_sessions(self) -> None:
        self._hit = self.client.register_script(source("hit_counter"))

    @guard
    def put_admin_session(self, token_hash: str, username: str, ttl_seconds: float) -> None:
        """Store the session with its expiry."""
        self.client.set(keys.admin_session(token_hash), username, px=_ms(ttl_seconds))

    @guard
    def get_admin_session(self, token_hash: str) -> str | None:
        """Return the session's user while it lives."""
        return self.client.get(keys.admin_session(token_hash))

    @guard
    def delete_admin_session(self, token_hash: str) -> None:
        """End the session."""
        self.client.delete(keys.admin_session(token_hash))

    @guard
    def hit_counter(
        self, key: str, *, window_seconds: float, lock_at: int = 0, lock_seconds: float = 0
    ) -> tuple[int, float]:
        """Count one hit in one script."""
        count, ttl = self._hit(
            keys=[keys.counter(key)],
            args=[_ms(window_seconds), int(lock_at), _ms(lock_seconds or window_seconds)],
        )
        return int(count), max(int(ttl), 0) / 1000

    @guard
    def get_counter(self, key: str) -> int:
        """Return the live count."""
        return int(self.client.get(keys.counter(key)) or 0)

    @guard
    def reset_counter(self, key: str) -> None:
        """Remove the counter."""
        self.client.delete(keys.counter(key))

    @guard
    def take_slot(self, key: str, seconds: float) -> bool:
        """Claim the slot with SET NX PX."""
        return bool(self.client.set(keys.slot(key), "1", nx=True, px=_ms(seconds)))
