"""Do Not Disturb from the dashboard, in a real Home Assistant and headless Chromium.

The switch is available once the phone's pushes are verified (a call over
push). Clicking it on the dashboard makes Home Assistant press MUTE on the
idle simulated phone, whose DND push confirms the change; the phone's own
state and the dashboard follow.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from devtools import browser
from devtools.client import HomeAssistantClient
from devtools.stack import Stack

from ..helpers.stack import dashboard

pytestmark = pytest.mark.e2e


def _wait_phone_dnd(stack: Stack, on: bool, within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while (dnd := stack.ctl("/_sim/state")["dnd"]) is not on:
        assert time.monotonic() < deadline, f"the phone's DND stayed {dnd}"
        time.sleep(0.2)


def _mutes(stack: Stack, since: int) -> int:
    return sum(
        r["params"].get("keys", "").split(":").count("MUTE")
        for r in stack.ctl("/_sim/requests")[since:]
        if r["function"] == "api-send_key"
    )


@pytest.mark.usefixtures("chromium_ready")
def test_dnd_switched_from_the_dashboard(idle_phone: Stack) -> None:
    """On and off from the dashboard: one MUTE each, the phone and the switch follow."""
    stack = idle_phone
    switch = stack.entity("switch", "do_not_disturb")
    push = stack.entity("sensor", "push")

    # Start from DND off, as the phone reported it (an unknown state shows two
    # buttons instead of a toggle); prove the phone's pushes with a missed
    # call so that the switch is available.
    stack.ctl("/_sim/dnd", {"on": True})
    stack.ctl("/_sim/dnd", {"on": False})
    stack.ctl("/_sim/ring", {"number": "+4930555000"})

    async def ringing(client: HomeAssistantClient) -> None:
        await client.wait_state(
            stack.entity("sensor", "line_1"), lambda s: s["state"] == "ringing"
        )

    stack.run(ringing)
    stack.ctl("/_sim/miss", {"line": 1})

    async def ready(client: HomeAssistantClient) -> None:
        await client.wait_state(push, lambda s: s["state"] == "verified", within=30)
        await client.wait_state(switch, lambda s: s["state"] == "off")

    stack.run(ready)
    since = len(stack.ctl("/_sim/requests"))

    async def scenario() -> None:
        async with browser.chromium() as chromium:
            page = await dashboard(chromium, stack)
            row = page.locator("hui-toggle-entity-row").filter(
                has_text="Do not disturb"
            )
            toggle = row.locator("ha-switch").first
            await toggle.wait_for(timeout=10_000)

            await toggle.click()
            await asyncio.to_thread(_wait_phone_dnd, stack, True)
            await _wait_checked(toggle, True)

            await toggle.click()
            await asyncio.to_thread(_wait_phone_dnd, stack, False)
            await _wait_checked(toggle, False)

    asyncio.run(scenario())

    async def switched_off(client: HomeAssistantClient) -> None:
        await client.wait_state(switch, lambda s: s["state"] == "off")

    stack.run(switched_off)
    # One key press per click: MUTE toggles, so a second press would undo it.
    assert _mutes(stack, since) == 2


async def _wait_checked(toggle: Any, checked: bool, within: float = 15.0) -> None:
    """Wait until the dashboard's toggle (a Playwright locator) shows ``checked``."""
    deadline = time.monotonic() + within
    while True:
        value = await toggle.evaluate("el => Boolean(el.checked)")
        if value is checked:
            return
        assert time.monotonic() < deadline, f"the toggle stayed {value}"
        await asyncio.sleep(0.2)
