"""Helpers every editor shares: finding the site, ordered lists, per-language field values."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

from flask import abort

from cmp import context
from cmp.model import Site


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


def required_langs(site: Site) -> list[str]:
    """Languages whose texts an editor must fill in: Japanese always, English if offered."""
    return ["ja"] + (["en"] if "en" in site.languages else [])
