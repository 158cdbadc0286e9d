"""Console strings of the スキャン page (:mod:`cmp.admin.scans`)."""

from __future__ import annotations

SCANS: dict[str, tuple[str, str]] = {
    "tab_scans": ("スキャン", "Scans"),
    "scans_hint": (
        "「cmp scan --site {site} URL」でサイトを新しい訪問者として読み込み、"
        "選択前・拒否後・同意後の通信、Cookie、ストレージを登録内容と照合した結果です。",
        'What "cmp scan --site {site} URL" found when it loaded the site as a new visitor: '
        "requests, cookies and storage before the choice, after reject and after accept, "
        "held against the registry.",
    ),
    "no_scans": ("まだスキャンの結果はありません。", "No scan reports yet."),
    "scan_started": ("開始", "Started"),
    "scan_pages": ("ページ数", "Pages"),
    "scan_seconds": ("所要時間（秒）", "Seconds"),
    "scan_exit": ("終了コード", "Exit status"),
    "scan_urls": ("対象URL", "URLs"),
    "scan_download_json": ("JSONをダウンロード", "Download JSON"),
    "kind_violation": ("違反", "Violations"),
    "kind_undeclared": ("未登録", "Undeclared"),
    "kind_stale": ("未検出", "Stale"),
    "kind_error": ("エラー", "Errors"),
    "kind_ok": ("問題なし", "OK"),
    "kind_violation_hint": (
        "同意の前、または「拒否する」の後に、必須でない通信・Cookie・ストレージが使われました。",
        "Something non-essential ran before the choice or after a refusal.",
    ),
    "kind_undeclared_hint": (
        "どの送信先・カテゴリにも登録されていません。外部送信の公表事項に載せる必要があります。",
        "No recipient or category declares it: it must be on the external-transmission notice.",
    ),
    "kind_stale_hint": (
        "登録されていますが、どのページ・段階でも検出されませんでした。",
        "Declared, but never seen in any page or phase.",
    ),
    "kind_error_hint": ("スキャンできなかったページです。", "Pages that could not be scanned."),
    "kind_ok_hint": ("同意後にのみ動作した送信先です。", "Recipients seen only after consent."),
    "scan_phase": ("段階", "Phase"),
    "scan_page": ("ページ", "Page"),
    "scan_subject": ("対象", "What"),
    "scan_detail": ("内容", "Detail"),
    "scan_by": ("発生元", "Started by"),
    "phase_before": ("選択前", "Before the choice"),
    "phase_rejected": ("拒否後", "After reject"),
    "phase_accepted": ("同意後", "After accept"),
    "phase_none": ("全体", "Whole scan"),
    "proposal": ("登録の提案", "Proposal"),
    "proposal_hint": (
        "カタログ（各社の公開資料）からの提案です。内容と契約を確認してから登録してください。"
        "登録すると新しいポリシーバージョンとして公開され、訪問者に改めて同意を求めます。",
        "A proposal from the catalogue (vendors' public documentation): check it against the "
        "vendor and your contract first. Adopting it publishes a new policy version, so "
        "visitors are asked again.",
    ),
    "proposal_source": ("出典", "Source"),
    "proposal_via": (
        "このタグが送信・保存したもの（登録すると、スキャンで見つかった通信先・Cookieも登録されます）",
        "Sent or written by this tag (adopting declares what the scan saw of it too)",
    ),
    "proposal_foreign": (
        "外国の事業者です。登録後、所在国の制度と送信先の措置を記入してください。",
        "A recipient abroad: after adopting, write the country's system and its measures.",
    ),
    "adopt": ("この内容で送信先に登録", "Adopt as a recipient"),
    "adopted": (
        "送信先 {key} を登録し、新しいポリシーバージョンを公開しました。",
        "Recipient {key} added and a new policy version published.",
    ),  # fmt: skip
    "scan_declarations": ("スキャンで照合する内容", "What the scanner checks"),
    "scan_hosts": ("通信先のホスト（1行に1つ）", "Hosts contacted (one a line)"),
    "scan_hosts_hint": (
        "例: connect.facebook.net、www.facebook.com/tr。サブドメインも含みます。",
        "e.g. connect.facebook.net, www.facebook.com/tr; subdomains included.",
    ),
    "scan_cookies": ("Cookie名（1行に1つ、* 可）", "Cookie names (one a line, * allowed)"),
    "scan_storage": (
        "localStorage / sessionStorage のキー（1行に1つ、* 可）",
        "localStorage / sessionStorage keys (one a line, * allowed)",
    ),
    "err_scan_host": ("ホスト名として正しくありません: {value}", "Not a host name: {value}"),
    "err_scan_name": (
        '空白や ; , = " を含めることはできません: {value}',
        'No spaces or ; , = " allowed: {value}',
    ),
    "err_too_many": ("{n}件までです。", "At most {n}."),
    "already_declared": ("登録済み", "Already a recipient"),
}
