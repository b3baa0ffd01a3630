"""The "night mode" blueprint, run in Home Assistant.

The phone is a device in the registries with its Do Not Disturb switch and
its line and status sensors; the switch is a fake that behaves as the
integration's: it refuses while a line is in use, and shows a change only
once the phone confirmed it. Time is frozen and moved by the tests; the
input boolean and the schedule are Home Assistant's own.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.template import Template
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.grandstream.const import DOMAIN
from custom_components.grandstream.sensor import LINE_STATES, PHONE_STATES
from simulator import SimulatedPhone

from .blueprint_harness import (
    BLUEPRINT_FOLDER,
    automations_off,
    run_blueprint,
    substitute,
)
from .helpers.entries import register_entities
from .helpers.phone import PHONE_MAC
from .helpers.waiting import settle

BLUEPRINT = "night_mode.yaml"
SWITCH = "switch.front_desk_do_not_disturb"
LINE_1 = "sensor.front_desk_line_1"
LINE_2 = "sensor.front_desk_line_2"
STATUS = "sensor.front_desk_phone_status"
LAST_CALLER = "sensor.front_desk_last_caller"
NIGHT = "input_boolean.night"
SCHEDULE = "schedule.night"
# What a phone in use shows (the switch refuses then).
BUSY_LINE = {"ringing", "dialing", "calling", "connected", "on_hold", "failed", "other"}
WAIT_LIMIT = 30  # minutes


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in Home Assistant's time zone (December 2026, day 7 a Monday)."""
    return datetime(2026, 12, day, hour, minute, tzinfo=dt_util.get_default_time_zone())


async def run_ready(hass: HomeAssistant) -> None:
    """Let Home Assistant run whatever is ready to run.

    Not ``async_block_till_done``: that also waits for an automation run
    that is waiting for an idle phone (until its timeout, which only moving
    the frozen clock brings).
    """
    for _ in range(100):
        await asyncio.sleep(0)


async def move_to(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, to: datetime
) -> None:
    """The clock jumps to ``to``; what fell due runs."""
    freezer.move_to(to)
    async_fire_time_changed(hass, to)
    await run_ready(hass)


class FakeDndSwitch:
    """The phone's Do Not Disturb switch as the integration makes it behave."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Off, phone idle; requests are recorded as "on"/"off"."""
        self.hass = hass
        self.requests: list[str] = []
        self.confirms = True
        self.ring_on_request = False
        hass.states.async_set(SWITCH, "off")
        for service in ("turn_on", "turn_off"):
            hass.services.async_register("switch", service, self.handle)

    async def handle(self, call: ServiceCall) -> None:
        """Refuse while a line is in use, else switch when the phone confirms."""
        assert call.data["entity_id"] in (SWITCH, [SWITCH])
        wanted = "on" if call.service == "turn_on" else "off"
        self.requests.append(wanted)
        if self.ring_on_request:
            # A call comes in just as the request goes out.
            self.ring_on_request = False
            phone_in_use(self.hass, "ringing")
        if self.hass.states.get(STATUS).state != "available":
            raise ServiceValidationError("A call is up")
        if not self.confirms:
            raise HomeAssistantError("The phone did not confirm")
        self.hass.states.async_set(SWITCH, wanted)


def phone_in_use(hass: HomeAssistant, line_state: str | None) -> None:
    """Line 1 (and the phone's status) in a call state, or idle for None."""
    hass.states.async_set(LINE_1, line_state or "idle")
    status = "available" if line_state is None else "busy"
    hass.states.async_set(STATUS, "ringing" if line_state == "ringing" else status)


@pytest.fixture
async def dnd(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> AsyncIterator[FakeDndSwitch]:
    """A desk phone whose entities are on one device, at 21:59 on a Monday.

    Afterwards the automations are turned off: their time triggers wait for
    tomorrow, and Home Assistant's stop leaves such timers behind.
    """
    freezer.move_to(local(7, 21, 59))
    entry = MockConfigEntry(domain=DOMAIN, title="Front desk", unique_id=PHONE_MAC)
    entry.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, PHONE_MAC)},
        name="Front desk",
    )
    register_entities(
        hass,
        entry,
        {
            entity_id: entity_id.split(".")[1].removeprefix("front_desk_")
            for entity_id in (SWITCH, LINE_1, LINE_2, STATUS, LAST_CALLER)
        },
        device_id=device.id,
    )
    phone_in_use(hass, None)
    hass.states.async_set(LINE_2, "idle")
    # A caller's name is no line state, whatever it reads.
    hass.states.async_set(LAST_CALLER, "Connected Ltd")
    yield FakeDndSwitch(hass)
    await automations_off(hass)


async def night_mode(hass: HomeAssistant, **inputs: Any) -> None:
    """The blueprint running for the phone's switch."""
    assert await async_setup_component(
        hass, "input_boolean", {"input_boolean": {"night": {"name": "Night"}}}
    )
    await run_blueprint(
        hass,
        BLUEPRINT,
        "Night mode",
        {"dnd_switch": SWITCH, "wait_limit": WAIT_LIMIT} | inputs,
    )


async def toggle(hass: HomeAssistant, entity_id: str, on: bool) -> None:
    """Turn an input boolean on or off."""
    await hass.services.async_call(
        "input_boolean", "turn_on" if on else "turn_off", {"entity_id": entity_id}
    )
    await run_ready(hass)


async def test_times_turn_dnd_on_and_off(
    hass: HomeAssistant, dnd: FakeDndSwitch, freezer: FrozenDateTimeFactory
) -> None:
    """On at the first time, off at the second; the helper is not followed."""
    await night_mode(hass, on_time="22:00:00", off_time="06:30:00", helper=NIGHT)

    await move_to(hass, freezer, local(7, 21, 59) + timedelta(seconds=59))
    assert dnd.requests == []
    await move_to(hass, freezer, local(7, 22))
    assert dnd.requests == ["on"]
    assert hass.states.get(SWITCH).state == "on"

    await toggle(hass, NIGHT, False)
    await toggle(hass, NIGHT, True)
    assert dnd.requests == ["on"]

    await move_to(hass, freezer, local(8, 6, 30))
    assert dnd.requests == ["on", "off"]
    assert hass.states.get(SWITCH).state == "off"


async def test_default_times(
    hass: HomeAssistant, dnd: FakeDndSwitch, freezer: FrozenDateTimeFactory
) -> None:
    """Without times chosen: 22:00 to 07:00."""
    await night_mode(hass)
    await move_to(hass, freezer, local(7, 22))
    await move_to(hass, freezer, local(8, 6, 59))
    assert dnd.requests == ["on"]
    await move_to(hass, freezer, local(8, 7))
    assert dnd.requests == ["on", "off"]


async def test_follows_an_input_boolean(
    hass: HomeAssistant, dnd: FakeDndSwitch, freezer: FrozenDateTimeFactory
) -> None:
    """On and off with the helper; the times are not followed."""
    await night_mode(hass, control="helper", helper=NIGHT)

    await toggle(hass, NIGHT, True)
    assert dnd.requests == ["on"]
    assert hass.states.get(SWITCH).state == "on"
    await move_to(hass, freezer, local(8, 7))
    assert dnd.requests == ["on"]
    await toggle(hass, NIGHT, False)
    assert dnd.requests == ["on", "off"]
    assert hass.states.get(SWITCH).state == "off"


# The schedule keeps a timer for its next block, whatever happens at the end.
@pytest.mark.parametrize("expected_lingering_timers", [True])
async def test_follows_a_schedule(
    hass: HomeAssistant, dnd: FakeDndSwitch, freezer: FrozenDateTimeFactory
) -> None:
    """On while the schedule's block lasts."""
    assert await async_setup_component(
        hass,
        "schedule",
        {
            "schedule": {
                "night": {
                    "name": "Night",
                    "monday": [{"from": "22:15:00", "to": "23:45:00"}],
                }
            }
        },
    )
    await night_mode(hass, control="helper", helper=SCHEDULE)
    assert hass.states.get(SCHEDULE).state == "off"

    await move_to(hass, freezer, local(7, 22))
    assert dnd.requests == []
    await move_to(hass, freezer, local(7, 22, 15))
    assert hass.states.get(SCHEDULE).state == "on"
    assert dnd.requests == ["on"]
    await move_to(hass, freezer, local(7, 23, 45))
    assert hass.states.get(SCHEDULE).state == "off"
    assert dnd.requests == ["on", "off"]


async def test_already_in_the_wanted_state_sends_nothing(
    hass: HomeAssistant, dnd: FakeDndSwitch, freezer: FrozenDateTimeFactory
) -> None:
    """The phone already reports Do Not Disturb on: no request."""
    hass.states.async_set(SWITCH, "on")
    await night_mode(hass)
    await move_to(hass, freezer, local(7, 22))
    assert dnd.requests == []


@pytest.mark.parametrize("line_state", sorted(BUSY_LINE))
async def test_waits_until_the_call_is_over(
    hass: HomeAssistant,
    dnd: FakeDndSwitch,
    freezer: FrozenDateTimeFactory,
    line_state: str,
) -> None:
    """A line in use at 22:00: the request goes out when the phone is idle."""
    await night_mode(hass)
    phone_in_use(hass, line_state)
    await move_to(hass, freezer, local(7, 22))
    await move_to(hass, freezer, local(7, 22, 20))
    assert dnd.requests == []

    phone_in_use(hass, None)
    await run_ready(hass)
    assert dnd.requests == ["on"]
    assert hass.states.get(SWITCH).state == "on"


async def test_waits_for_the_switch_to_be_available(
    hass: HomeAssistant, dnd: FakeDndSwitch, freezer: FrozenDateTimeFactory
) -> None:
    """Push not verified (switch unavailable): the request waits for it."""
    hass.states.async_set(SWITCH, "unavailable")
    await night_mode(hass)
    await move_to(hass, freezer, local(7, 22))
    assert dnd.requests == []

    hass.states.async_set(SWITCH, "off")
    await run_ready(hass)
    assert dnd.requests == ["on"]


async def test_gives_up_after_the_wait_limit(
    hass: HomeAssistant, dnd: FakeDndSwitch, freezer: FrozenDateTimeFactory
) -> None:
    """A call longer than the limit: the change is given up."""
    await night_mode(hass)
    phone_in_use(hass, "connected")
    await move_to(hass, freezer, local(7, 22))
    await move_to(hass, freezer, local(7, 22, WAIT_LIMIT + 1))

    phone_in_use(hass, None)
    await run_ready(hass)
    assert dnd.requests == []


async def test_a_newer_change_replaces_a_waiting_one(
    hass: HomeAssistant, dnd: FakeDndSwitch, freezer: FrozenDateTimeFactory
) -> None:
    """On waits for a call, then off is due: only off counts (already off)."""
    await night_mode(hass, control="helper", helper=NIGHT)
    phone_in_use(hass, "connected")
    await toggle(hass, NIGHT, True)
    await toggle(hass, NIGHT, False)

    phone_in_use(hass, None)
    await run_ready(hass)
    assert dnd.requests == []
    assert hass.states.get(SWITCH).state == "off"


async def test_an_unconfirmed_request_is_not_repeated(
    hass: HomeAssistant,
    dnd: FakeDndSwitch,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The phone may have switched after all: one request, and the log says so."""
    dnd.confirms = False
    await night_mode(hass)
    await move_to(hass, freezer, local(7, 22))
    await move_to(hass, freezer, local(7, 23))
    assert dnd.requests == ["on"]
    assert hass.states.get(SWITCH).state == "off"
    assert "The phone did not confirm" in caplog.text


async def test_refused_because_a_call_came_in_is_tried_again(
    hass: HomeAssistant, dnd: FakeDndSwitch, freezer: FrozenDateTimeFactory
) -> None:
    """A ring just as the request went out: again once the phone is idle."""
    dnd.ring_on_request = True
    await night_mode(hass)
    await move_to(hass, freezer, local(7, 22))
    assert dnd.requests == ["on"]
    assert hass.states.get(SWITCH).state == "off"

    phone_in_use(hass, None)
    await run_ready(hass)
    assert dnd.requests == ["on", "on"]
    assert hass.states.get(SWITCH).state == "on"


def test_busy_states_are_the_sensors_states() -> None:
    """The states the blueprint waits out are states our sensors show.

    Every line state but idle is a line in use (the switch refuses then);
    of the phone's status, ringing and busy.
    """
    config = substitute(BLUEPRINT_FOLDER / BLUEPRINT, {"dnd_switch": SWITCH})
    busy = set(config["variables"]["busy_states"])
    assert busy == (set(LINE_STATES.values()) - {"idle"}) | {"ringing", "busy"}
    assert busy - set(LINE_STATES.values()) <= set(PHONE_STATES.values())
    assert busy & set(LINE_STATES.values()) == BUSY_LINE


async def test_idle_as_the_integration_reports_it(
    hass: HomeAssistant, push_integration: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """The wait's template, on the real integration's entities during a call.

    (The switch is not built here yet: any entity of the phone's device
    stands in for it, and its "off" for an available switch.)
    """
    config = substitute(BLUEPRINT_FOLDER / BLUEPRINT, {"dnd_switch": SWITCH})
    stand_in = "binary_sensor.front_desk_in_call"
    variables: dict[str, Any] = {"dnd_switch": stand_in}
    variables["phone_sensors"] = Template(
        config["variables"]["phone_sensors"], hass
    ).async_render(variables)
    variables["busy_states"] = config["variables"]["busy_states"]
    wait = Template(
        config["actions"][0]["repeat"]["sequence"][0]["wait_template"], hass
    )
    assert "sensor.front_desk_line_1" in variables["phone_sensors"]
    assert wait.async_render(variables) is True

    phone.incoming_call("+4930123456", "Erika Mustermann")
    await settle(hass, phone)
    assert wait.async_render(variables) is False
    phone.answer()
    await settle(hass, phone)
    assert wait.async_render(variables) is False
    phone.remote_hangup()
    await settle(hass, phone)
    assert wait.async_render(variables) is True
