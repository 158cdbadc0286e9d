"""Pure rules: a scan's observations against the registry give findings and an exit status.

- **violation**: something non-essential (declared by a recipient or category that is not
  required, or a catalogue tag nobody declares) seen before the choice or after 拒否する:
  one finding per page, phase and host / cookie / storage key, with the exact request and
  the script or element that made it;
- **undeclared**: a third-party host, cookie or storage key nothing declares: one finding
  per host / cookie / key over the whole scan, with a catalogue proposal when one fits;
- **stale**: a recipient none of whose declarations was seen in any phase, or a declared
  cookie / storage key never seen (judged only when some page reached 同意する);
- **error**: a page that could not be scanned (unreachable, timeout, off-site redirect,
  HTTP error, no banner), or a scan stopped by its time limit;
- **ok**: a declared recipient seen, and never before the choice or after a refusal.

Exit status: 1 if any violation, else 2 if any undeclared, stale or error, else 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from cmp.scan import KINDS, PHASES
from cmp.scan.declared import Registry

WHATS = ("request", "cookie", "storage")
_LISTS = {"request": "requests", "cookie": "cookies", "storage": "storage"}


class Proposer(Protocol):
    """What the rules need of the catalogue."""

    def match(self, what: str, item: dict[str, Any]) -> dict[str, Any] | None:
        """The catalogue entry covering ``item``, or None."""

    def proposal(self, entry: dict[str, Any], via: str = "") -> dict[str, Any]:
        """The proposal (a recipient entry to review) made from ``entry``."""

    def sender(self, chain: Sequence[str]) -> tuple[dict[str, Any], str] | None:
        """The catalogue tag nearest the end of ``chain`` (not a loader) and its URL."""


def identity(what: str, item: dict[str, Any]) -> str:
    """What one finding is about: a host, a cookie ``name@domain``, or ``area:key``."""
    if what == "request":
        return item["host"]
    if what == "cookie":
        return f"{item['name']}@{item['domain']}"
    return f"{item['area']}Storage:{item['key']}"


def finding(
    kind: str, what: str, detail: dict[str, Any], page: str | None = None, phase: str | None = None
) -> dict[str, Any]:
    """One finding in the report's shape."""
    return {"kind": kind, "phase": phase, "page": page, "what": what, "detail": detail}


def _evidence(what: str, item: dict[str, Any]) -> dict[str, Any]:
    """The fields of an observation a finding repeats (the exact request, the cookie)."""
    if what == "request":
        keep = ("host", "domain", "url", "type", "method", "beacon", "initiator", "chain", "tag")
    elif what == "cookie":
        keep = ("name", "domain", "party", "session", "lifetime_days", "stored", "initiator",
                "chain", "tag")  # fmt: skip
    else:
        keep = ("area", "key", "origin", "initiator", "chain", "tag")
    return {k: item.get(k) for k in keep}


class _Tally:
    """Accumulates findings while the pages are walked once."""

    def __init__(self, registry: Registry, catalogue: Proposer) -> None:
        self.registry, self.catalogue = registry, catalogue
        self.violations: dict[tuple[str, str, str, str], dict[str, Any]] = {}
        self.undeclared: dict[tuple[str, str], dict[str, Any]] = {}
        self.seen: dict[str, set[str]] = {}
        self.patterns: set[tuple[str, str, str]] = set()
        self.violating: set[str] = set()
        self.owned: dict[str, dict[str, Any]] = {}

    def observe(self, page: str, phase: str, what: str, item: dict[str, Any]) -> None:
        """Classify one observation: note its owner as seen, or add it to the undeclared;
        count a violation when it is non-essential and the phase is not ``accepted``."""
        hit = self.registry.match(what, item)
        ident = identity(what, item)
        entry = None
        if hit is not None:
            decl, pattern = hit
            if decl.owner.kind == "cmp":
                return
            self.seen.setdefault(decl.owner.key, set()).add(phase)
            self.patterns.add((decl.owner.key, what, pattern))
            if decl.owner.kind == "recipient":
                self._own(decl.owner.key, "declared", decl.owner.names(), what, item)
            owner: dict[str, Any] = {"owner": decl.owner.key, "category": decl.owner.category,
                                     **decl.owner.names()}  # fmt: skip
            essential = decl.owner.essential
        else:
            entry = self.catalogue.match(what, item)
            owner = {"owner": None, "category": entry["category"] if entry else None}
            if entry is not None:
                owner["vendor_name"] = dict(entry["service"])
            essential = entry is None  # unknown: undeclared, not proven non-essential
            key = (what, ident)
            agg = self.undeclared.get(key)
            if agg is None:
                agg = finding("undeclared", what, {**_evidence(what, item), "pages": []}, page)
                agg["phase"], agg["detail"]["phases"] = phase, []
                if entry is not None:
                    agg["proposal"] = self.catalogue.proposal(entry)
                elif (sent := self.catalogue.sender(item.get("chain") or [])) is not None:
                    # Sent or written by a tag the catalogue knows (ytag.js's beacon host, a
                    # cookie name the entry does not list): that tag's entry is the proposal.
                    agg["proposal"] = self.catalogue.proposal(*sent)
                self.undeclared[key] = agg
            for name, value in (("pages", page), ("phases", phase)):
                if value not in agg["detail"][name]:
                    agg["detail"][name].append(value)
        if essential or phase == "accepted":
            return
        key = (page, phase, what, ident)
        found = self.violations.get(key)
        if found is None:
            detail = {**_evidence(what, item), **owner, "count": 0}
            if entry is not None:
                detail["vendor"] = entry["key"]
            found = self.violations[key] = finding("violation", what, detail, page, phase)
            if owner["owner"]:
                self.violating.add(owner["owner"])
        found["detail"]["count"] += 1

    def _own(self, key: str, kind: str, names: dict[str, Any], what: str, item: dict) -> None:
        group = self.owned.setdefault(key, {"owner": key, "kind": kind, **names,
                                            "hosts": [], "cookies": [], "storage": []})  # fmt: skip
        name = {"request": item.get("host"), "cookie": item.get("name"),
                "storage": item.get("key")}[what]  # fmt: skip
        field = {"request": "hosts", "cookie": "cookies", "storage": "storage"}[what]
        if name and name not in group[field]:
            group[field].append(name)

    def notice(self) -> list[dict[str, Any]]:
        """What the 外部送信 notice must cover, per recipient: the declared recipients seen
        (with the hosts, cookies and keys seen of each), then the undeclared observations
        grouped by the catalogue entry proposed for them, then those nobody knows."""
        for agg in self.undeclared.values():
            prop = agg.get("proposal")
            if prop:
                r = prop["recipient"]
                names = {"owner_name": dict(r["service"]), "category_name": {}}
                key, kind = prop["vendor"], "proposed"
            else:
                key, kind, names = "", "unknown", {"owner_name": {}, "category_name": {}}
            self._own(f"{kind}:{key}", kind, {**names, "vendor": key or None}, agg["what"],
                      agg["detail"])  # fmt: skip
        order = {"declared": 0, "proposed": 1, "unknown": 2}
        return sorted(self.owned.values(), key=lambda g: order[g["kind"]])

    def stale_and_ok(self, judged: bool) -> list[dict[str, Any]]:
        """Stale findings (only when ``judged``: some page reached 同意する) and ok ones."""
        out: list[dict[str, Any]] = []
        for decl in self.registry.declarations:
            key, kind = decl.owner.key, decl.owner.kind
            if kind == "cmp" or decl.empty:
                continue
            base = {"owner": key, "owner_kind": kind, "category": decl.owner.category,
                    **decl.owner.names()}  # fmt: skip
            if kind == "recipient" and key not in self.seen:
                if judged:
                    declared = {"hosts": decl.hosts, "cookies": decl.cookies}
                    out.append(finding("stale", "recipient", {**base, **declared}))
                continue
            for what in ("cookie", "storage"):
                for pattern in decl.patterns(what):
                    if judged and (key, what, pattern) not in self.patterns:
                        out.append(finding("stale", what, {**base, "pattern": pattern}))
            if kind == "recipient" and key not in self.violating:
                phases = [p for p in PHASES if p in self.seen[key]]
                out.append(finding("ok", "recipient", {**base, "phases": phases}))
        return out


def evaluate(
    pages: Sequence[dict[str, Any]],
    registry: Registry,
    catalogue: Proposer,
    errors: Iterable[dict[str, Any]] = (),
) -> list[dict[str, Any]]:
    """Return every finding of a scan, violations first (see the module docstring)."""
    return assess(pages, registry, catalogue, errors)[0]


def assess(
    pages: Sequence[dict[str, Any]],
    registry: Registry,
    catalogue: Proposer,
    errors: Iterable[dict[str, Any]] = (),
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return every finding of a scan, violations first (see the module docstring), and
    what the 外部送信 notice must cover per recipient (:meth:`_Tally.notice`).

    ``pages`` are the report's pages (each with ``url``, ``error`` and ``phases``);
    ``errors`` are scan-wide error findings (a time limit reached).
    """
    tally = _Tally(registry, catalogue)
    out: list[dict[str, Any]] = list(errors)
    judged = False
    for page in pages:
        if page.get("error"):
            error = dict(page["error"])
            out.append(finding("error", "page", error, page["url"], error.get("phase")))
        for phase in PHASES:
            data = (page.get("phases") or {}).get(phase)
            if not data:
                continue
            judged = judged or phase == "accepted"
            for what in WHATS:
                for item in data.get(_LISTS[what], []):
                    tally.observe(page["url"], phase, what, item)
    out += tally.violations.values()
    out += tally.undeclared.values()
    out += tally.stale_and_ok(judged)
    order = {k: n for n, k in enumerate(KINDS)}
    return sorted(out, key=lambda f: order[f["kind"]]), tally.notice()


def summary(findings: Iterable[dict[str, Any]]) -> dict[str, int]:
    """How many findings of each kind."""
    counts = dict.fromkeys(KINDS, 0)
    for f in findings:
        counts[f["kind"]] += 1
    return counts


def exit_status(findings: Iterable[dict[str, Any]]) -> int:
    """0 clean, 1 any violation, 2 undeclared, stale or error findings only."""
    counts = summary(findings)
    if counts["violation"]:
        return 1
    if counts["undeclared"] or counts["stale"] or counts["error"]:
        return 2
    return 0
