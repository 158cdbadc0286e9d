"""The log of periodic checks of a foreign recipient's 基準適合体制 (APPI Art. 28(3), Rule 18)."""

from __future__ import annotations

from abc import ABC, abstractmethod

from cmp.model import TransferCheck


class LawStorage(ABC):
    """Transfer checks, appended and never changed."""

    @abstractmethod
    def append_transfer_check(self, check: TransferCheck) -> None:
        """Append one periodic check to the log (entries are never changed)."""

    @abstractmethod
    def list_transfer_checks(self, site: str, recipient: str) -> list[TransferCheck]:
        """Return the checks of one recipient, in the order they were appended."""
