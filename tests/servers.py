"""Real Redis servers for tests: a single node with AOF and a 3-master cluster.

Each server gets its own temp directory and a free port on 127.0.0.1; cluster ports stay
below 55535 because a cluster node also listens on port + 10000 (TESTING.md). The tests
never touch the machine's own Redis on 6379.
"""

from __future__ import annotations

import random
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis

INSTALL_HINT = (
    "redis-server is not installed: run `make test` (it installs it), or "
    "`apt-get update && apt-get install -y redis-server`"
)


def require_redis() -> str:
    """Return the path of redis-server, or fail (never skip) with how to install it."""
    path = shutil.which("redis-server")
    if not path or not shutil.which("redis-cli"):
        raise RuntimeError(INSTALL_HINT)
    return path


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(low: int = 20000, high: int = 55000) -> int:
    """Return a free port in [low, high) whose cluster bus port (+10000) is free too."""
    for _ in range(500):
        port = random.randrange(low, high)
        if port != 6379 and _port_free(port) and _port_free(port + 10000):
            return port
    raise RuntimeError("no free port found")


def wait_until(check, timeout: float = 15.0, step: float = 0.05) -> None:
    """Poll ``check()`` until it returns truthy or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception as exc:
            last = exc
        time.sleep(step)
    raise TimeoutError(f"condition not met in {timeout}s (last error: {last})")


@dataclass
class RedisServer:
    """One redis-server process started by a fixture."""

    port: int
    directory: Path
    appendonly: bool = True
    cluster: bool = False
    process: subprocess.Popen | None = None
    extra: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        """The server's redis:// URL."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        """Start (or restart, reloading its AOF) the server and wait until it answers."""
        args = [
            require_redis(),
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--dir", str(self.directory),
            "--save", "",
            "--appendonly", "yes" if self.appendonly else "no",
            "--appendfsync", "always" if self.appendonly else "no",
            "--daemonize", "no",
            "--logfile", str(self.directory / "redis.log"),
            *(["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
               "--cluster-node-timeout", "2000"] if self.cluster else []),
            *self.extra,
        ]  # fmt: skip
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        try:
            wait_until(lambda: self._answers(client))
        except BaseException:
            # A server that never answered must not outlive the test as a stray process.
            self.stop(kill=True)
            raise
        finally:
            client.close()
        return self

    def _answers(self, client: redis.Redis) -> bool:
        """True once our own process answers PING; fails fast if it has exited."""
        if self.process is not None and self.process.poll() is not None:
            raise ServerExited(f"redis-server on port {self.port} exited")
        return bool(client.ping())

    def stop(self, kill: bool = False) -> None:
        """Stop the process (SIGKILL with ``kill``) and wait for it."""
        if self.process and self.process.poll() is None:
            (self.process.kill if kill else self.process.terminate)()
            self.process.wait(timeout=10)
        self.process = None

    def client(self) -> redis.Redis:
        """Return a client of this server."""
        return redis.Redis(port=self.port, decode_responses=True)


class ServerExited(RuntimeError):
    """The redis-server process ended before it answered (e.g. its port was taken)."""


def start_on_free_port(directory: Path, **options) -> RedisServer:
    """Start a server on a free port, trying another port if the chosen one was taken.

    A port found free can be taken before redis-server binds it (another test's client
    socket, a cluster bus port), so a server that exits at once gets a new port.
    """
    for attempt in range(3):
        server = RedisServer(port=free_port(), directory=directory, **options)
        try:
            return server.start()
        except (ServerExited, TimeoutError):
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def start_redis(appendonly: bool = True) -> RedisServer:
    """Start a single Redis node in a fresh temp directory."""
    directory = Path(tempfile.mkdtemp(prefix="cmp-redis-"))
    return start_on_free_port(directory, appendonly=appendonly)


@dataclass
class RedisCluster:
    """A Redis Cluster made of real processes."""

    nodes: list[RedisServer]

    @property
    def url(self) -> str:
        """The cluster's redis+cluster:// URL."""
        return "redis+cluster://" + ",".join(f"127.0.0.1:{n.port}" for n in self.nodes)

    def flush(self) -> None:
        """FLUSHALL on every master."""
        for node in self.nodes:
            c = node.client()
            try:
                if c.execute_command("ROLE")[0] == "master":
                    c.flushall()
            finally:
                c.close()

    def stop(self) -> None:
        """Stop every node and remove their directories."""
        for node in self.nodes:
            node.stop(kill=True)
            shutil.rmtree(node.directory, ignore_errors=True)


def _link_up(node: RedisServer) -> bool:
    """True for a master, or a replica whose first sync with its master is done."""
    client = node.client()
    try:
        info = client.info("replication")
    finally:
        client.close()
    return info["role"] != "slave" or info.get("master_link_status") == "up"


def start_cluster(masters: int = 3, replicas: int = 0) -> RedisCluster:
    """Start ``masters * (1 + replicas)`` nodes and join them with ``redis-cli --cluster``."""
    nodes: list[RedisServer] = []
    cluster = RedisCluster(nodes)
    try:
        for _ in range(masters * (1 + replicas)):
            directory = Path(tempfile.mkdtemp(prefix="cmp-cluster-"))
            nodes.append(start_on_free_port(directory, cluster=True, appendonly=True))
        subprocess.run(
            ["redis-cli", "--cluster", "create",
             *[f"127.0.0.1:{n.port}" for n in nodes],
             "--cluster-replicas", str(replicas), "--cluster-yes"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60,
        )  # fmt: skip

        def all_ok() -> bool:
            for n in nodes:
                c = n.client()
                try:
                    # redis-py parses CLUSTER INFO into a dict.
                    if c.execute_command("CLUSTER INFO").get("cluster_state") != "ok":
                        return False
                finally:
                    c.close()
            return True

        wait_until(all_ok, timeout=30)
        if replicas:
            wait_until(lambda: all(_link_up(n) for n in nodes), timeout=30, step=0.1)
    except BaseException:
        cluster.stop()
        raise
    return cluster
