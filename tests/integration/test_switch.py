"""The Do Not Disturb switch against the simulated phone.

The phone has no CTI request for Do Not Disturb: its MUTE key toggles it
while the phone is idle, and its DND Action URLs report every change. These
tests run the whole path over HTTP: the switch presses MUTE on the
simulator, the simulator toggles DND and pushes to Home Assistant's webhook,
and the switch waits for that push.
"""

from __future__ import annotations

import asyncio

from homeassistant.const import (
    ATTR_ENTITY_ID,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    Platform,
)
from homeassistant.core import HomeAssistant, State
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    mock_restore_cache,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.grandstream.const import EVENT_CALL
from simulator import SimulatedPhone

from ..helpers.dnd import DND, PUSH, mutes, switch, verify_push
from ..helpers.entries import point_pushes_at, register_entities, set_up_at_key_pace
from ..helpers.phone import PHONE_MAC
from ..helpers.snapshots import snapshot_one_platform
from ..helpers.waiting import poll, settle

OLD_DND = "binary_sensor.front_desk_do_not_disturb"


@pytest.mark.freeze_time("2025-06-01T12:00:00+00:00")
async def test_snapshot(
    hass: HomeAssistant,
    phone: SimulatedPhone,
    mock_config_entry: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """The switch as registered and shown before any push (unavailable)."""
    await snapshot_one_platform(hass, mock_config_entry, snapshot, Platform.SWITCH)


async def test_on_and_off(
    hass: HomeAssistant, dnd_entry: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """One MUTE per request; the switch shows the state once the phone pushed it."""
    state = hass.states.get(DND)
    assert state.state == STATE_UNKNOWN  # no DND push yet
    events = async_capture_events(hass, EVENT_CALL)

    await switch(hass, True)
    assert phone.dnd is True
    assert hass.states.get(DND).state == STATE_ON
    assert mutes(phone) == 1

    await switch(hass, False)
    assert phone.dnd is False
    assert hass.states.get(DND).state == STATE_OFF
    assert mutes(phone) == 2
    assert [p.event for p in phone.pushes] == ["dnd_on", "dnd_off"]
    assert events == []  # Do Not Disturb is a state, not a call event


@pytest.mark.parametrize("on", [True, False])
async def test_already_in_requested_state(
    hass: HomeAssistant, dnd_entry: MockConfigEntry, phone: SimulatedPhone, on: bool
) -> None:
    """The phone reported the state already: nothing at all is sent."""
    phone.dnd = not on
    phone.set_dnd(on)
    await settle(hass, phone)
    assert hass.states.get(DND).state == (STATE_ON if on else STATE_OFF)
    sent = len(phone.requests)

    await switch(hass, on)
    assert len(phone.requests) == sent
    assert phone.dnd is on


@pytest.mark.parametrize("stage", ["ringing", "connected"])
async def test_refused_during_a_call(
    hass: HomeAssistant, dnd_entry: MockConfigEntry, phone: SimulatedPhone, stage: str
) -> None:
    """MUTE would mute the microphone: refused, nothing sent, the state kept."""
    phone.incoming_call("+4930123456")
    if stage == "connected":
        phone.answer()
    await settle(hass, phone)
    sent = len(phone.requests)

    with pytest.raises(ServiceValidationError) as err:
        await switch(hass, True)
    assert err.value.translation_key == "dnd_during_call"
    assert err.value.translation_placeholders == {"name": "Front desk"}
    assert len(phone.requests) == sent
    assert phone.dnd is False
    assert phone.muted is False


async def test_refused_when_a_call_came_unseen(
    hass: HomeAssistant, dnd_entry: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """The lines are read afresh before MUTE: a call Home Assistant missed counts."""
    phone.profile.action_urls = {}  # this call's pushes get lost
    phone.incoming_call("+4930123456")
    phone.answer()
    assert hass.states.get("binary_sensor.front_desk_in_call").state == STATE_OFF

    with pytest.raises(ServiceValidationError) as err:
        await switch(hass, True)
    assert err.value.translation_key == "dnd_during_call"
    assert mutes(phone) == 0
    assert phone.muted is False
    assert phone.dnd is False


@pytest.mark.parametrize("on", [True, False])
async def test_no_confirmation(
    hass: HomeAssistant,
    dnd_entry: MockConfigEntry,
    phone: SimulatedPhone,
    monkeypatch: pytest.MonkeyPatch,
    on: bool,
) -> None:
    """Without the DND push the request fails; the switch keeps what was reported."""
    monkeypatch.setattr(
        "custom_components.grandstream.dnd.DND_CONFIRMATION_TIMEOUT", 0.5
    )
    phone.dnd = on
    phone.set_dnd(not on)
    await settle(hass, phone)
    reported = STATE_ON if not on else STATE_OFF
    assert hass.states.get(DND).state == reported
    # The DND Action URLs are missing on the phone; the call URLs work.
    for event in ("dnd_on", "dnd_off"):
        phone.profile.action_urls.pop(event)

    with pytest.raises(HomeAssistantError) as err:
        await switch(hass, on)
    assert err.value.translation_key == (
        "dnd_on_not_confirmed" if on else "dnd_off_not_confirmed"
    )
    assert err.value.translation_placeholders == {
        "name": "Front desk",
        "seconds": "0.5",
        "push": "verified",
    }
    assert mutes(phone) == 1  # never a second toggle
    assert phone.dnd is on
    assert hass.states.get(DND).state == reported


@pytest.mark.parametrize("on", [True, False])
async def test_toggle_went_the_other_way(
    hass: HomeAssistant, dnd_entry: MockConfigEntry, phone: SimulatedPhone, on: bool
) -> None:
    """State unknown and already as asked: MUTE toggles away, which is said, not undone."""
    phone.dnd = on  # since before Home Assistant listened
    assert hass.states.get(DND).state == STATE_UNKNOWN

    with pytest.raises(HomeAssistantError) as err:
        await switch(hass, on)
    assert err.value.translation_key == ("dnd_went_off" if on else "dnd_went_on")
    assert mutes(phone) == 1
    assert phone.dnd is not on
    assert hass.states.get(DND).state == (STATE_OFF if on else STATE_ON)

    await switch(hass, on)  # asked again, it works
    assert phone.dnd is on
    assert mutes(phone) == 2


async def test_other_record_news_is_no_answer(
    hass: HomeAssistant, dnd_entry: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """The record changes for other reasons while the switch waits: it waits on."""
    phone.dnd = True
    phone.set_dnd(False)
    await settle(hass, phone)
    assert hass.states.get(DND).state == STATE_OFF
    phone.profile.action_url_delay = 1.0  # the DND push comes late

    request = hass.async_create_task(switch(hass, True))
    await asyncio.sleep(0.5)
    # The call-back list changes meanwhile (the record's news covers it too).
    await hass.services.async_call(
        "button",
        "press",
        {ATTR_ENTITY_ID: "button.front_desk_reset_missed_calls"},
        blocking=True,
    )
    assert not request.done()
    await request
    assert hass.states.get(DND).state == STATE_ON
    assert mutes(phone) == 1


async def test_concurrent_requests_toggle_once(
    hass: HomeAssistant, dnd_entry: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """Two requests at once: the second waits and finds the state reached."""
    await asyncio.gather(switch(hass, True), switch(hass, True))
    assert mutes(phone) == 1
    assert phone.dnd is True
    assert hass.states.get(DND).state == STATE_ON


@pytest.mark.usefixtures("unverified_dnd_entry")
async def test_unavailable_until_push_verified(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """Nothing could confirm a change until the phone's pushes are proven."""
    assert hass.states.get(DND).state == STATE_UNAVAILABLE
    await switch(hass, True)  # Home Assistant skips unavailable entities
    assert mutes(phone) == 0

    phone.set_dnd(True)  # a DND push proves nothing a read can check
    await settle(hass, phone)
    assert hass.states.get(PUSH).state == "not_verified"
    assert hass.states.get(DND).state == STATE_UNAVAILABLE

    await verify_push(hass, phone)
    assert hass.states.get(DND).state == STATE_ON


@pytest.fixture
async def dnd_pushed_on(
    hass: HomeAssistant, dnd_entry: MockConfigEntry, phone: SimulatedPhone
) -> MockConfigEntry:
    """Push verified, and the phone pushed Do Not Disturb on."""
    phone.set_dnd(True)
    await settle(hass, phone)
    return dnd_entry


@pytest.mark.usefixtures("dnd_pushed_on")
async def test_shown_while_phone_unreachable(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """What the phone last pushed stays shown while it cannot be read."""
    await phone.stop()
    await poll(hass, 61)  # push verified: a poll a minute
    assert hass.states.get("binary_sensor.front_desk_ringing").state == (
        STATE_UNAVAILABLE
    )
    assert hass.states.get(DND).state == STATE_ON


async def test_survives_reload(
    hass: HomeAssistant, dnd_pushed_on: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """Reloading the phone (as a restart does) keeps what it last pushed."""
    assert await hass.config_entries.async_reload(dnd_pushed_on.entry_id)
    await hass.async_block_till_done()
    # Push must prove itself again after a start; then the state shows.
    assert hass.states.get(DND).state == STATE_UNAVAILABLE
    await verify_push(hass, phone)
    assert hass.states.get(DND).state == STATE_ON


@pytest.mark.parametrize(
    ("stored", "restored"),
    [
        (STATE_ON, STATE_ON),
        (STATE_OFF, STATE_OFF),
        (STATE_UNKNOWN, STATE_UNKNOWN),
        (STATE_UNAVAILABLE, STATE_UNKNOWN),
    ],
)
async def test_upgrade_keeps_the_binary_sensors_state(
    hass: HomeAssistant,
    *,
    ha_url: str,
    phone: SimulatedPhone,
    push_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    stored: str,
    restored: str,
) -> None:
    """From a version before the record: the old binary sensor's last state stays."""
    mock_restore_cache(hass, [State(OLD_DND, stored)])
    push_config_entry.add_to_hass(hass)
    register_entities(hass, push_config_entry, {OLD_DND: "do_not_disturb"})
    await set_up_at_key_pace(hass, push_config_entry, phone)
    point_pushes_at(phone, ha_url, push_config_entry)
    assert entity_registry.async_get(OLD_DND) is None
    assert entity_registry.async_get(DND).unique_id == f"{PHONE_MAC}_do_not_disturb"

    await verify_push(hass, phone)
    assert hass.states.get(DND).state == restored
