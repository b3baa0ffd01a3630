"""When a phone is polled: its own slot of the interval, on quarter-second ticks.

Each phone polls at its own phase of the interval (from its entry id), on a
grid it comes back to after every fetch. Phones brought into step (set up
together, a ring group's pushes fetched in the same second) do not stay in
step. Slots fall on ``POLL_TICK`` ticks, so phones sharing a tick poll in one
turn of the event loop (measured at 200 phones, push off: fully spread polls
cost 9.8 % CPU, quarter-second ticks 6.8 % with a loop lag p99 of 8.6 ms).

``DataUpdateCoordinator``'s own ``update_interval`` schedules the next
refresh an interval after the last one ended, from any refresh (a push's
fetch included), so phones drift into step (147 of 200 phones polled within
one second, measured): the coordinator sets ``update_interval=None`` and
this schedule calls it instead.

The interval comes from push health (``push_health.poll_interval``): a
shorter one takes effect at once, a longer one after the next poll. The first
poll comes one interval after set-up's own fetch. Polls end with Home
Assistant's stop (entries are not unloaded then, and it closes its HTTP
sessions first).
"""

from __future__ import annotations

from collections.abc import Callable
import math
import random
from typing import Any, Final

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later

# Poll slots fall on ticks of this many seconds (see the module docstring).
POLL_TICK: Final = 0.25


def next_poll_slot(now: float, interval: float, *, phase: float) -> float:
    """When this phone polls next: its slot, ``phase`` of the way into an interval.

    Slots are ``(phase + k) * interval`` on the event loop's clock, rounded
    to a tick; the next one after ``now`` is at most one interval away.
    """
    offset = round(phase * interval / POLL_TICK) * POLL_TICK % interval
    return offset + (math.floor((now - offset) / interval) + 1) * interval


class PollSchedule:
    """The poll timer of one phone."""

    def __init__(
        self,
        hass: HomeAssistant,
        *,
        key: str,
        interval: Callable[[], float],
        poll: Callable[[], object],
        disabled: Callable[[], bool],
    ) -> None:
        """``key`` (the entry id) fixes the phone's phase; ``poll`` starts a poll.

        ``interval`` tells the current interval in seconds; ``disabled`` is
        the user's "polling off" switch (pushes still fetch then).
        """
        self._hass = hass
        self._interval = interval
        self._poll = poll
        self._disabled = disabled
        self._phase = random.Random(key).random()
        self.started = False
        self._running = False
        self._cancel: CALLBACK_TYPE | None = None
        self._cancel_stop_listener: CALLBACK_TYPE | None = None
        self.next_poll_at: float | None = None
        # The interval of the poll now scheduled.
        self._scheduled_interval = math.inf

    @callback
    def start(self) -> None:
        """Start polling (once): the first poll comes one interval from now."""
        if self.started:
            return
        self.started = self._running = True
        self._cancel_stop_listener = self._hass.bus.async_listen(
            EVENT_HOMEASSISTANT_STOP, self._on_hass_stop
        )
        self._schedule(self._hass.loop.time() + self._interval())

    @callback
    def stop(self) -> None:
        """No more polls (the entry unloads)."""
        self._running = False
        self._unschedule()
        if self._cancel_stop_listener is not None:
            self._cancel_stop_listener()
            self._cancel_stop_listener = None

    @callback
    def after_fetch(self) -> None:
        """A fetch ended (whoever asked for it): the next poll in the phone's slot."""
        self._schedule(self._next_slot())

    @callback
    def pause(self) -> None:
        """Wait for the user (the passcode was refused): no poll until resumed."""
        self._unschedule()

    @callback
    def interval_changed(self) -> None:
        """A shorter interval takes effect now, a longer one after the next poll."""
        if self._interval() < self._scheduled_interval:
            due = self._next_slot()
            if self.next_poll_at is None or due < self.next_poll_at:
                self._schedule(due)

    def _next_slot(self) -> float:
        return next_poll_slot(
            self._hass.loop.time(), self._interval(), phase=self._phase
        )

    @callback
    def _schedule(self, due: float) -> None:
        if not self._running:
            return
        self._unschedule()
        if self._disabled():
            return
        self._scheduled_interval = self._interval()
        self.next_poll_at = due
        self._cancel = async_call_later(
            self._hass, due - self._hass.loop.time(), self._due
        )

    @callback
    def _unschedule(self) -> None:
        if self._cancel is not None:
            self._cancel()
            self._cancel = None
        self.next_poll_at = None

    @callback
    def _due(self, _now: Any) -> None:
        self._cancel = None
        self.next_poll_at = None
        if self._hass.is_stopping:
            # Home Assistant stops and closes its HTTP sessions: a poll now
            # would only fail. (Not "not running": that is also the state
            # while it starts, when polls must go on.)
            return
        self._poll()

    @callback
    def _on_hass_stop(self, _event: Event) -> None:
        self._running = False
        self._unschedule()
