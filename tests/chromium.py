"""Where Debian's Chromium lives and the flags it needs as root with no network (TESTING.md)."""

from __future__ import annotations

CHROMIUM = "/usr/bin/chromium"
#: Flags that work as root with no network (see TESTING.md).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
