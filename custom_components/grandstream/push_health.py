"""Whether a phone's pushes can be relied on, and how often to poll it.

Polling alone reacts late and misses short rings; pushes are fast but only
as good as the phone's Action URLs. The evidence comes from the call
tracker, which compares what pushes announced with what line status shows:

- a push whose call change the line status read after it confirms proves
  that push works: VERIFIED. The fetch a push triggers is read after the
  push arrived, so it can confirm that push (and only that push's change);
- line status showing a change that no push reported, and no push reporting
  it within ``PUSH_GRACE``, means an Action URL is missing or broken:
  NOT_VERIFIED;
- the phone restarting (it may have lost its settings) needs proof again.

The poll interval follows from it: slow while push is verified and the
phone answers, fast otherwise (a failed fetch, from a push or a poll, brings
the next poll in fast until one succeeds). Subscribers — the coordinator's
poll timer, the repair issue, the stored "push seen" flag, the push status
sensor — hear each change through the coordinator, the monitor's one owner.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from enum import StrEnum
import time
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later

from .call_events import PUSH_GRACE, Evidence
from .const import FAST_POLL_INTERVAL, SLOW_POLL_INTERVAL


class PushHealth(StrEnum):
    """Whether the phone's pushes can be relied on."""

    NEVER_SEEN = "never_seen"
    NOT_VERIFIED = "not_verified"
    VERIFIED = "verified"


def poll_interval(health: PushHealth, *, phone_answers: bool) -> timedelta:
    """How long to wait for the next poll."""
    if health is PushHealth.VERIFIED and phone_answers:
        return SLOW_POLL_INTERVAL
    return FAST_POLL_INTERVAL


class PushMonitor:
    """Push health of one phone."""

    def __init__(
        self,
        hass: HomeAssistant,
        *,
        on_change: Callable[[], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Start with push never seen; ``on_change`` hears every change."""
        self._hass = hass
        self._on_change = on_change
        self._clock = clock
        self.health = PushHealth.NEVER_SEEN
        self.last_push: float | None = None
        # Line status showed a change whose push never came: some Action URL
        # is missing (a factory reset, a changed Home Assistant address...).
        self.pushes_missing = False
        self._cancel_grace: CALLBACK_TYPE | None = None
        # Changes line status showed first whose push has not come (yet).
        self._unreported = 0

    @callback
    def seen_before(self) -> None:
        """Push worked before this start: it still has to prove itself again."""
        if self.health is PushHealth.NEVER_SEEN:
            self.health = PushHealth.NOT_VERIFIED

    @callback
    def push_received(self) -> None:
        """A push from this phone arrived (whatever it says)."""
        self.last_push = self._clock()
        if self.health is PushHealth.NEVER_SEEN:
            self._set(PushHealth.NOT_VERIFIED)

    @callback
    def take_evidence(self, evidence: list[Evidence]) -> None:
        """Judge what the call tracker saw in one update."""
        for item in evidence:
            if item is Evidence.PUSH_CONFIRMED:
                self._set(PushHealth.VERIFIED, missing=False)
            elif item is Evidence.PUSH_IN_GRACE:
                self._unreported = max(0, self._unreported - 1)
                self._set(PushHealth.VERIFIED, missing=False)
            elif item is Evidence.UNREPORTED_CHANGE:
                self._unreported += 1
                if self._cancel_grace is None:
                    # Give the push that may still be on its way a chance.
                    self._cancel_grace = async_call_later(
                        self._hass, PUSH_GRACE, self._grace_over
                    )

    @callback
    def phone_restarted(self) -> None:
        """After a restart the phone may have lost its Action URLs: re-verify."""
        if self.health is PushHealth.VERIFIED:
            self._set(PushHealth.NOT_VERIFIED)

    @callback
    def urls_written(self) -> None:
        """Our Action URLs were written again: pushes are no longer known missing.

        If they still are, the next change line status shows first says so.
        """
        self._unreported = 0
        self._stop_grace()
        self._set(self.health, missing=False)

    @callback
    def async_shutdown(self) -> None:
        """Stop the grace timer (the entry unloads)."""
        self._stop_grace()

    @callback
    def _grace_over(self, _now: Any) -> None:
        self._cancel_grace = None
        unreported, self._unreported = self._unreported, 0
        if unreported:
            verified = self.health is PushHealth.VERIFIED
            self._set(
                PushHealth.NOT_VERIFIED if verified else self.health, missing=True
            )

    @callback
    def _stop_grace(self) -> None:
        if self._cancel_grace is not None:
            self._cancel_grace()
            self._cancel_grace = None

    @callback
    def _set(self, health: PushHealth, *, missing: bool | None = None) -> None:
        missing = self.pushes_missing if missing is None else missing
        if health is self.health and missing == self.pushes_missing:
            return
        self.health = health
        self.pushes_missing = missing
        self._on_change()

    def diagnostics(self) -> dict[str, Any]:
        """Health for diagnostics."""
        return {
            "push_health": self.health.value,
            "seconds_since_last_push": (
                None
                if self.last_push is None
                else round(self._clock() - self.last_push, 1)
            ),
            "changes_waiting_for_their_push": self._unreported,
            "pushes_missing": self.pushes_missing,
        }
