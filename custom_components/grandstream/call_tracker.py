"""Turn pushes and poll differences into call events, each exactly once.

Two sources see the same calls: the phone's Action URL pushes (fast, but no
line and no caller name) and the line status polls (complete, but slow and
blind to anything shorter than a poll). The tracker keeps one record per
call and remembers which events each record already produced, so whichever
source reports a change first fires the event and the other is absorbed.

It also judges whether push works (``PushHealth``): polling that keeps
seeing changes push never reported means the Action URLs are missing or
broken, and the coordinator must keep polling fast.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
import time
from typing import Any

from .cti import LineState, LineStatus, digits, same_number


class CallEventType(StrEnum):
    """Events automations can react to."""

    INCOMING = "incoming"
    OUTGOING = "outgoing"
    ANSWERED = "answered"
    ENDED = "ended"
    MISSED = "missed"
    HELD = "held"
    RESUMED = "resumed"
    DND_ON = "dnd_on"
    DND_OFF = "dnd_off"


class PushHealth(StrEnum):
    """Whether the phone's pushes can be relied on."""

    NEVER_SEEN = "never_seen"
    NOT_VERIFIED = "not_verified"
    VERIFIED = "verified"


class Source(StrEnum):
    """Who reported a change."""

    PUSH = "push"
    POLL = "poll"


@dataclass(frozen=True, slots=True)
class CallEvent:
    """One call event, as fired on the event entity and the bus."""

    type: CallEventType
    remote_number: str | None = None
    remote_name: str | None = None
    line: int | None = None
    account: str | None = None
    direction: str | None = None
    source: Source = Source.POLL

    def as_dict(self) -> dict[str, Any]:
        """Event data (without the type)."""
        return {
            "remote_number": self.remote_number,
            "remote_name": self.remote_name,
            "line": self.line,
            "account": self.account,
            "direction": self.direction,
        }


@dataclass
class _Call:
    """One call as the tracker knows it."""

    direction: str
    remote_number: str
    remote_name: str = ""
    line: int | None = None
    account: str | None = None
    call_id: str | None = None
    answered: bool = False
    held: bool = False
    hold_source: Source | None = None
    hold_changed_at: float | None = None
    closed_at: float | None = None
    # Which events this call fired and which source saw each first, for
    # dedup and push health.
    fired: dict[str, Source] = field(default_factory=dict)


# Pushes without a call (boot, registration, hook) do not make call events.
PUSH_CALL_EVENTS = {
    "incoming",
    "outgoing",
    "established",
    "terminated",
    "missed",
    "hold",
    "unhold",
}
_CALL_STATES = {
    LineState.RINGING,
    LineState.DIALING,
    LineState.CALLING,
    LineState.CONNECTED,
    LineState.ON_HOLD,
    LineState.FAILED,
}
# A closed call still absorbs reports of itself for this long (an in-flight
# poll can still show a call a push already ended).
_CLOSED_MEMORY = 10.0
_MAX_CLOSED_CALLS = 16
# A push arriving this long after the poll that saw the same change still
# proves push works; phones send pushes about a second after the event.
PUSH_GRACE = 5.0


class CallTracker:
    """Call records of one phone, fed by pushes and polls."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        """Start with no calls, no lines seen and push never seen."""
        self._clock = clock
        self._calls: list[_Call] = []
        self._lines: dict[int, LineStatus] = {}
        self._listeners: list[Callable[[CallEvent], None]] = []
        self._health_listeners: list[Callable[[PushHealth], None]] = []
        self.push_health = PushHealth.NEVER_SEEN
        self.last_push: float | None = None
        self._poll_first_at: float | None = None
        self.dnd: bool | None = None

    # -- listeners ---------------------------------------------------------

    def add_listener(self, listener: Callable[[CallEvent], None]) -> Callable[[], None]:
        """Call ``listener`` with every new event; returns a remover."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def add_health_listener(
        self, listener: Callable[[PushHealth], None]
    ) -> Callable[[], None]:
        """Call ``listener`` when push health changes; returns a remover."""
        self._health_listeners.append(listener)
        return lambda: self._health_listeners.remove(listener)

    def _set_health(self, health: PushHealth) -> None:
        if health is not self.push_health:
            self.push_health = health
            for listener in list(self._health_listeners):
                listener(health)

    def phone_restarted(self) -> None:
        """After a reboot the phone may have lost its Action URLs: re-verify."""
        if self.push_health is PushHealth.VERIFIED:
            self._set_health(PushHealth.NOT_VERIFIED)

    # -- the two sources ---------------------------------------------------

    def handle_push(
        self,
        event: str,
        params: Mapping[str, str],
        lines: Sequence[LineStatus] = (),
    ) -> None:
        """Take one Action URL push (already validated and cleaned).

        ``lines`` is a line status fetched right after the push: pushes carry
        no line and no caller name (names would break the URL), so both are
        taken from there.
        """
        now = self._clock()
        self.last_push = now
        if self.push_health is PushHealth.NEVER_SEEN:
            self._set_health(PushHealth.NOT_VERIFIED)
        if event == "boot":
            self.phone_restarted()
            return
        if event in ("dnd_on", "dnd_off"):
            self.dnd = event == "dnd_on"
            self._fire(CallEvent(type=CallEventType(event), source=Source.PUSH))
            return
        if event not in PUSH_CALL_EVENTS:
            return
        number = params.get("remote", "")
        call_id = params.get("call_id") or None
        account = params.get("account") or None
        call = self._match_push(event, number, call_id, lines)
        if call is None:
            # A new call, or one whose start we did not see: keep what the
            # push tells.
            direction = event if event in ("incoming", "outgoing") else ""
            if event == "missed":
                direction = "incoming"
            call = _Call(direction=direction, remote_number=number, account=account)
            self._calls.append(call)
        call.call_id = call.call_id or call_id
        self._enrich(call, lines)
        if event in ("incoming", "outgoing"):
            self._emit(call, CallEventType(event), Source.PUSH)
            return
        if event == "established":
            call.answered = True
            self._emit(call, CallEventType.ANSWERED, Source.PUSH)
        elif event == "hold":
            self._hold(call, held=True, source=Source.PUSH)
        elif event == "unhold":
            self._hold(call, held=False, source=Source.PUSH)
        elif event == "missed":
            self._close(call, CallEventType.MISSED, Source.PUSH)
        else:  # terminated: the same rule as polling decides missed or ended
            self._close(call, self._end_kind(call), Source.PUSH)

    def _match_push(
        self,
        event: str,
        number: str,
        call_id: str | None,
        lines: Sequence[LineStatus],
    ) -> _Call | None:
        """The call a push is about, open or recently closed, if we know it."""
        call = self._find(number=number, call_id=call_id)
        if call is None and call_id:
            # A late push about a call that is over already: the id says so.
            call = self._find(call_id=call_id, open_only=False)
        if (
            call is None
            # A start push matches a closed call only when the line status
            # fetched with it was read and shows no such call (a late push);
            # without it, it may be the same caller ringing again.
            and (event not in ("incoming", "outgoing") or lines)
            and not any(
                status.state in _CALL_STATES
                and same_number(status.remote_number, number)
                for status in lines
            )
        ):
            # The phone no longer shows the call: a late push about a call
            # polling already saw end (still remembered for a while).
            call = self._find(number=number, call_id=call_id, open_only=False)
        if call is None and not digits(number) and not call_id:
            # Nothing to match by (anonymous caller, variables the phone
            # could not fill): a follow-up push is about the only open call.
            open_calls = [c for c in self._calls if c.closed_at is None]
            if event not in ("incoming", "outgoing") and len(open_calls) == 1:
                call = open_calls[0]
        return call

    def handle_lines(self, lines: list[LineStatus] | tuple[LineStatus, ...]) -> None:
        """Compare a fresh line status with the previous one."""
        previous, self._lines = self._lines, {ls.line: ls for ls in lines}
        if not previous:
            # First look at the phone: calls already up are adopted, not fired.
            for status in lines:
                if status.state in _CALL_STATES - {LineState.FAILED}:
                    self._adopt(status)
            return
        for status in lines:
            before = previous.get(status.line)
            self._line_changed(before, status)

    # -- internals ---------------------------------------------------------

    def _adopt(self, status: LineStatus) -> _Call:
        direction = "incoming" if status.state is LineState.RINGING else "outgoing"
        call = _Call(
            direction=direction,
            remote_number=status.remote_number,
            remote_name=status.remote_name,
            line=status.line,
            account=None if status.account is None else str(status.account),
            answered=status.in_call,
            held=status.state is LineState.ON_HOLD,
        )
        call.fired = {"incoming": Source.POLL, "outgoing": Source.POLL}
        if call.answered:
            # Already talking: the next poll must not report it as answered.
            call.fired[CallEventType.ANSWERED] = Source.POLL
        self._calls.append(call)
        return call

    def _line_changed(self, before: LineStatus | None, now: LineStatus) -> None:
        state = now.state
        if state is LineState.UNKNOWN:
            # A state we do not know (conference, transfer, ...) says nothing
            # about the call's end: keep it open and wait for a known state.
            return
        other = self._find(line=now.line, open_only=True)
        if (
            other is not None
            and other.remote_number
            and now.remote_number
            and not same_number(other.remote_number, now.remote_number)
        ):
            if state in (LineState.RINGING, LineState.CALLING):
                # Another call on this line since the last poll: the call we
                # knew ended in between.
                self._close(other, self._end_kind(other), Source.POLL)
            else:
                # The same call shows another number (a queue or pickup
                # group that connected us to a person).
                other.remote_number = now.remote_number

        call = self._find(line=now.line, number=now.remote_number, open_only=True)
        if call is not None:
            # What polling knows better than pushes: line, name, account.
            call.line = now.line
            call.remote_name = now.remote_name or call.remote_name
            if now.remote_number and not call.remote_number:
                call.remote_number = now.remote_number
            if now.account is not None:
                call.account = str(now.account)
        if state is LineState.IDLE:
            if before is None or before.state is LineState.IDLE:
                return
            ended = self._find(line=now.line, open_only=True) or self._find(
                line=now.line, number=before.remote_number, open_only=False
            )
            if ended is not None:
                self._close(ended, self._end_kind(ended), Source.POLL)
            return
        if state is LineState.FAILED:
            if call is not None:
                self._close(call, CallEventType.ENDED, Source.POLL)
            return
        if call is None:
            if before is not None and before.state is LineState.UNKNOWN:
                # Already up in a state we did not know: adopt, do not replay.
                self._adopt(now)
                return
            if self._recently_closed(now):
                return
            if state is LineState.DIALING:
                return  # digits being typed: no number yet, no call yet
            direction = "incoming" if state is LineState.RINGING else "outgoing"
            call = _Call(
                direction=direction,
                remote_number=now.remote_number,
                remote_name=now.remote_name,
                line=now.line,
                account=None if now.account is None else str(now.account),
            )
            self._calls.append(call)
        if state is LineState.RINGING:
            self._emit(call, CallEventType.INCOMING, Source.POLL)
        elif state is LineState.CALLING:
            call.direction = call.direction or "outgoing"
            self._emit(call, CallEventType.OUTGOING, Source.POLL)
        elif state in (LineState.CONNECTED, LineState.ON_HOLD):
            if not call.fired.get("incoming") and not call.fired.get("outgoing"):
                kind = CallEventType(call.direction or "outgoing")
                self._emit(call, kind, Source.POLL)
            call.answered = True
            self._emit(call, CallEventType.ANSWERED, Source.POLL)
            self._hold(call, held=state is LineState.ON_HOLD, source=Source.POLL)

    def _enrich(self, call: _Call, lines: Sequence[LineStatus]) -> None:
        """Fill in line, name and account from a line status, by number."""
        # Lines other open calls own are not this call's.
        owned = {c.line for c in self._calls if c is not call and c.closed_at is None}
        busy = [
            status
            for status in lines
            if status.state in _CALL_STATES and status.line not in owned
        ]
        match = next(
            (s for s in busy if same_number(s.remote_number, call.remote_number)),
            None,
        )
        if match is None and not digits(call.remote_number):
            # No number to compare (anonymous caller): the only free line
            # with a call.
            match = busy[0] if len(busy) == 1 else None
        if match is not None:
            call.line = match.line
            call.remote_name = match.remote_name or call.remote_name
            if match.account is not None:
                call.account = str(match.account)

    @staticmethod
    def _end_kind(call: _Call) -> CallEventType:
        """An incoming call that was never answered was missed, else ended.

        Pushes and polls use the same rule, so a call ends the same way
        whichever of them saw it end (a rejected call counts as missed).
        """
        missed = call.direction == "incoming" and not call.answered
        return CallEventType.MISSED if missed else CallEventType.ENDED

    def _recently_closed(self, status: LineStatus) -> bool:
        now = self._clock()
        return any(
            call.closed_at is not None
            and now - call.closed_at < _CLOSED_MEMORY
            # Closed by a push: a poll sent before it may still show the
            # call. A call polling saw end is over; a new ring is a new call.
            and Source.PUSH
            in (
                call.fired.get(CallEventType.MISSED),
                call.fired.get(CallEventType.ENDED),
            )
            and call.line in (None, status.line)
            and same_number(call.remote_number, status.remote_number)
            for call in self._calls
        )

    def _find(
        self,
        *,
        line: int | None = None,
        number: str | None = None,
        call_id: str | None = None,
        open_only: bool = True,
    ) -> _Call | None:
        """The best matching call: by call id, then line, then number."""
        self._forget_old()
        candidates = [c for c in self._calls if not open_only or c.closed_at is None]
        if call_id:
            for call in candidates:
                if call.call_id == call_id:
                    return call
            # Another call id is another call, whatever its number.
            candidates = [c for c in candidates if c.call_id in (None, call_id)]
        if line is not None:
            # Same line and a compatible number (a different caller on the
            # same line is a different call).
            on_line = [
                c
                for c in candidates
                if c.line == line
                and (
                    not number
                    or not c.remote_number
                    or same_number(c.remote_number, number)
                )
            ]
            if on_line:
                return on_line[-1]
        if digits(number):
            # Numbers without digits ("anonymous") identify nobody by
            # themselves; only together with the line above.
            for call in reversed(candidates):
                if same_number(call.remote_number, number) and (
                    line is None or call.line in (None, line)
                ):
                    return call
        return None

    def _forget_old(self) -> None:
        now = self._clock()
        recent = [
            c
            for c in self._calls
            if c.closed_at is None or now - c.closed_at < _CLOSED_MEMORY
        ]
        # Bounded whatever the phone does: a burst of short calls must not
        # make every lookup slower (open calls are never dropped).
        closed = [c for c in recent if c.closed_at is not None]
        if len(closed) > _MAX_CLOSED_CALLS:
            dropped = {id(c) for c in closed[: len(closed) - _MAX_CLOSED_CALLS]}
            recent = [c for c in recent if id(c) not in dropped]
        self._calls = recent

    def _hold(self, call: _Call, *, held: bool, source: Source) -> None:
        if call.held == held:
            return
        now = self._clock()
        if (
            source is Source.POLL
            and call.hold_source is Source.PUSH
            and call.hold_changed_at is not None
            and now - call.hold_changed_at < PUSH_GRACE
        ):
            # A poll sent before the push's change arrived late: stale.
            return
        call.held = held
        call.hold_source, call.hold_changed_at = source, now
        kind = CallEventType.HELD if held else CallEventType.RESUMED
        # Hold can toggle many times: each change fires once, whoever saw it.
        call.fired.pop(CallEventType.RESUMED if held else CallEventType.HELD, None)
        self._emit(call, kind, source)

    def _close(self, call: _Call, kind: CallEventType, source: Source) -> None:
        if call.closed_at is None:
            call.closed_at = self._clock()
            self._emit(call, kind, source)
        elif (first := call.fired.get(CallEventType.MISSED)) or (
            first := call.fired.get(CallEventType.ENDED)
        ):
            self._judge_push(first, source)

    def _emit(self, call: _Call, kind: CallEventType, source: Source) -> None:
        earlier = call.fired.get(kind)
        if earlier is not None:
            self._judge_push(earlier, source)
            return
        call.fired[kind] = source
        self._fire(
            CallEvent(
                type=kind,
                remote_number=call.remote_number or None,
                remote_name=call.remote_name or None,
                line=call.line,
                account=call.account,
                direction=call.direction or None,
                source=source,
            )
        )
        if source is Source.POLL:
            # Polling saw a call change before push did: unless the push
            # follows within the grace period, push is not working.
            self._poll_first_at = self._clock()
            if self.push_health is PushHealth.VERIFIED:
                self._set_health(PushHealth.NOT_VERIFIED)

    def _judge_push(self, first: Source, second: Source) -> None:
        """The same change reported twice: did push come first (or nearly)?"""
        if first is Source.PUSH and second is Source.POLL:
            self._set_health(PushHealth.VERIFIED)
        elif first is Source.POLL and second is Source.PUSH:
            seen = self._poll_first_at
            if seen is not None and self._clock() - seen <= PUSH_GRACE:
                self._set_health(PushHealth.VERIFIED)

    def _fire(self, event: CallEvent) -> None:
        for listener in list(self._listeners):
            listener(event)

    def diagnostics(self) -> dict[str, Any]:
        """Tracker state for diagnostics, without numbers or names."""
        return {
            "push_health": self.push_health.value,
            "seconds_since_last_push": (
                None
                if self.last_push is None
                else round(self._clock() - self.last_push, 1)
            ),
            "open_calls": sum(1 for c in self._calls if c.closed_at is None),
            "dnd": self.dnd,
        }
