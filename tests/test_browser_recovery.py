"""The browser fixtures outlive a crash of Playwright's driver or of Chromium.

The processes are killed for real (SIGKILL, as a crash leaves them): the next use of the
fixture machinery (tests/live_chromium.py) gets a fresh driver and Chromium, nothing is
left running, and pytest-rerunfailures runs the test during which the driver died once
more, on the fresh browser, while an ordinary failure is not run again.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Error

from tests.live_chromium import LiveChromium, chromium_processes

pytestmark = pytest.mark.browser
pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent


def _works(browser: Browser) -> None:
    """A page of ``browser`` runs script."""
    page = browser.new_page()
    try:
        assert page.evaluate("6 * 7") == 42
    finally:
        page.close()


def _gone(pid: int) -> bool:
    """True once ``pid`` is no longer a live process (a zombie counts as gone)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat", "rb") as file:
                if file.read().rsplit(b")", 1)[1].split()[0] == b"Z":
                    return True
        except OSError:
            return True
        time.sleep(0.02)
    return False


def _nothing_left(pids: list[tuple[int, int, Path]]) -> None:
    """No driver, no Chromium process and no Chromium profile of ``(driver, chromium,
    profile)`` is left."""
    for driver, chromium, profile in pids:
        assert _gone(driver), f"driver {driver} still runs"
        assert chromium_processes(chromium) == [], f"Chromium group {chromium} still runs"
        assert not profile.exists(), f"{profile} left behind"


def _current(chromium: LiveChromium) -> tuple[int, int, Path]:
    """The driver, Chromium and profile of ``chromium``'s current start."""
    assert chromium.driver_pid and chromium.chromium_pid and chromium.profile
    assert chromium_processes(chromium.chromium_pid), "Chromium not found under the driver"
    return chromium.driver_pid, chromium.chromium_pid, chromium.profile


def test_a_killed_driver_or_chromium_is_replaced_and_nothing_is_left() -> None:
    with LiveChromium() as chromium:
        first = chromium.browser
        _works(first)
        started = [_current(chromium)]
        os.kill(chromium.driver_pid, signal.SIGKILL)  # as the frameAttached assertion does
        assert _gone(started[0][0])
        with pytest.raises(Error, match="closed") as crash:  # what the crashed test saw
            first.new_page()
        assert type(crash.value).__name__ == "TargetClosedError"  # pyproject.toml's only_rerun
        assert first.is_connected()  # why LiveChromium asks the driver instead

        second = chromium.browser  # the next use: a fresh driver and Chromium
        assert second is not first and chromium.launches == 2
        _works(second)
        _nothing_left(started)  # the dead driver's Chromium was killed, its profile removed
        started.append(_current(chromium))
        assert started[1][0] != started[0][0]
        assert chromium.browser is second  # a live browser is kept

        os.kill(chromium.chromium_pid, signal.SIGKILL)  # Chromium itself dies
        assert _gone(started[1][1])
        third = chromium.browser
        assert third is not second and chromium.launches == 3
        _works(third)
        started.append(_current(chromium))

        os.kill(chromium.driver_pid, signal.SIGKILL)  # the module ends on a dead driver
        assert _gone(started[2][0])
    _nothing_left(started)  # closing was quiet, and nothing of the three starts runs


CRASHING_MODULE = '''
"""Uses the suite's own ``browser`` fixture; the driver dies during the first test."""

import os
import signal
import time

from tests.conftest import browser, module_chromium  # noqa: F401 - the fixtures


def test_the_driver_dies_during_the_first_attempt(browser, module_chromium, request):
    page = browser.new_page()
    if request.node.execution_count == 1:
        os.kill(module_chromium.driver_pid, signal.SIGKILL)
        time.sleep(0.2)
    assert page.evaluate("1 + 1") == 2
    assert module_chromium.launches == request.node.execution_count


def test_the_next_test_gets_the_same_fresh_browser(browser, module_chromium):
    assert browser.new_page().evaluate("2 + 2") == 4
    assert module_chromium.launches == 2


def test_an_ordinary_failure_is_not_run_again(browser):
    assert browser.new_page().evaluate("1") == 2
'''


def test_the_test_during_a_driver_crash_runs_again_on_a_fresh_browser(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_crashing=CRASHING_MODULE)
    # The repository's own pytest settings (rerunfailures' options, filterwarnings = error).
    result = pytester.runpytest_subprocess(
        "-v", "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(ROOT), "-p", "no:cacheprovider",
        str(pytester.path / "test_crashing.py"), timeout=60,
    )  # fmt: skip
    outcomes = result.parseoutcomes()
    assert (outcomes.get("passed"), outcomes.get("failed"), outcomes.get("rerun")) == (2, 1, 1), (
        result.stdout.str()
    )
    result.stdout.re_match_lines([r".*::test_the_driver_dies_during_the_first_attempt RERUN"])
    assert "warnings" not in outcomes and "errors" not in outcomes, result.stdout.str()
