"""The built-in tag catalogue (``catalogue.json``): common tags and the recipient entry each
proposes for the 外部送信 notice.

Each entry names the company (ja/en), the service, the country, the items it receives, the
typical purposes, the policy and opt-out URLs, the hosts, cookies and storage keys by which
the scanner recognises it, and the vendor documentation it was written from (``source``).
Proposals are for the operator to review; adopting one creates a recipient (admin).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cmp.model import Recipient
from cmp.scan.declared import matches
from cmp.scan.domains import host_of

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

    def proposal(self, entry: dict[str, Any], via: str = "") -> dict[str, Any]:
        """The proposal a finding carries: the vendor, the recipient entry to review, the
        source, and other entries the same observation fits; ``via``: the URL of the tag
        the entry was recognised by, when the observation itself is not in the entry."""
        base = self.by_key[entry["key"]]
        out = {
            "vendor": base["key"],
            "recipient": recipient_of(base, base["category"]).to_dict(),
            "source": base["source"],
            "note": base.get("note", ""),
            "alternatives": list(entry.get("_alternatives", [])),
        }
        if via:
            out["via"] = via
        return out

    def sender(self, chain: Sequence[str]) -> tuple[dict[str, Any], str] | None:
        """The entry of the tag that sent or wrote something, and that tag's URL: the
        script nearest the end of ``chain`` (the initiator first) that an entry covers.
        A loader (Tag Manager) is skipped: what its container runs is not Google's."""
        for url in reversed(chain):
            item = {"host": host_of(url), "path": urlsplit(url).path or "/"}
            found = [e for e in self.matching("request", item) if not e.get("loader")]
            if found:
                best = dict(found[0])
                best["_alternatives"] = [e["key"] for e in found[1:]]
                return best, url
        return None

    def seen(self, report: dict[str, Any], vendor: str) -> dict[str, list[str]]:
        """What ``report`` saw of ``vendor`` that its entry does not list: the hosts,
        cookies and storage keys of the undeclared findings proposing it (first or as an
        alternative), so adopting the proposal declares them too."""
        entry = self.by_key[vendor]
        out: dict[str, list[str]] = {"hosts": [], "cookies": [], "storage": []}
        for f in report.get("findings", []):
            prop = f.get("proposal") or {}
            if f["kind"] != "undeclared" or vendor not in [
                prop.get("vendor"),
                *prop.get("alternatives", []),
            ]:
                continue  # fmt: skip
            what, d = f["what"], f["detail"]
            name = {"request": d.get("host"), "cookie": d.get("name"),
                    "storage": d.get("key")}.get(what)  # fmt: skip
            item = {**d, "path": urlsplit(str(d.get("url") or "")).path or "/"}
            if not name or any(matches(what, item, p) for p in entry[_WHAT[what]]):
                continue
            field = _WHAT[what]
            if name not in out[field]:
                out[field].append(name)
        return out


@cache
def load() -> Catalogue:
    """The catalogue shipped with cmp."""
    return Catalogue(json.loads(PATH.read_text(encoding="utf-8")))


def recipient_of(
    entry: dict[str, Any],
    category: str,
    key: str = "",
    seen: dict[str, list[str]] | None = None,
) -> Recipient:
    """The recipient an entry proposes, under ``category`` (the site's own key for it),
    declaring also what a scan ``seen`` of it (:meth:`Catalogue.seen`).

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
        hosts=[*entry["hosts"], *(seen or {}).get("hosts", [])],
        cookies=[*entry["cookies"], *(seen or {}).get("cookies", [])],
        storage=[*entry["storage"], *(seen or {}).get("storage", [])],
    )
