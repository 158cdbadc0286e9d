"""The audit log: who changed what, when, with the state before and after.

Every admin change goes through :func:`commit` after it is stored: one
:class:`~cmp.model.AuditEntry` and a cleared config cache, so the banner sees the change at
once. Sign-ins and lock-outs are logged as global entries (``site=""``).
"""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, g, render_template, request

from cmp import clock, context
from cmp.admin import bp
from cmp.admin.editing import load_site
from cmp.model import AuditEntry


def record(
    site: str,
    action: str,
    target: str,
    before: Any,
    after: Any,
    *,
    actor: str | None = None,
) -> AuditEntry:
    """Append one audit entry for ``site`` (``""`` for console-wide events)."""
    if actor is None:
        user = g.get("admin_user")
        actor = user.username if user is not None else "?"
    entry = AuditEntry(
        site=site,
        actor=actor,
        action=action,
        target=target,
        created_at=clock.iso(clock.now()),
        before=before,
        after=after,
    )
    context.store().append_audit(entry)
    return entry


def commit(site: str, action: str, target: str, before: Any, after: Any) -> None:
    """After a stored change: audit it and let every config reader see it now."""
    record(site, action, target, before, after)
    current_app.extensions["cmp.config_cache"].clear()


def changed_keys(before: Any, after: Any) -> list[str]:
    """Return the top-level keys whose values differ (all keys when one side is not a dict)."""
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def pretty(value: Any) -> str:
    """Return a value as indented JSON text for the log page (escaped by the template)."""
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)


def _limit() -> int:
    try:
        return max(1, min(int(request.args.get("limit", 200)), 1000))
    except ValueError:
        return 200


@bp.route("/sites/<site>/audit")
def site_audit(site: str) -> str:
    """The site's audit log, newest first."""
    current = load_site(site)
    entries = context.store().list_audit(site, _limit())
    return render_template(
        "admin/audit.html",
        site=current,
        tab="audit",
        entries=entries,
        changed_keys=changed_keys,
        pretty=pretty,
    )


@bp.route("/audit")
def global_audit() -> str:
    """Console-wide events: sign-ins and lock-outs."""
    entries = context.store().list_audit("", _limit())
    return render_template(
        "admin/audit.html", site=None, entries=entries, changed_keys=changed_keys, pretty=pretty
    )
