"""The storage layer depends on nothing above it: only the model, the clock, the receipt
chain and the scanner's record type (besides itself and its drivers); each URL scheme opens
its own backend class."""

from __future__ import annotations

import ast
from pathlib import Path

from cmp.storage import Storage

STORAGE = Path(__file__).resolve().parent.parent / "cmp" / "storage"
#: The cmp modules below storage, which storage may import.
BELOW = ("cmp.model", "cmp.clock", "cmp.chain", "cmp.scan.model")


def _cmp_imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            found.update(n for n in names if n == "cmp" or n.startswith("cmp."))
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("cmp."))
    return found


def _allowed(name: str) -> bool:
    if name == "cmp" or name.startswith("cmp.storage"):
        return True
    return any(name == b or name.startswith(b + ".") for b in BELOW)


def test_storage_imports_only_what_lies_below_it() -> None:
    upward = {
        f"{path.relative_to(STORAGE)}: {name}"
        for path in sorted(STORAGE.rglob("*.py"))
        for name in _cmp_imports(path)
        if not _allowed(name)
    }
    assert not upward, sorted(upward)


def test_each_scheme_opens_its_own_class(store: Storage, backend: str) -> None:
    expected = {
        "sqlite": "SQLiteStorage",
        "redis": "RedisStorage",
        "cluster": "RedisClusterStorage",
    }
    assert type(store).__name__ == expected[backend]
