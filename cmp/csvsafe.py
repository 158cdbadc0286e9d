"""Every CSV cmp writes goes through here: cells a spreadsheet would run as a formula are
neutralised (CSV / formula injection, OWASP's rule).

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (or their
full-width forms, which Japanese input produces and spreadsheet software may read the same
way) is written with a leading apostrophe, so Excel, LibreOffice and Google Sheets show the
text instead of evaluating it. The rule is reversible: a text that already begins with
apostrophes before such a character gets one more, and :func:`restore` takes exactly one
off, so :func:`cmp.records.parse_csv` reads back what was stored.

Numbers (counts, rates) are not text and are written as they are.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

#: First characters that make a spreadsheet treat a cell as a formula.
TRIGGERS = "=+-@\t\r\uff1d\uff0b\uff0d\uff20"
_RISKY = re.compile(f"^'*[{re.escape(TRIGGERS)}]")
_GUARDED = re.compile(f"^'+[{re.escape(TRIGGERS)}]")


def cell(value: Any) -> Any:
    """Return ``value`` as it may go into a CSV cell (text neutralised, numbers kept)."""
    if isinstance(value, str) and _RISKY.match(value):
        return "'" + value
    return value


def restore(text: str) -> str:
    """Undo :func:`cell` on a cell read back from a CSV cmp wrote."""
    return text[1:] if _GUARDED.match(text) else text


class Writer:
    """A :func:`csv.writer` whose every row goes through :func:`cell` first."""

    def __init__(self, out: Any, **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        """Write one row, neutralised."""
        return self._writer.writerow([cell(v) for v in row])
