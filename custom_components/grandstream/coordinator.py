"""The coordinator owns one phone's state: its snapshot, its calls, its record.

    poll (PollSchedule) ─┐
    command ─────────────┼─> async_refresh ─> _async_update_data ─> fetch ─> _track
    push (PushQueue) ────┘          (pushes that arrived before the fetch ride along)

Every path ends in ``_track``, the only caller of the tracker. It decides;
helpers keep time and order: ``PollSchedule`` (when to poll), ``PushQueue``
(which push rides on which fetch), ``PushMonitor`` (can pushes be relied
on), ``CallTracker`` (calls), ``PhoneRecord`` and ``CallBackList`` (what
survives a restart). It publishes the snapshot (the base class's
listeners), each call event (``call_events`` and the ``grandstream_call``
bus event, call_bus.py) and ``record_changed`` (DND, last caller, push health, the
call-back list, the model); entities and repairs only read.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from . import errors, identity
from .action_urls import Push, PushEvent
from .call_back import CallBackList
from .call_bus import fire_call_event
from .call_events import CallEvent
from .call_tracker import CallTracker
from .const import DOMAIN, LOGGER
from .cti import GrandstreamAuthenticationError, GrandstreamClient, GrandstreamError
from .log_once import LogOnce
from .phone_reader import PhoneReader
from .phone_record import PhoneRecord, take_over_old_values
from .poll_schedule import PollSchedule
from .push_health import PushHealth, PushMonitor, poll_interval
from .push_queue import PushQueue
from .signals import Signal
from .snapshot import PhoneSnapshot, shown_with

# After a command, refresh at once, and at most once a second after that, so a
# dashboard shows the result within a second or two.
COMMAND_REFRESH_COOLDOWN: Final = 1.0
# A push's event waits at most this long (from the push's arrival) for the
# line status that names the caller and the line.
PUSH_EVENT_DEADLINE: Final = 1.0
# Fetches for pushes start at least this far apart: a flood of pushes costs
# the phone a few requests per second, not one per push.
PUSH_FETCH_SPACING: Final = 0.25
# A phone unreachable for this long may have rebooted (a reboot takes about
# a minute); a shorter blip says nothing about its settings.
RESTART_SUSPICION: Final = 20.0

type GrandstreamConfigEntry = ConfigEntry[GrandstreamCoordinator]


class GrandstreamCoordinator(DataUpdateCoordinator[PhoneSnapshot]):
    """Fetches one phone's status, lines and accounts; owns its calls and record."""

    config_entry: GrandstreamConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: GrandstreamConfigEntry,
        client: GrandstreamClient,
    ) -> None:
        """Set up the phone's state; nothing is fetched or loaded yet."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            # Polls are timed by PollSchedule (see poll_schedule.py).
            update_interval=None,
            # An idle phone answers the same every time: entities are only
            # told when something changed.
            always_update=False,
            request_refresh_debouncer=Debouncer(
                hass, LOGGER, cooldown=COMMAND_REFRESH_COOLDOWN, immediate=True
            ),
        )
        self.client = client
        # Published: the record, the call-back list, and news of both.
        self.record = PhoneRecord(hass, entry.entry_id)
        self.call_backs = CallBackList(
            hass, entry.entry_id, on_change=self._record_changed
        )
        self.call_events: Signal[CallEvent] = Signal("call events")
        self.record_changed: Signal[None] = Signal("record changes")
        self.pushes_received = 0
        self.pushes_ignored = 0
        self._push_health = PushMonitor(hass, on_change=self._health_changed)
        self._tracker = CallTracker()
        self._pushes = PushQueue(
            fetch=self.async_refresh,
            on_deadline=self._track,
            start_task=lambda job: entry.async_create_background_task(
                hass, job, f"{self.name} push fetch"
            ),
            spacing=PUSH_FETCH_SPACING,
            deadline=PUSH_EVENT_DEADLINE,
        )
        self._polls = PollSchedule(
            hass,
            key=entry.entry_id,
            interval=lambda: self.poll_interval_seconds,
            poll=lambda: entry.async_create_background_task(
                hass, self.async_refresh(), f"{self.name} poll"
            ),
            disabled=lambda: entry.pref_disable_polling,
        )
        self._reader = PhoneReader(client)
        self._fetch_lock = asyncio.Lock()
        self._fetch_ok = True
        self._unreachable_since: float | None = None
        self._adopting = False
        self.log_once = LogOnce(LOGGER)

    # -- life cycle ----------------------------------------------------------

    async def _async_setup(self) -> None:
        """Once, before the first fetch: what was stored."""
        entry = self.config_entry
        await self.call_backs.async_load()
        if not await self.record.async_load():
            take_over_old_values(self.hass, entry, self.record, self.call_backs)
        if self.record.push_seen:
            self._push_health.seen_before()
        entry.async_on_unload(self._async_stop)
        entry.async_on_unload(self.call_backs.async_save_now)
        entry.async_on_unload(self.record.async_save_now)

    @callback
    def _async_stop(self) -> None:
        self._polls.stop()
        self._push_health.async_shutdown()
        self.call_events.clear()
        self.record_changed.clear()

    # -- fetching ------------------------------------------------------------

    async def _async_update_data(self) -> PhoneSnapshot:
        """Fetch the phone; feed the tracker with it and the pushes before it."""
        shown = self.data
        async with self._fetch_lock:
            if self.data is not shown:
                # Another refresh finished while this one waited: the base
                # class compares our result with older data than entities
                # show. Tell them again once our data is set.
                self.hass.loop.call_soon(self.async_update_listeners)
            batch = self._pushes.take()
            # Call pushes need the lines alone; a poll reads the rest.
            lines_only = batch.calls_only and self.last_update_success
            read_at = time.monotonic()
            ok = auth_failed = False
            try:
                snapshot = await self._fetch(self.data if lines_only else None)
            except GrandstreamError as err:
                auth_failed = isinstance(err, GrandstreamAuthenticationError)
                # No line status: the pushes count provisionally.
                self._track(self._pushes.settle(batch))
                raise errors.update_error(err) from err
            else:
                self._track(self._pushes.settle(batch), snapshot, read_at=read_at)
                ok = True
                # Pushes that arrived after this read was sent still show.
                return shown_with(snapshot, self._pushes.waiting())
            finally:
                # Whatever went wrong (a bug included), the pushes stop
                # waiting and polling goes on.
                self._pushes.settle(batch)
                self._fetch_done(ok=ok, auth_failed=auth_failed)

    async def _fetch(self, previous: PhoneSnapshot | None) -> PhoneSnapshot:
        if previous is not None:
            return await self._reader.read_lines(previous)
        snapshot = await self._reader.read()
        for kind, raw in snapshot.unknown_states():
            self.log_once(
                f"{kind}:{raw[:40]}",
                logging.INFO,
                "%s reports an unknown %s state %r; shown as 'other'",
                self.config_entry.title,
                kind,
                raw[:40],
            )
        return snapshot

    @callback
    def _fetch_done(self, *, ok: bool, auth_failed: bool) -> None:
        """Book-keeping after every fetch, whoever asked for it."""
        now = time.monotonic()
        if ok and self._unreachable_since is not None:
            if now - self._unreachable_since >= RESTART_SUSPICION:
                # Back after being away long enough to have rebooted.
                self._phone_may_have_restarted()
            self._unreachable_since = None
        elif not ok and self._unreachable_since is None:
            self._unreachable_since = now
        self._fetch_ok = ok
        if auth_failed:
            self._polls.pause()  # polling waits for the user (re-authentication)
        elif ok and not self._polls.started:
            # Set-up's fetch: polling starts, the first poll an interval later.
            self._polls.start()
        else:
            # The next poll in the phone's slot: the fast interval after a
            # failed fetch (from a push or a poll), else the usual one.
            self._polls.after_fetch()

    @property
    def poll_interval_seconds(self) -> float:
        """The current poll interval."""
        interval = poll_interval(self._push_health.health, phone_answers=self._fetch_ok)
        return interval.total_seconds()

    # -- the tracker and what it says -----------------------------------------

    @callback
    def _track(
        self,
        pushes: list[Push],
        snapshot: PhoneSnapshot | None = None,
        *,
        read_at: float | None = None,
    ) -> None:
        """Feed the tracker once and publish what it says."""
        update = self._tracker.update(
            lines=None if snapshot is None else snapshot.lines,
            pushes=pushes,
            accounts=None if snapshot is None else snapshot.book,
            read_at=read_at,
        )
        self.pushes_ignored += update.ignored_pushes + update.held_pushes
        if update.ignored_pushes or update.rings_given_up:
            # (A ring too short for the line status is no reason to warn.)
            self.log_once(
                "pushes_not_confirmed",
                logging.WARNING,
                "Ignoring pushes on the webhook of %s that the phone's line status "
                "does not confirm (shown as ignored pushes in the diagnostics). If "
                "this repeats, something else may be sending to this webhook",
                self.config_entry.title,
            )
        if update.accepted:
            self._push_health.push_received()
        self._push_health.take_evidence(update.evidence)
        changed = False
        for event in update.events:
            changed |= self._publish(event)
        for event in update.named:
            changed |= self.record.take_caller_name(event)
        if changed:
            self._record_changed()
        if (
            snapshot is not None
            and not self._adopting
            and not self.config_entry.unique_id
        ):
            # A push the phone's line status bore out (read after it, not a
            # provisional one): its MAC is the phone's.
            if mac := next((p.mac for p in update.accepted if p.mac), None):
                self._adopting = identity.adopt_pushed_mac(
                    self.hass, self.config_entry, mac
                )

    @callback
    def _publish(self, event: CallEvent) -> bool:
        """Tell everyone of one call event; True when the record changed."""
        changed = self.call_backs.handle(event)
        changed |= self.record.take_call_event(event)
        # The bus first: the event entity's state shares the bus event's context.
        self.call_events.emit(fire_call_event(self.hass, self.config_entry, event))
        return changed

    @callback
    def _record_changed(self) -> None:
        self.record_changed.emit(None)

    # -- push health -----------------------------------------------------------

    @property
    def push_health(self) -> PushHealth:
        """Whether the phone's pushes can be relied on."""
        return self._push_health.health

    @property
    def pushes_missing(self) -> bool:
        """Line status showed changes whose push never came."""
        return self._push_health.pushes_missing

    @callback
    def _health_changed(self) -> None:
        if self._push_health.health is not PushHealth.NEVER_SEEN:
            self.record.mark_push_seen()
        self._polls.interval_changed()
        self._record_changed()

    @callback
    def urls_written(self) -> None:
        """Our Action URLs are on the phone again: missing pushes are forgotten."""
        self._push_health.urls_written()

    # -- pushes ----------------------------------------------------------------

    async def async_handle_push(self, push: Push) -> None:
        """One push from the webhook (already checked for shape and MAC).

        validate → join the next fetch → the tracker → publish; when the phone
        is slow, the event goes out at the deadline with what the push says.
        """
        self.pushes_received += 1
        if not push.is_call_event:
            # Nothing to check it against: it shows the Action URLs work.
            self._push_health.push_received()
        elif self.last_update_success:
            # Show at once what the push says; the read after it confirms.
            if (shown := shown_with(self.data, [push])) is not self.data:
                self.data = shown
                self.async_update_listeners()
        if push.event in (PushEvent.DND_ON, PushEvent.DND_OFF):
            if self.record.set_dnd(push.event is PushEvent.DND_ON):
                self._record_changed()
            return
        if push.event is PushEvent.BOOT:
            identity.async_learn_from_boot(
                self.hass, self.config_entry, model=push.model, firmware=push.firmware
            )
            self._record_changed()
            self._phone_may_have_restarted()
        elif push.event in (PushEvent.REGISTERED, PushEvent.UNREGISTERED):
            self._reader.invalidate_accounts()
        await self._pushes.put(push)

    @callback
    def push_dropped(self, reason: str) -> None:
        """The webhook dropped a push (flood, unknown event, foreign MAC)."""
        self.pushes_ignored += 1
        self.log_once(
            f"push_dropped:{reason}",
            logging.WARNING,
            "Dropping pushes on the webhook of %s: %s (counted in the diagnostics)",
            self.config_entry.title,
            reason,
        )

    # -- restarts ----------------------------------------------------------------

    @callback
    def _phone_may_have_restarted(self) -> None:
        """The one place deciding what a (possible) restart means.

        Called when the phone boots (push), after we asked it to reboot, and
        when it answers again after being unreachable. A restarted phone may
        have lost its Action URLs and its registrations.
        """
        self._reader.invalidate_accounts()
        self._push_health.phone_restarted()

    @callback
    def phone_restarting(self) -> None:
        """We asked the phone to reboot: poll soon to see it go and come back."""
        self._phone_may_have_restarted()
        self._polls.after_fetch()

    # -- diagnostics ---------------------------------------------------------------

    def diagnostics(self) -> dict[str, Any]:
        """Polling, push and call tracking, without numbers or names."""
        return {
            "last_update_success": self.last_update_success,
            "last_exception": (
                type(self.last_exception).__name__ if self.last_exception else None
            ),
            "poll_interval_seconds": self.poll_interval_seconds,
            "polling_disabled_by_user": self.config_entry.pref_disable_polling,
            "pending_commands": self.client.pending_commands,
            "push": {
                **self._push_health.diagnostics(),
                "pushes_received": self.pushes_received,
                "pushes_ignored": self.pushes_ignored,
            },
            "calls": self._tracker.diagnostics(),
            "call_backs": self.call_backs.diagnostics(),
            "dnd": self.record.dnd,
        }
