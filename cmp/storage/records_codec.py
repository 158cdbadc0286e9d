"""Compact form of a confirmation record's allowed ids: ``[[vid, receipt_id], ...]``.

A record of a 10,000-id check lists up to 10,000 pairs, and every one is kept for three
years, so the Redis backend stores them as two strings instead of JSON (about 23 bytes per
id instead of 55): kind ``a`` is the visitor ids as fixed-width 22-character ASCII, one
after another, plus each receipt's sequence number as a varint (the receipt id is
``<vid>-<seq>``). Any pair that does not have that shape switches the record to kind
``t``, newline-separated ``vid<TAB>receipt_id`` lines. Both forms can be searched for one
visitor inside Redis (``lua/find_visitor.lua``), for disclosure requests (APPI Art. 33(5)).
"""

from __future__ import annotations

from collections.abc import Sequence

from cmp.storage.codec import get_varint, put_varint

VID_WIDTH = 22

#: The kind tags of the two forms (the record hash's ``k`` field).
FIXED, TEXT = b"a", b"t"


def text_needle(vid: str) -> bytes:
    """What the text form holds around ``vid``'s line: searched for by ``find_visitor.lua``."""
    return f"\n{vid}\t".encode()


def pack_allowed(pairs: Sequence[Sequence[str]]) -> tuple[bytes, bytes, bytes]:
    """Return ``(kind, ids, seqs)`` for the allowed pairs of one record."""
    seqs = bytearray()
    vids: list[str] = []
    for vid, rid in pairs:
        tail = rid[VID_WIDTH + 1 :]
        if (
            len(vid) != VID_WIDTH
            or rid[VID_WIDTH : VID_WIDTH + 1] != "-"
            or not rid.startswith(vid)
            or not (tail.isascii() and tail.isdigit())
            or tail[0] == "0"
        ):
            return _pack_text(pairs)
        vids.append(vid)
        seq = int(tail)
        if seq < 0x80:
            seqs.append(seq)
        else:
            put_varint(seqs, seq)
    joined = "".join(vids)
    if not joined.isascii():
        return _pack_text(pairs)
    return FIXED, joined.encode(), bytes(seqs)


def _pack_text(pairs: Sequence[Sequence[str]]) -> tuple[bytes, bytes, bytes]:
    lines = "".join(f"\n{vid}\t{rid}" for vid, rid in pairs)
    return TEXT, (lines + "\n").encode(), b""


def unpack_allowed(kind: bytes, ids: bytes, seqs: bytes) -> list[list[str]]:
    """Decode what :func:`pack_allowed` wrote."""
    if kind == TEXT:
        return [line.split("\t", 1) for line in ids.decode().split("\n") if line]
    text = ids.decode()
    out: list[list[str]] = []
    pos = 0
    for start in range(0, len(text), VID_WIDTH):
        vid = text[start : start + VID_WIDTH]
        seq, pos = get_varint(seqs, pos)
        out.append([vid, f"{vid}-{seq}"])
    return out
