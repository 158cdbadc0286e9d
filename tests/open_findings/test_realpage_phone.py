"""Open finding of issue 10's realistic-page suite, kept outside the suite `make test` runs
until fixed (docs/open-findings.md): with the async embed, a 480 px embed that the page does
not fit makes a 390 px phone's page wider than the screen, and fitting it after the first
paint is a layout shift (tests/test_realpage_edges.py::test_9b_no_layout_shift_on_a_390px_phone).
Run with `.venv/bin/pytest tests/open_findings`; once fixed, the test moves back.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

pytest.register_assert_rewrite("tests.realpage_support")
from tests.realpage_support import Dealer  # noqa: E402
from tests.test_realpage_edges import BUTTONS_ON_SCREEN, PHONE  # noqa: E402

pytest_plugins = ["tests.realpage_support"]


def test_9b_banner_fits_a_390px_phone_beside_a_480px_embed(
    dealer: Callable[..., Dealer],
) -> None:
    """The same phone page (its 480 px video makes the page wider than the screen): every
    button of the first layer and of the settings is on the screen and reachable. Passes
    today (the placeholder shrinks, which is the shift above); the fix must keep it so."""
    visitor = dealer("safari_iphone", **PHONE)
    visitor.goto("/")
    visitor.banner()
    visitor.settle()
    first = visitor.page.evaluate(BUTTONS_ON_SCREEN)
    visitor.page.evaluate("cmp.open()")
    visitor.page.get_by_role("dialog", name="設定").wait_for(state="visible")
    visitor.page.wait_for_timeout(300)
    settings = visitor.page.evaluate(BUTTONS_ON_SCREEN)
    off = [b for b in first + settings if not (b[1] and b[2])]
    assert len(first) >= 3 and len(settings) >= 3 and off == [], (first, settings)
