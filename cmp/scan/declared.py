"""What the registry declares, as the scanner reads it: who owns a host, a cookie, a key.

A recipient declares the hosts its tags contact (a host covers its subdomains) and the
cookies and storage keys they set (``*`` globs, like ``_ga_*``); a category declares
cookies too. Whatever a recipient or category of a required (essential) category declares
is essential. cmp's own cookie and keys (``cmp_*``) and the cmp server's host belong to cmp.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from cmp.model import Category, Recipient
from cmp.scan.domains import host_matches

#: The banner's own cookie and storage keys (``cmp_consent``, ``cmp_queue``, ``cmp_sync:…``).
CMP_PATTERNS = ("cmp_*",)


@dataclass(frozen=True)
class Owner:
    """Whoever declares an observation: a recipient, a category, or cmp itself."""

    key: str
    kind: str  # "recipient" | "category" | "cmp"
    category: str
    essential: bool
    #: What the report says for a person: the recipient's (or category's) name and the
    #: category's name, ja and en.
    name: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    category_name: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def names(self) -> dict[str, Any]:
        """The names a finding carries: ``owner_name`` and ``category_name``."""
        return {"owner_name": dict(self.name), "category_name": dict(self.category_name)}


@dataclass
class Declaration:
    """One owner's declared hosts, cookies and storage keys."""

    owner: Owner
    hosts: list[str] = field(default_factory=list)
    cookies: list[str] = field(default_factory=list)
    storage: list[str] = field(default_factory=list)

    def patterns(self, what: str) -> list[str]:
        """The declared patterns for ``what`` (request, cookie or storage)."""
        return {"request": self.hosts, "cookie": self.cookies, "storage": self.storage}[what]

    @property
    def empty(self) -> bool:
        """True if nothing is declared (the scanner cannot check this owner)."""
        return not (self.hosts or self.cookies or self.storage)


def matches(what: str, item: dict[str, Any], pattern: str) -> bool:
    """True if the observation ``item`` of kind ``what`` matches a declared ``pattern``."""
    if what == "request":
        return host_matches(item["host"], pattern, item.get("path") or "/")
    name = item["name"] if what == "cookie" else item["key"]
    return fnmatchcase(name, pattern.strip())


@dataclass
class Registry:
    """Every declaration of a site, in a fixed order: cmp, recipients, categories."""

    declarations: list[Declaration]

    def match(self, what: str, item: dict[str, Any]) -> tuple[Declaration, str] | None:
        """The declaration (and its pattern) that covers ``item``, or None: the longest
        matching pattern wins (``www.googletagmanager.com/gtag/js`` over the bare host),
        then the first in order (cmp, recipients, categories)."""
        best: tuple[Declaration, str] | None = None
        for decl in self.declarations:
            for pattern in decl.patterns(what):
                if matches(what, item, pattern) and (best is None or len(pattern) > len(best[1])):
                    best = decl, pattern
        return best

    def recipients(self) -> Iterable[Declaration]:
        """The recipients' declarations."""
        return (d for d in self.declarations if d.owner.kind == "recipient")


def registry_of(
    categories: Sequence[Category], recipients: Sequence[Recipient], cmp_hosts: Iterable[str] = ()
) -> Registry:
    """Build the declarations of a site from its categories and recipients; ``cmp_hosts``
    are the hosts cmp itself is served from (the banner's script and API)."""
    required = {c.key for c in categories if c.required}
    named = {c.key: dict(c.name) for c in categories}
    cmp = Owner("cmp", "cmp", "essential", True, {"ja": "cmp", "en": "cmp"})
    decls = [Declaration(cmp, sorted(set(cmp_hosts)), list(CMP_PATTERNS), list(CMP_PATTERNS))]
    for r in recipients:
        owner = Owner(r.key, "recipient", r.category, r.category in required, dict(r.name),
                      named.get(r.category, {}))  # fmt: skip
        decls.append(Declaration(owner, list(r.hosts), list(r.cookies), list(r.storage)))
    for c in categories:
        owner = Owner(c.key, "category", c.key, c.required, dict(c.name), dict(c.name))
        decls.append(Declaration(owner, [], list(c.cookies), []))
    return Registry(decls)
