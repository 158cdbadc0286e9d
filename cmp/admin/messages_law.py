"""Console strings of the recipient editor's legal part and the periodic-check log,
as ``key: (Japanese, English)`` (merged into :data:`cmp.admin.messages.MESSAGES`)."""

from __future__ import annotations

LAW: dict[str, tuple[str, str]] = {
    "legal_basis": ("法令上の扱い", "How the law applies"),
    "text_policy_link": ("送信先のポリシーへのリンク", "Link to a recipient's policy"),
    "text_opt_out_link": ("送信先のオプトアウトへのリンク", "Link to a recipient's opt-out"),
    "text_joint_use_label": ("共同利用の見出し", "Joint use heading"),
    "joint_use_title": ("共同利用", "Joint use"),
    "joint_use_hint": (
        "グループ会社などと個人データを共同利用する場合に、あらかじめ本人に通知・公表する事項です"
        "（法第27条第5項第3号）。外部送信のページとバナーに表示されます。個人関連情報には共同利用の"
        "例外がないため、個人データと照合する共同利用者にもバナーでの同意が必要です。",
        "What the person must be told beforehand when data is used jointly within a group"
        " (Art. 27(5)(iii)); shown on the notice page and in the banner. Joint use is no"
        " exception for PRI: a joint user that links still needs the banner consent.",
    ),
    "joint_use_enabled": ("共同利用を公表する", "Publish a joint use"),
    "joint_users": ("共同して利用する者", "Joint users"),
    "joint_users_hint": ("1行に1社。", "One per line."),
    "joint_scope": ("共同して利用する者の範囲", "Scope of joint users"),
    "joint_items": ("共同して利用する項目", "Items used jointly"),
    "joint_purpose": ("利用する者の利用目的", "Purpose of the joint users"),
    "joint_responsible_name": (
        "管理について責任を有する者の氏名又は名称",
        "Party responsible for the management",
    ),
    "joint_user": ("共同利用者である", "Is a joint user"),
    "joint_user_hint": (
        "この送信先がサイトの共同利用者の1社である場合。共同利用の設定の「共同して利用する者」に"
        "この名称で載っている必要があります。",
        "The recipient is one of the site's joint users: the joint-use settings must list it"
        " by this name.",
    ),
    "err_joint_user_not_listed": (
        "共同利用の設定の「共同して利用する者」に、この送信先の名称がありません。先に共同利用の"
        "設定に加えてください（載っていない送信先を共同利用者とは表示しません）。",
        "The joint-use settings do not list this recipient by its name among the joint users:"
        " add it there first (an unlisted recipient is never shown as a joint user).",
    ),
    "joint_publish_hint": (
        "共同利用の内容は、本人にあらかじめ知らせる事項です。変更は新しいポリシーバージョン"
        "としてのみ反映されます。",
        "Joint use is what people are told beforehand: a change goes live only as a new policy"
        " version.",
    ),
    "joint_publish_note": (
        "共同利用の変更を共同利用の設定画面から公開",
        "Joint use changed; published from the joint-use settings",
    ),
    "receives_personal_data": (
        "ハッシュ化したメールアドレスなど、個人データを受け取る（法第27条）",
        "Receives personal data such as hashed e-mail addresses (Art. 27)",
    ),
    "receives_personal_data_hint": (
        "広告配信先の顧客リスト照合のように、当サイトが持つメールアドレスのハッシュ値を渡す場合。"
        "バナーでこの提供先への提供の同意を名指しで求め、確認記録は個人データの提供の記録"
        "（法第29条）として別に作られます。送信される情報にその項目を記載してください。",
        "When hashed e-mail addresses are handed over (a customer-list match): the banner asks"
        " consent to this recipient by name, and checks write their own Art. 29 record. List"
        " the item among the information sent.",
    ),
    "foreign_route": ("外国にある提供先の扱い（法第28条）", "Recipient abroad (APPI Art. 28)"),
    "foreign_route_hint": (
        "日本国内の提供先は「国内」。外国の提供先は、EEA・英国（同等の制度の国）、基準適合体制、"
        "同意取得時の情報提供のいずれかを選びます。確認記録には選んだ扱いが記載されます。",
        "In Japan: 'domestic'. Abroad: an EEA/UK country (equivalent system), a set-up meeting"
        " the standards, or consent with the country information. Records state the route.",
    ),
    "route_domestic": ("国内（日本）", "Domestic (Japan)"),
    "route_equivalent": (
        "同等の水準の制度の国（EEA・英国、規則第15条）",
        "Country with an equivalent system (EEA, UK; Rule 15)",
    ),
    "route_system": (
        "基準適合体制を整備した提供先（規則第16条）",
        "Recipient with a set-up meeting the standards (Rule 16)",
    ),
    "route_consent": (
        "同意取得時に外国の制度等を情報提供（規則第17条第2項）",
        "Consent with the country information (Rule 17(2))",
    ),
    "equivalent_country": ("所在国（EEA・英国）", "Country (EEA, UK)"),
    "equivalent_country_hint": (
        "一覧は個人情報保護委員会の指定に基づく固定の一覧で、編集できません。",
        "The list follows the PPC's designation and cannot be edited.",
    ),
    "system_basis": ("基準適合体制の根拠", "What the set-up rests on"),
    "system_checks": ("定期確認の記録（規則第18条）", "Periodic checks (Rule 18)"),
    "foreign_system_hint": (
        "個人情報保護委員会が公表する各国の制度の調査を参考に、(1)個人情報保護に関する制度の有無、"
        "(2)OECDプライバシーガイドライン8原則に対応する事業者の義務・本人の権利のうち欠けているもの、"
        "(3)政府による情報収集など本人の権利利益に重大な影響を及ぼしうる制度を記載します。",
        "Following the PPC's country surveys: (1) whether the country has a data-protection"
        " system, (2) which duties or rights of the eight OECD principles it lacks, (3) rules"
        " that may seriously affect the person, such as government access.",
    ),
    "foreign_measures_hint": (
        "提供先が講ずる措置をOECDプライバシーガイドライン8原則に照らして記載し、講じていない"
        "措置があればその内容を記載します（例: 利用目的の通知・公表を行っていない）。",
        "The recipient's measures against the eight OECD principles, naming any it does not"
        " take (for example: it does not publish its purposes).",
    ),
    "consent_method": ("本人の同意の確認方法（規則第26条）", "How consent is confirmed (Rule 26)"),
    "consent_method_hint": (
        "提供先が自ら同意を取得する場合（プラットフォーム等）は、提供先からの申告・誓約の文書と"
        "日付を登録します。確認記録に記載されます。",
        "When the recipient obtains consent itself (a platform), register its declaration or"
        " pledge and its date; the records cite them.",
    ),
    "consent_method_proxy": (
        "当サイトが代わりに取得した同意を受領証で確認（代行）",
        "Our own check of consent obtained on the recipient's behalf",
    ),
    "consent_method_declaration": (
        "提供先からの申告・誓約（規則第26条第1項）",
        "The recipient's declaration or pledge (Rule 26(1))",
    ),
    "declaration_document": ("申告・誓約の文書", "Declaration document"),
    "declaration_date": ("申告・誓約の日付（YYYY-MM-DD）", "Date of the declaration (YYYY-MM-DD)"),
    "no_link_basis": (
        "個人データと照合しない根拠（法第31条の対象外の理由）",
        "Why Art. 31 does not apply (no linking)",
    ),
    "no_link_contract": ("契約で照合を禁止している", "The contract forbids linking"),
    "no_link_no_personal_data": (
        "提供先は照合できる個人データを保有していない",
        "The recipient holds no personal data to match",
    ),
    "no_link_statistics": ("統計の作成にのみ用いる", "Used for statistics only"),
    "no_link_other": ("その他（下に記載）", "Another reason (below)"),
    "no_link_note": ("根拠の説明", "The reason explained"),
    "operator_itself": (
        "送信先は当サイトの運営者自身です（第三者ではありません）",
        "The recipient is this site's operator itself (not a third party)",
    ),
    "exemption_reason": ("適用除外の理由", "Why the exemption holds"),
    "err_exempt_linking": (
        "個人データと照合する送信先は第三者として自らデータを利用するため、適用除外にできません。",
        "A recipient that links the data to personal data cannot be exempt.",
    ),
    "err_exempt_advertising": (
        "広告のカテゴリの送信先は適用除外にできません。",
        "An advertising recipient cannot be exempt.",
    ),
    "err_exempt_analytics": (
        "アクセス解析のカテゴリの送信先は適用除外にできません（解析は、サービスの提供に必要な"
        "送信にも、当サイトにのみ送信される識別子にも当たりません）。",
        "An analytics recipient cannot be exempt: analytics is neither needed for the service"
        " nor an identifier sent back to this site only.",
    ),
    "err_exempt_not_required": (
        "「サービスの提供に必要な情報」は必須カテゴリの送信先にだけ選べます。",
        "'Needed for the service' is only for recipients in a required category.",
    ),
    "err_exempt_not_operator": (
        "「当サイトにのみ送信される識別子」は、送信先が運営者自身であることを確認した場合だけ"
        "選べます。",
        "'Sent back to this site only' needs your confirmation that you are the recipient.",
    ),
    "err_exempt_third_party": (
        "外国にある第三者や共同利用者は当サイトの運営者自身ではないため、「当サイトにのみ送信"
        "される識別子」にはできません。",
        "A third party abroad or a joint user is not this site's operator: 'sent back to this"
        " site only' does not apply.",
    ),
    "err_route_abroad_in_japan": (
        "所在国が日本の送信先に、外国にある第三者の扱いは選べません（記録に「外国（日本）」と"
        "書くことになります）。日本国内なら扱いを「日本国内」にしてください。",
        "A recipient in Japan cannot take a route for a third party abroad (its records would"
        " call Japan a foreign country): choose 'in Japan'.",
    ),
    "err_equivalent_country": (
        "一覧から所在国を選んでください。",
        "Choose the country from the list.",
    ),
    "err_route_needed": (
        "所在国「{country}」は日本ではありません。外国にある提供先の扱いを選んでください。",
        "'{country}' is not Japan: choose how the recipient abroad is handled.",
    ),
    "err_country_needed": (
        "所在国を入力してください（日本国内の提供先なら「日本」）。未入力のままでは日本国内とは"
        "扱いません。",
        "Enter the country ('Japan' for a recipient in Japan): an empty country is never taken"
        " as Japan.",
    ),
    "err_no_link_reason": (
        "個人データと照合しない送信先は、法第31条の同意が不要である理由を選んでください。"
        "理由がなければ、記録に「同意は不要」と書けません。",
        "For a recipient that does not link, choose why Art. 31 consent is not needed: a"
        " record cannot say so without a reason.",
    ),
    "err_declaration_not_linking": (
        "申告・誓約は個人データと照合する提供先（法第31条）にだけ使えます。",
        "A declaration applies only to a recipient that links (Art. 31).",
    ),
    "err_declaration_date": (
        "今日までの日付をYYYY-MM-DDで入力してください。",
        "A date up to today, as YYYY-MM-DD.",
    ),
    "checks_title": ("基準適合体制の定期確認", "Periodic checks of the set-up"),
    "checks_hint": (
        "年1回以上、提供先による措置の実施状況と、措置の実施に影響を及ぼすおそれのある外国の制度の"
        "有無を確認し、記録します（法第28条第3項、規則第18条）。確認が1年を超えて古い、または"
        "不適合のときは、提供の確認（APIのprovision-checks）は行えません。",
        "At least once a year, check how the recipient applies the measures and whether"
        " foreign laws may affect them (Art. 28(3), Rule 18). When the latest check is over a"
        " year old or failed, provision checks are refused.",
    ),
    "checked_on": ("確認日（日本時間）", "Checked on (JST)"),
    "checked_what": ("確認した事項", "What was checked"),
    "check_implementation": ("措置の実施状況", "How the measures are applied"),
    "check_foreign_law": ("外国の制度の有無", "Foreign laws that may affect them"),
    "check_result": ("結果", "Result"),
    "result_ok": ("適合", "Meets the standards"),
    "result_failed": ("不適合（提供を停止）", "Fails (provision stops)"),
    "check_note": ("確認の内容", "Notes"),
    "add_check": ("確認を記録", "Record the check"),
    "no_checks": ("確認の記録はまだありません。", "No checks recorded yet."),
    "check_status_ok": ("定期確認は有効です。", "The periodic checks are current."),
    "check_status_due": (
        "定期確認が必要です（{reason}）。提供の確認は拒否されます。",
        "A periodic check is due ({reason}); provision checks are refused.",
    ),
    "reason_never_checked": ("確認の記録がない", "never checked"),
    "reason_check_failed": ("直近の確認が不適合", "the latest check failed"),
    "reason_check_overdue": ("直近の確認から1年を超えた", "the latest check is over a year old"),
    "err_checked_what": ("確認した事項を選んでください。", "Choose what was checked."),
}
