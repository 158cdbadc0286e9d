"""The ``cmp`` command: serve, seed the demo, create sites, API keys and admin users.

Every command reads ``CMP_STORE_URL`` and ``CMP_SECRET_KEY`` (or instance/config.py)
through :func:`cmp.create_app`; a bad setting or an unreachable store ends the command
with one line naming it and exit status 2.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable
from typing import TypeVar

import click
from flask import Flask

from cmp import rules
from cmp.config import ConfigError
from cmp.model import LANGS, ROLES, SCOPES, Site
from cmp.storage import StorageError

T = TypeVar("T")


def load_app() -> Flask:
    """Create the app, turning start-up errors into one-line CLI errors; its store is closed
    when the command ends."""
    from cmp import create_app

    try:
        app = create_app()
    except (ConfigError, StorageError) as exc:
        raise click.ClickException(str(exc)) from exc
    # The store's connections close with the command, not whenever the process exits (the
    # commands also run in-process: tests, and the embedding of `cli` in other tools).
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.call_on_close(app.extensions["cmp.store"].close)
    return app


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cmp")
def cli() -> None:
    """cmp: consent management for cookies and identifiers."""


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--threads",
    default=8,
    show_default=True,
    type=click.IntRange(1, 256),
    help="threads per worker (each serves one request at a time)",
)
@click.option("--timeout", default=30, show_default=True, type=int, help="worker timeout (s)")
def serve(host: str, port: int, workers: int, threads: int, timeout: int) -> None:
    """Serve cmp with gunicorn: workers with threads; slow clients cost no thread."""
    from cmp import serve as serving

    # Fail here, once, with a clear line, rather than in every forked worker.
    load_app().extensions["cmp.store"].close()
    click.echo(
        f"cmp serving on http://{host}:{port} with {workers} worker(s) x {threads} thread(s)"
    )
    serving.run(host, port, workers, threads, timeout)


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
    from cmp.admin import validation
    from cmp.seed import demo_categories
    from cmp.siteconfig import publish_policy

    if not rules.is_key(key):
        raise click.BadParameter(rules.KEY_HELP, param_hint="KEY")
    # The admin's own rules (cmp.admin.validation), so both doors take the same values.
    origins = tuple(_checked(validation.origins, "\n".join(origins), "--origin"))
    privacy_policy = _checked(validation.http_url, privacy_policy, "--privacy-policy")
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


# -- records: export and purge (issue 5) -----------------------------------------------


def _checked(check: Callable[[str], T], value: str, hint: str) -> T:
    """``check(value)`` by an admin-form rule, its refusal in the console's English words."""
    from cmp.admin import validation
    from cmp.admin.messages import MESSAGES

    try:
        return check(value)
    except validation.Invalid as exc:
        raise click.BadParameter(
            MESSAGES[exc.key][1].format(**exc.params), param_hint=hint
        ) from exc


def _time_option(value: str | None, name: str) -> str:
    try:
        return rules.parse_time(value)
    except rules.BadTime as exc:
        raise click.BadParameter(f"{exc}: {rules.TIME_HELP}", param_hint=name) from exc


@cli.command("export-records")
@click.option("--site", required=True)
@click.option("--from", "start", default=None, help="first day or time (inclusive)")
@click.option("--to", "end", default=None, help="last day or time (exclusive)")
@click.option("--recipient", default="", help="only records for this recipient key")
@click.option("--format", "fmt", default="csv", type=click.Choice(["csv", "jsonl"]))
@click.option("--lang", default="ja", type=click.Choice(LANGS), help="CSV headers")
@click.option("--ids/--no-ids", default=False, help="include every allowed id (lookup-only)")
@click.option("--received", is_flag=True, help="export received provisions (Art. 30)")
@click.option("--output", "-o", default="-", type=click.Path(dir_okay=False, allow_dash=True))
def export_records(
    site: str,
    start: str | None,
    end: str | None,
    recipient: str,
    fmt: str,
    lang: str,
    ids: bool,
    received: bool,
    output: str,
) -> None:
    """Export confirmation records (確認記録) as CSV or JSONL, with a progress bar."""
    import json

    from tqdm import tqdm

    from cmp import records
    from cmp.lookup import Namer

    app = load_app()
    store = app.extensions["cmp.store"]
    if store.get_site(site) is None:
        raise click.ClickException(f"no site '{site}'")
    first, last = _time_option(start, "--from"), _time_option(end, "--to")
    lookup_key = app.config.get("LOOKUP_SECRET") or app.config["SECRET_KEY"]
    sign = Namer(lookup_key, site, app.config.get("LOOKUP_ID_SCOPE") != "site")
    if received:
        found = store.query_received_provisions(site, start=first, end=last)
        bar = tqdm(found, unit="record", desc="received", file=sys.stderr)
        if fmt == "jsonl":
            lines = (json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in bar)
        else:
            rows = (records.received_row(r, lang) for r in bar)
            lines = records.csv_lines(rows, records.RECEIVED_COLUMNS, lang)
    else:
        total = store.count_provision_records(site, start=first, end=last)
        found = store.iter_provision_records(
            site, start=first, end=last, recipient=recipient, with_ids=ids
        )
        bar = tqdm(found, total=total, unit="record", desc="records", file=sys.stderr)
        if fmt == "jsonl":
            lines = records.jsonl_lines(bar, sign if ids else None)
        elif ids:
            columns = records.COLUMNS + records.VISITOR_COLUMNS
            lines = records.csv_lines(records.visitor_rows(bar, sign, lang), columns, lang)
        else:
            rows = (records.row(r, lang) for r in bar)
            lines = records.csv_lines(rows, records.COLUMNS, lang)
    # A byte-order mark first in a CSV: spreadsheet software then reads Japanese as UTF-8.
    _write_export(lines, output, lang, bom=fmt == "csv")
    bar.close()


def _write_export(lines: Iterable[str], output: str, lang: str, *, bom: bool = False) -> None:
    """Write an export so that it either completes or visibly does not.

    A file is written as ``<output>.partial`` and renamed to ``output`` only once the last
    line is out, so a run that is killed or loses the store never leaves a short file under
    the name asked for; on a store failure the partial file ends with the INCOMPLETE marker
    line and the command exits with status 1.
    """
    from cmp.api.records import INCOMPLETE

    target = output if output == "-" else f"{output}.partial"
    with click.open_file(target, "w", encoding="utf-8-sig" if bom else "utf-8") as out:
        try:
            for line in lines:
                out.write(line)
        except StorageError as exc:
            out.write(f"{INCOMPLETE[lang]}\n")
            where = "" if output == "-" else f"; the part written is in {target}"
            raise click.ClickException(
                f"store stopped answering, export incomplete{where}"
            ) from exc
    if output != "-":
        os.replace(target, output)


@cli.command()
@click.option("--now", default=None, help="purge as of this time (default: now)")
def purge(now: str | None) -> None:
    """Delete confirmation and received-provision records past their retention, nothing else."""
    from cmp import clock

    moment = _time_option(now, "--now") or clock.iso(clock.now())
    store = load_app().extensions["cmp.store"]
    records_removed = store.purge_provision_records(moment)
    received_removed = store.purge_received_provisions(moment)
    click.echo(
        f"purged {records_removed} confirmation record(s) and {received_removed} "
        f"received-provision record(s) retained until before {moment}"
    )


@cli.command("verify-receipts")
@click.option("--site", default=None, help="only visitors with receipts on this site")
def verify_receipts(site: str | None) -> None:
    """Walk every receipt chain; report altered or removed receipts (exit 1 if any)."""
    from tqdm import tqdm

    from cmp import ids
    from cmp.verify import verify_store

    app = load_app()
    store = app.extensions["cmp.store"]
    if site is not None and store.get_site(site) is None:
        raise click.ClickException(f"no site '{site}'")
    # The bar goes to stderr and only on a terminal: the findings on stdout stay parseable.
    with tqdm(desc="visitors", unit=" visitors", disable=None, leave=False) as bar:
        try:
            report = verify_store(store, site, progress=bar.update)
        except StorageError as exc:
            raise click.ClickException(f"store stopped answering, walk incomplete: {exc}") from exc
    secret = app.config["SECRET_KEY"]
    for f in report.findings:
        # The signed id is the one the lookup API and the operator's logs know.
        click.echo(f"{f.site}\t{ids.sign(secret, f.visitor_id)}\t{f.problem}")
    click.echo(
        f"checked {report.visitors} visitors, {report.receipts} receipts: "
        f"{len(report.findings)} problem(s)"
    )
    if report.findings:
        raise SystemExit(1)


# `cmp scan` (the compliance scanner) lives in its own module.
from cmp.cli_scan import scan as _scan  # noqa: E402

cli.add_command(_scan)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="cmp")
