"""Registrable domains ("eTLD+1") and first/third party, from the Public Suffix List.

``tldextract`` with its bundled snapshot of the list and no fetch (no network at run time):
``www.googletagmanager.com`` → ``googletagmanager.com``, ``b92.yahoo.co.jp`` →
``yahoo.co.jp``. A host without a public suffix (an IP address, ``localhost``) is its own
registrable domain, so ``127.0.0.1`` and ``127.0.0.2`` count as different sites.
"""

from __future__ import annotations

from functools import cache
from urllib.parse import urlsplit


@cache
def _extract():
    import tldextract

    # suffix_list_urls=(): never fetch the list; cache_dir=None: never write a cache.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@cache
def registrable(host: str) -> str:
    """Return the registrable domain of ``host`` (lower case, no port, no leading dot)."""
    host = host.strip().lower().lstrip(".").rstrip(".")
    if not host:
        return ""
    found = _extract()(host)
    return found.top_domain_under_public_suffix or host


def host_of(url: str) -> str:
    """The host name of ``url`` (lower case, no port), or ``""``."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url`` (lower case), or ``""``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if not parts.scheme or not parts.netloc:
        return ""
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def same_site(a: str, b: str) -> bool:
    """True if hosts ``a`` and ``b`` share their registrable domain."""
    return bool(a) and registrable(a) == registrable(b)


def host_matches(host: str, pattern: str, path: str = "/") -> bool:
    """True if ``host`` is ``pattern``'s host or a subdomain of it (``*.`` in front is
    allowed), and ``path`` starts with ``pattern``'s path when it has one:
    ``facebook.net`` and ``*.facebook.net`` match ``connect.facebook.net``;
    ``www.facebook.com/tr`` matches ``www.facebook.com`` with path ``/tr/``."""
    pattern = pattern.strip().lower().removeprefix("*.").lstrip(".")
    want, _, prefix = pattern.partition("/")
    host = host.lower()
    if not want or not (host == want or host.endswith("." + want)):
        return False
    return not prefix or path.startswith("/" + prefix)
