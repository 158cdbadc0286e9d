"""A Playwright driver and Chromium for a module's tests that come back after a crash.

Playwright's Node driver crashes now and then (``Assertion error at
FrameManager.frameAttached``, microsoft/playwright#22208 and #23638). One driver used to
serve a whole module, so the test during the crash failed with ``TargetClosedError`` and
so did every later test of the module. ``LiveChromium`` holds the driver and the browser
for the module's fixtures; ``browser`` answers a working one, starting a fresh
``sync_playwright()`` and Chromium first when the old ones are gone. pytest-rerunfailures
runs the test during which the crash happened once more (pyproject.toml: ``only_rerun``),
and its re-run gets the fresh browser.

Gone is judged by a round trip, not by ``Browser.is_connected()`` alone: when the driver
dies, the Python side closes its connection but never tells the ``Browser``, whose
``is_connected()`` stays True (Playwright 1.65). Closing is quiet when the driver is
dead, and any Chromium left behind (the driver killed outright) is killed by its process
group: Playwright starts Chromium as a group leader.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, Error, sync_playwright

from tests.chromium import CHROMIUM, CHROMIUM_ARGS

if TYPE_CHECKING:
    from playwright.sync_api._context_manager import PlaywrightContextManager


def _stat(pid: int | str) -> tuple[str, int, int] | None:
    """``(name, parent id, process group)`` of a live process from /proc, or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as file:
            raw = file.read()
    except OSError:
        return None
    name, rest = raw[raw.index(b"(") + 1 :].rsplit(b")", 1)
    fields = rest.split()
    if fields[0] == b"Z":  # a zombie has exited already
        return None
    return name.decode(errors="replace"), int(fields[1]), int(fields[2])


def _processes() -> dict[int, tuple[str, int, int]]:
    """Every live process: id -> (name, parent id, process group)."""
    found = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and (stat := _stat(entry.name)) is not None:
            found[int(entry.name)] = stat
    return found


def _children(parent: int) -> set[int]:
    """The live children of ``parent``."""
    return {pid for pid, (_, ppid, _) in _processes().items() if ppid == parent}


def _is_driver(pid: int) -> bool:
    """True if ``pid`` runs Playwright's Node driver (``... cli.js run-driver``)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as file:
            return b"run-driver" in file.read().split(b"\0")
    except OSError:
        return False


class LiveChromium:
    """One Playwright driver and one headless Chromium, started again when either is gone.

    ``browser`` is the working browser; ``launches`` counts the starts; ``driver_pid``,
    ``chromium_pid`` and ``profile`` are the current start's (for the recovery tests).
    """

    def __init__(self, args: Sequence[str] = CHROMIUM_ARGS) -> None:
        self.args = list(args)
        self.launches = 0
        self.driver_pid: int | None = None
        self.chromium_pid: int | None = None
        self.profile: Path | None = None  # Chromium's --user-data-dir, made by the driver
        self._manager: PlaywrightContextManager | None = None
        self._browser: Browser | None = None

    def __enter__(self) -> LiveChromium:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def browser(self) -> Browser:
        """A connected Chromium: the current one, or a fresh driver and Chromium."""
        if self._browser is None or not self.alive():
            self._stop()
            self._start()
        assert self._browser is not None
        return self._browser

    def alive(self) -> bool:
        """True if the driver and Chromium both answer (one CDP round trip, a few ms)."""
        if self._browser is None or not self._browser.is_connected():
            return False
        try:
            self._browser.new_browser_cdp_session().detach()
        except Error:
            return False
        return True

    def close(self) -> None:
        """Close Chromium and stop the driver; quiet if they died; kill what is left."""
        self._stop()

    def _start(self) -> None:
        if not Path(CHROMIUM).exists():
            pytest.fail(f"{CHROMIUM} missing: run `make test` (it installs Debian's chromium)")
        before = _children(os.getpid())
        manager = sync_playwright()
        playwright = manager.start()
        self._manager = manager
        drivers = [pid for pid in _children(os.getpid()) - before if _is_driver(pid)]
        self.driver_pid = drivers[0] if len(drivers) == 1 else None
        self._browser = playwright.chromium.launch(executable_path=CHROMIUM, args=self.args)
        self.launches += 1
        self.chromium_pid = self.profile = None
        if self.driver_pid is not None:
            chromium = list(_children(self.driver_pid))
            self.chromium_pid = chromium[0] if len(chromium) == 1 else None
        if self.chromium_pid is not None:
            self.profile = _profile_of(self.chromium_pid)

    def _stop(self) -> None:
        browser, manager = self._browser, self._manager
        self._browser = self._manager = None
        if browser is not None:
            with suppress(Error):  # "Playwright connection closed" once the driver died
                browser.close()
        if manager is not None:
            with suppress(Error):
                manager.__exit__()
            _forget_driver_error(manager)
        # A driver that died without its exit handlers (SIGKILL, OOM) left Chromium to
        # itself: Chromium quits when its pipe closes, but nothing waits for that here.
        if self.chromium_pid is not None:
            _kill_chromium_group(self.chromium_pid)
            self.chromium_pid = None
        if self.profile is not None:
            shutil.rmtree(self.profile, ignore_errors=True)
            self.profile = None


def _forget_driver_error(manager: PlaywrightContextManager) -> None:
    """Read the transport's "Connection closed while reading from the driver", if set.

    The driver died: the error is known, and asyncio would log "Future exception was never
    retrieved" in whichever later test collects the future. Best effort (private names).
    """
    transport = getattr(getattr(manager, "_client", None), "_transport", None)
    future = getattr(transport, "on_error_future", None)
    if future is not None and future.done() and not future.cancelled():
        future.exception()


def _profile_of(pid: int) -> Path | None:
    """The temporary ``--user-data-dir`` the driver gave Chromium ``pid``, or None."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as file:
            args = file.read().decode(errors="replace").split("\0")
    except OSError:
        return None
    for arg in args:
        if arg.startswith("--user-data-dir="):
            folder = Path(arg.removeprefix("--user-data-dir="))
            if folder.name.startswith("playwright_chromiumdev_profile-"):
                return folder
    return None


def chromium_processes(group: int) -> list[int]:
    """The live Chromium processes of process group ``group`` (a Chromium's own id)."""
    return [
        pid for pid, (name, _, pgrp) in _processes().items() if pgrp == group and "chrom" in name
    ]


def _kill_chromium_group(group: int) -> None:
    """SIGKILL the live Chromium processes of process group ``group``; wait until gone."""
    deadline = time.monotonic() + 5
    while left := chromium_processes(group):
        if time.monotonic() > deadline:
            raise RuntimeError(f"Chromium processes {left} survived SIGKILL")
        for pid in left:
            with suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.02)
