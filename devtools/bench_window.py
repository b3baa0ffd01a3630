"""The measurement window of ``scripts/benchmark --ha``: what it records and reads.

CPU time of processes and of the machine from ``/proc``, the loop probe's
ticks and garbage collections, the simulator's CTI request logs (and how the
polls spread over time), and Home Assistant's warnings and errors.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Sequence
import contextlib
from dataclasses import dataclass, field
import math
import os
from pathlib import Path
import re
import statistics
import time
from typing import TYPE_CHECKING

import aiohttp

from .client import HomeAssistantClient

if TYPE_CHECKING:
    from .ha_benchmark import BenchStack

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# Requests to one phone closer together than this belong to the same poll.
POLL_GAP = 0.5
_LOG_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ (?P<level>[A-Z]+) \([^)]*\) "
    r"\[(?P<logger>[^\]]+)\] (?P<message>.*)"
)
_NOISY_LEVELS = ("WARNING", "ERROR", "CRITICAL")
# Home Assistant colours its console output even into a file.
_COLOUR = re.compile(r"\x1b\[[0-9;]*m")


# --- measuring processes from /proc -------------------------------------------------


def _stat_fields(pid: int) -> list[str]:
    """Fields of /proc/PID/stat from the state on (the name may contain spaces)."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return text.rsplit(")", 1)[1].split()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError):
            if int(_stat_fields(int(entry.name))[1]) == pid:
                found.append(int(entry.name))
    return found


def cpu_seconds(pid: int, *, descendants: bool = True) -> float:
    """CPU time of ``pid`` (all its threads), its reaped children and live descendants.

    Finding live descendants means reading every process's stat file; the
    per-second samples skip that (Home Assistant starts no processes here).
    """
    fields = _stat_fields(pid)
    # utime, stime, cutime, cstime are fields 14-17 of the file: 11-14 here.
    ticks = sum(int(value) for value in fields[11:15])
    total = ticks / CLOCK_TICKS
    if descendants:
        for child in _children(pid):
            with contextlib.suppress(OSError):
                total += cpu_seconds(child)
    return total


def resident_mib(pid: int) -> float:
    """Resident memory of ``pid`` in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return math.nan


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent on anything but idle and I/O wait."""
    values = [
        int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    ]
    # user nice system idle iowait irq softirq steal (guest time is inside user).
    busy = sum(values[:8]) - values[3] - values[4]
    return busy / CLOCK_TICKS


# --- measuring -----------------------------------------------------------------------


@dataclass
class Window:
    """What was recorded during the measurement window."""

    start: float
    end: float
    hass_cpu: float
    hass_cpu_samples: list[tuple[float, float]]
    sim_cpu: float
    machine_cpu: float
    own_cpu: float
    ticks: list[tuple[float, float]]  # (due, lag) of each probe tick
    collections: list[tuple[float, int, float]]  # (start, generation, duration)
    probe_interval: float
    log_range: tuple[int, int]
    hass_rss: float

    @property
    def seconds(self) -> float:
        """Length of the window."""
        return self.end - self.start


async def measure(
    client: HomeAssistantClient, stack: BenchStack, seconds: float
) -> Window:
    """Reset the probe, sample CPU every second for ``seconds``, collect the lags."""
    hass_pid, sim_pid = stack.hass_pid(), stack.sim_pid()
    await client.post("/api/loop_probe")
    log_start = stack.log_file.stat().st_size if stack.log_file.exists() else 0
    start = time.monotonic()
    hass0, sim0 = cpu_seconds(hass_pid), cpu_seconds(sim_pid)
    machine0, own0 = machine_busy_seconds(), time.process_time()
    samples = [(start, cpu_seconds(hass_pid, descendants=False))]
    while (now := time.monotonic()) < start + seconds:
        await asyncio.sleep(min(1.0, start + seconds - now))
        stack.hass.check_alive()
        stack.sim.check_alive()
        samples.append((time.monotonic(), cpu_seconds(hass_pid, descendants=False)))
    end = time.monotonic()
    hass1, sim1 = cpu_seconds(hass_pid), cpu_seconds(sim_pid)
    machine1, own1 = machine_busy_seconds(), time.process_time()
    probe = await client.get("/api/loop_probe")
    log_end = stack.log_file.stat().st_size if stack.log_file.exists() else 0
    return Window(
        start=start,
        end=end,
        hass_cpu=hass1 - hass0,
        hass_cpu_samples=samples,
        sim_cpu=sim1 - sim0,
        machine_cpu=machine1 - machine0,
        own_cpu=own1 - own0,
        ticks=[(float(due), float(lag)) for due, lag in probe["ticks"]],
        collections=[
            (float(start), int(generation), float(duration))
            for start, generation, duration in probe["gc"]
        ],
        probe_interval=float(probe["interval"]),
        log_range=(log_start, log_end),
        hass_rss=resident_mib(hass_pid),
    )


@dataclass(frozen=True)
class Load:
    """What the machine did during a step: context for that step's figures."""

    seconds: float
    hass_cpu: float
    sim_cpu: float
    own_cpu: float
    others_cpu: float  # everything else on the machine
    lags: list[float]  # the loop probe's ticks

    def describe(self) -> str:
        """CPU in % of one core and loop lag, on one line."""
        lags = sorted(self.lags) or [math.nan]

        def share(cpu: float) -> str:
            return f"{cpu / self.seconds * 100:.1f} %"

        return (
            f"CPU: hass {share(self.hass_cpu)}, simulator {share(self.sim_cpu)}, "
            f"benchmark {share(self.own_cpu)}, everything else "
            f"{share(max(self.others_cpu, 0.0))} (of one core); hass loop lag "
            f"p50 {statistics.median(lags) * 1000:.1f} ms, "
            f"max {lags[-1] * 1000:.1f} ms"
        )


async def load_during[T](
    client: HomeAssistantClient, stack: BenchStack, step: Awaitable[T]
) -> tuple[T, Load]:
    """Run ``step``; return its result and what the machine did meanwhile."""
    hass_pid, sim_pid = stack.hass_pid(), stack.sim_pid()
    await client.post("/api/loop_probe")
    start = time.monotonic()
    hass0, sim0 = cpu_seconds(hass_pid), cpu_seconds(sim_pid)
    machine0, own0 = machine_busy_seconds(), time.process_time()
    result = await step
    hass = cpu_seconds(hass_pid) - hass0
    sim = cpu_seconds(sim_pid) - sim0
    own = time.process_time() - own0
    machine = machine_busy_seconds() - machine0
    seconds = time.monotonic() - start
    probe = await client.get("/api/loop_probe")
    return result, Load(
        seconds=seconds,
        hass_cpu=hass,
        sim_cpu=sim,
        own_cpu=own,
        others_cpu=machine - hass - sim - own,
        lags=[float(lag) for _, lag in probe["ticks"]],
    )


def peak_cpu(samples: Sequence[tuple[float, float]], span: float = 10.0) -> float:
    """The highest CPU share (% of one core) over any ``span`` seconds of samples."""
    best = 0.0
    for i, (t0, c0) in enumerate(samples):
        for t1, c1 in samples[i + 1 :]:
            if t1 - t0 >= span:
                best = max(best, (c1 - c0) / (t1 - t0) * 100)
                break
    return best


async def sim_requests(
    sim_urls: Sequence[str], start: float, end: float
) -> list[tuple[int, float, str]]:
    """(phone index, time, CTI function) of every request in [start, end)."""
    found: list[tuple[int, float, str]] = []
    gate = asyncio.Semaphore(16)
    async with aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=60)
    ) as session:

        async def fetch(index: int, url: str) -> None:
            async with gate, session.get(url + "/_sim/requests") as response:
                response.raise_for_status()
                logged = await response.json()
            found.extend(
                (index, r["time"], r["function"])
                for r in logged
                if start <= r["time"] < end
            )

        async with asyncio.TaskGroup() as group:
            for index, url in enumerate(sim_urls, start=1):
                group.create_task(fetch(index, url))
    found.sort(key=lambda item: item[1])
    return found


@dataclass
class Spread:
    """When polls started (a poll = one phone's requests less than POLL_GAP apart)."""

    polls: int
    busiest_second: int  # phones whose poll started within one 1-second window
    per_second_of_minute: list[float]  # polls per minute, by second of the minute
    busiest_request_second: int  # requests (all phones) in one clock second
    poll_seconds: set[int]  # clock seconds in which at least one poll started


def poll_spread(requests: Sequence[tuple[int, float, str]], minutes: float) -> Spread:
    """How the polls spread over time; a poll counts at its first request."""
    last_seen: dict[int, float] = {}
    starts: list[tuple[float, int]] = []
    for index, when, _ in requests:
        previous = last_seen.get(index)
        if previous is None or when - previous > POLL_GAP:
            starts.append((when, index))
        last_seen[index] = when
    busiest = 0
    in_window: Counter[int] = Counter()
    left = 0
    for when, index in starts:
        in_window[index] += 1
        while starts[left][0] <= when - 1.0:
            gone = starts[left][1]
            in_window[gone] -= 1
            if not in_window[gone]:
                del in_window[gone]
            left += 1
        busiest = max(busiest, len(in_window))
    # Home Assistant's loop clock is the same monotonic clock, and it schedules
    # coordinator refreshes at whole seconds plus a fraction: seconds line up.
    histogram = [0.0] * 60
    for when, _ in starts:
        histogram[int(when) % 60] += 1 / max(minutes, 1e-9)
    per_second = Counter(int(when) for _, when, _ in requests)
    return Spread(
        polls=len(starts),
        busiest_second=busiest,
        per_second_of_minute=histogram,
        busiest_request_second=max(per_second.values(), default=0),
        poll_seconds={int(when) for when, _ in starts},
    )


@dataclass
class LogSummary:
    """Warnings and errors of Home Assistant's log, by level and logger."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    first: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """All counted lines."""
        return sum(self.counts.values())


def read_log(path: Path, start: int = 0, end: int | None = None) -> LogSummary:
    """Count warning and error lines between byte offsets ``start`` and ``end``."""
    summary = LogSummary()
    if not path.exists():
        return summary
    with path.open("rb") as handle:
        handle.seek(start)
        data = handle.read(None if end is None else end - start)
    for line in _COLOUR.sub("", data.decode(errors="replace")).splitlines():
        match = _LOG_LINE.match(line)
        if match is None or match["level"] not in _NOISY_LEVELS:
            continue
        key = (match["level"], match["logger"])
        summary.counts[key] += 1
        summary.first.setdefault(key, match["message"][:160])
    return summary


@dataclass
class WindowResult:
    """The window and what was read from the simulator and the log for it."""

    window: Window
    requests: list[tuple[int, float, str]]  # (phone index, time, CTI function)
    spread: Spread
    log: LogSummary
