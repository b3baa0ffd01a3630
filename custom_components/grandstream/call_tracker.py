"""Turn line snapshots and pushes into call events, each exactly once.

Two sources see the same calls: the phone's Action URL pushes (fast, but no
line and no caller name, and unauthenticated) and its line status (complete
and the truth, but read only now and then). The tracker keeps one record per
call and remembers which events each record already produced and which
source saw each first, so whichever source reports a change first fires the
event and the other is absorbed.

It is a plain state machine: ``update()`` takes the pushes that arrived
(in order) and the line status read after them, and returns the events and
what they tell about push (``Evidence``). It calls nobody back, so nothing
can re-enter it; its owner (the coordinator) publishes the result.

A push is a hint, not the truth (anyone on the LAN who knows the webhook can
send one):

1. With a line status read after the push, a push that opens a call counts
   only if a line shows that call; one that answers, holds or ends a call
   counts only for a call we know and when the line status does not show
   the opposite.
2. Without one (the phone is slow or unreachable), a push consistent with
   what we last saw counts provisionally, so its event is not late; the next
   line status confirms the call, or drops it without further events (a
   dropped call never counts as missed).
3. A ring too short for any line status to show it still counts: an
   ``incoming`` push no line confirmed, followed within ``SHORT_RING_WINDOW``
   by a ``missed``/``terminated`` push of the same number, is one missed
   call, at most ``SHORT_RING_LIMIT`` times per ``SHORT_RING_PERIOD``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
import time
from typing import Any, Final

from .accounts import AccountBook
from .action_urls import Push
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


class Source(StrEnum):
    """Who reported a change first."""

    PUSH = "push"
    POLL = "poll"


class Evidence(StrEnum):
    """What one update tells about the phone's pushes."""

    # A push's change, shown by the line status read after it: push works.
    PUSH_CONFIRMED = "push_confirmed"
    # A change the line status showed first, whose push came within the grace.
    PUSH_IN_GRACE = "push_in_grace"
    # A change the line status showed that no push had reported (yet).
    UNREPORTED_CHANGE = "unreported_change"


# Bounds for what reaches states and events, whatever the phone or a push says.
MAX_NUMBER_LENGTH: Final = 64
MAX_NAME_LENGTH: Final = 100


@dataclass(frozen=True, slots=True)
class CallEvent:
    """One call event, as fired on the event entity and the bus."""

    type: CallEventType
    remote_number: str | None = None
    remote_name: str | None = None
    line: int | None = None
    # The account number as users know it (1 = first), see accounts.py.
    account: int | None = None
    account_sip_user: str | None = None
    account_name: str | None = None
    direction: str | None = None
    source: Source = Source.POLL
    # When the event happened (time.time()), for records kept by subscribers.
    at: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """Event data (without the type)."""
        return {
            "remote_number": self.remote_number,
            "remote_name": self.remote_name,
            "line": self.line,
            "account": self.account,
            "account_sip_user": self.account_sip_user,
            "account_name": self.account_name,
            "direction": self.direction,
        }


@dataclass
class TrackerUpdate:
    """What one update produced."""

    events: list[CallEvent] = field(default_factory=list)
    # Calls announced before whose name became known now (the line status
    # arrived after the push's event went out): for entities showing the
    # call, not new events for automations.
    named: list[CallEvent] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    # Pushes the phone's line status contradicted, or about calls we do not know.
    ignored_pushes: int = 0
    # Incoming pushes no line showed, kept as possible short rings (rule 3).
    held_pushes: int = 0
    # Such rings whose end push never came (or that did not fit): likely forged.
    rings_given_up: int = 0
    # Pushes that were about a call we know (or now know): push is alive.
    accepted: list[Push] = field(default_factory=list)


@dataclass
class _Fired:
    """An event a call produced: who saw it first, and when."""

    source: Source
    at: float
    # The other source reported it too (evidence is taken once per event).
    judged: bool = False


@dataclass
class _Call:
    """One call as the tracker knows it."""

    direction: str
    remote_number: str
    remote_name: str = ""
    line: int | None = None
    account: int | None = None
    call_id: str | None = None
    answered: bool = False
    held: bool = False
    hold_source: Source | None = None
    hold_changed_at: float | None = None
    closed_at: float | None = None
    # A line status has shown this call; until then it is a push's claim.
    confirmed: bool = False
    created_at: float = 0.0
    # Event kind → who saw it first: dedup and push evidence.
    fired: dict[str, _Fired] = field(default_factory=dict)


@dataclass
class _UnconfirmedRing:
    """An ``incoming`` push no line status showed (a short ring, or a forgery)."""

    number: str
    call_id: str | None
    at: float
    fired: bool = False


# Line states in which the line holds a call.
LINE_STATES_WITH_CALL: Final = frozenset(
    {
        LineState.RINGING,
        LineState.DIALING,
        LineState.CALLING,
        LineState.CONNECTED,
        LineState.ON_HOLD,
        LineState.FAILED,
    }
)
_TALK_STATES: Final = frozenset({LineState.CONNECTED, LineState.ON_HOLD})
# Push events opening, answering and ending a call.
_START_PUSHES: Final = frozenset({"incoming", "outgoing"})
_END_PUSHES: Final = frozenset({"terminated", "missed"})
# A closed call still absorbs reports of itself for this long (an in-flight
# poll can still show a call a push already ended).
CLOSED_MEMORY: Final = 10.0
MAX_CLOSED_CALLS: Final = 16
# A push arriving this long after line status showed the same change still
# counts as push working; phones send pushes about a second after the event.
PUSH_GRACE: Final = 5.0
# Short rings (rule 3 of the module docstring).
SHORT_RING_WINDOW: Final = 30.0
SHORT_RING_LIMIT: Final = 3
SHORT_RING_PERIOD: Final = 600.0
_MAX_UNCONFIRMED_RINGS: Final = 8


class CallTracker:
    """Call records of one phone, fed by its owner with pushes and line status."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        """Start with no calls and no lines seen."""
        self._clock = clock
        self._wall_clock = wall_clock
        self._calls: list[_Call] = []
        self._lines: dict[int, LineStatus] | None = None
        self._book = AccountBook()
        self._unconfirmed_rings: deque[_UnconfirmedRing] = deque(
            maxlen=_MAX_UNCONFIRMED_RINGS
        )
        self._short_rings: deque[float] = deque(maxlen=SHORT_RING_LIMIT)
        self._out = TrackerUpdate()
        self._read_at = 0.0
        self._push_at = 0.0
        self._updating = False

    # -- the one entry point -------------------------------------------------

    def update(
        self,
        *,
        lines: Sequence[LineStatus] | None,
        pushes: Sequence[Push] = (),
        accounts: AccountBook | None = None,
        read_at: float | None = None,
    ) -> TrackerUpdate:
        """Take the pushes that arrived, then the line status read after them.

        ``lines`` is None when the phone could not be read: the pushes then
        count provisionally (module docstring, rule 2). ``read_at`` is when
        the line status was requested (the tracker's clock; default now): a
        read sent before a push was handled cannot contradict it.
        """
        if self._updating:
            # Only the owner feeds the tracker, one snapshot at a time; a
            # callback re-entering it would process a snapshot twice.
            raise RuntimeError("CallTracker.update() re-entered")
        self._updating = True
        self._out = out = TrackerUpdate()
        try:
            if accounts is not None:
                self._book = accounts
            self._read_at = self._clock() if read_at is None else read_at
            self._forget_old()
            for push in pushes:
                if push.is_call_event:
                    self._push(push, lines)
            if lines is not None:
                self._observe(lines)
        finally:
            self._updating = False
            self._out = TrackerUpdate()
        return out

    @property
    def open_calls(self) -> int:
        """Calls going on now."""
        return sum(1 for call in self._calls if call.closed_at is None)

    def diagnostics(self) -> dict[str, Any]:
        """Tracker state for diagnostics, without numbers or names."""
        return {
            "open_calls": self.open_calls,
            "unconfirmed_open_calls": sum(
                1 for c in self._calls if c.closed_at is None and not c.confirmed
            ),
            "unconfirmed_rings": len(self._unconfirmed_rings),
        }

    # -- pushes ----------------------------------------------------------------

    def _push(self, push: Push, lines: Sequence[LineStatus] | None) -> None:
        event = push.event
        number = push.remote_number[:MAX_NUMBER_LENGTH]
        call_id = push.call_id or None
        # When the push arrived: what a read sent before it cannot contradict.
        self._push_at = push.received_at or self._clock()
        call = self._match_push(event, number, call_id, lines)
        if call is None:
            call = self._new_call_from_push(push, number, call_id, lines)
            if call is None:
                return
        elif not self._push_agrees(call, event, lines):
            self._out.ignored_pushes += 1
            return
        self._out.accepted.append(push)
        call.call_id = call.call_id or call_id
        if lines is not None:
            self._enrich(call, lines)
        if call.account is None:
            call.account = self._book.number_for_push(push.account)
        if event in _START_PUSHES:
            self._emit(call, CallEventType(event), Source.PUSH)
        elif event == "established":
            call.answered = True
            self._emit(call, CallEventType.ANSWERED, Source.PUSH)
        elif event in ("hold", "unhold"):
            self._hold(call, held=event == "hold", source=Source.PUSH)
        elif event == "missed":
            self._close(call, CallEventType.MISSED, Source.PUSH)
        else:  # terminated: the same rule as polling decides missed or ended
            self._close(call, self._end_kind(call), Source.PUSH)

    def _new_call_from_push(
        self,
        push: Push,
        number: str,
        call_id: str | None,
        lines: Sequence[LineStatus] | None,
    ) -> _Call | None:
        """A call a push tells us about first; None if the push does not hold up."""
        event = push.event
        call: _Call | None = None
        if event in _START_PUSHES:
            if lines is not None and self._line_showing(number, lines) is None:
                # Rule 1: no line shows it. A ring shorter than our read, or a
                # forgery: remember it in case its end push follows (rule 3);
                # it counts as ignored if that never comes.
                if event == "incoming":
                    self._hold_ring(_UnconfirmedRing(number, call_id, self._clock()))
                    return None
            elif lines is not None or self._had_free_line():
                call = self._open(
                    _Call(direction=event, remote_number=number),
                    confirmed=lines is not None,
                )
        elif event == "established" and lines is not None:
            status = self._line_showing(number, lines, states=_TALK_STATES)
            if status is not None:
                # A call we did not see start (its push went missing).
                call = self._open(
                    _Call(direction="", remote_number=number or status.remote_number),
                    confirmed=True,
                )
        elif event in _END_PUSHES:
            call = self._short_ring(number, call_id, lines)
        if call is None:
            self._out.ignored_pushes += 1
        return call

    def _short_ring(
        self, number: str, call_id: str | None, lines: Sequence[LineStatus] | None
    ) -> _Call | None:
        """Rule 3: the end of a ring that no line status ever showed."""
        now = self._clock()
        ring = next(
            (
                r
                for r in reversed(self._unconfirmed_rings)
                if now - r.at <= SHORT_RING_WINDOW
                and (
                    same_number(r.number, number)
                    if digits(number) and digits(r.number)
                    else call_id is not None and r.call_id == call_id
                )
            ),
            None,
        )
        if ring is None:
            return None
        if lines is not None and self._line_showing(number, lines) is not None:
            return None  # the line shows the call: this push is stale or forged
        while self._short_rings and now - self._short_rings[0] > SHORT_RING_PERIOD:
            self._short_rings.popleft()
        if len(self._short_rings) >= SHORT_RING_LIMIT:
            return None
        self._short_rings.append(now)
        self._unconfirmed_rings.remove(ring)
        # As confirmed as a short ring can be.
        call = self._open(
            _Call(direction="incoming", remote_number=number or ring.number),
            confirmed=True,
        )
        if ring.fired:
            # Rule 2 fired its "incoming" already; do not fire it twice.
            call.fired[CallEventType.INCOMING] = _Fired(Source.PUSH, ring.at, True)
        self._emit(call, CallEventType.INCOMING, Source.PUSH)
        return call

    def _push_agrees(
        self, call: _Call, event: str, lines: Sequence[LineStatus] | None
    ) -> bool:
        """Whether the line status read after a push allows what it says.

        Only a contradiction refuses a push: the call may have moved on
        since (answered and hung up before we read), so "gone" is no proof.
        """
        if lines is None or call.closed_at is not None:
            return True
        shown = self._line_of(call, lines)
        if shown is None:
            return True
        if event in _END_PUSHES:
            # The call is still up on its line: a stale or forged end.
            return shown.state is LineState.FAILED
        if event in ("established", "hold", "unhold"):
            # Not answered yet: nothing to answer or hold.
            return shown.state not in (LineState.RINGING, LineState.CALLING)
        return True

    def _match_push(
        self,
        event: str,
        number: str,
        call_id: str | None,
        lines: Sequence[LineStatus] | None,
    ) -> _Call | None:
        """The call a push is about, open or recently closed, if we know it."""
        call = self._find(number=number, call_id=call_id)
        if call is None and call_id:
            # A late push about a call that is over already: the id says so.
            call = self._find(call_id=call_id, open_only=False)
        if (
            call is None
            # A start push matches a closed call only when the line status
            # read with it shows no such call (a late push); without one, it
            # may be the same caller ringing again.
            and (event not in _START_PUSHES or lines)
            and not any(
                status.state in LINE_STATES_WITH_CALL
                and same_number(status.remote_number, number)
                for status in lines or ()
            )
        ):
            call = self._find(number=number, call_id=call_id, open_only=False)
        if call is None and not digits(number) and not call_id:
            # Nothing to match by (anonymous caller, variables the phone
            # could not fill): a follow-up push is about the only open call.
            open_calls = [c for c in self._calls if c.closed_at is None]
            if event not in _START_PUSHES and len(open_calls) == 1:
                call = open_calls[0]
        return call

    def _had_free_line(self) -> bool:
        """Whether the phone, when last read, had a line for a new call."""
        if self._lines is None:
            return True
        return any(s.state is LineState.IDLE for s in self._lines.values())

    # -- line status -----------------------------------------------------------

    def _observe(self, lines: Sequence[LineStatus]) -> None:
        """Compare a fresh line status with the previous one."""
        previous, self._lines = self._lines, {ls.line: ls for ls in lines}
        if previous is None:
            # First look at the phone: calls already up are adopted, not fired.
            for status in lines:
                if status.state in LINE_STATES_WITH_CALL - {LineState.FAILED}:
                    self._adopt(status)
            return
        for status in lines:
            self._line_changed(previous.get(status.line), status)
        self._reconcile(lines)

    def _reconcile(self, lines: Sequence[LineStatus]) -> None:
        """Open calls no line shows any more end; unconfirmed ones are dropped."""
        if any(status.state is LineState.UNKNOWN for status in lines):
            return  # a line we cannot read may hold any call
        for call in [c for c in self._calls if c.closed_at is None]:
            if self._line_of(call, lines) is not None:
                call.confirmed = True
            elif call.created_at > self._read_at:
                continue  # read before this call was known: no proof either way
            elif not call.confirmed:
                # Rule 2: a push's claim the phone never showed. Drop it
                # silently; its end push may still count as a short ring.
                self._calls.remove(call)
                if call.direction == "incoming" and not call.answered:
                    ring = _UnconfirmedRing(
                        call.remote_number, call.call_id, call.created_at
                    )
                    ring.fired = CallEventType.INCOMING in call.fired
                    self._hold_ring(ring)
            else:
                self._close(call, self._end_kind(call), Source.POLL)

    def _adopt(self, status: LineStatus) -> _Call:
        direction = "incoming" if status.state is LineState.RINGING else "outgoing"
        call = _Call(
            direction=direction,
            remote_number=status.remote_number[:MAX_NUMBER_LENGTH],
            remote_name=status.remote_name[:MAX_NAME_LENGTH],
            line=status.line,
            account=status.account,
            answered=status.in_call,
            held=status.state is LineState.ON_HOLD,
        )
        now = self._clock()
        for kind in ("incoming", "outgoing", CallEventType.ANSWERED):
            if kind != CallEventType.ANSWERED or call.answered:
                # Already under way: later looks must not report its start,
                # nor its answer when it is talking already.
                call.fired[kind] = _Fired(Source.POLL, now, judged=True)
        return self._open(call, confirmed=True)

    def _open(self, call: _Call, *, confirmed: bool) -> _Call:
        call.confirmed = confirmed
        call.created_at = self._push_at if not confirmed else self._clock()
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
                # Another call on this line since the last look: the call we
                # knew ended in between.
                self._close(other, self._end_kind(other), Source.POLL)
            else:
                # The same call shows another number (a queue or pickup
                # group that connected us to a person).
                other.remote_number = now.remote_number[:MAX_NUMBER_LENGTH]

        call = self._find(line=now.line, number=now.remote_number, open_only=True)
        if call is not None:
            self._take_line(call, now)
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
            call = self._open(
                _Call(direction=direction, remote_number=""), confirmed=True
            )
            self._take_line(call, now)
        if state is LineState.RINGING:
            self._emit(call, CallEventType.INCOMING, Source.POLL)
        elif state is LineState.CALLING:
            call.direction = call.direction or "outgoing"
            self._emit(call, CallEventType.OUTGOING, Source.POLL)
        elif state in _TALK_STATES:
            if "incoming" not in call.fired and "outgoing" not in call.fired:
                kind = CallEventType(call.direction or "outgoing")
                self._emit(call, kind, Source.POLL)
            call.answered = True
            self._emit(call, CallEventType.ANSWERED, Source.POLL)
            self._hold(call, held=state is LineState.ON_HOLD, source=Source.POLL)

    def _take_line(self, call: _Call, status: LineStatus) -> None:
        """What line status knows better than pushes: line, name, account."""
        call.confirmed = True
        call.line = status.line
        name = status.remote_name[:MAX_NAME_LENGTH]
        if name and not call.remote_name and call.fired:
            # Its event went out with the push alone; the name comes now.
            first = min(call.fired, key=lambda kind: call.fired[kind].at)
            call.remote_name = name
            self._out.named.append(self._event(call, CallEventType(first), Source.POLL))
        call.remote_name = name or call.remote_name
        if status.remote_number and not call.remote_number:
            call.remote_number = status.remote_number[:MAX_NUMBER_LENGTH]
        if status.account is not None:
            call.account = status.account

    def _enrich(self, call: _Call, lines: Sequence[LineStatus]) -> None:
        """Fill in line, name and account from a line status, by number."""
        # Lines other open calls own are not this call's.
        owned = {c.line for c in self._calls if c is not call and c.closed_at is None}
        busy = [
            status
            for status in lines
            if status.state in LINE_STATES_WITH_CALL and status.line not in owned
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
            self._take_line(call, match)

    def _line_showing(
        self,
        number: str,
        lines: Sequence[LineStatus],
        states: frozenset[LineState] = LINE_STATES_WITH_CALL,
    ) -> LineStatus | None:
        """A line with a call of ``number`` (anonymous: the only busy free line)."""
        busy = [s for s in lines if s.state in states]
        if digits(number):
            return next((s for s in busy if same_number(s.remote_number, number)), None)
        owned = {c.line for c in self._calls if c.closed_at is None}
        free = [s for s in busy if s.line not in owned]
        if number:
            # "anonymous" and other numbers without digits: equal text.
            free = [s for s in free if same_number(s.remote_number, number)] or free
        return free[0] if len(free) == 1 else None

    def _line_of(self, call: _Call, lines: Sequence[LineStatus]) -> LineStatus | None:
        """The line showing ``call`` in ``lines``, if any shows it."""
        for status in lines:
            if status.state not in LINE_STATES_WITH_CALL:
                continue
            if call.line is not None and status.line != call.line:
                continue
            if (
                not call.remote_number
                or not status.remote_number
                or same_number(call.remote_number, status.remote_number)
            ):
                return status
        return None

    # -- records ---------------------------------------------------------------

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
            and now - call.closed_at < CLOSED_MEMORY
            # Closed by a push: a read sent before it may still show the
            # call. A call line status saw end is over; a new ring is new.
            and any(
                (fired := call.fired.get(kind)) is not None
                and fired.source is Source.PUSH
                for kind in (CallEventType.MISSED, CallEventType.ENDED)
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
            if c.closed_at is None or now - c.closed_at < CLOSED_MEMORY
        ]
        # Bounded whatever the phone does: a burst of short calls must not
        # make every lookup slower (open calls are never dropped).
        closed = [c for c in recent if c.closed_at is not None]
        if len(closed) > MAX_CLOSED_CALLS:
            dropped = {id(c) for c in closed[: len(closed) - MAX_CLOSED_CALLS]}
            recent = [c for c in recent if id(c) not in dropped]
        self._calls = recent
        while (
            self._unconfirmed_rings
            and now - self._unconfirmed_rings[0].at > SHORT_RING_WINDOW
        ):
            # No end push followed: the ring was never real as far as we know.
            self._unconfirmed_rings.popleft()
            self._out.rings_given_up += 1

    def _hold_ring(self, ring: _UnconfirmedRing) -> None:
        """Keep an incoming push no line showed, in case its end push follows."""
        self._out.held_pushes += 1
        if len(self._unconfirmed_rings) == self._unconfirmed_rings.maxlen:
            # More unconfirmed rings at once than a phone has: the oldest goes.
            self._out.rings_given_up += 1
        self._unconfirmed_rings.append(ring)

    def _hold(self, call: _Call, *, held: bool, source: Source) -> None:
        if call.held == held:
            return
        now = self._clock()
        if (
            source is Source.POLL
            and call.hold_source is Source.PUSH
            and call.hold_changed_at is not None
            and self._read_at < call.hold_changed_at
        ):
            # A read sent before the push's change was handled: stale.
            return
        call.held = held
        call.hold_source = source
        call.hold_changed_at = self._push_at if source is Source.PUSH else now
        kind = CallEventType.HELD if held else CallEventType.RESUMED
        # Hold can toggle many times: each change fires once, whoever saw it.
        call.fired.pop(CallEventType.RESUMED if held else CallEventType.HELD, None)
        self._emit(call, kind, source)

    def _close(self, call: _Call, kind: CallEventType, source: Source) -> None:
        if call.closed_at is None:
            call.closed_at = self._clock()
            self._emit(call, kind, source)
            return
        first = call.fired.get(CallEventType.MISSED) or call.fired.get(
            CallEventType.ENDED
        )
        if first is not None:
            self._judge(first, source)

    def _emit(self, call: _Call, kind: CallEventType, source: Source) -> None:
        earlier = call.fired.get(kind)
        if earlier is not None:
            self._judge(earlier, source)
            return
        call.fired[kind] = _Fired(source, self._clock())
        if source is Source.POLL:
            self._out.evidence.append(Evidence.UNREPORTED_CHANGE)
        self._out.events.append(self._event(call, kind, source))

    def _event(self, call: _Call, kind: CallEventType, source: Source) -> CallEvent:
        account = self._book.account(call.account)
        return CallEvent(
            type=kind,
            remote_number=call.remote_number or None,
            remote_name=call.remote_name or None,
            line=call.line,
            account=call.account,
            account_sip_user=account.sip_user or None if account else None,
            account_name=account.name or None if account else None,
            direction=call.direction or None,
            source=source,
            at=self._wall_clock(),
        )

    def _judge(self, first: _Fired, second: Source) -> None:
        """The same change reported twice: did push come first (or nearly)?"""
        if first.judged or first.source is second:
            return
        first.judged = True
        if first.source is Source.PUSH:
            self._out.evidence.append(Evidence.PUSH_CONFIRMED)
        elif self._clock() - first.at <= PUSH_GRACE:
            self._out.evidence.append(Evidence.PUSH_IN_GRACE)
