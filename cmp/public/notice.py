"""``/sites/<site>/external-transmission``: 利用者情報の外部送信について (the Telecommunications
Business Act Art. 27-12 notice).

Generated from the site's recipients, so the notice and the banner never disagree. For each
recipient it lists the information sent (each item specifically), who receives it (the
recipient's name and its service's name), the site's purpose and the recipient's, and the
recipient's policy and opt-out pages, which Art. 28 route a recipient abroad takes, joint
use; then how a visitor opts out and what that stops, a glossary (:mod:`cmp.glossary`) and
the version with its publication day (JST).
Japanese by default, ``?lang=en`` in English when the site offers it.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request

from cmp import context, exemptions, foreign, glossary, joint_use, jst
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
        "measures": "提供先が講ずる措置",
        "linking": "あなたが誰かわかる情報との結び付け",
        "linking_yes": "この送信先は提供先です。受け取った情報を、提供先がすでに持っているあなたの"
        "情報（会員の氏名やメールアドレスなど）と結び付けて使います。当サイトは、あなたが"
        "この提供先に同意した場合にだけ情報を渡します。",
        "linking_by_recipient": "この送信先は、受け取った情報をあなたが誰かわかる情報と結び付けて"
        "使います。その同意は、提供先が自ら得ています（提供先の申告により確認しています）。",
        "personal_yes": "当サイトは、あなたのメールアドレスを元に戻せない形（ハッシュ値）に変えて"
        "この提供先に渡し、提供先は自社の会員と照合します。あなたがこの提供先を名指しで"
        "同意した場合にだけ渡します。",
        "route_equivalent": "所在国は、日本と同等の水準の個人情報保護制度があると個人情報保護"
        "委員会が認める国（EEA加盟国・英国）です。",
        "route_system": "提供先は、日本の個人情報保護法と同等の措置を講じる体制（{basis}）を整えて"
        "おり、当サイトは年1回以上その状況を確認しています。",
        "joint_user": "この送信先は、下記の共同利用の共同利用者です。",
        "glossary_title": "このページの言葉",
        "joint_title": "共同利用について",
        "joint_users": "共同して利用する者",
        "joint_scope": "共同して利用する者の範囲",
        "joint_items": "共同して利用する項目",
        "joint_purpose": "利用する者の利用目的",
        "joint_responsible": "管理について責任を有する者",
        "joint_note": "共同利用者が、受け取った情報をあなたが誰かわかる情報と結び付けて使う場合は、"
        "共同利用であっても、その共同利用者ごとにあなたの同意を得ます。",
        "published": "公表日 {day}",
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
        "linking": "Combining with what identifies you",
        "linking_yes": "This recipient combines what it receives with what it already knows "
        "about you (such as your name or e-mail address as its member). We pass information to "
        "it only if you agree to this recipient.",
        "linking_by_recipient": "This recipient combines what it receives with what identifies "
        "you; it obtains your consent itself (it has declared so to us).",
        "personal_yes": "We turn your e-mail address into a one-way hash and pass it to this "
        "recipient, which matches it against its members; only if you agree to it by name.",
        "route_equivalent": "The country has a data-protection system the PPC recognises as "
        "equivalent to Japan's (EEA member states, the United Kingdom).",
        "route_system": "The recipient has a set-up with measures equivalent to Japan's law "
        "({basis}); we check it at least once a year.",
        "joint_user": "This recipient is one of the joint users below.",
        "glossary_title": "Words used on this page",
        "joint_title": "Joint use",
        "joint_users": "Joint users",
        "joint_scope": "Scope of joint users",
        "joint_items": "Items used jointly",
        "joint_purpose": "Purpose of the joint users",
        "joint_responsible": "Party responsible",
        "joint_note": "A joint user that combines the information with what identifies you "
        "still needs your consent to that joint user, joint use or not.",
        "published": "Published on {day}",
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
    categories: list[Category], recipients: list[Recipient], lang: str, site: Site | None = None
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
        view["exemption"] = exemptions.standing(recipient, by_key.get(recipient.category))
        view["route"] = foreign.route(recipient)
        basis = foreign.SYSTEM_BASES.get(recipient.system_basis)
        view["system_basis"] = (basis[1] if lang == "en" else basis[0]) if basis else ""
        # Only a recipient the joint-use declaration lists is called a joint user.
        view["joint_user"] = site is not None and joint_use.declared(site, recipient)
        view["receives_personal_data"] = recipient.receives_personal_data
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
    policy = store.get_policy(site, current.policy_version)
    html = render_template(
        "public/notice.html",
        site=current,
        lang=lang,
        words=WORDS[lang],
        own_opt_out=(current.texts.get(lang) or {}).get("opt_out", ""),
        recipients=entries(categories, store.get_recipients(site), lang, current),
        privacy_policy=safe_link(current.privacy_policy_url),
        languages=[lang_ for lang_ in ("ja", "en") if lang_ in current.languages],
        published=jst.day(policy.published_at) if policy else "",
        glossary=glossary.entries(lang),
        joint=joint_use.view(current, lang),
    )
    resp = Response(html, mimetype="text/html")
    resp.headers["Content-Security-Policy"] = CSP
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Cache-Control"] = "public, max-age=60"
    resp.headers["Content-Language"] = lang
    return resp
