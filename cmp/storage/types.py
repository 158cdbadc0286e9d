"""Contract types added for provision checks and the receiving side (beyond :mod:`cmp.model`).

``ConsentSummary`` is what the bulk provision path reads instead of a full
:class:`~cmp.model.ConsentState`: building ten thousand states with their dicts and ISO
times costs more than fetching them, while a summary is a tuple around a shared, immutable
:class:`Choice` (visitors who chose the same thing share one object, so rules evaluated per
choice can be memoised by the caller).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from cmp import clock
from cmp.model import ConsentState


@dataclass(frozen=True, slots=True)
class Choice:
    """The part of a state that visitors share: what was granted, under which version."""

    policy_version: int
    method: str
    categories: frozenset[str]
    recipients: frozenset[str]
    opted_out: frozenset[str]


class ConsentSummary(NamedTuple):
    """One visitor's state on one site, reduced to what a provision check reads."""

    #: Epoch seconds after which the consent no longer counts (0: no expiry recorded).
    expires: int
    #: Sequence number of the receipt behind the state (its id is ``<vid>-<seq>``; 0: none).
    seq: int
    choice: Choice


def choice_of(
    policy_version: int,
    method: str,
    categories: Mapping[str, bool],
    recipients: Mapping[str, bool],
    opted_out: Sequence[str],
) -> Choice:
    """Build a :class:`Choice` from the maps a state or receipt carries."""
    return Choice(
        policy_version,
        method,
        frozenset(k for k, on in categories.items() if on),
        frozenset(k for k, on in recipients.items() if on),
        frozenset(opted_out),
    )


def summary_of(state: ConsentState) -> ConsentSummary:
    """Reduce a full state to its summary (the generic path; backends may do it faster)."""
    expires = int(clock.parse(state.expires_at).timestamp()) if state.expires_at else 0
    seq = int(state.receipt_id.rsplit("-", 1)[1]) if state.receipt_id else 0
    choice = choice_of(
        state.policy_version, state.method, state.categories, state.recipients, state.opted_out
    )
    return ConsentSummary(expires, seq, choice)


@dataclass
class ReceivedProvision:
    """Personally referable information received from a provider (APPI Art. 30 record)."""

    record_id: str
    site: str
    # {"name", "address", "representative"} of the provider, as confirmed on receipt.
    provider: dict[str, str]
    items: list[str]
    # Who the information is about, in the receiver's own terms (a member id is fine).
    person_id: str
    # The provider's statement that the person consented (and the foreign statement, if any).
    consent_statement: str
    received_at: str
    created_by: str
    retention_until: str
    created_at: str = ""
    foreign_statement: str = ""
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict of every field."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReceivedProvision:
        """Build an instance from a dict, ignoring unknown keys."""
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})
