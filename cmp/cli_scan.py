"""``cmp scan``: load a site as a new visitor in headless Chromium and check it against the
registry (see docs/scanner.md and :mod:`cmp.scan`).

Exit status: 0 clean, 1 any violation, 2 undeclared, stale or error findings only; a bad
option or site ends with click's usage error or a one-line error (exit 2 as well, before
any page is loaded).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from cmp import clock
from cmp.model import LANGS
from cmp.storage import StorageError

CHROMIUM = "/usr/bin/chromium"


class SetupError(click.ClickException):
    """A scan that could not start (unknown site, no browser): exit 2, never 1, so a CI job
    cannot mistake it for violations found."""

    exit_code = 2


def _write(path: str, text: str) -> None:
    if path == "-":
        click.echo(text)
    else:
        Path(path).write_text(text, encoding="utf-8")


def _progress() -> Any:
    """A tqdm bar on a terminal (none otherwise), fed by the crawl's progress callback.

    A terminal that reports no size (a pty nobody sized: ``script``, some IDE consoles)
    gets 80 columns and 24 rows: tqdm would otherwise hide a bar on a terminal of 0 rows."""
    from tqdm import tqdm

    try:
        sized = os.get_terminal_size(sys.stderr.fileno()).columns > 0
    except (OSError, ValueError):
        sized = False
    bar = tqdm(total=1, unit="page", file=sys.stderr, disable=None, dynamic_ncols=sized,
               ncols=None if sized else 80, nrows=None if sized else 24)  # fmt: skip

    def update(done: int, known: int, url: str) -> None:
        bar.total = max(known, done, 1)
        bar.n = done
        bar.set_postfix_str(url[-60:], refresh=False)
        bar.refresh()

    return bar, update


def _run(
    browser_path: str,
    chromium_args: tuple[str, ...],
    urls: tuple[str, ...],
    labels: Any,
    limits: Any,
    pages: int,
    update: Any,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], set[str], dict[str, str]]:
    """Start Chromium, crawl, close it: the pages, scan-wide errors, cmp's hosts and the
    tool's facts (the browser's version, the User-Agent cmp's API was sent)."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    from cmp.scan.browser import CHROMIUM_ARGS, IGNORE_DEFAULT_ARGS, agent_of
    from cmp.scan.crawl import crawl

    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(
                executable_path=browser_path,
                args=[*CHROMIUM_ARGS, *chromium_args],
                ignore_default_args=IGNORE_DEFAULT_ARGS,
            )
        except PlaywrightError as exc:
            raise SetupError(f"cannot start {browser_path}: {exc}") from exc
        try:
            tool = {"browser": browser.version, "user_agent": agent_of(browser)}
            scanned, errors, cmp_hosts = crawl(
                browser, urls, labels, limits, pages, update, tool["user_agent"]
            )
        finally:
            browser.close()
    return scanned, errors, cmp_hosts, tool


def _outputs(report: dict[str, Any], json_path: str | None, html_path: str | None) -> None:
    """Write the JSON and HTML reports where asked."""
    if json_path:
        _write(json_path, json.dumps(report, ensure_ascii=False, indent=1))
    if html_path:
        from cmp.scan.html import render

        _write(html_path, render(report))


@click.command("scan")
@click.option("--site", required=True, help="the site's key in the registry")
@click.argument("urls", nargs=-1, required=True)
@click.option("--pages", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--json", "json_path", default=None, help="write the JSON report here (- : stdout)")
@click.option("--html", "html_path", default=None, help="write the HTML report here")
@click.option("--browser", "browser_path", default=CHROMIUM, show_default=True)
@click.option("--chromium-arg", "chromium_args", multiple=True, help="extra Chromium flag")
@click.option("--page-timeout", default=20.0, show_default=True, help="seconds per page phase")
@click.option("--max-time", default=900.0, show_default=True, help="seconds for the whole scan")
@click.option("--store/--no-store", default=True, help="keep the report for the admin's スキャン")
@click.option("--lang", default="en", type=click.Choice(LANGS), help="findings' language")
def scan(
    site: str,
    urls: tuple[str, ...],
    pages: int,
    json_path: str | None,
    html_path: str | None,
    browser_path: str,
    chromium_args: tuple[str, ...],
    page_timeout: float,
    max_time: float,
    store: bool,
    lang: str,
) -> None:
    """Scan URL(s) of SITE: before any choice, after 拒否する, after 同意する."""
    try:
        import playwright.sync_api  # noqa: F401 - the scan extra
        import tldextract  # noqa: F401 - the scan extra's other half

        from cmp.scan.browser import Labels, Limits
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise SetupError(f"the scanner needs `pip install cmp[scan]` ({exc})") from exc
    from cmp.cli import load_app
    from cmp.scan import catalogue
    from cmp.scan.declared import registry_of
    from cmp.scan.report import build, line
    from cmp.scan.rules import assess
    from cmp.texts import texts_for

    for url in urls:
        if not url.startswith(("http://", "https://")):
            raise click.BadParameter(f"{url!r} is not an http(s) URL", param_hint="URL")
    for path in (json_path, html_path):
        # A report that cannot be written must fail before the scan, not after it with a
        # traceback (exit 1, which CI would read as violations found).
        if path and path != "-" and not Path(path).resolve().parent.is_dir():
            raise SetupError(f"cannot write {path}: no such directory")
    if not Path(browser_path).exists():
        raise SetupError(f"no browser at {browser_path} (use --browser PATH)")
    try:
        db = load_app().extensions["cmp.store"]
        found = db.get_site(site)
        categories, recipients = db.get_categories(site), db.get_recipients(site)
    except click.ClickException as exc:
        raise SetupError(exc.message) from exc
    except StorageError as exc:
        raise SetupError(f"store unavailable: {exc}") from exc
    if found is None:
        raise SetupError(f"no site '{site}'")
    ja, en = texts_for(found.texts, "ja"), texts_for(found.texts, "en")
    labels = Labels(reject=[ja["reject_all"], en["reject_all"]],
                    accept=[ja["accept_all"], en["accept_all"]])  # fmt: skip
    limits = Limits(page=page_timeout, total=max_time)
    started_at, began = clock.iso(clock.now()), time.monotonic()
    bar, update = _progress()
    try:
        scanned, errors, cmp_hosts, tool = _run(
            browser_path, chromium_args, urls, labels, limits, pages, update
        )
    except (SetupError, KeyboardInterrupt):
        raise
    except Exception as exc:  # a crash mid-scan is exit 2 with a reason, never exit 1
        raise SetupError(f"the scan failed: {type(exc).__name__}: {exc}") from exc
    finally:
        bar.close()
    registry = registry_of(categories, recipients, cmp_hosts)
    findings, notice = assess(scanned, registry, catalogue.load(), errors)
    report = build(site, found.policy_version, urls, started_at, clock.iso(clock.now()),
                   time.monotonic() - began, scanned, findings, tool, notice)  # fmt: skip
    try:
        _outputs(report, json_path, html_path)
    except OSError as exc:
        raise SetupError(f"cannot write the report: {exc}") from exc
    if store:
        from cmp.scan.model import ScanRecord

        try:
            db.put_scan(ScanRecord.of(report))
        except StorageError as exc:
            click.echo(f"warning: report not stored ({exc})", err=True)
    out = sys.stderr if json_path == "-" else sys.stdout
    for f in findings:
        click.echo(line(f, lang), file=out)
    counts = ", ".join(f"{n} {k}" for k, n in report["summary"].items())
    click.echo(f"{len(scanned)} page(s) in {report['seconds']:.1f} s: {counts}", file=out)
    sys.exit(report["exit_status"])
