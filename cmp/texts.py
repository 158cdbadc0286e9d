"""Built-in banner texts in Japanese and English.

A site's own texts override these key by key, so a new site shows a complete, plain-language
banner before its operator edits anything (LAW.md §4).
"""

from __future__ import annotations

DEFAULT_TEXTS: dict[str, dict[str, str]] = {
    "ja": {
        "title": "Cookie等の利用について",
        "body": (
            "当サイトは、閲覧履歴やCookie IDなどの情報を、アクセス解析や広告配信のために"
            "外部の事業者へ送信します。送信先・送信される情報・利用目的は「外部送信について」で"
            "ご確認いただけます。同意しない場合も、サイトの利用に必要な機能は使えます。"
        ),
        "accept_all": "同意する",
        "reject_all": "拒否する",
        "settings": "設定",
        "save": "選択を保存",
        "close": "閉じる",
        "essential_note": "必須（常に有効）",
        "linking_title": "提供先での個人データとの紐付けへの同意",
        "linking_body": (
            "以下の提供先は、送信された情報を提供先が保有する個人データと紐付けて利用します。"
            "提供先ごとに同意するかを選べます。"
        ),
        "recipients_label": "送信先",
        "items_label": "送信される情報",
        "purpose_label": "当サイトの利用目的",
        "recipient_purpose_label": "送信先での利用目的",
        "country_label": "所在国",
        "system_label": "当該国の個人情報保護制度",
        "measures_label": "提供先が講ずる措置",
        "privacy_policy": "プライバシーポリシー",
        "external_transmission": "外部送信について",
        "iframe_placeholder": "このコンテンツを表示するには、次のカテゴリへの同意が必要です。",
        "iframe_button": "同意して表示",
        "gpc_note": "GPCが有効なため、対象のカテゴリはオフです。オンにすることもできます。",
        "linking_toggle": "個人データとの紐付けに同意する",
        "opt_out": (
            "設定はいつでも「Cookie設定」から変更できます。オプトアウトすると、"
            "それ以降の送信・提供は停止されます。"
        ),
    },
    "en": {
        "title": "How we use cookies",
        "body": (
            "This site sends information such as your browsing history and cookie IDs to "
            "other companies for analytics and advertising. See 'External transmission' for "
            "who receives what and why. If you decline, everything the site needs to work "
            "still works."
        ),
        "accept_all": "Accept",
        "reject_all": "Reject",
        "settings": "Settings",
        "save": "Save choices",
        "close": "Close",
        "essential_note": "Required (always on)",
        "linking_title": "Consent to linking with personal data at the recipient",
        "linking_body": (
            "The recipients below link the information they receive to personal data they "
            "hold. You can choose for each recipient."
        ),
        "recipients_label": "Recipients",
        "items_label": "Information sent",
        "purpose_label": "Our purpose",
        "recipient_purpose_label": "Recipient's purpose",
        "country_label": "Country",
        "system_label": "Data-protection system of that country",
        "measures_label": "Measures taken by the recipient",
        "privacy_policy": "Privacy policy",
        "external_transmission": "External transmission",
        "iframe_placeholder": "To show this content, consent to the following category.",
        "iframe_button": "Consent and show",
        "gpc_note": "Global Privacy Control is on: its categories start off; you may turn them on.",
        "linking_toggle": "I consent to linking with personal data",
        "opt_out": (
            "You can change your choice at any time under 'Cookie settings'. Opting out stops "
            "any sending or provision from then on."
        ),
    },
}


def texts_for(site_texts: dict[str, dict[str, str]], lang: str) -> dict[str, str]:
    """Return the built-in texts of ``lang`` overridden by the site's own."""
    merged = dict(DEFAULT_TEXTS.get(lang, DEFAULT_TEXTS["ja"]))
    merged.update({k: v for k, v in site_texts.get(lang, {}).items() if v})
    return merged
