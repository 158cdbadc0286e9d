"""The recipient form's scanner declarations: hosts, cookies and storage keys, one a line.

A host is a name (``connect.facebook.net``), optionally ``*.`` in front and a path prefix
after it (``www.facebook.com/tr``); it covers its subdomains. Cookie and storage names may
use ``*`` (``_ga_*``). At most 100 of each.
"""

from __future__ import annotations

import re
from typing import Any

from cmp.admin import validation as v
from cmp.model import Recipient

FIELDS = ("hosts", "cookies", "storage")
_HOST = re.compile(
    r"^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(/\S*)?$"
)
_NAME = re.compile(r"^[^\s;,=\"]{1,200}$")
LIMIT = 100


def initial(r: Recipient) -> dict[str, Any]:
    """The three textareas' values for an existing recipient."""
    return {name: "\n".join(getattr(r, name)) for name in FIELDS}


def _hosts(value: str | None) -> list[str]:
    found = [line.lower() for line in v.lines(value)]
    if len(found) > LIMIT:
        raise v.Invalid("err_too_many", n=LIMIT)
    for line in found:
        if len(line) > 300 or not _HOST.match(line):
            raise v.Invalid("err_scan_host", value=line)
    return list(dict.fromkeys(found))


def _names(value: str | None) -> list[str]:
    found = v.lines(value)
    if len(found) > LIMIT:
        raise v.Invalid("err_too_many", n=LIMIT)
    for line in found:
        if not _NAME.match(line):
            raise v.Invalid("err_scan_name", value=line)
    return list(dict.fromkeys(found))


def acceptable(seen: dict[str, list[str]]) -> dict[str, list[str]]:
    """The declarations among ``seen`` (``hosts``, ``cookies``, ``storage``: what a scan
    observed) that the editor would accept, at most :data:`LIMIT` of each: a name a page
    chose is declared only if an operator could have typed it."""
    hosts = [h for h in seen.get("hosts", []) if len(h) <= 300 and _HOST.match(h)]
    names = {f: [n for n in seen.get(f, []) if _NAME.match(n)] for f in ("cookies", "storage")}
    return {"hosts": hosts[:LIMIT], **{f: n[:LIMIT] for f, n in names.items()}}


def clean(form: Any) -> dict[str, list[str]]:
    """The declarations of a submitted recipient form (errors attached to its fields)."""
    return {
        "hosts": form.check(form.hosts, _hosts) or [],
        "cookies": form.check(form.cookies, _names) or [],
        "storage": form.check(form.storage, _names) or [],
    }
