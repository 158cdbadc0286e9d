"""``/sites/<site>/external-transmission``: 利用者情報の外部送信について (LAW.md §3).

Generated from the site's recipients, so the notice and the banner never disagree. For each
recipient it lists the information sent (each item specifically), who receives it (the
recipient's name and its service's name), the site's purpose and the recipient's, and the
recipient's policy and opt-out pages; then how a visitor opts out and what that stops.
Japanese by default, ``?lang=en`` in English when the site offers it.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request

from cmp import context
from cmp.model import Category, Recipient, Site
from cmp.siteconfig import recipient_view

bp = Blueprint("notice", __name__)

#: No script at all; styles from cmp's own static folder only.
CSP = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'"

#: The page's own wording; a site's own opt-out text (banner texts) is added below it.
WORDS = {
    "ja": {
        "title": "利用者情報の外部送信について",
        "intro": (
            "「{site}」（以下「当サイト」）では、利用者の端末から外部の事業者へ利用者に関する"
            "情報を送信するタグやプログラムを利用しています。電気通信事業法第27条の12に基づき、"
            "送信される情報、送信先、利用目的を以下のとおり公表します。"
        ),
        "recipient": "送信先の事業者",
        "service": "サービス名",
        "category": "カテゴリ",
        "items": "送信される情報",
        "purpose": "当サイトの利用目的",
        "recipient_purpose": "送信先での利用目的",
        "country": "所在国",
        "system": "当該国の個人情報保護制度",
        "measures": "送信先が講ずる措置",
        "linking": "個人データとの紐付け",
        "linking_yes": "送信先は、受け取った情報を送信先が保有する個人データと紐付けて利用します。"
        "当サイトは、紐付けへの同意を得たうえで提供します。",
        "policy": "プライバシーポリシー",
        "opt_out_page": "オプトアウト",
        "none": "送信先はありません。",
        "exempt_necessary": (
            "サービスの提供に必要な情報の送信です（電気通信事業法の規律の対象外）。"
        ),
        "exempt_first_party": (
            "当サイト自身にのみ送信される識別子です（電気通信事業法の規律の対象外）。"
        ),
        "required": "このカテゴリはサイトの動作に必要なため、停止できません。",
        "opt_out_title": "オプトアウト（送信の停止）の方法",
        "opt_out_how": (
            "当サイトの各ページにある「Cookie設定」から、カテゴリごとに送信を停止できます。"
            "送信先のオプトアウトページからも停止できます。オプトアウトすると、それ以降の"
            "送信・提供は停止されます。すでに送信された情報の取扱いは、各送信先の"
            "プライバシーポリシーをご確認ください。"
        ),
        "privacy_policy": "当サイトのプライバシーポリシー",
        "version": "ポリシーバージョン {version}",
    },
    "en": {
        "title": "External transmission of user information",
        "intro": (
            '"{site}" (this site) uses tags and programs that make your device send '
            "information about you to other companies. As the Telecommunications Business Act "
            "(Art. 27-12) requires, this page lists the information sent, who receives it and "
            "why."
        ),
        "recipient": "Recipient",
        "service": "Service",
        "category": "Category",
        "items": "Information sent",
        "purpose": "Our purpose",
        "recipient_purpose": "Recipient's purpose",
        "country": "Country",
        "system": "Data-protection system of that country",
        "measures": "Measures taken by the recipient",
        "linking": "Linking to personal data",
        "linking_yes": "The recipient links the information it receives to personal data it "
        "holds. We provide it only with your consent to that linking.",
        "policy": "Privacy policy",
        "opt_out_page": "Opt out",
        "none": "There are no recipients.",
        "exempt_necessary": "Information the service needs to work (outside the Act's rules).",
        "exempt_first_party": "An identifier sent back to this site only (outside the Act's "
        "rules).",
        "required": "This category is needed for the site to work and cannot be turned off.",
        "opt_out_title": "How to opt out",
        "opt_out_how": (
            "Use 'Cookie settings' on any page of this site to stop sending per category, or "
            "each recipient's opt-out page. Opting out stops any sending or provision from "
            "then on. For information already sent, see each recipient's privacy policy."
        ),
        "privacy_policy": "Privacy policy of this site",
        "version": "Policy version {version}",
    },
}


def safe_link(url: str) -> str:
    """Return ``url`` if it is http(s), else ``""`` (a stored ``javascript:`` never links)."""
    return url if url.startswith(("https://", "http://")) else ""


def _lang(site: Site) -> str:
    lang = request.args.get("lang", "ja")
    if lang not in ("ja", "en") or lang not in site.languages:
        return "ja"
    return lang


def _name(category: Category | None, key: str, lang: str) -> str:
    if category is None:
        return key
    return category.name.get(lang) or category.name.get("ja") or key


def entries(
    categories: list[Category], recipients: list[Recipient], lang: str
) -> list[dict[str, object]]:
    """The recipients as the notice lists them, each with its category's name."""
    by_key = {c.key: c for c in categories}
    out = []
    for recipient in recipients:
        view = recipient_view(recipient, lang)
        view["category_name"] = _name(by_key.get(recipient.category), recipient.category, lang)
        view["required"] = bool(
            by_key.get(recipient.category) and by_key[recipient.category].required
        )
        view["exemption"] = recipient.exemption
        view["policy_url"] = safe_link(recipient.policy_url)
        view["opt_out_url"] = safe_link(recipient.opt_out_url)
        out.append(view)
    return out


@bp.route("/sites/<site>/external-transmission")
def notice(site: str) -> Response:
    """The external-transmission notice of one site."""
    store = context.store()
    current = store.get_site(site)
    if current is None:
        abort(404)
    lang = _lang(current)
    categories = store.get_categories(site)
    html = render_template(
        "public/notice.html",
        site=current,
        lang=lang,
        words=WORDS[lang],
        own_opt_out=(current.texts.get(lang) or {}).get("opt_out", ""),
        recipients=entries(categories, store.get_recipients(site), lang),
        privacy_policy=safe_link(current.privacy_policy_url),
        languages=[lang_ for lang_ in ("ja", "en") if lang_ in current.languages],
    )
    resp = Response(html, mimetype="text/html")
    resp.headers["Content-Security-Policy"] = CSP
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Cache-Control"] = "public, max-age=60"
    resp.headers["Content-Language"] = lang
    return resp
