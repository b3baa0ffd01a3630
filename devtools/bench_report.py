"""The printed report of ``scripts/benchmark --ha``: per mode, a summary, the machine.

Progress goes to stderr (``say``), the figures to stdout (``out``), so that
stdout holds only the report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
import contextlib
from dataclasses import dataclass
import json
import math
import os
from pathlib import Path
import platform
import statistics
import subprocess
import sys
from typing import TYPE_CHECKING

import aiohttp

from . import demo
from .bench_window import Window, WindowResult, peak_cpu
from .processes import REPO

if TYPE_CHECKING:
    from .ha_benchmark import ModeResult, Options

# Probe ticks at least this late are shown with when they happened.
LATE = 0.010
# A minute's second-by-second histogram of when polls started.
HISTOGRAM_ROW = 10


def say(text: str) -> None:
    """A progress line (stderr, so that stdout holds only the figures)."""
    sys.stderr.write(f"==> {text}\n")
    sys.stderr.flush()


def out(text: str = "") -> None:
    """A line of the report."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


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


def figures(measured: WindowResult, phones: int) -> Figures:
    """The headline figures of one mode's window."""
    window = measured.window
    lags = [lag for _, lag in window.ticks] or [math.nan]
    return Figures(
        hass_cpu=window.hass_cpu / window.seconds * 100,
        hass_cpu_peak=peak_cpu(window.hass_cpu_samples),
        lag_p50=statistics.median(lags),
        lag_p99=_percentile(lags, 0.99),
        lag_max=max(lags),
        requests_per_phone_minute=len(measured.requests)
        / phones
        / (window.seconds / 60),
        busiest_second=measured.spread.busiest_second,
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
    measured = result.measured
    out()
    if measured is None:
        out(
            f"== push {result.mode}: {result.phones} phones, no CPU/lag window "
            f"(--latency-only), {options.settle:g} s settling =="
        )
    else:
        out(
            f"== push {result.mode}: {result.phones} phones, window "
            f"{measured.window.seconds:.0f} s after {options.settle:g} s settling =="
        )
    steps = ", ".join(f"{name} {value:.0f} s" for name, value in result.timings.items())
    out(f"  timings              {steps}")
    if result.verified is not None:
        after = "the window" if measured is not None else "settling"
        out(
            f"  push verified        {result.verified}/{result.phones} before "
            f"{after}, {result.verified_after}/{result.phones} after it"
        )
        for line in result.verify_rounds:
            out(f"    {line}")
    if measured is not None:
        _print_window(measured, result.phones)
    if result.latency is not None:
        for line in result.latency.report_lines():
            out(line)
    for title, summary in (
        ("set-up", result.log_setup),
        ("window", measured.log if measured else None),
        ("latency", result.log_latency),
    ):
        if summary is None:
            continue
        out(f"  hass log, {title:7s}   {summary.total} warnings/errors")
        for (level, logger), count in summary.counts.most_common():
            message = summary.first[level, logger]
            out(f"    {count:5d} {level:8s} {logger}: {message}")


def _print_window(measured: WindowResult, phones: int) -> None:
    """CPU, loop lag, requests and polls of the window."""
    window = measured.window
    fig = figures(measured, phones)
    minutes = window.seconds / 60
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
        return bool({int(due), int(due) - 1} & measured.spread.poll_seconds)

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
    by_function = Counter(function for _, _, function in measured.requests)
    parts = ", ".join(
        f"{function} {count / phones / minutes:.2f}"
        for function, count in sorted(by_function.items())
    )
    out(
        f"  requests/phone/min   {fig.requests_per_phone_minute:.2f} "
        f"({parts or 'none'})"
    )
    spread = measured.spread
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
        if result.measured is None:
            out(
                f"{result.mode:9s} {result.phones:6d}  no CPU/lag window (--latency-only)"
            )
            continue
        fig = figures(result.measured, result.phones)
        out(
            f"{result.mode:9s} {result.phones:6d} {fig.hass_cpu:8.1f}% "
            f"{fig.hass_cpu_peak:8.1f}% {fig.lag_p50 * 1000:6.1f}ms "
            f"{fig.lag_p99 * 1000:6.1f}ms {fig.lag_max * 1000:6.1f}ms "
            f"{fig.requests_per_phone_minute:10.2f} {fig.busiest_second:12d}"
        )
    latencies = [r for r in results if r.latency is not None and r.latency.series]
    if latencies:
        out()
        out(
            f"{'push latency, p50/p99 ms':34s} {'push → state':>15s} {'push → event':>15s}"
        )
        for result in latencies:
            assert result.latency is not None
            for title, cells in result.latency.summary_cells():
                out(f"{result.mode:9s} {title:24s} {cells}")


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
