"""Running ``cmp scan`` against a fixture shop: the store, a real ``cmp serve``, the shop's
server and the CLI with the shop's Chromium flags (tests/test_scan*.py)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cmp.scan import catalogue
from cmp.storage import Storage, open_store
from tests.serving import CMP, SECRET, Serve, serve

#: The report's JSON Schema (``cmp-scan/1``), which every report a test reads must meet.
SCHEMA = json.loads((Path(catalogue.__file__).with_name("schema.json")).read_text())


@dataclass
class Shop:
    """The running fixture: store URL, cmp server, shop server, a temp folder, the site."""

    url: str
    tmp: Path
    cmp: Serve
    server: Any  # the fixture's server: ``chromium_args(cmp_port)`` and ``stop()``
    site: str
    rules: str = ""  # more --host-resolver-rules, e.g. a host mapped to a closed port

    def scan(
        self, *args: str, timeout: float = 300, stderr: int | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run ``cmp scan --site SITE ARGS`` with the fixture's Chromium flags (``stderr``: a
        file descriptor for it, e.g. a terminal's; captured by default)."""
        env = {**os.environ, "CMP_STORE_URL": self.url, "CMP_SECRET_KEY": SECRET,
               "CMP_INSTANCE_PATH": str(self.tmp / "instance")}  # fmt: skip
        env.pop("CMP_ENV", None)
        chromium = self.server.chromium_args(self.cmp.port)
        if self.rules:
            chromium[0] += ", " + self.rules
        flags = [a for f in chromium for a in ("--chromium-arg", f)]
        cmd = [CMP, "scan", "--site", self.site, *args, *flags]
        err = subprocess.PIPE if stderr is None else stderr
        return subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=err, text=True,
                              timeout=timeout)  # fmt: skip


def running_shop(
    tmp: Path, site: str, register: Callable[[Storage], None], start: Callable[[], Any]
) -> Iterator[Shop]:
    """A module fixture's body: register the site in a fresh SQLite store, start ``cmp
    serve`` and the shop's server, yield the :class:`Shop`, stop both."""
    url = f"sqlite:///{tmp / 'cmp.sqlite3'}"
    store = open_store(url)
    register(store)
    store.close()
    cmp_server = serve(url, tmp, workers=1)
    server = start()
    try:
        yield Shop(url, tmp, cmp_server, server, site)
    finally:
        server.stop()
        cmp_server.stop()


def about(f: dict[str, Any]) -> Any:
    """What a finding is about: its host, cookie name, storage key, owner or error code."""
    d = f["detail"]
    return d.get("host") or d.get("name") or d.get("key") or d.get("owner") or d.get("code")


def find(report: dict[str, Any], kind: str, phase: str | None, subject: str) -> dict[str, Any]:
    """The finding of ``kind`` in ``phase`` about ``subject``; fails listing what is there."""
    for f in report["findings"]:
        if (f["kind"], f["phase"], about(f)) == (kind, phase, subject):
            return f
    there = [(f["kind"], f["phase"], about(f)) for f in report["findings"]]
    raise AssertionError(f"no {kind} {phase} {subject}: {there}")


def page_of(report: dict[str, Any], url: str) -> dict[str, Any]:
    """The report's page scanned from ``url``."""
    return next(p for p in report["pages"] if p["url"] == url)
