"""The dashboard in headless Chromium: log in, see a call ring, answer it."""

from __future__ import annotations

import asyncio
import time

import pytest

from devtools import browser, demo
from devtools.stack import Stack

pytestmark = pytest.mark.e2e

CALLER = {"name": "Erika Mustermann", "number": "+4930123456"}


@pytest.fixture
def chromium_ready() -> None:
    """Skip when scripts/setup-e2e has not installed Chromium and playwright."""
    if (why := browser.browser_available()) is not None:
        pytest.skip(why)


def _wait_line_connected(stack: Stack, within: float = 15.0) -> None:
    deadline = time.monotonic() + within
    while True:
        line = stack.ctl("/_sim/state")["lines"][0]
        if line["state"] == "connected":
            return
        assert time.monotonic() < deadline, f"line 1 is {line['state']}"
        time.sleep(0.2)


@pytest.mark.usefixtures("chromium_ready")
def test_dashboard_shows_ringing_call_and_answers_it(idle_phone: Stack) -> None:
    """Log in on the login page, watch the call ring, press Answer on the dashboard."""
    stack = idle_phone

    async def scenario() -> None:
        async with browser.chromium() as chromium:
            page = await browser.new_page(chromium)
            await browser.login(
                page, stack.base_url, demo.DEMO_USER, demo.DEMO_PASSWORD
            )
            await browser.open_dashboard(page, stack.base_url)
            # The dashboard lives in the sidebar.
            await page.locator("ha-sidebar").get_by_text("Desk phone").first.wait_for()

            await asyncio.to_thread(stack.ctl, "/_sim/ring", CALLER)
            line_1 = page.locator("hui-tile-card").filter(has_text="Line 1")
            await line_1.get_by_text("Ringing").first.wait_for(timeout=10_000)
            await line_1.get_by_text(CALLER["name"]).first.wait_for(timeout=10_000)
            await page.get_by_text("Incoming call").first.wait_for(timeout=10_000)

            answer = page.locator("hui-button-card").filter(has_text="Answer").first
            await answer.click()
            await asyncio.to_thread(_wait_line_connected, stack)
            await line_1.get_by_text("Connected").first.wait_for(timeout=10_000)

    since = len(stack.ctl("/_sim/requests"))
    asyncio.run(scenario())
    # The click went through Home Assistant to the phone's CTI interface.
    operations = [
        r
        for r in stack.ctl("/_sim/requests")[since:]
        if r["function"] == "api-phone_operation"
    ]
    assert [r["params"].get("cmd") for r in operations] == ["acceptcall"]
