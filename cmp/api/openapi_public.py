"""OpenAPI additions of the public endpoints the banner calls (CONTRACT A-D, docs/api.md).

Kept apart from :mod:`cmp.api.openapi` for size: the ``sync`` counter, ``cookie_domain``,
each recipient's ``since``, the consent-state endpoint, and the problems every public
endpoint may answer (403 for a foreign origin, 429, 400 for an untrusted host). That module
applies :func:`extend` to its document.
"""

from __future__ import annotations

import copy
from typing import Any

# One way to write a schema reference and the problem answers, shared with the keyed API.
from cmp.api.openapi_provision import SIGNED, SITE, _problems, _ref
from cmp.configview import RECIPIENT_FIELDS, VIEWS

_VIEW = {
    "name": "view",
    "in": "query",
    "schema": {"enum": list(VIEWS)},
    "description": "banner: only what the first layer shows (a first visit's request); "
    "full (default): the whole document, fetched when the visitor opens the settings",
}
_SYNC = {
    "type": "integer",
    "minimum": 0,
    "description": "The site's counter of server-side changes to visitors' states (opt-outs "
    "through the API, admin actions). A banner whose remembered counter is lower reads its "
    "state again through consent-state.",
}


SCHEMAS: dict[str, Any] = {
    "ConsentStateRequest": {
        "type": "object",
        "required": ["visitor_id"],
        "properties": {"visitor_id": SIGNED},
    },
    "ConsentStateAnswer": {
        "type": "object",
        "required": ["consent", "sync"],
        "properties": {"consent": _ref("ConsentState"), "sync": _SYNC},
    },
}

PATHS: dict[str, Any] = {
    "/api/v1/sites/{site}/consent-state": {
        "post": {
            "summary": "The visitor's current state, read by its banner with its own signed id "
            "(public; CORS for the site's origins)",
            "parameters": [SITE],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("ConsentStateRequest")}},
            },
            "responses": {
                "200": {
                    "description": "the state and the site's counter",
                    "content": {"application/json": {"schema": _ref("ConsentStateAnswer")}},
                },
                **_problems(400, 403, 404, 413, 415, 422, 429, 503),
            },
        }
    },
}


def extend(schemas: dict[str, Any], paths: dict[str, Any]) -> None:
    """Add the public endpoints' fields, problems and the consent-state path in place."""
    config = schemas["Config"]
    config["required"] = [*config["required"], "cookie_domain", "sync"]
    config["properties"]["cookie_domain"] = {
        "type": ["string", "null"],
        "description": "the Domain the banner writes cmp_consent with (null: the page's host)",
    }
    config["properties"]["sync"] = _SYNC
    recipient = schemas["Recipient"]
    recipient["required"] = [*recipient["required"], "since"]
    recipient["properties"]["since"] = {
        "type": "integer",
        "minimum": 1,
        "description": "the lowest published policy version from which, up to the current "
        "one, this recipient is listed unchanged in its material fields",
    }
    # ?view=banner: the first layer's subset (cmp.configview): fewer fields, same shapes.
    banner = copy.deepcopy(config)
    banner["properties"]["categories"] = {"type": "array", "items": _ref("BannerCategory")}
    banner["properties"]["recipients"] = {"type": "array", "items": _ref("BannerRecipient")}
    schemas["BannerConfig"] = banner
    category = copy.deepcopy(schemas["Category"])
    category["required"] = [k for k in category["required"] if k != "description"]
    schemas["BannerCategory"] = category
    listed = copy.deepcopy(recipient)
    listed["required"] = list(RECIPIENT_FIELDS)
    schemas["BannerRecipient"] = listed
    get = paths["/api/v1/sites/{site}/config"]["get"]
    get["parameters"].append(_VIEW)
    get["responses"]["200"]["content"]["application/json"]["schema"] = {
        "anyOf": [_ref("Config"), _ref("BannerConfig")]
    }
    result = schemas["DecisionResult"]
    result["properties"]["sync"] = _SYNC
    schemas.update(SCHEMAS)
    paths.update(PATHS)
    paths["/api/v1/sites/{site}/config"]["get"]["responses"].update(_problems(400, 403))
    paths["/api/v1/sites/{site}/consents"]["post"]["responses"].update(_problems(400, 403))
