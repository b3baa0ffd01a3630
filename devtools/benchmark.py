"""Benchmarks: print what polling many phones and tracking calls cost.

Figures, not pass/fail: run ``scripts/benchmark`` before and after a change
and compare. By default everything runs on 127.0.0.1 in one process (simulated
phones and clients alike), so the CPU figure is an upper bound for the client
side. With ``--ha`` a real Home Assistant polls simulated phones in another
process (``devtools/ha_benchmark.py``).
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
import resource
import signal
import statistics
import sys
import time

import aiohttp

# Home Assistant loads its http component before its network helpers, which the
# integration imports; outside Home Assistant that order must be made by hand.
import homeassistant.components.http  # noqa: F401

from custom_components.grandstream.action_urls import Push, PushEvent
from custom_components.grandstream.call_tracker import CallTracker
from custom_components.grandstream.cti import GrandstreamClient, LineState, LineStatus
from simulator import PhoneFleet, PhoneProfile


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


async def bench_polling(phones: int, seconds: float, interval: float) -> None:
    """Poll ``phones`` simulated phones the way the coordinator does."""
    profile = PhoneProfile(passcode="bench", key_interval=0.01)
    async with PhoneFleet(phones, profile) as fleet, aiohttp.ClientSession() as session:
        clients = [
            GrandstreamClient(phone.address, "bench", session=session)
            for phone in fleet
        ]
        latencies: list[float] = []
        errors = 0
        deadline = time.monotonic() + seconds
        cpu_start = time.process_time()

        async def poll_forever(client: GrandstreamClient) -> None:
            nonlocal errors
            while time.monotonic() < deadline:
                started = time.monotonic()
                try:
                    await asyncio.gather(client.phone_status(), client.line_status())
                except Exception:  # noqa: BLE001 - counted, this is a benchmark
                    errors += 1
                latencies.append(time.monotonic() - started)
                await asyncio.sleep(interval)

        await asyncio.gather(*(poll_forever(client) for client in clients))
        cpu = time.process_time() - cpu_start
    polls = len(latencies)
    print(
        f"polling: {phones} phones, {seconds:g} s, one poll every {interval:g} s each"
    )
    print(f"  polls            {polls} ({polls / seconds:.0f}/s), errors {errors}")
    print(
        "  poll latency     "
        f"p50 {statistics.median(latencies) * 1000:.1f} ms, "
        f"p95 {_percentile(latencies, 0.95) * 1000:.1f} ms, "
        f"max {max(latencies) * 1000:.1f} ms"
    )
    print(
        f"  CPU per poll     {cpu / polls * 1e6:.0f} µs "
        "(client and simulator together, 2 requests each)"
    )


def bench_tracker(rounds: int) -> None:
    """Feed a call's life cycle through the tracker, push and poll both."""

    def lines(state: LineState, number: str = "") -> tuple[LineStatus, ...]:
        first = LineStatus(
            line=1,
            state=state,
            raw_state=state.value,
            account=1 if number else None,
            active=bool(number),
            conference=False,
            remote_name="Erika" if number else "",
            remote_number=number,
        )
        idle = LineStatus(2, LineState.IDLE, "idle", None, False, False, "", "")
        return (first, idle)

    tracker = CallTracker()
    events = 0

    def feed(lines_now: tuple[LineStatus, ...], *pushes: Push) -> None:
        nonlocal events
        events += len(tracker.update(lines=lines_now, pushes=pushes).events)

    feed(lines(LineState.IDLE))
    started = time.perf_counter()
    for i in range(rounds):
        number = f"+49301234{i % 1000:04d}"
        ringing = lines(LineState.RINGING, number)
        feed(ringing, Push(PushEvent.INCOMING, remote_number=number))
        feed(ringing)
        connected = lines(LineState.CONNECTED, number)
        feed(connected, Push(PushEvent.ESTABLISHED, remote_number=number))
        feed(connected)
        idle = lines(LineState.IDLE)
        feed(idle, Push(PushEvent.TERMINATED, remote_number=number))
        feed(idle)
    elapsed = time.perf_counter() - started
    print(f"call tracker: {rounds} calls, each reported by push and by poll")
    print(
        f"  {elapsed / rounds * 1e6:.1f} µs per call (6 inputs), "
        f"{events} events ({events / rounds:.0f} per call: incoming, answered, ended)"
    )


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Command line of both kinds of benchmark."""
    parser = argparse.ArgumentParser(
        prog="scripts/benchmark",
        description="Print what polling many phones and tracking calls cost. "
        "Without --ha: in-process polling and call-tracker benchmarks. With --ha: "
        "a real Home Assistant with simulated phones in separate processes.",
    )
    parser.add_argument(
        "--phones", type=int, help="simulated phones (20; with --ha: 200)"
    )
    parser.add_argument(
        "--seconds", type=float, help="measured seconds (5; with --ha: 180)"
    )
    parser.add_argument(
        "--interval", type=float, default=0.05, help="poll interval without --ha"
    )
    parser.add_argument(
        "--calls", type=int, default=20000, help="call-tracker rounds without --ha"
    )
    ha = parser.add_argument_group("--ha: a real Home Assistant")
    ha.add_argument("--ha", action="store_true", help="benchmark a real Home Assistant")
    ha.add_argument(
        "--push",
        choices=("verified", "off", "both"),
        default="both",
        help="verified (Action URLs set, push proven by a missed call on each "
        "phone), off (no Action URLs) or both, one after the other (both)",
    )
    ha.add_argument(
        "--settle",
        type=float,
        help="seconds between set-up and measuring (30; with --latency-only: 10)",
    )
    ha.add_argument(
        "--rings",
        type=int,
        default=50,
        help="push latency (push verified): rings one at a time and in bursts, "
        "after the CPU/lag window (50; 0: none)",
    )
    ha.add_argument(
        "--latency-only",
        action="store_true",
        help="push verified, push latency only: no CPU/lag window",
    )
    ha.add_argument(
        "--parallel",
        type=int,
        default=8,
        help="phones added through the config flow at a time (8)",
    )
    ha.add_argument(
        "--no-restart",
        action="store_true",
        help="measure without restarting Home Assistant after adding the phones "
        "(their polls then stay spread over the time it took to add them)",
    )
    ha.add_argument(
        "--keep-logs",
        type=Path,
        metavar="DIR",
        help="copy Home Assistant's and the simulator's logs to DIR/<push mode>",
    )
    args = parser.parse_args(argv)
    if args.phones is None:
        args.phones = 200 if args.ha else 20
    if args.seconds is None:
        args.seconds = 180.0 if args.ha else 5.0
    if args.settle is None:
        args.settle = 10.0 if args.latency_only else 30.0
    if (
        args.phones < 1
        or args.seconds <= 0
        or args.parallel < 1
        or args.settle < 0
        or args.rings < 0
    ):
        parser.error(
            "--phones, --seconds and --parallel must be positive, --settle and "
            "--rings not negative"
        )
    if args.latency_only:
        if args.push == "off":
            parser.error("--latency-only measures pushes: not with --push off")
        if args.rings == 0:
            parser.error("--latency-only needs --rings above 0")
        args.push = "verified"
    return args


def run_ha(args: argparse.Namespace) -> int:
    """``--ha``: a real Home Assistant and the simulator as processes."""
    # Imported here: the in-process benchmarks need none of it.
    from .ha_benchmark import PUSH_MODES, Options, run  # noqa: PLC0415

    def stop(signum: int, _frame: object) -> None:
        # Unwinds like Ctrl-C, so that both processes are stopped and the
        # temporary directory is removed.
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, stop)
    options = Options(
        phones=args.phones,
        seconds=args.seconds,
        settle=args.settle,
        modes=PUSH_MODES if args.push == "both" else (args.push,),
        parallel=args.parallel,
        restart=not args.no_restart,
        keep_logs=args.keep_logs.resolve() if args.keep_logs else None,
        rings=args.rings,
        latency_only=args.latency_only,
    )
    try:
        return run(options)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted: stopped Home Assistant and the simulator\n")
        return 130


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print their figures."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.ha:
        return run_ha(args)
    asyncio.run(bench_polling(args.phones, args.seconds, args.interval))
    bench_tracker(args.calls)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (RSS): {rss:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
