"""The call-back list in a real Home Assistant: REST, WebSocket and the dashboard.

A call is missed on the simulated phone; the list shows it over the APIs and on
the dashboard in headless Chromium; the number is typed on the dashboard's dial
pad (the national way) and called; when the caller answers, the item is done.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

import pytest

from devtools import browser
from devtools.client import HomeAssistantClient
from devtools.stack import Stack

from ..helpers.stack import dashboard, ring_and_miss, state_count, wait_line_1

pytestmark = pytest.mark.e2e

CALLER = {"name": "Anna Beispiel", "number": "+4922155501"}
SUMMARY = f"{CALLER['name']} ({CALLER['number']})"
# What the user types on the dial pad: the same number, the national way.
TYPED = "022155501"


async def _items(client: HomeAssistantClient, entity_id: str) -> list[dict[str, Any]]:
    async with client.websocket() as ws:
        result = await ws.command("todo/item/list", entity_id=entity_id)
        await ws.close()
    items: list[dict[str, Any]] = result["items"]
    return items


async def _item(
    client: HomeAssistantClient, entity_id: str, status: str, within: float = 15.0
) -> dict[str, Any]:
    """The caller's item once it has ``status``."""
    deadline = time.monotonic() + within
    while True:
        for item in await _items(client, entity_id):
            if item["summary"] == SUMMARY and item["status"] == status:
                return item
        assert time.monotonic() < deadline, f"no {status} item for {SUMMARY}"
        await asyncio.sleep(0.2)


@pytest.mark.usefixtures("chromium_ready")
def test_missed_call_is_listed_and_called_back_from_the_dial_pad(
    idle_phone: Stack,
) -> None:
    """Missed → listed (APIs, dashboard) → dialled back → answered → done."""
    stack = idle_phone
    todo = stack.entity("todo", "call_back")
    number_field = "input_text.desk_phone_number"

    before = state_count(stack, todo)
    ring_and_miss(stack, CALLER)

    async def listed(client: HomeAssistantClient) -> dict[str, Any]:
        await client.wait_state(todo, lambda s: s["state"] == str(before + 1))
        missed = await client.state(stack.entity("sensor", "missed_calls"))
        assert missed is not None
        assert missed["state"] == str(before + 1)
        return await _item(client, todo, "needs_action")

    item = stack.run(listed)
    # The number first, as the phone reported it: what templates read.
    assert item["description"].split("\n\n")[0] == CALLER["number"]
    assert "Missed call at" in item["description"]

    since = len(stack.ctl("/_sim/requests"))

    async def scenario() -> None:
        async with browser.chromium() as chromium:
            page = await dashboard(chromium, stack)
            card = page.locator("hui-todo-list-card")
            entry = card.get_by_text(SUMMARY)
            await entry.first.wait_for(timeout=15_000)

            async with HomeAssistantClient(stack.base_url) as client:
                client.access_token = stack.access_token
                await client.call_service("script", "desk_phone_clear")
                await client.wait_state(number_field, lambda s: s["state"] == "")
                for key in TYPED:
                    button = page.locator("hui-button-card").filter(
                        has_text=re.compile(rf"^\s*{re.escape(key)}\s*$")
                    )
                    await button.first.click()
                # The keys' script runs queued: wait for the whole number.
                await client.wait_state(number_field, lambda s: s["state"] == TYPED)
                await (
                    page.locator("hui-button-card")
                    .filter(has_text=re.compile(r"^\s*Call\s*$"))
                    .first.click()
                )
                await asyncio.to_thread(wait_line_1, stack, "calling")
                # Ringing at the other end is no call back yet.
                await _item(client, todo, "needs_action")
                await asyncio.to_thread(stack.ctl, "/_sim/remote_answer", {"line": 1})
                await asyncio.to_thread(wait_line_1, stack, "connected")
                done = await _item(client, todo, "completed")
                assert done["uid"] == item["uid"]
                await client.wait_state(todo, lambda s: s["state"] == str(before))
                # The dashboard shows open items only.
                await entry.first.wait_for(state="hidden", timeout=15_000)
                await client.call_service("script", "desk_phone_clear")

    asyncio.run(scenario())
    # The dial pad's Call went through Home Assistant to the phone, as typed.
    calls = [
        r
        for r in stack.ctl("/_sim/requests")[since:]
        if r["function"] == "api-make_call"
    ]
    assert [r["params"]["phonenumber"] for r in calls] == [TYPED]
