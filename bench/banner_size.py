"""Bytes a first visit downloads from cmp before the config: ``/cmp.js`` (CSS and ja/en strings
inside), raw and gzip -9, against the peers of ANCHORS.md. Target: <= 7,000 bytes gzip.

Run ``python -m bench.banner_size``; it prints a table and writes it into docs/benchmarks.md
and docs/banner.md. The served bytes are checked to be the file's (``/cmp.js`` sends
``static/cmp.js`` unchanged, gzip-encoded when the client accepts it).
"""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BANNER = ROOT / "static" / "cmp.js"
BANNER_DOC = ROOT / "docs" / "banner.md"
TARGET_GZIP = 7_000

#: Peers' built files (raw, gzip -9), from ANCHORS.md.
PEERS = [
    ("Klaro 0.7.22 `klaro.js` (JS + CSS + translations)", 235_942, 68_892),
    ("tarteaucitron core + services", 282_362, 53_621),
    ("vanilla-cookieconsent 3.1 JS + CSS", 55_525, 15_449),
    ("osano cookieconsent 3.1.1 JS + CSS (no categories)", 24_854, 8_077),
]


def gzip9(data: bytes) -> int:
    """Size of ``data`` compressed by ``gzip -9 -n`` (zlib level 9 if gzip is missing)."""
    tool = shutil.which("gzip")
    if tool:
        done = subprocess.run([tool, "-9", "-n", "-c"], input=data, capture_output=True, check=True)
        return len(done.stdout)
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def served_bytes() -> tuple[int, int]:
    """Bytes ``GET /cmp.js`` sends, plain and with ``Accept-Encoding: gzip``."""
    from cmp import create_app

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {"TESTING": True, "SECRET_KEY": "bench-" * 4, "STORE_URL": f"sqlite:///{tmp}/b.db"}
        )
        try:
            client = app.test_client()
            plain = client.get("/cmp.js").get_data()
            zipped = client.get("/cmp.js", headers={"Accept-Encoding": "gzip"}).get_data()
        finally:
            app.extensions["cmp.store"].close()
    assert plain == BANNER.read_bytes(), "/cmp.js must serve static/cmp.js unchanged"
    assert gzip.decompress(zipped) == plain
    return len(plain), len(zipped)


def write_section(path: Path, name: str, body: str) -> None:
    """Replace (or append) the ``<!-- name -->`` … ``<!-- /name -->`` section of ``path``."""
    begin, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    section = f"{begin}\n{body.rstrip()}\n{end}"
    text = path.read_text() if path.exists() else ""
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else f"{text}\n{section}\n"
    path.write_text(text)


def report() -> str:
    """Measure and return the Markdown table."""
    data = BANNER.read_bytes()
    raw, packed = len(data), gzip9(data)
    served_plain, served_gzip = served_bytes()
    verdict = "meets" if packed <= TARGET_GZIP else "MISSES"
    rows = [
        "## Banner weight (issue 3)",
        "",
        "What a first visit downloads from cmp before the config: `/cmp.js`, which carries its",
        "CSS and its built-in ja/en strings (no other file). `python -m bench.banner_size`.",
        "",
        "| bundle | raw bytes | gzip -9 bytes |",
        "|---|---:|---:|",
        f"| **cmp `cmp.js` (JS + CSS + ja/en strings)** | **{raw:,}** | **{packed:,}** |",
    ]
    rows += [f"| {name} | {r:,} | {g:,} |" for name, r, g in PEERS]
    rows += [
        "",
        f"Target <= {TARGET_GZIP:,} bytes gzip: {verdict} it ({packed:,}). `GET /cmp.js` sends "
        f"the file unchanged: {served_plain:,} bytes, or {served_gzip:,} gzip-encoded "
        "(Python's zlib at level 9).",
    ]
    return "\n".join(rows)


def main() -> None:
    """Print the table and write it into docs/benchmarks.md and docs/banner.md."""
    from bench.report import write_section as write_benchmarks

    body = report()
    print(body)
    write_benchmarks("banner-size", body)
    write_section(BANNER_DOC, "banner-size", body.replace("## ", "### ", 1))


if __name__ == "__main__":
    main()
