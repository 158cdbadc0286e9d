"""What the API takes: every request body and query string of ``/api/v1``, declared once.

The views read requests through these types (:mod:`cmp.api.declared`), and the OpenAPI
document's request schemas are generated from them (:mod:`cmp.api.openapi`), so the two
cannot drift. Forms come from their one home (:mod:`cmp.ids`, :mod:`cmp.lookup`,
:mod:`cmp.rules`, :mod:`cmp.model`). ``problems`` names the fields whose refusal has its
own stable code (default: 422 ``validation_error``), as ``(path prefix, status, code[,
detail])``; ``json_schema_extra`` adds what a type
cannot say (an either-or of members), enforced by ``__post_init__``.

Members are strict: ``null`` is not "absent" (except a first decision's ``visitor_id``), a
boolean is not an integer, unknown members are ignored.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, Literal

from msgspec import UNSET, Meta, Struct, UnsetType, field

from cmp import aliases, ids, lookup, rules
from cmp.config import SETTINGS
from cmp.configview import VIEWS
from cmp.model import LANGS

Lang = Literal[LANGS]  # type: ignore[valid-type]
#: What a banner records; "opt-out" and "api" (cmp.model.CONSENT_METHODS) are the server's.
BannerMethod = Literal["banner", "preferences", "gpc"]
Format = Literal["json", "csv"]

SiteKey = Annotated[str, Meta(pattern=f"^{rules.KEY_PATTERN}$")]
SignedId = Annotated[
    str,
    Meta(
        pattern=f"^{ids.SIGNED_PATTERN}$",
        description="a signed visitor id (<22 characters>.<signature>)",
    ),
]
KeyedId = Annotated[
    str,
    Meta(
        pattern=f"^(?:{ids.SIGNED_PATTERN}|{lookup.PATTERN})$",
        description="a signed visitor id or a lookup-only id (lk.<scope>.<48 characters>)",
    ),
]
Time = Annotated[
    str,
    Meta(
        pattern=f"^{rules.TIME_PATTERN}$",
        description="a day such as 2026-01-31 (00:00 in Japan) or an ISO 8601 time (no "
        "offset: UTC), years 1970 to 2200",
    ),
]
#: In a query an empty value is as if absent.
TimeOrEmpty = Annotated[
    str, Meta(pattern=f"^({rules.TIME_PATTERN})?$", description=Time.__metadata__[0].description)
]
BoolMap = Annotated[dict[Annotated[str, Meta(max_length=64)], bool], Meta(max_length=200)]
#: A text the server takes: not empty, not only spaces, at most 2000 characters.
Text = Annotated[str, Meta(min_length=1, max_length=2000, pattern=r"\S")]
Name = Annotated[str, Meta(min_length=1, max_length=500, pattern=r"\S")]
Note = Annotated[str, Meta(max_length=2000)]
MAX_ITEMS = 100
Items = Annotated[
    list[Annotated[str, Meta(min_length=1)]], Meta(min_length=1, max_length=MAX_ITEMS)
]
_VISITOR_ID = (("visitor_id", 400, "invalid_visitor_id"),)

# The identifier forms (any case: idfa, aaid and hashes are stored lower case).
_HEX = "[0-9a-fA-F]"
_COOKIE_NAME = "[A-Za-z0-9_.-]{1,64}"
_COOKIE_VALUE = "[!-~]{1,256}"
_UUID = f"{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}"
_FORMS = {"idfa": _UUID, "aaid": _UUID, "email_sha256": f"{_HEX}{{64}}"}
_MATCH = {kind: re.compile(form).fullmatch for kind, form in _FORMS.items()}
_COOKIE = re.compile(_COOKIE_NAME).fullmatch
_PRINTABLE = re.compile(_COOKIE_VALUE).fullmatch
TYPES = ("cookie:<name>", *_FORMS)


class Identifier(Struct, kw_only=True):
    """cookie:<name>, idfa, aaid or email_sha256"""

    type: str
    value: str

    json_schema_extra: ClassVar[dict[str, Any]] = {
        "oneOf": [
            {
                "properties": {
                    "type": {"type": "string", "pattern": f"^cookie:{_COOKIE_NAME}$"},
                    "value": {"type": "string", "pattern": f"^{_COOKIE_VALUE}$"},
                }
            },
            *(
                {
                    "properties": {
                        "type": {"enum": sorted(k for k, f in _FORMS.items() if f == form)},
                        "value": {"type": "string", "pattern": f"^{form}$"},
                    }
                }
                for form in dict.fromkeys(_FORMS.values())
            ),
        ]
    }

    def __post_init__(self) -> None:
        kind = self.type
        if kind.startswith("cookie:"):
            if not _COOKIE(kind[7:]) or not _PRINTABLE(self.value):
                raise ValueError("cookie aliases need a cookie name and 1-256 characters")
        elif kind in _MATCH:
            if not _MATCH[kind](self.value):
                raise ValueError(
                    f"{kind} must be {'a UUID' if _FORMS[kind] == _UUID else '64 hex digits'}"
                )
            self.value = self.value.lower()
        else:
            raise ValueError(f"unknown identifier type {kind!r}; use {', '.join(TYPES)}")

    def pair(self) -> tuple[str, str]:
        """``(type, value)``, normalised."""
        return self.type, self.value


_IDENTIFIERS = (
    ("aliases[", 422, "invalid_identifier"),
    ("identifiers[", 422, "invalid_identifier"),
)


class Decision(Struct, kw_only=True):
    """A visitor's decision, as the banner sends it."""

    visitor_id: SignedId | None = None
    policy_version: int
    categories: BoolMap = {}
    recipients: BoolMap = {}
    method: BannerMethod = "banner"
    lang: Lang = "ja"
    gpc: bool = False
    # Never refused (the visitor's choice matters more than a cookie value): what is not
    # one of the site's alias cookies, or comes after the first few, is left out and listed
    # in the answer's ignored_aliases (cmp.aliases.banner_aliases).
    aliases: Annotated[
        Any,
        Meta(
            description="values of the site's alias cookies, [{type: cookie:<name>, value}], "
            "claims that can only narrow (docs/provision.md); one that is not of the site's "
            f"alias cookies, or comes after the first {aliases.MAX_PER_DECISION}, is left out "
            "and listed in ignored_aliases, never refused",
        ),
    ] = None

    problems: ClassVar = _VISITOR_ID


class OptOut(Struct, kw_only=True):
    """An opt-out of some or all categories, recorded by the operator."""

    visitor_id: KeyedId
    categories: Literal["all"] | Annotated[list[str], Meta(min_length=1)]
    #: Kept to 64 and 500 characters in the receipt (longer ones are cut, not refused).
    source: str = "api"
    note: str = ""

    problems: ClassVar = _VISITOR_ID


class ConsentStateRequest(Struct, kw_only=True):
    """The banner's own signed id, whose state it asks for."""

    visitor_id: SignedId

    problems: ClassVar = _VISITOR_ID


#: How many aliases one call may link.
MAX_PER_CALL = 20


class AliasLink(Struct, kw_only=True):
    """Aliases to link to a visitor (and, answered, the aliases linked)."""

    visitor_id: Annotated[
        str,
        Meta(
            pattern=SignedId.__metadata__[0].pattern,
            description="the signed id (a lookup id cannot link)",
        ),
    ]
    aliases: Annotated[list[Identifier], Meta(min_length=1, max_length=MAX_PER_CALL)]

    problems: ClassVar = (*_VISITOR_ID, *_IDENTIFIERS)


class ProvisionCheck(Struct, kw_only=True):
    """Ids to check before providing their data to a recipient (APPI Art. 31)."""

    recipient: str
    items: Items
    # More than PROVISION_MAX_IDS (a setting) is 413 payload_too_large, checked by the view.
    visitor_ids: (
        Annotated[
            list[Annotated[str, Meta(description="signed or lookup-only id")]],
            Meta(min_length=1, extra_json_schema={"maxItems": SETTINGS["PROVISION_MAX_IDS"][0]}),
        ]
        | UnsetType
    ) = UNSET
    identifiers: (
        Annotated[
            list[Identifier],
            Meta(min_length=1, extra_json_schema={"maxItems": SETTINGS["PROVISION_MAX_IDS"][0]}),
        ]
        | UnsetType
    ) = UNSET
    provided_from: Time | UnsetType = UNSET
    provided_to: Time | UnsetType = UNSET

    problems: ClassVar = _IDENTIFIERS
    json_schema_extra: ClassVar[dict[str, Any]] = {
        "oneOf": [{"required": ["visitor_ids"]}, {"required": ["identifiers"]}]
    }

    def __post_init__(self) -> None:
        if (self.visitor_ids is UNSET) == (self.identifiers is UNSET):
            raise ValueError("send either 'visitor_ids' or 'identifiers'")


class Provider(Struct, kw_only=True):
    """Who provided the information (APPI Art. 30(1)(i))."""

    name: Name
    address: Name
    representative: Name


class ReceivedProvisionInput(Struct, kw_only=True):
    """Information received from a provider, to record (APPI Art. 30)."""

    provider: Provider
    items: Items
    person_id: Text
    consent_statement: Text
    foreign_statement: Note = ""
    received_at: Time | UnsetType = UNSET
    note: Note = ""


class ConfigQuery(Struct, kw_only=True):
    """The query of ``GET /sites/{site}/config``."""

    # Lenient on purpose: a banner may pass the page's language as it is.
    lang: Annotated[
        str, Meta(description=f"one of {', '.join(LANGS)}; any other value: {LANGS[0]}")
    ] = LANGS[0]
    view: Annotated[
        Literal[VIEWS],  # type: ignore[valid-type]
        Meta(
            description="banner: only what the first layer shows (a first visit's request); "
            "full (default): the whole document, fetched when the visitor opens the settings"
        ),
    ] = "full"

    problems: ClassVar = (("view", 400, "invalid_view"),)


#: The most records one JSON page lists (format=csv has no limit).
MAX_LIMIT = 10_000


class RecordsQuery(Struct, kw_only=True):
    """The query of ``GET /sites/{site}/provision-records``."""

    from_: TimeOrEmpty = field(default="", name="from")
    to: TimeOrEmpty = ""
    recipient: str = ""
    format: Format = "json"
    lang: Lang = "ja"
    ids: Literal["0", "1"] = "0"
    limit: Annotated[int, Meta(ge=1, le=MAX_LIMIT)] = 1000
    visitor_id: KeyedId | UnsetType = UNSET

    problems: ClassVar = (
        *_VISITOR_ID,
        (
            "limit",
            422,
            "validation_error",
            f"'limit' must be 1 to {MAX_LIMIT}; for more records use format=csv (no limit) or, "
            "for very large exports, the command line: cmp export-records --site <site> "
            "--format jsonl",
        ),
    )


class ReceivedQuery(Struct, kw_only=True):
    """The query of ``GET /sites/{site}/received-provisions``."""

    from_: TimeOrEmpty = field(default="", name="from")
    to: TimeOrEmpty = ""
    format: Format = "json"
    lang: Lang = "ja"
    person_id: str | UnsetType = UNSET
