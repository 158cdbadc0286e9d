"""Exemptions from the Telecommunications Business Act's notice duty (Art. 27-12): when a
recipient may claim one, and the reason the console shows for it (docs/admin.md).

Exempt is information truly needed for the service (display, a cart, login, security,
load balancing) and an identifier the operator's own pages send back to the operator
only. Analytics and advertising are never exempt, and a recipient that links what it
receives to personal data it holds is a third party using the data for itself, so it
can claim neither. An exemption changes what the notice says, so it is a material change
(cmp.admin.changes): it goes live only with a new policy version.
"""

from __future__ import annotations

from cmp import foreign
from cmp.model import Category, Recipient

NECESSARY, FIRST_PARTY = "necessary", "first_party"
EXEMPTIONS = ("", NECESSARY, FIRST_PARTY)
#: Consent Mode signals that mark a category as advertising (never exempt).
AD_SIGNALS = frozenset({"ad_storage", "ad_user_data", "ad_personalization"})
#: Consent Mode signals that mark a category as analytics (never exempt either).
ANALYTICS_SIGNALS = frozenset({"analytics_storage"})
#: Category keys that are analytics even when no Consent Mode signal is set on them.
ANALYTICS_KEYS = frozenset({"analytics", "statistics", "measurement"})


def _analytics(category: Category) -> bool:
    return bool(ANALYTICS_SIGNALS & set(category.gcm)) or category.key in ANALYTICS_KEYS


def problem(
    exemption: str,
    *,
    links_personal_data: bool,
    category: Category | None,
    operator_itself: bool,
    third_party: bool = False,
) -> str | None:
    """Return the message key saying why ``exemption`` cannot be claimed, or None.

    ``third_party``: the recipient is known to be someone else than the operator (a third
    party abroad on an Art. 28 route, or a joint user): never "sent to this site only"."""
    if not exemption:
        return None
    if exemption not in EXEMPTIONS:
        return "err_choice"
    if links_personal_data:
        return "err_exempt_linking"
    if category is not None and AD_SIGNALS & set(category.gcm):
        return "err_exempt_advertising"
    if category is not None and _analytics(category):
        return "err_exempt_analytics"
    if exemption == NECESSARY and not (category is not None and category.required):
        return "err_exempt_not_required"
    if exemption == FIRST_PARTY and third_party:
        return "err_exempt_third_party"
    if exemption == FIRST_PARTY and not operator_itself:
        return "err_exempt_not_operator"
    return None


def third_party(recipient: Recipient) -> bool:
    """True if the registry shows ``recipient`` is not the operator: a route abroad (a
    外国にある第三者, Art. 28) or a joint user (another company)."""
    abroad = foreign.route(recipient) in (foreign.EQUIVALENT, foreign.SYSTEM, foreign.CONSENT)
    return abroad or recipient.joint_user


def standing(recipient: Recipient, category: Category | None) -> str:
    """The exemption ``recipient`` may still claim under today's rule ("" if none): one
    saved before the rule refused it (an analytics recipient as first party) is not shown
    as exempt. The operator's confirmation of first party was given when it was saved."""
    found = problem(
        recipient.exemption,
        links_personal_data=recipient.links_personal_data,
        category=category,
        operator_itself=True,
        third_party=third_party(recipient),
    )
    return "" if found else recipient.exemption


def reason(recipient: Recipient, category: Category | None, lang: str = "ja") -> str:
    """Return why the recipient's exemption holds, in ``lang`` ("" when it claims none)."""
    name = ""
    if category is not None:
        name = category.name.get(lang) or category.name.get("ja") or category.key
    if recipient.exemption == NECESSARY:
        if lang == "en":
            return (
                f"It belongs to the required category '{name}' and does not link the data to"
                " personal data: the service needs it to work."
            )
        return (
            f"必須カテゴリ「{name}」に属し、個人データと照合しないため、サービスの提供に必要な"
            "送信として扱います。"
        )
    if recipient.exemption == FIRST_PARTY:
        if lang == "en":
            return (
                "The operator confirmed that the recipient is this site's operator itself, and"
                " it does not link the data to personal data held elsewhere."
            )
        return (
            "送信先が当サイトの運営者自身であることを運営者が確認しており、第三者の個人データと"
            "照合されないため、当サイト自身に送信される識別子として扱います。"
        )
    return ""
