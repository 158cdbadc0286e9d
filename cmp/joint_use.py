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
    listed = (joint.get("items") or {}).get("ja") or []
    if not listed or items_rule.first_vague(listed) is not None:
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


def record_note(site: Site, recipient: Recipient) -> str:
    """What the record adds for a recipient that is a joint user ("" otherwise)."""
    if not recipient.joint_user or view(site, "ja") is None:
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
