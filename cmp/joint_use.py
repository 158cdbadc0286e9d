"""共同利用 (joint use, APPI Art. 27(5)(iii)) and how it meets Art. 31.

A site may publish that data is used jointly within a group. ``Site.joint_use`` holds what
the person must be told beforehand::

    {"users": ["株式会社A", ...],                  # the joint users
     "scope": {"ja", "en"},                        # the scope of joint users
     "items": {"ja": [...], "en": [...]},          # the items used jointly, specifically
     "purpose": {"ja", "en"},                      # the purpose of the joint users
     "responsible": {"name", "address", "representative"}}  # who is responsible

For personal data the joint users are not third parties. For 個人関連情報 there is no
joint-use exception: a group company that links PRI to personal data it holds still needs
the person's Art. 31 consent. So cmp shows the joint use (notice page, banner config) and
still answers the Art. 31 question for every recipient; the record says which applied.

A recipient is a joint user only where the declaration lists it (:func:`declared`): its
``joint_user`` flag alone never makes a record or the notice call it one. The items are
checked in every language the declaration gives. A change of the declaration changes what
the person was told beforehand, so it goes live with a new policy version
(:func:`changed_since_published`), as recipient changes do.
"""

from __future__ import annotations

from typing import Any

from cmp import items as items_rule
from cmp.model import Recipient, Site

RESPONSIBLE_PARTS = ("name", "address", "representative")


def problems(joint: dict[str, Any]) -> list[str]:
    """Return what a joint-use declaration lacks (message keys); [] when complete or empty."""
    if not joint:
        return []
    out = []
    if not joint.get("users"):
        out.append("users")
    for part in ("scope", "purpose"):
        if not (joint.get(part) or {}).get("ja"):
            out.append(part)
    listed = joint.get("items") or {}
    if not listed.get("ja") or any(
        items_rule.first_vague(values or []) is not None for values in listed.values()
    ):
        out.append("items")
    responsible = joint.get("responsible") or {}
    out += [f"responsible_{p}" for p in RESPONSIBLE_PARTS if not responsible.get(p)]
    return out


def view(site: Site, lang: str) -> dict[str, Any] | None:
    """The joint use as the notice page and the banner config show it, or None."""
    joint = site.joint_use
    if not joint or problems(joint):
        return None

    def pick(values: dict[str, Any]) -> Any:
        return values.get(lang) or values.get("ja")

    return {
        "users": list(joint["users"]),
        "scope": pick(joint["scope"]),
        "items": list(pick(joint["items"]) or []),
        "purpose": pick(joint["purpose"]),
        "responsible": dict(joint["responsible"]),
    }


def _name(text: str) -> str:
    """A company name compared loosely: NFKC, no spaces, case folded."""
    return "".join(items_rule.normal(text).split()).casefold()


def declared(site: Site, recipient: Recipient) -> bool:
    """True if ``recipient`` is flagged as a joint user and the site's complete joint-use
    declaration lists it among the joint users (by its name in any language)."""
    return recipient.joint_user and lists(site, recipient.name)


def lists(site: Site, names: dict[str, str]) -> bool:
    """True if the site's complete joint-use declaration lists a company by one of
    ``names`` (its name per language)."""
    if view(site, "ja") is None:
        return False
    users = {_name(user) for user in site.joint_use.get("users", [])}
    return any(_name(name) in users for name in names.values() if name)


def changed_since_published(published: dict[str, Any] | None, joint: dict[str, Any]) -> bool:
    """True if ``joint`` differs from the declaration of the current policy version's
    snapshot (``published``: its site dict, None when there is none)."""
    return ((published or {}).get("joint_use") or {}) != (joint or {})


def record_note(site: Site, recipient: Recipient) -> str:
    """What the record adds for a recipient that is a declared joint user ("" otherwise)."""
    if not declared(site, recipient):
        return ""
    who = site.joint_use["responsible"]["name"]
    if recipient.links_personal_data:
        return (
            f" 提供先は共同利用者（管理責任者: {who}）であるが、個人関連情報の提供には共同利用の"
            "例外がないため、法第31条の同意を確認した。 / The recipient is a joint user"
            f" (responsible: {who}), but joint use is no exception for PRI: Art. 31 consent"
            " was confirmed."
        )
    return (
        f" 提供先は共同利用者（管理責任者: {who}）であり、共同利用として公表した範囲で利用する。"
        f" / The recipient is a joint user (responsible: {who}) within the published joint use."
    )
