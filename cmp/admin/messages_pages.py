"""Console strings, continued: texts and preview, policies, keys, statistics, audit, errors."""

from __future__ import annotations

PAGES: dict[str, tuple[str, str]] = {
    # banner texts and the live preview
    "banner_language": ("バナーの言語", "Banner language"),
    "texts_hint": (
        "空欄の項目は標準の文言（薄く表示）になります。保存するとすぐに反映されます。",
        "An empty field shows the built-in text (greyed). Saved texts are live at once.",
    ),
    "text_title": ("見出し", "Title"),
    "text_body": ("本文（送信する情報と目的）", "Body (what is sent and why)"),
    "text_accept_all": ("「同意する」ボタン", "Accept button"),
    "text_reject_all": ("「拒否する」ボタン", "Reject button"),
    "text_settings": ("「設定」ボタン", "Settings button"),
    "text_save": ("「選択を保存」ボタン", "Save button"),
    "text_close": ("「閉じる」ボタン", "Close button"),
    "text_essential_note": ("必須カテゴリの注記", "Note on the required category"),
    "text_linking_title": ("紐付け同意の見出し", "Linking consent: title"),
    "text_linking_body": ("紐付け同意の説明", "Linking consent: text"),
    "text_recipients_label": ("「送信先」の見出し", "Label: recipients"),
    "text_items_label": ("「送信される情報」の見出し", "Label: information sent"),
    "text_purpose_label": ("「当サイトの利用目的」の見出し", "Label: our purpose"),
    "text_recipient_purpose_label": (
        "「送信先での利用目的」の見出し",
        "Label: recipient's purpose",
    ),
    "text_country_label": ("「所在国」の見出し", "Label: country"),
    "text_system_label": ("「当該国の制度」の見出し", "Label: that country's system"),
    "text_measures_label": ("「講ずる措置」の見出し", "Label: recipient's measures"),
    "text_privacy_policy": ("プライバシーポリシーへのリンク", "Privacy policy link"),
    "text_external_transmission": ("外部送信ページへのリンク", "Notice page link"),
    "text_iframe_placeholder": ("埋め込みコンテンツの案内", "Blocked embed: message"),
    "text_iframe_button": ("埋め込みコンテンツのボタン", "Blocked embed: button"),
    "text_opt_out": ("オプトアウトの説明", "How to opt out"),
    "text_gpc_note": ("GPC有効時の注記", "Note shown when GPC is on"),
    "text_linking_toggle": ("紐付け同意のチェックボックス", "Linking consent: checkbox label"),
    "preview_button": ("プレビューを更新", "Update preview"),
    "preview_title": ("バナーのプレビュー", "Banner preview"),
    "preview_hint": (
        "実際のバナー（cmp.js）に、入力中の文言を表示します。入力すると自動で更新されます。",
        "The real banner (cmp.js) with the texts being typed; it updates as you type.",
    ),
    "preview_saved": ("保存済みの文言", "saved texts"),
    "preview_draft": ("未保存の文言", "unsaved texts"),
    "preview_nothing_recorded": (
        "プレビューでの操作は記録されません。",
        "Nothing done in the preview is recorded.",
    ),
    "preview_open_settings": ("設定画面を開く", "Open the settings"),
    "preview_again": ("最初から表示", "Show again"),
    "preview_done": (
        "選択は記録されていません（プレビュー）。",
        "Your choice was not recorded (preview).",
    ),
    # policy versions
    "policies_hint": (
        "ほとんどの編集はすぐに反映されます。受領者の追加や、送信される情報・目的などの変更は、"
        "受領者の編集画面で保存と同時に新しいバージョンとして公開されます。そのほかに利用者が"
        "同意した内容を変えたときは、ここで新しいバージョンを公開してください。それ以前の同意は"
        "無効になり、バナーが改めて同意を求めます。",
        "Most edits are live at once. A new recipient, or other information or purposes for "
        "one, is published as a new version by the recipient editor when saved. When anything "
        "else visitors agreed to changes, publish a new version here: earlier decisions become "
        "outdated and the banner asks again.",
    ),
    "pending_changes": (
        "バージョン {version} の公開後の変更",
        "Changes since version {version} was published",
    ),
    "no_pending": ("公開後の変更はありません。", "No changes since it was published."),
    "reconsent_suggested": (
        "利用者が同意した内容に関わる変更があります。新しいバージョンの公開をおすすめします。",
        "These changes touch what visitors agreed to: publishing a new version is advised.",
    ),
    "reconsent_not_needed": (
        "文言や設定の変更のみです。改めて同意を求める必要はないと考えられます。",
        "Only wording or settings changed; asking again is probably not needed.",
    ),
    "publish_title": ("バージョン {version} を公開", "Publish version {version}"),
    "changelog_text": ("変更内容（変更履歴に表示）", "What changed (shown in the changelog)"),
    "changelog_hint": (
        "例: 送信先「株式会社〇〇」を追加しました。",
        "For example: added the recipient Example K.K.",
    ),
    "publish_confirm": (
        "公開すると、すべての利用者に改めて同意を求めることを理解しました。",
        "I understand that every visitor will be asked again.",
    ),
    "publish": ("公開する", "Publish"),
    "changelog": ("変更履歴", "Changelog"),
    "version_n": ("バージョン {version}", "Version {version}"),
    "texts_hash": ("表示内容のハッシュ", "Hash of what was shown"),
    "area_site": ("サイト設定", "Settings"),
    "area_texts": ("文言", "Texts"),
    "area_categories": ("カテゴリ", "Category"),
    "area_recipients": ("送信先", "Recipient"),
    "kind_added": ("追加", "added"),
    "kind_removed": ("削除", "removed"),
    "kind_changed": ("変更", "changed"),
    "kind_reordered": ("並べ替え", "reordered"),
    # API keys
    "keys_hint": (
        "サーバー間API用のキーです。キーはハッシュだけが保存され、作成時に一度だけ表示されます。",
        "Keys for the server-to-server API. Only a hash is stored; a key is shown once.",
    ),
    "key_name": ("キーの名前", "Key name"),
    "scopes": ("権限", "Scopes"),
    "scopes_hint": (
        "read: 同意状態の参照 / write: オプトアウトの登録 / provision: 提供前の確認",
        "read: look up consent / write: record opt-outs / provision: provision checks",
    ),
    "last_used": ("最終使用", "Last used"),
    "active": ("有効", "active"),
    "revoke": ("無効にする", "Revoke"),
    "revoked_at": ("{when} に無効化", "revoked {when}"),
    "confirm_revoke": ("キー {key} を無効にしますか？", "Revoke key {key}?"),
    "key_revoked": ("キー {key} を無効にしました。", "Key {key} revoked."),
    "no_keys": ("キーはまだありません。", "No keys yet."),
    "new_key": ("新しいキー", "New key"),
    "create_key": ("キーを作成", "Create key"),
    "key_created": ("キーを作成しました", "Key created"),
    "key_shown_once": (
        "このキーは今だけ表示されます。安全な場所に保存してください。",
        "This key is shown only now. Store it somewhere safe.",
    ),
    "copy": ("コピー", "Copy"),
    # statistics
    "period": ("期間", "Period"),
    "days_n": ("{n}日間", "{n} days"),
    "download_csv": ("CSVをダウンロード", "Download CSV"),
    "stats_hint": (
        "日付はUTCです。ボットのユーザーエージェントからの操作は除外し、件数のみ別に表示します。",
        "Days are UTC. Decisions from bot user-agents are left out and only counted apart.",
    ),
    "decisions": ("同意の操作", "decisions"),
    "decisions_per_day": ("1日あたりの操作数", "Decisions per day"),
    "opt_in_rate_of": ("{name}の同意率", "Opt-in rate: {name}"),
    "bots_excluded": ("除外したボット", "bots left out"),
    "chart_title": ("過去{n}日間の同意の操作と同意率", "Decisions and opt-in rates, last {n} days"),
    "chart_desc": (
        "棒グラフは1日あたりの操作数（左軸）、折れ線はカテゴリごとの同意率（右軸）です。",
        "Bars: decisions per day (left axis). Lines: opt-in rate per category (right axis).",
    ),
    "by_method": ("操作の方法別", "By method"),
    "method": ("方法", "Method"),
    "share": ("割合", "Share"),
    "method_banner": ("バナー", "Banner"),
    "method_preferences": ("設定画面", "Settings"),
    "method_gpc": ("GPC", "GPC"),
    "method_opt-out": ("オプトアウト", "Opt-out"),
    "method_api": ("API", "API"),
    "per_day_table": ("日別の表", "Per-day table"),
    "day": ("日付", "Day"),
    # audit
    "audit_hint": (
        "管理画面での変更を、誰が・いつ・何を・変更前と変更後で記録しています。",
        "Every change made in the console: who, when, what, before and after.",
    ),
    "console_log_hint": (
        "ログインとアカウントのロックの記録です。",
        "Sign-ins and account lock-outs.",
    ),
    "when": ("日時", "When"),
    "who": ("実行者", "Who"),
    "what": ("操作", "What"),
    "target": ("対象", "Target"),
    "before_after": ("変更前 / 変更後", "Before / after"),
    "changed_fields": ("変更された項目", "Changed"),
    "show_before_after": ("変更前と変更後を表示", "Show before and after"),
    "before": ("変更前", "Before"),
    "after": ("変更後", "After"),
    "no_entries": ("記録はまだありません。", "Nothing recorded yet."),
    # error pages
    "back_to_sites": ("サイト一覧へ戻る", "Back to the sites"),
    "err_400_title": ("フォームを送信できませんでした", "The form could not be sent"),
    "err_400_body": (
        "フォームの有効期限が切れたか、確認用のトークンがありません。ページを再読み込みして、"
        "もう一度お試しください。",
        "The form expired or lacks its security token. Reload the page and try again.",
    ),
    "err_403_title": ("権限がありません", "Not allowed"),
    "err_403_body": (
        "このアカウントは閲覧のみです。変更は管理者に依頼してください。",
        "This account can only view. Ask an admin to make the change.",
    ),
    "err_404_title": ("見つかりません", "Not found"),
    "err_404_body": ("ページが見つかりません。", "There is no such page."),
    "err_405_title": ("この操作はできません", "Not possible"),
    "err_405_body": ("このページはこの方法では使えません。", "This page does not take that."),
    "err_503_title": ("一時的に利用できません", "Temporarily unavailable"),
    "err_503_body": (
        "同意データのストアに接続できません。しばらくしてから再度お試しください。"
        "保存済みの内容は失われていません。",
        "The consent store cannot be reached. Try again shortly; nothing stored is lost.",
    ),
    # validation
    "err_required": ("入力してください。", "Required."),
    "err_too_long": ("{n}文字以内で入力してください。", "At most {n} characters."),
    "err_choice": ("一覧から選んでください。", "Choose one of the options."),
    "err_confirm": ("確認のチェックが必要です。", "Tick the box to confirm."),
    "err_key": (
        "半角英小文字・数字・ハイフンで63文字まで入力してください（先頭にハイフンは使えません）。",
        "Use lowercase letters, digits and '-', up to 63, not starting with '-'.",
    ),
    "err_key_taken": ("このキーはすでに使われています。", "This key is already in use."),
    "err_url": (
        "http:// または https:// で始まるURLを入力してください。",
        "Enter a URL starting with http:// or https://.",
    ),
    "err_origin": (
        "「{value}」はオリジンの形式（https://www.example.jp、パスなし）ではありません。",
        "'{value}' is not an origin like https://www.example.jp (no path).",
    ),
    "err_domain": (
        "ドメインの形式（.example.jp）ではありません。",
        "Not a domain like .example.jp.",
    ),
    "err_cookie_pattern": (
        "「{value}」はCookie名のパターンとして使えません（* だけのパターンも不可）。",
        "'{value}' is not a cookie name pattern (and * alone is not allowed).",
    ),
    "err_cookie_name": (
        "「{value}」はCookie名として使えません。",
        "'{value}' is not a cookie name.",
    ),
    "err_gcm": (
        "「{value}」はConsent Modeのシグナルではありません。",
        "'{value}' is not a signal.",
    ),
    "err_items_empty": ("送信される情報を1つ以上入力してください。", "List at least one item."),
    "err_items_many": ("{n}項目までです。", "At most {n} items."),
    "err_item_long": (
        "「{value}…」が長すぎます（{n}文字まで）。",
        "'{value}…' is too long ({n} max).",
    ),
    "err_item_vague": (
        "「{value}」は具体的ではありません。「等」"
        "「その他」などを使わず、項目ごとに書いてください。",
        "'{value}' is not specific: list each item, without 'etc.' or 'other'.",
    ),
    "err_items_repeat": ("同じ項目が重複しています。", "An item is listed twice."),
    "err_items_parallel": (
        "日本語と同じ{n}項目を、同じ順序で入力してください。",
        "List the same {n} items as in Japanese, in the same order.",
    ),
    "err_lifetime": ("1〜1095の整数で入力してください。", "A whole number from 1 to 1095."),
    "err_scopes": ("権限を1つ以上選んでください。", "Choose at least one scope."),
    "err_delete_required": (
        "必須カテゴリは削除できません。",
        "A required category cannot be removed.",
    ),
    "err_delete_in_use": (
        "このカテゴリに属する送信先があるため削除できません。先に送信先を移すか削除してください。",
        "Recipients still belong to this category: move or remove them first.",
    ),
}
