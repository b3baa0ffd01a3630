"""The "Call" event entity and the ``grandstream_call`` bus event."""

from __future__ import annotations

from typing import Any

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.grandstream.const import EVENT_CALL
from simulator import SimAccount, SimulatedPhone

from ..helpers.entities import CALL_ENTITY
from ..helpers.entries import device_by_identifier
from ..helpers.phone import PHONE_MAC
from ..helpers.push import CallEvents
from ..helpers.snapshots import snapshot_one_platform
from ..helpers.waiting import poll, settle

NUMBER = "+4930123456"
NAME = "Erika Mustermann"
EVENT_DATA = (
    "event_type",
    "remote_number",
    "remote_name",
    "line",
    "account",
    "account_sip_user",
    "account_name",
    "direction",
)


@pytest.mark.freeze_time("2025-06-01T12:00:00+00:00")
@pytest.mark.parametrize("ring", [False, True], ids=["idle", "after_ring"])
async def test_snapshot(
    hass: HomeAssistant,
    phone: SimulatedPhone,
    mock_config_entry: MockConfigEntry,
    snapshot: SnapshotAssertion,
    ring: bool,
) -> None:
    """The call event entity, before any call and after a ring a poll saw."""

    async def ring_and_poll() -> None:
        phone.incoming_call(NUMBER, NAME)
        await mock_config_entry.runtime_data.async_refresh()

    await snapshot_one_platform(
        hass,
        mock_config_entry,
        snapshot,
        Platform.EVENT,
        after_setup=ring_and_poll if ring else None,
    )


@pytest.mark.usefixtures("push_integration")
async def test_event_entity(hass: HomeAssistant, phone: SimulatedPhone) -> None:
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
    ]

    line = phone.incoming_call(NUMBER, NAME)
    await settle(hass, phone)
    state = hass.states.get(CALL_ENTITY)
    assert state.state != "unknown"
    assert {key: state.attributes[key] for key in EVENT_DATA} == {
        "event_type": "incoming",
        "remote_number": NUMBER,
        "remote_name": NAME,
        "line": line,
        "account": 1,
        "account_sip_user": "1001",
        "account_name": "Office",
        "direction": "incoming",
    }
    phone.answer()
    await settle(hass, phone)
    assert hass.states.get(CALL_ENTITY).attributes["event_type"] == "answered"


@pytest.mark.usefixtures("push_integration")
async def test_bus_event(hass: HomeAssistant, phone: SimulatedPhone) -> None:
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
    # The call was connected for a moment: a second at most.
    assert events[-1].data["duration"] in (0, 1)
    assert [
        {**event.data, "duration": event.data["duration"] and 0} for event in events
    ] == [
        {
            "device_id": device.id,
            "type": kind,
            "remote_number": "+4940987654",
            "remote_name": None,
            "line": 1,
            "account": 1,
            "account_sip_user": "1001",
            "account_name": "Office",
            "direction": "outgoing",
            "duration": duration,
        }
        for kind, duration in (("outgoing", None), ("answered", None), ("ended", 0))
    ]


@pytest.fixture
def second_account(phone: SimulatedPhone) -> None:
    """The phone has a second account (before the integration is set up)."""
    phone.profile.accounts.append(SimAccount(id=2, sip_id="2002", name=""))


@pytest.mark.usefixtures("second_account", "push_integration")
@pytest.mark.parametrize("acct_as_number", [False, True])
async def test_account_of_a_call(
    hass: HomeAssistant,
    phone: SimulatedPhone,
    acct_as_number: bool,
    call_events: CallEvents,
) -> None:
    """A call on the second account says so, as users number accounts."""
    phone.profile.acct_as_number = acct_as_number
    phone.incoming_call(NUMBER, NAME, account=2)
    await settle(hass, phone)
    assert [
        (e.data["account"], e.data["account_sip_user"], e.data["account_name"])
        for e in call_events
    ] == [(2, "2002", None)]
    state = hass.states.get(CALL_ENTITY)
    assert (state.attributes["account"], state.attributes["account_sip_user"]) == (
        2,
        "2002",
    )
    line = hass.states.get("sensor.front_desk_line_1")
    assert (line.attributes["account"], line.attributes["account_sip_user"]) == (
        2,
        "2002",
    )


@pytest.mark.usefixtures("push_integration")
async def test_events_by_polling(
    hass: HomeAssistant, phone: SimulatedPhone, call_events: CallEvents
) -> None:
    """Without pushes the entity still fires, from polls."""
    phone.profile.action_urls = {}
    phone.incoming_call(NUMBER, NAME)
    await poll(hass)
    phone.answer()
    await poll(hass)
    phone.remote_hangup()
    await poll(hass)
    assert [event.data["type"] for event in call_events] == [
        "incoming",
        "answered",
        "ended",
    ]
    state = hass.states.get(CALL_ENTITY)
    assert state.attributes["event_type"] == "ended"
    assert state.attributes["remote_name"] == NAME


@pytest.mark.usefixtures("push_integration")
async def test_account_counted_from_zero(
    hass: HomeAssistant, phone: SimulatedPhone, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A phone whose line status counts accounts from 0 (a WP826) says account 1."""
    real_line_status = phone.line_status

    def line_status() -> list[dict[str, Any]]:
        lines = real_line_status()
        for line in lines:
            # Every line, idle or not, shows 0 for the first account.
            line["acct"] = 0 if line["acct"] in ("", "1") else int(line["acct"]) - 1
        return lines

    monkeypatch.setattr(phone, "line_status", line_status)
    events = async_capture_events(hass, EVENT_CALL)
    phone.incoming_call(NUMBER, NAME)
    await settle(hass, phone)

    assert [(e.data["type"], e.data["account"]) for e in events] == [("incoming", 1)]
    line = hass.states.get("sensor.front_desk_line_1")
    assert line.attributes["account"] == 1
    assert line.attributes["account_sip_user"] == "1001"
    assert line.attributes["account_name"] == "Office"
    idle = hass.states.get("sensor.front_desk_line_2")
    assert idle.attributes["account"] == 1
