"""The end-to-end stack (simulator and Home Assistant as processes), as tests see it."""

from __future__ import annotations

import os
from pathlib import Path
import time
from typing import TYPE_CHECKING, Any

import pytest

from devtools import browser, demo
from devtools.client import HomeAssistantClient
from devtools.stack import Stack

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

# How long the stack's simulated phone takes to reboot, in seconds.
REBOOT_DURATION = 3.0


def wait_line_1(stack: Stack, state: str, within: float = 15.0) -> None:
    """Wait until line 1 of the stack's phone is in ``state`` (the simulator's view)."""
    deadline = time.monotonic() + within
    while True:
        line = stack.ctl("/_sim/state")["lines"][0]
        if line["state"] == state:
            return
        assert time.monotonic() < deadline, f"line 1 is {line['state']}"
        time.sleep(0.2)


async def dashboard(chromium: Browser, stack: Stack) -> Page:
    """A new page, logged in as the demo user, on the Desk phone dashboard."""
    page = await browser.new_page(chromium)
    await browser.login(page, stack.base_url, demo.DEMO_USER, demo.DEMO_PASSWORD)
    await browser.open_dashboard(page, stack.base_url)
    return page


def state_count(stack: Stack, entity_id: str) -> int:
    """The state of a counting entity, as a number."""

    async def count(client: HomeAssistantClient) -> int:
        state = await client.state(entity_id)
        assert state is not None
        return int(state["state"])

    return stack.run(count)


def ring_and_miss(stack: Stack, caller: dict[str, Any]) -> None:
    """``caller`` rings the phone, Home Assistant sees it, and gives up."""
    stack.ctl("/_sim/ring", caller)

    async def ringing(client: HomeAssistantClient) -> None:
        await client.wait_state(
            stack.entity("binary_sensor", "ringing"), lambda s: s["state"] == "on"
        )

    stack.run(ringing)
    stack.ctl("/_sim/miss", {})


# A release zip (scripts/build's dist/grandstream.zip) to install the integration from,
# as HACS does; unset or empty: the repository's custom_components/grandstream.
ZIP_VARIABLE = "GRANDSTREAM_INTEGRATION_ZIP"


def integration_zip() -> Path | None:
    """The zip the suite installs the integration from, if any."""
    value = os.environ.get(ZIP_VARIABLE, "")
    if not value:
        return None
    path = Path(value)
    if not path.is_file():
        raise pytest.UsageError(f"{ZIP_VARIABLE}={value}: no such file")
    return path.resolve()
