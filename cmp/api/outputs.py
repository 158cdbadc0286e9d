"""What the API answers: every response body of ``/api/v1``, declared once.

The OpenAPI document's response schemas are generated from these types
(:mod:`cmp.api.openapi`); the test suite validates every answer it gets against that
document (tests/openapi_check.py). Members without a default are required; ``UNSET`` marks
one an answer may leave out. The views build their answers as dicts (the hot paths
serialise them directly); these types are their contract, not their code.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

from cmp.aliases import ALIAS_UNVERIFIED
from cmp.api.inputs import Identifier, Lang
from cmp.configview import RECIPIENT_FIELDS
from cmp.decisions import REASONS
from cmp.periods import REASONS as PERIOD_REASONS

Count = Annotated[int, Meta(ge=0)]
DateTime = Annotated[str, Meta(extra_json_schema={"format": "date-time"})]
Sync = Annotated[
    int,
    Meta(
        ge=0,
        description="The site's counter of server-side changes to visitors' states (opt-outs "
        "through the API, admin actions). A banner whose remembered counter is lower reads "
        "its state again through consent-state.",
    ),
]
LookupId = Annotated[
    str, Meta(description="lookup-only id (docs/provision.md); never the signed id")
]
Reason = Literal[(*REASONS, ALIAS_UNVERIFIED, *PERIOD_REASONS)]  # type: ignore[valid-type]


class Problem(Struct, kw_only=True):
    """A refusal or failure (RFC 9457); ``code`` is stable, ``detail`` is for people."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    visitor_id: (
        Annotated[
            str,
            Meta(
                description="On a 503 from recording a decision: the visitor id to retry with "
                "(the one issued for this decision, if it was the first)."
            ),
        ]
        | UnsetType
    ) = UNSET


class Category(Struct, kw_only=True):
    """A purpose category of the site."""

    key: str
    name: str
    description: str
    required: bool
    default: bool
    gpc: bool
    gcm: list[str]
    cookies: list[str]


class BannerCategory(Category, kw_only=True):
    """A category as the first layer shows it (no description)."""

    description: str | UnsetType = UNSET


class Foreign(Struct, kw_only=True):
    """A foreign recipient's country system and protective measures (APPI Art. 28)."""

    system: str
    measures: str


class Recipient(Struct, kw_only=True):
    """A recipient of external transmission."""

    key: str
    name: str
    service: str
    category: str
    items: list[str]
    purpose: str
    recipient_purpose: str
    links_personal_data: bool
    country: str
    foreign: Foreign | None
    policy_url: str | UnsetType = UNSET
    opt_out_url: str | UnsetType = UNSET
    since: Annotated[
        int,
        Meta(
            ge=1,
            description="the lowest published policy version from which, up to the current "
            "one, this recipient is listed unchanged in its material fields",
        ),
    ]


#: A recipient as the first layer lists it: only cmp.configview.RECIPIENT_FIELDS required.
BannerRecipient = msgspec.defstruct(
    "BannerRecipient",
    [
        (f.name, f.type) if f.name in RECIPIENT_FIELDS else (f.name, f.type | UnsetType, UNSET)
        for f in msgspec.structs.fields(Recipient)
    ],
    kw_only=True,
    module=__name__,
)
BannerRecipient.__doc__ = "A recipient as the first layer lists it."


class Links(Struct, kw_only=True):
    """The site's notices."""

    privacy_policy: str
    external_transmission: str


class Config(Struct, kw_only=True):
    """The site's configuration for the banner."""

    site: str
    policy_version: Annotated[int, Meta(ge=1)]
    lang: Lang
    categories: list[Category]
    recipients: list[Recipient]
    texts: dict[str, str]
    consent_lifetime_days: int
    alias_cookies: list[str]
    links: Links
    cookie_domain: (
        Annotated[
            str,
            Meta(
                description="the Domain the banner writes cmp_consent with (null: the page's host)"
            ),
        ]
        | None
    )
    sync: Sync


class BannerConfig(Config, kw_only=True):
    """``?view=banner``: the first layer's subset (cmp.configview), same shapes."""

    categories: list[BannerCategory]
    recipients: list[BannerRecipient]  # type: ignore[valid-type]


class ConsentState(Struct, kw_only=True):
    """A visitor's current state on a site."""

    visitor_id: str
    site: str
    policy_version: int
    categories: dict[str, bool]
    recipients: dict[str, bool]
    opted_out: list[str]
    gpc: bool
    method: str
    updated_at: DateTime
    expires_at: DateTime
    receipt_id: str | UnsetType = UNSET
    status: Literal["active", "expired", "outdated"]


class IgnoredAlias(Struct, kw_only=True):
    """An alias left out of a decision, and why."""

    index: int | None
    type: str | UnsetType = UNSET
    reason: str


class DecisionResult(Struct, kw_only=True):
    """A decision or opt-out recorded: the visitor id, its receipt and the new state."""

    visitor_id: str
    receipt_id: str
    consent: ConsentState
    ignored_aliases: (
        Annotated[
            list[IgnoredAlias],
            Meta(description="aliases left out of the decision (it is recorded anyway)"),
        ]
        | UnsetType
    ) = UNSET
    sync: Sync | UnsetType = UNSET


class ConsentStateAnswer(Struct, kw_only=True):
    """The visitor's state and the site's counter, read by its banner."""

    consent: ConsentState
    sync: Sync


class UserAgent(Struct, kw_only=True):
    """The browser summary a receipt keeps (never the whole User-Agent)."""

    browser: str | UnsetType = UNSET
    os: str | UnsetType = UNSET
    device: str | UnsetType = UNSET
    bot: bool | UnsetType = UNSET


class Receipt(Struct, kw_only=True):
    """One decision as recorded, a link of the visitor's hash chain."""

    receipt_id: str
    visitor_id: str
    site: str
    created_at: str
    policy_version: int
    texts_hash: str
    categories: dict[str, bool]
    recipients: dict[str, bool] | UnsetType = UNSET
    opted_out: list[str] | UnsetType = UNSET
    method: str
    lang: str
    gpc: bool
    source: str | UnsetType = UNSET
    note: str | UnsetType = UNSET
    ua: UserAgent
    ip: str
    seq: Annotated[int, Meta(ge=1)]
    prev_hash: str
    hash: str


class ReceiptList(Struct, kw_only=True):
    """A visitor's receipts on a site, oldest first."""

    visitor_id: str
    receipts: list[Receipt]


class Denied(Struct, kw_only=True):
    """An id (or identifier) the check refused, and the first reason that applied."""

    visitor_id: str | UnsetType = UNSET
    type: str | UnsetType = UNSET
    value: str | UnsetType = UNSET
    reason: Reason


class ProvisionResult(Struct, kw_only=True):
    """A verdict per id, and the confirmation record written."""

    record_id: str
    allowed: list[str | Identifier]
    denied: list[Denied]
    allowed_count: Count
    denied_count: Count
    lookup_ids: list[LookupId | None] | UnsetType = UNSET


class RecordRecipient(Struct, kw_only=True):
    """The recipient as the record keeps it (APPI Rule 28)."""

    key: str
    name: str
    address: str
    representative: str
    country: str


class AllowedEntry(Struct, kw_only=True):
    """An allowed visitor of a record, under its lookup id, with the receipt relied on."""

    visitor_id: LookupId
    receipt_id: str


class ProvisionRecord(Struct, kw_only=True):
    """A confirmation record; a disclosure to one person leaves out counts and key id."""

    record_id: str
    site: str
    items: list[str]
    purpose: str
    consent_confirmation: str
    foreign_info_confirmation: str
    provided_from: str
    provided_to: str
    allowed_count: Count | UnsetType = UNSET
    denied_count: Count | UnsetType = UNSET
    retention_until: str
    created_by: str | UnsetType = UNSET
    created_at: str
    summary: str | UnsetType = UNSET
    kind: str | UnsetType = UNSET
    first_day: str | UnsetType = UNSET
    last_day: str | UnsetType = UNSET
    recipient: RecordRecipient
    allowed: list[AllowedEntry] | UnsetType = UNSET


class ProvisionRecordList(Struct, kw_only=True):
    """Confirmation records, and how many."""

    records: list[ProvisionRecord]
    count: Count


class ReceivedProvision(Struct, kw_only=True):
    """A received-provision record (APPI Art. 30)."""

    record_id: str
    site: str
    provider: dict[str, str]
    items: list[str]
    person_id: str
    consent_statement: str
    foreign_statement: str | UnsetType = UNSET
    received_at: str
    created_by: str
    retention_until: str
    created_at: str
    note: str | UnsetType = UNSET


class ReceivedProvisionList(Struct, kw_only=True):
    """Received-provision records, and how many."""

    records: list[ReceivedProvision]
    count: Count
