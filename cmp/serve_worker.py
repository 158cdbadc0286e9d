"""The gunicorn worker of ``cmp serve``: gthread, with whole requests read by the event loop.

Gunicorn's threaded worker (gthread) hands a connection to a thread as soon as its first
byte arrives; the thread then reads the request head and body with blocking reads and no
deadline, so a few clients that send their headers or bodies slowly hold every thread, and
the server answers no one, ``/livez`` included. This worker keeps gthread (threads for the
app, whose store calls and password hashes block) but reads each whole request -- head and
body, ``Content-Length`` or chunked -- in the worker's event loop, without a thread, the way
a buffering reverse proxy does (framing: :mod:`cmp.serve_body`):

- a connection gets a thread only once its whole request has arrived;
- a body over the path's limit (``PUBLIC_MAX_BYTES`` on the public endpoints the banner
  calls, ``MAX_CONTENT_LENGTH`` elsewhere) is answered ``413`` here, as the app would, and
  never read; what the client still sends is read and dropped for a while, so it can read
  the answer;
- a request not complete :data:`HEAD_SECONDS` after it began, plus one second per
  :data:`MIN_RATE` bytes of body received, is answered ``408`` and closed;
- at most :data:`BUFFER_BUDGET` bytes of unfinished requests are held per worker: past it, a
  request over 64 KiB is answered ``503`` (retry);
- at ``worker_connections`` the worker keeps accepting and closes its oldest idle
  connection (kept alive, or silent since it opened) to make room, so thousands of idle
  connections cannot keep ``/livez`` waiting in the listen queue;
- a connection closed after an answer lingers on the event loop, never in gunicorn's
  blocking close on the loop's own thread.

TLS is not terminated by ``cmp serve``: with gunicorn's own TLS options the plain gthread
path is used (put a buffering proxy in front, see docs/deploy.md).
"""

from __future__ import annotations

import errno
import fcntl
import os
import selectors
import socket
import struct
import termios
import time
from collections import deque
from functools import partial
from typing import Any

from gunicorn import http
from gunicorn.workers.gthread import TConn, ThreadWorker

from cmp.api.cors import PUBLIC_PATH
from cmp.api.problems import Problem
from cmp.config import SETTINGS
from cmp.serve_body import MAX_HEAD, MORE, READY, TOO_LARGE, Frame, answer

#: Seconds a client has to send a complete request head (and the start of its body).
HEAD_SECONDS = 10.0
#: Bytes per second a body must keep up: each such many received give one more second.
MIN_RATE = 16 * 1024
#: Bytes of unfinished requests one worker holds at most.
BUFFER_BUDGET = 64 * 1024 * 1024
#: A request of at most this many bytes is never refused for the budget.
SMALL = 64 * 1024
#: Seconds, and bytes, a closed connection is read and dropped for at most.
LINGER_SECONDS, LINGER_BYTES = 5.0, 8 * 1024 * 1024
__all__ = ["HEAD_SECONDS", "MAX_HEAD", "HeadReadingWorker"]

#: Seconds between two heartbeats to the master (its timeout is at least a second).
NOTIFY_SECONDS = 0.1
_TIMEOUT = b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"


def _unsent(sock: Any) -> int:
    """Bytes of earlier answers on ``sock`` its client has not taken yet (Linux SIOCOUTQ)."""
    try:
        return struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0" * 4))[0]
    except OSError:
        return 0


def _timeout(conn: TConn) -> bytes:
    """The 408 of a request past its deadline: once its head is whole, the app's
    problem+json with the CORS headers of its path (the banner reads it), else bare."""
    if conn.cmp_head.find(b"\r\n\r\n") < 0:
        return _TIMEOUT
    late = Problem(408, "request_timeout", "the request did not arrive in time; send it again")
    return answer(conn.cmp_head, late)


class _Conn(TConn):
    """A connection whose graceful close lingers on the worker's event loop."""

    worker: HeadReadingWorker

    def close(self, graceful: bool = False) -> None:
        """Close; a graceful close (after an answer) drains without blocking the loop."""
        if graceful:
            self.worker.linger(self.sock)
        else:
            super().close()


class HeadReadingWorker(ThreadWorker):
    """gthread whose connections reach a thread only with a whole request (see module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.heading: deque[TConn] = deque()
        self.lingering: deque[list[Any]] = deque()
        self.buffered = 0
        self._limits: tuple[int, int] | None = None
        self._next_sweep = 0.0
        self._next_notify = 0.0

    # -- limits, from the app's settings (or, while it cannot be built, the environment)

    def limit_for(self, path: str) -> int:
        """The largest body a request to ``path`` may send."""
        if self._limits is None:
            config = getattr(self.wsgi, "config", None) or getattr(
                getattr(self.wsgi, "app", None), "config", None
            )
            names = ("PUBLIC_MAX_BYTES", "MAX_CONTENT_LENGTH")
            if config is None:
                return self._from_env(names, path)
            self._limits = (int(config[names[0]]), int(config[names[1]]))
        return self._limits[0] if PUBLIC_PATH.match(path) else self._limits[1]

    @staticmethod
    def _from_env(names: tuple[str, str], path: str) -> int:
        name = names[0] if PUBLIC_PATH.match(path) else names[1]
        return int(os.environ.get(f"CMP_{name}", SETTINGS[name][0]))

    # -- accepting: always, making room at worker_connections

    def set_accept_enabled(self, enabled: bool) -> None:
        """Keep accepting while alive, whatever the count (see :meth:`_make_room`)."""
        super().set_accept_enabled(enabled or (self.alive and not self.cfg.is_ssl))

    def accept(self, listener: Any) -> None:
        """Accept a connection and start reading its request in the event loop."""
        if self.cfg.is_ssl:
            super().accept(listener)
            return
        try:
            client, address = listener.accept()
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        if self.nr_conns >= self.worker_connections:
            self._make_room()
        self.nr_conns += 1
        conn = _Conn(self.cfg, client, address, listener.getsockname())
        conn.worker = self
        self._read(conn, b"")

    def _make_room(self) -> None:
        # The oldest kept-alive connection, else the oldest that never sent a byte, else
        # the oldest unfinished request: each costs its client one retry, nothing more.
        if self.keepalived_conns:
            conn = self.keepalived_conns.popleft()
            self._unregister(conn.sock)
            self.nr_conns -= 1
            conn.close()
            return
        silent = next((c for c in self.heading if not c.cmp_head), None)
        if silent is not None:
            self._drop(silent)
        elif self.heading:
            self._drop(self.heading[0], answer=_timeout(self.heading[0]))

    def on_client_socket_readable(self, conn: TConn, client: Any) -> None:
        """A kept-alive connection has its next request coming: read it here too."""
        if self.cfg.is_ssl:
            super().on_client_socket_readable(conn, client)
            return
        self.keepalived_conns.remove(conn)
        # Still registered, and readable now: swap the callback and read at once, rather
        # than unregister, register again and wait one more turn of the loop.
        self._read(conn, b"", registered=True)

    def enqueue_req(self, conn: TConn) -> None:
        """Hand ``conn`` to a thread once its request is whole (read-ahead bytes included)."""
        if self.cfg.is_ssl or getattr(conn, "cmp_ready", False):
            conn.cmp_ready = False
            super().enqueue_req(conn)
            return
        ahead = conn.parser.unreader.take_buffered() if conn.parser is not None else b""
        self._read(conn, ahead)

    # -- answering: one segment, and the heartbeat at a bounded rate

    def handle(self, conn: TConn) -> Any:
        """Serve the connection's request (in a thread) with the socket corked.

        gunicorn writes the head and then the body of an answer with two ``sendall``: two
        segments, and two wake-ups of the client for one answer. Corked, the kernel holds
        partial segments until the answer is written (a full segment still goes at once,
        so a streamed export flows as before).
        """
        corked = not self.cfg.is_ssl and _cork(conn.sock, True)
        try:
            return super().handle(conn)
        finally:
            if corked:
                _cork(conn.sock, False)

    def notify(self) -> None:
        """Tell the master this worker is alive, at most every :data:`NOTIFY_SECONDS`.

        gthread notifies on every turn of its loop, a file-time system call each, several
        per request under load; the master only needs one per ``timeout``.
        """
        now = time.monotonic()
        if now >= self._next_notify:
            self._next_notify = now + NOTIFY_SECONDS
            super().notify()

    # -- reading a request on the event loop

    def _read(self, conn: TConn, ahead: bytes, *, registered: bool = False) -> None:
        conn.cmp_head = bytearray(ahead)
        conn.cmp_frame = Frame(self.limit_for)
        conn.cmp_start = time.monotonic()
        conn.cmp_deadline = conn.cmp_start + HEAD_SECONDS
        conn.sock.setblocking(False)
        self.buffered += len(ahead)
        self.heading.append(conn)
        callback = partial(self._on_readable, conn)
        if registered:
            self.poller.modify(conn.sock, selectors.EVENT_READ, callback)
            self._on_readable(conn, conn.sock)
            return
        self.poller.register(conn.sock, selectors.EVENT_READ, callback)
        if ahead:
            self._judge(conn)

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
        self.buffered += len(data)
        self._judge(conn)

    def _judge(self, conn: TConn) -> None:
        frame: Frame = conn.cmp_frame
        verdict = frame.feed(conn.cmp_head)
        if verdict == READY and _unsent(conn.sock):
            # A client that sends requests without reading the answers (pipelining into a
            # tiny receive window) would hold a thread in a blocking send per connection:
            # its next request waits here, unread, until it has taken what was sent.
            conn.cmp_waiting = True
            self._unregister(conn.sock)
        elif verdict == READY:
            self._dispatch(conn)
        elif verdict == TOO_LARGE:
            limit = frame.limit
            problem = Problem(413, "payload_too_large", f"body exceeds {limit} bytes", limit=limit)
            self._drop(conn, answer=answer(conn.cmp_head, problem))
        elif verdict == MORE:
            conn.cmp_deadline = conn.cmp_start + HEAD_SECONDS + frame.body_bytes / MIN_RATE
            if self.buffered > BUFFER_BUDGET and len(conn.cmp_head) > SMALL:
                busy = Problem(503, "server_busy", "too many large requests at once; retry")
                self._drop(conn, answer=answer(conn.cmp_head, busy))

    def _forget(self, conn: TConn) -> None:
        self._unregister(conn.sock)
        self.heading.remove(conn)
        self.buffered -= len(conn.cmp_head)

    def _unregister(self, sock: Any) -> None:
        try:
            self.poller.unregister(sock)
        except (KeyError, ValueError, OSError):
            pass

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

    def _drop(self, conn: TConn, *, answer: bytes = b"") -> None:
        self._forget(conn)
        self.nr_conns -= 1
        if not answer:
            conn.sock.close()
            return
        try:
            conn.sock.send(answer)
        except OSError:
            pass
        self.linger(conn.sock)

    # -- closing without blocking the loop

    def linger(self, sock: Any) -> None:
        """Half-close ``sock`` and read and drop what its client still sends, on the loop,
        for :data:`LINGER_SECONDS` at most, so the client reads the answer instead of a
        reset; gunicorn's own graceful close would block the event loop meanwhile."""
        try:
            sock.shutdown(socket.SHUT_WR)
            sock.setblocking(False)
        except OSError:
            sock.close()
            return
        entry = [sock, time.monotonic() + LINGER_SECONDS, 0]
        self.lingering.append(entry)
        self.poller.register(sock, selectors.EVENT_READ, partial(self._on_linger, entry))
        if len(self.lingering) > self.worker_connections:
            self._end_linger(self.lingering[0])

    def _on_linger(self, entry: list[Any], _sock: Any) -> None:
        try:
            data = entry[0].recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        entry[2] += len(data)
        if not data or entry[2] > LINGER_BYTES:
            self._end_linger(entry)

    def _end_linger(self, entry: list[Any]) -> None:
        self._unregister(entry[0])
        entry[0].close()
        self.lingering.remove(entry)

    def murder_pending(self) -> None:
        """gthread's sweep, plus: answer 408 to requests past their deadline, and end
        lingering closes past theirs (at most every 0.2 s: the scan is over every one)."""
        super().murder_pending()
        now = time.monotonic()
        if now < self._next_sweep:
            return
        self._next_sweep = now + 0.2
        for conn in [c for c in self.heading if getattr(c, "cmp_waiting", False)]:
            if conn.cmp_deadline > now and not _unsent(conn.sock):
                conn.cmp_waiting = False
                self._dispatch(conn)
        for conn in [c for c in self.heading if c.cmp_deadline <= now]:
            self._drop(conn, answer=_timeout(conn))
        while self.lingering and self.lingering[0][1] <= now:
            self._end_linger(self.lingering[0])


def _cork(sock: Any, on: bool) -> bool:
    """Set ``TCP_CORK`` on ``sock`` (Linux); False where it cannot be set."""
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, int(on))
    except (AttributeError, OSError):
        return False
    return True
