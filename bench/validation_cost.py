"""What validating a decision body costs, by library, and a decision write end to end.

``python -m bench.validation_cost``: the choice of msgspec for the API's declarations
(cmp/api/inputs.py) rests on these numbers (docs/api.md, "Declarations").

1. One realistic decision body (signed id, 4 categories, 6 recipients, an alias), µs per
   validation, best of rounds: ``json.loads`` alone; msgspec decoding into the declared
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
import shutil
import sys
import tempfile
from typing import Annotated, Any, Literal

from bench.profile_steps import environs, timed, wsgi_loop

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

    from cmp import create_app
    from cmp.seed import seed_demo
    from tests.servers import start_redis

    workdir = tempfile.mkdtemp(prefix="cmp-validation-")
    os.environ["CMP_INSTANCE_PATH"] = workdir
    redis = start_redis(appendonly=True)
    client = redis.client()
    client.config_set("appendfsync", "everysec")
    app = create_app(
        {"STORE_URL": redis.url, "SECRET_KEY": "x" * 40, "RATE_LIMIT": "100000000/minute"}
    )
    try:
        seed_demo(app.extensions["cmp.store"])
        for _ in wsgi_loop(app, environs("write_one", 2000, seed=1)):
            pass
        walls, cpus = [], []
        for n in range(rounds):
            env = environs("write_one", count, seed=100 + n)
            wall, cpu = time.perf_counter(), time.thread_time()
            statuses = set(wsgi_loop(app, env))
            walls.append((time.perf_counter() - wall) / count * 1e6)
            cpus.append((time.thread_time() - cpu) / count * 1e6)
            assert statuses == {201}, statuses
        return {"wall": min(walls), "cpu": min(cpus)}
    finally:
        app.extensions["cmp.store"].close()
        client.close()
        redis.stop()
        shutil.rmtree(redis.directory, ignore_errors=True)
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    """Print both measurements (``write`` only with ``--write``)."""
    if "--write" in sys.argv:
        print(json.dumps(write()))
        return
    for name, us in validation().items():
        print(f"{name:32s} {us:9.2f} µs")


if __name__ == "__main__":
    main()
