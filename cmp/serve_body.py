"""Where a request read by the worker's event loop ends: its head, then its body.

Pure framing, no I/O: :class:`Frame` is fed the bytes a connection has sent so far and says
whether the whole request (head and body, ``Content-Length`` or chunked) has arrived, must
wait for more, or announces a body over its limit. The worker (:mod:`cmp.serve_worker`)
hands a connection to a thread only once its request is whole, so a body that trickles in
costs a socket, never a thread.

Anything this module does not understand (a head over :data:`MAX_HEAD`, two
``Content-Length`` headers, both framings, a transfer coding that does not end with
``chunked``, a malformed chunk) goes to gunicorn's own parser as it is, which refuses it from
the bytes already read, without waiting for more. :func:`answer` writes the answers the
worker gives itself (413, 503) as the app would.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from cmp.api.cors import PUBLIC_PATH, answer_headers
from cmp.api.problems import Problem, response

#: Bytes of head read here at most; beyond it gunicorn's own limits answer.
MAX_HEAD = 64 * 1024

#: What :meth:`Frame.feed` says: wait for more bytes, hand the request to a thread, or
#: answer 413 (the body is over its limit) without reading it.
MORE, READY, TOO_LARGE = "more", "ready", "too_large"

_END = b"\r\n\r\n"
_LENGTH = re.compile(rb"^content-length[ \t]*:[ \t]*([^\r\n]*?)[ \t]*\r?$", re.I | re.M)
_CODING = re.compile(rb"^transfer-encoding[ \t]*:[ \t]*([^\r\n]*?)[ \t]*\r?$", re.I | re.M)
_TARGET = re.compile(rb"^[A-Z]+ ([^ ?]*)")
_SIZE = re.compile(rb"([0-9a-fA-F]{1,12})(?:;[^\r\n]*)?\r\n")
_MAX_SIZE_LINE = 1024


class Frame:
    """The framing of one request, fed its bytes as they arrive (resumes where it was).

    ``limit_for(path)`` is the largest body the request's path accepts; :attr:`limit` is
    that limit once the head is read, :attr:`body_bytes` the body bytes seen so far.
    """

    def __init__(self, limit_for: Callable[[str], int]) -> None:
        self.limit_for = limit_for
        self.limit = 0
        self.body_bytes = 0
        self._start = -1  # where the body starts in the buffer (-1: head not complete)
        self._length: int | None = None  # Content-Length; None for chunked
        self._pos = 0  # chunked: where the next size line starts
        self._trailers = False  # chunked: past the last chunk, reading trailer lines

    def feed(self, data: bytes) -> str:
        """Return :data:`MORE`, :data:`READY` or :data:`TOO_LARGE` for the buffer ``data``
        (all the bytes of this request so far, possibly followed by the next one)."""
        if self._start < 0:
            verdict = self._head(data)
            if verdict is not None:
                return verdict
        if self._length is not None:
            self.body_bytes = len(data) - self._start
            return READY if self.body_bytes >= self._length else MORE
        return self._chunks(data)

    def _head(self, data: bytes) -> str | None:
        end = data.find(_END)
        if end < 0:
            return READY if len(data) > MAX_HEAD else MORE
        head = data[:end]
        target = _TARGET.match(head)
        self.limit = self.limit_for(target.group(1).decode("latin-1") if target else "")
        self._start = self._pos = end + len(_END)
        lengths = _LENGTH.findall(head)
        codings = _CODING.findall(head)
        if codings:
            last = b",".join(codings).split(b",")[-1].strip(b" \t").lower()
            if lengths or last != b"chunked":
                return READY  # gunicorn refuses both framings or an unknown coding
            return None
        if len(lengths) > 1 or (lengths and not lengths[0].isdigit()):
            return READY  # gunicorn refuses it
        self._length = int(lengths[0]) if lengths else 0
        return TOO_LARGE if self._length > self.limit else None

    def _chunks(self, data: bytes) -> str:
        pos = self._pos
        while True:
            if self._trailers:
                eol = data.find(b"\r\n", pos)
                if eol < 0:
                    self._pos = pos
                    return READY if len(data) - pos > MAX_HEAD else MORE
                if eol == pos:
                    return READY  # the empty line after the last chunk (or trailers)
                pos = eol + 2
                continue
            found = _SIZE.match(data, pos)
            if found is None:
                self._pos = pos
                pending = data[pos : pos + _MAX_SIZE_LINE]
                if b"\r\n" in pending or len(pending) >= _MAX_SIZE_LINE:
                    return READY  # malformed: gunicorn refuses it
                return MORE
            size = int(found.group(1), 16)
            self.body_bytes += size
            if self.body_bytes > self.limit:
                return TOO_LARGE
            if size == 0:
                self._trailers = True
                pos = found.end()
                continue
            end = found.end() + size
            if len(data) < end + 2:
                self.body_bytes -= size  # counted again when the chunk is whole
                self._pos = pos
                return MORE
            if data[end : end + 2] != b"\r\n":
                return READY  # malformed: gunicorn refuses it
            pos = end + 2


def answer(request: bytes | bytearray, problem: Problem) -> bytes:
    """The whole HTTP answer (``Connection: close``) of ``problem`` to the request whose
    head starts ``request``: the app's problem+json and, on a public path, its CORS
    headers, so that the banner reads the code as it reads the app's own answers."""
    head = bytes(request[: request.find(_END)]).decode("latin-1")
    lines = head.split("\r\n")
    parts = lines[0].split(" ")
    path = parts[1].split("?")[0] if len(parts) > 1 else ""
    origin = next(
        (ln.split(":", 1)[1].strip() for ln in lines[1:] if ln.lower().startswith("origin:")),
        None,
    )
    resp = response(problem)
    body = resp.get_data()
    headers = [(k, v) for k, v in resp.headers.items() if k.lower() != "content-length"]
    if PUBLIC_PATH.match(path):
        headers += [("Vary", "Origin"), *answer_headers(path, origin)]
    out = [f"HTTP/1.1 {resp.status}", *(f"{k}: {v}" for k, v in headers)]
    out += [f"Content-Length: {len(body)}", "Connection: close", "", ""]
    return "\r\n".join(out).encode("latin-1") + body
