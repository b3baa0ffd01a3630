"""Push latency for ``scripts/benchmark --ha``: from a phone's push to what Home Assistant shows.

Two figures per ring, both ending when the message arrives on a WebSocket of its
own (``devtools/arrival_listener.py``: its own thread, stamped as read):

- push → state: until the ringing phone's line sensor (``sensor.<phone>_line_N``)
  turns ``ringing``, as a dashboard sees it (``subscribe_entities``);
- push → event: until the ``grandstream_call`` event of type ``incoming`` arrives,
  as an automation hears it (``subscribe_events``).

The push starts when the simulated phone hands its ``incoming`` Action URL to the
socket (the simulator's ``sent``, ``time.monotonic()`` in its own process: the clock
is system-wide). The simulator sends pushes about a second after the ring, as real
phones do, so a poll may read the ring before its push: such a ring is counted
apart ("shown before its push"), as is one whose push or arrival never came.

Two ways of ringing, ``rings`` each (only phones whose push is verified):

- one at a time: round robin over the phones; a ring, both arrivals, the caller
  gives up (missed), its end arrives, a short random pause, the next phone;
- bursts: ``min(phones, rings)`` phones ring at one moment (one
  ``/_sim/fleet/ring``), each timed from its own push to its own arrivals; then all
  are missed, and the next burst (other phones first) until ``rings`` rings.

It runs after the CPU/lag window (or without one, ``--latency-only``), so that it
does not change those figures; the report says which. Figures, never pass/fail:
p50/p95/p99 are nearest-rank percentiles (with 50 rings the p99 is the maximum).
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Iterator, Mapping, Sequence
import dataclasses
from dataclasses import dataclass, field
import math
import random
import re
import time
from typing import Any

import aiohttp

from . import demo
from .arrival_listener import Arrival, ArrivalListener
from .bench_report import say
from .client import HomeAssistantClient

# Waiting for a ring's arrivals, and for its end, before giving up on them.
ARRIVAL_WITHIN = 15.0
# Between two rings one at a time: random, so that rings do not fall on the same
# phase of Home Assistant's periodic work (polls start on quarter seconds).
PAUSE = (0.3, 0.6)
# Between two bursts: Home Assistant has its burst of missed calls to finish.
BURST_PAUSE = 2.0
# What a ring waits for: its ringing state and incoming event; then its end.
RINGING: Mapping[str, Collection[str]] = {"state": {"ringing"}, "event": {"incoming"}}
ENDED: Mapping[str, Collection[str]] = {"state": {"idle"}, "event": {"missed", "ended"}}
_LINE_SENSOR = re.compile(r"^sensor\.(?P<slug>.+)_line_\d+$")


# --- matching pushes to arrivals -----------------------------------------------------


@dataclass(frozen=True)
class Ring:
    """One ring the benchmark made."""

    phone: int  # the phone's index (1-based)
    number: str  # the caller's number, unique per ring
    call_id: int  # the simulator's call id (the push carries it)
    triggered: float  # time.monotonic() right before asking the simulator to ring
    push: float | None = None  # when the phone handed its incoming push to the socket


@dataclass(frozen=True)
class RingArrivals:
    """When a ring's state and event arrived (None: not within the wait)."""

    ring: Ring
    state: float | None
    event: float | None


def _same_number(arrived: str | None, rung: str) -> bool:
    """The arrival is about the rung number, or says no number.

    A "+" in a push's query may arrive as a space: the digits decide.
    """
    return arrived is None or re.sub(r"\D", "", arrived) == re.sub(r"\D", "", rung)


def first_arrival(
    arrivals: Sequence[Arrival],
    *,
    kind: str,
    phone: int,
    values: Collection[str],
    number: str,
    since: float,
) -> Arrival | None:
    """The first arrival of ``kind`` for ``phone`` with one of ``values`` since ``since``.

    One carrying another remote number is about another call; one carrying
    none (a state that did not change its number) counts.
    """
    for arrival in arrivals:
        if (
            arrival.kind == kind
            and arrival.phone == phone
            and arrival.value in values
            and arrival.time >= since
            and _same_number(arrival.number, number)
        ):
            return arrival
    return None


def match(rings: Sequence[Ring], arrivals: Sequence[Arrival]) -> list[RingArrivals]:
    """Each ring with its phone's first ``ringing`` state and ``incoming`` event."""
    matched = []
    for ring in rings:
        found = {
            kind: first_arrival(
                arrivals,
                kind=kind,
                phone=ring.phone,
                values=values,
                number=ring.number,
                since=ring.triggered,
            )
            for kind, values in RINGING.items()
        }
        matched.append(
            RingArrivals(
                ring,
                state=found["state"].time if found["state"] else None,
                event=found["event"].time if found["event"] else None,
            )
        )
    return matched


# --- figures -------------------------------------------------------------------------


def percentile(ordered: Sequence[float], fraction: float) -> float:
    """Nearest rank: the smallest value with ``fraction`` of all at or below it."""
    if not ordered:
        raise ValueError("no values")
    # The small allowance keeps 0.95 * 20 at rank 19 despite binary fractions.
    rank = max(1, math.ceil(fraction * len(ordered) - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass(frozen=True)
class Summary:
    """Percentiles of some delays, in seconds."""

    count: int
    p50: float
    p95: float
    p99: float
    max: float


def summarize(values: Sequence[float]) -> Summary | None:
    """p50/p95/p99/max of ``values``; None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    return Summary(
        count=len(ordered),
        p50=percentile(ordered, 0.50),
        p95=percentile(ordered, 0.95),
        p99=percentile(ordered, 0.99),
        max=ordered[-1],
    )


@dataclass(frozen=True)
class Tally:
    """One figure over a series of rings: the delays, and the rings left out."""

    delays: list[float]
    before_push: int  # shown before its push (a poll read the ring first)
    missing: int  # no arrival within the wait
    no_push: int  # the phone's push never reached the socket

    @property
    def summary(self) -> Summary | None:
        """Percentiles of the delays."""
        return summarize(self.delays)


def tally(rings: Sequence[RingArrivals], kind: str) -> Tally:
    """Push → ``kind`` ("state" or "event") over ``rings``."""
    delays: list[float] = []
    before = missing = no_push = 0
    for item in rings:
        arrived = item.state if kind == "state" else item.event
        if item.ring.push is None:
            no_push += 1
        elif arrived is None:
            missing += 1
        elif arrived < item.ring.push:
            before += 1
        else:
            delays.append(arrived - item.ring.push)
    return Tally(delays, before, missing, no_push)


@dataclass
class Series:
    """The rings of one way of ringing."""

    title: str  # "one at a time", "bursts of 20"
    detail: str  # "50 rings on 20 phones", "3 bursts"
    rings: list[RingArrivals]
    unended: int = 0  # rings whose end (idle, missed) did not arrive in time

    @property
    def state(self) -> Tally:
        """Push → ringing state."""
        return tally(self.rings, "state")

    @property
    def event(self) -> Tally:
        """Push → incoming event."""
        return tally(self.rings, "event")


@dataclass
class LatencyResult:
    """Push latency of one mode, and when it was measured."""

    when: str  # "after the CPU/lag window", ...
    phones: int  # phones rung
    left_out: int  # phones without verified push, not rung
    series: list[Series] = field(default_factory=list)
    # CPU and loop lag while ringing, to read outliers by (the caller fills it).
    load: str = ""

    def report_lines(self) -> list[str]:
        """The mode's push-latency block."""
        lines = [
            f"  push latency         {self.when}; {self.phones} phones with push "
            "verified"
            + (f" ({self.left_out} without, not rung)" if self.left_out else ""),
            (
                "                       from the phone handing its Action URL to the "
                "socket to the arrival on a WebSocket of its own"
            ),
            f"    {'':48s}{'n':>5s}{'p50':>10s}{'p95':>10s}{'p99':>10s}{'max':>10s}",
        ]
        notes = []
        for series in self.series:
            labels = (series.title, f"  {series.detail}")
            for label, (name, figure) in zip(
                labels,
                (
                    ("push → ringing state", series.state),
                    ("push → incoming event", series.event),
                ),
                strict=True,
            ):
                lines.append(f"    {label:26s}{name:22s}" + _cells(figure.summary))
                notes.extend(_left_out(series.title, name, figure))
            if series.unended:
                notes.append(
                    f"{series.title}: {series.unended} ring(s) whose end (idle, "
                    f"missed) did not arrive within {ARRIVAL_WITHIN:g} s"
                )
        lines.extend(f"    not counted: {note}" for note in notes)
        if self.load:
            lines.append(f"    while ringing: {self.load}")
        return lines

    def raw(self) -> dict[str, Any]:
        """Every ring's times (``time.monotonic()``), for ``--keep-logs``."""
        return {
            "when": self.when,
            "series": {
                series.title: [
                    {
                        **dataclasses.asdict(item.ring),
                        "state": item.state,
                        "event": item.event,
                    }
                    for item in series.rings
                ]
                for series in self.series
            },
        }

    def summary_cells(self) -> Iterator[tuple[str, str]]:
        """(series title, "state p50/p99 event p50/p99") for the summary table."""
        for series in self.series:
            cells = []
            for figure in (series.state, series.event):
                summary = figure.summary
                cells.append(
                    "—"
                    if summary is None
                    else f"{summary.p50 * 1000:.1f}/{summary.p99 * 1000:.1f}"
                )
            yield series.title, f"{cells[0]:>15s} {cells[1]:>15s}"


def _cells(summary: Summary | None) -> str:
    if summary is None:
        return f"{0:5d}" + f"{'—':>10s}" * 4
    return f"{summary.count:5d}" + "".join(
        f"{value * 1000:7.1f} ms"
        for value in (summary.p50, summary.p95, summary.p99, summary.max)
    )


def _left_out(title: str, name: str, figure: Tally) -> list[str]:
    parts = [
        f"{count} {what}"
        for count, what in (
            (figure.before_push, "shown before the push (a poll read the ring first)"),
            (figure.missing, f"not arrived within {ARRIVAL_WITHIN:g} s"),
            (figure.no_push, "without a push"),
        )
        if count
    ]
    return [f"{title}, {name}: " + ", ".join(parts)] if parts else []


# --- ringing -------------------------------------------------------------------------


class Ringer:
    """Drives the simulator and waits for the listener; numbers each ring."""

    def __init__(
        self, session: aiohttp.ClientSession, listener: ArrivalListener
    ) -> None:
        self.session = session
        self.listener = listener
        self._count = 0

    def number(self) -> str:
        """A caller number no other ring of the run has."""
        self._count += 1
        return f"03077{self._count:06d}"

    async def sim(self, url: str, path: str, body: Any) -> Any:
        """POST to the simulator's control API."""
        async with self.session.post(url + path, json=body) as response:
            response.raise_for_status()
            return await response.json()

    def mark(self) -> int:
        """Where the arrivals from now on begin."""
        return len(self.listener.arrivals)

    async def wait(
        self, rings: Sequence[Ring], needs: Mapping[str, Collection[str]], mark: int
    ) -> int:
        """Wait until each ring has an arrival of every kind in ``needs``.

        Looks at the arrivals from ``mark`` on, each once. Returns how many
        rings still lack one after ARRIVAL_WITHIN.
        """
        pending = {(index, kind) for index in range(len(rings)) for kind in needs}
        position = mark

        def done() -> bool:
            nonlocal position
            arrivals = self.listener.arrivals
            end = len(arrivals)  # the listener may append meanwhile
            for arrival in arrivals[position:end]:
                for index, kind in list(pending):
                    ring = rings[index]
                    if (
                        arrival.kind == kind
                        and arrival.phone == ring.phone
                        and arrival.value in needs[kind]
                        and _same_number(arrival.number, ring.number)
                    ):
                        pending.discard((index, kind))
            position = end
            return not pending

        await self.listener.wait_for(done, ARRIVAL_WITHIN)
        return len({index for index, _ in pending})


async def ring_one_at_a_time(
    rings: Ringer, phones: Sequence[demo.Phone], count: int
) -> tuple[list[Ring], int]:
    """``count`` rings, round robin; returns them and how many did not end in time."""
    made: list[Ring] = []
    unended = 0
    pause = random.Random(19)
    for index in range(count):
        phone = phones[index % len(phones)]
        number = rings.number()
        mark = rings.mark()
        triggered = time.monotonic()
        reply = await rings.sim(phone.sim_url, "/_sim/ring", {"number": number})
        ring = Ring(phone.index, number, int(reply["call_id"]), triggered)
        made.append(ring)
        await rings.wait([ring], RINGING, mark)
        await rings.sim(phone.sim_url, "/_sim/miss", {})
        unended += await rings.wait([ring], ENDED, mark)
        await asyncio.sleep(pause.uniform(*PAUSE))
    return made, unended


async def ring_in_bursts(
    rings: Ringer, phones: Sequence[demo.Phone], count: int
) -> tuple[list[Ring], int, int]:
    """Bursts of ``min(phones, count)`` phones until ``count`` rings.

    Returns the rings, how many did not end in time and how many bursts.
    """
    size = min(len(phones), count)
    control = phones[0].sim_url  # any phone's port reaches its whole fleet
    made: list[Ring] = []
    unended = bursts = 0
    while len(made) < count:
        start = len(made)
        group = [
            phones[(start + i) % len(phones)] for i in range(min(size, count - start))
        ]
        numbers = [(phone.index, rings.number()) for phone in group]
        calls = [{"phone": index, "number": number} for index, number in numbers]
        mark = rings.mark()
        triggered = time.monotonic()
        reply = await rings.sim(control, "/_sim/fleet/ring", {"calls": calls})
        burst = [
            Ring(index, number, int(rung["call_id"]), triggered)
            for (index, number), rung in zip(numbers, reply["rings"], strict=True)
        ]
        made.extend(burst)
        bursts += 1
        await rings.wait(burst, RINGING, mark)
        await rings.sim(
            control, "/_sim/fleet/miss", {"phones": [ring.phone for ring in burst]}
        )
        unended += await rings.wait(burst, ENDED, mark)
        await asyncio.sleep(BURST_PAUSE)
    return made, unended, bursts


async def push_times(
    session: aiohttp.ClientSession, phones: Sequence[demo.Phone], rings: list[Ring]
) -> list[Ring]:
    """The rings with when each phone handed its incoming push to the socket."""
    sent: dict[tuple[int, int], float] = {}
    for phone in phones:
        async with session.get(phone.sim_url + "/_sim/events") as response:
            response.raise_for_status()
            events = await response.json()
        for push in events["pushes"]:
            if push["event"] == "incoming" and push.get("sent") is not None:
                sent[phone.index, push["call_id"]] = float(push["sent"])
    return [
        Ring(r.phone, r.number, r.call_id, r.triggered, sent.get((r.phone, r.call_id)))
        for r in rings
    ]


async def measure_latency(
    client: HomeAssistantClient, phones: Sequence[demo.Phone], count: int, when: str
) -> LatencyResult:
    """Ring ``count`` times one at a time, then ``count`` times in bursts."""
    states = await client.states()
    verified = [
        phone
        for phone in phones
        if states.get(phone.entity("sensor", "push"), {}).get("state") == "verified"
    ]
    result = LatencyResult(when, len(verified), len(phones) - len(verified))
    if not verified:
        return result
    by_slug = {phone.slug: phone.index for phone in verified}
    line_sensors = {
        entity_id: by_slug[match_.group("slug")]
        for entity_id in states
        if (match_ := _LINE_SENSOR.match(entity_id)) and match_.group("slug") in by_slug
    }
    assert client.access_token is not None
    async with (
        ArrivalListener(
            client.base_url,
            client.access_token,
            line_sensors=line_sensors,
            devices={phone.device_id: phone.index for phone in verified},
        ) as listener,
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session,
    ):
        rings = Ringer(session, listener)
        say(f"push latency: {count} rings one at a time on {len(verified)} phones")
        single, single_unended = await ring_one_at_a_time(rings, verified, count)
        size = min(len(verified), count)
        say(f"push latency: {count} rings in bursts of {size} phones")
        burst, burst_unended, bursts = await ring_in_bursts(rings, verified, count)
        arrivals = list(listener.arrivals)
        timed = await push_times(session, verified, single + burst)
        single, burst = timed[: len(single)], timed[len(single) :]
    result.series = [
        Series(
            "one at a time",
            f"{len(single)} rings on {len(verified)} phones",
            match(single, arrivals),
            single_unended,
        ),
        Series(
            f"bursts of {size}",
            f"{bursts} burst{'s' if bursts != 1 else ''}",
            match(burst, arrivals),
            burst_unended,
        ),
    ]
    return result
