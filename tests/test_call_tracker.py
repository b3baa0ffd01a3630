"""The call tracker: pushes and line status become call events, each exactly once.

Pure unit tests with an injected clock; no Home Assistant, no phone. "poll"
feeds a line status alone; "push" feeds a push with the line status read
right after it (as the coordinator does).
"""

from __future__ import annotations

import pytest

from custom_components.grandstream.accounts import AccountBook
from custom_components.grandstream.action_urls import Push
from custom_components.grandstream.call_events import (
    PUSH_GRACE,
    CallEvent,
    CallEventType as T,
    Evidence,
    Source,
    TrackerUpdate,
)
from custom_components.grandstream.call_records import (
    SHORT_RING_LIMIT,
    SHORT_RING_WINDOW,
)
from custom_components.grandstream.call_tracker import CallTracker
from custom_components.grandstream.cti import Account, LineState as S, LineStatus

NUMBER = "+4930123456"
NAME = "Erika Mustermann"
OTHER = "+4940987654"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        """Start somewhere that is not zero."""
        self.now = 1000.0

    def __call__(self) -> float:
        """The current time."""
        return self.now

    def advance(self, seconds: float) -> None:
        """Let time pass."""
        self.now += seconds


def status(
    line: int,
    state: S = S.IDLE,
    number: str = "",
    name: str = "",
    account: int | None = 1,
) -> LineStatus:
    """One line as the phone reports it."""
    return LineStatus(
        line=line,
        state=state,
        raw_state=state.value,
        account=account,
        active=state is not S.IDLE,
        conference=False,
        remote_name=name,
        remote_number=number,
    )


def lines(*busy: LineStatus, count: int = 2) -> list[LineStatus]:
    """``count`` lines, idle unless given."""
    given = {ls.line: ls for ls in busy}
    return [given.get(n, status(n)) for n in range(1, count + 1)]


def push(event: str, number: str = NUMBER, call_id: str = "7", at: float = 0) -> Push:
    """A push as the webhook hands it over (already checked)."""
    return Push(
        event=event,
        mac="00:0b:82:12:34:56",
        remote_number=number,
        account="1001",
        call_id=call_id,
        received_at=at,
    )


BOOK = AccountBook(
    accounts=(
        Account(id=1, sip_user="1001", name="Office", server="pbx", registered=True),
        Account(id=2, sip_user="2002", name="Home", server="pbx", registered=True),
    )
)


class Recorder:
    """A tracker with an injected clock and every event and evidence it produced."""

    def __init__(self, *, first_look: bool = True) -> None:
        """Create the tracker and take a first look at an idle phone."""
        self.clock = Clock()
        self.tracker = CallTracker(clock=self.clock, wall_clock=lambda: 1.7e9)
        self.events: list[CallEvent] = []
        self.evidence: list[Evidence] = []
        self.ignored = 0
        self.held = 0
        if first_look:
            self.feed(lines())

    def feed(
        self,
        lines_: list[LineStatus] | None,
        *pushes: Push,
        read_at: float | None = None,
    ) -> TrackerUpdate:
        """One update of the tracker; keeps what it produced."""
        update = self.tracker.update(
            lines=lines_, pushes=pushes, accounts=BOOK, read_at=read_at
        )
        self.events += update.events
        self.evidence += update.evidence
        self.ignored += update.ignored_pushes
        self.held += update.held_pushes
        return update

    @property
    def types(self) -> list[str]:
        """Event types fired so far."""
        return [event.type.value for event in self.events]

    def poll(self, *busy: LineStatus) -> None:
        """A poll showing ``busy`` lines (all others idle)."""
        self.feed(lines(*busy))

    def push(
        self, event: str, *busy: LineStatus, number: str = NUMBER, call_id: str = "7"
    ) -> None:
        """A push, with the line status fetched right after it."""
        self.feed(lines(*busy), push(event, number, call_id, at=self.clock.now))

    def push_alone(self, event: str, number: str = NUMBER, call_id: str = "7") -> None:
        """A push while the phone cannot be read (no line status)."""
        self.feed(None, push(event, number, call_id, at=self.clock.now))


@pytest.fixture
def rec() -> Recorder:
    """A fresh tracker."""
    return Recorder()


# -- polling alone -------------------------------------------------------------


def test_duration_from_answer_to_end_by_push(rec: Recorder) -> None:
    """An ended call carries how long it was connected, in whole seconds."""
    ringing = status(1, S.RINGING, NUMBER, NAME)
    talking = status(1, S.CONNECTED, NUMBER, NAME)
    rec.push("incoming", ringing)
    rec.clock.advance(4)  # ringing does not count
    rec.push("established", talking)
    rec.clock.advance(191.6)
    rec.push("terminated")
    assert rec.types == ["incoming", "answered", "ended"]
    assert [event.duration for event in rec.events] == [None, None, 192]
    assert rec.events[-1].as_dict()["duration"] == 192


def test_duration_by_polling(rec: Recorder) -> None:
    """Polling alone: from the first look that showed the call connected."""
    rec.poll(status(1, S.CALLING, NUMBER))
    rec.clock.advance(5)
    rec.poll(status(1, S.CONNECTED, NUMBER))
    rec.clock.advance(60)
    rec.poll(status(1, S.CONNECTED, NUMBER))  # the answer time stays
    rec.clock.advance(5)
    rec.poll()
    assert rec.types == ["outgoing", "answered", "ended"]
    assert rec.events[-1].duration == 65


def test_no_duration_when_unknown(rec: Recorder) -> None:
    """Missed calls, and calls already talking at the first look, have none."""
    rec.push("incoming", status(1, S.RINGING, NUMBER))
    rec.clock.advance(10)
    rec.push("missed")
    first_look = Recorder(first_look=False)
    first_look.poll(status(2, S.CONNECTED, OTHER))
    first_look.clock.advance(30)
    first_look.poll()
    assert [(e.type, e.duration) for e in rec.events] == [
        ("incoming", None),
        ("missed", None),
    ]
    assert [(e.type, e.duration) for e in first_look.events] == [("ended", None)]


def test_poll_incoming_answered_hold_ended(rec: Recorder) -> None:
    """Every transition of an answered incoming call, seen by polling alone."""
    rec.poll(status(1, S.RINGING, NUMBER, NAME))
    rec.poll(status(1, S.RINGING, NUMBER, NAME))  # nothing new
    rec.poll(status(1, S.CONNECTED, NUMBER, NAME))
    rec.poll(status(1, S.ON_HOLD, NUMBER, NAME))
    rec.poll(status(1, S.ON_HOLD, NUMBER, NAME))
    rec.poll(status(1, S.CONNECTED, NUMBER, NAME))
    rec.poll(status(1, S.ON_HOLD, NUMBER, NAME))
    rec.poll(status(1, S.CONNECTED, NUMBER, NAME))
    rec.poll()
    rec.poll()
    assert rec.types == [
        "incoming",
        "answered",
        "held",
        "resumed",
        "held",
        "resumed",
        "ended",
    ]
    first = rec.events[0]
    assert first == CallEvent(
        type=T.INCOMING,
        remote_number=NUMBER,
        remote_name=NAME,
        line=1,
        account=1,
        account_sip_user="1001",
        account_name="Office",
        direction="incoming",
        source=Source.POLL,
        at=1.7e9,
    )
    assert first.as_dict() == {
        "remote_number": NUMBER,
        "remote_name": NAME,
        "line": 1,
        "account": 1,
        "account_sip_user": "1001",
        "account_name": "Office",
        "direction": "incoming",
        "duration": None,
    }
    assert {e.direction for e in rec.events} == {"incoming"}
    # Polling saw every change first, and no push confirmed any.
    assert set(rec.evidence) == {Evidence.UNREPORTED_CHANGE}
    assert len(rec.evidence) == len(rec.events)


def test_poll_missed(rec: Recorder) -> None:
    """A ring that stops without an answer is a missed call."""
    rec.poll(status(1, S.RINGING, NUMBER))
    rec.poll()
    assert rec.types == ["incoming", "missed"]
    assert rec.events[1].remote_number == NUMBER
    assert rec.events[1].remote_name is None


def test_poll_outgoing(rec: Recorder) -> None:
    """Dialling makes no event; calling is outgoing; then answered and ended."""
    rec.poll(status(1, S.DIALING, "03"))
    assert rec.types == []
    rec.poll(status(1, S.CALLING, OTHER))
    rec.poll(status(1, S.CONNECTED, OTHER))
    rec.poll()
    assert rec.types == ["outgoing", "answered", "ended"]
    assert {e.direction for e in rec.events} == {"outgoing"}


def test_poll_outgoing_failed(rec: Recorder) -> None:
    """A failed call ends once; the line going idle afterwards adds nothing."""
    rec.poll(status(1, S.CALLING, OTHER))
    rec.poll(status(1, S.FAILED, OTHER))
    rec.poll(status(1, S.FAILED, OTHER))
    rec.poll()
    assert rec.types == ["outgoing", "ended"]


def test_poll_failed_without_call(rec: Recorder) -> None:
    """A line showing failed for a call never seen makes no event."""
    rec.poll(status(1, S.FAILED, OTHER))
    rec.poll()
    assert rec.types == []


def test_poll_connected_directly(rec: Recorder) -> None:
    """A ring shorter than a poll: the call shows up already connected."""
    rec.poll(status(1, S.CONNECTED, OTHER))
    rec.poll(status(1, S.CONNECTED, OTHER))
    rec.poll()
    assert rec.types == ["outgoing", "answered", "ended"]


def test_poll_unknown_state_keeps_call(rec: Recorder) -> None:
    """A state we do not know (e.g. conference) neither ends nor restarts a call."""
    rec.poll(status(1, S.CALLING, OTHER))
    rec.poll(status(1, S.CONNECTED, OTHER))
    rec.poll(status(1, S.UNKNOWN, OTHER))
    rec.clock.now += 30
    rec.poll(status(1, S.CONNECTED, OTHER))
    rec.poll(status(1, S.UNKNOWN, OTHER))
    rec.poll()
    assert rec.types == ["outgoing", "answered", "ended"]


def test_poll_two_lines(rec: Recorder) -> None:
    """A second call rings while the first is up: each line keeps its call."""
    rec.poll(status(1, S.CONNECTED, OTHER))
    rec.poll(status(1, S.CONNECTED, OTHER), status(2, S.RINGING, NUMBER, NAME))
    rec.poll(status(1, S.CONNECTED, OTHER))
    rec.poll()
    assert [(e.type.value, e.line) for e in rec.events] == [
        ("outgoing", 1),
        ("answered", 1),
        ("incoming", 2),
        ("missed", 2),
        ("ended", 1),
    ]


def test_poll_name_arrives_later(rec: Recorder) -> None:
    """Polling fills in the name and account it learns after the first look."""
    rec.poll(status(1, S.RINGING, NUMBER, account=None))
    rec.poll(status(1, S.CONNECTED, NUMBER, NAME, account=2))
    assert rec.events[1].remote_name == NAME
    assert rec.events[1].account == 2
    assert rec.events[1].account_sip_user == "2002"


# -- first look ----------------------------------------------------------------


def test_adopt_at_first_look() -> None:
    """Calls already up when the tracker starts are adopted, not fired."""
    rec = Recorder(first_look=False)
    busy = [
        status(1, S.CONNECTED, OTHER),
        status(2, S.RINGING, NUMBER, NAME),
        status(3, S.ON_HOLD, "+4989111222"),
        status(4, S.FAILED, "+4989333444"),
    ]
    rec.feed(busy)
    assert rec.events == []
    assert rec.tracker.open_calls == 3
    # The same lines again: nothing happened, so nothing fires.
    rec.feed(busy)
    assert rec.events == []
    assert rec.evidence == []
    rec.feed(
        [
            status(1, S.IDLE),
            status(2, S.IDLE),
            status(3, S.CONNECTED, "+4989111222"),
            status(4, S.IDLE),
        ]
    )
    assert [(e.type.value, e.line) for e in rec.events] == [
        ("ended", 1),
        ("missed", 2),
        ("resumed", 3),
    ]


def test_adopt_then_push() -> None:
    """An adopted ringing call is still the same call for later pushes."""
    rec = Recorder(first_look=False)
    rec.feed(lines(status(1, S.RINGING, NUMBER, NAME)))
    rec.push("incoming", status(1, S.RINGING, NUMBER, NAME))
    rec.push("established", status(1, S.CONNECTED, NUMBER))
    assert rec.types == ["answered"]
    assert rec.events[0].remote_name == NAME


# -- pushes with the line status read after them ---------------------------------


def test_push_call_with_names_from_line_status(rec: Recorder) -> None:
    """Pushes make every event; line and name come from the line status."""
    rec.push("incoming", status(1, S.RINGING, NUMBER, NAME))
    rec.push("established", status(1, S.CONNECTED, NUMBER, NAME))
    rec.push("hold", status(1, S.ON_HOLD, NUMBER, NAME))
    rec.push("hold", status(1, S.ON_HOLD, NUMBER, NAME))  # repeated: nothing
    rec.push("unhold", status(1, S.CONNECTED, NUMBER, NAME))
    rec.push("terminated")
    assert rec.types == ["incoming", "answered", "held", "resumed", "ended"]
    assert {e.source for e in rec.events} == {Source.PUSH}
    assert {(e.line, e.remote_name, e.remote_number) for e in rec.events} == {
        (1, NAME, NUMBER)
    }
    # The line status read after each push confirmed it: push works.
    assert Evidence.PUSH_CONFIRMED in rec.evidence
    assert Evidence.UNREPORTED_CHANGE not in rec.evidence
    assert rec.ignored == 0


def test_push_missed(rec: Recorder) -> None:
    """A missed push ends the ringing call as missed; a poll adds nothing."""
    rec.push("incoming", status(1, S.RINGING, NUMBER, NAME))
    rec.push("missed")
    rec.poll()
    assert rec.types == ["incoming", "missed"]


def test_push_outgoing(rec: Recorder) -> None:
    """An outgoing call reported by push, confirmed by polling."""
    rec.push("outgoing", status(1, S.CALLING, OTHER), number=OTHER)
    rec.poll(status(1, S.CALLING, OTHER))
    rec.push("established", status(1, S.CONNECTED, OTHER), number=OTHER)
    rec.poll(status(1, S.CONNECTED, OTHER))
    rec.push("terminated", number=OTHER)
    rec.poll()
    assert rec.types == ["outgoing", "answered", "ended"]
    assert Evidence.UNREPORTED_CHANGE not in rec.evidence


def test_push_by_call_id(rec: Recorder) -> None:
    """The call id finds the call even when the numbers do not match."""
    rec.push("incoming", status(1, S.RINGING, NUMBER), call_id="42")
    rec.push("terminated", number="", call_id="42")
    # Never answered: missed, as polling would have said.
    assert rec.types == ["incoming", "missed"]
    assert rec.events[1].remote_number == NUMBER


@pytest.mark.parametrize("event", ["boot", "registered", "dnd_on", "offhook"])
def test_push_without_call(rec: Recorder, event: str) -> None:
    """Pushes that are not about a call make no event and say nothing of push."""
    update = rec.feed(lines(), push(event))
    assert update.events == []
    assert update.evidence == []
    assert update.ignored_pushes == 0


def test_fetch_triggered_by_a_push_confirms_that_push(rec: Recorder) -> None:
    """The decision: the line status read after a push confirms it (push works).

    It was read after the push arrived, so it is independent evidence that the
    push told the truth in time; no later poll is needed.
    """
    update = rec.feed(
        lines(status(1, S.RINGING, NUMBER)), push("incoming", at=rec.clock.now)
    )
    assert [e.type for e in update.events] == [T.INCOMING]
    assert update.evidence == [Evidence.PUSH_CONFIRMED]
    # The next polls of the same ringing line do not count again.
    rec.poll(status(1, S.RINGING, NUMBER))
    assert rec.evidence == [Evidence.PUSH_CONFIRMED]


def test_same_fetch_shows_a_change_no_push_reported(rec: Recorder) -> None:
    """A push's own fetch still reports other lines' changes as unreported."""
    update = rec.feed(
        lines(status(1, S.RINGING, NUMBER), status(2, S.CALLING, OTHER)),
        push("incoming", at=rec.clock.now),
    )
    assert sorted(e.type.value for e in update.events) == ["incoming", "outgoing"]
    assert sorted(update.evidence) == sorted(
        [Evidence.PUSH_CONFIRMED, Evidence.UNREPORTED_CHANGE]
    )


# -- a push is a hint, not the truth -------------------------------------------


def test_push_no_line_shows_opens_nothing(rec: Recorder) -> None:
    """Rule 1: a start push the line status does not confirm opens no call."""
    rec.push("incoming", call_id="1")  # lines idle
    rec.push("outgoing", number=OTHER, call_id="2")
    rec.push("established", call_id="3")
    rec.push("missed", number="+4989111222", call_id="4")
    rec.push("terminated", number="+4989111222", call_id="5")
    assert rec.events == []
    assert rec.tracker.open_calls == 0
    # The ring might still be a short one whose missed push is on its way...
    assert rec.ignored == 4
    assert rec.held == 1
    # ...until its window closes.
    rec.clock.advance(SHORT_RING_WINDOW + 1)
    assert rec.feed(lines()).rings_given_up == 1


def test_forged_end_of_a_real_call_is_ignored(rec: Recorder) -> None:
    """An end push while the line still shows the call changes nothing."""
    rec.push("incoming", status(1, S.RINGING, NUMBER))
    rec.push("terminated", status(1, S.RINGING, NUMBER))
    rec.push("established", status(1, S.RINGING, NUMBER))
    assert rec.types == ["incoming"]
    assert rec.ignored == 2
    rec.poll(status(1, S.CONNECTED, NUMBER))
    rec.poll()
    assert rec.types == ["incoming", "answered", "ended"]


def test_flood_of_forged_pushes_leaves_no_call(rec: Recorder) -> None:
    """Hundreds of pushes the idle phone never confirms: no call, no missed call."""
    for index in range(200):
        event = ("incoming", "missed", "established", "terminated")[index % 4]
        rec.push(event, number=f"+49301234{index:04d}", call_id=str(index))
    assert rec.events == []
    assert rec.tracker.open_calls == 0


def test_short_ring_counts_once(rec: Recorder) -> None:
    """Rule 3: a ring no line status showed, then its missed push: one missed call."""
    rec.push("incoming")
    rec.clock.advance(2)
    rec.push("missed")
    assert rec.types == ["incoming", "missed"]
    assert rec.events[1].direction == "incoming"
    assert rec.tracker.open_calls == 0


def test_short_rings_are_bounded(rec: Recorder) -> None:
    """Forged short rings cannot inflate missed calls without end."""
    for index in range(SHORT_RING_LIMIT + 3):
        number = f"+49301234{index:04d}"
        rec.push("incoming", number=number, call_id=str(index))
        rec.push("missed", number=number, call_id=str(index))
    assert rec.types.count("missed") == SHORT_RING_LIMIT


def test_missed_push_without_its_ring_is_ignored(rec: Recorder) -> None:
    """A missed push for a number that never rang counts for nothing."""
    rec.push("incoming", number=OTHER)
    rec.push("missed")
    assert rec.events == []


# -- pushes while the phone cannot be read --------------------------------------


def test_push_without_lines_counts_provisionally(rec: Recorder) -> None:
    """Rule 2: the event goes out at once with what the push says."""
    rec.push_alone("incoming")
    assert rec.types == ["incoming"]
    assert rec.events[0].line is None
    assert rec.events[0].remote_name is None
    # $active_user is the account's SIP user id: account 1.
    assert rec.events[0].account == 1
    # The line status, when it comes, confirms and names it (no new event,
    # but what entities showing the call need).
    update = rec.feed(lines(status(1, S.RINGING, NUMBER, NAME)))
    assert update.events == []
    assert [(e.type, e.remote_name, e.line) for e in update.named] == [
        (T.INCOMING, NAME, 1)
    ]
    assert rec.types == ["incoming"]
    assert rec.evidence == [Evidence.PUSH_CONFIRMED]
    rec.poll()
    assert rec.types == ["incoming", "missed"]
    assert rec.events[-1].remote_name == NAME
    assert rec.events[-1].line == 1


def test_provisional_call_the_phone_never_shows_is_dropped(rec: Recorder) -> None:
    """A call only a push claimed, not on any line when read: no further event."""
    rec.push_alone("incoming")
    rec.clock.advance(1)
    rec.poll()
    assert rec.types == ["incoming"]
    assert rec.tracker.open_calls == 0


def test_provisional_call_survives_a_stale_read(rec: Recorder) -> None:
    """A read sent before the push arrived cannot drop the push's call."""
    sent = rec.clock.now
    rec.clock.advance(0.5)
    rec.push_alone("incoming")
    rec.feed(lines(), read_at=sent)
    assert rec.tracker.open_calls == 1
    rec.poll(status(1, S.RINGING, NUMBER))
    assert rec.types == ["incoming"]


def test_provisional_then_missed_push_is_one_missed_call(rec: Recorder) -> None:
    """Slow phone: incoming and missed pushes, then an idle phone."""
    rec.push_alone("incoming")
    rec.clock.advance(1)
    rec.push_alone("missed")
    rec.poll()
    assert rec.types == ["incoming", "missed"]


def test_provisional_push_needs_a_free_line(rec: Recorder) -> None:
    """A start push is not believed when every line was busy when last read."""
    rec.poll(status(1, S.CONNECTED, OTHER), status(2, S.CONNECTED, "+4989111222"))
    before = len(rec.events)
    rec.push_alone("incoming")
    assert len(rec.events) == before


# -- push and poll together ----------------------------------------------------


def test_poll_then_push_within_grace(rec: Recorder) -> None:
    """Poll first, push a second later: absorbed, and push still counts."""
    rec.poll(status(1, S.RINGING, NUMBER, NAME))
    rec.clock.advance(1)
    rec.push("incoming", status(1, S.RINGING, NUMBER, NAME))
    assert rec.evidence == [Evidence.UNREPORTED_CHANGE, Evidence.PUSH_IN_GRACE]
    rec.poll(status(1, S.CONNECTED, NUMBER, NAME))
    rec.clock.advance(PUSH_GRACE + 1)
    rec.push("established", status(1, S.CONNECTED, NUMBER, NAME))
    assert rec.evidence[-1] is Evidence.UNREPORTED_CHANGE  # too late: no credit
    rec.poll()
    rec.clock.advance(1)
    rec.push("terminated")
    assert rec.types == ["incoming", "answered", "ended"]
    assert [e.source for e in rec.events] == [Source.POLL] * 3


def test_poll_then_push_missed(rec: Recorder) -> None:
    """A missed call polled first and pushed later is reported once."""
    rec.poll(status(1, S.RINGING, NUMBER))
    rec.poll()
    rec.push("incoming")
    rec.push("missed")
    assert rec.types == ["incoming", "missed"]


def test_closed_call_memory(rec: Recorder) -> None:
    """A read still showing an ended call does not revive it."""
    rec.push("incoming", status(1, S.RINGING, NUMBER))
    rec.push("established", status(1, S.CONNECTED, NUMBER))
    sent = rec.clock.now
    rec.clock.advance(0.2)
    rec.push("terminated")
    rec.feed(lines(status(1, S.CONNECTED, NUMBER)), read_at=sent)
    rec.poll()
    assert rec.types == ["incoming", "answered", "ended"]
    assert rec.tracker.open_calls == 0
    # Long after, the same number calls again: a new call.
    rec.clock.advance(11)
    rec.poll(status(1, S.RINGING, NUMBER))
    assert rec.types == ["incoming", "answered", "ended", "incoming"]


def test_closed_call_memory_on_other_line(rec: Recorder) -> None:
    """The same number ringing on another line right after is a new call."""
    rec.push("incoming", status(1, S.RINGING, NUMBER))
    rec.push("missed")
    rec.poll(status(2, S.RINGING, NUMBER))
    assert rec.types == ["incoming", "missed", "incoming"]
    assert rec.events[-1].line == 2


def test_anonymous_call_push_and_poll(rec: Recorder) -> None:
    """A caller without a number: pushes and polls still agree on the call."""
    rec.push("incoming", status(1, S.RINGING, "anonymous"), number="")
    rec.poll(status(1, S.RINGING, "anonymous"))
    rec.push("established", status(1, S.CONNECTED, "anonymous"), number="")
    rec.poll(status(1, S.CONNECTED, "anonymous"))
    rec.push("terminated", number="")
    rec.poll()
    assert rec.types == ["incoming", "answered", "ended"]


def test_anonymous_call_without_call_id(rec: Recorder) -> None:
    """Neither number nor call id: follow-up pushes are about the open call."""
    rec.push("incoming", status(1, S.RINGING, ""), number="", call_id="")
    rec.poll(status(1, S.RINGING, ""))
    rec.push("established", status(1, S.CONNECTED, ""), number="", call_id="")
    rec.poll(status(1, S.CONNECTED, ""))
    rec.push("terminated", number="", call_id="")
    rec.poll()
    assert rec.types == ["incoming", "answered", "ended"]
    assert rec.events[0].line == 1


def test_anonymous_call_beside_another(rec: Recorder) -> None:
    """An anonymous call rings while another is up: it gets the free line."""
    rec.push("outgoing", status(1, S.CALLING, OTHER), number=OTHER, call_id="1")
    rec.push(
        "incoming",
        status(1, S.CALLING, OTHER),
        status(2, S.RINGING, ""),
        number="",
        call_id="2",
    )
    rec.poll(status(1, S.CALLING, OTHER), status(2, S.RINGING, ""))
    assert [(e.type.value, e.line) for e in rec.events] == [
        ("outgoing", 1),
        ("incoming", 2),
    ]
    # Two open calls: a push without number or id cannot tell which one.
    rec.push(
        "terminated",
        status(1, S.CALLING, OTHER),
        status(2, S.RINGING, ""),
        number="",
        call_id="",
    )
    assert len(rec.events) == 2


def test_stale_read_does_not_undo_a_pushed_hold(rec: Recorder) -> None:
    """A read sent before a hold push but answered after it changes nothing."""
    rec.push("incoming", status(1, S.RINGING, NUMBER))
    rec.push("established", status(1, S.CONNECTED, NUMBER))
    sent = rec.clock.now
    rec.clock.advance(0.5)
    rec.push_alone("hold")
    rec.feed(lines(status(1, S.CONNECTED, NUMBER)), read_at=sent)  # stale
    rec.poll(status(1, S.ON_HOLD, NUMBER))
    assert rec.types == ["incoming", "answered", "held"]
    # A fresh read may still see a real resume.
    rec.clock.advance(10)
    rec.poll(status(1, S.CONNECTED, NUMBER))
    assert rec.types == ["incoming", "answered", "held", "resumed"]


def test_new_caller_on_the_same_line_between_polls(rec: Recorder) -> None:
    """Call A ends and call B rings on line 1 between two polls: two calls."""
    rec.poll(status(1, S.CONNECTED, OTHER))
    rec.poll(status(1, S.RINGING, NUMBER, NAME))
    assert [(e.type.value, e.remote_number) for e in rec.events] == [
        ("outgoing", OTHER),
        ("answered", OTHER),
        ("ended", OTHER),
        ("incoming", NUMBER),
    ]
    assert rec.tracker.open_calls == 1


def test_same_caller_rings_again_while_the_phone_is_unreadable(rec: Recorder) -> None:
    """Without a line status, a second ring of the same number is a new call."""
    rec.push("incoming", status(1, S.RINGING, NUMBER))
    rec.push("missed")
    rec.clock.now += 2
    rec.push_alone("incoming", call_id="8")
    assert rec.types == ["incoming", "missed", "incoming"]


def test_poll_only_same_number_rings_again(rec: Recorder) -> None:
    """Polling alone: a missed call, then the same caller again 3 s later."""
    rec.poll(status(1, S.RINGING, NUMBER))
    rec.poll()
    rec.clock.now += 3
    rec.poll(status(1, S.RINGING, NUMBER))
    rec.poll(status(1, S.CONNECTED, NUMBER))
    rec.poll()
    assert [(e.type.value, e.direction) for e in rec.events] == [
        ("incoming", "incoming"),
        ("missed", "incoming"),
        ("incoming", "incoming"),
        ("answered", "incoming"),
        ("ended", "incoming"),
    ]


def test_second_incoming_push_of_an_open_call_is_a_new_call(rec: Recorder) -> None:
    """The caller gives up and rings again; the first call's end push was lost.

    Phones send one incoming push per call, so the second one (15 s later,
    no poll in between) closes the first call as missed and opens another.
    """
    rec.push("incoming", status(1, S.RINGING, NUMBER, NAME), call_id="")
    rec.clock.advance(15)
    rec.push("incoming", status(1, S.RINGING, NUMBER, NAME), call_id="")
    assert rec.types == ["incoming", "missed", "incoming"]
    assert rec.tracker.open_calls == 1
    rec.push("established", status(1, S.CONNECTED, NUMBER, NAME), call_id="")
    rec.push("terminated", call_id="")
    assert rec.types == ["incoming", "missed", "incoming", "answered", "ended"]


def test_repeated_incoming_push_is_the_same_call(rec: Recorder) -> None:
    """The same push again within seconds (a flood, a repeat) is no new call."""
    rec.push("incoming", status(1, S.RINGING, NUMBER), call_id="")
    rec.clock.advance(1)
    rec.push("incoming", status(1, S.RINGING, NUMBER), call_id="")
    assert rec.types == ["incoming"]


def test_incoming_push_after_a_polled_ring_is_that_ring(rec: Recorder) -> None:
    """A poll saw the ring first; the push that follows is the same call."""
    rec.poll(status(1, S.RINGING, NUMBER))
    rec.clock.advance(4)
    rec.push("incoming", status(1, S.RINGING, NUMBER), call_id="")
    assert rec.types == ["incoming"]


def test_ring_again_while_the_first_is_unconfirmed_drops_it(rec: Recorder) -> None:
    """A second ring of a call only a push claimed drops that claim silently."""
    rec.push_alone("incoming", call_id="")
    rec.clock.advance(10)
    rec.push("incoming", status(1, S.RINGING, NUMBER), call_id="")
    # The first incoming event went out provisionally; no missed call for it.
    assert rec.types == ["incoming", "incoming"]
    assert rec.tracker.open_calls == 1


def test_ring_again_beside_an_answered_call_keeps_that_call(rec: Recorder) -> None:
    """Call waiting from the same number: the answered call goes on."""
    rec.push("incoming", status(1, S.RINGING, NUMBER), call_id="")
    rec.push("established", status(1, S.CONNECTED, NUMBER), call_id="")
    rec.clock.advance(20)
    rec.push(
        "incoming",
        status(1, S.CONNECTED, NUMBER),
        status(2, S.RINGING, NUMBER),
        call_id="",
    )
    assert rec.types == ["incoming", "answered", "incoming"]
    assert rec.tracker.open_calls == 2


@pytest.mark.parametrize(
    ("pushed", "shown"),
    [
        ("+4930123456", "004930123456"),  # 00 for +
        ("+4930123456", "030123456"),  # national for international
        ("030123456", "+49 30 123456"),
        ("123456", "+4930123456"),  # a local number long enough
    ],
)
def test_push_and_line_written_differently_are_one_call(
    rec: Recorder, pushed: str, shown: str
) -> None:
    """The numbering-plan rule matches a push's number with the line's."""
    rec.push("incoming", status(1, S.RINGING, shown, NAME), number=pushed)
    rec.push("established", status(1, S.CONNECTED, shown, NAME), number=pushed)
    rec.poll()
    assert rec.types == ["incoming", "answered", "ended"]
    # The pushes were taken for the line's call, not ignored or held.
    assert [e.source for e in rec.events[:2]] == [Source.PUSH, Source.PUSH]
    assert (rec.ignored, rec.held) == (0, 0)
    assert rec.events[0].line == 1
    assert rec.events[0].remote_name == NAME


def test_extension_is_not_the_tail_of_a_long_number(rec: Recorder) -> None:
    """Extension 2001 rings while +49 30 5552001 is on the phone: two parties."""
    long_number = "+49 30 5552001"
    rec.poll(status(1, S.CONNECTED, long_number))
    rec.push(
        "incoming",
        status(1, S.CONNECTED, long_number),
        status(2, S.RINGING, "2001"),
        number="2001",
        call_id="",
    )
    assert rec.types == ["outgoing", "answered", "incoming"]
    assert rec.events[-1].line == 2
    # The extension hangs up: the long number's call goes on.
    rec.push("missed", status(1, S.CONNECTED, long_number), number="2001", call_id="")
    assert rec.types[-1] == "missed"
    assert rec.tracker.open_calls == 1


def test_anonymous_push_is_not_a_numbered_call(rec: Recorder) -> None:
    """A withheld number never matches a call with digits."""
    rec.poll(status(1, S.RINGING, NUMBER))
    rec.push(
        "incoming",
        status(1, S.RINGING, NUMBER),
        status(2, S.RINGING, "anonymous"),
        number="anonymous",
        call_id="",
    )
    assert rec.types == ["incoming", "incoming"]
    assert [e.line for e in rec.events] == [1, 2]


def test_two_anonymous_callers_are_two_calls(rec: Recorder) -> None:
    """Numbers without digits never merge calls by themselves."""
    rec.push("incoming", status(1, S.RINGING, "anonymous"), number="", call_id="7")
    rec.push("established", status(1, S.CONNECTED, "anonymous"), number="", call_id="7")
    rec.push(
        "incoming",
        status(1, S.CONNECTED, "anonymous"),
        status(2, S.RINGING, "anonymous"),
        number="",
        call_id="8",
    )
    rec.push("terminated", status(1, S.CONNECTED, "anonymous"), number="", call_id="8")
    assert [(e.type.value, e.line) for e in rec.events] == [
        ("incoming", 1),
        ("answered", 1),
        ("incoming", 2),
        ("missed", 2),
    ]


def test_number_changes_when_a_queue_connects(rec: Recorder) -> None:
    """Rang from a queue number, connected to a person: still one call."""
    rec.poll(status(1, S.RINGING, "5000"))
    rec.poll(status(1, S.CONNECTED, NUMBER))
    rec.poll()
    assert rec.types == ["incoming", "answered", "ended"]
    assert rec.events[-1].remote_number == NUMBER


def test_other_call_id_is_another_call(rec: Recorder) -> None:
    """A late push of an old call id does not end the new call of that number."""
    rec.push("incoming", status(1, S.RINGING, NUMBER), call_id="7")
    rec.poll(status(1, S.RINGING, NUMBER))
    rec.poll()
    rec.clock.now += 3
    rec.push("incoming", status(1, S.RINGING, NUMBER), call_id="8")
    rec.push("missed", status(1, S.RINGING, NUMBER), call_id="7")
    assert rec.types == ["incoming", "missed", "incoming"]


def test_call_in_unknown_state_at_first_look_is_adopted() -> None:
    """A call already up in a state we do not know is not replayed later."""
    rec = Recorder(first_look=False)
    rec.feed(lines(status(1, S.UNKNOWN, NUMBER)))
    rec.feed(lines(status(1, S.CONNECTED, NUMBER)))
    rec.feed(lines())
    assert rec.types == ["ended"]


def test_call_in_unknown_state_at_a_later_look_is_adopted(rec: Recorder) -> None:
    """Seen first in an unknown state after the first look: adopted too."""
    rec.poll(status(1, S.UNKNOWN, NUMBER))
    rec.poll(status(1, S.CONNECTED, NUMBER))
    rec.poll()
    assert rec.types == ["ended"]


# -- accounts, bounds, safety -----------------------------------------------------


def test_account_of_a_call_is_the_users_number(rec: Recorder) -> None:
    """Lines carry the user's account number (the client applied the phone's
    base); events add that account's SIP user and name from the phone's list."""
    rec.poll(status(2, S.RINGING, OTHER, account=2))
    assert rec.events[-1].account == 2
    assert rec.events[-1].account_sip_user == "2002"
    assert rec.events[-1].account_name == "Home"
    rec.poll(
        status(2, S.RINGING, OTHER, account=2), status(1, S.RINGING, NUMBER, account=7)
    )
    # An account the phone does not list: the number, without SIP user or name.
    assert rec.events[-1].account == 7
    assert rec.events[-1].account_sip_user is None


def test_values_are_bounded(rec: Recorder) -> None:
    """Whatever the phone says, numbers and names reaching events are bounded."""
    rec.poll(status(1, S.RINGING, "1" * 5000, "N" * 5000))
    assert len(rec.events[0].remote_number or "") <= 64
    assert len(rec.events[0].remote_name or "") <= 100


def test_update_cannot_be_reentered(rec: Recorder) -> None:
    """Nothing can feed the tracker while it is handling an update."""
    rec.tracker._updating = True  # what a callback inside update() would meet
    with pytest.raises(RuntimeError, match="re-entered"):
        rec.poll()
    rec.tracker._updating = False
    rec.poll(status(1, S.RINGING, NUMBER))
    assert rec.types == ["incoming"]


def test_tracker_calls_nobody_back() -> None:
    """The tracker has no listeners at all: it returns what happened, full stop."""
    tracker = CallTracker()
    assert not any(
        name.startswith(("add_", "async_add", "subscribe")) for name in dir(tracker)
    )


def test_diagnostics(rec: Recorder) -> None:
    """Diagnostics tell open calls and the account base, no numbers."""
    assert rec.tracker.diagnostics() == {
        "open_calls": 0,
        "unconfirmed_open_calls": 0,
        "unconfirmed_rings": 0,
    }
    rec.push_alone("incoming")
    diagnostics = rec.tracker.diagnostics()
    assert diagnostics["open_calls"] == 1
    assert diagnostics["unconfirmed_open_calls"] == 1
    assert NUMBER not in repr(diagnostics)


def test_answered_call_end_lost_then_same_caller_rings_on_same_line() -> None:
    """An answered call whose end push was lost; the caller rings again on its line.

    A line holds one call: the first ended, the second is new (no false missed call).
    """
    rec = Recorder()
    rec.push("incoming", status(1, S.RINGING, NUMBER, NAME), call_id="")
    rec.push("established", status(1, S.CONNECTED, NUMBER, NAME), call_id="")
    rec.clock.advance(30)
    # The call ends; its terminated push is lost; no poll. 20 s later the caller rings again.
    rec.clock.advance(20)
    rec.push("incoming", status(1, S.RINGING, NUMBER, NAME), call_id="")
    rec.push("established", status(1, S.CONNECTED, NUMBER, NAME), call_id="")
    rec.clock.advance(10)
    rec.push("terminated", call_id="")
    rec.poll()
    assert rec.types == [
        "incoming",
        "answered",
        "ended",
        "incoming",
        "answered",
        "ended",
    ]


def test_ring_again_on_the_answered_line_seen_by_polls_only() -> None:
    """The same, the second call seen by polls after its push: no missed call."""
    rec = Recorder()
    rec.push("incoming", status(1, S.RINGING, NUMBER, NAME), call_id="")
    rec.push("established", status(1, S.CONNECTED, NUMBER, NAME), call_id="")
    rec.clock.advance(50)
    rec.push("incoming", status(1, S.RINGING, NUMBER, NAME), call_id="")
    rec.clock.advance(5)
    rec.poll(status(1, S.CONNECTED, NUMBER, NAME))
    rec.clock.advance(60)
    rec.poll()
    assert "missed" not in rec.types
