"""``GET /api/v1/openapi.json``: the OpenAPI 3.1 document, generated from the declarations.

Schemas come from the declared types (:mod:`cmp.api.inputs`, :mod:`cmp.api.outputs`, by
msgspec), paths from the operation table (:mod:`cmp.api.operations`); nothing here states a
rule of its own. The schemas are JSON Schema 2020-12, so the test suite validates every API
response it produces against them (tests/openapi_check.py), and schemathesis holds the
server to the document (tests/test_schemathesis_cli.py).
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

import msgspec
from flask import Response, jsonify

from cmp.api import bp, inputs, outputs
from cmp.api.operations import OPERATIONS, Operation

_REF = "#/components/schemas/{name}"
_PATH_PARAMS = {
    "site": ({"name": "site", "in": "path", "required": True}, inputs.SiteKey),
    "visitor_id": (
        {
            "name": "visitor_id",
            "in": "path",
            "required": True,
            "description": "a signed visitor id or a lookup-only id (lk.<scope>.<48 chars>); "
            "answered with the id as given",
        },
        inputs.KeyedId,
    ),
}


def _schema(kind: Any) -> dict[str, Any]:
    return msgspec.json.schema(kind, ref_template=_REF)


def _tidy(schema: dict[str, Any]) -> dict[str, Any]:
    """Drop msgspec's ``title`` (the component's own name) from a component."""
    schema.pop("title", None)
    return schema


def _ref(kind: type) -> dict[str, str]:
    return {"$ref": _REF.format(name=kind.__name__)}


def _components(types: list[type]) -> dict[str, Any]:
    _, found = msgspec.json.schema_components(types, ref_template=_REF)
    by_name = {t.__name__: t for t in _declared()}
    for name, schema in found.items():
        _tidy(schema)
        # What a type cannot say (an either-or of members), declared beside it.
        schema.update(copy.deepcopy(getattr(by_name.get(name), "json_schema_extra", {})))
    return dict(sorted(found.items()))


def _declared() -> list[type]:
    return [
        t
        for module in (inputs, outputs)
        for t in vars(module).values()
        if isinstance(t, type) and issubclass(t, msgspec.Struct)
    ]


def _problems(codes: tuple[int, ...]) -> dict[str, Any]:
    return {
        str(code): {
            "description": "problem",
            "content": {"application/problem+json": {"schema": _ref(outputs.Problem)}},
        }
        for code in codes
    }


def _parameters(op: Operation) -> list[dict[str, Any]]:
    params = [
        {**head, "schema": _schema(kind)}
        for name, (head, kind) in _PATH_PARAMS.items()
        if "{" + name + "}" in op.path
    ]
    if op.query is not None:
        for name, schema in _schema(op.query)["$defs"][op.query.__name__]["properties"].items():
            param: dict[str, Any] = {"name": name, "in": "query"}
            if "description" in schema:
                param["description"] = schema.pop("description")
            params.append({**param, "schema": schema})
    return params


def _operation(op: Operation) -> dict[str, Any]:
    if isinstance(op.answers, dict):
        schema = op.answers
    elif len(op.answers) == 1:
        schema = _ref(op.answers[0])
    else:
        schema = {"anyOf": [_ref(kind) for kind in op.answers]}
    content: dict[str, Any] = {"application/json": {"schema": schema}}
    if op.csv:
        content["text/csv"] = {}
    responses: dict[str, Any] = {
        str(op.status): {"description": op.description, "content": content}
    }
    if op.conditional:
        responses["304"] = {"description": "not modified (If-None-Match)"}
    responses.update(_problems(op.problems))
    out: dict[str, Any] = {"summary": op.summary}
    params = _parameters(op)
    if params:
        out["parameters"] = params
    if op.keyed:
        out["security"] = [{"apiKey": []}]
    if op.body is not None:
        out["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(op.body)}},
        }
    out["responses"] = responses
    return out


@cache
def _document() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for op in OPERATIONS:
        paths.setdefault(f"/api/v1{op.path}", {})[op.method] = _operation(op)
    types = [outputs.Problem]
    for op in OPERATIONS:
        types += [t for t in (op.body, *(() if isinstance(op.answers, dict) else op.answers)) if t]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "cmp consent API",
            "version": "1",
            "description": "Consent records, opt-outs and APPI Art. 31 provision checks.",
        },
        "paths": paths,
        "components": {
            "schemas": _components(list(dict.fromkeys(types))),
            "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer"}},
        },
    }


def spec() -> dict[str, Any]:
    """Return the whole OpenAPI document (a copy: callers may change it)."""
    return copy.deepcopy(_document())


@bp.route("/openapi.json", methods=["GET"])
def openapi_json() -> Response:
    """Serve the OpenAPI document."""
    return jsonify(_document())
