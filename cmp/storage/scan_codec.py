"""How both backends store a scan report: compressed JSON (a 20-page report is a few hundred
KB of JSON)."""

from __future__ import annotations

import json
import zlib
from typing import Any


def pack_report(report: dict[str, Any]) -> bytes:
    """The report as compressed JSON."""
    return zlib.compress(json.dumps(report, ensure_ascii=False).encode(), 6)


def unpack_report(blob: bytes) -> dict[str, Any]:
    """The report from :func:`pack_report`'s bytes."""
    return json.loads(zlib.decompress(blob))
