"""The call tracker: pushes and polls become call events, each exactly once.

Pure unit tests with an injected clock; no Home Assistant, no phone.
"""

from __future__ import annotations

import pytest

from custom_components.grandstream.call_tracker import (
    PUSH_GRACE,
    CallEvent,
    CallEventType as T,
    CallTracker,
    PushHealth,
    Source,
)
from custom_components.grandstream.cti import (
    LineState as S,
    LineStatus,
    same_number as _same_number,
)

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


def push(event: str, number: str = NUMBER, call_id: str = "7") -> dict[str, str]:
    """Push parameters as the webhook hands them over (already cleaned)."""
    return {
        "event": event,
        "mac": "000b82123456",
        "remote": number,
        "local": "1001",
        "account": "1001",
        "call_id": call_id,
    }


class Recorder:
    """A tracker with an injected clock and every event it fired."""

    def __init__(self) -> None:
        """Create the tracker and listen to it."""
        self.clock = Clock()
        self.tracker = CallTracker(clock=self.clock)
        self.events: list[CallEvent] = []
        self.health: list[PushHealth] = []
        self.tracker.add_listener(self.events.append)
        self.tracker.add_health_listener(self.health.append)
        # First look at an idle phone.
        self.tracker.handle_lines(lines())

    @property
    def types(self) -> list[str]:
        """Event types fired so far."""
        return [event.type.value for event in self.events]

    def poll(self, *busy: LineStatus) -> None:
        """A poll showing ``busy`` lines (all others idle)."""
        self.tracker.handle_lines(lines(*busy))

    def push(
        self, event: str, *busy: LineStatus, number: str = NUMBER, call_id: str = "7"
    ) -> None:
        """A push, with the line status fetched right after it."""
        self.tracker.handle_push(event, push(event, number, call_id), lines(*busy))


@pytest.fixture
def rec() -> Recorder:
    """A fresh tracker."""
    return Recorder()


# -- polling alone -------------------------------------------------------------


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
        account="1",
        direction="incoming",
        source=Source.POLL,
    )
    assert first.as_dict() == {
        "remote_number": NUMBER,
        "remote_name": NAME,
        "line": 1,
        "account": "1",
        "direction": "incoming",
    }
    assert {e.direction for e in rec.events} == {"incoming"}
    # Polling saw everything first: push never seen, never verified.
    assert rec.tracker.push_health is PushHealth.NEVER_SEEN
    assert rec.health == []


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
    assert rec.events[1].account == "2"


# -- first look ----------------------------------------------------------------


def test_adopt_at_first_look() -> None:
    """Calls already up when the tracker starts are adopted, not fired."""
    clock = Clock()
    tracker = CallTracker(clock=clock)
    events: list[CallEvent] = []
    tracker.add_listener(events.append)
    tracker.handle_lines(
        [
            status(1, S.CONNECTED, OTHER),
            status(2, S.RINGING, NUMBER, NAME),
            status(3, S.ON_HOLD, "+4989111222"),
            status(4, S.FAILED, "+4989333444"),
        ]
    )
    assert events == []
    assert tracker.diagnostics()["open_calls"] == 3
    # The same lines again: nothing happened, so nothing fires.
    tracker.handle_lines(
        [
            status(1, S.CONNECTED, OTHER),
            status(2, S.RINGING, NUMBER, NAME),
            status(3, S.ON_HOLD, "+4989111222"),
            status(4, S.FAILED, "+4989333444"),
        ]
    )
    assert events == []
    tracker.handle_lines(
        [
            status(1, S.IDLE),
            status(2, S.IDLE),
            status(3, S.CONNECTED, "+4989111222"),
            status(4, S.IDLE),
        ]
    )
    assert [(e.type.value, e.line) for e in events] == [
        ("ended", 1),
        ("missed", 2),
        ("resumed", 3),
    ]


def test_adopt_then_push(rec: Recorder) -> None:
    """An adopted ringing call is still the same call for later pushes."""
    tracker = CallTracker(clock=rec.clock)
    events: list[CallEvent] = []
    tracker.add_listener(events.append)
    tracker.handle_lines(lines(status(1, S.RINGING, NUMBER, NAME)))
    tracker.handle_push(
        "incoming", push("incoming"), lines(status(1, S.RINGING, NUMBER, NAME))
    )
    tracker.handle_push(
        "established", push("established"), lines(status(1, S.CONNECTED, NUMBER))
    )
    assert [e.type.value for e in events] == ["answered"]
    assert events[0].remote_name == NAME


# -- pushes alone --------------------------------------------------------------


def test_push_call_with_names_from_line_status(rec: Recorder) -> None:
    """Pushes make every event; line and name come from the fetched lines."""
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
    assert rec.tracker.push_health is PushHealth.NOT_VERIFIED
    assert rec.health == [PushHealth.NOT_VERIFIED]


def test_push_without_lines(rec: Recorder) -> None:
    """When the line status could not be fetched, the push still counts."""
    rec.tracker.handle_push("incoming", push("incoming"))
    assert rec.events[0].line is None
    assert rec.events[0].remote_name is None
    assert rec.events[0].account == "1001"


def test_push_missed(rec: Recorder) -> None:
    """A missed push ends the ringing call as missed; a poll adds nothing."""
    rec.push("incoming", status(1, S.RINGING, NUMBER, NAME))
    rec.push("missed")
    rec.poll()
    assert rec.types == ["incoming", "missed"]


def test_push_missed_only(rec: Recorder) -> None:
    """A missed push for a call never seen ringing is still a missed call."""
    rec.push("missed")
    assert rec.types == ["missed"]
    assert rec.events[0].direction == "incoming"


def test_push_established_of_unknown_call(rec: Recorder) -> None:
    """An established push for a call never seen: answered, direction unknown."""
    rec.push("established")
    assert rec.types == ["answered"]
    assert rec.events[0].direction is None


def test_push_outgoing(rec: Recorder) -> None:
    """An outgoing call reported by push, then confirmed by polling."""
    rec.push("outgoing", status(1, S.CALLING, OTHER), number=OTHER)
    rec.poll(status(1, S.CALLING, OTHER))
    rec.push("established", status(1, S.CONNECTED, OTHER), number=OTHER)
    rec.poll(status(1, S.CONNECTED, OTHER))
    rec.push("terminated", number=OTHER)
    rec.poll()
    assert rec.types == ["outgoing", "answered", "ended"]
    assert rec.tracker.push_health is PushHealth.VERIFIED


def test_push_by_call_id(rec: Recorder) -> None:
    """The call id finds the call even when the numbers do not match."""
    rec.push("incoming", status(1, S.RINGING, NUMBER), call_id="42")
    rec.push("terminated", number="", call_id="42")
    # Never answered: missed, as polling would have said.
    assert rec.types == ["incoming", "missed"]
    assert rec.events[1].remote_number == NUMBER


@pytest.mark.parametrize("event", ["boot", "registered", "offhook", "forward_on"])
def test_push_without_call(rec: Recorder, event: str) -> None:
    """Pushes that are not about a call make no event but prove push works."""
    rec.tracker.handle_push(event, push(event), lines())
    assert rec.events == []
    assert rec.tracker.push_health is PushHealth.NOT_VERIFIED
    assert rec.tracker.last_push == rec.clock.now


def test_push_dnd(rec: Recorder) -> None:
    """Do Not Disturb pushes fire dnd_on / dnd_off and remember the state."""
    assert rec.tracker.dnd is None
    rec.tracker.handle_push("dnd_on", push("dnd_on"))
    assert rec.tracker.dnd is True
    rec.tracker.handle_push("dnd_off", push("dnd_off"))
    assert rec.tracker.dnd is False
    assert rec.types == ["dnd_on", "dnd_off"]
    assert rec.events[0].remote_number is None


# -- push and poll together ----------------------------------------------------


def test_push_then_poll(rec: Recorder) -> None:
    """Push first: the poll is absorbed and proves push works."""
    rec.push("incoming", status(1, S.RINGING, NUMBER, NAME))
    rec.poll(status(1, S.RINGING, NUMBER, NAME))
    assert rec.tracker.push_health is PushHealth.VERIFIED
    rec.push("established", status(1, S.CONNECTED, NUMBER, NAME))
    rec.poll(status(1, S.CONNECTED, NUMBER, NAME))
    rec.push("hold", status(1, S.ON_HOLD, NUMBER, NAME))
    rec.poll(status(1, S.ON_HOLD, NUMBER, NAME))
    rec.push("unhold", status(1, S.CONNECTED, NUMBER, NAME))
    rec.poll(status(1, S.CONNECTED, NUMBER, NAME))
    rec.push("terminated")
    rec.poll()
    assert rec.types == ["incoming", "answered", "held", "resumed", "ended"]
    assert {e.source for e in rec.events} == {Source.PUSH}
    assert rec.health == [PushHealth.NOT_VERIFIED, PushHealth.VERIFIED]


def test_poll_then_push_within_grace(rec: Recorder) -> None:
    """Poll first, push a second later: absorbed, and push still verified."""
    rec.poll(status(1, S.RINGING, NUMBER, NAME))
    rec.clock.advance(1)
    rec.push("incoming", status(1, S.RINGING, NUMBER, NAME))
    assert rec.tracker.push_health is PushHealth.VERIFIED
    rec.poll(status(1, S.CONNECTED, NUMBER, NAME))
    rec.clock.advance(PUSH_GRACE)
    rec.push("established", status(1, S.CONNECTED, NUMBER, NAME))
    rec.poll()
    rec.clock.advance(1)
    rec.push("terminated")
    assert rec.types == ["incoming", "answered", "ended"]
    assert [e.source for e in rec.events] == [Source.POLL] * 3


def test_poll_then_push_too_late(rec: Recorder) -> None:
    """A push arriving after the grace period does not verify push."""
    rec.poll(status(1, S.RINGING, NUMBER, NAME))
    rec.clock.advance(PUSH_GRACE + 1)
    rec.push("incoming", status(1, S.RINGING, NUMBER, NAME))
    assert rec.types == ["incoming"]
    assert rec.tracker.push_health is PushHealth.NOT_VERIFIED


def test_poll_then_push_missed(rec: Recorder) -> None:
    """A missed call polled first and pushed later is reported once."""
    rec.poll(status(1, S.RINGING, NUMBER))
    rec.poll()
    rec.push("incoming")
    rec.push("missed")
    assert rec.types == ["incoming", "missed"]


def test_poll_first_change_unverifies(rec: Recorder) -> None:
    """Verified push that misses a change polling sees is no longer trusted."""
    rec.push("incoming", status(1, S.RINGING, NUMBER))
    rec.poll(status(1, S.RINGING, NUMBER))
    assert rec.tracker.push_health is PushHealth.VERIFIED
    # The phone has no URL for "established": polling sees it first.
    rec.poll(status(1, S.CONNECTED, NUMBER))
    assert rec.tracker.push_health is PushHealth.NOT_VERIFIED
    assert rec.types == ["incoming", "answered"]
    assert rec.health == [
        PushHealth.NOT_VERIFIED,
        PushHealth.VERIFIED,
        PushHealth.NOT_VERIFIED,
    ]


def test_closed_call_memory(rec: Recorder) -> None:
    """An in-flight poll still showing an ended call does not revive it."""
    rec.push("incoming", status(1, S.RINGING, NUMBER))
    rec.push("established", status(1, S.CONNECTED, NUMBER))
    rec.push("terminated")
    rec.poll(status(1, S.CONNECTED, NUMBER))
    rec.poll()
    assert rec.types == ["incoming", "answered", "ended"]
    assert rec.tracker.diagnostics()["open_calls"] == 0
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


def test_boot_and_restart_reverify(rec: Recorder) -> None:
    """A reboot (boot push or phone back after being away) re-verifies push."""
    rec.tracker.phone_restarted()
    assert rec.tracker.push_health is PushHealth.NEVER_SEEN
    rec.push("incoming", status(1, S.RINGING, NUMBER))
    rec.poll(status(1, S.RINGING, NUMBER))
    assert rec.tracker.push_health is PushHealth.VERIFIED
    rec.tracker.handle_push("boot", push("boot"))
    assert rec.tracker.push_health is PushHealth.NOT_VERIFIED
    rec.tracker.phone_restarted()
    assert rec.tracker.push_health is PushHealth.NOT_VERIFIED


def test_listeners_can_be_removed(rec: Recorder) -> None:
    """Removers stop the callbacks."""
    events: list[CallEvent] = []
    health: list[PushHealth] = []
    remove = rec.tracker.add_listener(events.append)
    remove_health = rec.tracker.add_health_listener(health.append)
    remove()
    remove_health()
    rec.push("incoming", status(1, S.RINGING, NUMBER))
    assert events == []
    assert health == []
    assert rec.types == ["incoming"]


def test_diagnostics(rec: Recorder) -> None:
    """Diagnostics tell health, push age, open calls and DND, no numbers."""
    assert rec.tracker.diagnostics() == {
        "push_health": "never_seen",
        "seconds_since_last_push": None,
        "open_calls": 0,
        "dnd": None,
    }
    rec.push("incoming", status(1, S.RINGING, NUMBER, NAME))
    rec.clock.advance(2.25)
    diagnostics = rec.tracker.diagnostics()
    assert diagnostics == {
        "push_health": "not_verified",
        "seconds_since_last_push": 2.2,
        "open_calls": 1,
        "dnd": None,
    }
    assert NUMBER not in repr(diagnostics)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("+4930123456", "+4930123456", True),
        ("+4930123456", "004930123456", True),
        ("+4930123456", "030123456", True),
        ("1001", "1001", True),
        ("123", "0123", False),
        ("+4930123456", "+4930654321", False),
        ("", "", False),
        ("anonymous", "anonymous", True),
        (None, "1001", False),
    ],
)
def test_same_number(a: str | None, b: str | None, same: bool) -> None:
    """Numbers match by digits, or by a tail of at least four digits."""
    assert _same_number(a, b) is same


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
    rec.push("terminated", number="", call_id="")
    assert rec.events[-1].line is None


def test_stale_poll_does_not_undo_a_pushed_hold(rec: Recorder) -> None:
    """A poll sent before a hold push but answered after it changes nothing."""
    rec.push("incoming", status(1, S.RINGING, NUMBER))
    rec.push("established", status(1, S.CONNECTED, NUMBER))
    rec.push("hold", status(1, S.ON_HOLD, NUMBER))
    rec.poll(status(1, S.CONNECTED, NUMBER))  # the in-flight, stale poll
    rec.poll(status(1, S.ON_HOLD, NUMBER))
    assert rec.types == ["incoming", "answered", "held"]
    # Later, polling alone may still see a real resume.
    rec.clock.now += 10
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
    assert rec.tracker.diagnostics()["open_calls"] == 1


def test_same_caller_rings_again_while_the_phone_is_unreadable(rec: Recorder) -> None:
    """Without a line status, a second ring of the same number is a new call."""
    rec.push("incoming", status(1, S.RINGING, NUMBER))
    rec.push("missed")
    rec.clock.now += 2
    # The fetch after the push failed: no line status at all.
    rec.tracker.handle_push("incoming", push("incoming", call_id="8"), ())
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
    tracker = CallTracker(clock=Clock())
    events: list[CallEvent] = []
    tracker.add_listener(events.append)
    tracker.handle_lines(lines(status(1, S.UNKNOWN, NUMBER)))
    tracker.handle_lines(lines(status(1, S.CONNECTED, NUMBER)))
    tracker.handle_lines(lines())
    assert [e.type.value for e in events] == ["ended"]


def test_call_in_unknown_state_at_a_later_look_is_adopted(rec: Recorder) -> None:
    """Seen first in an unknown state after the first look: adopted too."""
    rec.poll(status(1, S.UNKNOWN, NUMBER))
    rec.poll(status(1, S.CONNECTED, NUMBER))
    rec.poll()
    assert rec.types == ["ended"]
