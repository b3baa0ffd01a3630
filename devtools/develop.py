"""``scripts/develop``: the phone simulator and a real Home Assistant, ready to use.

    python -m devtools.develop [--phones N] [--reset] [--port 8123] [--sim-port 8080]

Runs until Ctrl-C (or SIGTERM), then stops Home Assistant and the simulator.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from pathlib import Path
import signal
import sys
import time

from . import demo
from .processes import REPO, hass_process, port_in_use, simulator_process, wait_http


def say(text: str) -> None:
    """A progress line."""
    sys.stdout.write(f"==> {text}\n")
    sys.stdout.flush()


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Command line."""
    parser = argparse.ArgumentParser(
        prog="scripts/develop",
        description="Start the phone simulator and a real Home Assistant with the "
        "integration from this working tree, set up and ready to use.",
    )
    parser.add_argument("--phones", type=int, default=1, help="simulated phones (1)")
    parser.add_argument(
        "--reset", action="store_true", help="forget the previous state, start clean"
    )
    parser.add_argument("--port", type=int, default=8123, help="Home Assistant port")
    parser.add_argument(
        "--sim-port", type=int, default=8080, help="first simulated phone's port"
    )
    parser.add_argument(
        "--reboot-duration",
        type=float,
        default=15.0,
        help="seconds a simulated phone is offline when restarted (15)",
    )
    parser.add_argument(
        "--config", type=Path, default=REPO / "config", help="configuration directory"
    )
    parser.add_argument(
        "--setup-only",
        action="store_true",
        help="stop again once everything is set up (a smoke test)",
    )
    args = parser.parse_args(argv)
    if args.phones < 1:
        parser.error("--phones must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    """Start, set up, wait for Ctrl-C, stop."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    busy = [
        port
        for port in (args.port, *range(args.sim_port, args.sim_port + args.phones))
        if port_in_use(port)
    ]
    if busy:
        say(
            f"port(s) {', '.join(map(str, busy))} on 127.0.0.1 are in use: is "
            "scripts/develop running already? (Or use --port / --sim-port.)"
        )
        return 1
    config: Path = args.config.resolve()
    demo.prepare_config_dir(config, reset=args.reset)
    if args.reset:
        say(f"--reset: removed the previous state in {config}")
    log_dir = config / "logs"
    sim = simulator_process(
        args.sim_port,
        phones=args.phones,
        reboot_duration=args.reboot_duration,
        key_interval=0.3,
        log=log_dir / "simulator.log",
    )
    hass = hass_process(config, args.port, log=log_dir / "hass.log")
    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        if stopping:
            return
        stopping = True
        raise KeyboardInterrupt

    # Also SIGINT: a shell starts background jobs with SIGINT ignored.
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    base_url = f"http://127.0.0.1:{args.port}"
    sim_urls = [f"http://127.0.0.1:{args.sim_port + i}" for i in range(args.phones)]
    started = time.monotonic()
    try:
        say(
            f"Starting {args.phones} simulated phone(s) at {sim_urls[0]} (log: {sim.log})"
        )
        sim.start()
        say(f"Starting Home Assistant at {base_url} (log: {hass.log})")
        hass.start()
        wait_http(sim_urls[-1] + "/_sim/state", sim, timeout=30)
        wait_http(base_url + "/auth/providers", hass, timeout=300)
        say("Home Assistant answers; onboarding / logging in, adding the phone(s)")
        stale = demo.stale_entries(config, sim_urls)
        if stale:
            say(f"Replacing {len(stale)} phone(s) of an earlier start on other ports")
        phones, onboarded_now = asyncio.run(_setup(base_url, sim_urls, stale))
        print_ready(args, base_url, phones, onboarded_now, time.monotonic() - started)
        if args.setup_only:
            return 0
        while True:
            sim.check_alive()
            hass.check_alive()
            time.sleep(1)
    except KeyboardInterrupt:
        sys.stdout.write("\n")
        say("Stopping Home Assistant and the simulator")
        return 0
    except Exception as err:  # noqa: BLE001 - report and stop the children
        say(f"ERROR: {err}")
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        with contextlib.suppress(Exception):
            hass.stop()
        with contextlib.suppress(Exception):
            sim.stop(timeout=10)
        signal.signal(signal.SIGINT, signal.SIG_DFL)


async def _setup(
    base_url: str, sim_urls: list[str], stale: list[str]
) -> tuple[list[demo.Phone], bool]:
    client, phones, onboarded_now = await demo.setup(
        base_url, sim_urls, remove_entries=stale
    )
    await client.__aexit__(None, None, None)
    return phones, onboarded_now


def print_ready(
    args: argparse.Namespace,
    base_url: str,
    phones: list[demo.Phone],
    onboarded_now: bool,
    seconds: float,
) -> None:
    """What to open and what to try."""
    first = "" if args.phones == 1 else " (the dashboard shows phone 1)"
    lines = [
        "",
        f"Ready in {seconds:.0f} s{' (first start: onboarded)' if onboarded_now else ''}.",
        "",
        f"  Home Assistant  {base_url}/",
        f"  Dashboard       {base_url}/grandstream-phone/phone{first}",
        f"  Login           user '{demo.DEMO_USER}', password '{demo.DEMO_PASSWORD}'",
    ]
    lines.extend(
        f"  Phone {phone.index}         {phone.sim_url} "
        f"(entities {phone.slug}_*, passcode {demo.PASSCODE})"
        for phone in phones
    )
    lines += [
        "",
        "Try (in another terminal):",
        '  scripts/phone ring --name "Erika Mustermann" --number +4930123456',
        "  scripts/phone answer      # the desk phone's user picks up",
        "  scripts/phone hangup      # the caller hangs up",
        "  scripts/phone miss        # ring, then the caller gives up: --name/--number too",
        "  scripts/phone reboot",
        "  scripts/phone --phone 2 ring --number 123   # with --phones 2",
        "",
        f"Logs: {args.config.resolve() / 'logs'}.",
        "Ctrl-C stops everything; scripts/develop --reset starts clean.",
        "",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
