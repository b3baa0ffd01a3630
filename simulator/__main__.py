"""Command line: run simulated phones, replay a captured one, or drive a running one.

    python -m simulator --port 8080 --phones 2
    python -m simulator --replay captures/gxp2170-1.0.11.106   # or a diagnostics file
    python -m simulator ctl --url http://127.0.0.1:8080 ring --number +4930123456 \
        --name "Erika Mustermann"

The ``ctl`` client uses only the standard library so it works from any
Python without the project's virtualenv.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
import contextlib
import json
import signal
import ssl
import sys
from typing import Any
import urllib.error
import urllib.request

from .models import EVENTS, FAULT_KINDS
from .profile import PRESETS, PhoneProfile

TRANSPORTS = ("http", "https", "both")


def build_serve_parser() -> argparse.ArgumentParser:
    """Arguments for running phones."""
    parser = argparse.ArgumentParser(
        prog="python -m simulator",
        description="Simulated Grandstream phones speaking the CTI HTTP API. "
        "Use 'python -m simulator ctl --help' to drive a running phone.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--port", type=int, default=8080, help="first port (0 = any free ports)"
    )
    parser.add_argument("--phones", type=int, default=1, help="number of phones")
    parser.add_argument("--passcode", default="admin")
    parser.add_argument(
        "--profile",
        choices=sorted(PRESETS),
        default="guide",
        help="which captured phone to play (default: the CTI guides' examples)",
    )
    parser.add_argument("--lines", type=int, help="default: the profile's")
    parser.add_argument("--model", help="default: the profile's")
    parser.add_argument(
        "--transport",
        choices=TRANSPORTS,
        default="http",
        help="both: HTTP on the port, self-signed HTTPS on a second port",
    )
    parser.add_argument(
        "--https", action="store_true", help="same as --transport https"
    )
    parser.add_argument(
        "--key-interval", type=float, default=1.0, help="seconds per key"
    )
    parser.add_argument(
        "--reboot-duration", type=float, default=60.0, help="seconds offline"
    )
    parser.add_argument(
        "--replay",
        metavar="PATH",
        help="play a captured phone: a capture folder (grandstream-cti capture) "
        "or a diagnostics file; its model, lines and answers replace --profile",
    )
    parser.add_argument(
        "--action-url",
        action="append",
        default=[],
        metavar="EVENT=URL",
        help=f"Action URL template, repeatable; events: {', '.join(EVENTS)}",
    )
    return parser


def build_ctl_parser() -> argparse.ArgumentParser:
    """Arguments for the control client."""
    parser = argparse.ArgumentParser(
        prog="python -m simulator ctl", description="Drive a running simulator."
    )
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    sub = parser.add_subparsers(dest="command", required=True)
    ring = sub.add_parser("ring", help="an incoming call rings")
    ring.add_argument("--number", required=True)
    ring.add_argument("--name", default="")
    ring.add_argument("--account", type=int, default=1)
    for name, text in (
        ("answer", "the user picks up (default: first ringing line)"),
        ("remote-answer", "the far end answers an outgoing call"),
        ("hangup", "the far end hangs up"),
        ("miss", "the caller gives up while ringing"),
    ):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("--line", type=int)
    sub.add_parser("reboot", help="reboot the phone")
    sub.add_parser("state", help="show lines, accounts and settings")
    sub.add_parser("requests", help="show received CTI requests")
    sub.add_parser("keys", help="show pressed keys")
    sub.add_parser("events", help="show emitted events and Action URL pushes")
    sub.add_parser("web", help="show web sessions and Action URL slots")
    sub.add_parser("web-requests", help="show received web API requests")
    for name, text in (
        ("web-login", "a person logs in to the web UI (ends our session)"),
        ("web-logout", "the person logs out of the web UI"),
    ):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("--username", choices=("admin", "user"), default="admin")
    sub.add_parser("web-expire", help="expire every web API session now")
    fault = sub.add_parser("fault", help="inject a fault (no --kind: clear)")
    fault.add_argument("--kind", choices=sorted(FAULT_KINDS))
    fault.add_argument("--delay", type=float, default=0.0)
    fault.add_argument("--count", type=int)
    fault.add_argument("--duration", type=float, help="seconds until it ends")
    action_url = sub.add_parser(
        "action-url", help="write one Action URL as the phone's settings would"
    )
    action_url.add_argument("event", choices=EVENTS)
    # Not "url": that would overwrite the simulator's own --url.
    action_url.add_argument(
        "action_url", metavar="URL", help="the URL to store; empty to clear the slot"
    )
    register = sub.add_parser("register", help="(un)register an account")
    register.add_argument("--account", type=int, default=1)
    register.add_argument("--unregistered", action="store_true")
    profile = sub.add_parser("profile", help="change profile fields")
    profile.add_argument(
        "settings", nargs="+", metavar="FIELD=JSON", help="e.g. click_to_dial=false"
    )
    return parser


def parse_action_urls(items: Sequence[str]) -> dict[str, str]:
    """Turn ``EVENT=URL`` items into the profile's action_urls mapping."""
    urls: dict[str, str] = {}
    for item in items:
        event, sep, url = item.partition("=")
        if not sep or event not in EVENTS or not url:
            raise ValueError(f"bad --action-url {item!r}; use EVENT=URL")
        urls[event] = url
    return urls


def profile_from_args(args: argparse.Namespace) -> PhoneProfile:
    """The base profile the serve arguments describe."""
    transport = "https" if args.https else args.transport
    changes: dict[str, Any] = {
        "passcode": args.passcode,
        "https": transport == "https",
        "extra_https_port": transport == "both",
        "key_interval": args.key_interval,
        "reboot_duration": args.reboot_duration,
        # Real phones wait about a second before pushing (phone-protocol.md §7).
        "action_url_delay": 1.0,
    }
    if args.lines is not None:
        changes["lines"] = args.lines
    if args.model is not None:
        changes["model"] = args.model
    profile = PhoneProfile.preset(args.profile, **changes)
    for event, url in parse_action_urls(args.action_url).items():
        if not profile.store_action_url(event, url):
            raise ValueError(
                f"--action-url {event}: longer than the "
                f"{profile.action_url_max_length} characters a phone keeps"
            )
    return profile


def replay_from_args(args: argparse.Namespace) -> Any:
    """The replayed phone ``--replay`` asks for, with the timing arguments."""
    from .replay import ReplayedPhone, load_replay  # noqa: PLC0415 - aiohttp

    base = profile_from_args(args)
    return ReplayedPhone(
        load_replay(args.replay),
        passcode=base.passcode,
        https=base.https,
        extra_https_port=base.extra_https_port,
        key_interval=base.key_interval,
        reboot_duration=base.reboot_duration,
        action_url_delay=base.action_url_delay,
        action_urls=base.action_urls,
    )


async def serve(args: argparse.Namespace) -> None:
    """Run the phones until SIGINT/SIGTERM."""
    from .fleet import PhoneFleet  # noqa: PLC0415 - aiohttp only to serve

    if args.replay:
        fleet: Any = [replay_from_args(args)]
        await fleet[0].start(args.host, args.port)
    else:
        fleet = PhoneFleet(args.phones, profile_from_args(args))
        await fleet.start(args.host, args.port)
    for index, phone in enumerate(fleet, start=1):
        extra = (
            f" https {phone.https_base_url}" if phone.profile.extra_https_port else ""
        )
        print(
            f"phone {index}: {phone.base_url} mac {phone.profile.mac}{extra}",
            flush=True,
        )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        # Windows has no loop signal handlers; Ctrl+C still ends asyncio.run.
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        if args.replay:
            await fleet[0].stop()
        else:
            await fleet.stop()


def ctl_request(args: argparse.Namespace) -> tuple[str, str, dict[str, Any] | None]:
    """Map a ctl command to (HTTP method, path, JSON body)."""
    command: str = args.command
    if command in ("state", "requests", "keys", "events", "web", "web-requests"):
        return "GET", "/_sim/" + command.replace("-", "_"), None
    if command in ("web-login", "web-logout"):
        return "POST", "/_sim/" + command.replace("-", "_"), {"username": args.username}
    if command == "web-expire":
        return "POST", "/_sim/web_expire", {}
    if command == "ring":
        body = {"number": args.number, "name": args.name, "account": args.account}
        return "POST", "/_sim/ring", body
    if command in ("answer", "remote-answer", "hangup", "miss"):
        line_body = {} if args.line is None else {"line": args.line}
        return "POST", "/_sim/" + command.replace("-", "_"), line_body
    if command == "reboot":
        return "POST", "/_sim/reboot", {}
    if command == "fault":
        if args.kind is None:
            return "POST", "/_sim/fault", {}
        fault = {
            "kind": args.kind,
            "delay": args.delay,
            "count": args.count,
            "duration": args.duration,
        }
        return "POST", "/_sim/fault", fault
    if command == "action-url":
        body = {"event": args.event, "url": args.action_url}
        return "POST", "/_sim/action_url", body
    if command == "register":
        reg = {"account": args.account, "registered": not args.unregistered}
        return "POST", "/_sim/register", reg
    if command == "profile":
        changes: dict[str, Any] = {}
        for setting in args.settings:
            name, sep, raw = setting.partition("=")
            if not sep:
                raise ValueError(f"bad setting {setting!r}; use FIELD=JSON")
            try:
                changes[name] = json.loads(raw)
            except ValueError:
                changes[name] = raw  # plain strings need no quotes
        return "POST", "/_sim/profile", changes
    raise ValueError(f"unknown command {command}")


def run_ctl(argv: Sequence[str]) -> int:
    """Execute one control command and print the JSON answer."""
    code, answer = request_ctl(argv)
    if answer is not None:
        print(json.dumps(answer, indent=2))
    return code


def request_ctl(argv: Sequence[str]) -> tuple[int, Any]:
    """Execute one control command: (exit code, the JSON answer or None).

    Errors are printed to stderr.
    """
    parser = build_ctl_parser()
    args = parser.parse_args(argv)
    try:
        method, path, body = ctl_request(args)
    except ValueError as err:
        parser.error(str(err))
    data = None if body is None else json.dumps(body).encode()
    if not args.url.startswith(("http://", "https://")):
        print(f"--url must be http(s)://..., got {args.url}", file=sys.stderr)
        return 2, None
    request = urllib.request.Request(
        args.url.rstrip("/") + path,
        data=data,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    # The simulator's HTTPS certificate is self-signed, like a real phone's.
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(request, timeout=10, context=context) as response:
            text = response.read().decode()
    except urllib.error.HTTPError as err:
        print(err.read().decode(), file=sys.stderr)
        return 1, None
    except OSError as err:
        print(f"cannot reach {args.url}: {err}", file=sys.stderr)
        return 1, None
    return 0, json.loads(text)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for ``python -m simulator``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "ctl":
        return run_ctl(argv[1:])
    parser = build_serve_parser()
    args = parser.parse_args(argv)
    if args.replay and args.phones != 1:
        parser.error("--replay plays one phone: leave out --phones")
    try:
        profile_from_args(args)
        if args.replay:
            # Read now, so that a wrong path fails before anything listens.
            replay_from_args(args)
    except ValueError as err:  # a CaptureFormatError is one too
        parser.error(str(err))
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
