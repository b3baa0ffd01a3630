"""Sensors that follow the calls: last caller, last call started, missed calls."""

from __future__ import annotations

from datetime import timedelta

from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant, State
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    mock_restore_cache,
    mock_restore_cache_with_extra_data,
)

from custom_components.grandstream.const import DOMAIN
from simulator import SimulatedPhone

from ..helpers.entities import LAST_CALLER, LAST_STARTED, MISSED, RESET_MISSED
from ..helpers.entries import device_by_identifier, point_pushes_at, register_entities
from ..helpers.phone import PHONE_MAC
from ..helpers.waiting import answered_call, missed_call, poll, settle

NUMBER = "+4930123456"
NAME = "Erika Mustermann"


async def set_up(
    hass: HomeAssistant, entry: MockConfigEntry, phone: SimulatedPhone, base: str
) -> None:
    """Set up the entry (after a test mocked the restore cache)."""
    if hass.config_entries.async_get_entry(entry.entry_id) is None:
        entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    point_pushes_at(phone, base, entry)


@pytest.mark.usefixtures("push_integration")
async def test_last_caller_and_started(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """The last incoming caller by name, and when the last call started."""
    assert hass.states.get(LAST_CALLER).state == STATE_UNKNOWN
    assert hass.states.get(LAST_STARTED).state == STATE_UNKNOWN

    before = dt_util.utcnow()
    phone.incoming_call(NUMBER, NAME)
    await settle(hass, phone)
    state = hass.states.get(LAST_CALLER)
    assert state.state == NAME
    assert state.attributes["number"] == NUMBER
    assert state.attributes["caller_name"] == NAME
    started = dt_util.parse_datetime(hass.states.get(LAST_STARTED).state)
    assert started is not None
    assert before - timedelta(seconds=1) <= started <= dt_util.utcnow()
    assert hass.states.get(LAST_STARTED).attributes["device_class"] == "timestamp"
    phone.answer()
    await settle(hass, phone)
    phone.remote_hangup()
    await settle(hass, phone)
    assert hass.states.get(LAST_STARTED).state == started.isoformat()

    # Outgoing calls are not callers, but they do start calls.
    phone.make_call("+4940987654")
    await settle(hass, phone)
    assert hass.states.get(LAST_CALLER).state == NAME
    assert dt_util.parse_datetime(hass.states.get(LAST_STARTED).state) >= started
    phone.remote_hangup()
    await settle(hass, phone)

    # A caller without a name shows the number.
    phone.profile.remotename_repeats_number = False
    phone.incoming_call("+4930555666")
    await settle(hass, phone)
    state = hass.states.get(LAST_CALLER)
    assert state.state == "+4930555666"
    assert state.attributes["caller_name"] is None


@pytest.mark.usefixtures("push_integration")
async def test_last_caller_name_arrives_later(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """A caller first known by number gets the name polling learns later."""
    phone.profile.action_urls = {}
    line = phone.incoming_call(NUMBER)
    await poll(hass)
    assert hass.states.get(LAST_CALLER).state == NUMBER
    phone.line(line).remote_name = NAME
    phone.answer()
    await poll(hass)
    state = hass.states.get(LAST_CALLER)
    assert state.state == NAME
    assert state.attributes["number"] == NUMBER


@pytest.mark.usefixtures("push_integration")
async def test_missed_calls_count_and_reset(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """Missed callers add up; the button and the action set them back to 0.

    (The count is that of the call-back list's open items: tests/integration/
    test_todo.py has what completes them.)
    """
    state = hass.states.get(MISSED)
    assert state.state == "0"
    assert state.attributes["state_class"] == "total"
    await missed_call(hass, phone, NUMBER)
    await missed_call(hass, phone, "+4930555666")
    assert hass.states.get(MISSED).state == "2"
    # Answered calls are not missed.
    await answered_call(hass, phone, "+4930777888")
    assert hass.states.get(MISSED).state == "2"

    await hass.services.async_call(
        "button", "press", {"entity_id": RESET_MISSED}, blocking=True
    )
    await hass.async_block_till_done()
    state = hass.states.get(MISSED)
    assert state.state == "0"
    assert state.attributes["last_reset"] is not None

    await missed_call(hass, phone, NUMBER)
    assert hass.states.get(MISSED).state == "1"
    device = device_by_identifier(hass, PHONE_MAC)
    assert device is not None
    await hass.services.async_call(
        DOMAIN, "reset_missed_calls", {"device_id": device.id}, blocking=True
    )
    await hass.async_block_till_done()
    assert hass.states.get(MISSED).state == "0"


async def test_missed_calls_survive_reload(
    hass: HomeAssistant, push_integration: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """Reloading the phone (as a restart does) keeps the count."""
    await missed_call(hass, phone, "+4930555666")
    await missed_call(hass, phone, NUMBER)
    assert hass.states.get(MISSED).state == "2"
    assert await hass.config_entries.async_reload(push_integration.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(MISSED).state == "2"
    assert hass.states.get(LAST_CALLER).attributes["number"] == NUMBER


STARTED = "2026-01-02T03:04:05+00:00"
STARTED_DATETIME = {"__type": "<class 'datetime.datetime'>", "isoformat": STARTED}


@pytest.mark.parametrize(
    ("stored", "stored_start"),
    [(3, STARTED_DATETIME), ("3.0", STARTED), ("x", STARTED)],
)
async def test_restored_after_restart(
    hass: HomeAssistant,
    *,
    ha_url: str,
    phone: SimulatedPhone,
    push_config_entry: MockConfigEntry,
    stored: object,
    stored_start: object,
) -> None:
    """Upgrading keeps the start time; the count is the list's.

    A count of the versions before the call-back list cannot become items
    (test_todo.py: test_old_counter_gives_way_to_the_list).
    """
    started = STARTED
    push_config_entry.add_to_hass(hass)
    register_entities(
        hass,
        push_config_entry,
        {MISSED: "missed_calls", LAST_STARTED: "last_call_started"},
    )
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State(MISSED, str(stored)),
                {"native_value": stored, "native_unit_of_measurement": None},
            ),
            (
                State(LAST_STARTED, started),
                {"native_value": stored_start, "native_unit_of_measurement": None},
            ),
        ],
    )
    await set_up(hass, push_config_entry, phone, ha_url)
    assert hass.states.get(MISSED).state == "0"
    assert hass.states.get(LAST_STARTED).state == started
    await missed_call(hass, phone, NUMBER)
    assert hass.states.get(MISSED).state == "1"


async def test_last_caller_restored(
    hass: HomeAssistant,
    ha_url: str,
    phone: SimulatedPhone,
    push_config_entry: MockConfigEntry,
) -> None:
    """Upgrading keeps the last caller, name and number, and the last start."""
    push_config_entry.add_to_hass(hass)
    register_entities(
        hass,
        push_config_entry,
        {LAST_CALLER: "last_caller", LAST_STARTED: "last_call_started"},
    )
    mock_restore_cache(
        hass,
        [
            State(LAST_CALLER, NAME, {"number": NUMBER, "caller_name": NAME}),
            State(LAST_STARTED, "2026-01-02T03:04:05+00:00"),
        ],
    )
    await set_up(hass, push_config_entry, phone, ha_url)
    state = hass.states.get(LAST_CALLER)
    assert state.state == NAME
    assert state.attributes["number"] == NUMBER
    # The state the old sensor showed is the start time.
    assert hass.states.get(LAST_STARTED).state == "2026-01-02T03:04:05+00:00"


async def test_available_while_phone_reboots(
    hass: HomeAssistant, push_integration: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """What happened stays shown while the phone cannot be reached."""
    await missed_call(hass, phone, NUMBER)
    await phone.reboot()
    await poll(hass, 61)
    assert not push_integration.runtime_data.last_update_success
    assert hass.states.get(MISSED).state == "1"
    assert hass.states.get(LAST_CALLER).state == NUMBER
    assert hass.states.get("sensor.front_desk_push").state != "unavailable"
    await phone.wait_online()
