"""``GET /api/v1/openapi.json``: the OpenAPI 3.1 description of every API endpoint.

The schemas are JSON Schema 2020-12, so the test suite validates every API response it
produces against them (tests/test_openapi.py).
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from cmp.api import bp, openapi_provision, openapi_public
from cmp.model import LANGS

_STR = {"type": "string"}
_INT = {"type": "integer"}
_BOOL = {"type": "boolean"}
_BOOLMAP = {"type": "object", "additionalProperties": _BOOL}
# What cmp.api.problems.bool_map takes in a request.
_BOOLMAP_IN = {**_BOOLMAP, "maxProperties": 200, "propertyNames": {"maxLength": 64}}
_KEYED_VID = openapi_provision.KEYED


def ref(name: str) -> dict[str, str]:
    """Return a ``$ref`` to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


SCHEMAS: dict[str, Any] = {
    "Problem": {
        "type": "object",
        "required": ["type", "title", "status", "detail", "code"],
        "properties": {
            "type": _STR,
            "title": _STR,
            "status": _INT,
            "detail": _STR,
            "code": _STR,
            "visitor_id": {
                "type": "string",
                "description": "On a 503 from recording a decision: the visitor id to retry "
                "with (the one issued for this decision, if it was the first).",
            },
        },
    },
    "Category": {
        "type": "object",
        "required": ["key", "name", "description", "required", "default", "gpc", "gcm", "cookies"],
        "properties": {
            "key": _STR,
            "name": _STR,
            "description": _STR,
            "required": _BOOL,
            "default": _BOOL,
            "gpc": _BOOL,
            "gcm": {"type": "array", "items": _STR},
            "cookies": {"type": "array", "items": _STR},
        },
    },
    "Recipient": {
        "type": "object",
        "required": [
            "key",
            "name",
            "service",
            "category",
            "items",
            "purpose",
            "recipient_purpose",
            "links_personal_data",
            "country",
            "foreign",
        ],
        "properties": {
            "key": _STR,
            "name": _STR,
            "service": _STR,
            "category": _STR,
            "items": {"type": "array", "items": _STR},
            "purpose": _STR,
            "recipient_purpose": _STR,
            "links_personal_data": _BOOL,
            "country": _STR,
            "foreign": {
                "oneOf": [
                    {"type": "null"},
                    {
                        "type": "object",
                        "required": ["system", "measures"],
                        "properties": {"system": _STR, "measures": _STR},
                    },
                ]
            },
            "policy_url": _STR,
            "opt_out_url": _STR,
        },
    },
    "Config": {
        "type": "object",
        "required": [
            "site",
            "policy_version",
            "lang",
            "categories",
            "recipients",
            "texts",
            "consent_lifetime_days",
            "alias_cookies",
            "links",
        ],
        "properties": {
            "site": _STR,
            "policy_version": {"type": "integer", "minimum": 1},
            "lang": {"enum": list(LANGS)},
            "categories": {"type": "array", "items": ref("Category")},
            "recipients": {"type": "array", "items": ref("Recipient")},
            "texts": {"type": "object", "additionalProperties": _STR},
            "consent_lifetime_days": _INT,
            "alias_cookies": {"type": "array", "items": _STR},
            "links": {
                "type": "object",
                "required": ["privacy_policy", "external_transmission"],
                "properties": {"privacy_policy": _STR, "external_transmission": _STR},
            },
        },
    },
    "Decision": {
        "type": "object",
        "required": ["policy_version"],
        "properties": {
            "visitor_id": {**openapi_provision.SIGNED, "description": "absent on a first decision"},
            "policy_version": _INT,
            "categories": _BOOLMAP_IN,
            "recipients": _BOOLMAP_IN,
            "method": {"enum": ["banner", "preferences", "gpc"]},
            "lang": {"enum": list(LANGS)},
            "gpc": _BOOL,
            "aliases": {
                "description": "values of the site's alias cookies, claims that can only "
                "narrow (docs/provision.md); a bad one is left out, never refused",
                "type": "array",
                "maxItems": 20,
                "items": {
                    "type": "object",
                    "required": ["type", "value"],
                    "properties": {"type": _STR, "value": _STR},
                },
            },
        },
    },
    "ConsentState": {
        "type": "object",
        "required": [
            "visitor_id",
            "site",
            "policy_version",
            "categories",
            "recipients",
            "opted_out",
            "gpc",
            "method",
            "updated_at",
            "expires_at",
            "status",
        ],
        "properties": {
            "visitor_id": _STR,
            "site": _STR,
            "policy_version": _INT,
            "categories": _BOOLMAP,
            "recipients": _BOOLMAP,
            "opted_out": {"type": "array", "items": _STR},
            "gpc": _BOOL,
            "method": _STR,
            "updated_at": {"type": "string", "format": "date-time"},
            "expires_at": {"type": "string", "format": "date-time"},
            "receipt_id": _STR,
            "status": {"enum": ["active", "expired", "outdated"]},
        },
    },
    "DecisionResult": {
        "type": "object",
        "required": ["visitor_id", "receipt_id", "consent"],
        "properties": {
            "visitor_id": _STR,
            "receipt_id": _STR,
            "consent": ref("ConsentState"),
            "ignored_aliases": {
                "description": "aliases left out of the decision (it is recorded anyway)",
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["index", "reason"],
                    "properties": {
                        "index": {"type": ["integer", "null"]},
                        "type": _STR,
                        "reason": _STR,
                    },
                },
            },
        },
    },
    "Receipt": {
        "type": "object",
        "required": [
            "receipt_id",
            "visitor_id",
            "site",
            "created_at",
            "policy_version",
            "texts_hash",
            "categories",
            "method",
            "lang",
            "gpc",
            "ua",
            "ip",
            "seq",
            "prev_hash",
            "hash",
        ],
        "properties": {
            "receipt_id": _STR,
            "visitor_id": _STR,
            "site": _STR,
            "created_at": _STR,
            "policy_version": _INT,
            "texts_hash": _STR,
            "categories": _BOOLMAP,
            "recipients": _BOOLMAP,
            "opted_out": {"type": "array", "items": _STR},
            "method": _STR,
            "lang": _STR,
            "gpc": _BOOL,
            "source": _STR,
            "note": _STR,
            "ua": {
                "type": "object",
                "properties": {"browser": _STR, "os": _STR, "device": _STR, "bot": _BOOL},
            },
            "ip": _STR,
            "seq": {"type": "integer", "minimum": 1},
            "prev_hash": _STR,
            "hash": _STR,
        },
    },
    "ReceiptList": {
        "type": "object",
        "required": ["visitor_id", "receipts"],
        "properties": {"visitor_id": _STR, "receipts": {"type": "array", "items": ref("Receipt")}},
    },
    "OptOut": {
        "type": "object",
        "required": ["visitor_id", "categories"],
        "properties": {
            "visitor_id": _KEYED_VID,
            "categories": {
                "oneOf": [{"const": "all"}, {"type": "array", "items": _STR, "minItems": 1}]
            },
            "source": _STR,
            "note": _STR,
        },
    },
}


def _problems(*codes: int) -> dict[str, Any]:
    return {
        str(code): {
            "description": "problem",
            "content": {"application/problem+json": {"schema": ref("Problem")}},
        }
        for code in codes
    }


def _json(schema: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ref(schema)}}}


_SITE = openapi_provision.SITE
_VID = {
    "name": "visitor_id",
    "in": "path",
    "required": True,
    "description": "a signed visitor id or a lookup-only id (lk.<scope>.<48 chars>); "
    "answered with the id as given",
    "schema": openapi_provision.KEYED,
}
_SECURED = [{"apiKey": []}]

PATHS: dict[str, Any] = {
    "/api/v1/openapi.json": {
        "get": {
            "summary": "This document",
            "responses": {
                "200": {
                    "description": "OpenAPI 3.1",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
    },
    "/api/v1/sites/{site}/config": {
        "get": {
            "summary": "Site configuration for the banner (ETag; CORS for the site's origins)",
            "parameters": [
                _SITE,
                {
                    "name": "lang",
                    "in": "query",
                    # Lenient on purpose: a banner may pass the page's language as it is.
                    "description": f"one of {', '.join(LANGS)}; any other value: {LANGS[0]}",
                    "schema": {"type": "string"},
                },
            ],
            "responses": {
                "200": _json("Config", "the configuration"),
                "304": {"description": "not modified (If-None-Match)"},
                **_problems(404, 503),
            },
        }
    },
    "/api/v1/sites/{site}/consents": {
        "post": {
            "summary": "Record a visitor's decision (public; called by the banner)",
            "parameters": [_SITE],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": ref("Decision")}},
            },
            "responses": {
                "201": _json("DecisionResult", "recorded"),
                **_problems(400, 403, 404, 409, 413, 415, 422, 429, 503),
            },
        }
    },
    "/api/v1/sites/{site}/consents/{visitor_id}": {
        "get": {
            "summary": "A visitor's current state (scope read)",
            "parameters": [_SITE, _VID],
            "security": _SECURED,
            "responses": {
                "200": _json("ConsentState", "the state"),
                **_problems(400, 401, 403, 404, 503),
            },
        }
    },
    "/api/v1/sites/{site}/consents/{visitor_id}/receipts": {
        "get": {
            "summary": "A visitor's decisions, oldest first (scope read)",
            "parameters": [_SITE, _VID],
            "security": _SECURED,
            "responses": {
                "200": _json("ReceiptList", "the receipts"),
                **_problems(400, 401, 403, 404, 503),
            },
        }
    },
    "/api/v1/sites/{site}/opt-outs": {
        "post": {
            "summary": "Opt a visitor out of some or all categories (scope write)",
            "parameters": [_SITE],
            "security": _SECURED,
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": ref("OptOut")}},
            },
            "responses": {
                "201": _json("DecisionResult", "recorded"),
                **_problems(400, 401, 403, 404, 413, 415, 422, 503),
            },
        }
    },
}


# The provision, records and alias endpoints are described in their own module (size).
SCHEMAS.update(openapi_provision.SCHEMAS)
PATHS.update(openapi_provision.PATHS)
# The public endpoints' additions (sync, cookie_domain, since, consent-state).
openapi_public.extend(SCHEMAS, PATHS)


def spec() -> dict[str, Any]:
    """Return the whole OpenAPI document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "cmp consent API",
            "version": "1",
            "description": "Consent records, opt-outs and APPI Art. 31 provision checks.",
        },
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer"}},
        },
    }


@bp.route("/openapi.json", methods=["GET"])
def openapi_json() -> Response:
    """Serve the OpenAPI document."""
    return jsonify(spec())
