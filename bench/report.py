"""Write one benchmark's results into its own section of docs/benchmarks.md."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
HEADER = (
    "# Benchmarks\n\n"
    "Produced by `make bench` on the development machine (2 shared cores). Figures are\n"
    "ratios measured within one run wherever the target is a ratio: absolute numbers move\n"
    "with whatever else the machine is doing.\n"
)


def write_section(name: str, body: str) -> Path:
    """Replace (or append) the ``<!-- name -->`` section of the benchmarks page."""
    DOC.parent.mkdir(parents=True, exist_ok=True)
    text = DOC.read_text() if DOC.exists() else HEADER
    begin, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    section = f"{begin}\n{body.rstrip()}\n{end}"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else f"{text}\n{section}\n"
    DOC.write_text(text)
    return DOC
