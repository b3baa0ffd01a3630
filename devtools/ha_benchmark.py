"""``scripts/benchmark --ha``: a real Home Assistant polling many simulated phones.

For each push mode, a fresh stack: the simulator as its own process with N
phones, ``hass -c`` on a temporary configuration directory (with the loop probe
from ``devtools/loop_probe``), onboarding, and the N phones added through the
integration's config flow over HTTP (``devtools/demo.py``). Then, by default,
Home Assistant restarts so that every phone is set up at once, as after any
restart of a real installation; for ``verified`` each phone gets a call (ring,
then missed) so that its pushes prove themselves. After a settle period the
window is measured:

- Home Assistant's CPU (utime + stime of its process and threads, and of its
  children) in % of one core, over the window and its busiest 10 seconds;
- the event loop's lag (the probe's 50 ms ticks: how late each ran), and the
  garbage collections (which stop the loop too) with their durations;
- CTI requests per phone and minute by function, from the simulator's logs;
- how the polls are spread in time (marching in step or not).

Figures, not pass/fail. The set-up times, the CPU used by the simulator and by
everything else on the machine, the late ticks against the poll seconds and
Home Assistant's warnings are printed as context for reading them.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator, Sequence
import contextlib
from dataclasses import dataclass, field
import json
import math
import os
from pathlib import Path
import platform
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

import aiohttp

from . import demo
from .client import HomeAssistantClient
from .processes import (
    REPO,
    ChildProcess,
    free_port,
    hass_process,
    simulator_process,
    wait_http,
)

PUSH_MODES = ("off", "verified")
CONFIGURATION = Path(__file__).parent / "benchmark_configuration.yaml"
PROBE = Path(__file__).parent / "loop_probe"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# Requests to one phone closer together than this belong to the same poll.
POLL_GAP = 0.5
# Probe ticks at least this late are shown with when they happened.
LATE = 0.010
# A minute's second-by-second histogram of when polls started.
HISTOGRAM_ROW = 10
# Waiting for push to be verified: per round of calls, and rounds at most.
VERIFY_WITHIN = 90.0
VERIFY_ROUNDS = 3
# Ring long enough for the phone's push (sent ~1 s late) and the poll it triggers.
RING_SECONDS = 4.0
_LOG_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ (?P<level>[A-Z]+) \([^)]*\) "
    r"\[(?P<logger>[^\]]+)\] (?P<message>.*)"
)
_NOISY_LEVELS = ("WARNING", "ERROR", "CRITICAL")
# Home Assistant colours its console output even into a file.
_COLOUR = re.compile(r"\x1b\[[0-9;]*m")


def say(text: str) -> None:
    """A progress line (stderr, so that stdout holds only the figures)."""
    sys.stderr.write(f"==> {text}\n")
    sys.stderr.flush()


def out(text: str = "") -> None:
    """A line of the report."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


@dataclass(frozen=True)
class Options:
    """What to run."""

    phones: int = 200
    seconds: float = 180.0
    settle: float = 30.0
    modes: tuple[str, ...] = PUSH_MODES
    parallel: int = 8
    restart: bool = True
    verify_share: float = 0.95
    keep_logs: Path | None = None


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


def free_port_run(count: int) -> int:
    """The first of ``count`` consecutive free ports, below the ephemeral range.

    Below it, so that no outgoing connection takes one of them between this
    check and the simulator binding them.
    """
    for _ in range(50):
        base = random.randrange(20000, 32000 - count)
        try:
            for port in range(base, base + count):
                with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                    sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise OSError(f"no run of {count} free ports found")


# --- the stack -----------------------------------------------------------------------


@dataclass
class BenchStack:
    """The simulator and Home Assistant of one mode, and their temporary directory."""

    root: Path
    config_dir: Path
    base_url: str
    sim_urls: list[str]
    hass: ChildProcess
    sim: ChildProcess

    @property
    def log_file(self) -> Path:
        """Home Assistant's output: its log lines, across restarts.

        Its own home-assistant.log starts afresh on each start.
        """
        return self.root / "logs" / "hass.log"

    def hass_pid(self) -> int:
        """The running Home Assistant's process id."""
        assert self.hass.proc is not None
        return self.hass.proc.pid

    def sim_pid(self) -> int:
        """The running simulator's process id."""
        assert self.sim.proc is not None
        return self.sim.proc.pid


@contextlib.contextmanager
def bench_stack(phones: int, keep_logs: Path | None, mode: str) -> Iterator[BenchStack]:
    """Start the simulator and Home Assistant; stop both and remove the directory."""
    root = Path(tempfile.mkdtemp(prefix="grandstream-bench-"))
    logs = root / "logs"
    config_dir = root / "config"
    ha_port = free_port()
    sim_port = free_port_run(phones)
    sim = simulator_process(
        sim_port, phones=phones, key_interval=0.05, log=logs / "simulator.log"
    )
    # From the configuration directory: the loop probe is installed only there.
    hass = hass_process(config_dir, ha_port, log=logs / "hass.log", cwd=config_dir)
    stack = BenchStack(
        root=root,
        config_dir=config_dir,
        base_url=f"http://127.0.0.1:{ha_port}",
        sim_urls=[f"http://127.0.0.1:{sim_port + i}" for i in range(phones)],
        hass=hass,
        sim=sim,
    )
    try:
        demo.prepare_config_dir(config_dir, configuration=CONFIGURATION)
        shutil.copytree(PROBE, config_dir / "custom_components" / PROBE.name)
        sim.start()
        hass.start()
        wait_http(stack.sim_urls[-1] + "/_sim/state", sim, timeout=60)
        wait_http(stack.base_url + "/auth/providers", hass, timeout=300)
        yield stack
    finally:
        hass_rc = hass.stop(timeout=60)
        sim.stop(timeout=20)
        if hass_rc not in (0, None):
            say(f"Home Assistant exited with {hass_rc}")
        if keep_logs is not None and logs.is_dir():
            target = keep_logs / mode
            target.mkdir(parents=True, exist_ok=True)
            for log in logs.iterdir():
                shutil.copy(log, target / log.name)
            say(f"logs of push {mode} kept in {target}")
        shutil.rmtree(root, ignore_errors=True)


# --- setting up ----------------------------------------------------------------------


async def add_phones(
    client: HomeAssistantClient, sim_urls: Sequence[str], *, push: bool, parallel: int
) -> list[demo.Phone]:
    """Add every phone through the config flow, ``parallel`` at a time."""
    gate = asyncio.Semaphore(parallel)
    added = 0

    async def add(index: int, url: str) -> demo.Phone:
        nonlocal added
        async with gate:
            phone = await demo.add_phone(client, index, url, push=push)
        added += 1
        if added % 25 == 0 or added == len(sim_urls):
            say(f"  {added}/{len(sim_urls)} phones added")
        return phone

    async with asyncio.TaskGroup() as group:
        tasks = [
            group.create_task(add(index, url))
            for index, url in enumerate(sim_urls, start=1)
        ]
    return [task.result() for task in tasks]


async def wait_entries_loaded(
    client: HomeAssistantClient, count: int, within: float = 300.0
) -> None:
    """Wait until ``count`` entries of the integration are loaded."""
    deadline = time.monotonic() + within
    while True:
        states = Counter(e["state"] for e in await client.config_entries(demo.DOMAIN))
        if states["loaded"] >= count:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"config entries after {within:.0f} s: {dict(states)}")
        await asyncio.sleep(1)


async def log_in(stack: BenchStack) -> HomeAssistantClient:
    """A logged-in client (onboarding the owner on first start); close it after use."""
    client = HomeAssistantClient(stack.base_url)
    await client.__aenter__()
    try:
        await demo.ensure_logged_in(client)
        await client.wait_running(within=600)
    except BaseException:
        await client.__aexit__(None, None, None)
        raise
    return client


async def push_states(
    client: HomeAssistantClient, phones: Sequence[demo.Phone]
) -> dict[int, str]:
    """Each phone's push sensor state, by phone index."""
    states = await client.states()
    return {
        phone.index: states.get(phone.entity("sensor", "push"), {}).get("state", "")
        for phone in phones
    }


async def make_calls(phones: Sequence[demo.Phone], parallel: int) -> None:
    """Each phone rings, then the caller gives up (a missed call)."""
    gate = asyncio.Semaphore(parallel)

    async def sim(phone: demo.Phone, path: str, body: dict[str, Any]) -> None:
        async with gate:
            await demo.async_sim(phone.sim_url, path, body)

    async with asyncio.TaskGroup() as group:
        for phone in phones:
            number = f"+4930555{phone.index:04d}"
            group.create_task(sim(phone, "/_sim/ring", {"number": number}))
    await asyncio.sleep(RING_SECONDS)
    async with asyncio.TaskGroup() as group:
        for phone in phones:
            group.create_task(sim(phone, "/_sim/miss", {}))


async def push_outcomes(phones: Sequence[demo.Phone], since: float) -> Counter[str]:
    """How the phones' pushes since ``since`` went: "incoming 200", "missed TimeoutError"."""
    outcomes: Counter[str] = Counter()
    for phone in phones:
        events = await demo.async_sim(phone.sim_url, "/_sim/events")
        for push in events["pushes"]:
            if push["time"] < since:
                continue
            if push["dropped"]:
                result = "dropped"
            elif push["error"]:
                result = push["error"].split(":", 1)[0]
            else:
                result = str(push["status"])
            outcomes[f"{push['event']} {result}"] += 1
    return outcomes


async def verify_push(
    client: HomeAssistantClient, phones: Sequence[demo.Phone], options: Options
) -> tuple[int, list[str]]:
    """Make calls until enough phones show push verified.

    Returns how many do, and a line per round of calls (with how the pushes of
    the phones still not verified went, which tells a lost push from a slow one).
    """
    wanted = math.ceil(len(phones) * options.verify_share)
    verified = 0
    rounds: list[str] = []
    for round_ in range(1, VERIFY_ROUNDS + 1):
        states = await push_states(client, phones)
        pending = [p for p in phones if states[p.index] != "verified"]
        say(f"  round {round_}: a missed call on {len(pending)} phones")
        begun = time.monotonic()
        await make_calls(pending, options.parallel)
        deadline = time.monotonic() + VERIFY_WITHIN
        while time.monotonic() < deadline:
            states = await push_states(client, phones)
            verified = sum(state == "verified" for state in states.values())
            if verified == len(phones):
                break
            await asyncio.sleep(2)
        took = time.monotonic() - begun
        line = (
            f"round {round_}: calls on {len(pending)} phones, then {verified}/"
            f"{len(phones)} verified within {took:.0f} s"
        )
        if verified < len(phones):
            stuck = [p for p in pending if states[p.index] != "verified"]
            outcomes = await push_outcomes(stuck, begun)
            sensors = Counter(states[p.index] for p in stuck)
            line += (
                f"; the {len(stuck)} others show {dict(sensors)}, their pushes: "
                + (
                    ", ".join(f"{k} ×{v}" for k, v in sorted(outcomes.items()))
                    or "none"
                )
            )
        say("  " + line)
        rounds.append(line)
        if verified >= wanted:
            break
    return verified, rounds


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


# --- one mode ------------------------------------------------------------------------


@dataclass
class ModeResult:
    """The figures of one push mode."""

    mode: str
    phones: int
    timings: dict[str, float]
    verified: int | None
    verify_rounds: list[str]
    verified_after: int | None
    window: Window
    requests: list[tuple[int, float, str]]
    spread: Spread
    log_setup: LogSummary
    log_window: LogSummary
    ha_version: str


async def run_mode(stack: BenchStack, mode: str, options: Options) -> ModeResult:
    """Set up, (restart,) verify push, settle, measure."""
    timings: dict[str, float] = {}
    started = time.monotonic()
    client = await log_in(stack)
    try:
        ha_version = str((await client.get("/api/config")).get("version", "?"))
        say(f"adding {options.phones} phones through the config flow")
        phones = await add_phones(
            client, stack.sim_urls, push=mode == "verified", parallel=options.parallel
        )
        timings["add phones"] = time.monotonic() - started
    finally:
        await client.__aexit__(None, None, None)
    restarted = time.monotonic()
    if options.restart:
        say(
            "restarting Home Assistant: every phone is set up at once, as after a restart"
        )
        stack.hass.stop(timeout=120)
        stack.hass.start()
        wait_http(stack.base_url + "/auth/providers", stack.hass, timeout=300)
    client = await log_in(stack)
    try:
        if options.restart:
            await wait_entries_loaded(client, len(phones))
            timings["restart"] = time.monotonic() - restarted
        verified: int | None = None
        rounds: list[str] = []
        if mode == "verified":
            say("verifying push: each phone rings, then the call is missed")
            calls = time.monotonic()
            verified, rounds = await verify_push(client, phones, options)
            timings["verify push"] = time.monotonic() - calls
            say(f"  push verified on {verified}/{len(phones)} phones")
        say(f"settling for {options.settle:g} s")
        await asyncio.sleep(options.settle)
        say(f"measuring for {options.seconds:g} s")
        window = await measure(client, stack, options.seconds)
        verified_after = None
        if mode == "verified":
            states = await push_states(client, phones)
            verified_after = sum(state == "verified" for state in states.values())
    finally:
        await client.__aexit__(None, None, None)
    requests = await sim_requests(stack.sim_urls, window.start, window.end)
    spread = poll_spread(requests, window.seconds / 60)
    start, end = window.log_range
    return ModeResult(
        mode=mode,
        phones=len(phones),
        timings=timings,
        verified=verified,
        verify_rounds=rounds,
        verified_after=verified_after,
        window=window,
        requests=requests,
        spread=spread,
        log_setup=read_log(stack.log_file, 0, start),
        log_window=read_log(stack.log_file, start, end),
        ha_version=ha_version,
    )


# --- the report ----------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


@dataclass(frozen=True)
class Figures:
    """The headline figures of a mode, as printed in the summary."""

    hass_cpu: float
    hass_cpu_peak: float
    lag_p50: float
    lag_p99: float
    lag_max: float
    requests_per_phone_minute: float
    busiest_second: int


def figures(result: ModeResult) -> Figures:
    """The headline figures of one mode."""
    window = result.window
    lags = [lag for _, lag in window.ticks] or [math.nan]
    return Figures(
        hass_cpu=window.hass_cpu / window.seconds * 100,
        hass_cpu_peak=peak_cpu(window.hass_cpu_samples),
        lag_p50=statistics.median(lags),
        lag_p99=_percentile(lags, 0.99),
        lag_max=max(lags),
        requests_per_phone_minute=len(result.requests)
        / result.phones
        / (window.seconds / 60),
        busiest_second=result.spread.busiest_second,
    )


def _collection_during(window: Window, due: float, lag: float) -> str:
    """ ", GC gen2 612.0 ms" when a garbage collection ran while the tick was late."""
    during = [
        (generation, duration)
        for start, generation, duration in window.collections
        if due <= start + duration and start <= due + lag
    ]
    if not during:
        return ""
    generation, duration = max(during, key=lambda item: item[1])
    return f", GC gen{generation} {_ms(duration)}"


def print_mode(result: ModeResult, options: Options) -> None:
    """The figures of one mode, with what is needed to read them."""
    window = result.window
    fig = figures(result)
    minutes = window.seconds / 60
    out()
    out(
        f"== push {result.mode}: {result.phones} phones, window {window.seconds:.0f} s "
        f"after {options.settle:g} s settling =="
    )
    steps = ", ".join(f"{name} {value:.0f} s" for name, value in result.timings.items())
    out(f"  timings              {steps}")
    if result.verified is not None:
        out(
            f"  push verified        {result.verified}/{result.phones} before the window, "
            f"{result.verified_after}/{result.phones} after it"
        )
        for line in result.verify_rounds:
            out(f"    {line}")
    out(
        f"  hass CPU             {fig.hass_cpu:.1f} % of one core "
        f"(busiest 10 s: {fig.hass_cpu_peak:.1f} %); memory {window.hass_rss:.0f} MiB"
    )
    others = window.machine_cpu - window.hass_cpu - window.sim_cpu - window.own_cpu
    out(
        f"  other CPU            simulator {window.sim_cpu / window.seconds * 100:.1f} %, "
        f"everything else on the machine {max(others, 0) / window.seconds * 100:.1f} % "
        "(of one core)"
    )
    expected = window.seconds / window.probe_interval
    out(
        f"  event-loop lag       p50 {_ms(fig.lag_p50)}, p99 {_ms(fig.lag_p99)}, "
        f"max {_ms(fig.lag_max)} ({len(window.ticks)} ticks of "
        f"{window.probe_interval * 1000:.0f} ms; {expected:.0f} if never late)"
    )

    def near_polls(due: float) -> bool:
        return bool({int(due), int(due) - 1} & result.spread.poll_seconds)

    late = [(due, lag) for due, lag in window.ticks if lag >= LATE]
    late_near = sum(1 for due, _ in late if near_polls(due))
    # The share of all ticks there, for comparison: polls every 5 s leave
    # few seconds that are not right after a poll.
    all_near = sum(1 for due, _ in window.ticks if near_polls(due))
    out(
        f"  late ticks           {len(late)} at least {_ms(LATE)} late, {late_near} of "
        "them in or right after a second in which polls started (of all ticks: "
        f"{all_near / max(len(window.ticks), 1) * 100:.0f} %); worst at second "
        "of the minute: "
        + (
            ", ".join(
                f"{int(due) % 60} ({_ms(lag)}{_collection_during(window, due, lag)})"
                for due, lag in sorted(late, key=lambda tick: -tick[1])[:5]
            )
            or "none"
        )
    )
    by_generation: dict[int, list[float]] = {}
    for _, generation, duration in window.collections:
        by_generation.setdefault(generation, []).append(duration)
    out(
        "  garbage collections  "
        + (
            ", ".join(
                f"gen{generation} {len(durations)}× (max {_ms(max(durations))}, "
                f"total {_ms(sum(durations))})"
                for generation, durations in sorted(by_generation.items())
            )
            or "none"
        )
    )
    by_function = Counter(function for _, _, function in result.requests)
    parts = ", ".join(
        f"{function} {count / result.phones / minutes:.2f}"
        for function, count in sorted(by_function.items())
    )
    out(
        f"  requests/phone/min   {fig.requests_per_phone_minute:.2f} "
        f"({parts or 'none'})"
    )
    spread = result.spread
    polls_per_minute = spread.polls / minutes
    seconds_with_polls = sum(1 for value in spread.per_second_of_minute if value > 0)
    out(
        f"  polls                {spread.polls} ({polls_per_minute:.0f}/min); "
        f"busiest 1-s window: {spread.busiest_second} phones polled "
        f"(evenly spread: {polls_per_minute / 60:.1f}); busiest clock second "
        f"{spread.busiest_request_second} requests; polls in "
        f"{seconds_with_polls}/60 seconds of the minute"
    )
    out("  polls started per second of the minute (per minute, seconds 0-59):")
    row = HISTOGRAM_ROW
    for first in range(0, 60, row):
        cells = " ".join(
            f"{value:5.1f}"
            for value in spread.per_second_of_minute[first : first + row]
        )
        out(f"    {first:2d}-{first + row - 1:2d}  {cells}")
    for title, summary in (("set-up", result.log_setup), ("window", result.log_window)):
        out(f"  hass log, {title:7s}   {summary.total} warnings/errors")
        for (level, logger), count in summary.counts.most_common():
            message = summary.first[level, logger]
            out(f"    {count:5d} {level:8s} {logger}: {message}")


def print_summary(results: Sequence[ModeResult]) -> None:
    """One line per mode, for comparing runs."""
    out()
    out("== summary ==")
    header = (
        f"{'push':9s} {'phones':>6s} {'hass CPU':>9s} {'peak 10s':>9s} "
        f"{'lag p50':>8s} {'lag p99':>8s} {'lag max':>8s} {'req/ph/min':>10s} "
        f"{'max polls/1s':>12s}"
    )
    out(header)
    for result in results:
        fig = figures(result)
        out(
            f"{result.mode:9s} {result.phones:6d} {fig.hass_cpu:8.1f}% "
            f"{fig.hass_cpu_peak:8.1f}% {fig.lag_p50 * 1000:6.1f}ms "
            f"{fig.lag_p99 * 1000:6.1f}ms {fig.lag_max * 1000:6.1f}ms "
            f"{fig.requests_per_phone_minute:10.2f} {fig.busiest_second:12d}"
        )


def _git_revision() -> str:
    try:
        revision = subprocess.run(
            ["git", "-C", str(REPO), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return revision


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def print_machine(ha_version: str) -> None:
    """Machine and versions, so that figures from elsewhere are not compared blindly."""
    manifest = json.loads(
        (REPO / "custom_components" / demo.DOMAIN / "manifest.json").read_text()
    )
    load = Path("/proc/loadavg").read_text().split()[:3]
    out()
    out(
        f"machine: {os.cpu_count()} cores ({_cpu_model()}), "
        f"Linux {platform.release()}, load average now {' '.join(load)}"
    )
    out(
        f"versions: Python {platform.python_version()}, Home Assistant {ha_version}, "
        f"aiohttp {aiohttp.__version__}, grandstream {manifest['version']} "
        f"(git {_git_revision()})"
    )


def run(options: Options) -> int:
    """Run every requested mode; print each mode's figures and a summary."""
    results: list[ModeResult] = []
    begun = time.monotonic()
    for mode in options.modes:
        say(
            f"push {mode}: starting the simulator ({options.phones} phones) and Home Assistant"
        )
        mode_begun = time.monotonic()
        with bench_stack(options.phones, options.keep_logs, mode) as stack:
            result = asyncio.run(run_mode(stack, mode, options))
        result.timings["whole mode"] = time.monotonic() - mode_begun
        results.append(result)
        print_mode(result, options)
    print_summary(results)
    print_machine(results[0].ha_version if results else "?")
    out(f"run time: {time.monotonic() - begun:.0f} s")
    return 0
