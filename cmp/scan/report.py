"""The ``cmp-scan/1`` JSON report, and each finding as one line of text (ja or en).

The report: ``schema``, ``scan_id``, ``site``, ``started_at``, ``finished_at``,
``seconds``, ``policy_version``, ``urls`` (the start URLs), ``pages: [{url, final_url,
status, banner, error, seconds, phases: {before, rejected, accepted: {requests, cookies,
storage} | null}}]``, ``findings: [{kind, phase, page, what, detail, proposal?}]``,
``summary`` (count per kind) and ``exit_status``. docs/scanner.md documents every field.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from typing import Any

from cmp import __version__
from cmp.scan import SCHEMA
from cmp.scan.rules import exit_status, summary


def new_scan_id(started_at: str) -> str:
    """A sortable, unique id: the start time (UTC, compact) and 6 random hex digits."""
    stamp = started_at.replace("-", "").replace(":", "").replace("Z", "")
    return f"{stamp}-{secrets.token_hex(3)}"


def build(
    site: str,
    policy_version: int,
    urls: Sequence[str],
    started_at: str,
    finished_at: str,
    seconds: float,
    pages: list[dict[str, Any]],
    findings: list[dict[str, Any]],
    tool: dict[str, str] | None = None,
    notice: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Assemble the report of one scan (``tool``: the browser's version and the User-Agent
    cmp's API was sent; ``notice``: what the 外部送信 notice must cover, per recipient)."""
    return {
        "schema": SCHEMA,
        "scan_id": new_scan_id(started_at),
        "site": site,
        "started_at": started_at,
        "finished_at": finished_at,
        "seconds": round(seconds, 3),
        "policy_version": policy_version,
        "urls": list(urls),
        "tool": {"cmp": __version__, "browser": "", **(tool or {})},
        "pages": pages,
        "findings": findings,
        "notice": list(notice or []),
        "summary": summary(findings),
        "exit_status": exit_status(findings),
    }


_PHASE = {
    "ja": {"before": "選択前", "rejected": "拒否後", "accepted": "同意後", None: "全体"},
    "en": {"before": "before choice", "rejected": "after reject", "accepted": "after accept",
           None: "whole scan"},
}  # fmt: skip
_KIND = {
    "ja": {"violation": "違反", "undeclared": "未登録", "stale": "未検出", "error": "エラー",
           "ok": "問題なし"},
    "en": {"violation": "violation", "undeclared": "undeclared", "stale": "stale",
           "error": "error", "ok": "ok"},
}  # fmt: skip


def subject(f: dict[str, Any]) -> str:
    """What a finding is about, in a few words (a host, a cookie, a key, a recipient)."""
    d = f["detail"]
    what = f["what"]
    if what == "request":
        return d["host"] + (f" ({d['beacon']})" if d.get("beacon") else "")
    if what == "cookie":
        if "pattern" in d:
            return f"cookie {d['pattern']}"
        return f"cookie {d['name']}" + (f" @{d['domain']}" if d.get("domain") else "")
    if what == "storage":
        if "pattern" in d:
            return f"storage {d['pattern']}"
        return f"{d['area']}Storage {d['key']}"
    if what == "recipient":
        return f"recipient {d['owner']}"
    return d.get("code", what)


#: What each error code means, for a person (ja, en); the page's own message follows.
ERRORS = {
    "unreachable": ("ページに接続できませんでした", "the page could not be reached"),
    "timeout": (
        "制限時間内に読み込みが終わらないか、ページが応答しなくなりました",
        "the page did not finish loading in time, or stopped responding",
    ),
    "redirect": (
        "別のサイトへ移動したため、スキャンしていません",
        "the page moved to another site, so it was not scanned",
    ),
    "http_status": ("ページがエラーを返しました", "the page answered with an error"),
    "no_banner": (
        "同意バナー（拒否する／同意する）が見つからないため、拒否後・同意後を確認できませんでした",
        "no consent banner (拒否する / 同意する): the later phases could not run",
    ),
    "browser": ("ブラウザーでページが異常終了しました", "the page crashed the browser tab"),
    "time_limit": (
        "スキャン全体の制限時間（--max-time）に達したため、残りのページはスキャンしていません",
        "the scan's time limit (--max-time) was reached; the pages left were not scanned",
    ),
}


def _name(names: Any, lang: str) -> str:
    """A ja/en name in ``lang`` (the other language, else "")."""
    if not isinstance(names, dict):
        return ""
    return str(names.get(lang) or names.get("ja" if lang == "en" else "en") or "")


def _error(d: dict[str, Any], lang: str) -> str:
    """An error finding as a sentence: what the code means, then the page's own message
    (Chromium's ``net::ERR_…``, the HTTP status) for the engineer."""
    known = ERRORS.get(d.get("code", ""))
    message = str(d.get("message", ""))
    if known is None:
        return message
    text = known[0 if lang == "ja" else 1]
    if lang == "ja" and d.get("code") == "time_limit":
        text += f"（{len(d.get('not_scanned') or [])}ページ）"
    elif message and d.get("code") not in ("no_banner", "time_limit"):
        text += f"（{message}）" if lang == "ja" else f" ({message})"
    return text


def explain(f: dict[str, Any], lang: str = "ja", brief: bool = False) -> str:
    """The finding as a sentence a person reads (Japanese by default); ``brief`` leaves
    out the URL and the tag (for pages that show them apart). Recipients and categories
    are named as the registry names them, their keys only when a report has no names."""
    d, kind, ja = f["detail"], f["kind"], lang == "ja"
    if kind == "violation":
        who = (_name(d.get("owner_name"), lang) or _name(d.get("vendor_name"), lang)
               or d.get("owner") or d.get("vendor") or "?")  # fmt: skip
        category = _name(d.get("category_name"), lang) or d.get("category")
        by = d.get("initiator") or d.get("tag")
        text = (
            f"{who}（{category}）が同意なしに動作しています"
            if ja
            else f"{who} ({category}) ran without consent"
        )
        if f["what"] == "request" and not brief:
            text += f": {d['url']}" + (f" ← {by}" if by else "")
        elif by and not brief:
            text += f" ← {by}"
        return text
    if kind == "undeclared":
        prop = f.get("proposal")
        pages = len(d.get("pages", []))
        text = (
            f"送信先に登録がありません（{pages}ページ）"
            if ja
            else f"no recipient declares it ({pages} page(s))"
        )
        if d.get("tag") and not brief:
            text += f" ← {d['tag']}"
        if prop:
            name = prop["recipient"]["service"]["ja" if ja else "en"]
            text += f"。候補: {name}" if ja else f"; proposal: {name}"
        return text
    if kind == "stale":
        return (
            "登録されていますが、どのページ・段階でも検出されませんでした"
            if ja
            else "declared but never seen in any page or phase"
        )
    if kind == "error":
        return _error(d, lang)
    return ("同意後にのみ動作しました" if ja else "ran only after consent")  # fmt: skip


#: Control characters (C0, DEL, C1) and line or paragraph separators.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
#: Longest name shown on a line (a page may name a storage key with a megabyte).
MAX_SHOWN = 200


def printable(text: str, limit: int = MAX_SHOWN) -> str:
    """``text`` safe for a terminal or a CI log: control characters (an escape sequence,
    a newline that would forge another finding line) shown as ``\\xNN``, and cut."""
    out = _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)
    return out if len(out) <= limit else out[: limit - 1] + "…"


def line(f: dict[str, Any], lang: str = "en") -> str:
    """One line of the CLI's list: kind, phase, page, subject, explanation; what the page
    named (hosts, cookie and storage names) made printable."""
    kind = _KIND[lang][f["kind"]]
    phase = _PHASE[lang].get(f.get("phase"), f.get("phase") or "")
    where = f" {printable(f['page'], 400)}" if f.get("page") else ""
    return (
        f"{kind:<10} [{phase}]{where}  {printable(subject(f))}: {printable(explain(f, lang), 1200)}"
    )
