"""What the phone shows: one read of its status, lines and accounts.

A push says at once what changed (a ring and its number, an answer, a hang
up), long before a read can. ``shown_with`` applies a push to the snapshot
so entities show it immediately, marked "from push" until the phone's line
status confirms it (the next read replaces the whole snapshot: a forged or
stale push then simply disappears). Nothing but the display uses this:
calls, events and counters follow the tracker's rules.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .accounts import AccountBook
from .action_urls import Push, PushEvent
from .cti import Account, LineState, LineStatus, PhoneState, PhoneStatus, same_party

# Line states with a call on the line.
_CALL_STATES = frozenset(
    {
        LineState.RINGING,
        LineState.DIALING,
        LineState.CALLING,
        LineState.CONNECTED,
        LineState.ON_HOLD,
    }
)
_NOT_ANSWERED = frozenset({LineState.RINGING, LineState.DIALING, LineState.CALLING})


@dataclass(frozen=True, slots=True)
class PhoneSnapshot:
    """Everything one read learnt about the phone (and pushes since, if any)."""

    status: PhoneStatus
    lines: tuple[LineStatus, ...]
    # The phone's SIP accounts (lines carry the user's account numbers).
    book: AccountBook
    # The phone's own status at the last full read (the status shown may
    # follow from the lines since: a push, a read of the lines alone).
    read_status: PhoneStatus
    # Lines showing what a push said, not confirmed by the phone yet.
    pushed_lines: frozenset[int] = frozenset()
    # The phone's status follows from such a line.
    status_from_push: bool = False

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

    def unknown_states(self) -> list[tuple[str, str]]:
        """(``phone``/``line``, the raw state) for every state we do not know."""
        unknown = []
        if self.status.state is PhoneState.UNKNOWN:
            unknown.append(("phone", self.status.raw_state))
        unknown += [
            ("line", ls.raw_state) for ls in self.lines if ls.state is LineState.UNKNOWN
        ]
        return unknown

    def with_lines(self, lines: tuple[LineStatus, ...]) -> PhoneSnapshot:
        """A read of the lines alone: the status follows from them."""
        return replace(
            self,
            lines=lines,
            status=status_of(self.read_status, lines),
            pushed_lines=frozenset(),
            status_from_push=False,
        )

    def shown_with(self, push: Push, account: int | None) -> PhoneSnapshot | None:
        """This snapshot as ``push`` says it now is; None when it shows nothing new.

        incoming → a free line rings with the pushed number; outgoing → a free
        line calls it; established → that line is connected; missed and
        terminated → that line is idle.
        """
        number, event = push.remote_number, push.event
        if event in (PushEvent.INCOMING, PushEvent.OUTGOING):
            if self._line_of(number, _CALL_STATES) is not None:
                return None  # shown already
            free = next((ls for ls in self.lines if ls.state is LineState.IDLE), None)
            if free is None:
                return None
            state = (
                LineState.RINGING if event is PushEvent.INCOMING else LineState.CALLING
            )
            changed = replace(
                free,
                state=state,
                raw_state=state.value,
                remote_number=number,
                remote_name="",
                account=account if account is not None else free.account,
                active=True,
            )
        elif event is PushEvent.ESTABLISHED:
            if (target := self._line_of(number, _NOT_ANSWERED)) is None:
                return None
            changed = replace(
                target, state=LineState.CONNECTED, raw_state=LineState.CONNECTED.value
            )
        elif event in (PushEvent.MISSED, PushEvent.TERMINATED):
            if (target := self._line_of(number, _CALL_STATES)) is None:
                return None
            changed = replace(
                target,
                state=LineState.IDLE,
                raw_state=LineState.IDLE.value,
                remote_number="",
                remote_name="",
                active=False,
                conference=False,
            )
        else:
            return None
        lines = tuple(changed if ls.line == changed.line else ls for ls in self.lines)
        return replace(
            self,
            lines=lines,
            status=status_of(self.read_status, lines),
            pushed_lines=self.pushed_lines | {changed.line},
            status_from_push=True,
        )

    def _line_of(self, number: str, states: frozenset[LineState]) -> LineStatus | None:
        """The line in ``states`` with ``number``'s call (a number: one match only)."""
        busy = [ls for ls in self.lines if ls.state in states]
        matching = [ls for ls in busy if same_party(ls.remote_number, number)]
        if not number and len(busy) == 1:
            return busy[0]  # the phone could not fill in the number
        return matching[0] if len(matching) == 1 else None


def shown_with(snapshot: PhoneSnapshot, pushes: list[Push]) -> PhoneSnapshot:
    """``snapshot`` as ``pushes`` say the phone is now (itself if they say nothing)."""
    for push in pushes:
        account = snapshot.book.number_for_push(push.account)
        snapshot = snapshot.shown_with(push, account) or snapshot
    return snapshot


def status_of(before: PhoneStatus, lines: tuple[LineStatus, ...]) -> PhoneStatus:
    """The phone's status as its lines show it (registration as it was)."""
    if any(ls.state is LineState.RINGING for ls in lines):
        state = PhoneState.RINGING
    elif any(ls.state in _CALL_STATES for ls in lines):
        state = PhoneState.BUSY
    elif before.state in (PhoneState.RINGING, PhoneState.BUSY):
        state = PhoneState.AVAILABLE  # registered: it just had a call
    else:
        state = before.state
    if state is before.state:
        return before
    return PhoneStatus(
        state=state, raw_state=state.value, idle_call_allowed=before.idle_call_allowed
    )
