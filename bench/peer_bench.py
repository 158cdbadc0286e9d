"""cmp's decision write against the closest Python peer's: django-cookie-consent's accept.

``python -m bench.peer_bench`` sets the peer up from PyPI in a scratch venv (Django's own
``startproject`` middleware, SQLite in WAL mode, ``synchronous=NORMAL`` -- the peer's
counterpart of Redis's ``appendfsync everysec`` -- and persistent database connections, the
app's accept view with its consent log on, served by gunicorn with 2 sync workers), and cmp
as deployed (``cmp serve``, 2 workers, Redis with AOF ``everysec``, the rate limiter on with a
budget no run reaches). wrk, 8 connections, runs both in alternating rounds; **C/A** is
cmp's successful decisions per second over the peer's successful accepts per second, the
median of the rounds' ratios (issue 14: target >= 3). Each side's trivial endpoint is
measured the same way, as the scale.

Every cmp write is a new visitor's first decision with a varied User-Agent (the write of
:mod:`bench.api_bench`); every peer accept is a new visitor's too (no consent cookie), so
each logs one row per group accepted, as a first visit does.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import urllib.request
from pathlib import Path

from bench.api_bench import RATE_LIMIT, SECRET, WRITE_LUA, agent_files
from bench.report import write_section
from tests.servers import free_port, start_redis, wait_until

PEER = "django-cookie-consent==1.0.0"
CONNECTIONS = 8
ROUNDS = int(os.environ.get("BENCH_PEER_ROUNDS", "3"))
SECONDS = int(os.environ.get("BENCH_PEER_SECONDS", "8"))
TOKEN = "peerbenchcsrftoken0123456789abcd"  # 32 characters, Django's unmasked CSRF format

SETTINGS = """
from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "peer-bench-not-secret-0123456789"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
    "django.contrib.messages", "cookie_consent",
]
# Django's startproject middleware, as a site that adds the app has it.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "peer_site.urls"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
              "OPTIONS": {"context_processors": []}}]
DATABASES = {"default": {
    "ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "peer.sqlite3",
    # Persistent connections: Django's default opens one per request, which made the
    # accept 3x slower here (7 ms against 2 ms on one connection).
    "CONN_MAX_AGE": None,
    "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "timeout": 20},
}}
USE_TZ = True
COOKIE_CONSENT_LOG_ENABLED = True
"""

URLS = """
from django.http import JsonResponse
from django.urls import include, path

def livez(request):
    return JsonResponse({"status": "ok"})

urlpatterns = [path("livez", livez), path("cookies/", include("cookie_consent.urls"))]
"""

WSGI = """
import os
from django.core.wsgi import get_wsgi_application
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer_site.settings")
application = get_wsgi_application()
"""

GROUPS = """
from cookie_consent.models import Cookie, CookieGroup
required = CookieGroup.objects.create(varname="required", name="Required", is_required=True,
                                      is_deletable=False, description="needed by the site")
Cookie.objects.create(cookiegroup=required, name="csrftoken", description="CSRF protection")
analytics = CookieGroup.objects.create(varname="analytics", name="Analytics",
                                       description="visits, measured")
Cookie.objects.create(cookiegroup=analytics, name="_ga", description="Google Analytics")
"""

ACCEPT_LUA = f"""
wrk.method = "POST"
wrk.body = "cookie_groups=analytics"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["X-Requested-With"] = "XMLHttpRequest"
wrk.headers["Cookie"] = "csrftoken={TOKEN}"
wrk.headers["X-CSRFToken"] = "{TOKEN}"
"""


def peer_site(root: Path) -> tuple[Path, dict[str, str]]:
    """Install the peer in a venv under ``root`` (or reuse ``BENCH_PEER_VENV``), write its
    project, migrate and declare two cookie groups; return its python and env."""
    venv = Path(os.environ.get("BENCH_PEER_VENV") or root / "venv")
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", PEER, "gunicorn"],
            check=True,
            capture_output=True,
        )
    site = root / "peer_site"
    site.mkdir(parents=True, exist_ok=True)
    for name, text in {"__init__.py": "", "settings.py": SETTINGS, "urls.py": URLS,
                       "wsgi.py": WSGI}.items():  # fmt: skip
        (site / name).write_text(textwrap.dedent(text))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "peer_site.settings", "PYTHONPATH": str(root)}
    manage = [str(python), "-m", "django"]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=root)
    # The cookie groups a site declares (the app's own fixture no longer loads in 1.0).
    subprocess.run([*manage, "shell", "-c", GROUPS], env=env, check=True, cwd=root)
    return python, env


def _wrk(url: str, script: str, workdir: Path) -> dict[str, float]:
    path = workdir / f"p{abs(hash(script))}.lua"
    path.write_text(script)
    args = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "-s", str(path), url]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    total = int(re.search(r"(\d+) requests in ([\d.]+)(\w+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    failed = int(errors.group(1)) if errors else 0
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return {"ok": rps * (total - failed) / max(total, 1), "failed": failed}


def _up(url: str) -> bool:
    return urllib.request.urlopen(url, timeout=2).status == 200


def run() -> dict[str, object]:
    """Set both up, run the rounds, stop both; return the runs."""
    workdir = Path(tempfile.mkdtemp(prefix="cmp-peer-"))
    redis = start_redis(appendonly=True)
    admin = redis.client()
    admin.config_set("appendfsync", "everysec")
    procs: list[subprocess.Popen] = []
    try:
        python, peer_env = peer_site(workdir)
        cmp_env = {**os.environ, "CMP_STORE_URL": redis.url, "CMP_SECRET_KEY": SECRET,
                   "CMP_RATE_LIMIT": RATE_LIMIT, "CMP_INSTANCE_PATH": str(workdir)}  # fmt: skip
        cmp_bin = str(Path(sys.executable).with_name("cmp"))
        subprocess.run([cmp_bin, "seed-demo"], env=cmp_env, check=True, capture_output=True)
        cmp_port, peer_port = free_port(), free_port()
        procs.append(subprocess.Popen(
            [cmp_bin, "serve", "--port", str(cmp_port), "--workers", "2"],
            env=cmp_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ))  # fmt: skip
        procs.append(subprocess.Popen(
            [str(python), "-m", "gunicorn", "-w", "2", "-k", "sync", "-b",
             f"127.0.0.1:{peer_port}", "peer_site.wsgi:application"],
            env=peer_env, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ))  # fmt: skip
        cmp_base, peer_base = f"http://127.0.0.1:{cmp_port}", f"http://127.0.0.1:{peer_port}"
        wait_until(lambda: _up(f"{cmp_base}/livez") and _up(f"{peer_base}/livez"), 60)
        varied, _ = agent_files(workdir)
        pairs = {
            "write": (f"{cmp_base}/api/v1/sites/demo/consents", WRITE_LUA % {"agents": varied},
                      f"{peer_base}/cookies/accept/", ACCEPT_LUA),
            "trivial": (f"{cmp_base}/livez", "", f"{peer_base}/livez", ""),
        }  # fmt: skip
        load = [Path("/proc/loadavg").read_text().split()[0]]
        runs: dict[str, list[tuple[dict[str, float], dict[str, float]]]] = {k: [] for k in pairs}
        for n in range(ROUNDS):
            for kind, (c_url, c_lua, p_url, p_lua) in pairs.items():
                if n % 2 == 0:
                    ours, theirs = _wrk(c_url, c_lua, workdir), _wrk(p_url, p_lua, workdir)
                else:
                    theirs, ours = _wrk(p_url, p_lua, workdir), _wrk(c_url, c_lua, workdir)
                runs[kind].append((ours, theirs))
        load.append(Path("/proc/loadavg").read_text().split()[0])
        count = "from cookie_consent.models import LogItem; print(LogItem.objects.count())"
        shell = subprocess.run(
            [str(python), "-m", "django", "shell", "-c", count],
            env=peer_env, cwd=workdir, capture_output=True, text=True, check=True,
        )  # fmt: skip
        logged = shell.stdout.strip().splitlines()[-1]  # the shell's banner comes first
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=20)
        admin.close()
        redis.stop()
        shutil.rmtree(redis.directory, ignore_errors=True)
        shutil.rmtree(workdir, ignore_errors=True)
    return {"runs": runs, "load": load, "logged": logged}


def section(result: dict) -> str:
    """The ``peer`` section of docs/benchmarks.md."""
    runs = result["runs"]

    def ratio(kind: str) -> float:
        return statistics.median(o["ok"] / t["ok"] for o, t in runs[kind])

    def med(kind: str, side: int) -> float:
        return statistics.median(pair[side]["ok"] for pair in runs[kind])

    def failed(kind: str, side: int) -> int:
        return sum(int(pair[side]["failed"]) for pair in runs[kind])

    c_a = ratio("write")
    rows = [
        f"| decision write (cmp) / accept with log (peer) | {med('write', 0):,.0f} | "
        f"{med('write', 1):,.0f} | **{c_a:.2f}** (≥ 3) | {failed('write', 0)} / "
        f"{failed('write', 1)} |",
        f"| trivial JSON endpoint, each its own | {med('trivial', 0):,.0f} | "
        f"{med('trivial', 1):,.0f} | {ratio('trivial'):.2f} | {failed('trivial', 0)} / "
        f"{failed('trivial', 1)} |",
    ]
    return "\n".join(
        [
            "## Peer: django-cookie-consent's accept (issue 14)",
            "",
            "`python -m bench.peer_bench`: django-cookie-consent 1.0 from PyPI in a scratch "
            "venv (Django's `startproject` middleware, SQLite in WAL mode with "
            "`synchronous=NORMAL`, persistent connections, its consent log on), gunicorn "
            "with 2 sync workers (no keep-alive: a connection per request); "
            "cmp as deployed (`cmp serve`, 2 workers, Redis with AOF `everysec`, the rate "
            f"limiter on). wrk, 1 thread, {CONNECTIONS} connections, {SECONDS} s per run, "
            f"{ROUNDS} alternating rounds; successful answers per second, medians; ratios "
            "are medians of the rounds' ratios. Every cmp write is a new visitor with a "
            "varied User-Agent; every peer accept is a new visitor (no consent cookie), "
            f"logged (the peer's log held {result['logged']} rows at the end). Load average "
            f"{result['load'][0]} before, {result['load'][1]} after (2 cores).",
            "",
            "| workload | cmp ok/s | peer ok/s | C/A | failed (cmp / peer) |",
            "|---|---:|---:|---:|---:|",
            *rows,
        ]
    )


def main() -> str:
    """Run the comparison and write its section; return the section text."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: run `make bench` (it installs it)")
    body = section(run())
    write_section("peer", body)
    return body


if __name__ == "__main__":
    print(main())
