"""The compliance scanner: load a site as a new visitor, hold what it does against the registry.

- :mod:`.domains` registrable domains (public-suffix list, bundled snapshot, no network);
- :mod:`.declared` what the registry declares (recipients' hosts, cookies, storage keys);
- :mod:`.rules` pure rules: observations in, findings and an exit status out;
- :mod:`.catalogue` the built-in tag catalogue (``catalogue.json``) and its proposals;
- :mod:`.browser` one phase of one page in headless Chromium (Playwright), the only I/O;
- :mod:`.crawl` pages breadth-first, three phases each, bounded in time;
- :mod:`.report` the ``cmp-scan/1`` JSON report and the HTML report.

Importing this package imports nothing heavy: Playwright is loaded by :mod:`.browser` only.
"""

from __future__ import annotations

SCHEMA = "cmp-scan/1"
PHASES = ("before", "rejected", "accepted")
KINDS = ("violation", "undeclared", "stale", "error", "ok")
