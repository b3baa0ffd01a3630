"""The "busy light" blueprint, run in Home Assistant.

The phone's ringing and in-call sensors are set as the integration sets
them; the light is a fake colour light that follows ``light.turn_on`` and
``light.turn_off``, so the scene the blueprint snapshots and restores works
as on a real light.
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant

from .blueprint_harness import FakeDevices, fake_lights, pass_time, run_blueprint

BLUEPRINT = "busy_light.yaml"
RINGING = "binary_sensor.front_desk_ringing"
IN_CALL = "binary_sensor.front_desk_in_call"
LIGHT = "light.office_door"
STORE = "scene.grandstream_busy_light_busy_light"
RESTORE_DELAY = 2
BUSY = {"rgb_color": [255, 120, 0], "brightness_pct": 40}
WARM_WHITE = {"color_mode": "color_temp", "color_temp_kelvin": 2700, "brightness": 120}
# The calls that turn the light busy, and back to WARM_WHITE.
BUSY_CALL = ("turn_on", LIGHT, BUSY)
WARM_WHITE_CALL = ("turn_on", LIGHT, {"brightness": 120, "color_temp_kelvin": 2700})


async def report(hass: HomeAssistant, *, ringing: bool, in_call: bool) -> None:
    """The phone's sensors report a ring and/or a call."""
    hass.states.async_set(RINGING, "on" if ringing else "off")
    hass.states.async_set(IN_CALL, "on" if in_call else "off")
    await hass.async_block_till_done()


async def start(
    hass: HomeAssistant, light_when: str, light: dict[str, Any] | None
) -> FakeDevices:
    """Idle phone, the light as given, the blueprint running."""
    await report(hass, ringing=False, in_call=False)
    lights = fake_lights(hass, {LIGHT: light})
    await run_blueprint(
        hass,
        BLUEPRINT,
        "Busy light",
        {
            "ringing_sensors": [RINGING],
            "in_call_sensors": [IN_CALL],
            "lights": [LIGHT],
            "light_when": light_when,
            "color": BUSY["rgb_color"],
            "brightness": BUSY["brightness_pct"],
            "restore_delay": RESTORE_DELAY,
        },
    )
    return lights


async def test_call_lights_up_and_idle_restores_the_light(
    hass: HomeAssistant,
) -> None:
    """A call turns the light busy; afterwards it is warm white again."""
    lights = await start(hass, "call", WARM_WHITE)

    await report(hass, ringing=True, in_call=False)
    assert lights.calls == []

    await report(hass, ringing=False, in_call=True)
    assert lights.calls == [BUSY_CALL]
    busy = hass.states.get(LIGHT)
    assert busy.state == "on"
    assert busy.attributes["rgb_color"] == (255, 120, 0)
    assert busy.attributes["brightness"] == 102

    await report(hass, ringing=False, in_call=False)
    await pass_time(hass, RESTORE_DELAY - 1)
    assert len(lights.calls) == 1
    await pass_time(hass, RESTORE_DELAY + 1)
    assert lights.calls[1:] == [WARM_WHITE_CALL]
    restored = hass.states.get(LIGHT)
    assert restored.attributes["color_mode"] == "color_temp"
    assert hass.states.get(STORE) is None


async def test_ringing_too_and_a_light_that_was_off(hass: HomeAssistant) -> None:
    """From the first ring; the snapshot is the light before the ring: off."""
    lights = await start(hass, "call_or_ringing", None)

    await report(hass, ringing=True, in_call=False)
    assert lights.calls == [BUSY_CALL]

    # Answered: the ring ends a moment before the call shows.
    await report(hass, ringing=False, in_call=False)
    await pass_time(hass, RESTORE_DELAY - 1)
    await report(hass, ringing=False, in_call=True)
    assert lights.calls == [BUSY_CALL, BUSY_CALL]

    await report(hass, ringing=False, in_call=False)
    await pass_time(hass, RESTORE_DELAY + 1)
    assert lights.calls[2:] == [("turn_off", LIGHT, {})]
    assert hass.states.get(LIGHT).state == "off"


async def test_missed_call_with_call_only_leaves_the_light(
    hass: HomeAssistant,
) -> None:
    """Lighting for calls only: a ring nobody answers changes nothing."""
    lights = await start(hass, "call", WARM_WHITE)

    await report(hass, ringing=True, in_call=False)
    await report(hass, ringing=False, in_call=False)
    await pass_time(hass, RESTORE_DELAY + 1)
    assert lights.calls == []
    assert hass.states.get(STORE) is None


async def test_second_call_before_restore_keeps_the_first_snapshot(
    hass: HomeAssistant,
) -> None:
    """Two calls in a row: the light comes back as it was before the first."""
    lights = await start(hass, "call_or_ringing", WARM_WHITE)
    await report(hass, ringing=False, in_call=True)
    await report(hass, ringing=False, in_call=False)
    await pass_time(hass, RESTORE_DELAY - 1)
    await report(hass, ringing=True, in_call=False)
    await pass_time(hass, RESTORE_DELAY + 1)
    assert lights.calls == [BUSY_CALL, BUSY_CALL]

    await report(hass, ringing=False, in_call=False)
    await pass_time(hass, RESTORE_DELAY + 1)
    assert lights.calls[2:] == [WARM_WHITE_CALL]
