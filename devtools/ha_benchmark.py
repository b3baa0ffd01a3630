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

With push ``verified``, after the window (so that its rings do not change the
window's figures) comes the push latency (``devtools/push_latency.py``): from the
phone's push to the ringing line state and to the ``incoming`` event arriving on
a WebSocket, ``--rings`` rings one at a time and as many in bursts of phones
ringing at once. ``--latency-only`` skips the window for quick iterations.

Figures, not pass/fail. The set-up times, the CPU used by the simulator and by
everything else on the machine, the late ticks against the poll seconds and
Home Assistant's warnings are printed as context for reading them. Recording
and reading the window live in ``bench_window.py``, the report in
``bench_report.py``.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator, Sequence
import contextlib
from dataclasses import dataclass
import json
import math
from pathlib import Path
import random
import shutil
import socket
import tempfile
import time
from typing import Any

from . import demo
from .bench_report import out, print_machine, print_mode, print_summary, say
from .bench_window import (
    LogSummary,
    Window,
    WindowResult,
    load_during,
    measure,
    poll_spread,
    read_log,
    sim_requests,
)
from .client import HomeAssistantClient
from .processes import (
    ChildProcess,
    free_port,
    hass_process,
    simulator_process,
    wait_http,
)
from .push_latency import LatencyResult, measure_latency

PUSH_MODES = ("off", "verified")
CONFIGURATION = Path(__file__).parent / "benchmark_configuration.yaml"
PROBE = Path(__file__).parent / "loop_probe"
# Waiting for push to be verified: per round of calls, and rounds at most.
VERIFY_WITHIN = 90.0
VERIFY_ROUNDS = 3
# Ring long enough for the phone's push (sent ~1 s late) and the poll it triggers.
RING_SECONDS = 4.0


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
    # Push latency (devtools/push_latency.py): rings each way, 0 for none.
    rings: int = 50
    # No CPU/lag window: only the push latency, for iterating on it.
    latency_only: bool = False


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
            if push["error"]:
                result = push["error"].split(":", 1)[0]
            elif push["status"] is None:
                result = "no answer yet"
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
    measured: WindowResult | None  # None with --latency-only
    latency: LatencyResult | None  # None without push or rings
    log_setup: LogSummary
    log_latency: LogSummary | None
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
        window: Window | None = None
        if not options.latency_only:
            say(f"measuring for {options.seconds:g} s")
            window = await measure(client, stack, options.seconds)
        verified_after = None
        if mode == "verified":
            states = await push_states(client, phones)
            verified_after = sum(state == "verified" for state in states.values())
        latency: LatencyResult | None = None
        latency_start = _log_size(stack)
        if mode == "verified" and options.rings > 0:
            # After the window, so that its rings do not change the window's figures.
            begun = time.monotonic()
            when = (
                "no CPU/lag window (--latency-only)"
                if window is None
                else "after the CPU/lag window"
            )
            rung, load = await load_during(
                client, stack, measure_latency(client, phones, options.rings, when)
            )
            rung.load = load.describe()
            timings["latency"] = time.monotonic() - begun
            # Kept with the logs (--keep-logs): every ring's times.
            (stack.root / "logs" / "push_latency.json").write_text(
                json.dumps(rung.raw(), indent=1)
            )
            latency = rung
    finally:
        await client.__aexit__(None, None, None)
    measured: WindowResult | None = None
    setup_end = latency_start
    if window is not None:
        requests = await sim_requests(stack.sim_urls, window.start, window.end)
        start, end = window.log_range
        setup_end = start
        measured = WindowResult(
            window=window,
            requests=requests,
            spread=poll_spread(requests, window.seconds / 60),
            log=read_log(stack.log_file, start, end),
        )
    return ModeResult(
        mode=mode,
        phones=len(phones),
        timings=timings,
        verified=verified,
        verify_rounds=rounds,
        verified_after=verified_after,
        measured=measured,
        latency=latency,
        log_setup=read_log(stack.log_file, 0, setup_end),
        log_latency=read_log(stack.log_file, latency_start, _log_size(stack))
        if latency is not None
        else None,
        ha_version=ha_version,
    )


def _log_size(stack: BenchStack) -> int:
    return stack.log_file.stat().st_size if stack.log_file.exists() else 0


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
