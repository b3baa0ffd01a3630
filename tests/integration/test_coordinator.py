"""The coordinator's timing: pushes share fetches, slow phones, poll scheduling.

Everything over real HTTP: the simulated phone answers the coordinator's
reads and sends its pushes to Home Assistant's webhook on a real socket.
Timings are generous; what is asserted is order and counts.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
import itertools
import logging
import time
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import CoreState, Event, HomeAssistant, callback
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.grandstream.const import EVENT_CALL
from custom_components.grandstream.diagnostics import async_get_config_entry_diagnostics
from custom_components.grandstream.poll_schedule import next_poll_slot
from simulator import Fault, SimulatedPhone

from ..helpers.entities import CALL_ENTITY, LAST_CALLER, LINE_1, MISSED
from ..helpers.entries import device_id, phone_entry, setup_entry
from ..helpers.phone import fast_profile
from ..helpers.push import CallEvents, HandPushes, send, types, webhook_url
from ..helpers.waiting import after_first_fetch, poll, settle

NUMBER = "+4930123456"
NAME = "Erika Mustermann"


async def coordinator_diagnostics(
    hass: HomeAssistant, entry: MockConfigEntry
) -> dict[str, Any]:
    """The coordinator part of the entry's diagnostics."""
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    coordinator: dict[str, Any] = diagnostics["coordinator"]
    return coordinator


def status_reads(phone: SimulatedPhone) -> int:
    """How often the phone was asked for its status (each fetch starts so)."""
    return len(phone.calls("api-get_phone_status"))


def phone_reads(phone: SimulatedPhone) -> int:
    """Status and line status reads (a push's fetch reads the lines alone)."""
    return status_reads(phone) + line_status_reads(phone)


def line_status_reads(phone: SimulatedPhone) -> int:
    """How often the phone was asked for its line status."""
    return len(phone.calls("api-get_line_status"))


async def read_within(
    hass: HomeAssistant, phone: SimulatedPhone, seconds: float
) -> bool:
    """Whether the phone's lines were read while ``seconds`` passed."""
    reads = line_status_reads(phone)
    await poll(hass, seconds)
    return line_status_reads(phone) > reads


async def set_up_phones(
    hass: HomeAssistant, phones: list[SimulatedPhone]
) -> list[MockConfigEntry]:
    """Set each phone up as an entry of its own (ids with different poll slots)."""
    entries = []
    for sim, entry_id in zip(phones, SPREAD_ENTRY_IDS, strict=True):
        entry = phone_entry(sim, title=f"Phone {entry_id[-1]}", entry_id=entry_id)
        await setup_entry(hass, entry)
        entries.append(entry)
    return entries


async def first_polls(
    hass: HomeAssistant, phones: list[SimulatedPhone]
) -> dict[int, tuple[int, int]]:
    """Step through one interval in half seconds, from now.

    For each phone (by index) that polled: the step of its first poll, and
    how many line status reads it had by the end of that step.
    """
    first_poll: dict[int, tuple[int, int]] = {}
    start = dt_util.utcnow()
    for step in range(1, 11):
        async_fire_time_changed(hass, start + timedelta(seconds=step / 2))
        await hass.async_block_till_done(wait_background_tasks=True)
        for index, sim in enumerate(phones):
            if index not in first_poll and line_status_reads(sim):
                first_poll[index] = (step, line_status_reads(sim))
    return first_poll


# -- pushes and fetches ----------------------------------------------------------


async def test_pushes_arriving_together_share_fetches(
    hass: HomeAssistant,
    hand_pushes: HandPushes,
    phone: SimulatedPhone,
    call_events: CallEvents,
) -> None:
    """20 pushes within a few milliseconds cost a few reads, one at a time."""
    phone.incoming_call(NUMBER, NAME)
    delay = 0.5
    phone.set_fault(Fault("latency", delay=delay))
    phone.clear_logs()
    url = f"{hand_pushes.url}?e=incoming&m=000b82123456&r={NUMBER}"

    statuses = await asyncio.gather(*(send(url) for _ in range(20)))
    await hass.async_block_till_done(wait_background_tasks=True)

    assert statuses == [200] * 20
    assert hand_pushes.entry.runtime_data.pushes_received == 20
    reads = phone.calls("api-get_line_status")
    assert 1 <= len(reads) <= 4, [r.time for r in reads]
    # Each answer takes ``delay``: a read that started sooner after the one
    # before would have been in flight together with it.
    starts = [r.time for r in reads]
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert all(gap >= delay - 0.01 for gap in gaps), gaps
    # One call, announced once; the line status read for the pushes shows it.
    assert types(call_events) == ["incoming"]
    state = hass.states.get(LINE_1)
    assert state.state == "ringing"
    assert state.attributes["remote_name"] == NAME


@pytest.mark.usefixtures("push_integration")
async def test_slow_phone_push_event_first(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """With the phone slow to answer, the ring shows and its event fires from the push.

    The line shows the ring at once, marked as from the push; the event
    goes out at the deadline with what the push says. The line status
    enriches the call when it arrives: the line sensor and the last caller
    learn the caller's name then. The push's number keeps its leading +
    (phones send it unencoded).
    """
    fired: list[tuple[float, dict[str, Any], str]] = []

    @callback
    def record(event: Event[dict[str, Any]]) -> None:
        fired.append(
            (time.monotonic(), dict(event.data), hass.states.get(LINE_1).state)
        )

    hass.bus.async_listen(EVENT_CALL, record)
    changes = async_capture_events(hass, "state_changed")
    phone.set_fault(Fault("latency", delay=2.0))

    phone.incoming_call(NUMBER, NAME)
    await settle(hass, phone)

    push = next(p for p in phone.pushes if p.event == "incoming")
    assert push.status == 200
    assert len(fired) == 1
    at, data, line_state_then = fired[0]
    assert data["type"] == "incoming"
    assert data["remote_number"] == NUMBER
    assert data["line"] is None
    assert data["remote_name"] is None
    # The line showed the ring from the push before the phone answered ...
    assert line_state_then == "ringing"
    # ... and the event went out long before the phone answered (it waits
    # at most a second for the line status).
    assert at - push.time < 1.6

    # Then the answer came: the line and the caller's name.
    state = hass.states.get(LINE_1)
    assert state.state == "ringing"
    assert state.attributes["remote_name"] == NAME
    assert state.attributes["from_push"] is False
    line_changes = [
        change.data["new_state"]
        for change in changes
        if change.data["entity_id"] == LINE_1
    ]
    # First from the push: the number, no name yet; then the phone's answer.
    assert line_changes[0].state == "ringing"
    assert line_changes[0].attributes["remote_number"] == NUMBER
    assert line_changes[0].attributes["remote_name"] is None
    assert line_changes[0].attributes["from_push"] is True
    callers = [
        change.data["new_state"].state
        for change in changes
        if change.data["entity_id"] == LAST_CALLER
    ]
    assert callers == [NUMBER, NAME]


# -- poll scheduling ---------------------------------------------------------------


@pytest.mark.parametrize("failing", ["push", "poll"])
async def test_failed_fetch_brings_fast_poll(
    hass: HomeAssistant,
    push_integration: MockConfigEntry,
    phone: SimulatedPhone,
    failing: str,
) -> None:
    """After a failed fetch, from a push or a poll, the next poll comes fast."""
    entry = push_integration
    phone.incoming_call(NUMBER, NAME)
    await settle(hass, phone)
    assert (await coordinator_diagnostics(hass, entry))["poll_interval_seconds"] == 60
    # (Push verified, the phone answering: slow polling. When its slot of
    # the 60 s grid comes is the phone's phase, not this test's.) A push's
    # fetch reads the lines alone, a poll reads status and lines.
    reads = phone_reads(phone)

    phone.set_fault(Fault("http500"))
    if failing == "push":
        phone.miss_call()
        await settle(hass, phone)
    else:
        await poll(hass, 61)
    diagnostics = await coordinator_diagnostics(hass, entry)
    assert diagnostics["last_update_success"] is False
    assert diagnostics["poll_interval_seconds"] == 5
    assert phone_reads(phone) == reads + 1

    phone.set_fault(None)
    await poll(hass, 6)
    assert phone_reads(phone) >= reads + 2
    assert (await coordinator_diagnostics(hass, entry))["last_update_success"] is True


@pytest.fixture
async def more_phones(socket_enabled: None) -> AsyncIterator[list[SimulatedPhone]]:
    """Two more simulated phones."""
    phones = [SimulatedPhone(fast_profile(mac=f"00:0B:82:00:00:0{n}")) for n in (1, 2)]
    for sim in phones:
        await sim.start()
    try:
        yield phones
    finally:
        for sim in phones:
            await sim.stop()


# Entry ids whose phases of the 5 s interval lie more than a second apart.
SPREAD_ENTRY_IDS = (
    "01JGRANDSTREAMENTRY00000006",
    "01JGRANDSTREAMENTRY00000009",
    "01JGRANDSTREAMENTRY00000003",
)


async def test_polls_of_several_phones_are_spread(
    hass: HomeAssistant,
    phone: SimulatedPhone,
    more_phones: list[SimulatedPhone],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Phones set up together each poll at their own moment of the interval.

    (From their second poll on: the first comes an interval after set-up.)

    The coordinator exposes no next poll time; the polls are observed on the
    phones while time moves on in half-second steps.
    """
    phones = [phone, *more_phones]
    for entry in await set_up_phones(hass, phones):
        assert entry.runtime_data.poll_interval_seconds == 5
    # The first polls come an interval after set-up, for all three at once.
    await poll(hass, 5)
    assert all(line_status_reads(sim) == 2 for sim in phones)
    for sim in phones:
        sim.clear_logs()

    first_poll = await first_polls(hass, phones)

    assert sorted(first_poll) == [0, 1, 2]
    assert {reads for _, reads in first_poll.values()} == {1}
    assert len({step for step, _ in first_poll.values()}) == 3, first_poll


async def test_phones_fetched_together_return_to_their_own_slots(
    hass: HomeAssistant,
    phone: SimulatedPhone,
    more_phones: list[SimulatedPhone],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Phones read in the same moment (a ring group's pushes) do not stay in step.

    Each phone's next poll is at its own slot of the interval, not one
    interval after the fetch that brought them together.
    """
    phones = [phone, *more_phones]
    entries = await set_up_phones(hass, phones)
    await asyncio.gather(*(entry.runtime_data.async_refresh() for entry in entries))
    for sim in phones:
        sim.clear_logs()

    first_poll = await first_polls(hass, phones)

    assert sorted(first_poll) == [0, 1, 2]
    assert len({step for step, _ in first_poll.values()}) == 3, first_poll


@pytest.mark.usefixtures("push_integration")
async def test_first_poll_comes_an_interval_after_set_up(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """Set-up just read the phone: the next read is an interval later."""
    reads = line_status_reads(phone)
    # (The test clock fires timers up to half a second beyond the time asked,
    # and a loaded machine takes a while from set-up to here: a wide margin.)
    await poll(hass, 2.5)
    assert line_status_reads(phone) == reads
    await poll(hass, 5)
    assert line_status_reads(phone) == reads + 1


@pytest.mark.usefixtures("push_integration")
@pytest.mark.parametrize("state", [CoreState.stopping, CoreState.final_write])
async def test_no_poll_while_home_assistant_stops(
    hass: HomeAssistant, phone: SimulatedPhone, state: CoreState
) -> None:
    """Entries are not unloaded when Home Assistant stops: the timer must hold back.

    Home Assistant closes its HTTP sessions as it stops; a poll then would
    end in "Session is closed" and a traceback.
    """
    assert await read_within(hass, phone, 61)  # a poll was due
    hass.set_state(state)
    try:
        assert not await read_within(hass, phone, 61)
    finally:
        hass.set_state(CoreState.running)


@pytest.mark.usefixtures("push_integration")
async def test_polling_ends_when_home_assistant_stops(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """The stop event ends polling for good (the entry is not unloaded)."""
    assert await read_within(hass, phone, 61)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    for _ in range(3):
        assert not await read_within(hass, phone, 61)


@pytest.mark.usefixtures("push_integration")
async def test_polls_go_on_while_home_assistant_starts(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """Entries are set up before Home Assistant runs ("not running" then).

    A poll falling due then must happen, and polling must go on after it.
    """
    hass.set_state(CoreState.not_running)
    try:
        for _ in range(2):
            reads = line_status_reads(phone)
            await poll(hass, 61)
            assert line_status_reads(phone) > reads
    finally:
        hass.set_state(CoreState.running)


@pytest.mark.parametrize(
    ("now", "phase", "expected"),
    [
        (100.0, 0.5, 102.5),  # slots at ... 97.5, 102.5
        (102.4, 0.5, 102.5),  # just before its slot: the slot
        (102.5, 0.5, 107.5),  # at its slot: the next one
        (0.0, 0.0, 5.0),
        (7.0, 0.9, 9.5),  # slots at 4.5, 9.5
        # Slots fall on quarter-second ticks: 1.65 s into the interval -> 1.75.
        (100.0, 0.33, 101.75),
        (104.9, 0.99, 105.0),  # 4.95 -> 5.0, the start of the next interval
    ],
)
def test_next_poll_slot_keeps_the_phase(
    now: float, phase: float, expected: float
) -> None:
    """The next slot is the phone's own, at most one interval away."""
    assert next_poll_slot(now, 5.0, phase=phase) == pytest.approx(expected)


# -- forged pushes -------------------------------------------------------------------


async def test_forged_incoming_push_ignored(
    hass: HomeAssistant,
    push_integration: MockConfigEntry,
    phone: SimulatedPhone,
    ha_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An incoming push no line confirms opens no call and counts no missed call.

    Valid webhook, valid MAC, the phone idle: ignored, counted, and said once.
    """
    entry = push_integration
    events = async_capture_events(hass, EVENT_CALL)
    url = f"{webhook_url(ha_url, entry)}?e=incoming&m=000b82123456&r={NUMBER}"

    for _ in range(10):
        assert await send(url) == 200
        await hass.async_block_till_done(wait_background_tasks=True)
    await poll(hass)

    assert events == []
    assert hass.states.get(CALL_ENTITY).state == "unknown"
    assert hass.states.get(MISSED).state == "0"
    assert hass.states.get(LAST_CALLER).state == "unknown"
    diagnostics = await coordinator_diagnostics(hass, entry)
    assert diagnostics["calls"]["open_calls"] == 0
    assert diagnostics["push"]["pushes_received"] == 10
    assert diagnostics["push"]["pushes_ignored"] == 10
    warnings = [
        record.getMessage()
        for record in caplog.records
        if record.name == "custom_components.grandstream"
        and record.levelno >= logging.WARNING
    ]
    assert len(warnings) == 1, warnings
    assert "does not confirm" in warnings[0]
    # The phone itself still gets through.
    phone.incoming_call(NUMBER, NAME)
    await settle(hass, phone)
    assert types(events) == ["incoming"]


async def test_contradicted_push_shows_then_reverts_and_nothing_follows(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    push_integration: MockConfigEntry,
    phone: SimulatedPhone,
    ha_url: str,
) -> None:
    """A forged ring shows at once, from the push; the phone's read takes it back.

    No call is opened, no event fired, no counter or call-back item changed:
    the display is the only thing an unconfirmed push touches.
    """
    entry = push_integration
    events = async_capture_events(hass, EVENT_CALL)
    changes = async_capture_events(hass, "state_changed")
    # The phone answers slowly, so the read confirming the push comes later.
    phone.set_fault(Fault("latency", delay=0.3))
    url = f"{webhook_url(ha_url, entry)}?e=incoming&m=000b82123456&r={NUMBER}"
    assert await send(url) == 200
    await asyncio.sleep(0.05)
    shown = hass.states.get(LINE_1)
    assert shown.state == "ringing"
    assert shown.attributes["remote_number"] == NUMBER
    assert shown.attributes["from_push"] is True
    assert hass.states.get("binary_sensor.front_desk_ringing").state == "on"
    assert hass.states.get("sensor.front_desk_phone_status").state == "ringing"

    await hass.async_block_till_done(wait_background_tasks=True)
    await asyncio.sleep(1.2)  # past the push's deadline, too
    await hass.async_block_till_done(wait_background_tasks=True)
    back = hass.states.get(LINE_1)
    assert back.state == "idle"
    assert back.attributes["from_push"] is False
    assert hass.states.get("binary_sensor.front_desk_ringing").state == "off"
    assert hass.states.get("sensor.front_desk_phone_status").state == "available"
    assert events == []
    assert hass.states.get(MISSED).state == "0"
    assert hass.states.get(LAST_CALLER).state == "unknown"
    assert hass.states.get("todo.front_desk_call_back").state == "0"
    assert (await coordinator_diagnostics(hass, entry))["calls"]["open_calls"] == 0
    # Nothing but the display changed.
    touched = {change.data["entity_id"] for change in changes}
    assert touched == {
        LINE_1,
        "binary_sensor.front_desk_ringing",
        "sensor.front_desk_phone_status",
    }


async def test_push_shows_at_once_and_the_phone_confirms_it(
    hass: HomeAssistant, push_integration: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """A real ring: the push's state first, then the phone's (name, exact line)."""
    changes = async_capture_events(hass, "state_changed")
    phone.incoming_call(NUMBER, NAME)
    await settle(hass, phone)
    line_changes = [
        change.data["new_state"]
        for change in changes
        if change.data["entity_id"] == LINE_1
    ]
    assert [(s.state, s.attributes["from_push"]) for s in line_changes] == [
        ("ringing", True),
        ("ringing", False),
    ]
    assert line_changes[0].attributes["remote_name"] is None
    assert line_changes[1].attributes["remote_name"] == NAME
    # The push's read asked for the lines alone; the status follows from them.
    assert hass.states.get("sensor.front_desk_phone_status").state == "ringing"


# -- review fixes -------------------------------------------------------------------


async def test_overtaken_refresh_leaves_no_stale_entity(
    hass: HomeAssistant, push_integration: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """Two refreshes at once, the phone changing between them: entities follow.

    The second refresh waited for the first; what it is compared with was
    read before the first finished, so it must tell the entities itself.
    """
    coordinator = push_integration.runtime_data
    phone.incoming_call(NUMBER)

    async def the_caller_gives_up() -> None:
        phone.miss_call()

    fetches = after_first_fetch(coordinator, the_caller_gives_up)
    await asyncio.gather(coordinator.async_refresh(), coordinator.async_refresh())
    await hass.async_block_till_done()
    assert fetches.count >= 2
    assert coordinator.data.line(1).state.value == "idle"
    assert hass.states.get(LINE_1).state == "idle"


async def test_a_failing_subscriber_does_not_stop_polling(
    hass: HomeAssistant,
    push_integration: MockConfigEntry,
    phone: SimulatedPhone,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """One listener's bug is logged; the phone goes on being read."""
    coordinator = push_integration.runtime_data

    @callback
    def broken(_event: Any) -> None:
        raise RuntimeError("a broken subscriber")

    coordinator.call_events.connect(broken)
    phone.incoming_call(NUMBER)
    await poll(hass, 61)
    assert "a broken subscriber" in caplog.text
    reads = status_reads(phone)
    phone.miss_call()
    await poll(hass, 61)
    await poll(hass, 61)
    assert status_reads(phone) > reads
    assert hass.states.get(LINE_1).state == "idle"


async def test_boot_push_never_renames_the_phone(
    hass: HomeAssistant, push_integration: MockConfigEntry, ha_url: str
) -> None:
    """A boot push updates the firmware of the model known; another model: nothing."""
    entry = push_integration
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, "model": "GXP2170", "firmware": "1.0.11.23"}
    )
    base = f"{webhook_url(ha_url, entry)}?e=boot&m=000b82123456"
    assert await send(f"{base}&p=GXP1628&v=1.0.7.81") == 200
    await hass.async_block_till_done(wait_background_tasks=True)
    assert (entry.data["model"], entry.data["firmware"]) == ("GXP2170", "1.0.11.23")
    assert await send(f"{base}&p=GXP2170&v=1.0.11.106") == 200
    await hass.async_block_till_done(wait_background_tasks=True)
    assert (entry.data["model"], entry.data["firmware"]) == ("GXP2170", "1.0.11.106")


async def test_a_push_the_phone_does_not_bear_out_teaches_no_mac(
    hass: HomeAssistant, ha_url: str, init_integration: MockConfigEntry
) -> None:
    """A forged push's MAC never becomes the phone's identity."""
    entry = init_integration
    url = f"{webhook_url(ha_url, entry)}?e=incoming&m=000b82abcdef&r={NUMBER}"
    assert await send(url) == 200
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.unique_id is None


@pytest.mark.usefixtures("socket_enabled")
async def test_dial_with_an_account_the_phone_has_not_listed(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """No accounts known: an account cannot be checked, so nothing is sent."""
    from homeassistant.exceptions import ServiceValidationError

    from ..helpers.actions import act, input_error

    phone.profile.accounts = []
    entry = phone_entry(phone)
    await setup_entry(hass, entry)

    device = device_id(hass, entry)
    with pytest.raises((ServiceValidationError, Exception)) as err:
        await act(hass, "dial", device, number="200", account=1)
    assert input_error(err.value).translation_key == "accounts_unknown"
    assert phone.calls("api-make_call") == []
