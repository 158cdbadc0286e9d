"""Check API responses against ``/api/v1/openapi.json`` as the test suite produces them.

:func:`watch` hooks an app so that every response under ``/api/`` is validated against the
OpenAPI document; the ``app`` fixture asserts at teardown that no response strayed from it.
"""

from __future__ import annotations

import gzip
import json
import re
from typing import Any

import brotli
from flask import Flask, Response, request
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from cmp.api.openapi import spec

_PARAM = re.compile(r"<(?:[a-z_]+:)?([a-z_]+)>")


def _validator_for(document: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    resource = Resource.from_contents(
        {"$schema": "https://json-schema.org/draft/2020-12/schema", **document}
    )
    registry = Registry().with_resource("urn:cmp:openapi", resource)
    wrapped = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
    wrapped = json.loads(
        json.dumps(wrapped).replace('"#/components', '"urn:cmp:openapi#/components')
    )
    return Draft202012Validator(wrapped, registry=registry)


_VALIDATORS: dict[str, Draft202012Validator] = {}


def check(document: dict[str, Any], rule: str, method: str, response: Response) -> list[str]:
    """Return what is wrong with ``response`` for ``method rule`` (empty when it conforms)."""
    path = _PARAM.sub(r"{\1}", rule)
    operation = document["paths"].get(path, {}).get(method.lower())
    if operation is None:
        return [f"{method} {path} is not in the OpenAPI document"]
    status = str(response.status_code)
    documented = operation["responses"].get(status)
    if documented is None:
        return [f"{method} {path} answered {status}, which is not documented"]
    content = documented.get("content")
    if not content:
        return []
    media = response.mimetype
    if media not in content:
        return [f"{method} {path} {status}: media type {media} not documented"]
    schema = content[media].get("schema")
    if schema is None:
        return []
    try:
        raw = response.get_data()
        if response.headers.get("Content-Encoding") == "gzip":
            raw = gzip.decompress(raw)
        elif response.headers.get("Content-Encoding") == "br":
            raw = brotli.decompress(raw)
        body = json.loads(raw)
    except ValueError:
        return [f"{method} {path} {status}: body is not JSON"]
    cache_key = json.dumps(schema, sort_keys=True)
    if cache_key not in _VALIDATORS:
        _VALIDATORS[cache_key] = _validator_for(document, schema)
    errors = sorted(_VALIDATORS[cache_key].iter_errors(body), key=str)
    return [f"{method} {path} {status}: {e.message} at {list(e.absolute_path)}" for e in errors]


def watch(app: Flask) -> list[str]:
    """Validate every API response of ``app``; return the (live) list of problems found."""
    document = spec()
    problems: list[str] = []

    @app.after_request
    def _validate(response: Response) -> Response:
        if request.path.startswith("/api/") and request.url_rule is not None:
            if request.method not in ("OPTIONS", "HEAD"):
                problems.extend(check(document, request.url_rule.rule, request.method, response))
        return response

    return problems
