"""Settings layers: defaults, instance/config.py, CMP_* environment, test config."""

from __future__ import annotations

from pathlib import Path

import pytest

from cmp import create_app
from cmp.config import ConfigError


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "instance"
    folder.mkdir()
    monkeypatch.setenv("CMP_INSTANCE_PATH", str(folder))
    for name in ("CMP_SECRET_KEY", "CMP_STORE_URL", "CMP_ENV", "CMP_RATE_LIMIT"):
        monkeypatch.delenv(name, raising=False)
    return folder


def test_layers_in_order(instance: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (instance / "config.py").write_text(
        "SECRET_KEY = 'from-instance-file-0123456789'\nRATE_LIMIT = '5/second'\n"
    )
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-instance-file-0123456789"
    assert app.config["RATE_LIMIT"] == "5/second"
    assert app.config["STORE_URL"] == f"sqlite:///{instance / 'cmp.sqlite3'}"
    app.extensions["cmp.store"].close()

    monkeypatch.setenv("CMP_RATE_LIMIT", "7/minute")
    monkeypatch.setenv("CMP_CONFIG_CACHE_SECONDS", "2.5")
    app = create_app()
    assert app.config["RATE_LIMIT"] == "7/minute"
    assert app.config["CONFIG_CACHE_SECONDS"] == 2.5
    app.extensions["cmp.store"].close()

    app = create_app({"RATE_LIMIT": "off"})
    assert app.config["RATE_LIMIT"] == "off"
    app.extensions["cmp.store"].close()


@pytest.mark.parametrize("limit", ["10/second;100/day", "60 per minute", "5/2 hours"])
def test_every_limit_flask_limiter_reads_is_accepted(instance: Path, limit: str) -> None:
    app = create_app({"RATE_LIMIT": limit, "SECRET_KEY": "x" * 32})
    assert app.config["RATE_LIMIT"] == limit
    app.extensions["cmp.store"].close()


def test_secret_required_in_production_only(
    instance: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigError, match="CMP_SECRET_KEY"):
        create_app()
    monkeypatch.setenv("CMP_ENV", "development")
    app = create_app()
    assert app.config["SECRET_KEY"]
    app.extensions["cmp.store"].close()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CMP_ENV", "staging"),
        ("CMP_PROVISION_RETENTION_DAYS", "-1"),
        ("CMP_PROVISION_MAX_IDS", "many"),
        ("CMP_RATE_LIMIT", "10 per fortnight"),
    ],
)
def test_bad_values_name_the_setting(
    instance: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv("CMP_SECRET_KEY", "a-long-enough-secret-key")
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        create_app()


def test_admin_sign_in_is_limited_per_ip(tmp_path: Path) -> None:
    from tests.conftest import make_app

    app = make_app(
        f"sqlite:///{tmp_path / 'l.sqlite3'}",
        RATE_LIMIT="60/minute",
        ADMIN_LOGIN_LIMIT="3/minute",
        WTF_CSRF_ENABLED=False,
    )
    client = app.test_client()
    form = {"username": "nobody", "password": "wrong-password"}
    codes = [client.post("/admin/login", data=form).status_code for _ in range(4)]
    assert codes[:3] == [200, 200, 200] and codes[3] == 429
    assert "試行回数" in client.post("/admin/login", data=form).get_data(as_text=True)
    app.extensions["cmp.store"].close()
