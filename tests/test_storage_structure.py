"""The storage layer's shape: it depends on nothing above it (only the model, the clock, the
receipt chain and the scanner's record type, besides itself and its drivers); its contract
is small concerns combined, each implemented by every backend in its own modules; each URL
scheme opens its own backend class."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

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


def _backends() -> list[type]:
    from cmp.storage.redis import RedisStorage
    from cmp.storage.redis_cluster import RedisClusterStorage
    from cmp.storage.sqlite import SQLiteStorage

    return [SQLiteStorage, RedisStorage, RedisClusterStorage]


def test_the_contract_is_small_concerns_combined() -> None:
    concerns = [c for c in Storage.__bases__ if c.__module__.startswith("cmp.storage.contract.")]
    assert concerns == list(Storage.__bases__)
    everything = set().union(*(c.__abstractmethods__ for c in concerns))
    assert everything | {"ping", "close"} == set(Storage.__abstractmethods__)
    assert max(len(c.__abstractmethods__) for c in concerns) <= 10


@pytest.mark.parametrize("backend_class", _backends(), ids=lambda c: c.__name__)
def test_each_backend_implements_every_concern_in_its_own_modules(backend_class: type) -> None:
    family = backend_class.__module__.rsplit(".", 1)[1].split("_")[0]  # sqlite or redis
    for concern in Storage.__bases__:
        for name in concern.__abstractmethods__:
            method = getattr(backend_class, name)
            assert not getattr(method, "__isabstractmethod__", False), (concern, name)
            assert method.__module__.startswith(f"cmp.storage.{family}"), (name, method.__module__)
