"""One rule per input: the admin, the API and the CLI accept and refuse the same values.

Table-driven: each row is a value and whether the rule takes it; every front door that reads
that kind of value is asked about every row, for real (the admin form over HTTP with its CSRF
token, the API with a key, the ``cmp`` command in-process through click's runner on the same
SQLite file).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from flask import Flask

from cmp import lookup, rules
from cmp.api.openapi import spec
from cmp.apikeys import issue
from cmp.cli import cli
from cmp.model import LANGS
from tests.conftest import SECRET, make_app
from tests.test_admin_support import Console, sign_in

KEYS = [
    ("shop", True),
    ("shop-2", True),
    ("2shop", True),
    ("a", True),
    ("x" * 63, True),
    ("x" * 64, False),
    ("-shop", False),
    ("Shop", False),
    ("shop_2", False),
    ("shop+2", False),
    ("sh op", False),
    ("ショップ", False),
    ("", False),
]

TIMES = [
    ("2026-01-31", True),
    ("2026-01-31T10:00:00Z", True),
    ("2026-01-31T10:00:00+09:00", True),
    ("2026-01-31T10:00:00", True),
    ("2026-01-31T10:00:00.250+09:00", True),
    ("2024-02-29", True),
    ("2026-02-29", False),
    ("2026-01-31T10:00", False),
    ("20260131", False),
    ("2026-01-31 10:00:00", False),
    ("2026-01-31\n", False),
    ("1970-01-01", True),
    ("2200-12-31", True),
    ("1969-12-31", False),
    ("2201-01-01", False),
    ("9999-12-31T23:59:59-23:59", False),
    ("2026-13-01", False),
    ("２０２６-01-31", False),
    ("yesterday", False),
]

LANG_VALUES = [(lang, True) for lang in LANGS] + [("fr", False), ("JA", False), ("", False)]


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    application = make_app(f"sqlite:///{tmp_path / 'cmp.sqlite3'}")
    yield application
    application.extensions["cmp.store"].close()


@pytest.fixture
def cmp_cli(tmp_path: Path):
    """Run ``cmp ARGS`` in-process on a store of its own (demo seeded); return the exit code
    (0 done, 2 a refused parameter; anything else fails the test)."""
    runner = CliRunner()
    env = {
        "CMP_STORE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "CMP_SECRET_KEY": SECRET,
        "CMP_INSTANCE_PATH": str(tmp_path / "instance"),
        "CMP_ENV": None,
    }

    def run(*args: str) -> int:
        result = runner.invoke(cli, list(args), env=env, catch_exceptions=False)
        assert result.exit_code in (0, 2), result.output
        return result.exit_code

    assert run("seed-demo") == 0
    return run


def test_the_rules_themselves() -> None:
    assert [rules.is_key(value) for value, _ in KEYS] == [ok for _, ok in KEYS]
    # Whole values only (a pattern's ``$`` would also take a trailing newline).
    assert not rules.is_key("shop\n") and not lookup.parse("k" * 16, "demo", "lk.a\n." + "A" * 48)
    for value, ok in TIMES:
        try:
            rules.parse_time(value)
        except rules.BadTime:
            assert not ok, value
        else:
            assert ok, value


@pytest.mark.parametrize(("key", "ok"), KEYS)
def test_site_keys(app: Flask, cmp_cli, key: str, ok: bool) -> None:
    console: Console = sign_in(app, "admin")
    form = {"key": key, "name": "Shop", "origins": "https://www.example.jp"}
    form |= {"consent_lifetime_days": "180"}
    admin = console.post("/admin/sites/new", form).status_code
    assert admin == (303 if ok else 422), key
    assert (cmp_cli("create-site", "--", key) == 0) == ok, key
    # The API's document declares the same rule for the site in every path.
    site_schema = spec()["paths"]["/api/v1/sites/{site}/config"]["get"]["parameters"][0]
    valid = jsonschema.Draft202012Validator(site_schema["schema"]).is_valid(key)
    assert valid == ok, key


@pytest.mark.parametrize(("value", "ok"), TIMES)
def test_times(app: Flask, cmp_cli, value: str, ok: bool) -> None:
    key = issue(app.extensions["cmp.store"], "demo", ["read"])[1]
    client = app.test_client()
    auth = {"Authorization": f"Bearer {key}"}
    for name in ("from", "to"):
        status = client.get(
            "/api/v1/sites/demo/provision-records", query_string={name: value}, headers=auth
        ).status_code
        assert status == (200 if ok else 422), (name, value, status)
    status = client.get(
        "/api/v1/sites/demo/received-provisions", query_string={"from": value}, headers=auth
    ).status_code
    assert status == (200 if ok else 422), value
    assert (cmp_cli("purge", "--now", value) == 0) == ok, value
    assert (cmp_cli("export-records", "--site", "demo", "--from", value, "-o", "-") == 0) == ok
    # The document declares the same form. Left to the server: which years have a 29
    # February; and python-jsonschema's ``$`` takes a trailing newline (ECMA's does not).
    schema = spec()["components"]["schemas"]["ProvisionCheck"]["properties"]["provided_from"]
    declared = jsonschema.Draft202012Validator(schema).is_valid(value)
    assert declared == ok or value in ("2026-02-29", "2026-01-31\n"), value


@pytest.mark.parametrize(("lang", "ok"), LANG_VALUES)
def test_langs(app: Flask, cmp_cli, lang: str, ok: bool) -> None:
    key = issue(app.extensions["cmp.store"], "demo", ["read"])[1]
    auth = {"Authorization": f"Bearer {key}"}
    client = app.test_client()
    for path in ("provision-records", "received-provisions"):
        status = client.get(
            f"/api/v1/sites/demo/{path}",
            query_string={"format": "csv", "lang": lang},
            headers=auth,
        ).status_code
        assert status == (200 if ok else 422), (path, lang)
    exported = cmp_cli("export-records", "--site", "demo", "--lang", lang, "-o", "-")
    assert (exported == 0) == ok, lang


def test_the_key_rule_is_the_lookup_scope_rule() -> None:
    for key, ok in KEYS:
        assert bool(re.fullmatch(lookup.PATTERN, f"lk.{key}.{'A' * 48}")) == ok, key
