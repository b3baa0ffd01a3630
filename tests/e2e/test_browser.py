"""The dashboard in headless Chromium: log in, see a call ring, answer it."""

from __future__ import annotations

import asyncio

import pytest

from devtools import browser
from devtools.stack import Stack

from ..helpers.stack import dashboard, wait_line_1

pytestmark = pytest.mark.e2e

CALLER = {"name": "Erika Mustermann", "number": "+4930123456"}


@pytest.mark.usefixtures("chromium_ready")
def test_dashboard_shows_ringing_call_and_answers_it(idle_phone: Stack) -> None:
    """Log in on the login page, watch the call ring, press Answer on the dashboard."""
    stack = idle_phone

    async def scenario() -> None:
        async with browser.chromium() as chromium:
            page = await dashboard(chromium, stack)
            # The dashboard lives in the sidebar.
            await page.locator("ha-sidebar").get_by_text("Desk phone").first.wait_for()

            await asyncio.to_thread(stack.ctl, "/_sim/ring", CALLER)
            line_1 = page.locator("hui-tile-card").filter(has_text="Line 1")
            await line_1.get_by_text("Ringing").first.wait_for(timeout=10_000)
            await line_1.get_by_text(CALLER["name"]).first.wait_for(timeout=10_000)
            await page.get_by_text("Incoming call").first.wait_for(timeout=10_000)

            answer = page.locator("hui-button-card").filter(has_text="Answer").first
            await answer.click()
            await asyncio.to_thread(wait_line_1, stack, "connected")
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
