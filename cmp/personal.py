"""Identifiers that are personal data: a hashed e-mail address (APPI Art. 2(1)).

A SHA-256 of an e-mail address stays personal data for the operator, who holds the
address, and a recipient that matches it against its own users receives personal data: a
third-party provision under APPI Art. 27 (Art. 28 abroad), recorded under Art. 29 with
the identifiers of the people, not a provision of 個人関連情報 under Art. 31. So a
provision check naming such identifiers takes its own route:

- the recipient must be registered as receiving personal data (``receives_personal_data``,
  a material field: the banner then names it and says what is handed over);
- each person must have consented to that recipient by name on the banner or settings
  under a version that showed it so (cookie or category consent is never enough);
- the check writes its own record (``kind`` ``personal_data``), listing the identifiers of
  the people provided and, among the items, the personal data itself (the hashed e-mail
  address: Rule 20 asks for the items provided); one call does not mix these with cookie
  ids;
- the banner and the notice page list the hashed e-mail among such a recipient's items, so
  the screen where the person consents says what is handed over (APPI Art. 27: the person
  consents to a provision they can see; docs/provision.md, "Which article each field serves").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from cmp.decisions import ProvisionRule
from cmp.model import Recipient

#: Identifier types that are personal data for the operator.
PERSONAL_DATA_TYPES = frozenset({"email_sha256"})
PRI, PERSONAL_DATA = "pri", "personal_data"
#: The verdict for a personal-data identifier when the recipient is not registered for it.
NOT_REGISTERED = "personal_data_not_registered"
#: The personal data handed over, as an item, per identifier type and language.
LABELS: dict[str, dict[str, str]] = {
    "email_sha256": {
        "ja": "メールアドレスのハッシュ値（SHA-256）",
        "en": "Hashed e-mail address (SHA-256)",
    },
}


def _named(listed: Iterable[str]) -> bool:
    """True if an item already names an e-mail address (the operator's own words)."""
    return any("メール" in item or "mail" in item.lower() for item in listed)


def with_personal_items(listed: Sequence[str], lang: str, types: Iterable[str]) -> list[str]:
    """Return ``listed`` with the personal data of ``types`` added where not yet named."""
    out = list(listed)
    for kind in dict.fromkeys(types):
        label = LABELS.get(kind)
        if label and not _named(out):
            out.append(label.get(lang) or label["ja"])
    return out


def shown_items(recipient: Recipient, lang: str) -> list[str]:
    """The items the banner and the notice show for ``recipient``: a recipient that receives
    personal data lists the hashed e-mail, so the consent screen names what is handed over."""
    listed = list(recipient.items.get(lang) or recipient.items.get("ja") or [])
    if not recipient.receives_personal_data:
        return listed
    return with_personal_items(listed, lang, PERSONAL_DATA_TYPES)


def is_label(item: str) -> bool:
    """True if ``item`` is one of the built-in personal-data items (never unknown to a check
    on the personal-data route: the banner showed it)."""
    return any(item in label.values() for label in LABELS.values())


def kind_of(identifiers: Sequence[tuple[str, str]]) -> str | None:
    """Return ``personal_data``, ``pri``, or None when the identifiers mix the two."""
    kinds = {PERSONAL_DATA if t in PERSONAL_DATA_TYPES else PRI for t, _ in identifiers}
    if len(kinds) > 1:
        return None
    return kinds.pop() if kinds else PRI


def rule_recipient(recipient: Recipient) -> Recipient:
    """The recipient as the verdict sees it on the personal-data route: consent by name on
    cmp's own screen is required (no declaration stands in for Art. 27 consent here)."""
    return replace(recipient, links_personal_data=True, consent_method="")


def rule_of(rule: ProvisionRule) -> ProvisionRule:
    """The provision rule on the personal-data route: consent to the recipient by name,
    never a declaration. The rule's versions still come from comparing the registered
    recipient with each published snapshot (comparing :func:`rule_recipient` would find
    every version changed for a recipient registered with a declaration, or not linking)."""
    return replace(rule, links_personal_data=True, by_declaration=False)


def consent_text(recipient: Recipient) -> str:
    """How consent was confirmed for a personal-data provision (Art. 27(1), Rule 20)."""
    return (
        "個人データの第三者提供（法第27条第1項）: 本人が、提供先名と提供する個人データ（ハッシュ化"
        "したメールアドレス等）を表示した画面で、この提供先への提供に同意したことを同意の受領証に"
        "より確認した（Cookieやカテゴリへの同意では提供しない）。 / Third-party provision of"
        " personal data (Art. 27(1)): the person consented to this recipient by name on a screen"
        " naming it and the personal data handed over (such as a hashed e-mail address), as the"
        " consent receipts show; cookie or category consent is never taken for it."
    )
