"""The Lua scripts of the Redis backends, one package file each (``*.lua`` beside this module).

Every file starts with a comment naming its KEYS and ARGV. Nothing in a script is copied from
a Python codec: an offset, a width or a marker the script needs arrives as an ARGV, filled
from the codec's own constant by the caller. A rule two scripts share (how a decision claims
an alias) is a file of its own, put in front of both by :func:`source`.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def source(*names: str) -> str:
    """Return the text of the scripts ``names`` (without ``.lua``), joined in that order."""
    folder = files(__name__)
    return "\n".join(folder.joinpath(f"{name}.lua").read_text(encoding="utf-8") for name in names)


def names() -> list[str]:
    """Return the name of every script in the package, sorted."""
    return sorted(p.name[:-4] for p in files(__name__).iterdir() if p.name.endswith(".lua"))
