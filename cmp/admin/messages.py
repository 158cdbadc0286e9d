"""Every string the console shows, as ``key: (Japanese, English)``.

Placeholders use :meth:`str.format` names (``{n}``, ``{key}``). Validation messages start with
``err_``; ``text_<key>`` labels the banner texts of :mod:`cmp.texts`.
"""

from __future__ import annotations

from cmp.admin.messages_law import LAW
from cmp.admin.messages_pages import PAGES
from cmp.admin.messages_scans import SCANS

_EDITORS: dict[str, tuple[str, str]] = {
    # frame and navigation
    "console": ("管理画面", "admin"),
    "skip_to_content": ("本文へ移動", "Skip to content"),
    "main_nav": ("メインメニュー", "Main menu"),
    "site_nav": ("サイトのメニュー", "Site menu"),
    "ui_language": ("表示言語", "Language"),
    "sites": ("サイト", "Sites"),
    "console_log": ("ログイン記録", "Sign-in log"),
    "logout": ("ログアウト", "Log out"),
    "role_admin": ("管理者", "admin"),
    "role_viewer": ("閲覧のみ", "viewer"),
    "readonly_note": (
        "閲覧専用のアカウントです。内容の確認はできますが、変更はできません。",
        "This account can view everything but change nothing.",
    ),
    "policy_version": ("ポリシーバージョン", "Policy version"),
    "notice_page": ("外部送信についてのページ", "External-transmission notice"),
    "tab_settings": ("サイト設定", "Settings"),
    "tab_categories": ("カテゴリ", "Categories"),
    "tab_recipients": ("送信先", "Recipients"),
    "tab_texts": ("バナーの文言", "Banner texts"),
    "tab_policies": ("ポリシーバージョン", "Policy versions"),
    "tab_keys": ("APIキー", "API keys"),
    "tab_stats": ("統計", "Statistics"),
    "tab_audit": ("変更履歴", "Audit log"),
    "lang_ja": ("日本語", "Japanese"),
    "lang_en": ("英語", "English"),
    "optional": ("（任意）", "(optional)"),
    "yes": ("はい", "yes"),
    "no": ("いいえ", "no"),
    "save": ("保存", "Save"),
    "saved": ("保存しました。", "Saved."),
    "cancel": ("キャンセル", "Cancel"),
    "edit": ("編集", "Edit"),
    "view": ("表示", "View"),
    "delete": ("削除", "Delete"),
    "actions": ("操作", "Actions"),
    "order": ("順序", "Order"),
    "key": ("キー", "Key"),
    "name": ("名称", "Name"),
    "description": ("説明", "Description"),
    "required": ("必須", "required"),
    "current": ("現行", "current"),
    "status": ("状態", "Status"),
    "created": ("作成日時", "Created"),
    "confirm_delete": ("「{key}」を削除しますか？", "Delete '{key}'?"),
    "confirm_delete_recipient": (
        "「{key}」を削除しますか？公開中の受領者の削除は新しいポリシーバージョンとして公開され、"
        "すべての訪問者に改めて同意を求めます。",
        "Delete '{key}'? Removing a published recipient publishes a new policy version, and "
        "every visitor is asked again.",
    ),
    "form_has_errors": (
        "入力内容に誤りがあります。各項目の下のメッセ"
        "ージをご確認ください。何も保存されていません。",
        "Some fields need attention (see the messages below them). Nothing was saved.",
    ),
    "publish_with_save": (
        "保存と同時に新しいポリシーバージョン（第{version}版）として公開する",
        "Publish as a new policy version ({version}) when saving",
    ),
    "publish_with_save_hint": (
        "受領者の追加や、名称・カテゴリ・提供する情報・利用目的・個人データとの紐付け・"
        "国の変更は、訪問者が同意した内容の変更です。新しいバージョンとしてのみ反映され、"
        "訪問者には改めて同意を求めます。文言の修正など、それ以外の変更には不要です。",
        "Adding a recipient, or changing its name, category, information, purposes, linking "
        "to personal data or country, changes what visitors consented to: it goes live only "
        "as a new version, and visitors are asked again. Other edits do not need it.",
    ),
    "err_publish_needed": (
        "この変更（{fields}）は訪問者が同意した内容を変えるため、新しいバージョンとして"
        "公開する必要があります。上のチェックを入れて保存してください。何も保存されていません。",
        "This change ({fields}) alters what visitors consented to, so it can only go live as "
        "a new policy version: tick the box above and save again. Nothing was saved.",
    ),
    "auto_publish_note": (
        "受領者「{key}」の変更（{fields}）を受領者の編集画面から公開",
        "Recipient '{key}' changed ({fields}); published from the recipient editor",
    ),
    "err_conflict": (
        "このページを開いた後に、別の管理者がこの内容を保存しました。あなたの変更は保存されて"
        "いません。入力内容を控えてから、ページを開き直して最新の内容をご確認ください。",
        "Another admin saved this after you opened the page. Your changes were not saved: "
        "copy what you typed, then open the page again to see the latest version.",
    ),
    "key_hint": (
        "半角英小文字・数字・ハイフン（63文字まで）。後から変更できません。",
        "Lowercase letters, digits and '-', up to 63. It cannot be changed later.",
    ),
    "url_hint": ("http:// または https:// で始まるURL", "A URL starting with http:// or https://"),
    # sign-in
    "login_title": ("管理画面にログイン", "Sign in to the console"),
    "username": ("ユーザー名", "User name"),
    "password": ("パスワード", "Password"),
    "login": ("ログイン", "Sign in"),
    "login_failed": (
        "ユーザー名またはパスワードが正しくありません。",
        "Wrong user name or password.",
    ),
    "login_locked": (
        "ログインの失敗が続いたため、この接続元からのこのアカウントへのログインは {until} まで"
        "ロックされています。",
        "Too many failed sign-ins: this account is locked for sign-ins from this address until "
        "{until}.",
    ),
    "login_slow": (
        "このアカウントへのログインの試行が集中しています。数秒待ってからもう一度お試しください。",
        "Too many sign-in attempts for this account right now; wait a few seconds and try again.",
    ),
    "lockout_rule": (
        "続けて{n}回失敗すると、その接続元からのログインは{minutes}分間ロックされます。",
        "After {n} failed attempts in a row, sign-ins from that address are locked for "
        "{minutes} minutes.",
    ),
    # sites
    "new_site": ("サイトを追加", "Add a site"),
    "no_sites": ("サイトはまだありません。", "No sites yet."),
    "site_key": ("サイトキー", "Site key"),
    "site_name": ("サイト名", "Site name"),
    "languages": ("言語", "Languages"),
    "origins": ("許可するオリジン", "Allowed origins"),
    "origins_hint": (
        "バナーを設置するサイトのオリジンを1行に1つ（例: https://www.example.jp）。",
        "Origins of the pages embedding the banner, one per line (https://www.example.jp).",
    ),
    "offer_english": ("英語でも表示する", "Offer English"),
    "offer_english_hint": (
        "日本語は常に表示されます。英語を有効にすると、英語の文言も必須になります。",
        "Japanese is always offered. With English on, English texts are required too.",
    ),
    "privacy_policy_url": ("プライバシーポリシーのURL", "Privacy policy URL"),
    "consent_lifetime": ("同意の有効期間（日）", "Consent lifetime (days)"),
    "consent_lifetime_hint": ("1〜1095日。標準は395日です。", "1 to 1095 days; 395 by default."),
    "cookie_domain": ("Cookieのドメイン", "Cookie domain"),
    "cookie_domain_hint": (
        "サブドメイン間で同意を共有する場合のみ（例: .example.jp）。",
        "Only to share the choice across subdomains (.example.jp).",
    ),
    "alias_cookies": ("紐付けるCookie名", "Alias cookies"),
    "alias_cookies_hint": (
        "同意と一緒に記録するサイトのCookie名を1行に1つ（例: _ga）。",
        "Site cookie names recorded with a decision, one per line (_ga).",
    ),
    # categories
    "new_category": ("カテゴリを追加", "Add a category"),
    "edit_category": ("カテゴリを編集", "Edit category"),
    "categories_hint": (
        "バナーに表示される順に並びます。必須カテゴリは常に有効で、削除できません。",
        "Shown in this order in the banner. A required category is always on and stays.",
    ),
    "required_category_note": (
        "必須カテゴリです。常に有効で、GPCの対象外です。",
        "A required category: always on, outside GPC.",
    ),
    "default_on": ("初期状態でオン", "On by default"),
    "default_on_hint": (
        "設定画面でのチェックの初期状態です。同意なしに有効にはなりません。",
        "The toggle's initial state in the settings; nothing runs without a decision.",
    ),
    "gpc_flag": ("GPCでオフにする", "Off under GPC"),
    "gpc_flag_hint": (
        "ブラウザがGlobal Privacy Controlを送るとき、このカテゴリを既定でオフにします。",
        "When the browser sends Global Privacy Control, this category is off unless chosen.",
    ),
    "gcm_signals": ("Consent Modeのシグナル", "Consent Mode signals"),
    "gcm_hint": (
        "このカテゴリへの同意で granted になるGoogle Consent Modeのシグナル。",
        "Google Consent Mode signals granted by consent to this category.",
    ),
    "cookies": ("Cookie名のパターン", "Cookie name patterns"),
    "cookies_hint": (
        "同意の撤回時に削除するCookie名を1行に1つ。* はワイルドカード（例: _ga_*）。",
        "Cookies deleted when consent is withdrawn, one per line; * is a wildcard (_ga_*).",
    ),
    # recipients
    "new_recipient": ("送信先を追加", "Add a recipient"),
    "edit_recipient": ("送信先を編集", "Edit recipient"),
    "no_recipients": ("送信先はまだありません。", "No recipients yet."),
    "recipients_hint": (
        "外部送信のページとバナーは、この一覧から作られます。",
        "The external-transmission notice and the banner are built from this list.",
    ),
    "who_receives": ("送信先", "Who receives it"),
    "what_and_why": ("送信される情報と目的", "What is sent and why"),
    "where": ("所在国", "Where"),
    "links_and_basis": ("リンクと適用除外", "Links and exemption"),
    "category": ("カテゴリ", "Category"),
    "recipient_category_hint": (
        "このカテゴリに同意したときだけ送信されます。",
        "Information is sent only with consent to this category.",
    ),
    "recipient_name": ("事業者名", "Recipient's legal name"),
    "service_name": ("サービス名", "Service name"),
    "address": ("住所", "Address"),
    "representative": ("代表者名", "Representative"),
    "address_hint": (
        "個人データと紐付ける送信先では必須です（確認記録に記載されます）。",
        "Required when the recipient links data to personal data (it goes into the records).",
    ),
    "items": ("送信される情報", "Information sent"),
    "items_hint": (
        "1行に1項目。「等」「その他」を使わず具体的に。各言語の行は同じ順序・同じ数にします。",
        "One item per line, each specific (no 'etc.'); "
        "the same items in the same order per language.",
    ),
    "purpose": ("当サイトの利用目的", "Our purpose"),
    "recipient_purpose": ("送信先での利用目的", "Recipient's purpose"),
    "links_personal_data": ("個人データと紐付ける", "Links to personal data"),
    "links_personal_data_hint": (
        "送信先が受け取った情報を自らの個人データと紐付ける場合（個人情報保護法第31条）。"
        "バナーは、この提供先への同意を提供先ごとに求めます（他の送信先はカテゴリごと）。",
        "The recipient links what it receives to personal data it holds (APPI Art. 31); the "
        "banner asks consent for it by name (other recipients are chosen per category).",
    ),
    "abroad": ("外国", "abroad"),
    "abroad_flag": ("外国にある第三者", "Recipient abroad"),
    "abroad_hint": (
        "所在国名、その国の個人情報保護制度、送信先が講ずる措置の記載が必要です。",
        "Needs the country, its data-protection system and the recipient's measures.",
    ),
    "country": ("所在国", "Country"),
    "foreign_system": ("当該国の個人情報保護制度", "Data-protection system of that country"),
    "foreign_measures": ("送信先が講ずる措置", "Measures taken by the recipient"),
    "recipient_policy_url": ("送信先のプライバシーポリシー", "Recipient's privacy policy"),
    "opt_out_url": ("オプトアウトのURL", "Opt-out URL"),
    "exemption": ("電気通信事業法上の適用除外", "Exemption (Telecommunications Business Act)"),
    "exemption_hint": (
        "適用除外でも、外部送信のページには記載されます。",
        "Exempt recipients are still listed on the notice page.",
    ),
    "exemption_none": ("なし（規律の対象）", "None (the rules apply)"),
    "exemption_necessary": (
        "サービスの提供に必要な情報",
        "Information needed to provide the service",
    ),
    "exemption_first_party": (
        "当サイトにのみ送信される識別子",
        "Identifier sent back to this site only",
    ),
}

#: The whole catalog: the frame and editors above, the other pages and errors in PAGES.
MESSAGES: dict[str, tuple[str, str]] = {**_EDITORS, **PAGES, **LAW, **SCANS}
