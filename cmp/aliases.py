"""Pure rules for aliases: who may claim one, and what a check through one may answer.

An alias (a site cookie such as ``_ga``, a DMP id, IDFA/AAID) reaches cmp two ways:

- ``banner``: a value sent with an unauthenticated banner decision. Anyone can send any
  value, so the claim is the browser's word, not proof.
- ``api``: linked with the keyed ``POST /aliases`` by the operator's backend, which saw cmp's
  signed cookie and the alias in one first-party request.

A banner claim may only ever narrow what the alias resolves to: its visitor's refusals and
opt-outs apply through it, but it never answers ``allowed`` (:func:`narrow`). Only an ``api``
link can allow. The storage contract keeps the provenance with the link
(:class:`cmp.storage.base.AliasLink`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

#: Provenance of a link: claimed by a banner decision, or linked through the keyed API.
BANNER, API = "banner", "api"
ORIGINS = (BANNER, API)
#: The denial a check by a banner-claimed alias gives where the visitor would be allowed.
ALIAS_UNVERIFIED = "alias_unverified"
#: At most this many aliases are taken from one banner decision (the rest are left out).
MAX_PER_DECISION = 20

_VALUE = re.compile(r"^[\x21-\x7e]{1,256}$")


def narrow(verdict: str | None, origin: str) -> str | None:
    """Return the verdict a check by an alias of ``origin`` gives for its visitor's
    ``verdict`` (None: allowed). A refusal passes through whatever the provenance; an
    ``allowed`` stands only for an alias linked through the keyed API."""
    if verdict is None and origin != API:
        return ALIAS_UNVERIFIED
    return verdict


def banner_aliases(
    items: Any, alias_cookies: Iterable[str]
) -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    """Split a banner decision's ``aliases`` into ``(kept, ignored)``.

    A decision is never refused for its aliases (the visitor's choice matters more than a
    cookie value): what is not a ``cookie:<name>`` alias of one of ``alias_cookies`` with a
    value of 1-256 printable ASCII characters, or comes after the first
    :data:`MAX_PER_DECISION`, is left out and listed in ``ignored`` as
    ``{"index", "reason"}`` (plus ``type`` when it is a short string).
    """
    if items is None:
        return [], []
    if not isinstance(items, list):
        return [], [{"index": None, "reason": "aliases must be a list"}]
    allowed = set(alias_cookies)
    kept: list[tuple[str, str]] = []
    ignored: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        reason = _problem(item, allowed)
        if reason is None and (item["type"], item["value"]) in kept:
            continue  # sent twice: claimed once
        if reason is None and len(kept) >= MAX_PER_DECISION:
            reason = f"more than {MAX_PER_DECISION} aliases"
        if reason is not None:
            entry: dict[str, Any] = {"index": index, "reason": reason}
            kind = item.get("type") if isinstance(item, dict) else None
            if isinstance(kind, str) and len(kind) <= 80 and kind.isprintable():
                entry["type"] = kind
            ignored.append(entry)
            continue
        kept.append((item["type"], item["value"]))
    return kept, ignored


def _problem(item: Any, allowed: set[str]) -> str | None:
    if not isinstance(item, dict):
        return "an alias is {type, value}"
    kind, value = item.get("type"), item.get("value")
    if not isinstance(kind, str) or not kind.startswith("cookie:"):
        return "banner aliases are of type cookie:<name>"
    if kind.removeprefix("cookie:") not in allowed:
        return "not an alias cookie of this site"
    if not isinstance(value, str) or not _VALUE.match(value):
        return "the value must be 1-256 printable ASCII characters"
    return None
