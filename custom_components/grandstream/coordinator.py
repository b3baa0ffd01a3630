"""The coordinator owns one phone's state: its snapshot, its calls, its pushes.

Data path (every path ends in ``_track``, the only caller of the tracker):

    timer poll ─┐
    command ────┼─> async_refresh ─> _async_update_data ─> fetch ─> _track ─> publish
    push ───────┘        (pushes that arrived before the fetch ride along)

A push (``async_handle_push``) joins the next fetch, so pushes arriving
while a fetch is under way share one; at most one fetch is in flight and
at most a few follow pushes per second. When the phone is slow, the push's
event goes out after ``PUSH_EVENT_DEADLINE`` with what the push itself
says, and the line status enriches the call when it arrives.

Polls are timed here, not by ``DataUpdateCoordinator``'s interval: each
phone polls at its own phase of the interval (from its entry id), on a grid
it comes back to after every fetch. Phones brought into step (set up
together, a ring group's pushes fetched in the same second) do not stay in
step, and the interval follows push health without touching the base
class's internals. The first poll comes one interval after set-up's fetch.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
import logging
import math
import random
import time
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from . import errors, identity
from .accounts import AccountBook
from .action_urls import Push
from .call_back import CallBackList
from .call_tracker import CallEvent, CallTracker
from .const import (
    ACCOUNTS_REFRESH_INTERVAL,
    CONF_MODEL,
    CONF_PUSH_SEEN,
    DOMAIN,
    EVENT_CALL,
    GRANDSTREAM_OUIS,
    LOGGER,
    REQUEST_TIMEOUT,
)
from .cti import (
    DEFAULT_KEY_INTERVAL,
    Account,
    GrandstreamAuthenticationError,
    GrandstreamClient,
    GrandstreamError,
    LineState,
    LineStatus,
    PhoneState,
    PhoneStatus,
    key_sequence_hold,
)
from .push_health import PushHealth, PushMonitor, poll_interval
from .repairs import async_follow_push_health, async_update_phone_issues

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
# Poll slots fall on ticks of this many seconds: phones sharing a tick poll in
# the same turn of the event loop (cheaper than each waking it on its own),
# and ticks are few enough per interval to keep those groups small.
POLL_TICK: Final = 0.25
# Line status reads that only help a command (which line rang, which line a
# call started on) give up sooner than the command itself.
HELPER_READ_TIMEOUT: Final = 3.0


@dataclass(frozen=True, slots=True)
class PhoneSnapshot:
    """Everything one fetch learnt about the phone."""

    status: PhoneStatus
    lines: tuple[LineStatus, ...]
    # The phone's SIP accounts (lines carry the user's account numbers).
    book: AccountBook

    @property
    def accounts(self) -> tuple[Account, ...]:
        """The SIP accounts the phone lists."""
        return self.book.accounts

    def line(self, number: int) -> LineStatus | None:
        """Return line ``number`` if the phone reports it."""
        return next((ls for ls in self.lines if ls.line == number), None)

    @property
    def ringing(self) -> bool:
        """Whether any line is ringing."""
        return any(ls.state is LineState.RINGING for ls in self.lines)

    @property
    def in_call(self) -> bool:
        """Whether any line has a call up (talking or held)."""
        return any(ls.in_call for ls in self.lines)


type GrandstreamConfigEntry = ConfigEntry[GrandstreamCoordinator]


class CommandBudget:
    """How long a command may still take: one request timeout, plus key presses."""

    def __init__(self, deadline: asyncio.Timeout) -> None:
        """Wrap the command's deadline."""
        self._deadline = deadline

    def remaining(self) -> float:
        """Seconds left."""
        when = self._deadline.when()
        return (
            float("inf") if when is None else when - asyncio.get_running_loop().time()
        )

    def allow_keys(self, count: int) -> None:
        """The phone is about to press ``count`` keys: give it the time."""
        if (when := self._deadline.when()) is not None:
            self._deadline.reschedule(
                when + key_sequence_hold(count, DEFAULT_KEY_INTERVAL)
            )


@dataclass
class _WaitingPush:
    """A push waiting for the line status read after it."""

    push: Push
    handled: bool = False


@dataclass
class _PushBatch:
    """Pushes that will share one fetch."""

    pushes: list[_WaitingPush] = field(default_factory=list)
    task: asyncio.Task[None] | None = None
    taken: bool = False


def next_poll_slot(now: float, interval: float, *, phase: float) -> float:
    """When this phone polls next: its slot, ``phase`` of the way into an interval.

    Slots are ``(phase + k) * interval`` on the event loop's clock; the next
    one after ``now`` is at most one interval away. A fetch a push brought
    in between slots does not move the grid, so a phone keeps its place.
    """
    offset = round(phase * interval / POLL_TICK) * POLL_TICK % interval
    return offset + (math.floor((now - offset) / interval) + 1) * interval


class GrandstreamCoordinator(DataUpdateCoordinator[PhoneSnapshot]):
    """Fetches one phone's status, lines and accounts; owns its calls and push."""

    config_entry: GrandstreamConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: GrandstreamConfigEntry,
        client: GrandstreamClient,
    ) -> None:
        """Set up the phone's state; nothing is fetched yet."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            # Polls are timed by _schedule_poll (see the module docstring).
            update_interval=None,
            # An idle phone answers the same every time: entities are only
            # told when something changed.
            always_update=False,
            request_refresh_debouncer=Debouncer(
                hass, LOGGER, cooldown=COMMAND_REFRESH_COOLDOWN, immediate=True
            ),
        )
        self.client = client
        self.push_health = PushMonitor(
            hass, seen_before=bool(entry.data.get(CONF_PUSH_SEEN))
        )
        self.dnd: bool | None = None
        # Who to call back: fed with every call event, kept in the storage.
        self.call_backs = CallBackList(hass, entry.entry_id)
        self.pushes_received = 0
        self.pushes_ignored = 0
        self._tracker = CallTracker()
        self._accounts: tuple[Account, ...] = ()
        self._accounts_fetched_at: float | None = None
        self._book = AccountBook()
        self._fetch_lock = asyncio.Lock()
        # Fetches finished so far (tells a refresh that another overtook it).
        self._generation = 0
        self._fetch_ok = True
        self._unreachable_since: float | None = None
        self._next_batch = _PushBatch()
        self._unhandled: deque[_WaitingPush] = deque()
        self._last_push_fetch = 0.0
        self._call_listeners: list[Callable[[CallEvent], None]] = []
        self._name_listeners: list[Callable[[CallEvent], None]] = []
        self._dnd_listeners: list[Callable[[bool], None]] = []
        self._cancel_poll: CALLBACK_TYPE | None = None
        self._next_poll_at: float | None = None
        # The interval of the poll now scheduled.
        self._interval_scheduled = math.inf
        self._polling = False
        self._adopting = False
        self._logged_once: set[str] = set()
        # Each phone polls at its own phase of the interval.
        self._phase = random.Random(entry.entry_id).random()

    # -- life cycle ----------------------------------------------------------

    async def async_config_entry_first_refresh(self) -> None:
        """First fetch; then polling starts and push health is followed."""
        await self.call_backs.async_load()
        try:
            await super().async_config_entry_first_refresh()
        except ConfigEntryNotReady as err:
            # Older Home Assistant drops the translation of the update failure.
            cause = err.__cause__
            if isinstance(cause, UpdateFailed) and cause.translation_key:
                raise ConfigEntryNotReady(
                    translation_domain=DOMAIN,
                    translation_key=cause.translation_key,
                    translation_placeholders=cause.translation_placeholders,
                ) from cause
            raise
        entry = self.config_entry
        entry.async_on_unload(self._async_stop)
        entry.async_on_unload(self.call_backs.async_save_now)
        entry.async_on_unload(self.push_health.async_add_listener(self._health_changed))
        # Entries are not unloaded when Home Assistant stops, and it closes
        # its HTTP sessions then: polling stops with it.
        entry.async_on_unload(
            self.hass.bus.async_listen(EVENT_HOMEASSISTANT_STOP, self._on_hass_stop)
        )
        async_follow_push_health(self.hass, entry, self.push_health)
        self._polling = True
        self._schedule_poll(first=True)

    @callback
    def _on_hass_stop(self, _event: Event) -> None:
        self._polling = False
        self._unschedule_poll()

    @callback
    def _async_stop(self) -> None:
        self._polling = False
        self._unschedule_poll()
        self.push_health.async_shutdown()

    # -- fetching ------------------------------------------------------------

    async def _async_update_data(self) -> PhoneSnapshot:
        """Fetch the phone; feed the tracker with it and the pushes before it."""
        generation = self._generation
        async with self._fetch_lock:
            if generation != self._generation:
                # Another refresh finished while this one waited: what the
                # base class compares our result with is older than what
                # entities show. Tell them again once our data is set.
                self.hass.loop.call_soon(self.async_update_listeners)
            batch, self._next_batch = self._next_batch, _PushBatch()
            batch.taken = True
            read_at = time.monotonic()
            ok, auth_failed = False, False
            try:
                try:
                    snapshot = await self._fetch()
                except GrandstreamError as err:
                    # No line status: the pushes count provisionally.
                    auth_failed = isinstance(err, GrandstreamAuthenticationError)
                    self._track(None, batch.pushes)
                    raise errors.update_error(err) from err
                self._track(snapshot, batch.pushes, read_at=read_at)
                ok = True
                return snapshot
            finally:
                # Whatever went wrong (a bug included), polling goes on.
                self._generation += 1
                self._fetch_done(ok=ok, auth_failed=auth_failed)

    async def _fetch(self) -> PhoneSnapshot:
        # One request after the other: a passcode changed on the phone is
        # refused once, not once per request sent together.
        status = await self.client.phone_status()
        lines = await self.client.line_status()
        if self._accounts_due():
            try:
                self._accounts = tuple(await self.client.accounts())
                self._accounts_fetched_at = time.monotonic()
            except GrandstreamAuthenticationError:
                raise
            except GrandstreamError as err:
                # Lines and status are fine: keep the accounts we know and
                # try again next poll rather than blank the whole phone.
                LOGGER.debug("Could not read the accounts of %s: %s", self.name, err)
        self._book = AccountBook.of(self._accounts)
        snapshot = PhoneSnapshot(status=status, lines=tuple(lines), book=self._book)
        self._log_unknown_states(snapshot)
        return snapshot

    def _accounts_due(self) -> bool:
        return (
            self._accounts_fetched_at is None
            or time.monotonic() - self._accounts_fetched_at
            > ACCOUNTS_REFRESH_INTERVAL.total_seconds()
        )

    @callback
    def invalidate_accounts(self) -> None:
        """Fetch accounts with the next fetch (registration changed)."""
        self._accounts_fetched_at = None

    @callback
    def _fetch_done(self, *, ok: bool, auth_failed: bool = False) -> None:
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
            # Polling waits for the user (re-authentication).
            self._unschedule_poll()
        else:
            # A failed fetch, from a push or a poll, brings the next one in
            # fast; a good one restarts the interval.
            self._schedule_poll()

    # -- the tracker and what it says -----------------------------------------

    @callback
    def _track(
        self,
        snapshot: PhoneSnapshot | None,
        waiting: list[_WaitingPush],
        *,
        read_at: float | None = None,
    ) -> None:
        """Feed the tracker once and publish what it says."""
        pushes = [item.push for item in waiting if not item.handled]
        for item in waiting:
            item.handled = True
            if item in self._unhandled:
                self._unhandled.remove(item)
        update = self._tracker.update(
            lines=None if snapshot is None else snapshot.lines,
            pushes=pushes,
            accounts=self._book,
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
            self.push_health.push_received()
        self.push_health.take_evidence(update.evidence)
        for event in update.events:
            self._publish(event)
        for event in update.named:
            _notify(self._name_listeners, event)
        if not self.config_entry.unique_id and (
            mac := next((p.mac for p in update.accepted if p.mac), None)
        ):
            # A push the phone's line status bore out: its MAC is the phone's.
            self._adopt_mac_later(mac)

    @callback
    def _publish(self, event: CallEvent) -> None:
        self.call_backs.handle(event)
        device = identity.phone_device(self.hass, self.config_entry)
        self.hass.bus.async_fire(
            EVENT_CALL,
            {
                "device_id": device.id if device else None,
                "type": event.type.value,
                **event.as_dict(),
            },
        )
        _notify(self._call_listeners, event)

    @callback
    def async_add_call_listener(
        self, listener: Callable[[CallEvent], None]
    ) -> CALLBACK_TYPE:
        """Call ``listener`` with each call event; returns a remover."""
        self._call_listeners.append(listener)
        return lambda: self._call_listeners.remove(listener)

    @callback
    def async_add_caller_name_listener(
        self, listener: Callable[[CallEvent], None]
    ) -> CALLBACK_TYPE:
        """Call ``listener`` when a call announced by push alone gets its name.

        No new call event: the event went out before the line status came.
        """
        self._name_listeners.append(listener)
        return lambda: self._name_listeners.remove(listener)

    @callback
    def async_add_dnd_listener(self, listener: Callable[[bool], None]) -> CALLBACK_TYPE:
        """Call ``listener`` when Do Not Disturb changes; returns a remover."""
        self._dnd_listeners.append(listener)
        return lambda: self._dnd_listeners.remove(listener)

    @callback
    def async_add_push_health_listener(
        self, listener: Callable[[PushHealth], None]
    ) -> CALLBACK_TYPE:
        """Call ``listener`` when push health changes; returns a remover."""
        return self.push_health.async_add_listener(listener)

    @callback
    def reset_missed_calls(self) -> None:
        """The user saw the missed calls: the call-back list is done."""
        self.call_backs.complete_all()

    @callback
    def restore_dnd(self, value: bool) -> None:
        """Take the Do Not Disturb state known before a restart, if none since."""
        if self.dnd is None:
            self.dnd = value

    # -- pushes ----------------------------------------------------------------

    async def async_handle_push(self, push: Push) -> None:
        """One push from the webhook (already checked for shape and MAC).

        validate → join the next fetch → the tracker → publish; when the phone
        is slow, the event goes out at the deadline with what the push says.
        """
        self.pushes_received += 1
        if not push.is_call_event:
            # Nothing to check it against: it shows the Action URLs work.
            self.push_health.push_received()
        if push.event in ("dnd_on", "dnd_off"):
            self._set_dnd(push.event == "dnd_on")
            return
        if push.event == "boot":
            self._learn_from_boot(push)
            async_update_phone_issues(self.hass, self.config_entry)
            self._phone_may_have_restarted()
        elif push.event in ("registered", "unregistered"):
            self.invalidate_accounts()
        item = _WaitingPush(push)
        self._unhandled.append(item)
        batch = self._next_batch
        batch.pushes.append(item)
        if batch.task is None:
            batch.task = self.config_entry.async_create_background_task(
                self.hass, self._async_fetch_for(batch), f"{self.name} push fetch"
            )
        deadline = (push.received_at or time.monotonic()) + PUSH_EVENT_DEADLINE
        await asyncio.wait({batch.task}, timeout=max(0.0, deadline - time.monotonic()))
        if not item.handled:
            # The phone is slow: every push up to this one goes out now.
            earlier: list[_WaitingPush] = []
            while self._unhandled and item not in earlier:
                earlier.append(self._unhandled.popleft())
            self._track(None, earlier)

    async def _async_fetch_for(self, batch: _PushBatch) -> None:
        """Fetch for a batch of pushes, a few times per second at most."""
        wait = self._last_push_fetch + PUSH_FETCH_SPACING - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        if batch.taken:
            # A poll that started meanwhile took these pushes along: done
            # when it is.
            async with self._fetch_lock:
                return
        self._last_push_fetch = time.monotonic()
        await self.async_refresh()

    @callback
    def _learn_from_boot(self, push: Push) -> None:
        """Model and firmware from a boot push, as far as a push can be trusted.

        Pushes are unauthenticated: one never renames the phone (the model is
        taken only while none is known), and it updates the firmware only
        for the model already known (firmware upgrades are how it changes).
        """
        known = self.config_entry.data.get(CONF_MODEL)
        if known and push.model and push.model != known:
            return
        identity.async_learn_model(
            self.hass,
            self.config_entry,
            model=None if known else push.model,
            firmware=push.firmware,
        )

    @callback
    def _set_dnd(self, value: bool) -> None:
        if self.dnd is value:
            return
        self.dnd = value
        _notify(self._dnd_listeners, value)

    @callback
    def _adopt_mac_later(self, mac: str) -> None:
        """Learn the MAC a push carries, if it is a Grandstream one."""
        # (The webhook already dropped pushes with another phone's MAC.)
        if self._adopting or mac[:8] not in GRANDSTREAM_OUIS:
            return
        self._adopting = True

        async def adopt() -> None:
            if await identity.async_adopt_mac(self.hass, self.config_entry, mac):
                # Entities pick up their new ids (keyed by MAC) on reload.
                self.hass.config_entries.async_schedule_reload(
                    self.config_entry.entry_id
                )

        self.config_entry.async_create_background_task(
            self.hass, adopt(), f"{self.name} adopt MAC"
        )

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

    # -- restarts and polling ------------------------------------------------

    @callback
    def _phone_may_have_restarted(self) -> None:
        """The one place deciding what a (possible) restart means.

        Called when the phone boots (push), after we asked it to reboot, and
        when it answers again after being unreachable. A restarted phone may
        have lost its Action URLs and its registrations.
        """
        self.invalidate_accounts()
        self.push_health.phone_restarted()

    @callback
    def phone_restarting(self) -> None:
        """We asked the phone to reboot."""
        self._phone_may_have_restarted()
        self._schedule_poll()

    def _poll_interval(self) -> timedelta:
        return poll_interval(self.push_health.health, phone_answers=self._fetch_ok)

    def _interval(self) -> float:
        return self._poll_interval().total_seconds()

    @callback
    def _health_changed(self, _health: PushHealth) -> None:
        # A shorter interval takes effect now, a longer one after the next poll.
        if self._interval() < self._interval_scheduled:
            self._schedule_poll(keep_earlier=True)

    @callback
    def _schedule_poll(
        self, *, keep_earlier: bool = False, first: bool = False
    ) -> None:
        if not self._polling:
            return
        now = self.hass.loop.time()
        interval = self._interval()
        if first:
            # Set-up just read the phone: the first poll comes an interval
            # later; the phone takes its own slot from the next one on.
            due = now + interval
        else:
            due = next_poll_slot(now, interval, phase=self._phase)
        if keep_earlier and self._next_poll_at is not None and self._next_poll_at < due:
            return
        self._unschedule_poll()
        if self.config_entry.pref_disable_polling:
            return  # the user switched polling off; pushes still fetch
        self._next_poll_at, self._interval_scheduled = due, interval
        self._cancel_poll = async_call_later(self.hass, due - now, self._poll_due)

    @callback
    def _unschedule_poll(self) -> None:
        if self._cancel_poll is not None:
            self._cancel_poll()
            self._cancel_poll = None
        self._next_poll_at = None

    @callback
    def _poll_due(self, _now: Any) -> None:
        self._cancel_poll = None
        self._next_poll_at = None
        if self.hass.is_stopping:
            # Home Assistant stops and closes its HTTP sessions: a poll now
            # would only fail. (Not "not running": that is also the state
            # while it starts, when polls must go on.)
            return
        self.config_entry.async_create_background_task(
            self.hass, self.async_refresh(), f"{self.name} poll"
        )

    @property
    def poll_interval_seconds(self) -> float:
        """The current poll interval, for diagnostics."""
        return self._interval()

    # -- logging -----------------------------------------------------------------

    def _log_unknown_states(self, snapshot: PhoneSnapshot) -> None:
        """Log each state string we do not know once, then stay quiet."""
        raw_unknown = []
        if snapshot.status.state is PhoneState.UNKNOWN:
            raw_unknown.append(("phone", snapshot.status.raw_state))
        raw_unknown += [
            ("line", ls.raw_state)
            for ls in snapshot.lines
            if ls.state is LineState.UNKNOWN
        ]
        for kind, raw in raw_unknown:
            self.log_once(
                f"{kind}:{raw[:40]}",
                logging.INFO,
                "%s reports an unknown %s state %r; shown as 'other'",
                self.config_entry.title,
                kind,
                raw[:40],
            )

    def log_once(self, key: str, level: int, message: str, *args: object) -> None:
        """Log something worth knowing once per phone, not on every poll."""
        if key not in self._logged_once and len(self._logged_once) < 64:
            self._logged_once.add(key)
            LOGGER.log(level, message, *args)

    # -- commands ----------------------------------------------------------------

    async def async_command[T](
        self,
        command: Callable[[GrandstreamClient, CommandBudget], Awaitable[T]],
        *,
        refused_key: str | None = None,
    ) -> T:
        """Run a command on the phone, turning client errors into HA errors.

        The one place where buttons and actions meet the phone, so that every
        failure reads the same whichever way the user got there. The whole
        command, reads around it included, takes at most one request timeout,
        plus the time key presses take once the phone accepted them (the
        command says so through its budget).
        """
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT) as deadline:
                result = await command(self.client, CommandBudget(deadline))
        except TimeoutError:
            raise errors.refused(
                "timeout", error=f"no answer within {REQUEST_TIMEOUT:g} s"
            ) from None
        except GrandstreamError as err:
            if isinstance(err, GrandstreamAuthenticationError):
                self.config_entry.async_start_reauth(self.hass)
            raise errors.command_error(err, refused_key=refused_key) from None
        # Show the result soon; the action does not wait for that read.
        self.config_entry.async_create_task(
            self.hass, self.async_request_refresh(), f"{self.name} after command"
        )
        return result

    async def async_helper_read(
        self, within: float = HELPER_READ_TIMEOUT
    ) -> list[LineStatus] | None:
        """Line status for a command's own use; None when the phone is slow."""
        if within <= 0:
            return None
        try:
            async with asyncio.timeout(within):
                return await self.client.line_status()
        except (TimeoutError, GrandstreamError) as err:
            if isinstance(err, GrandstreamAuthenticationError):
                raise
            return None

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
                **self.push_health.diagnostics(),
                "pushes_received": self.pushes_received,
                "pushes_ignored": self.pushes_ignored,
            },
            "calls": self._tracker.diagnostics(),
            "call_backs": self.call_backs.diagnostics(),
            "dnd": self.dnd,
        }


def _notify[T](listeners: list[Callable[[T], None]], value: T) -> None:
    """Call every listener; one that fails does not stop the phone."""
    for listener in list(listeners):
        try:
            listener(value)
        except Exception:  # noqa: BLE001 - one subscriber's bug, logged in full
            LOGGER.exception("Error in a listener of a Grandstream phone")
