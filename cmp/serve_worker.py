"""The gunicorn worker of ``cmp serve``: gthread, with request heads read by the event loop.

Gunicorn's threaded worker (gthread) hands a connection to a thread as soon as its first
byte arrives; the thread then reads the request head (and body) with blocking reads and no
deadline, so a few clients that send their headers slowly ("slowloris") hold every thread,
and the server answers no one, ``/livez`` included. This worker keeps gthread (threads for
the app, whose store calls and password hashes block) but reads each request head -- and a
small body that comes with it -- in the worker's event loop, without a thread, the way a
buffering reverse proxy does:

- a connection gets a thread only once its head (up to the blank line) and, for a body of
  at most :data:`MAX_BODY` bytes with a Content-Length, that body have arrived;
- a head that is not complete :data:`HEAD_SECONDS` after the connection opened (for a
  kept-alive connection: after its next request began) is answered ``408`` and closed;
  a head larger than :data:`MAX_HEAD` goes to gunicorn's parser, which refuses it.

TLS is not terminated by ``cmp serve``: with gunicorn's own TLS options the plain gthread
path is used. Larger or chunked bodies are read by the thread (the admin console and the
keyed API only; put a buffering proxy in front to cover those too, see docs/deploy.md).
"""

from __future__ import annotations

import errno
import re
import selectors
import time
from collections import deque
from functools import partial
from typing import Any

from gunicorn import http
from gunicorn.workers.gthread import TConn, ThreadWorker

#: Seconds a client has to send a complete request head (and small body).
HEAD_SECONDS = 10.0
#: Bytes of head read here at most; beyond it gunicorn's own limits answer.
MAX_HEAD = 64 * 1024
#: A body up to this size (with Content-Length) is read here too, before a thread is used.
MAX_BODY = 64 * 1024

_END = b"\r\n\r\n"
_LENGTH = re.compile(rb"^content-length[ \t]*:[ \t]*(\d{1,12})[ \t]*\r?$", re.I | re.M)
_CHUNKED = re.compile(rb"^transfer-encoding[ \t]*:", re.I | re.M)
_TIMEOUT = b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"


def complete(data: bytes) -> bool:
    """True when ``data`` holds a whole request head and the small body it announces."""
    end = data.find(_END)
    if end < 0:
        return len(data) > MAX_HEAD
    head = data[:end]
    if _CHUNKED.search(head):
        return True
    found = _LENGTH.search(head)
    length = int(found.group(1)) if found else 0
    return length > MAX_BODY or len(data) >= end + len(_END) + length


class HeadReadingWorker(ThreadWorker):
    """gthread whose connections reach a thread only with a complete head (see module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.heading: deque[TConn] = deque()

    def accept(self, listener: Any) -> None:
        """Accept a connection and start reading its head in the event loop."""
        if self.cfg.is_ssl:
            super().accept(listener)
            return
        try:
            client, address = listener.accept()
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        self._read_head(TConn(self.cfg, client, address, listener.getsockname()), b"")

    def on_client_socket_readable(self, conn: TConn, client: Any) -> None:
        """A kept-alive connection has its next request coming: read its head here too."""
        if self.cfg.is_ssl:
            super().on_client_socket_readable(conn, client)
            return
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._read_head(conn, b"")

    def enqueue_req(self, conn: TConn) -> None:
        """Hand ``conn`` to a thread once its head is complete (read-ahead bytes included)."""
        if self.cfg.is_ssl or getattr(conn, "cmp_ready", False):
            conn.cmp_ready = False
            super().enqueue_req(conn)
            return
        ahead = conn.parser.unreader.take_buffered() if conn.parser is not None else b""
        if complete(ahead):
            conn.parser.unreader.unread(ahead)
            conn.cmp_ready = False
            super().enqueue_req(conn)
            return
        self._read_head(conn, ahead)

    def _read_head(self, conn: TConn, ahead: bytes) -> None:
        conn.cmp_head = bytearray(ahead)
        conn.cmp_deadline = time.monotonic() + HEAD_SECONDS
        conn.sock.setblocking(False)
        self.heading.append(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_readable, conn))

    def _on_readable(self, conn: TConn, _sock: Any) -> None:
        try:
            data = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._drop(conn)
            return
        conn.cmp_head += data
        if complete(bytes(conn.cmp_head)):
            self._dispatch(conn)

    def _forget(self, conn: TConn) -> None:
        try:
            self.poller.unregister(conn.sock)
        except (KeyError, ValueError, OSError):
            pass
        self.heading.remove(conn)

    def _dispatch(self, conn: TConn) -> None:
        self._forget(conn)
        head, conn.cmp_head = bytes(conn.cmp_head), None
        if conn.parser is None:
            conn.parser = http.get_parser(self.cfg, conn.sock, conn.client)
            conn.initialized = True  # plain HTTP/1.x: nothing else for init() to do
        conn.parser.unreader.unread(head)
        conn.data_ready = True
        conn.cmp_ready = True
        self.enqueue_req(conn)

    def _drop(self, conn: TConn, *, timed_out: bool = False) -> None:
        self._forget(conn)
        self.nr_conns -= 1
        if timed_out:
            try:
                conn.sock.send(_TIMEOUT)
            except OSError:
                pass
        conn.close()

    def murder_pending(self) -> None:
        """gthread's sweep, plus: close heads not complete by their deadline (408)."""
        super().murder_pending()
        now = time.monotonic()
        while self.heading and self.heading[0].cmp_deadline <= now:
            self._drop(self.heading[0], timed_out=True)
