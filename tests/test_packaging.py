"""A non-editable install (the wheel) carries static/, templates/ and the storage layer's Lua
scripts, and serves the banner."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import cmp, sys
from cmp import create_app
app = create_app({"TESTING": True, "SECRET_KEY": "x" * 20, "STORE_URL": sys.argv[1]})
client = app.test_client()
js = client.get("/cmp.js")
assert js.status_code == 200 and b"data-site" in js.data, js.status_code
assert client.get("/cmp-settings.js").status_code == 200  # the settings layer beside it
from cmp.storage import lua  # the Redis backends' scripts are package files
assert "decide" in lua.names() and "KEYS[1]" in lua.source("decide"), lua.names()
print(cmp.__file__)
"""


def test_wheel_serves_the_banner(tmp_path: Path) -> None:
    wheels, target = tmp_path / "wheels", tmp_path / "target"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(wheels.glob("cmp-*.whl"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    done = subprocess.run(
        [sys.executable, "-c", PROBE, f"sqlite:///{tmp_path / 'w.sqlite3'}"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith(str(target))
