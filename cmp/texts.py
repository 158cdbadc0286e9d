"""Built-in banner texts in Japanese and English.

A site's own texts override these key by key, so a new site shows a complete, plain-language
banner before its operator edits anything (the consent screen of APPI Art. 31 and the
notice of the Telecommunications Business Act Art. 27-12). The words follow :mod:`cmp.glossary`
(送信先 for 外部送信, 提供先 for Art. 31, plain explanations instead of 個人データ/紐付け), and
the first layer says what 「同意する」 does: it agrees to every recipient listed, and what
「設定」 offers: a switch per category, and per 提供先 for those that combine data (not one
per 送信先).
"""

from __future__ import annotations

DEFAULT_TEXTS: dict[str, dict[str, str]] = {
    "ja": {
        "title": "Cookie等の利用について",
        "body": (
            "当サイトは、アクセス解析と広告配信のために、閲覧したページ、Cookie IDなどの情報を"
            "外部の事業者（送信先）へ送信します。「同意する」を押すと、一覧のすべての送信先への"
            "送信に同意したことになり、その中には、受け取った情報をあなたの会員情報など"
            "（あなたが誰かわかる情報）と結び付けて使う事業者（提供先）も含まれます。"
            "「設定」では、送信するかをカテゴリごとに、提供先については事業者ごとに選べます。"
            "「拒否する」を押しても、サイトの利用に必要な機能は使えます。"
        ),
        "accept_all": "同意する",
        "reject_all": "拒否する",
        "settings": "設定",
        "save": "選択を保存",
        "close": "閉じる",
        "essential_note": "必須（常に有効）",
        "linking_title": "あなたが誰かわかる情報と結び付ける事業者（提供先）",
        "linking_body": (
            "以下の提供先は、受け取った情報を、提供先がすでに持っているあなたの情報（会員の氏名や"
            "メールアドレスなど）と結び付けて使います。ここでは提供先ごとに同意するかを選べます。"
            "最初の画面で「同意する」を押した場合は、これらすべての提供先に同意したことになります。"
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
        "linking_toggle": "この提供先が、あなたが誰かわかる情報と結び付けることに同意する",
        "policy_link": "送信先のプライバシーポリシー",
        "opt_out_link": "送信先のオプトアウト",
        "joint_use_label": "共同利用",
        "opt_out": (
            "設定はいつでも「Cookie設定」から変更できます。オプトアウトすると、"
            "それ以降の送信・提供は停止されます。"
        ),
    },
    "en": {
        "title": "How we use cookies",
        "body": (
            "This site sends information such as the pages you view and cookie IDs to other"
            " companies (recipients) for analytics and advertising. 'Accept' agrees to every"
            " recipient listed, including those that combine what they receive with what they"
            " know about you, such as your membership. In 'Settings' you choose per category,"
            " and one by one for the recipients that combine data."
            " If you reject, everything the site needs to work still works."
        ),
        "accept_all": "Accept",
        "reject_all": "Reject",
        "settings": "Settings",
        "save": "Save choices",
        "close": "Close",
        "essential_note": "Required (always on)",
        "linking_title": "Recipients that combine data with what identifies you",
        "linking_body": (
            "The recipients below combine what they receive with what they already know about"
            " you (such as your name or e-mail address as their member). You can choose for"
            " each here; 'Accept' on the first screen agrees to all of them."
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
        "linking_toggle": "I agree that this recipient combines it with what identifies me",
        "policy_link": "Recipient's privacy policy",
        "opt_out_link": "Recipient's opt-out",
        "joint_use_label": "Joint use",
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
