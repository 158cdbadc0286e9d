"""The `cmp` command, run as a real subprocess with settings from the environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from cmp.storage import open_store
from tests.servers import RedisServer, free_port, wait_until

CMP = str(Path(sys.executable).with_name("cmp"))


def run(env: dict[str, str], *args: str, input: str | None = None) -> subprocess.CompletedProcess:
    full = {**os.environ, **env}
    full.pop("CMP_ENV", None)
    return subprocess.run(
        [CMP, *args], env=full, capture_output=True, text=True, timeout=60, input=input
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "CMP_STORE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "CMP_SECRET_KEY": "cli-test-secret-0123456789",
        "CMP_INSTANCE_PATH": str(tmp_path / "instance"),
    }


def test_seed_demo_is_idempotent(env: dict[str, str]) -> None:
    first = run(env, "seed-demo")
    assert first.returncode == 0 and "created" in first.stdout
    second = run(env, "seed-demo")
    assert second.returncode == 0 and "already present" in second.stdout


def test_create_site_and_api_key(env: dict[str, str]) -> None:
    made = run(env, "create-site", "shop", "--name", "Shop", "--origin", "https://shop.example.jp")
    assert made.returncode == 0, made.stderr
    again = run(env, "create-site", "shop")
    assert again.returncode != 0 and "already exists" in again.stderr
    bad = run(env, "create-site", "Bad Key")
    assert bad.returncode == 2
    key = run(env, "create-api-key", "--site", "shop", "--scope", "read", "--scope", "provision")
    assert key.returncode == 0, key.stderr
    plain = key.stdout.strip().splitlines()[-1]
    assert plain.startswith("cmp_") and " " not in plain
    store = open_store(env["CMP_STORE_URL"])
    from cmp.apikeys import hash_secret

    found = store.get_api_key(hash_secret(plain))
    assert found is not None and found.scopes == ["provision", "read"] and found.site == "shop"
    store.close()
    missing = run(env, "create-api-key", "--site", "nosuch", "--scope", "read")
    assert missing.returncode != 0 and "no site" in missing.stderr


def test_create_admin(env: dict[str, str]) -> None:
    ok = run(env, "create-admin", "amy", "--password", "long-enough-pw", "--role", "viewer")
    assert ok.returncode == 0, ok.stderr
    store = open_store(env["CMP_STORE_URL"])
    user = store.get_admin("amy")
    assert user is not None and user.role == "viewer" and "long-enough-pw" not in user.password_hash
    store.close()
    short = run(env, "create-admin", "bob", "--password", "short")
    assert short.returncode == 2


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ({"CMP_SECRET_KEY": ""}, "CMP_SECRET_KEY"),
        ({"CMP_SECRET_KEY": "short"}, "CMP_SECRET_KEY"),
        ({"CMP_STORE_URL": "mongodb://x"}, "unknown store URL scheme"),
        ({"CMP_STORE_URL": "redis://127.0.0.1:1/0"}, "cannot reach Redis"),
        ({"CMP_PUBLIC_MAX_BYTES": "lots"}, "CMP_PUBLIC_MAX_BYTES"),
        ({"CMP_RATE_LIMIT": "fast"}, "CMP_RATE_LIMIT"),
    ],
)
def test_bad_setting_stops_with_one_clear_line(
    env: dict[str, str], override: dict[str, str], named: str
) -> None:
    result = run({**env, **override}, "seed-demo")
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and named in lines[0], result.stderr


def test_serve_answers_on_redis(
    redis_server: RedisServer, env: dict[str, str], tmp_path: Path
) -> None:
    client = redis_server.client()
    client.flushall()
    client.close()
    env = {**env, "CMP_STORE_URL": redis_server.url}
    assert run(env, "seed-demo").returncode == 0
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [CMP, "serve", "--port", str(port), "--workers", "2"],
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}/api/v1/sites/demo/config"

        def up() -> bool:
            with urllib.request.urlopen(url, timeout=2) as resp:
                return resp.status == 200

        started = time.monotonic()
        wait_until(up, timeout=30)
        assert time.monotonic() - started < 30
        with urllib.request.urlopen(url, timeout=5) as resp:
            assert json.load(resp)["site"] == "demo"
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        log.close()
