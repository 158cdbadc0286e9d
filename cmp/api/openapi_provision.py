"""OpenAPI paths and schemas of the provision, records and alias endpoints.

Kept apart from :mod:`cmp.api.openapi` for size; that module merges them into the document.
References point at ``#/components/schemas/...`` of the merged document.
"""

from __future__ import annotations

from typing import Any

from cmp import ids, lookup, rules
from cmp.aliases import ALIAS_UNVERIFIED
from cmp.decisions import REASONS
from cmp.model import LANGS
from cmp.periods import REASONS as PERIOD_REASONS

_STR = {"type": "string"}
_INT = {"type": "integer", "minimum": 0}
_BOOL = {"type": "boolean"}
_STRS = {"type": "array", "items": _STR}
_LOOKUP = {**_STR, "description": "lookup-only id (docs/provision.md); never the signed id"}
# The id forms as the server reads them (cmp.ids, cmp.lookup, cmp.rules): declared here so
# that a tool generating requests from the document sends ids of the right form.
SIGNED = {
    "type": "string",
    "pattern": f"^{ids.SIGNED_PATTERN}$",
    "description": "a signed visitor id (<22 characters>.<signature>)",
}
KEYED = {
    "type": "string",
    "pattern": f"^(?:{ids.SIGNED_PATTERN}|{lookup.PATTERN})$",
    "description": "a signed visitor id or a lookup-only id (lk.<scope>.<48 characters>)",
}
SITE = {
    "name": "site",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": f"^{rules.KEY_PATTERN}$"},
}
_KEYED = {**_STR, "description": "signed or lookup-only id"}
#: A day (in Japan) or an ISO 8601 time with its offset, of the years cmp.rules takes.
TIME = {
    "type": "string",
    "pattern": f"^{rules.TIME_PATTERN}$",
    "description": "a day such as 2026-01-31 (00:00 in Japan) or an ISO 8601 time (no "
    "offset: UTC), years 1970 to 2200",
}
# In a query an empty value is as if absent.
_TIME_OR_EMPTY = {**TIME, "pattern": f"^({rules.TIME_PATTERN})?$"}
_ITEMS = {
    "type": "array",
    "items": {"type": "string", "minLength": 1},
    "minItems": 1,
    "maxItems": 100,
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _problems(*codes: int) -> dict[str, Any]:
    return {
        str(code): {
            "description": "problem",
            "content": {"application/problem+json": {"schema": _ref("Problem")}},
        }
        for code in codes
    }


def _json(schema: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


def _body(schema: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": _ref(schema)}}}


# The forms cmp.api.aliases.parse_identifier takes (any case: it stores lower case).
_HEX = "[0-9a-fA-F]"
_UUID = f"^{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}$"
_IDENTIFIER = {
    "type": "object",
    "required": ["type", "value"],
    "description": "cookie:<name>, idfa, aaid or email_sha256",
    "oneOf": [
        {
            "properties": {
                "type": {"type": "string", "pattern": "^cookie:[A-Za-z0-9_.-]{1,64}$"},
                "value": {"type": "string", "pattern": "^[!-~]{1,256}$"},
            }
        },
        {
            "properties": {
                "type": {"enum": ["idfa", "aaid"]},
                "value": {"type": "string", "pattern": _UUID},
            }
        },
        {
            "properties": {
                "type": {"const": "email_sha256"},
                "value": {"type": "string", "pattern": f"^{_HEX}{{64}}$"},
            }
        },
    ],
}
# A text the server takes: not empty, not only spaces, at most _TEXT characters.
_TEXT = {"type": "string", "minLength": 1, "maxLength": 2000, "pattern": "\\S"}
_NAME = {**_TEXT, "maxLength": 500}
_REASON = {"enum": [*REASONS, ALIAS_UNVERIFIED, *PERIOD_REASONS]}
_RECORD_PROPS = {
    "record_id": _STR,
    "site": _STR,
    "items": _STRS,
    "purpose": _STR,
    "consent_confirmation": _STR,
    "foreign_info_confirmation": _STR,
    "provided_from": _STR,
    "provided_to": _STR,
    "allowed_count": _INT,
    "denied_count": _INT,
    "retention_until": _STR,
    "created_by": _STR,
    "created_at": _STR,
}

SCHEMAS: dict[str, Any] = {
    "Identifier": _IDENTIFIER,
    "ProvisionCheck": {
        "type": "object",
        "required": ["recipient", "items"],
        # Either list, never both.
        "oneOf": [{"required": ["visitor_ids"]}, {"required": ["identifiers"]}],
        "properties": {
            "recipient": _STR,
            "items": _ITEMS,
            "visitor_ids": {"type": "array", "items": _KEYED, "minItems": 1, "maxItems": 10_000},
            "identifiers": {"type": "array", "items": _ref("Identifier"), "maxItems": 10_000},
            "provided_from": TIME,
            "provided_to": TIME,
        },
    },
    "ProvisionResult": {
        "type": "object",
        "required": ["record_id", "allowed", "denied", "allowed_count", "denied_count"],
        "properties": {
            "record_id": _STR,
            "allowed": {"type": "array", "items": {"oneOf": [_STR, _ref("Identifier")]}},
            "denied": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["reason"],
                    "properties": {
                        "visitor_id": _STR,
                        "type": _STR,
                        "value": _STR,
                        "reason": _REASON,
                    },
                },
            },
            "allowed_count": _INT,
            "denied_count": _INT,
            "lookup_ids": {"type": "array", "items": {**_LOOKUP, "type": ["string", "null"]}},
        },
    },
    "ProvisionRecord": {
        "type": "object",
        # A disclosure to one person (?visitor_id=) leaves out the counts and the key id.
        "required": [
            *(k for k in _RECORD_PROPS if k not in ("allowed_count", "denied_count", "created_by")),
            "recipient",
        ],
        "properties": {
            **_RECORD_PROPS,
            "summary": _STR,
            "kind": _STR,
            "first_day": _STR,
            "last_day": _STR,
            "recipient": {
                "type": "object",
                "required": ["key", "name", "address", "representative", "country"],
                "properties": {
                    "key": _STR,
                    "name": _STR,
                    "address": _STR,
                    "representative": _STR,
                    "country": _STR,
                },
            },
            "allowed": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["visitor_id", "receipt_id"],
                    "properties": {"visitor_id": _LOOKUP, "receipt_id": _STR},
                },
            },
        },
    },
    "ProvisionRecordList": {
        "type": "object",
        "required": ["records", "count"],
        "properties": {
            "records": {"type": "array", "items": _ref("ProvisionRecord")},
            "count": _INT,
        },
    },
    "ReceivedProvisionInput": {
        "type": "object",
        "required": ["provider", "items", "person_id", "consent_statement"],
        "properties": {
            "provider": {
                "type": "object",
                "required": ["name", "address", "representative"],
                "properties": {"name": _NAME, "address": _NAME, "representative": _NAME},
            },
            "items": _ITEMS,
            "person_id": _TEXT,
            "consent_statement": _TEXT,
            "foreign_statement": {**_TEXT, "minLength": 0, "pattern": ""},
            "received_at": TIME,
            "note": {**_TEXT, "minLength": 0, "pattern": ""},
        },
    },
    "ReceivedProvision": {
        "type": "object",
        "required": [
            "record_id",
            "site",
            "provider",
            "items",
            "person_id",
            "consent_statement",
            "received_at",
            "created_by",
            "retention_until",
            "created_at",
        ],
        "properties": {
            "record_id": _STR,
            "site": _STR,
            "provider": {"type": "object", "additionalProperties": _STR},
            "items": _STRS,
            "person_id": _STR,
            "consent_statement": _STR,
            "foreign_statement": _STR,
            "received_at": _STR,
            "created_by": _STR,
            "retention_until": _STR,
            "created_at": _STR,
            "note": _STR,
        },
    },
    "ReceivedProvisionList": {
        "type": "object",
        "required": ["records", "count"],
        "properties": {
            "records": {"type": "array", "items": _ref("ReceivedProvision")},
            "count": _INT,
        },
    },
    "AliasLink": {
        "type": "object",
        "required": ["visitor_id", "aliases"],
        "properties": {
            "visitor_id": {**SIGNED, "description": "the signed id (a lookup id cannot link)"},
            "aliases": {
                "type": "array",
                "items": _ref("Identifier"),
                "minItems": 1,
                "maxItems": 20,
            },
        },
    },
}

_SITE = SITE
_SECURED = [{"apiKey": []}]
_QUERY = [
    {"name": name, "in": "query", "schema": schema}
    for name, schema in (
        ("from", _TIME_OR_EMPTY),
        ("to", _TIME_OR_EMPTY),
        ("recipient", _STR),
        ("format", {"enum": ["json", "csv"]}),
        ("lang", {"enum": list(LANGS)}),
        ("ids", {"enum": ["0", "1"]}),
        ("limit", {"type": "integer", "minimum": 1, "maximum": 10_000}),
        ("visitor_id", KEYED),
    )
]

PATHS: dict[str, Any] = {
    "/api/v1/sites/{site}/provision-checks": {
        "post": {
            "summary": "Check ids before providing to a recipient (APPI Art. 31; scope provision)",
            "parameters": [_SITE],
            "security": _SECURED,
            "requestBody": _body("ProvisionCheck"),
            "responses": {
                "200": _json("ProvisionResult", "a verdict per id and the record written"),
                **_problems(400, 401, 403, 404, 413, 415, 422, 503),
            },
        }
    },
    "/api/v1/sites/{site}/provision-records": {
        "get": {
            "summary": "Confirmation records, listed or exported (scope read)",
            "parameters": [_SITE, *_QUERY],
            "security": _SECURED,
            "responses": {
                "200": {
                    "description": "the records",
                    "content": {
                        "application/json": {"schema": _ref("ProvisionRecordList")},
                        "text/csv": {},
                    },
                },
                **_problems(400, 401, 403, 404, 422, 503),
            },
        }
    },
    "/api/v1/sites/{site}/received-provisions": {
        "post": {
            "summary": "Record information received from a provider (Art. 30; scope provision)",
            "parameters": [_SITE],
            "security": _SECURED,
            "requestBody": _body("ReceivedProvisionInput"),
            "responses": {
                "201": _json("ReceivedProvision", "recorded"),
                **_problems(400, 401, 403, 404, 413, 415, 422, 503),
            },
        },
        "get": {
            "summary": "Received-provision records by time, or one person's (scope read)",
            "parameters": [
                _SITE,
                *_QUERY[:2],
                *_QUERY[3:5],
                {"name": "person_id", "in": "query", "schema": _STR},
            ],
            "security": _SECURED,
            "responses": {
                "200": {
                    **_json("ReceivedProvisionList", "the records"),
                    "content": {
                        **_json("ReceivedProvisionList", "the records")["content"],
                        "text/csv": {},
                    },
                },
                **_problems(401, 403, 404, 422, 503),
            },
        },
    },
    "/api/v1/sites/{site}/aliases": {
        "post": {
            "summary": "Link other identifiers to a visitor (scope write)",
            "parameters": [_SITE],
            "security": _SECURED,
            "requestBody": _body("AliasLink"),
            "responses": {
                "201": _json("AliasLink", "linked"),
                **_problems(400, 401, 403, 404, 409, 413, 415, 422, 503),
            },
        }
    },
}
