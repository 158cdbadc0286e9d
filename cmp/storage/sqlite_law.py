"""SQLite backend: the log of periodic 基準適合体制 checks (APPI Art. 28(3), Rule 18)."""

from __future__ import annotations

from cmp.model import TransferCheck
from cmp.storage.codec import dumps, loads
from cmp.storage.contract.law import LawStorage
from cmp.storage.sqlite_base import SQLiteBase, guard


class LawMixin(SQLiteBase, LawStorage):
    """Transfer checks; mixed into ``SQLiteStorage``."""

    @guard
    def append_transfer_check(self, check: TransferCheck) -> None:
        """Append one check."""
        self._conn().execute(
            "INSERT INTO transfer_checks (site, recipient, data) VALUES (?, ?, ?)",
            (check.site, check.recipient, dumps(check.to_dict())),
        )

    @guard
    def list_transfer_checks(self, site: str, recipient: str) -> list[TransferCheck]:
        """Return the recipient's checks, oldest first."""
        rows = self._all_rows(
            "SELECT data FROM transfer_checks WHERE site = ? AND recipient = ? ORDER BY id",
            (site, recipient),
        )
        return [TransferCheck.from_dict(loads(r[0])) for r in rows]
