"""``/livez`` latency of a default ``cmp serve`` while slow-header clients are connected.

``python -m bench.serve_slow [SLOW_CLIENTS] [ROUNDS]`` starts ``cmp serve`` (defaults only,
SQLite in a temporary folder), opens SLOW_CLIENTS connections that send one header line
every 0.5 s and never finish their head, then times ROUNDS sequential ``GET /livez`` (35 s
timeout each) and prints each latency and the median (issue 12, finding 6).
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _livez(port: int, timeout: float = 35.0) -> float:
    began = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", "/livez")
        conn.getresponse().read()
    except (OSError, http.client.HTTPException):
        return timeout
    finally:
        conn.close()
    return time.monotonic() - began


def _slow(port: int, stop: threading.Event) -> None:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"GET /livez HTTP/1.1\r\nHost: x\r\n")
        n = 0
        while not stop.wait(0.5):
            try:
                sock.sendall(f"X-{n}: y\r\n".encode())
            except OSError:
                return
            n += 1


def main() -> None:
    """Start the server, measure, stop."""
    slow = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    folder = Path(tempfile.mkdtemp())
    port = _free_port()
    env = {
        **os.environ,
        "CMP_STORE_URL": f"sqlite:///{folder / 'cmp.sqlite3'}",
        "CMP_SECRET_KEY": "bench-secret-0123456789",
        "CMP_INSTANCE_PATH": str(folder),
    }
    cmp = str(Path(sys.executable).with_name("cmp"))
    proc = subprocess.Popen(
        [cmp, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while _livez(port, 1) >= 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        stop = threading.Event()
        threads = [
            threading.Thread(target=_slow, args=(port, stop), daemon=True) for _ in range(slow)
        ]
        for t in threads:
            t.start()
        time.sleep(1.0)
        times = [_livez(port) for _ in range(rounds)]
        stop.set()
        print(" ".join(f"{t:.3f}" for t in times), f"median {statistics.median(times):.3f}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
