"""The "Call" event entity and the ``grandstream_call`` bus event."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.grandstream.const import EVENT_CALL
from simulator import SimulatedPhone

from ..conftest import PHONE_MAC, device_by_identifier, poll, settle

CALL_ENTITY = "event.front_desk_call"
NUMBER = "+4930123456"
NAME = "Erika Mustermann"


async def test_event_entity(
    hass: HomeAssistant, push_integration: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """The entity exists with every event type and shows the latest event."""
    entity = er.async_get(hass).async_get(CALL_ENTITY)
    assert entity is not None
    assert entity.unique_id == f"{PHONE_MAC}_call"
    assert entity.translation_key == "call"
    state = hass.states.get(CALL_ENTITY)
    assert state.state == "unknown"
    assert state.attributes["event_types"] == [
        "incoming",
        "outgoing",
        "answered",
        "ended",
        "missed",
        "held",
        "resumed",
        "dnd_on",
        "dnd_off",
    ]

    line = phone.incoming_call(NUMBER, NAME)
    await settle(hass, phone)
    state = hass.states.get(CALL_ENTITY)
    assert state.state != "unknown"
    assert {
        key: state.attributes[key]
        for key in (
            "event_type",
            "remote_number",
            "remote_name",
            "line",
            "account",
            "direction",
        )
    } == {
        "event_type": "incoming",
        "remote_number": NUMBER,
        "remote_name": NAME,
        "line": line,
        "account": "1",
        "direction": "incoming",
    }
    phone.answer()
    await settle(hass, phone)
    assert hass.states.get(CALL_ENTITY).attributes["event_type"] == "answered"


async def test_bus_event(
    hass: HomeAssistant, push_integration: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """The bus event carries the same data plus the device and the type."""
    device = device_by_identifier(hass, PHONE_MAC)
    assert device is not None
    events = async_capture_events(hass, EVENT_CALL)
    phone.make_call("+4940987654")
    await settle(hass, phone)
    phone.remote_answer(1)
    await settle(hass, phone)
    phone.remote_hangup(1)
    await settle(hass, phone)
    await poll(hass)
    assert [event.data for event in events] == [
        {
            "device_id": device.id,
            "type": kind,
            "remote_number": "+4940987654",
            "remote_name": None,
            "line": 1,
            "account": "1",
            "direction": "outgoing",
        }
        for kind in ("outgoing", "answered", "ended")
    ]


async def test_dnd_events(
    hass: HomeAssistant, push_integration: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """Do Not Disturb switched on the phone fires dnd_on and dnd_off."""
    events = async_capture_events(hass, EVENT_CALL)
    phone.set_dnd(True)
    await settle(hass, phone)
    assert hass.states.get(CALL_ENTITY).attributes["event_type"] == "dnd_on"
    phone.set_dnd(False)
    await settle(hass, phone)
    assert [event.data["type"] for event in events] == ["dnd_on", "dnd_off"]
    assert events[0].data["remote_number"] is None


async def test_events_by_polling(
    hass: HomeAssistant, push_integration: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """Without pushes the entity still fires, from polls."""
    phone.profile.action_urls = {}
    events = async_capture_events(hass, EVENT_CALL)
    phone.incoming_call(NUMBER, NAME)
    await poll(hass)
    phone.answer()
    await poll(hass)
    phone.remote_hangup()
    await poll(hass)
    assert [event.data["type"] for event in events] == [
        "incoming",
        "answered",
        "ended",
    ]
    state = hass.states.get(CALL_ENTITY)
    assert state.attributes["event_type"] == "ended"
    assert state.attributes["remote_name"] == NAME
