"""The "pause media during calls" blueprint, run in Home Assistant.

The phone's ringing and in-call sensors are set as the integration sets
them; the media players are fakes that pause and play when told. One test
plays a real call on the simulated phone.
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import SimulatedPhone

from .blueprint_harness import FakeDevices, fake_media_players, pass_time, run_blueprint
from .helpers.waiting import settle

BLUEPRINT = "pause_media_during_calls.yaml"
RINGING = "binary_sensor.front_desk_ringing"
IN_CALL = "binary_sensor.front_desk_in_call"
TV = "media_player.tv"
KITCHEN = "media_player.kitchen"
BEDROOM = "media_player.bedroom"
RADIO = "media_player.radio"
STORE = "scene.grandstream_paused_media_pause_media"
RESUME_DELAY = 5
# What a call does to the tv and the kitchen, both playing: paused, later resumed.
PAUSED = [("media_pause", TV), ("media_pause", KITCHEN)]
RESUMED = [("media_play", TV), ("media_play", KITCHEN)]


async def report(hass: HomeAssistant, *, ringing: bool, in_call: bool) -> None:
    """The phone's sensors report a ring and/or a call."""
    hass.states.async_set(RINGING, "on" if ringing else "off")
    hass.states.async_set(IN_CALL, "on" if in_call else "off")
    await hass.async_block_till_done()


async def start(hass: HomeAssistant, pause_on: str, **inputs: Any) -> FakeDevices:
    """Idle phone, the tv and the kitchen playing, the blueprint running."""
    await report(hass, ringing=False, in_call=False)
    players = fake_media_players(
        hass, {TV: "playing", KITCHEN: "playing", BEDROOM: "paused", RADIO: "off"}
    )
    await run_blueprint(
        hass,
        BLUEPRINT,
        "Pause media",
        {
            "ringing_sensors": [RINGING],
            "in_call_sensors": [IN_CALL],
            "media_players": [TV, KITCHEN, BEDROOM, RADIO],
            "pause_on": pause_on,
            "resume_delay": RESUME_DELAY,
        }
        | inputs,
    )
    return players


def state(hass: HomeAssistant, entity_id: str) -> str | None:
    """The entity's state, None when it does not exist."""
    found = hass.states.get(entity_id)
    return None if found is None else found.state


async def test_ring_pauses_the_players_playing_and_idle_resumes_them(
    hass: HomeAssistant,
) -> None:
    """A ring pauses what plays; the answered call keeps it paused; idle resumes."""
    players = await start(hass, "ringing")

    await report(hass, ringing=True, in_call=False)
    assert players.called() == PAUSED
    assert hass.states.get(STORE).attributes["entity_id"] == [TV, KITCHEN]

    # Answered: the ring ends a moment before the call shows.
    await report(hass, ringing=False, in_call=False)
    await pass_time(hass, 1)
    await report(hass, ringing=False, in_call=True)
    await pass_time(hass, 60)
    assert players.called() == PAUSED

    await report(hass, ringing=False, in_call=False)
    await pass_time(hass, RESUME_DELAY - 1)
    assert [s for s, _ in players.called()] == ["media_pause"] * 2
    await pass_time(hass, RESUME_DELAY + 1)
    assert players.called()[2:] == RESUMED
    assert state(hass, TV) == state(hass, KITCHEN) == "playing"
    assert state(hass, BEDROOM) == "paused"
    assert state(hass, RADIO) == "off"
    # The list is gone: the next call starts a new one.
    assert state(hass, STORE) is None


async def test_answered_mode_keeps_playing_while_the_phone_rings(
    hass: HomeAssistant,
) -> None:
    """Only a connected call pauses; a missed call changes nothing."""
    players = await start(hass, "answered")

    await report(hass, ringing=True, in_call=False)
    await report(hass, ringing=False, in_call=False)
    await pass_time(hass, 60)
    assert players.called() == []

    await report(hass, ringing=True, in_call=False)
    assert players.called() == []
    await report(hass, ringing=False, in_call=True)
    assert players.called() == PAUSED

    await report(hass, ringing=False, in_call=False)
    await pass_time(hass, RESUME_DELAY + 1)
    assert players.called()[2:] == RESUMED


async def test_ring_mode_resumes_after_a_missed_call(hass: HomeAssistant) -> None:
    """A ring nobody answered: the players resume when it stops."""
    players = await start(hass, "ringing")

    await report(hass, ringing=True, in_call=False)
    await report(hass, ringing=False, in_call=False)
    await pass_time(hass, RESUME_DELAY + 1)
    assert players.called() == PAUSED + RESUMED


async def test_resumes_only_players_still_paused(hass: HomeAssistant) -> None:
    """A player stopped or started by hand during the call is left alone."""
    players = await start(hass, "ringing")
    await report(hass, ringing=False, in_call=True)
    assert players.called() == PAUSED
    players.clear()

    hass.states.async_set(KITCHEN, "idle")  # someone stopped it
    hass.states.async_set(BEDROOM, "playing")  # someone started it
    await report(hass, ringing=False, in_call=False)
    await pass_time(hass, RESUME_DELAY + 1)
    assert players.called() == [("media_play", TV)]
    assert state(hass, KITCHEN) == "idle"


async def test_second_call_before_resume_extends_the_list(
    hass: HomeAssistant,
) -> None:
    """A call right after the first: nothing resumes until both are over."""
    players = await start(hass, "ringing")
    await report(hass, ringing=False, in_call=True)
    assert players.called() == PAUSED

    await report(hass, ringing=False, in_call=False)
    await pass_time(hass, RESUME_DELAY - 2)
    # Between the calls someone switched the radio on.
    hass.states.async_set(RADIO, "playing")
    await report(hass, ringing=True, in_call=False)
    assert players.called()[2:] == [("media_pause", RADIO)]
    assert hass.states.get(STORE).attributes["entity_id"] == [TV, KITCHEN, RADIO]
    await pass_time(hass, RESUME_DELAY + 1)
    assert len(players.called()) == 3

    await report(hass, ringing=False, in_call=True)
    await report(hass, ringing=False, in_call=False)
    await pass_time(hass, RESUME_DELAY + 1)
    assert players.called()[3:] == [
        ("media_play", TV),
        ("media_play", KITCHEN),
        ("media_play", RADIO),
    ]


async def test_a_second_phone_keeps_the_players_paused(hass: HomeAssistant) -> None:
    """With two phones, the players resume when both are idle."""
    other_ringing = "binary_sensor.back_office_ringing"
    other_in_call = "binary_sensor.back_office_in_call"
    hass.states.async_set(other_ringing, "off")
    hass.states.async_set(other_in_call, "off")
    players = await start(
        hass,
        "answered",
        ringing_sensors=[RINGING, other_ringing],
        in_call_sensors=[IN_CALL, other_in_call],
    )

    await report(hass, ringing=False, in_call=True)
    hass.states.async_set(other_in_call, "on")
    await report(hass, ringing=False, in_call=False)
    await pass_time(hass, RESUME_DELAY + 1)
    assert [s for s, _ in players.called()] == ["media_pause"] * 2

    hass.states.async_set(other_in_call, "off")
    await hass.async_block_till_done()
    await pass_time(hass, RESUME_DELAY + 1)
    assert players.called()[2:] == RESUMED


async def test_nothing_playing_nothing_to_do(hass: HomeAssistant) -> None:
    """No player plays: no call, no list."""
    players = await start(hass, "ringing")
    hass.states.async_set(TV, "paused")
    hass.states.async_set(KITCHEN, "off")

    await report(hass, ringing=True, in_call=False)
    await report(hass, ringing=False, in_call=False)
    await pass_time(hass, RESUME_DELAY + 1)
    assert players.called() == []
    assert state(hass, STORE) is None


@pytest.mark.parametrize("pause_on", ["ringing", "answered"])
async def test_a_real_call_on_the_simulated_phone(
    hass: HomeAssistant,
    push_integration: MockConfigEntry,
    phone: SimulatedPhone,
    pause_on: str,
) -> None:
    """The integration's own sensors drive the blueprint through a whole call."""
    assert state(hass, RINGING) == "off"
    assert state(hass, IN_CALL) == "off"
    players = fake_media_players(hass, {TV: "playing"})
    await run_blueprint(
        hass,
        BLUEPRINT,
        "Pause media",
        {
            "ringing_sensors": [RINGING],
            "in_call_sensors": [IN_CALL],
            "media_players": [TV],
            "pause_on": pause_on,
        },
    )

    phone.incoming_call("+4930123456", "Erika Mustermann")
    await settle(hass, phone)
    assert players.called() == ([("media_pause", TV)] if pause_on == "ringing" else [])

    phone.answer()
    await settle(hass, phone)
    assert state(hass, IN_CALL) == "on"
    assert players.called() == [("media_pause", TV)]

    phone.remote_hangup()
    await settle(hass, phone)
    assert state(hass, IN_CALL) == "off"
    await pass_time(hass, RESUME_DELAY + 1)
    assert players.called() == [("media_pause", TV), ("media_play", TV)]
