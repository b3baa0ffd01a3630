"""Sensors of the phone and its lines, against the simulated phone."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Any

from homeassistant.const import STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from simulator import PhoneProfile, SimulatedPhone

from ..helpers.entities import LINE_1, PHONE_STATUS
from ..helpers.entries import setup_entry
from ..helpers.snapshots import snapshot_one_platform
from ..helpers.waiting import AdvanceTime

pytestmark = pytest.mark.freeze_time(tick=True)


# A fixed clock, so that timestamps in the snapshot do not change.
@pytest.mark.freeze_time("2025-06-01T12:00:00+00:00")
@pytest.mark.usefixtures("entity_registry_enabled_by_default", "idle_or_ringing")
async def test_snapshot(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, snapshot: SnapshotAssertion
) -> None:
    """Every sensor, idle and with a call ringing in."""
    await snapshot_one_platform(hass, mock_config_entry, snapshot, Platform.SENSOR)


@pytest.mark.usefixtures("init_integration")
async def test_polling_follows_the_phone(
    hass: HomeAssistant, phone: SimulatedPhone, advance_time: AdvanceTime
) -> None:
    """A call ringing in and given up shows on the next poll."""
    assert hass.states.get(LINE_1).state == "idle"
    assert hass.states.get(PHONE_STATUS).state == "available"

    phone.incoming_call("+4930123456", "Ada Lovelace")
    await advance_time(timedelta(seconds=5))

    state = hass.states.get(LINE_1)
    assert state.state == "ringing"
    assert state.attributes["remote_number"] == "+4930123456"
    assert state.attributes["remote_name"] == "Ada Lovelace"
    assert state.attributes["account"] == 1
    assert state.attributes["active"] is True
    assert hass.states.get(PHONE_STATUS).state == "ringing"
    assert hass.states.get("sensor.front_desk_line_2").state == "idle"

    phone.miss_call()
    await advance_time(timedelta(seconds=5))

    state = hass.states.get(LINE_1)
    assert state.state == "idle"
    assert state.attributes["remote_number"] is None
    assert state.attributes["remote_name"] is None
    assert hass.states.get(PHONE_STATUS).state == "available"


async def test_phone_without_registered_account(
    hass: HomeAssistant, profile: PhoneProfile, init_integration: MockConfigEntry
) -> None:
    """The phone's own "unavailable" is not Home Assistant's unavailable."""
    profile.accounts[0].registered = False
    await init_integration.runtime_data.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get(PHONE_STATUS).state == "unregistered"


@pytest.mark.parametrize("lines", [16])
async def test_sixteen_lines(
    hass: HomeAssistant,
    profile: PhoneProfile,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    lines: int,
) -> None:
    """One sensor per line; only the first two are enabled by default."""
    profile.lines = lines
    await setup_entry(hass, mock_config_entry)

    for number in range(1, lines + 1):
        entity_id = entity_registry.async_get_entity_id(
            "sensor", "grandstream", f"{mock_config_entry.entry_id}_line_{number}"
        )
        assert entity_id == f"sensor.front_desk_line_{number}"
        entry = entity_registry.async_get(entity_id)
        if number <= 2:
            assert entry.disabled_by is None
            assert hass.states.get(entity_id).state == "idle"
        else:
            assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
            assert hass.states.get(entity_id) is None


@pytest.mark.usefixtures("entity_registry_enabled_by_default", "init_integration")
async def test_line_no_longer_reported(
    hass: HomeAssistant, profile: PhoneProfile, advance_time: AdvanceTime
) -> None:
    """A line the phone stops reporting becomes unavailable; the others stay."""
    assert hass.states.get("sensor.front_desk_line_4").state == "idle"

    profile.lines = 2
    await advance_time(timedelta(seconds=5))

    assert hass.states.get("sensor.front_desk_line_3").state == STATE_UNAVAILABLE
    assert hass.states.get("sensor.front_desk_line_4").state == STATE_UNAVAILABLE
    assert hass.states.get("sensor.front_desk_line_2").state == "idle"

    profile.lines = 4
    await advance_time(timedelta(seconds=5))
    assert hass.states.get("sensor.front_desk_line_4").state == "idle"


@pytest.mark.usefixtures("init_integration")
async def test_unknown_states_logged_once(
    hass: HomeAssistant,
    phone: SimulatedPhone,
    advance_time: AdvanceTime,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """States the phone invents show as "other" and are logged only once."""
    real_line_status = phone.line_status

    def line_status() -> list[dict[str, Any]]:
        lines = real_line_status()
        lines[0]["state"] = "parked"
        return lines

    monkeypatch.setattr(phone, "line_status", line_status)
    monkeypatch.setattr(phone, "phone_status", lambda: "dnd")
    caplog.set_level(logging.INFO, logger="custom_components.grandstream")

    for _ in range(4):
        await advance_time(timedelta(seconds=5))
        assert hass.states.get(LINE_1).state == "other"
        assert hass.states.get(PHONE_STATUS).state == "other"

    unknown = [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("custom_components.grandstream")
        and "unknown" in record.getMessage()
    ]
    assert unknown == [
        "Front desk reports an unknown phone state 'dnd'; shown as 'other'",
        "Front desk reports an unknown line state 'parked'; shown as 'other'",
    ]


@pytest.mark.usefixtures("init_integration")
async def test_call_history_from_polls(
    hass: HomeAssistant, phone: SimulatedPhone, advance_time: AdvanceTime
) -> None:
    """Without push, polls still tell who called and count missed calls."""
    assert hass.states.get("sensor.front_desk_missed_calls").state == "0"

    phone.incoming_call("+4930123456", "Ada Lovelace")
    await advance_time(timedelta(seconds=5))
    last_caller = hass.states.get("sensor.front_desk_last_caller")
    assert last_caller.state == "Ada Lovelace"
    assert last_caller.attributes["number"] == "+4930123456"
    assert hass.states.get("sensor.front_desk_last_call_started").state != "unknown"

    phone.miss_call()
    await advance_time(timedelta(seconds=5))
    assert hass.states.get("sensor.front_desk_missed_calls").state == "1"

    await hass.services.async_call(
        "button",
        "press",
        {"entity_id": "button.front_desk_reset_missed_calls"},
        blocking=True,
    )
    assert hass.states.get("sensor.front_desk_missed_calls").state == "0"
