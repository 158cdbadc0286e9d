"""The HTML report: one self-contained page a non-engineer can read, Japanese first.

What to fix comes first (violations, then what the 外部送信 notice is missing, with the
catalogue's proposals), then what is declared but gone, pages that could not be scanned,
what is fine, and last every page's requests, cookies and storage per phase.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from cmp.scan import KINDS, PHASES
from cmp.scan.report import explain, subject

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)

TITLES = {
    "violation": ("同意なしに動作しているもの（違反）", "Running without consent (violations)"),
    "undeclared": ("外部送信の公表事項に載っていないもの（未登録）",
                   "Missing from the external-transmission notice (undeclared)"),
    "stale": ("登録されているが見つからないもの（未検出）", "Declared but never seen (stale)"),
    "error": ("スキャンできなかったページ", "Pages that could not be scanned"),
    "ok": ("問題のない送信先", "Recipients without problems"),
}  # fmt: skip
PHASE_NAMES = {"before": ("選択前", "before the choice"), "rejected": ("拒否後", "after reject"),
               "accepted": ("同意後", "after accept"), None: ("全体", "whole scan")}  # fmt: skip


def render(report: dict[str, Any]) -> str:
    """The report as one HTML page (inline CSS, no script, nothing loaded from elsewhere)."""
    by_kind = {k: [f for f in report["findings"] if f["kind"] == k] for k in KINDS}
    return _ENV.get_template("report.html.j2").render(
        r=report,
        by_kind=by_kind,
        kinds=KINDS,
        phases=PHASES,
        titles=TITLES,
        phase_names=PHASE_NAMES,
        subject=subject,
        explain=explain,
    )
