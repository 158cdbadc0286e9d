"""Dataclasses that cross the storage boundary.

Everything the storage contract accepts or returns is one of these, so the backends never
hand driver types (rows, bytes) to the views. Each class converts to and from plain dicts
(``to_dict`` / ``from_dict``) for JSON storage and API output.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any, NamedTuple

from cmp import clock

LANGS = ("ja", "en")
CONSENT_METHODS = ("banner", "preferences", "gpc", "opt-out", "api")
SCOPES = ("read", "write", "provision")
ROLES = ("admin", "viewer")


@cache
def _names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def _pick(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    """Keep only the keys ``cls`` declares, so older or newer stored JSON still loads."""
    names = _names(cls)
    return {k: v for k, v in data.items() if k in names}


class _Record:
    """Mixin: dict conversion for flat dataclasses."""

    def to_dict(self) -> dict[str, Any]:
        """Return a dict of every field (shallow: nested dicts and lists are shared).

        Shallow on purpose: this runs several times per request on the hot paths, and
        ``dataclasses.asdict`` deep-copies; callers only add or replace top-level keys.
        """
        return {name: getattr(self, name) for name in _names(type(self))}

    @classmethod
    def from_dict(cls, data: dict[str, Any]):
        """Build an instance from a dict, ignoring unknown keys."""
        return cls(**_pick(cls, data))


@dataclass
class Site(_Record):
    """A website that embeds the banner; the unit of configuration."""

    key: str
    name: str
    origins: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=lambda: list(LANGS))
    privacy_policy_url: str = ""
    consent_lifetime_days: int = 395
    cookie_domain: str = ""
    policy_version: int = 1
    alias_cookies: list[str] = field(default_factory=list)
    # Banner texts per language: {"ja": {"title": ..., "body": ...}, "en": {...}}.
    texts: dict[str, dict[str, str]] = field(default_factory=dict)
    # 共同利用 (APPI Art. 27(5)(iii)) as published, or {} (cmp.joint_use documents the keys).
    joint_use: dict[str, Any] = field(default_factory=dict)


@dataclass
class Category(_Record):
    """A consent category (essential, analytics, targeting, ...)."""

    key: str
    name: dict[str, str] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    required: bool = False
    default: bool = False
    gpc: bool = False
    gcm: list[str] = field(default_factory=list)
    cookies: list[str] = field(default_factory=list)
    # localStorage / sessionStorage keys (globs like "_pt_*") the banner deletes on withdrawal.
    storage: list[str] = field(default_factory=list)


@dataclass
class Recipient(_Record):
    """A third party that receives information through a tag or a provision."""

    key: str
    category: str
    name: dict[str, str] = field(default_factory=dict)
    service: dict[str, str] = field(default_factory=dict)
    address: str = ""
    representative: str = ""
    country: dict[str, str] = field(default_factory=dict)
    # None for a domestic recipient (or one in a country treated as equivalent).
    foreign: dict[str, dict[str, str]] | None = None
    # The information sent, per language; the lists are parallel (same order, same length).
    items: dict[str, list[str]] = field(default_factory=dict)
    purpose: dict[str, str] = field(default_factory=dict)
    recipient_purpose: dict[str, str] = field(default_factory=dict)
    links_personal_data: bool = False
    policy_url: str = ""
    opt_out_url: str = ""
    exemption: str = ""
    # -- how the law applies (cmp/foreign.py, cmp/confirmation.py; docs/provision.md) --
    # Art. 28 route for a recipient abroad: "" (in Japan, or "consent" when ``foreign`` is
    # set), "equivalent" (EEA/UK, country_code from cmp.foreign's fixed list), "system"
    # (基準適合体制, system_basis names it), "consent" (Rule 17(2) information shown).
    foreign_route: str = ""
    country_code: str = ""
    system_basis: str = ""
    # Rule 26(1): "" (own check of consent obtained on the recipient's behalf, 代行) or
    # "declaration" (the recipient's declaration or pledge: {"document", "date"}).
    consent_method: str = ""
    declaration: dict[str, str] = field(default_factory=dict)
    # It receives identifiers that are personal data (a hashed e-mail, cmp.personal).
    receives_personal_data: bool = False
    # One of the site's joint users (共同利用者; Site.joint_use).
    joint_user: bool = False
    # Why Art. 31 does not apply to a recipient that does not link (cmp.confirmation).
    no_link_basis: str = ""
    no_link_note: dict[str, str] = field(default_factory=dict)
    # What the scanner (cmp.scan) holds against the site: hosts its tags contact (a host
    # covers its subdomains), cookies and localStorage/sessionStorage keys they set (``*``
    # globs).
    hosts: list[str] = field(default_factory=list)
    cookies: list[str] = field(default_factory=list)
    storage: list[str] = field(default_factory=list)


@dataclass
class PolicyVersion(_Record):
    """A published version of a site's notice: what a visitor deciding under it was shown."""

    site: str
    version: int
    published_at: str
    texts_hash: str
    changes: str = ""
    # The categories, recipients and texts as published (dicts), kept as evidence.
    snapshot: dict[str, Any] = field(default_factory=dict)


@dataclass
class ConsentState(_Record):
    """The current decision of one visitor on one site."""

    visitor_id: str
    site: str
    policy_version: int
    categories: dict[str, bool]
    recipients: dict[str, bool] = field(default_factory=dict)
    opted_out: list[str] = field(default_factory=list)
    gpc: bool = False
    method: str = "banner"
    updated_at: str = ""
    expires_at: str = ""
    receipt_id: str = ""


@dataclass
class Receipt(_Record):
    """One decision as evidence: what was chosen, under which texts, by what client.

    ``prev_hash`` links to the visitor's previous receipt and ``hash`` seals this one
    (see :mod:`cmp.receipts`), so an altered or removed receipt breaks the chain.
    """

    receipt_id: str
    visitor_id: str
    site: str
    created_at: str
    policy_version: int
    texts_hash: str
    categories: dict[str, bool]
    recipients: dict[str, bool] = field(default_factory=dict)
    opted_out: list[str] = field(default_factory=list)
    method: str = "banner"
    lang: str = "ja"
    gpc: bool = False
    source: str = ""
    note: str = ""
    ua: dict[str, Any] = field(default_factory=dict)
    ip: str = ""
    seq: int = 0
    prev_hash: str = ""
    hash: str = ""


@dataclass
class Alias(_Record):
    """Another identifier of the same browser or person, linked to a visitor id."""

    site: str
    type: str
    value: str
    visitor_id: str
    created_at: str = ""


@dataclass
class ApiKey(_Record):
    """A server-to-server API key; only the SHA-256 of the secret is stored."""

    key_id: str
    site: str
    name: str
    scopes: list[str]
    secret_hash: str
    created_at: str
    last_used_at: str = ""
    revoked_at: str = ""


@dataclass
class AdminUser(_Record):
    """An operator of the admin console."""

    username: str
    password_hash: str
    role: str = "admin"
    created_at: str = ""
    failed_logins: int = 0
    locked_until: str = ""


@dataclass
class ProvisionRecord(_Record):
    """A confirmation record (確認記録, PPC Rule 28) written once per provision check."""

    record_id: str
    site: str
    recipient: dict[str, Any]
    items: list[str]
    purpose: str
    consent_confirmation: str
    foreign_info_confirmation: str
    provided_from: str
    provided_to: str
    allowed_count: int
    denied_count: int
    retention_until: str
    created_by: str
    created_at: str = ""
    # The visitor ids allowed, each with the receipt that justified it: [[vid, receipt_id]].
    allowed: list[list[str]] = field(default_factory=list)
    # The first and last day of provision as Japanese calendar days (Asia/Tokyo).
    first_day: str = ""
    last_day: str = ""
    # "pri" (個人関連情報, Art. 31 record) or "personal_data" (Art. 29 record), and for the
    # latter the identifiers of the people provided: [[type, value]] (Rule 20).
    kind: str = "pri"
    identified: list[list[str]] = field(default_factory=list)


@dataclass
class TransferCheck(_Record):
    """One periodic check of a recipient's 基準適合体制 (Art. 28(3), Rule 18): when, what was
    checked (``implementation``, ``foreign_law``), the result (``ok`` or ``failed``)."""

    site: str
    recipient: str
    checked_on: str
    checked: list[str]
    result: str
    note: str = ""
    actor: str = ""
    created_at: str = ""


@dataclass
class AuditEntry(_Record):
    """One admin change: who, when, what, before and after."""

    site: str
    actor: str
    action: str
    target: str
    created_at: str
    before: Any = None
    after: Any = None


# -- what a provision check reads in bulk, and the receiving side (Art. 30) ------------


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
class ReceivedProvision(_Record):
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
