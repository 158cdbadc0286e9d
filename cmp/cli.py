"""The ``cmp`` command: serve, seed the demo, create sites, API keys and admin users.

Every command reads ``CMP_STORE_URL`` and ``CMP_SECRET_KEY`` (or instance/config.py)
through :func:`cmp.create_app`; a bad setting or an unreachable store ends the command
with one line naming it and exit status 2.
"""

from __future__ import annotations

import re
from typing import Any

import click
from flask import Flask

from cmp.config import ConfigError
from cmp.model import ROLES, SCOPES, Site
from cmp.storage import StorageError

_SITE_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def load_app() -> Flask:
    """Create the app, turning start-up errors into one-line CLI errors."""
    from cmp import create_app

    try:
        return create_app()
    except (ConfigError, StorageError) as exc:
        raise click.ClickException(str(exc)) from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cmp")
def cli() -> None:
    """cmp: consent management for cookies and identifiers."""


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option("--timeout", default=30, show_default=True, type=int, help="worker timeout (s)")
def serve(host: str, port: int, workers: int, timeout: int) -> None:
    """Serve cmp with gunicorn (pre-fork workers; each opens its own store connection)."""
    from gunicorn.app.base import BaseApplication

    # Fail here, once, with a clear line, rather than in every forked worker.
    load_app().extensions["cmp.store"].close()

    class _Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("timeout", timeout)
            self.cfg.set("accesslog", None)
            self.cfg.set("graceful_timeout", 10)
            # Several `cmp serve` may share a host (tests, benchmarks): no shared control socket.
            self.cfg.set("control_socket_disable", True)

        def load(self) -> Any:
            from cmp import create_app

            return create_app()

    click.echo(f"cmp serving on http://{host}:{port} with {workers} worker(s)")
    _Server().run()


@cli.command("seed-demo")
@click.option("--origin", "origins", multiple=True, help="allowed origin (repeatable)")
def seed_demo_cmd(origins: tuple[str, ...]) -> None:
    """Create the demo site `demo` if it does not exist (safe to run again)."""
    from cmp.seed import seed_demo

    app = load_app()
    created = seed_demo(app.extensions["cmp.store"], list(origins) or None)
    click.echo("demo site created" if created else "demo site already present")


@cli.command("create-site")
@click.argument("key")
@click.option("--name", default="", help="display name")
@click.option("--origin", "origins", multiple=True, help="allowed origin (repeatable)")
@click.option("--privacy-policy", default="", help="privacy policy URL")
def create_site(key: str, name: str, origins: tuple[str, ...], privacy_policy: str) -> None:
    """Create a site with an essential category and policy version 1."""
    from cmp.seed import demo_categories
    from cmp.siteconfig import publish_policy

    if not _SITE_KEY.match(key):
        raise click.BadParameter("lowercase letters, digits and '-', up to 63", param_hint="KEY")
    for origin in origins:
        if not re.match(r"^https?://[^/\s]+$", origin):
            raise click.BadParameter(
                f"{origin!r} is not like https://example.jp", param_hint="--origin"
            )
    store = load_app().extensions["cmp.store"]
    if store.get_site(key) is not None:
        raise click.ClickException(f"site '{key}' already exists")
    store.put_site(
        Site(key=key, name=name or key, origins=list(origins), privacy_policy_url=privacy_policy)
    )
    store.put_categories(key, [demo_categories()[0]])
    publish_policy(store, key, "初版 / first version", bump=False)
    click.echo(f"site '{key}' created")


@cli.command("create-api-key")
@click.option("--site", required=True)
@click.option("--scope", "scopes", multiple=True, required=True, type=click.Choice(SCOPES))
@click.option("--name", default="")
def create_api_key(site: str, scopes: tuple[str, ...], name: str) -> None:
    """Create an API key; the key itself is printed alone on the last line, once."""
    from cmp.apikeys import issue

    store = load_app().extensions["cmp.store"]
    if store.get_site(site) is None:
        raise click.ClickException(f"no site '{site}'")
    record, plain = issue(store, site, list(scopes), name)
    click.echo(f"created key {record.key_id} for {site} with scopes {', '.join(record.scopes)}")
    click.echo("store it now: it is not shown again")
    click.echo(plain)


@cli.command("create-admin")
@click.argument("username")
@click.option("--password", default=None, help="prompted for when omitted")
@click.option("--role", default="admin", type=click.Choice(ROLES), show_default=True)
def create_admin(username: str, password: str | None, role: str) -> None:
    """Create or reset an admin-console user."""
    from werkzeug.security import generate_password_hash

    from cmp import clock
    from cmp.model import AdminUser

    if not re.match(r"^[A-Za-z0-9_.@-]{1,64}$", username):
        raise click.BadParameter("letters, digits and _.@- only", param_hint="USERNAME")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 10:
        raise click.BadParameter("at least 10 characters", param_hint="--password")
    store = load_app().extensions["cmp.store"]
    store.put_admin(
        AdminUser(
            username=username,
            password_hash=generate_password_hash(password),
            role=role,
            created_at=clock.iso(clock.now()),
        )
    )
    click.echo(f"admin user '{username}' ({role}) saved")


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="cmp")
