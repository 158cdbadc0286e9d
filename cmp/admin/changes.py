"""What changed between two snapshots of a site (policy versions, or a version and the live
configuration), and whether visitors should be asked again because of it.

A snapshot is :func:`cmp.siteconfig.snapshot`'s dict: ``{"site", "categories",
"recipients"}``. Each change is a small dict the changelog page renders:
``{"area", "key", "kind", "fields"}`` with kind ``added``, ``removed``, ``changed`` or
``reordered``.
"""

from __future__ import annotations

from typing import Any

from cmp.decisions import MATERIAL_FIELDS
from cmp.model import Recipient

Change = dict[str, Any]

#: Site settings that are not part of what a visitor is shown.
_SITE_IGNORED = {"policy_version", "texts"}
#: Recipient fields a visitor consented to (Art. 31 and the 外部送信 notice): a change asks
#: again. The same fields the provision rule compares between versions, plus the country
#: information, so that the console never lets live what the checks would treat as changed.
#: The Art. 28 route and an exemption change what the notice and the records say, so they
#: go live with a new version too (issue 11: an exemption is a material change).
RECONSENT_RECIPIENT_FIELDS = {
    *MATERIAL_FIELDS,
    "country",
    "foreign",
    "foreign_route",
    "country_code",
    "system_basis",
    "exemption",
    "consent_method",
    "receives_personal_data",
    "joint_user",
}


def normal_recipient(item: dict[str, Any]) -> dict[str, Any]:
    """A recipient dict with every field, defaults filled in: a snapshot written before a
    field existed compares equal to the live recipient that has the default."""
    try:
        return Recipient.from_dict(item).to_dict()
    except TypeError:
        return item


RECONSENT_CATEGORY_FIELDS = {"gcm", "required"}


def _differing(old: dict[str, Any], new: dict[str, Any], ignored: set[str]) -> list[str]:
    return sorted(k for k in (old.keys() | new.keys()) - ignored if old.get(k) != new.get(k))


def _listed(area: str, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[Change]:
    before = {item["key"]: item for item in old}
    after = {item["key"]: item for item in new}
    out: list[Change] = []
    for key, item in after.items():
        if key not in before:
            out.append({"area": area, "key": key, "kind": "added", "fields": []})
        else:
            fields = _differing(before[key], item, set())
            if fields:
                out.append({"area": area, "key": key, "kind": "changed", "fields": fields})
    for key in before:
        if key not in after:
            out.append({"area": area, "key": key, "kind": "removed", "fields": []})
    common_old = [k for k in before if k in after]
    common_new = [k for k in after if k in before]
    if common_old != common_new:
        out.append({"area": area, "key": "", "kind": "reordered", "fields": []})
    return out


def diff(old: dict[str, Any] | None, new: dict[str, Any]) -> list[Change]:
    """Return the changes from snapshot ``old`` (None: nothing before) to ``new``."""
    old = old or {"site": {}, "categories": [], "recipients": []}
    out: list[Change] = []
    old_site, new_site = old.get("site") or {}, new.get("site") or {}
    fields = _differing(old_site, new_site, _SITE_IGNORED)
    if fields and old_site:
        out.append(
            {"area": "site", "key": new_site.get("key", ""), "kind": "changed", "fields": fields}
        )
    old_texts, new_texts = old_site.get("texts") or {}, new_site.get("texts") or {}
    for lang in sorted(old_texts.keys() | new_texts.keys()):
        keys = _differing(old_texts.get(lang) or {}, new_texts.get(lang) or {}, set())
        if keys:
            out.append({"area": "texts", "key": lang, "kind": "changed", "fields": keys})
    out += _listed("categories", old.get("categories") or [], new.get("categories") or [])
    out += _listed(
        "recipients",
        [normal_recipient(r) for r in old.get("recipients") or []],
        [normal_recipient(r) for r in new.get("recipients") or []],
    )
    return out


def needs_reconsent(changes: list[Change]) -> bool:
    """True when a change alters what visitors agreed to: a new category or recipient, or a
    recipient's information, purposes, country or linking."""
    for change in changes:
        if change["area"] not in ("categories", "recipients"):
            continue
        if change["kind"] == "added":
            return True
        watched = (
            RECONSENT_RECIPIENT_FIELDS
            if change["area"] == "recipients"
            else RECONSENT_CATEGORY_FIELDS
        )
        if change["kind"] == "changed" and watched & set(change["fields"]):
            return True
    return False
