"""static/cmp.js is the build of banner/ (never edited by hand), and the source keeps the
rules of docs/banner.md: no eval, no inline style, no HTML strings.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "banner"


def test_committed_build_matches_a_fresh_build() -> None:
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "esbuild").exists():
        pytest.fail("node or node_modules missing: run `make build` (it runs npm ci)")
    done = subprocess.run(
        [node, str(SOURCE / "build.mjs"), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def test_source_has_no_eval_inline_style_or_html() -> None:
    forbidden = re.compile(
        r"\beval\(|new Function|\.style\b|innerHTML|outerHTML|insertAdjacentHTML"
    )
    for path in sorted(SOURCE.glob("*.js")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            assert not forbidden.search(line), f"{path.name}:{number}: {line.strip()}"


def test_every_source_module_says_what_it_is() -> None:
    for path in sorted(SOURCE.glob("*.js")) + sorted(SOURCE.glob("*.css")) + [SOURCE / "build.mjs"]:
        assert path.read_text().lstrip().startswith("/*"), f"{path.name} has no header comment"
