"""``cmp serve``: gunicorn with settings that are safe to expose, in one place.

The same settings serve ``cmp serve`` and a plain ``gunicorn wsgi:app`` (through the
``gunicorn.conf.py`` beside ``wsgi.py``):

- the worker is :class:`cmp.serve_worker.HeadReadingWorker` (gthread whose whole requests
  are read by the event loop, which also makes room at ``worker_connections`` by closing
  the oldest idle connection): slow clients cost a socket, not a thread, and a long export
  runs in a thread while the worker keeps telling the master it is alive, so the worker
  timeout never cuts a streaming answer short;
- each worker listens on a socket of its own (``SO_REUSEPORT``) and the kernel spreads new
  connections over them: on one shared listener the first worker to wake accepted a whole
  burst, so a few kept-alive clients (a proxy's pool, a load generator) could all land on
  one worker and leave the others idle;
- gunicorn itself trusts no forwarded header (``forwarded_allow_ips`` empty, no secure
  scheme headers), whatever the peer: only ``CMP_TRUST_PROXY`` (werkzeug's ProxyFix, in
  :func:`cmp.create_app`) decides what a proxy may say, so one setting means one thing.
"""

from __future__ import annotations

from typing import Any

#: The defaults of ``cmp serve`` (and of gunicorn.conf.py).
WORKERS = 2
THREADS = 8
TIMEOUT = 30


def settings(
    bind: str, workers: int = WORKERS, threads: int = THREADS, timeout: int = TIMEOUT
) -> dict[str, Any]:
    """Return the gunicorn settings of a cmp server listening on ``bind``."""
    return {
        "bind": bind,
        "workers": workers,
        "worker_class": "cmp.serve_worker.HeadReadingWorker",
        "threads": threads,
        "timeout": timeout,
        "graceful_timeout": 10,
        "keepalive": 5,
        "accesslog": None,
        # Trust exactly what CMP_TRUST_PROXY says, and nothing on gunicorn's own account.
        "forwarded_allow_ips": "",
        "secure_scheme_headers": {},
        "forwarder_headers": "",
        # Several `cmp serve` may share a host (tests, benchmarks): no shared control socket.
        "control_socket_disable": True,
        # One listening socket per worker, balanced by the kernel (see the module docstring).
        "reuse_port": True,
    }


def run(host: str, port: int, workers: int, threads: int, timeout: int) -> None:
    """Run gunicorn in the foreground with :func:`settings`."""
    from gunicorn.app.base import BaseApplication

    class _Server(BaseApplication):
        def load_config(self) -> None:
            for name, value in settings(f"{host}:{port}", workers, threads, timeout).items():
                if name in self.cfg.settings:
                    self.cfg.set(name, value)

        def load(self) -> Any:
            from cmp import create_app
            from cmp.boot import worker_app

            # A worker forked during a store outage must not stop the whole server.
            return worker_app(create_app)

    _Server().run()
