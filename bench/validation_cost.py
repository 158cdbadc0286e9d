"""What validating a decision body costs, by library, and a decision write end to end.

``python -m bench.validation_cost``: the choice of msgspec for the API's declarations
(cmp/api/inputs.py) rests on these numbers (docs/api.md, "Declarations").

1. One realistic decision body (signed id, 4 categories, 6 recipients, an alias), µs per
   validation, best of rounds: ``json.loads`` alone; the hand-written checks the
   declarations replaced; msgspec decoding into the declared
   :class:`cmp.api.inputs.Decision`; pydantic v2 with a strict mirror of that declaration
   (only if pydantic is importable: it is no dependency of cmp); jsonschema and jsonschema-rs
   (schemathesis's) over ``json.loads`` with the generated ``Decision`` schema.
2. A decision write served through the app's WSGI callable on a real redis-server (AOF,
   ``appendfsync everysec``), as bench/profile_api.py does: µs per request, wall and CPU.
   Run it on two checkouts (``PYTHONPATH=<checkout>``) to compare before and after.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Annotated, Any, Literal

from bench.agents import traffic
from bench.profile_steps import redis_app, timed

COUNT = int(os.environ.get("BENCH_VALIDATION_COUNT", "20000"))


def _body() -> bytes:
    from cmp import ids

    return json.dumps(
        {
            "visitor_id": ids.issue("bench-secret-0123456789abcdef0123")[1],
            "policy_version": 3,
            "categories": {"necessary": True, "analytics": True, "ads": False, "media": True},
            "recipients": {
                "ga4": True,
                "meta-pixel": False,
                "yahoo-ads": False,
                "line-tag": True,
                "dmp-partner": False,
                "clarity": True,
            },
            "method": "banner",
            "lang": "ja",
            "gpc": False,
            "aliases": [{"type": "cookie:_ga", "value": "GA1.1.123456.7890"}],
        }
    ).encode()


def _writes(count: int, seed: int) -> list[dict]:
    """WSGI environs of first decisions on the demo site, all from one real-world agent (a
    never-seen agent's parse would bury the few µs compared here)."""
    from werkzeug.test import EnvironBuilder

    body = '{"policy_version":1,"lang":"ja","method":"banner","categories":{"analytics":true}}'
    out = []
    for agent in traffic(1, seed=seed) * count:
        builder = EnvironBuilder(
            path="/api/v1/sites/demo/consents",
            method="POST",
            data=body,
            headers={"Content-Type": "application/json", "User-Agent": agent},
        )
        builder.environ_base = {"REMOTE_ADDR": "203.0.113.7"}
        out.append(builder.get_environ())
    return out


def _serve(app: Any, environ_list: list[dict]) -> set[str]:
    """Serve each environ through the app's WSGI callable; return the statuses seen."""
    seen: set[str] = set()

    def start_response(status: str, headers: list, exc_info: Any = None) -> None:
        seen.add(status[:3])

    for environ in environ_list:
        answer = app.wsgi_app(environ, start_response)
        for _ in answer:
            pass
        answer.close()
    return seen


def _pydantic() -> Any:
    """A strict pydantic v2 mirror of :class:`cmp.api.inputs.Decision`, or None."""
    try:
        from pydantic import BaseModel, Field, StrictBool, StrictInt, StrictStr
    except ImportError:
        return None
    from cmp import ids

    key = Annotated[StrictStr, Field(max_length=64)]
    bool_map = Annotated[dict[key, StrictBool], Field(max_length=200)]

    class Decision(BaseModel):
        visitor_id: Annotated[StrictStr, Field(pattern=f"^{ids.SIGNED_PATTERN}$")] | None = None
        policy_version: StrictInt
        categories: bool_map = {}
        recipients: bool_map = {}
        method: Literal["banner", "preferences", "gpc"] = "banner"
        lang: Literal["ja", "en"] = "ja"
        gpc: StrictBool = False
        aliases: Any = None

    return Decision


def _replaced(raw: bytes) -> dict[str, Any]:
    """What the record view checked by hand before the declarations (json.loads, then each
    member's type, the maps' sizes and the enums), kept here as the measured "before"."""
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("body must be a JSON object")
    version = data.get("policy_version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise ValueError("policy_version")
    for name in ("categories", "recipients"):
        value = data.get(name) or {}
        if not isinstance(value, dict) or len(value) > 200:
            raise ValueError(name)
        if not all(isinstance(on, bool) and len(key) <= 64 for key, on in value.items()):
            raise ValueError(name)
    if data.get("method", "banner") not in ("banner", "preferences", "gpc"):
        raise ValueError("method")
    if data.get("lang", "ja") not in ("ja", "en"):
        raise ValueError("lang")
    if not isinstance(data.get("gpc", False), bool):
        raise ValueError("gpc")
    return data


def validation(count: int = COUNT) -> dict[str, float]:
    """µs per validation of one decision body, by library."""
    import msgspec

    from cmp.api.inputs import Decision
    from cmp.api.openapi import spec

    raw = _body()
    components = spec()["components"]["schemas"]
    schema = {**components["Decision"], "$defs": components}
    schema = json.loads(json.dumps(schema).replace("#/components/schemas/", "#/$defs/"))
    decoder = msgspec.json.Decoder(Decision)
    out = {
        "json.loads alone": timed(lambda: json.loads(raw), count),
        "json.loads + hand-written (before)": timed(lambda: _replaced(raw), count),
        f"msgspec {msgspec.__version__}": timed(lambda: decoder.decode(raw), count),
    }
    model = _pydantic()
    if model is not None:
        import pydantic

        model.model_validate_json(raw)
        out[f"pydantic {pydantic.VERSION}"] = timed(lambda: model.model_validate_json(raw), count)
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    out["json.loads + jsonschema"] = timed(lambda: validator.validate(json.loads(raw)), count // 20)
    try:
        import jsonschema_rs
    except ImportError:
        pass
    else:
        fast = jsonschema_rs.validator_for(schema)
        out["json.loads + jsonschema-rs"] = timed(lambda: fast.validate(json.loads(raw)), count)
    return out


def write(count: int = 3000, rounds: int = 5) -> dict[str, float]:
    """µs per decision write through the WSGI callable (best round): wall and CPU."""
    import time

    from cmp.seed import seed_demo

    with redis_app("x" * 40, "cmp-validation-") as (app, _):
        seed_demo(app.extensions["cmp.store"])
        _serve(app, _writes(2000, seed=1))
        walls, cpus = [], []
        for _ in range(rounds):
            env = _writes(count, seed=1)
            wall, cpu = time.perf_counter(), time.thread_time()
            statuses = _serve(app, env)
            walls.append((time.perf_counter() - wall) / count * 1e6)
            cpus.append((time.thread_time() - cpu) / count * 1e6)
            assert statuses == {"201"}, statuses
        return {"wall": min(walls), "cpu": min(cpus)}


def main() -> None:
    """Print both measurements (``write`` only with ``--write``)."""
    if "--write" in sys.argv:
        print(json.dumps(write()))
        return
    for name, us in validation().items():
        print(f"{name:32s} {us:9.2f} µs")


if __name__ == "__main__":
    main()
