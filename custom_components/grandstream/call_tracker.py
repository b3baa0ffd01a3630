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

from collections.abc import Callable, Sequence
import time
from typing import Any, Final

from .accounts import AccountBook
from .action_urls import Push, PushEvent
from .call_events import (
    MAX_NAME_LENGTH,
    MAX_NUMBER_LENGTH,
    PUSH_GRACE,
    CallEventType,
    Direction,
    Evidence,
    Source,
    TrackerUpdate,
)
from .call_records import (
    LINE_STATES_WITH_CALL,
    CallBook,
    CallRecord,
    Fired,
    ShortRings,
    UnconfirmedRing,
)
from .cti import LineState, LineStatus, digits, same_party

_TALK_STATES: Final = frozenset({LineState.CONNECTED, LineState.ON_HOLD})
# A second incoming push of an open call this long after the first is the
# caller ringing again; sooner, it is the same push again (a phone repeating
# itself, or a flood). Nobody hangs up and redials within seconds.
RING_AGAIN_AFTER: Final = 3.0
# Push events opening, answering and ending a call.
_START_PUSHES: Final = frozenset({PushEvent.INCOMING, PushEvent.OUTGOING})
_END_PUSHES: Final = frozenset({PushEvent.TERMINATED, PushEvent.MISSED})
_TALK_PUSHES: Final = frozenset(
    {PushEvent.ESTABLISHED, PushEvent.HOLD, PushEvent.UNHOLD}
)


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
        self._calls = CallBook()
        self._lines: dict[int, LineStatus] | None = None
        self._book = AccountBook()
        self._rings = ShortRings()
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
        return len(self._calls.open_calls())

    def diagnostics(self) -> dict[str, Any]:
        """Tracker state for diagnostics, without numbers or names."""
        return {
            "open_calls": self.open_calls,
            "unconfirmed_open_calls": sum(
                1 for c in self._calls.open_calls() if not c.confirmed
            ),
            "unconfirmed_rings": len(self._rings),
        }

    # -- pushes ----------------------------------------------------------------

    def _push(self, push: Push, lines: Sequence[LineStatus] | None) -> None:
        event = push.event
        number = push.remote_number[:MAX_NUMBER_LENGTH]
        call_id = push.call_id or None
        # When the push arrived: what a read sent before it cannot contradict.
        self._push_at = push.received_at or self._clock()
        call = self._match_push(event, number, call_id, lines)
        if (
            call is not None
            and event is PushEvent.INCOMING
            and call.is_open
            and call.incoming_pushed_at is not None
            and self._push_at - call.incoming_pushed_at >= RING_AGAIN_AFTER
        ):
            # Phones send one incoming push per call: this is the caller
            # ringing again, and the first call's end push went missing.
            self._rang_again(call, lines)
            call = None
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
            if event is PushEvent.INCOMING and call.incoming_pushed_at is None:
                call.incoming_pushed_at = self._push_at
            self._emit(call, CallEventType(event.value), Source.PUSH)
        elif event is PushEvent.ESTABLISHED:
            call.mark_answered(self._push_at)
            self._emit(call, CallEventType.ANSWERED, Source.PUSH)
        elif event in (PushEvent.HOLD, PushEvent.UNHOLD):
            self._hold(call, held=event is PushEvent.HOLD, source=Source.PUSH)
        elif event is PushEvent.MISSED:
            self._close(call, CallEventType.MISSED, Source.PUSH)
        else:  # terminated: the same rule as polling decides missed or ended
            self._close(call, call.end_kind, Source.PUSH)

    def _rang_again(self, call: CallRecord, lines: Sequence[LineStatus] | None) -> None:
        """A second ring of a call still open: the first one ended unseen.

        Unanswered and confirmed, it was missed; a push's claim the phone
        never showed is dropped silently (rule 2). Answered, it ended if its
        own line rings now (a line holds one call); otherwise it may still be
        up (call waiting on another line): line status ends it when it ends.
        """
        if call.answered:
            if call.line is not None and any(
                s.line == call.line and s.state is LineState.RINGING
                for s in lines or ()
            ):
                self._close(call, CallEventType.ENDED, Source.PUSH)
            else:
                call.incoming_pushed_at = None
        elif call.confirmed:
            self._close(call, CallEventType.MISSED, Source.PUSH)
        else:
            self._calls.calls.remove(call)

    def _new_call_from_push(
        self,
        push: Push,
        number: str,
        call_id: str | None,
        lines: Sequence[LineStatus] | None,
    ) -> CallRecord | None:
        """A call a push tells us about first; None if the push does not hold up."""
        event = push.event
        call: CallRecord | None = None
        if event in _START_PUSHES:
            if lines is not None and self._calls.line_showing(number, lines) is None:
                # Rule 1: no line shows it. A ring shorter than our read, or a
                # forgery: remember it in case its end push follows (rule 3);
                # it counts as ignored if that never comes.
                if event is PushEvent.INCOMING:
                    self._hold_ring(UnconfirmedRing(number, call_id, self._clock()))
                    return None
            elif lines is not None or self._had_free_line():
                call = self._open(
                    CallRecord(direction=Direction(event.value), remote_number=number),
                    confirmed=lines is not None,
                )
        elif event is PushEvent.ESTABLISHED and lines is not None:
            status = self._calls.line_showing(number, lines, states=_TALK_STATES)
            if status is not None:
                # A call we did not see start (its push went missing).
                call = self._open(
                    CallRecord(
                        direction=Direction.UNKNOWN,
                        remote_number=number or status.remote_number,
                    ),
                    confirmed=True,
                )
        elif event in _END_PUSHES:
            call = self._short_ring(number, call_id, lines)
        if call is None:
            self._out.ignored_pushes += 1
        return call

    def _short_ring(
        self, number: str, call_id: str | None, lines: Sequence[LineStatus] | None
    ) -> CallRecord | None:
        """Rule 3: the end of a ring that no line status ever showed."""
        now = self._clock()
        ring = self._rings.match(number, call_id, now)
        if ring is None:
            return None
        if lines is not None and self._calls.line_showing(number, lines) is not None:
            return None  # the line shows the call: this push is stale or forged
        if not self._rings.count(ring, now):
            return None
        # As confirmed as a short ring can be.
        call = self._open(
            CallRecord(
                direction=Direction.INCOMING, remote_number=number or ring.number
            ),
            confirmed=True,
        )
        call.incoming_pushed_at = ring.at
        if ring.fired:
            # Rule 2 fired its "incoming" already; do not fire it twice.
            call.fired[CallEventType.INCOMING] = Fired(Source.PUSH, ring.at, True)
        self._emit(call, CallEventType.INCOMING, Source.PUSH)
        return call

    def _push_agrees(
        self, call: CallRecord, event: str, lines: Sequence[LineStatus] | None
    ) -> bool:
        """Whether the line status read after a push allows what it says.

        Only a contradiction refuses a push: the call may have moved on
        since (answered and hung up before we read), so "gone" is no proof.
        """
        if lines is None or call.closed_at is not None:
            return True
        shown = self._calls.line_of(call, lines)
        if shown is None:
            return True
        if event in _END_PUSHES:
            # The call is still up on its line: a stale or forged end.
            return shown.state is LineState.FAILED
        if event in _TALK_PUSHES:
            # Not answered yet: nothing to answer or hold.
            return shown.state not in (LineState.RINGING, LineState.CALLING)
        return True

    def _match_push(
        self,
        event: str,
        number: str,
        call_id: str | None,
        lines: Sequence[LineStatus] | None,
    ) -> CallRecord | None:
        """The call a push is about, open or recently closed, if we know it."""
        call = self._calls.find(number=number, call_id=call_id)
        if call is None and call_id:
            # A late push about a call that is over already: the id says so.
            call = self._calls.find(call_id=call_id, open_only=False)
        if (
            call is None
            # A start push matches a closed call only when the line status
            # read with it shows no such call (a late push); without one, it
            # may be the same caller ringing again.
            and (event not in _START_PUSHES or lines)
            and not any(
                status.state in LINE_STATES_WITH_CALL
                and same_party(status.remote_number, number)
                for status in lines or ()
            )
        ):
            call = self._calls.find(number=number, call_id=call_id, open_only=False)
        if call is None and not digits(number) and not call_id:
            # Nothing to match by (anonymous caller, variables the phone
            # could not fill): a follow-up push is about the only open call.
            open_calls = self._calls.open_calls()
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
        for call in self._calls.open_calls():
            if self._calls.line_of(call, lines) is not None:
                call.confirmed = True
            elif call.created_at > self._read_at:
                continue  # read before this call was known: no proof either way
            elif not call.confirmed:
                # Rule 2: a push's claim the phone never showed. Drop it
                # silently; its end push may still count as a short ring.
                self._calls.calls.remove(call)
                if call.direction is Direction.INCOMING and not call.answered:
                    ring = UnconfirmedRing(
                        call.remote_number, call.call_id, call.created_at
                    )
                    ring.fired = CallEventType.INCOMING in call.fired
                    self._hold_ring(ring)
            else:
                self._close(call, call.end_kind, Source.POLL)

    def _adopt(self, status: LineStatus) -> CallRecord:
        direction = (
            Direction.INCOMING
            if status.state is LineState.RINGING
            else Direction.OUTGOING
        )
        call = CallRecord(
            direction=direction,
            remote_number=status.remote_number[:MAX_NUMBER_LENGTH],
            remote_name=status.remote_name[:MAX_NAME_LENGTH],
            line=status.line,
            account=status.account,
            answered=status.in_call,
            held=status.state is LineState.ON_HOLD,
        )
        now = self._clock()
        for kind in (
            CallEventType.INCOMING,
            CallEventType.OUTGOING,
            CallEventType.ANSWERED,
        ):
            if kind != CallEventType.ANSWERED or call.answered:
                # Already under way: later looks must not report its start,
                # nor its answer when it is talking already.
                call.fired[kind] = Fired(Source.POLL, now, judged=True)
        return self._open(call, confirmed=True)

    def _open(self, call: CallRecord, *, confirmed: bool) -> CallRecord:
        call.confirmed = confirmed
        call.created_at = self._push_at if not confirmed else self._clock()
        self._calls.calls.append(call)
        return call

    def _line_changed(self, before: LineStatus | None, now: LineStatus) -> None:
        state = now.state
        if state is LineState.UNKNOWN:
            # A state we do not know (conference, transfer, ...) says nothing
            # about the call's end: keep it open and wait for a known state.
            return
        other = self._calls.find(line=now.line, open_only=True)
        if (
            other is not None
            and other.remote_number
            and now.remote_number
            and not same_party(other.remote_number, now.remote_number)
        ):
            if state in (LineState.RINGING, LineState.CALLING):
                # Another call on this line since the last look: the call we
                # knew ended in between.
                self._close(other, other.end_kind, Source.POLL)
            else:
                # The same call shows another number (a queue or pickup
                # group that connected us to a person).
                other.remote_number = now.remote_number[:MAX_NUMBER_LENGTH]

        call = self._calls.find(line=now.line, number=now.remote_number, open_only=True)
        if call is not None:
            self._take_line(call, now)
        if state is LineState.IDLE:
            if before is None or before.state is LineState.IDLE:
                return
            ended = self._calls.find(line=now.line, open_only=True) or self._calls.find(
                line=now.line, number=before.remote_number, open_only=False
            )
            if ended is not None:
                self._close(ended, ended.end_kind, Source.POLL)
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
            if self._calls.recently_closed(now, self._clock()):
                return
            if state is LineState.DIALING:
                return  # digits being typed: no number yet, no call yet
            direction = (
                Direction.INCOMING if state is LineState.RINGING else Direction.OUTGOING
            )
            call = self._open(
                CallRecord(direction=direction, remote_number=""), confirmed=True
            )
            self._take_line(call, now)
        if state is LineState.RINGING:
            self._emit(call, CallEventType.INCOMING, Source.POLL)
        elif state is LineState.CALLING:
            if call.direction is Direction.UNKNOWN:
                call.direction = Direction.OUTGOING
            self._emit(call, CallEventType.OUTGOING, Source.POLL)
        elif state in _TALK_STATES:
            if (
                CallEventType.INCOMING not in call.fired
                and CallEventType.OUTGOING not in call.fired
            ):
                kind = (
                    CallEventType.INCOMING
                    if call.direction is Direction.INCOMING
                    else CallEventType.OUTGOING
                )
                self._emit(call, kind, Source.POLL)
            call.mark_answered(self._clock())
            self._emit(call, CallEventType.ANSWERED, Source.POLL)
            self._hold(call, held=state is LineState.ON_HOLD, source=Source.POLL)

    def _take_line(self, call: CallRecord, status: LineStatus) -> None:
        """What line status knows better than pushes: line, name, account."""
        call.confirmed = True
        call.line = status.line
        name = status.remote_name[:MAX_NAME_LENGTH]
        if name and not call.remote_name and call.fired:
            # Its event went out with the push alone; the name comes now.
            first = min(call.fired, key=lambda kind: call.fired[kind].at)
            call.remote_name = name
            self._out.named.append(
                call.event(
                    CallEventType(first), Source.POLL, self._book, at=self._wall_clock()
                )
            )
        call.remote_name = name or call.remote_name
        if status.remote_number and not call.remote_number:
            call.remote_number = status.remote_number[:MAX_NUMBER_LENGTH]
        if status.account is not None:
            call.account = status.account

    def _enrich(self, call: CallRecord, lines: Sequence[LineStatus]) -> None:
        """Fill in line, name and account from a line status, by number."""
        # Lines other open calls own are not this call's.
        owned = self._calls.owned_lines(besides=call)
        busy = [
            status
            for status in lines
            if status.state in LINE_STATES_WITH_CALL and status.line not in owned
        ]
        match = next(
            (s for s in busy if same_party(s.remote_number, call.remote_number)),
            None,
        )
        if match is None and not digits(call.remote_number):
            # No number to compare (anonymous caller): the only free line
            # with a call.
            match = busy[0] if len(busy) == 1 else None
        if match is not None:
            self._take_line(call, match)

    # -- records ---------------------------------------------------------------

    def _forget_old(self) -> None:
        now = self._clock()
        self._calls.forget_old(now)
        # No end push followed: those rings were never real as far as we know.
        self._out.rings_given_up += self._rings.forget_old(now)

    def _hold_ring(self, ring: UnconfirmedRing) -> None:
        """Keep an incoming push no line showed, in case its end push follows."""
        self._out.held_pushes += 1
        self._out.rings_given_up += self._rings.hold(ring)

    def _hold(self, call: CallRecord, *, held: bool, source: Source) -> None:
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

    def _close(self, call: CallRecord, kind: CallEventType, source: Source) -> None:
        if call.closed_at is None:
            call.closed_at = self._clock()
            self._emit(call, kind, source)
            return
        first = call.fired.get(CallEventType.MISSED) or call.fired.get(
            CallEventType.ENDED
        )
        if first is not None:
            self._judge(first, source)

    def _emit(self, call: CallRecord, kind: CallEventType, source: Source) -> None:
        earlier = call.fired.get(kind)
        if earlier is not None:
            self._judge(earlier, source)
            return
        call.fired[kind] = Fired(source, self._clock())
        if source is Source.POLL:
            self._out.evidence.append(Evidence.UNREPORTED_CHANGE)
        self._out.events.append(
            call.event(kind, source, self._book, at=self._wall_clock())
        )

    def _judge(self, first: Fired, second: Source) -> None:
        """The same change reported twice: did push come first (or nearly)?"""
        if first.judged or first.source is second:
            return
        first.judged = True
        if first.source is Source.PUSH:
            self._out.evidence.append(Evidence.PUSH_CONFIRMED)
        elif self._clock() - first.at <= PUSH_GRACE:
            self._out.evidence.append(Evidence.PUSH_IN_GRACE)
