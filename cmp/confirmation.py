"""What a confirmation record (Rule 28) says about consent and about a recipient abroad.

Pure: the texts follow from the recipient as registered (and, for a 基準適合体制, from its
latest periodic check), so that each record states truthfully which rule applied:

- consent (Rule 26(1), Rule 28(1)(i)): cmp's own check of consent it obtained on the
  recipient's behalf (代行), the recipient's declaration or pledge (申告・誓約) with the
  document and its date, or the stated reason why Art. 31 consent is not needed;
- abroad (Art. 28 via Art. 31(1)(ii)): in Japan, an equivalent country (Rule 15), a
  基準適合体制 (Rule 16) with its last periodic check (Rule 18), or consent with the
  Rule 17(2) information.
"""

from __future__ import annotations

from typing import Any

from cmp import foreign
from cmp.model import Recipient, TransferCheck

PROXY, DECLARATION = "", "declaration"
CONSENT_METHODS = (PROXY, DECLARATION)
#: Why a recipient that does not link needs no Art. 31 consent: code -> (ja, en).
NO_LINK_BASES: dict[str, tuple[str, str]] = {
    "contract": (
        "提供先との契約で、提供する情報を提供先の個人データと紐付けることを禁止している",
        "the contract with the recipient forbids linking the data to its personal data",
    ),
    "no_personal_data": (
        "提供先は、提供する情報と照合できる個人データを保有していない",
        "the recipient holds no personal data the information could be matched with",
    ),
    "statistics": (
        "提供先は、提供する情報を統計の作成にのみ用い、個人を識別して利用しない",
        "the recipient uses the information only for statistics, not per person",
    ),
    "other": ("", ""),
}
#: The result of a periodic check (Rule 18) as a record states it: code -> (ja, en).
CHECK_RESULTS: dict[str, tuple[str, str]] = {
    "ok": ("適合", "ok"),
    "failed": ("不適合", "failed"),
}


def _ja(values: dict[str, str]) -> str:
    return values.get("ja") or values.get("en") or ""


def no_link_reason(recipient: Recipient) -> tuple[str, str]:
    """Return the stated reason (ja, en) why Art. 31 does not apply, or ``("", "")``."""
    basis = NO_LINK_BASES.get(recipient.no_link_basis)
    note = recipient.no_link_note
    if basis is None:
        return "", ""
    ja, en = basis
    if note:
        ja = f"{ja}（{_ja(note)}）" if ja else _ja(note)
        en = f"{en} ({note.get('en') or _ja(note)})" if en else note.get("en") or _ja(note)
    return ja, en


def no_link_reason_missing(recipient: Recipient) -> bool:
    """True if ``recipient`` does not link yet states no reason why Art. 31 does not apply:
    then nothing may assert that Art. 31 consent is not required."""
    return not recipient.links_personal_data and not no_link_reason(recipient)[0]


def declaration_complete(recipient: Recipient) -> bool:
    """True if a declaration names its document and its date."""
    return bool(recipient.declaration.get("document") and recipient.declaration.get("date"))


def consent_text(recipient: Recipient) -> str:
    """Return how consent was confirmed (Rule 26, Rule 28(1)), in Japanese and English."""
    if recipient.links_personal_data and recipient.consent_method == DECLARATION:
        doc = recipient.declaration.get("document", "")
        when = recipient.declaration.get("date", "")
        return (
            "提供先からの申告・誓約（規則第26条第1項）により、提供先が本人の同意を得ていることを"
            f"確認した（文書: {doc}、{when}付）。カテゴリへの同意とオプトアウトの有無は同意記録に"
            "より確認した。 / Confirmed by the recipient's declaration or pledge (Rule 26(1))"
            f" that it obtained the person's consent (document: {doc}, dated {when}); consent"
            " to the category and the absence of an opt-out were checked against the consent"
            " records."
        )
    if recipient.links_personal_data:
        return (
            "提供先に代わり提供元が本人の同意を取得し（代行）、提供元が保存する同意の受領証"
            "（提供先名・項目・目的を表示した画面での同意操作の記録）により確認した。"
            " / Consent obtained by the provider on the recipient's behalf and confirmed by"
            " the provider's own check of its consent receipts (the visitor acted on a screen"
            " naming the recipient, the items and the purpose)."
        )
    ja, en = no_link_reason(recipient)
    if not ja:
        # No reason stated: not "consent not required" (provision checks refuse it).
        return (
            "法第31条の同意が不要である理由（提供先が個人データとして取得しないこと）が登録されて"
            "いないため、同意の要否は確認されていない。 / No reason is registered why the"
            " recipient would not acquire the data as personal data: whether Art. 31 consent is"
            " needed has not been confirmed."
        )
    return (
        f"法第31条の同意は不要: 提供先は提供する情報を個人データとして取得しない（理由: {ja}）。"
        "カテゴリへの同意とオプトアウトの有無を同意記録により確認した。"
        " / Art. 31 consent not required: the recipient does not acquire the data as personal"
        f" data (reason: {en}); consent to the category and the absence of an opt-out were"
        " checked against the consent records."
    )


#: How a check looks for consent, named without claiming it found any: method -> (ja, en).
METHODS: dict[str, tuple[str, str]] = {
    "proxy": (
        "提供元が提供先に代わり取得した同意（代行）の受領証との照合",
        "the provider's consent receipts for consent obtained on the recipient's behalf",
    ),
    DECLARATION: (
        "提供先の申告・誓約（規則第26条第1項）と同意記録との照合",
        "the recipient's declaration or pledge (Rule 26(1)) and the consent records",
    ),
    "no_link": (
        "カテゴリへの同意とオプトアウトの有無の同意記録との照合",
        "consent to the category and opt-outs in the consent records",
    ),
    "personal_data": (
        "提供先名を表示した画面での同意（法第27条第1項）の受領証との照合",
        "consent receipts of consent to the recipient by name (Art. 27(1))",
    ),
}


def method(recipient: Recipient, personal_data: bool = False) -> str:
    """The key of :data:`METHODS` that a check for ``recipient`` uses."""
    if personal_data:
        return "personal_data"
    if not recipient.links_personal_data:
        return "no_link"
    return DECLARATION if recipient.consent_method == DECLARATION else "proxy"


def _days(first: str, last: str) -> tuple[str, str]:
    """A period of JST days as a record writes it (ja, en)."""
    if first == last:
        return first, first
    return f"{first}〜{last}", f"{first} to {last}"


def stated_consent(
    text: str,
    allowed: int,
    how: str,
    planned: tuple[str, str] | None = None,
    begun: tuple[str, str] | None = None,
) -> str:
    """The record's consent confirmation as the outcome allows it to be stated.

    A check that allowed no one confirmed no consent: the record says nothing is provided
    and names the method ``how`` (a key of :data:`METHODS`) without claiming a result. A
    check made before its period begins (``planned``: first and last JST day) says the
    provision is planned, so that nothing reads as a provision that already happened. A
    check made after its period began (``begun``) says so: Rule 26 asks for confirmation
    before providing, and the record must not read as one made beforehand.
    """
    if allowed == 0:
        ja, en = METHODS.get(how, METHODS["proxy"])
        return (
            f"提供なし: 照会したいずれの者についても本人の同意を確認できなかったため、提供しない"
            f"（照合の方法: {ja}）。 / Nothing provided: consent could be established for none"
            f" of those checked ({en}), so nothing is provided."
        )
    if planned:
        days, days_en = _days(*planned)
        return (
            f"{text} 提供前の確認（提供予定期間: {days}、日本時間）。 / Checked before the"
            f" planned provision ({days_en}, Japan time)."
        )
    if begun:
        days, days_en = _days(*begun)
        return (
            f"{text} 確認は提供期間（{days}、日本時間）の開始後に行った（同意が期間の開始前に与え"
            f"られたことは受領証により確認した）。 / The check was made after the period began"
            f" ({days_en}, Japan time); the receipts show the consents were given before it"
            " began."
        )
    return text


def foreign_text(recipient: Recipient, last_check: TransferCheck | None = None) -> str:
    """Return the foreign-provision confirmation for the record, naming the route taken."""
    route = foreign.route(recipient)
    country = _ja(recipient.country)
    country_en = recipient.country.get("en", country)
    if route == foreign.DOMESTIC:
        return "該当なし（提供先は日本国内にある） / Not applicable (the recipient is in Japan)"
    if route == foreign.EQUIVALENT:
        return (
            f"提供先の所在国（{country}）は、個人情報保護委員会が我が国と同等の水準にあると"
            "認める個人情報保護制度を有する国（規則第15条）であるため、外国にある第三者への"
            "提供に係る本人への情報提供は要しない。 / The recipient's country"
            f" ({country_en}) is one the PPC recognises as having an equivalent system"
            " (Rule 15): no foreign-provision information was required."
        )
    if route == foreign.SYSTEM:
        basis_ja, basis_en = foreign.SYSTEM_BASES[recipient.system_basis]
        if last_check is not None:
            result_ja, result_en = CHECK_RESULTS.get(last_check.result, (last_check.result,) * 2)
            check = (
                f"直近の定期確認（法第28条第3項、規則第18条）: {last_check.checked_on}、"
                f"結果: {result_ja}"
            )
            check_en = (
                f"last periodic check (Art. 28(3), Rule 18): {last_check.checked_on}, {result_en}"
            )
        else:
            check, check_en = "定期確認の記録なし", "no periodic check recorded"
        return (
            f"外国（{country}）にある提供先は、基準適合体制（{basis_ja}）を整備している"
            f"（法第28条第1項、規則第16条）。{check}。 / Recipient abroad ({country_en}) with"
            f" a set-up meeting the standards ({basis_en}; Art. 28(1), Rule 16); {check_en}."
        )
    if route == foreign.CONSENT and recipient.consent_method == DECLARATION:
        return (
            f"外国（{country}）にある提供先: 所在国名、当該国の個人情報保護制度及び提供先の講ずる"
            "措置の情報が本人に提供されたことを、提供先の申告・誓約により確認した。"
            f" / Recipient abroad ({country_en}): the recipient declared that the Rule 17(2)"
            " information was given to the person."
        )
    if route == foreign.CONSENT:
        return (
            f"外国（{country}）にある提供先: 同意取得時に所在国名、当該国の個人情報保護制度及び"
            "提供先の講ずる措置を表示したことを、受領証のポリシー版（表示内容の記録）により確認"
            f"した。 / Recipient abroad ({country_en}): the country, its data-protection"
            " system and the recipient's measures were shown when consent was given, as the"
            " policy version recorded in each consent receipt shows."
        )
    if not foreign.entered(recipient.country):
        return (
            "所在国の登録なし（不明）: 提供先の所在国が登録されていないため、外国にある第三者への"
            "提供に当たるかを確認できない。 / Country not entered (unknown): the recipient's"
            " country is not registered, so whether this is a provision to a third party abroad"
            " cannot be confirmed."
        )
    return (
        f"未確定（所在国「{country}」の外国提供の根拠が登録されていない） / Undetermined"
        f" (no foreign-provision route registered for {country_en})"
    )


def snapshot_extra(recipient: Recipient) -> dict[str, Any]:
    """The record's recipient snapshot fields that say which rules applied."""
    return {
        "foreign_route": foreign.route(recipient),
        "country_code": recipient.country_code,
        "system_basis": recipient.system_basis,
        "consent_method": recipient.consent_method or "proxy",
        "declaration": dict(recipient.declaration),
        "no_link_basis": recipient.no_link_basis,
        "joint_user": recipient.joint_user,
        "receives_personal_data": recipient.receives_personal_data,
        # The registered items per language, aligned: a disclosure in English names them.
        "item_names": {lang: list(values) for lang, values in recipient.items.items()},
    }
