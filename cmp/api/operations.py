"""Every operation of ``/api/v1``: its body, query, answer and the problems it may answer.

One row per operation; :mod:`cmp.api.openapi` turns the table into the document's paths,
naming the declared types of :mod:`cmp.api.inputs` and :mod:`cmp.api.outputs`. The views
read their requests through the same types, so a row and its view cannot disagree on what
is taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cmp.api import inputs, outputs

_PUBLIC = (400, 403, 404, 413, 415, 422, 429, 503)
_KEYED_READ = (400, 401, 403, 404, 503)
_KEYED_WRITE = (400, 401, 403, 404, 413, 415, 422, 503)


@dataclass(frozen=True)
class Operation:
    """One method on one path (relative to ``/api/v1``)."""

    method: str
    path: str
    summary: str
    #: The success status and what it answers: a declared type, several (any of them), or
    #: a raw schema (the OpenAPI document itself).
    status: int
    answers: tuple[type, ...] | dict[str, Any]
    description: str
    problems: tuple[int, ...]
    body: type | None = None
    query: type | None = None
    #: Behind an API key (the bearer scheme ``apiKey``).
    keyed: bool = False
    #: The answer may also be an export in CSV (``format=csv``).
    csv: bool = False
    #: Answers 304 to a matching If-None-Match.
    conditional: bool = False


OPERATIONS: tuple[Operation, ...] = (
    Operation("get", "/openapi.json", "This document", 200, {"type": "object"}, "OpenAPI 3.1", ()),
    Operation(
        "get",
        "/sites/{site}/config",
        "Site configuration for the banner (ETag; CORS for the site's origins)",
        200,
        (outputs.Config, outputs.BannerConfig),
        "the configuration",
        (400, 403, 404, 503),
        query=inputs.ConfigQuery,
        conditional=True,
    ),
    Operation(
        "post",
        "/sites/{site}/consents",
        "Record a visitor's decision (public; called by the banner)",
        201,
        (outputs.DecisionResult,),
        "recorded",
        (400, 403, 404, 409, 413, 415, 422, 429, 503),
        body=inputs.Decision,
    ),
    Operation(
        "post",
        "/sites/{site}/consent-state",
        "The visitor's current state, read by its banner with its own signed id "
        "(public; CORS for the site's origins)",
        200,
        (outputs.ConsentStateAnswer,),
        "the state and the site's counter",
        _PUBLIC,
        body=inputs.ConsentStateRequest,
    ),
    Operation(
        "get",
        "/sites/{site}/consents/{visitor_id}",
        "A visitor's current state (scope read)",
        200,
        (outputs.ConsentState,),
        "the state",
        _KEYED_READ,
        keyed=True,
    ),
    Operation(
        "get",
        "/sites/{site}/consents/{visitor_id}/receipts",
        "A visitor's decisions, oldest first (scope read)",
        200,
        (outputs.ReceiptList,),
        "the receipts",
        _KEYED_READ,
        keyed=True,
    ),
    Operation(
        "post",
        "/sites/{site}/opt-outs",
        "Opt a visitor out of some or all categories (scope write)",
        201,
        (outputs.DecisionResult,),
        "recorded",
        _KEYED_WRITE,
        body=inputs.OptOut,
        keyed=True,
    ),
    Operation(
        "post",
        "/sites/{site}/provision-checks",
        "Check ids before providing to a recipient (APPI Art. 31; scope provision)",
        200,
        (outputs.ProvisionResult,),
        "a verdict per id and the record written",
        _KEYED_WRITE,
        body=inputs.ProvisionCheck,
        keyed=True,
    ),
    Operation(
        "get",
        "/sites/{site}/provision-records",
        "Confirmation records, listed or exported (scope read)",
        200,
        (outputs.ProvisionRecordList,),
        "the records",
        (400, 401, 403, 404, 422, 503),
        query=inputs.RecordsQuery,
        keyed=True,
        csv=True,
    ),
    Operation(
        "post",
        "/sites/{site}/received-provisions",
        "Record information received from a provider (Art. 30; scope provision)",
        201,
        (outputs.ReceivedProvision,),
        "recorded",
        _KEYED_WRITE,
        body=inputs.ReceivedProvisionInput,
        keyed=True,
    ),
    Operation(
        "get",
        "/sites/{site}/received-provisions",
        "Received-provision records by time, or one person's (scope read)",
        200,
        (outputs.ReceivedProvisionList,),
        "the records",
        (401, 403, 404, 422, 503),
        query=inputs.ReceivedQuery,
        keyed=True,
        csv=True,
    ),
    Operation(
        "post",
        "/sites/{site}/aliases",
        "Link other identifiers to a visitor (scope write)",
        201,
        (inputs.AliasLink,),
        "linked",
        (400, 401, 403, 404, 409, 413, 415, 422, 503),
        body=inputs.AliasLink,
        keyed=True,
    ),
)
