"""Defects a review of the core found, each kept as a test.

A DND request whose fresh line read fails sends nothing; a push handed on at
its deadline keeps showing until a read after it comes; a forged push on an
unregistered phone leaves the phone's own status; a removed phone's record
leaves the storage; a provisional push's MAC is not adopted.
"""

from __future__ import annotations

import asyncio
from typing import Any

from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.grandstream.const import EVENT_CALL
from simulator import Fault, SimulatedPhone
from simulator.actionurl import send_raw_get

from ..helpers.dnd import mutes, switch
from ..helpers.waiting import after_first_fetch, settle

NUMBER = "+4930123456"
LINE_1 = "sensor.front_desk_line_1"
RINGING = "binary_sensor.front_desk_ringing"


async def test_dnd_sends_nothing_when_the_fresh_read_fails(
    hass: HomeAssistant,
    dnd_entry: MockConfigEntry,
    phone: SimulatedPhone,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A call Home Assistant has not seen, and the read before MUTE fails: no MUTE.

    The last poll's picture (idle) is no proof: MUTE would mute the call.
    """
    monkeypatch.setattr(
        "custom_components.grandstream.dnd.DND_CONFIRMATION_TIMEOUT", 0.5
    )
    phone.profile.action_urls = {}  # this call's pushes get lost
    phone.incoming_call(NUMBER)
    phone.answer()
    assert hass.states.get("binary_sensor.front_desk_in_call").state == "off"
    phone.set_fault(Fault("http500", count=1))  # the fresh line read fails once
    with pytest.raises(HomeAssistantError):
        await switch(hass, True)
    assert mutes(phone) == 0
    assert not phone.muted


async def test_a_push_past_its_deadline_keeps_showing(
    hass: HomeAssistant, push_integration: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """A read sent before the ring answers after the push's deadline: no flicker.

    The ring shows from its push, stays while the stale read comes back, and
    is confirmed by the read after the push (ringing never goes off between).
    """
    coordinator = push_integration.runtime_data

    async def ring_while_the_answer_is_late() -> None:
        # The read went out before the ring; its answer comes late.
        phone.incoming_call(NUMBER, "Erika")
        await asyncio.sleep(1.6)

    after_first_fetch(coordinator, ring_while_the_answer_is_late)
    changes = async_capture_events(hass, "state_changed")
    events = async_capture_events(hass, EVENT_CALL)
    await coordinator.async_refresh()
    await settle(hass, phone)
    await asyncio.sleep(0.5)
    await hass.async_block_till_done(wait_background_tasks=True)
    line = [c.data["new_state"].state for c in changes if c.data["entity_id"] == LINE_1]
    ringing = [
        c.data["new_state"].state for c in changes if c.data["entity_id"] == RINGING
    ]
    assert "idle" not in line
    assert set(line) == {"ringing"}
    assert set(ringing) == {"on"}
    assert [e.data["type"] for e in events] == ["incoming"]


async def test_forged_push_on_an_unregistered_phone(
    hass: HomeAssistant,
    push_integration: MockConfigEntry,
    phone: SimulatedPhone,
    ha_url: str,
) -> None:
    """The read that takes a forged ring back restores the phone's own status."""
    coordinator = push_integration.runtime_data
    for account in phone.profile.accounts:
        account.registered = False
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    status = "sensor.front_desk_phone_status"
    assert hass.states.get(status).state == "unregistered"
    changes = async_capture_events(hass, "state_changed")
    webhook = push_integration.data[CONF_WEBHOOK_ID]
    url = f"{ha_url}/api/webhook/{webhook}?e=incoming&m=000b82123456&r={NUMBER}"
    assert await send_raw_get(url, "Grandstream GXP2170", 5.0) == 200
    await hass.async_block_till_done(wait_background_tasks=True)
    await asyncio.sleep(1.2)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get(status).state == "unregistered"
    # The forged ring showed, and the read after it took it back.
    assert [
        c.data["new_state"].state for c in changes if c.data["entity_id"] == status
    ] == ["ringing", "unregistered"]


async def test_the_record_goes_with_the_phone(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    push_integration: MockConfigEntry,
    phone: SimulatedPhone,
) -> None:
    """Removing the phone deletes its record (the last caller's number and name)."""
    phone.incoming_call(NUMBER, "Erika")
    await settle(hass, phone)
    key = f"grandstream.record.{push_integration.entry_id}"
    await hass.config_entries.async_unload(push_integration.entry_id)
    await hass.async_block_till_done()
    assert key in hass_storage
    await hass.config_entries.async_remove(push_integration.entry_id)
    await hass.async_block_till_done()
    assert key not in hass_storage


async def test_a_provisional_push_teaches_no_mac(
    hass: HomeAssistant,
    ha_url: str,
    phone: SimulatedPhone,
    init_integration: MockConfigEntry,
) -> None:
    """A push taken without a read after it (a slow phone) is no proof of its MAC."""
    entry = init_integration
    assert entry.unique_id is None
    phone.set_fault(Fault("latency", delay=3.0))
    webhook = entry.data[CONF_WEBHOOK_ID]
    url = f"{ha_url}/api/webhook/{webhook}?e=incoming&m=000b82abcdef&r={NUMBER}"
    assert await send_raw_get(url, "Grandstream GXP2170", 5.0) == 200
    await asyncio.sleep(1.3)
    await hass.async_block_till_done()
    assert entry.unique_id is None
    phone.set_fault(None)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.unique_id is None
