"""The call tracker's records: one per call, and how a report finds its call.

A report (a push or a line) names a call by what it carries: a call id
(rarely), a line (line status only) and a number (in the forms phones write
it, compared with ``cti.same_party``). ``CallBook`` keeps the open calls and,
for a short while, the closed ones, so a late report of a call that is over
is recognised rather than taken for a new call.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from .accounts import AccountBook
from .call_events import CallEvent, CallEventType, Direction, Source
from .cti import LineState, LineStatus, digits, same_party

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
# A closed call still absorbs reports of itself for this long (an in-flight
# poll can still show a call a push already ended).
CLOSED_MEMORY: Final = 10.0
MAX_CLOSED_CALLS: Final = 16
# Short rings (rule 3 of call_tracker's docstring).
SHORT_RING_WINDOW: Final = 30.0
SHORT_RING_LIMIT: Final = 3
SHORT_RING_PERIOD: Final = 600.0
MAX_UNCONFIRMED_RINGS: Final = 8


@dataclass
class Fired:
    """An event a call produced: who saw it first, and when."""

    source: Source
    at: float
    # The other source reported it too (evidence is taken once per event).
    judged: bool = False


@dataclass
class CallRecord:
    """One call as the tracker knows it."""

    direction: Direction
    remote_number: str
    remote_name: str = ""
    line: int | None = None
    account: int | None = None
    call_id: str | None = None
    answered: bool = False
    # When the call was answered (the tracker's clock); None when unknown,
    # e.g. a call already talking when we first looked.
    answered_at: float | None = None
    held: bool = False
    hold_source: Source | None = None
    hold_changed_at: float | None = None
    closed_at: float | None = None
    # A line status has shown this call; until then it is a push's claim.
    confirmed: bool = False
    # When an incoming push was taken for this call (phones send one per
    # call), on the tracker's clock.
    incoming_pushed_at: float | None = None
    created_at: float = 0.0
    # Event kind → who saw it first: dedup and push evidence.
    fired: dict[CallEventType, Fired] = field(default_factory=dict)

    @property
    def is_open(self) -> bool:
        """Still going on."""
        return self.closed_at is None

    def mark_answered(self, at: float) -> None:
        """The call is connected (known since ``at``, the tracker's clock)."""
        if not self.answered:
            self.answered_at = at
        self.answered = True

    @property
    def talk_time(self) -> float | None:
        """Seconds from answer to end, when both are known."""
        if self.answered_at is None or self.closed_at is None:
            return None
        return max(0.0, self.closed_at - self.answered_at)

    @property
    def end_kind(self) -> CallEventType:
        """An incoming call that was never answered was missed, else ended.

        Pushes and polls use the same rule, so a call ends the same way
        whichever of them saw it end (a rejected call counts as missed).
        """
        missed = self.direction is Direction.INCOMING and not self.answered
        return CallEventType.MISSED if missed else CallEventType.ENDED

    def event(
        self, kind: CallEventType, source: Source, book: AccountBook, *, at: float
    ) -> CallEvent:
        """The call event ``kind`` of this call, with its account's details."""
        account = book.account(self.account)
        talk_time = self.talk_time if kind is CallEventType.ENDED else None
        return CallEvent(
            type=kind,
            remote_number=self.remote_number or None,
            remote_name=self.remote_name or None,
            line=self.line,
            account=self.account,
            account_sip_user=account.sip_user or None if account else None,
            account_name=account.name or None if account else None,
            direction=self.direction,
            duration=None if talk_time is None else round(talk_time),
            source=source,
            at=at,
        )


@dataclass
class UnconfirmedRing:
    """An ``incoming`` push no line status showed (a short ring, or a forgery)."""

    number: str
    call_id: str | None
    at: float
    fired: bool = False


class CallBook:
    """The calls of one phone: open ones, and recently closed ones."""

    def __init__(self) -> None:
        """No calls yet."""
        self.calls: list[CallRecord] = []

    def open_calls(self) -> list[CallRecord]:
        """Calls going on now, oldest first."""
        return [call for call in self.calls if call.is_open]

    def owned_lines(self, *, besides: CallRecord | None = None) -> set[int | None]:
        """Lines that open calls (other than ``besides``) are on."""
        return {c.line for c in self.calls if c is not besides and c.is_open}

    def forget_old(self, now: float) -> None:
        """Drop closed calls past their memory; bounded whatever the phone does.

        A burst of short calls must not make every lookup slower; open calls
        are never dropped.
        """
        recent = [
            c
            for c in self.calls
            if c.is_open or now - (c.closed_at or 0.0) < CLOSED_MEMORY
        ]
        closed = [c for c in recent if not c.is_open]
        if len(closed) > MAX_CLOSED_CALLS:
            dropped = {id(c) for c in closed[: len(closed) - MAX_CLOSED_CALLS]}
            recent = [c for c in recent if id(c) not in dropped]
        self.calls = recent

    def find(
        self,
        *,
        line: int | None = None,
        number: str | None = None,
        call_id: str | None = None,
        open_only: bool = True,
    ) -> CallRecord | None:
        """The best matching call: by call id, then line, then number."""
        candidates = [c for c in self.calls if not open_only or c.is_open]
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
                    or same_party(c.remote_number, number)
                )
            ]
            if on_line:
                return on_line[-1]
        if digits(number):
            # Numbers without digits ("anonymous") identify nobody by
            # themselves; only together with the line above.
            for call in reversed(candidates):
                if same_party(call.remote_number, number) and (
                    line is None or call.line in (None, line)
                ):
                    return call
        return None

    def recently_closed(self, status: LineStatus, now: float) -> bool:
        """Whether ``status`` shows a call a push ended moments ago.

        Closed by a push: a read sent before it may still show the call. A
        call line status saw end is over; a new ring is new.
        """
        return any(
            call.closed_at is not None
            and now - call.closed_at < CLOSED_MEMORY
            and any(
                (fired := call.fired.get(kind)) is not None
                and fired.source is Source.PUSH
                for kind in (CallEventType.MISSED, CallEventType.ENDED)
            )
            and call.line in (None, status.line)
            and same_party(call.remote_number, status.remote_number)
            for call in self.calls
        )

    def line_showing(
        self,
        number: str,
        lines: Sequence[LineStatus],
        states: frozenset[LineState] = LINE_STATES_WITH_CALL,
    ) -> LineStatus | None:
        """A line with a call of ``number`` (anonymous: the only busy free line)."""
        busy = [s for s in lines if s.state in states]
        if digits(number):
            return next((s for s in busy if same_party(s.remote_number, number)), None)
        owned = self.owned_lines()
        free = [s for s in busy if s.line not in owned]
        if number:
            # "anonymous" and other numbers without digits: equal text.
            free = [s for s in free if same_party(s.remote_number, number)] or free
        return free[0] if len(free) == 1 else None

    @staticmethod
    def line_of(call: CallRecord, lines: Sequence[LineStatus]) -> LineStatus | None:
        """The line showing ``call`` in ``lines``, if any shows it."""
        for status in lines:
            if status.state not in LINE_STATES_WITH_CALL:
                continue
            if call.line is not None and status.line != call.line:
                continue
            if (
                not call.remote_number
                or not status.remote_number
                or same_party(call.remote_number, status.remote_number)
            ):
                return status
        return None


class ShortRings:
    """Incoming pushes no line showed, waiting for their end push (rule 3)."""

    def __init__(self) -> None:
        """None waiting; none counted."""
        self._waiting: deque[UnconfirmedRing] = deque(maxlen=MAX_UNCONFIRMED_RINGS)
        # When recent short rings counted (at most SHORT_RING_LIMIT a period).
        self._counted: deque[float] = deque(maxlen=SHORT_RING_LIMIT)

    def __len__(self) -> int:
        """How many wait."""
        return len(self._waiting)

    def hold(self, ring: UnconfirmedRing) -> int:
        """Keep ``ring``; returns how many older ones had to give way (0 or 1)."""
        # More unconfirmed rings at once than a phone has: the oldest goes.
        given_up = int(len(self._waiting) == self._waiting.maxlen)
        self._waiting.append(ring)
        return given_up

    def forget_old(self, now: float) -> int:
        """Drop rings whose end push never came; returns how many."""
        given_up = 0
        while self._waiting and now - self._waiting[0].at > SHORT_RING_WINDOW:
            self._waiting.popleft()
            given_up += 1
        return given_up

    def match(
        self, number: str, call_id: str | None, now: float
    ) -> UnconfirmedRing | None:
        """The waiting ring an end push of ``number`` (or ``call_id``) closes."""
        return next(
            (
                ring
                for ring in reversed(self._waiting)
                if now - ring.at <= SHORT_RING_WINDOW
                and (
                    same_party(ring.number, number)
                    if digits(number) and digits(ring.number)
                    else call_id is not None and ring.call_id == call_id
                )
            ),
            None,
        )

    def count(self, ring: UnconfirmedRing, now: float) -> bool:
        """Count ``ring`` as a short ring, unless too many came lately."""
        while self._counted and now - self._counted[0] > SHORT_RING_PERIOD:
            self._counted.popleft()
        if len(self._counted) >= SHORT_RING_LIMIT:
            return False
        self._counted.append(now)
        self._waiting.remove(ring)
        return True
