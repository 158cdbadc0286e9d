"""Helpers every editor shares: finding the site, ordered lists, per-language field values,
and the check that a save does not overwrite what another admin saved meanwhile."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from flask import abort, request

from cmp import context
from cmp.model import Site
from cmp.receipts import canonical

if TYPE_CHECKING:
    from cmp.admin.forms import Editor


class Keyed(Protocol):
    """Anything with a ``key`` (categories, recipients)."""

    key: str

    def to_dict(self) -> dict[str, Any]:
        """The item as a dict (for the audit log)."""
        ...


K = TypeVar("K", bound=Keyed)


def load_site(key: str) -> Site:
    """Return the site or answer 404."""
    site = context.store().get_site(key)
    if site is None:
        abort(404)
    return site


def find(items: Sequence[K], key: str) -> K:
    """Return the item with ``key`` or answer 404."""
    for item in items:
        if item.key == key:
            return item
    abort(404)


def dict_of(items: Sequence[K], key: str | None) -> dict[str, Any] | None:
    """The item with ``key`` as a dict, or None when there is none (deleted meanwhile)."""
    return next((item.to_dict() for item in items if item.key == key), None)


def upserted(
    latest: Sequence[K], made: K, existing: K | None
) -> tuple[list[K], dict[str, Any] | None]:
    """Return ``latest`` with ``made`` added (new) or put in place of its key (edit), and the
    replaced item's dict (None when new), for the audit log."""
    if existing is None:
        return [*latest, made], None
    old = next((item.to_dict() for item in latest if item.key == made.key), None)
    return [made if item.key == made.key else item for item in latest], old


def moved(items: Sequence[K], key: str, direction: str) -> list[K]:
    """Return a copy of ``items`` with ``key`` moved one place ``up`` or ``down``."""
    out = list(items)
    index = next(i for i, item in enumerate(out) if item.key == key)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(out):
        out[index], out[other] = out[other], out[index]
    return out


def reordered(items: Sequence[K], key: str) -> list[K]:
    """Return ``items`` with ``key`` moved one place as the request's ``dir`` field says
    (``up`` or ``down``); 404 for an unknown key, 400 for any other direction."""
    find(items, key)
    direction = request.form.get("dir")
    if direction not in ("up", "down"):
        abort(400)
    return moved(items, key, direction)


def required_langs(site: Site) -> list[str]:
    """Languages whose texts an editor must fill in: Japanese always, English if offered."""
    return ["ja"] + (["en"] if "en" in site.languages else [])


def fingerprint(shown: Any) -> str:
    """A short digest of what an editor page shows (JSON-able), sent back with the form."""
    return hashlib.sha256(canonical(shown).encode()).hexdigest()[:24]


def opened_on(form: Editor, shown: Any) -> None:
    """Remember in the form what the page was opened on (a GET of an edit page)."""
    form.base.data = fingerprint(shown)


def changed_since(form: Editor, latest: Any) -> bool:
    """True, and the form is marked as in conflict, when ``latest`` (the stored value read
    right before saving; None if it was deleted) is not what the form was opened on.

    Two admins editing the same item would otherwise both see "saved", and the one who
    saved first would lose their change without anyone knowing.
    """
    if latest is not None and form.base.data == fingerprint(latest):
        return False
    form.conflict = True
    return True
