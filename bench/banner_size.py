"""Bytes a first visit downloads from cmp before the banner shows: ``/cmp.js`` (CSS and
texts inside) and the site config, compressed as served, against the peers of ANCHORS.md.
Target (issue 10): <= 7,000 bytes for both together.

Run ``python -m bench.banner_size``; it prints a table and writes it into docs/benchmarks.md
and docs/banner.md. The served bytes are checked to be the file's (``/cmp.js`` sends
``static/cmp.js`` unchanged, gzip- or brotli-encoded when the client accepts it), and the
config's first-layer view (``view=banner``) is asked for as a browser asks
(``Accept-Encoding: gzip, deflate, br``, or without br as Chromium does over plain http).
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
TARGET_TOTAL = 7_000

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


def served_bytes() -> dict[str, dict[str, int]]:
    """Bytes of ``GET /cmp.js`` and of the demo config per Accept-Encoding, as served."""
    from cmp import create_app
    from cmp.seed import seed_demo

    sizes: dict[str, dict[str, int]] = {"script": {}, "config": {}, "chunk": {}, "full": {}}
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {"TESTING": True, "SECRET_KEY": "bench-" * 4, "STORE_URL": f"sqlite:///{tmp}/b.db"}
        )
        try:
            seed_demo(app.extensions["cmp.store"], ["http://127.0.0.1:8000"])
            client = app.test_client()
            plain = client.get("/cmp.js").get_data()
            assert plain == BANNER.read_bytes(), "/cmp.js must serve static/cmp.js unchanged"
            for label, accept in (("identity", ""), ("http", "gzip, deflate"), ("https", ENC)):
                headers = {"Accept-Encoding": accept, "Origin": "http://127.0.0.1:8000"}
                for kind, path in (
                    ("script", "/cmp.js"),
                    ("config", "/api/v1/sites/demo/config?lang=ja&view=banner"),
                    ("chunk", "/cmp-settings.js"),
                    ("full", "/api/v1/sites/demo/config?lang=ja"),
                ):
                    answer = client.get(path, headers=headers)
                    sizes[kind][label] = len(answer.get_data())
                    sizes[kind][label + ":enc"] = answer.headers.get("Content-Encoding", "-")
        finally:
            app.extensions["cmp.store"].close()
    return sizes


ENC = "gzip, deflate, br, zstd"


def write_section(path: Path, name: str, body: str) -> None:
    """Replace (or append) the ``<!-- name -->`` … ``<!-- /name -->`` section of ``path``."""
    begin, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    section = f"{begin}\n{body.rstrip()}\n{end}"
    text = path.read_text() if path.exists() else ""
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else f"{text}\n{section}\n"
    path.write_text(text)


def report() -> str:
    """Measure and return the Markdown section."""
    data = BANNER.read_bytes()
    raw, packed = len(data), gzip9(data)
    sizes = served_bytes()
    js, cfg = sizes["script"], sizes["config"]
    http_total = js["http"] + cfg["http"]
    https_total = js["https"] + cfg["https"]
    verdict = "meets" if https_total <= TARGET_TOTAL else "MISSES"
    enc = lambda kind, label: sizes[kind][label + ":enc"]  # noqa: E731
    rows = [
        "## Banner weight (issue 10)",
        "",
        "What a first visit downloads from cmp before the banner shows: `/cmp.js` (JS, CSS,",
        "the few texts the config lacks) and the config's first-layer view",
        "(`/api/v1/sites/demo/config?lang=ja&view=banner`, demo site), as served. The config",
        "request starts in the task right after the script has run (nothing else comes before",
        "it; or at once, with the preload of docs/banner.md); the two are the only requests.",
        "The on-demand chunk (`/cmp-settings.js`: settings layer, decision sender, opt-out sync,",
        "withdrawal cleanup, iframe placeholder) comes only after the banner shows: when the",
        "visitor aims at a button or decides, or for a blocked iframe's placeholder; the full",
        "config only for the settings (rows below the total). `python -m bench.banner_size`.",
        "",
        "| what | identity | http (`gzip, deflate`) | https (`… br`) |",
        "|---|---:|---:|---:|",
        f"| `cmp.js` | {js['identity']:,} | {js['http']:,} ({enc('script', 'http')}) "
        f"| {js['https']:,} ({enc('script', 'https')}) |",
        f"| config | {cfg['identity']:,} | {cfg['http']:,} ({enc('config', 'http')}) "
        f"| {cfg['https']:,} ({enc('config', 'https')}) |",
        f"| **total** | {js['identity'] + cfg['identity']:,} | **{http_total:,}** "
        f"| **{https_total:,}** |",
        f"| later, on demand: `cmp-settings.js` | {sizes['chunk']['identity']:,} "
        f"| {sizes['chunk']['http']:,} ({enc('chunk', 'http')}) "
        f"| {sizes['chunk']['https']:,} ({enc('chunk', 'https')}) |",
        f"| later, on 設定: full config | {sizes['full']['identity']:,} "
        f"| {sizes['full']['http']:,} ({enc('full', 'http')}) "
        f"| {sizes['full']['https']:,} ({enc('full', 'https')}) |",
        "",
        f"`cmp.js` alone: {raw:,} bytes, {packed:,} gzip -9. Peers (their built files, no",
        "config request; ANCHORS.md):",
        "",
        "| bundle | raw bytes | gzip -9 bytes |",
        "|---|---:|---:|",
    ]
    rows += [f"| {name} | {r:,} | {g:,} |" for name, r, g in PEERS]
    rows += [
        "",
        f"Target <= {TARGET_TOTAL:,} bytes for script and config together: {verdict} it "
        f"({https_total:,} over https, {http_total:,} over plain http).",
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
