"""When a phone is polled (poll_schedule.py), on Home Assistant's timers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import CoreState, HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.grandstream.poll_schedule import (
    POLL_TICK,
    PollSchedule,
    next_poll_slot,
)


class Phone:
    """What the schedule drives: a poll counter and the interval it asks for."""

    def __init__(self, hass: HomeAssistant, interval: float = 60.0) -> None:
        """A schedule polling every ``interval`` seconds."""
        self.polls = 0
        self.interval = interval
        self.disabled = False
        self.schedule = PollSchedule(
            hass,
            key="01JGRANDSTREAMENTRY00000001",
            interval=lambda: self.interval,
            poll=self.poll,
            disabled=lambda: self.disabled,
        )

    def poll(self) -> None:
        """One poll started."""
        self.polls += 1


async def later(hass: HomeAssistant, seconds: float) -> None:
    """Let ``seconds`` pass for Home Assistant's timers."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))
    await hass.async_block_till_done()


@pytest.fixture
def phone(hass: HomeAssistant) -> Iterator[Phone]:
    """A phone polled every 60 s, its schedule started now and stopped after."""
    started = Phone(hass)
    started.schedule.start()
    yield started
    started.schedule.stop()


async def test_first_poll_comes_an_interval_after_start(
    hass: HomeAssistant, phone: Phone
) -> None:
    """Set-up just read the phone: nothing until an interval has passed."""
    await later(hass, 55)
    assert phone.polls == 0
    await later(hass, 61)
    assert phone.polls == 1


async def test_after_a_fetch_the_phone_keeps_its_slot(
    hass: HomeAssistant, phone: Phone
) -> None:
    """Whoever fetched, the next poll is in the phone's own slot, on a tick."""
    phone.schedule.after_fetch()
    due = phone.schedule.next_poll_at
    assert due is not None
    now = hass.loop.time()
    assert 0 < due - now <= phone.interval
    # The same slot whenever the fetch happened within the interval.
    phone.schedule.after_fetch()
    assert phone.schedule.next_poll_at == due
    assert (due % phone.interval) / POLL_TICK == pytest.approx(
        round((due % phone.interval) / POLL_TICK)
    )


async def test_a_shorter_interval_applies_at_once_a_longer_one_later(
    hass: HomeAssistant, phone: Phone
) -> None:
    """Push lost: polls come fast at once. Push back: after the next poll."""
    slow = phone.schedule.next_poll_at
    phone.interval = 5.0
    phone.schedule.interval_changed()
    fast = phone.schedule.next_poll_at
    assert fast is not None and slow is not None and fast < slow
    assert fast - hass.loop.time() <= 5.0
    phone.interval = 60.0
    phone.schedule.interval_changed()
    assert phone.schedule.next_poll_at == fast


async def test_paused_stopped_or_disabled_means_no_poll(
    hass: HomeAssistant, phone: Phone
) -> None:
    """A refused passcode, an unload, or the user's "polling off": no polls."""
    phone.schedule.pause()
    await later(hass, 130)
    assert phone.polls == 0
    phone.disabled = True
    phone.schedule.after_fetch()
    assert phone.schedule.next_poll_at is None
    phone.disabled = False
    phone.schedule.stop()
    phone.schedule.after_fetch()
    phone.schedule.start()  # once stopped, never again
    await later(hass, 130)
    assert phone.polls == 0


async def test_polls_end_with_home_assistant(hass: HomeAssistant, phone: Phone) -> None:
    """Home Assistant stops (entries are not unloaded then): polling ends."""
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    assert phone.schedule.next_poll_at is None
    phone.schedule.after_fetch()
    await later(hass, 130)
    assert phone.polls == 0


async def test_no_poll_while_home_assistant_is_stopping(
    hass: HomeAssistant, phone: Phone
) -> None:
    """A poll falling due while Home Assistant stops is not started."""
    hass.set_state(CoreState.stopping)
    await later(hass, 61)
    assert phone.polls == 0
    hass.set_state(CoreState.running)


def test_slots_spread_phones_and_stay_on_ticks() -> None:
    """Different phases, different slots, each on a quarter-second tick."""
    slots = {next_poll_slot(1000.0, 60.0, phase=phase) for phase in (0.1, 0.5, 0.9)}
    assert len(slots) == 3
    for slot in slots:
        assert 1000.0 < slot <= 1060.0
        assert (slot / POLL_TICK) == pytest.approx(round(slot / POLL_TICK))
