"""The built-in tag catalogue (``catalogue.json``): common tags and the recipient entry each
proposes for the 外部送信 notice.

Each entry names the company (ja/en), the service, the country, the items it receives, the
typical purposes, the policy and opt-out URLs, the hosts, cookies and storage keys by which
the scanner recognises it, and the vendor documentation it was written from (``source``).
Proposals are for the operator to review; adopting one creates a recipient (admin).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from cmp.model import Recipient
from cmp.scan.declared import matches

PATH = Path(__file__).with_name("catalogue.json")
_WHAT = {"request": "hosts", "cookie": "cookies", "storage": "storage"}


class Catalogue:
    """The entries of one catalogue file, matched by host, cookie name or storage key."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.about: str = doc.get("about", "")
        self.entries: list[dict[str, Any]] = list(doc["entries"])
        self.by_key = {e["key"]: e for e in self.entries}

    def matching(self, what: str, item: dict[str, Any]) -> list[dict[str, Any]]:
        """Every entry covering ``item``, the most specific pattern first."""
        found: list[tuple[int, int, dict[str, Any]]] = []
        for n, entry in enumerate(self.entries):
            lengths = [len(p) for p in entry[_WHAT[what]] if matches(what, item, p)]
            if lengths:
                found.append((-max(lengths), n, entry))
        return [entry for *_, entry in sorted(found, key=lambda f: f[:2])]

    def match(self, what: str, item: dict[str, Any]) -> dict[str, Any] | None:
        """The entry covering ``item`` best, or None."""
        found = self.matching(what, item)
        if not found:
            return None
        best = dict(found[0])
        best["_alternatives"] = [e["key"] for e in found[1:]]
        return best

    def proposal(self, entry: dict[str, Any]) -> dict[str, Any]:
        """The proposal a finding carries: the vendor, the recipient entry to review, the
        source, and other entries the same observation fits."""
        base = self.by_key[entry["key"]]
        return {
            "vendor": base["key"],
            "recipient": recipient_of(base, base["category"]).to_dict(),
            "source": base["source"],
            "note": base.get("note", ""),
            "alternatives": list(entry.get("_alternatives", [])),
        }


@cache
def load() -> Catalogue:
    """The catalogue shipped with cmp."""
    return Catalogue(json.loads(PATH.read_text(encoding="utf-8")))


def recipient_of(entry: dict[str, Any], category: str, key: str = "") -> Recipient:
    """The recipient an entry proposes, under ``category`` (the site's own key for it).

    A recipient abroad gets empty foreign-system texts: the operator writes them (APPI
    Art. 28(2): the country's system and the recipient's measures) before the next policy
    version."""
    foreign = {"system": {}, "measures": {}} if entry.get("foreign") else None
    return Recipient(
        key=key or entry["key"],
        category=category,
        name=dict(entry["company"]),
        service=dict(entry["service"]),
        country=dict(entry["country"]),
        foreign=foreign,
        items={lang: list(v) for lang, v in entry["items"].items()},
        purpose=dict(entry["purpose"]),
        recipient_purpose=dict(entry["recipient_purpose"]),
        policy_url=entry.get("policy_url", ""),
        opt_out_url=entry.get("opt_out_url", ""),
        hosts=list(entry["hosts"]),
        cookies=list(entry["cookies"]),
        storage=list(entry["storage"]),
    )
