"""Redis backend: the log of periodic 基準適合体制 checks (APPI Art. 28(3), Rule 18).

One list per recipient, tagged by site; entries are appended and never changed.
"""

from __future__ import annotations

from typing import Any

from cmp.model import TransferCheck
from cmp.storage import keys
from cmp.storage.codec import dumps, loads
from cmp.storage.contract.law import LawStorage
from cmp.storage.redis_conn import guard


class LawMixin(LawStorage):
    """Transfer checks; mixed into ``RedisStorage``."""

    client: Any

    @guard
    def append_transfer_check(self, check: TransferCheck) -> None:
        """Append one check."""
        self.client.rpush(keys.transfer_checks(check.site, check.recipient), dumps(check.to_dict()))

    @guard
    def list_transfer_checks(self, site: str, recipient: str) -> list[TransferCheck]:
        """Return the recipient's checks, oldest first."""
        found = self.client.lrange(keys.transfer_checks(site, recipient), 0, -1)
        return [TransferCheck.from_dict(loads(item)) for item in found]
