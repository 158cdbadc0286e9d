"""``schemathesis run --checks all`` against a real ``cmp serve``: zero failures.

Where tests/test_schemathesis.py drives schemathesis's strategies in-process with the
response checks, this runs the tool as an operator would, every phase (examples, coverage,
fuzzing, stateful) and every check, including the ones that send what the document does not
describe: a request without its ``Authorization`` header (401 before anything else), an
undeclared method (405 with ``Allow``), schema-valid data (never refused as invalid) and
schema-invalid data (never accepted). It aims at the seeded site and real visitors through a
config file of dictionaries, with a key of every scope, on Redis (the production store).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cmp.apikeys import issue
from cmp.model import SCOPES
from tests.servers import RedisServer
from tests.serving import request, seeded, serve

SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))
#: Cases per operation and phase: enough to reach every check, bounded for the suite.
MAX_EXAMPLES = 25


def _config(path: Path, visitors: list[str]) -> Path:
    config = path / "schemathesis.toml"
    config.write_text(
        "[dictionaries.sites]\n"
        'values = ["demo"]\n'
        "[dictionaries.visitors]\n"
        f"values = {json.dumps(visitors)}\n"
        "[parameters]\n"
        '"path.site" = { dictionary = "sites", probability = 0.9 }\n'
        '"path.visitor_id" = { dictionary = "visitors", probability = 0.6 }\n'
        '"query.visitor_id" = { dictionary = "visitors", probability = 0.6 }\n'
        '"body.visitor_id" = { dictionary = "visitors", probability = 0.6 }\n'
        # What no static document can declare, so schema-valid data may still meet it: a
        # visitor id of the right form whose signature is not the server's (400
        # invalid_visitor_id), and rules on the site's own data (an unknown category or
        # recipient, an item the recipient does not receive, a vague item: 422).
        "[checks.positive_data_acceptance]\n"
        'expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "422", "429"]\n'
        # Too many ids for one provision check is refused as 413 payload_too_large (a stable
        # code), which the tool does not count among refusals by default.
        "[checks.negative_data_rejection]\n"
        'expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", '
        '"422", "428", "429"]\n'
    )
    return config


def test_schemathesis_run_checks_all(redis_server: RedisServer, tmp_path: Path) -> None:
    client = redis_server.client()
    try:
        client.flushall()
    finally:
        client.close()
    store = seeded(redis_server.url)
    try:
        key = issue(store, "demo", list(SCOPES))[1]
    finally:
        store.close()
    server = serve(redis_server.url, tmp_path)
    try:
        decision = {"policy_version": 1, "categories": {"analytics": True}}
        visitors = [
            request(server.port, "POST", "/api/v1/sites/demo/consents", decision)[2]["visitor_id"]
            for _ in range(3)
        ]
        run = subprocess.run(
            [
                SCHEMATHESIS,
                "--config-file",
                str(_config(tmp_path, visitors)),
                "run",
                f"http://127.0.0.1:{server.port}/api/v1/openapi.json",
                "--checks",
                "all",
                "--max-examples",
                str(MAX_EXAMPLES),
                "--seed",
                "14",
                "-H",
                f"Authorization: Bearer {key}",
                # Its transport asks for gzip; the compressed config is checked elsewhere.
                "-H",
                "Accept-Encoding: identity",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=tmp_path,
        )
    finally:
        server.stop()
    failures = run.stdout[run.stdout.find("= FAILURES =") :]
    assert run.returncode == 0, failures[:12000] + run.stderr[-2000:]
