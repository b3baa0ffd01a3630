"""Drive Home Assistant's web UI in headless Chromium (Playwright, async API).

Debian's Chromium (``/usr/bin/chromium``, or ``$CHROMIUM``) is launched through
``executable_path``; Playwright's own browser download is not used.
``scripts/setup-e2e`` installs both.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
import contextlib
import os
from pathlib import Path
import tempfile
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Keep Chromium from reaching out to the internet (updates, sync, QUIC probes...).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-dev-shm-usage",
]
DASHBOARD_PATH = "/grandstream-phone/phone"


def browser_available() -> str | None:
    """None when the browser can run here, else why not."""
    try:
        import playwright.async_api  # noqa: F401, PLC0415
    except ImportError:
        return "the playwright package is missing (run scripts/setup-e2e)"
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing (run scripts/setup-e2e)"
    return None


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """Headless Chromium with a throw-away profile."""
    from playwright.async_api import async_playwright  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=[*CHROMIUM_ARGS, f"--crash-dumps-dir={profile}"],
            )
            try:
                yield browser
            finally:
                await browser.close()


async def new_page(
    browser: Browser, *, width: int = 1280, height: int = 900, dark: bool = False
) -> Page:
    """A page in a fresh context (no stored login)."""
    context = await browser.new_context(
        viewport={"width": width, "height": height},
        color_scheme="dark" if dark else "light",
        locale="en-US",
        timezone_id="Europe/Berlin",
    )
    return await context.new_page()


async def login(page: Page, base_url: str, username: str, password: str) -> None:
    """Open Home Assistant and log in on its login page, as a person would."""
    await page.goto(base_url + "/", wait_until="domcontentloaded")
    await page.wait_for_url("**/auth/authorize**", timeout=30_000)
    username_field = page.locator(
        "input[name='username'], input[autocomplete='username']"
    )
    await username_field.first.fill(username, timeout=30_000)
    password_field = page.locator(
        "input[name='password'], input[type='password'], "
        "input[autocomplete='current-password']"
    )
    await password_field.first.fill(password)
    await password_field.first.press("Enter")
    # Back on the frontend (not the authorize page) with a sidebar.
    await page.wait_for_url(lambda url: "/auth/authorize" not in url, timeout=30_000)
    await page.locator("ha-sidebar").first.wait_for(timeout=30_000)


async def open_dashboard(page: Page, base_url: str) -> None:
    """Open the Desk phone dashboard and wait for its cards."""
    await page.goto(base_url + DASHBOARD_PATH, wait_until="domcontentloaded")
    await page.locator("hui-tile-card").first.wait_for(timeout=30_000)
    await page.wait_for_timeout(1500)  # let icons and fonts settle
