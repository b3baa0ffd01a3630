"""The push-latency benchmark's own logic: percentiles, matching, the listener.

No Home Assistant: the WebSocket listener talks to a small stand-in server that
speaks the few messages it needs.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import time
from typing import Any

import aiohttp
from aiohttp import web
import pytest

from devtools import push_latency
from devtools.arrival_listener import (
    Arrival,
    ArrivalListener,
    ListenerError,
    arrivals_of,
)
from devtools.bench_window import Load
from devtools.processes import free_port
from devtools.push_latency import (
    ENDED,
    RINGING,
    LatencyResult,
    Ring,
    Series,
    match,
    percentile,
    summarize,
    tally,
)

LINES = {"sensor.desk_phone_line_1": 1, "sensor.desk_phone_2_line_1": 2}
DEVICES = {"dev1": 1, "dev2": 2}


def test_percentiles_are_nearest_rank() -> None:
    twenty = [float(v) for v in range(20, 0, -1)]  # unsorted on purpose
    assert summarize(twenty) == summarize(sorted(twenty))
    summary = summarize(twenty)
    assert summary is not None
    assert (summary.count, summary.p50, summary.p95, summary.p99, summary.max) == (
        20,
        10.0,
        19.0,
        20.0,
        20.0,
    )
    fifty = [float(v) for v in range(1, 51)]
    assert [percentile(fifty, f) for f in (0.5, 0.95, 0.99)] == [25.0, 48.0, 50.0]
    assert percentile([0.004], 0.99) == 0.004
    assert summarize([]) is None
    with pytest.raises(ValueError, match="no values"):
        percentile([], 0.5)


def state(phone: int, value: str, at: float, number: str | None = None) -> Arrival:
    return Arrival("state", phone, value, number, at)


def event(phone: int, value: str, at: float, number: str | None) -> Arrival:
    return Arrival("event", phone, value, number, at)


def test_match_takes_each_phones_own_first_arrival_after_its_ring() -> None:
    rings = [
        Ring(phone=1, number="0307700001", call_id=5, triggered=10.0, push=11.0),
        Ring(phone=2, number="0307700002", call_id=1, triggered=10.0, push=11.5),
    ]
    arrivals = [
        # An earlier call of phone 1: before its ring was asked for.
        state(1, "ringing", 9.0, "0307799999"),
        event(1, "incoming", 9.1, "0307799999"),
        # Phone 2's arrivals come first, and must not count for phone 1.
        state(2, "ringing", 11.503, "0307700002"),
        # Another call's event on phone 1 (another number) is not this ring's.
        event(1, "incoming", 11.002, "0307788888"),
        # No number in the diff (unchanged): still this ring's state.
        state(1, "ringing", 11.004),
        # A pushed "+" arrives as a space: the digits decide.
        event(1, "incoming", 11.009, " 0307700001"),
        state(1, "ringing", 11.020, "0307700001"),
        event(2, "incoming", 11.510, "0307700002"),
    ]
    matched = match(rings, arrivals)
    assert [(m.state, m.event) for m in matched] == [(11.004, 11.009), (11.503, 11.510)]
    state_tally = tally(matched, "state")
    assert state_tally.delays == pytest.approx([0.004, 0.003])
    assert tally(matched, "event").delays == pytest.approx([0.009, 0.010])


def test_rings_left_out_are_counted_apart() -> None:
    rings = [
        # A poll showed the ring before its push was sent.
        Ring(phone=1, number="1", call_id=1, triggered=0.0, push=1.0),
        # Nothing arrived.
        Ring(phone=2, number="2", call_id=1, triggered=0.0, push=1.0),
        # The push never reached the socket.
        Ring(phone=1, number="3", call_id=2, triggered=5.0, push=None),
    ]
    arrivals = [
        state(1, "ringing", 0.5, "1"),
        event(1, "incoming", 1.2, "1"),
        state(1, "ringing", 5.1, "3"),
    ]
    matched = match(rings, arrivals)
    states, events = tally(matched, "state"), tally(matched, "event")
    assert (states.delays, states.before_push, states.missing, states.no_push) == (
        [],
        1,
        1,
        1,
    )
    assert events.delays == pytest.approx([0.2])
    assert (events.before_push, events.missing, events.no_push) == (0, 1, 1)
    assert states.summary is None

    result = LatencyResult("after the CPU/lag window", 2, 1)
    result.series = [Series("one at a time", "3 rings on 2 phones", matched, 1)]
    report = "\n".join(result.report_lines())
    assert "after the CPU/lag window; 2 phones with push verified (1 without" in report
    assert "push → incoming event" in report
    assert "200.0 ms" in report
    assert "1 shown before the push (a poll read the ring first)" in report
    assert "one at a time: 1 ring(s) whose end (idle, missed) did not arrive" in report
    assert list(result.summary_cells()) == [
        ("one at a time", f"{'—':>15s} {'200.0/200.0':>15s}")
    ]


async def test_waiting_looks_at_each_rings_own_arrivals_from_the_mark(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(push_latency, "ARRIVAL_WITHIN", 0.1)
    listener = ArrivalListener("http://127.0.0.1:1", "t", line_sensors={}, devices={})
    rings = push_latency.Ringer(aiohttp.ClientSession(), listener)
    listener.arrivals.append(state(1, "ringing", 1.0, "1"))  # before the mark
    mark = rings.mark()
    burst = [
        Ring(phone=1, number="1", call_id=1, triggered=2.0),
        Ring(phone=2, number="2", call_id=1, triggered=2.0),
    ]
    listener.arrivals.extend(
        [
            state(1, "ringing", 3.0, "1"),
            event(1, "incoming", 3.0, "1"),
            state(2, "ringing", 3.0, "2"),
            event(2, "incoming", 3.0, "9"),  # another call's
        ]
    )
    assert await rings.wait(burst, RINGING, mark) == 1
    listener.arrivals.append(event(2, "incoming", 3.1, "2"))
    assert await rings.wait(burst, RINGING, mark) == 0
    assert await rings.wait(burst, ENDED, mark) == 2
    assert await rings.wait(burst[:1], RINGING, len(listener.arrivals)) == 1
    await rings.session.close()


def test_arrivals_of_messages() -> None:
    changes = {
        "id": 1,
        "type": "event",
        "event": {
            "c": {
                "sensor.desk_phone_line_1": {
                    "+": {"s": "ringing", "a": {"remote_number": "0301"}}
                },
                # Attributes only: not a new state.
                "sensor.desk_phone_2_line_1": {"+": {"a": {"active": True}}},
                # Not a line sensor the benchmark watches.
                "sensor.desk_phone_push": {"+": {"s": "verified"}},
            },
        },
    }
    initial = {"id": 1, "type": "event", "event": {"a": {"sensor.x": {"s": "idle"}}}}
    call = {
        "id": 2,
        "type": "event",
        "event": {
            "event_type": "grandstream_call",
            "data": {"device_id": "dev2", "type": "incoming", "remote_number": "0302"},
        },
    }
    other_device = {
        "id": 2,
        "type": "event",
        "event": {"data": {"device_id": "elsewhere", "type": "incoming"}},
    }
    result = {"id": 3, "type": "result", "success": True}
    found = arrivals_of(
        [changes, initial, call, other_device, result], 7.5, LINES, DEVICES
    )
    assert found == [
        Arrival("state", 1, "ringing", "0301", 7.5),
        Arrival("event", 2, "incoming", "0302", 7.5),
    ]
    assert arrivals_of(call, 8.0, LINES, DEVICES)[0].time == 8.0


class FakeHomeAssistant:
    """Just enough of Home Assistant's WebSocket API for the listener."""

    def __init__(self, *, token: str = "token") -> None:
        self.token = token
        self.subscriptions: list[dict[str, Any]] = []
        self.send: asyncio.Queue[Any] = asyncio.Queue()

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "auth_required"})
        auth = await ws.receive_json()
        if auth.get("access_token") != self.token:
            await ws.send_json({"type": "auth_invalid", "message": "no"})
            await ws.close()
            return ws
        await ws.send_json({"type": "auth_ok"})
        for _ in range(2):
            self.subscriptions.append(await ws.receive_json())
        await ws.send_json(
            [
                {"id": 1, "type": "result", "success": True},
                {"id": 1, "type": "event", "event": {"a": {}}},
                {"id": 2, "type": "result", "success": True},
            ]
        )
        while (message := await self.send.get()) is not None:
            await ws.send_json(message)
        await ws.close()
        return ws


@pytest.fixture
async def fake_ha(socket_enabled: None) -> AsyncIterator[tuple[str, FakeHomeAssistant]]:
    fake = FakeHomeAssistant()
    app = web.Application()
    app.router.add_get("/api/websocket", fake.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}", fake
    fake.send.put_nowait(None)
    await runner.cleanup()


@pytest.mark.enable_socket
async def test_listener_stamps_arrivals_in_its_own_thread(
    fake_ha: tuple[str, FakeHomeAssistant],
) -> None:
    base_url, fake = fake_ha
    listener = ArrivalListener(base_url, "token", line_sensors=LINES, devices=DEVICES)
    async with listener:
        assert fake.subscriptions == [
            {
                "id": 1,
                "type": "subscribe_entities",
                "entity_ids": sorted(LINES),
            },
            {"id": 2, "type": "subscribe_events", "event_type": "grandstream_call"},
        ]
        assert not await listener.wait_for(lambda: bool(listener.arrivals), 0.05)
        before = time.monotonic()
        fake.send.put_nowait(
            {
                "id": 2,
                "type": "event",
                "event": {"data": {"device_id": "dev1", "type": "incoming"}},
            }
        )
        assert await listener.wait_for(lambda: bool(listener.arrivals), 5)
        arrival = listener.arrivals[0]
        assert (arrival.kind, arrival.phone, arrival.value) == ("event", 1, "incoming")
        assert before <= arrival.time <= time.monotonic()
        # Home Assistant closing the connection ends the wait at once.
        fake.send.put_nowait(None)
        begun = time.monotonic()
        assert not await listener.wait_for(lambda: False, 5)
        assert time.monotonic() - begun < 4


@pytest.mark.enable_socket
async def test_listener_refused(fake_ha: tuple[str, FakeHomeAssistant]) -> None:
    base_url, _ = fake_ha
    listener = ArrivalListener(base_url, "wrong", line_sensors=LINES, devices=DEVICES)
    with pytest.raises(ListenerError, match="authentication failed"):
        await listener.__aenter__()


def test_load_while_ringing_is_described() -> None:
    load = Load(
        seconds=10.0,
        hass_cpu=0.5,
        sim_cpu=0.2,
        own_cpu=0.1,
        others_cpu=-0.01,  # rounding between /proc files: shown as none
        lags=[0.0002, 0.07, 0.001],
    )
    assert load.describe() == (
        "CPU: hass 5.0 %, simulator 2.0 %, benchmark 1.0 %, everything else "
        "0.0 % (of one core); hass loop lag p50 1.0 ms, max 70.0 ms"
    )
    result = LatencyResult("after the CPU/lag window", 1, 0, load=load.describe())
    assert result.report_lines()[-1] == "    while ringing: " + load.describe()
