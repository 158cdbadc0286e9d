"""Screenshots of the banner for docs/banner.md: desktop, phone, dark, settings, bar layout.

Headless Debian Chromium on ``/demo`` of a local cmp server (demo seeded). Writes
``docs/screenshots/banner-*.png``. Run ``python -m bench.banner_screenshots``.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.banner_start import cmp_server
from tests.chromium import CHROMIUM, CHROMIUM_ARGS

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}

#: name, page query, context options, whether to open the settings.
SHOTS = [
    ("desktop", "", DESKTOP, False),
    ("phone", "", PHONE, False),
    ("dark", "?theme=dark", DESKTOP, False),
    ("phone-dark", "", {**PHONE, "color_scheme": "dark"}, False),
    ("settings", "", DESKTOP, True),
    ("settings-phone", "", PHONE, True),
    ("bar", "?layout=bar", DESKTOP, False),
]


def main() -> None:
    """Take every shot in :data:`SHOTS`."""
    OUT.mkdir(parents=True, exist_ok=True)
    with cmp_server() as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for name, query, options, settings in SHOTS:
                context = browser.new_context(**options)
                page = context.new_page()
                page.goto(f"{base}/demo{query}")
                dialog = page.locator("cmp-banner dialog[open]")
                dialog.wait_for()
                if settings:
                    dialog.get_by_role("button", name="設定").click()
                page.wait_for_timeout(300)
                page.screenshot(path=str(OUT / f"banner-{name}.png"))
                print(OUT / f"banner-{name}.png")
                context.close()
        finally:
            browser.close()


if __name__ == "__main__":
    main()
