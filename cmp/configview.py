"""The first-layer view of the site config (``GET …/config?view=banner``), and how a config
document is encoded for the wire.

A first visit downloads cmp.js and the config before the banner can show (issue 10: at most
7,000 bytes together). The first layer needs only part of the config: the texts it and the
iframe placeholder show, each category's switches of the rules (not its description), each
recipient's key, name, category and version (and, for a recipient that links personal data,
the facts the first layer lists, APPI Art. 31). The settings layer fetches the full document
when the visitor opens it (banner/settings.js), so nothing the visitor can see is missing.
Pure: no I/O.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import brotli

#: The texts the first layer and the iframe placeholder show (banner/dialog.js, tags.js).
FIRST_LAYER_TEXTS = (
    "title",
    "body",
    "accept_all",
    "reject_all",
    "settings",
    "gpc_note",
    "privacy_policy",
    "external_transmission",
    "linking_title",
    "linking_body",
    "items_label",
    "purpose_label",
    "recipient_purpose_label",
    "country_label",
    "system_label",
    "measures_label",
    "iframe_placeholder",
    "iframe_button",
)
#: Every recipient's fields the first layer's rules and the placeholder use.
RECIPIENT_FIELDS = ("key", "name", "service", "category", "links_personal_data", "since")
#: What the first layer lists of a recipient that links personal data (Art. 31 consent).
LINKING_FIELDS = ("items", "purpose", "recipient_purpose", "country", "foreign")
#: Whole-document fields the first layer does not use (shown by the settings only).
SETTINGS_ONLY = ("joint_use",)

VIEWS = ("full", "banner")


def banner_view(doc: dict[str, Any]) -> dict[str, Any]:
    """Return the first-layer subset of a full config document (same keys, fewer fields)."""
    out = {k: v for k, v in doc.items() if k not in SETTINGS_ONLY}
    out["categories"] = [
        {k: v for k, v in c.items() if k != "description"} for c in doc["categories"]
    ]
    out["recipients"] = [
        {
            k: r[k]
            for k in RECIPIENT_FIELDS + (LINKING_FIELDS if r["links_personal_data"] else ())
            if k in r
        }
        for r in doc["recipients"]
    ]
    texts = doc.get("texts") or {}
    out["texts"] = {k: texts[k] for k in FIRST_LAYER_TEXTS if k in texts}
    return out


#: Brotli quality of the first-layer view: its best. On the demo view 11 is 3 % smaller than
#: 10 (1,488 B vs 1,530 B) for about 1 ms more CPU (5.7 ms vs 4.6 ms), spent once per
#: cache entry (:mod:`cmp.configcache`), not per request.
BROTLI_QUALITY = 11


@dataclass(frozen=True)
class Encoded:
    """One representation of a document: plain, gzip and (optionally) brotli bodies, each
    with its own strong ETag (another encoding is another representation)."""

    body: bytes
    gzipped: bytes
    etag: str
    brotli: bytes | None = None

    @property
    def etag_gzip(self) -> str:
        """The ETag of the gzip body."""
        return f"{self.etag}-gz"

    def pick(self, accepts: Callable[[str], bool]) -> tuple[bytes, str, str]:
        """Return (body, Content-Encoding or "", ETag) for what the client accepts."""
        if self.brotli is not None and accepts("br"):
            return self.brotli, "br", f"{self.etag}-br"
        if accepts("gzip"):
            return self.gzipped, "gzip", self.etag_gzip
        return self.body, "", self.etag


def encode(doc: dict[str, Any], tag: str = "", *, with_brotli: bool = False) -> Encoded:
    """Serialise compactly (UTF-8 kept) and compress once; ``tag`` tells views apart in
    ETags. Brotli (smaller than gzip by a sixth on Japanese texts) for the view a first
    visit waits for."""
    body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    etag = hashlib.sha256(body).hexdigest()[:32] + tag
    packed = brotli.compress(body, quality=BROTLI_QUALITY) if with_brotli else None
    return Encoded(body, gzip.compress(body, compresslevel=9, mtime=0), etag, packed)
