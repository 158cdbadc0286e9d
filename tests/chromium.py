"""Where Debian's Chromium lives and the flags it needs as root with no network (TESTING.md)."""

from __future__ import annotations

# The flags are the scanner's own list: one place for both the tests and `cmp scan`.
from cmp.scan.browser import CHROMIUM_ARGS  # noqa: F401 - re-exported for the tests

CHROMIUM = "/usr/bin/chromium"
