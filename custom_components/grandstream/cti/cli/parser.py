"""The command line's arguments."""

from __future__ import annotations

import argparse

from .. import ACTION_URL_SLOTS, DEFAULT_EVENTS, __version__
from .codes import ExitCode
from .passcode import ENV_VAR

PROG = "grandstream-cti"

_EXIT_CODES = "\n".join(
    f"  {int(code):>3}  {text}"
    for code, text in (
        (ExitCode.OK, "done"),
        (ExitCode.FAILED, "the phone answered something unusable (or a bug)"),
        (ExitCode.BAD_INPUT, "bad arguments or input, no passcode"),
        (ExitCode.UNREACHABLE, "the phone did not answer"),
        (ExitCode.NOT_AUTHORIZED, "passcode or account refused (not sent again)"),
        (ExitCode.LOCKED, "the phone's account is locked (too many wrong passwords)"),
        (ExitCode.REFUSED, "the phone refused the request or ignored a setting"),
        (ExitCode.UNKNOWN_OUTCOME, "a command got no readable answer: look first"),
        (ExitCode.PARTLY_DONE, "action-urls: slots of someone else left alone"),
        (ExitCode.INTERRUPTED, "interrupted"),
    )
)

DESCRIPTION = f"""\
Talk to a Grandstream desk phone (GXP16xx/17xx/21xx, GRP26xx, DP75x, WP8xx)
over its CTI interface and web session.

The passcode is the phone's web password. It is never an argument: give
--passcode-file PATH (- for standard input), set {ENV_VAR}, or type it
when asked. A passcode the phone refuses is never sent again: five wrong
passwords lock the phone's account.
"""

EPILOG = f"""\
Start with: {PROG} probe HOST   (add --web for model and firmware)
A phone that behaves differently: {PROG} capture HOST -o DIR --web

exit codes:
{_EXIT_CODES}
"""


def _events(text: str) -> tuple[str, ...]:
    if text == "all":
        return tuple(ACTION_URL_SLOTS)
    events = tuple(e.strip() for e in text.split(",") if e.strip())
    unknown = [e for e in events if e not in ACTION_URL_SLOTS]
    if unknown or not events:
        raise argparse.ArgumentTypeError(
            f"unknown event(s) {', '.join(unknown) or '(none)'}; "
            f"known: all, {', '.join(ACTION_URL_SLOTS)}"
        )
    return events


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError("must be between 0 and 3600")
    return value


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"not a port: {text!r}")
    return int(text)


def _account(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 16:
        raise argparse.ArgumentTypeError(
            "accounts are numbered from 1, as on the phone"
        )
    return int(text)


def _flag(parser: argparse.ArgumentParser, name: str, text: str) -> None:
    """An option that is off unless given."""
    parser.add_argument(name, action="store_true", help=text)


# CTI accepts the admin and the user password alike and does not say whose it
# was: a web login as the wrong account is a wrong password there.
_WHOSE_PASSCODE = (
    "CTI accepts the admin and the user password alike: if the passcode is the user "
    "account's, give --username user, or the login counts as one wrong admin password "
    "(five lock the account)."
)


def build_parser() -> argparse.ArgumentParser:
    """Every command and option."""
    common = argparse.ArgumentParser(add_help=False)
    _flag(common, "--json", "print one JSON document (for scripts)")
    common.add_argument(
        "--passcode-file",
        metavar="PATH",
        help=f"read the passcode from PATH's first line (- for standard input); "
        f"otherwise ${ENV_VAR}, otherwise a prompt",
    )
    common.add_argument(
        "--timeout",
        type=_positive,
        default=10.0,
        metavar="SECONDS",
        help="per request (default 10)",
    )
    scheme = common.add_mutually_exclusive_group()
    scheme.add_argument(
        "--https",
        action="store_true",
        help="use HTTPS without trying (default: detect)",
    )
    scheme.add_argument(
        "--http", action="store_true", help="use plain HTTP without trying HTTPS"
    )
    _flag(
        common,
        "--verify-ssl",
        "check the phone's certificate (phones ship self-signed ones)",
    )
    host = argparse.ArgumentParser(add_help=False)
    host.add_argument(
        "host", help="the phone: 192.0.2.10, phone.lan:8080, https://192.0.2.10"
    )
    keyed = argparse.ArgumentParser(add_help=False)
    keyed.add_argument(
        "--key-interval",
        type=_positive,
        default=1.0,
        metavar="SECONDS",
        help="how long the phone takes per key press (default 1)",
    )
    web = argparse.ArgumentParser(add_help=False)
    web.add_argument(
        "--username",
        choices=("admin", "user"),
        default="admin",
        help="web account the passcode belongs to (default admin; CTI accepts either "
        "account's password and cannot tell which one it was)",
    )

    parser = argparse.ArgumentParser(
        prog=PROG,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(
        name: str, text: str, *parents: argparse.ArgumentParser
    ) -> argparse.ArgumentParser:
        return sub.add_parser(
            name,
            help=text,
            description=text,
            parents=[common, host, *parents],
            formatter_class=argparse.RawDescriptionHelpFormatter,
            epilog=f"exit codes:\n{_EXIT_CODES}",
        )

    probe = command(
        "probe",
        "what the phone tells: schemes, web login, and with a passcode "
        "(one request set) status, lines, accounts",
        web,
    )
    probe.add_argument("--http-port", type=_port, help="try HTTP on this port")
    probe.add_argument("--https-port", type=_port, help="try HTTPS on this port")
    _flag(probe, "--no-passcode", "only what the phone tells without one")
    _flag(
        probe,
        "--web",
        "once the passcode is accepted, log in to the web interface with it "
        "for model, firmware and MAC, as --username (default admin; may end a "
        f"person's web session). {_WHOSE_PASSCODE}",
    )

    command("status", "the phone's state and its accounts' registration")
    command("lines", "every line's state, caller and account")

    watch = command("watch", "print line changes as they happen (Ctrl+C ends)")
    watch.add_argument(
        "--interval", type=_positive, default=1.0, metavar="SECONDS", help="poll every"
    )
    watch.add_argument(
        "--duration",
        type=_positive,
        metavar="SECONDS",
        help="stop after (default: never)",
    )
    watch.add_argument(
        "--listen",
        type=_port,
        metavar="PORT",
        help="also receive the phone's Action URL pushes on this port and print them",
    )
    watch.add_argument(
        "--listen-host",
        default="127.0.0.1",
        metavar="ADDRESS",
        help="address to listen on (default 127.0.0.1; 0.0.0.0 for a phone on the LAN)",
    )
    _flag(watch, "--no-poll", "only print pushes (needs --listen; no passcode used)")

    dial = command("dial", "dial a number (click-to-dial, else key presses)", keyed)
    dial.add_argument("number", help="digits, + * # , and readable spaces or dashes")
    dial.add_argument("--account", type=_account, help="1 = the first account")
    _flag(dial, "--no-keys", "never fall back to key presses")
    dial.add_argument(
        "--international-prefix",
        default="00",
        metavar="DIGITS",
        help="what + becomes on the keypad (default 00)",
    )

    keys = command("keys", "press keys: 1 2 SEND, or 1:2:SEND", keyed)
    keys.add_argument("keys", nargs="+", metavar="KEY")

    command("answer", "answer the ringing call")
    command("hangup", "end the active call")
    command("reject", "reject the ringing call")
    command("hold", "hold the active call, or resume it (the phone toggles)")
    reboot = command("reboot", "reboot the phone (away for about a minute)")
    _flag(reboot, "--yes", "do not ask")

    capture = command(
        "capture",
        "save what the phone answers, redacted, as a folder for a bug report "
        "(one request set; --web adds the Action URL slots)",
        web,
    )
    capture.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="DIR",
        help="the folder to write (new, or empty)",
    )
    _flag(
        capture,
        "--web",
        "once the passcode is accepted, log in to the web interface once for "
        "the Action URL slots, Click-To-Dial, model and firmware (then log out), as "
        f"--username (default admin). {_WHOSE_PASSCODE}",
    )
    capture.add_argument(
        "--model", help="the phone's model, if --web cannot tell (e.g. GXP2170)"
    )
    capture.add_argument(
        "--firmware", help="its firmware version, if --web cannot tell"
    )

    slots = sub.add_parser(
        "action-urls",
        help="show, set or clear the phone's Action URLs (web session)",
        description="The phone's Action URL slots, through its web interface: one "
        "login, then read or write, read back, log out. Slots holding someone "
        "else's URL are left alone unless --force.",
    )
    slot_sub = slots.add_subparsers(
        dest="slots_command", required=True, metavar="ACTION"
    )
    slot_sub.add_parser(
        "show", help="every slot and its URL", parents=[common, host, web]
    )
    set_ = slot_sub.add_parser(
        "set",
        help="point the slots at a URL",
        parents=[common, host, web],
        description="Write URL?e=EVENT&m=$mac... into each event's slot when it is "
        "empty or already points at URL (--force: whatever it holds), then read "
        "back and report what the phone ignored.",
    )
    set_.add_argument("--url", required=True, help="where the phone should push")
    set_.add_argument(
        "--events",
        type=_events,
        default=DEFAULT_EVENTS,
        metavar="LIST",
        help=f"comma-separated, or all (default: {','.join(DEFAULT_EVENTS)})",
    )
    _flag(set_, "--force", "take over used slots")
    clear = slot_sub.add_parser(
        "clear",
        help="empty the slots pointing at a URL",
        parents=[common, host, web],
    )
    clear.add_argument("--url", help="clear the slots pointing here")
    clear.add_argument(
        "--events", type=_events, default=tuple(ACTION_URL_SLOTS), metavar="LIST"
    )
    _flag(clear, "--force", "clear whatever the slots hold")
    return parser
