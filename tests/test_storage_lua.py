"""The Redis backends' Lua scripts: package files that compile, each with a header naming
its KEYS and ARGV, and none carrying a width copied from a Python codec."""

from __future__ import annotations

import re

import pytest

from cmp.storage import lua
from cmp.storage.receipt_codec import HEADER
from cmp.storage.records_codec import VID_WIDTH
from tests.servers import RedisServer

#: Scripts that use the shared alias rule, which :func:`lua.source` puts in front of them.
RULED = {"decide", "claim_alias"}


def _split(text: str) -> tuple[str, str]:
    """Return a script's leading comment (after its shebang line, if any) and the rest."""
    lines = text.splitlines()
    if lines and lines[0].startswith("#!"):
        lines = lines[1:]
    n = next((i for i, line in enumerate(lines) if not line.startswith("--")), len(lines))
    return "\n".join(lines[:n]), "\n".join(lines[n:])


@pytest.mark.parametrize("name", lua.names())
def test_script_names_its_keys_and_argv(name: str) -> None:
    header, body = _split(lua.source(name))
    assert header, f"{name}.lua has no header comment"
    for kind in ("KEYS", "ARGV"):
        if kind in body:
            assert f"{kind}[" in header, f"{name}.lua uses {kind} without naming them"


@pytest.mark.parametrize("name", lua.names())
def test_shebang_only_on_line_one_of_a_script_sent_alone(name: str) -> None:
    # Redis reads flags only from a shebang on the script's first line, so a flagged
    # script cannot have a shared rule put in front of it.
    text = lua.source(name)
    assert "#!" not in text.split("\n", 1)[-1], f"{name}.lua has a shebang past line 1"
    assert not (text.startswith("#!") and name in RULED), f"{name}.lua is flagged and ruled"


@pytest.mark.parametrize("name", lua.names())
def test_script_copies_no_codec_width(name: str) -> None:
    code = "\n".join(line.split("--", 1)[0] for line in lua.source(name).splitlines())
    for width in (HEADER, HEADER + 1, VID_WIDTH, VID_WIDTH + 1):
        assert not re.search(rf"\b{width}\b", code), f"{name}.lua has the literal {width}"


@pytest.mark.parametrize("name", lua.names())
def test_script_compiles(name: str, redis_server: RedisServer) -> None:
    client = redis_server.client()
    try:
        parts = ("alias_rule", name) if name in RULED else (name,)
        assert client.script_load(lua.source(*parts))
    finally:
        client.close()
