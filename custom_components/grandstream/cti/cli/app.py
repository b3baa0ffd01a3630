"""Entry points: parse, get the passcode, run one command, map errors to exit codes."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
import contextlib
import sys

from .. import GrandstreamError, redact_text
from .codes import ExitCode, causes, error_data, exit_code_for, phone_words
from .connect import parse_address, phone_session
from .context import Handler, Run, bad_input
from .parser import build_parser
from .passcode import PasscodeUnavailableError, read_passcode
from .terminal import Terminal, safe

# Commands that change something on the phone: a dropped connection leaves
# their outcome unknown.
COMMANDS = frozenset(
    {"dial", "keys", "answer", "hangup", "reject", "hold", "reboot", "action-urls"}
)


def _handlers() -> dict[str, Handler]:
    # Imported here so that ``--help`` and bad arguments cost no more imports.
    from .calls import (  # noqa: PLC0415
        answer,
        dial,
        hangup,
        hold,
        lines,
        reboot,
        reject,
        send_keys,
        status,
    )
    from .capture import capture  # noqa: PLC0415
    from .probe import probe  # noqa: PLC0415
    from .slots import action_urls  # noqa: PLC0415
    from .watch import watch  # noqa: PLC0415

    return {
        "probe": probe,
        "status": status,
        "lines": lines,
        "watch": watch,
        "dial": dial,
        "keys": send_keys,
        "answer": answer,
        "hangup": hangup,
        "reject": reject,
        "hold": hold,
        "reboot": reboot,
        "action-urls": action_urls,
        "capture": capture,
    }


def _parse(argv: Sequence[str], terminal: Terminal) -> argparse.Namespace | int:
    """Parsed arguments, or the exit code argparse chose (help, version, error)."""
    parser = build_parser()
    try:
        with (
            contextlib.redirect_stdout(terminal.stdout),
            contextlib.redirect_stderr(terminal.stderr),
        ):
            return parser.parse_args(list(argv))
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else ExitCode.BAD_INPUT


def _passcode_wanted(args: argparse.Namespace) -> tuple[bool, bool]:
    """(whether to read one at all, whether it is optional)."""
    if args.command == "probe":
        return not args.no_passcode, True
    if args.command == "watch" and args.no_poll:
        return False, True
    return True, False


async def run(argv: Sequence[str], terminal: Terminal) -> int:
    """Run one command line; returns the exit code. Never raises for the phone's errors."""
    parsed = _parse(argv, terminal)
    if not isinstance(parsed, argparse.Namespace):
        return parsed
    args = parsed
    if args.command == "watch" and args.no_poll and args.listen is None:
        return bad_input(terminal, args.json, "--no-poll needs --listen PORT")
    try:
        address = parse_address(args.host, args)
    except ValueError as err:
        return bad_input(terminal, args.json, f"{safe(args.host, 80)}: {err}")
    wanted, optional = _passcode_wanted(args)
    passcode: str | None = None
    if wanted:
        try:
            # Blocking (a file, a prompt), and on purpose not in a thread: nothing
            # else runs yet, and the command must not start before it has an answer.
            passcode = read_passcode(terminal, args.passcode_file, optional=optional)
        except PasscodeUnavailableError as err:
            return bad_input(terminal, args.json, str(err))
    handler = _handlers()[args.command]
    async with phone_session() as session:
        current = Run(args, terminal, address, session, passcode)
        try:
            return await handler(current)
        except GrandstreamError as err:
            return report_error(current, err)
        except ValueError as err:
            # Input the library refused (a number, keys, a URL): nothing was sent.
            return report_error(current, err)


def report_error(current: Run, err: BaseException) -> ExitCode:
    """Say what went wrong, in the phone's words where it has any, and why."""
    code = exit_code_for(err, command=current.args.command in COMMANDS)
    message = safe(redact_text(str(err), current.passcode or ""), 1000)
    terminal = current.terminal
    if current.json:
        terminal.json(error_data(err, code, message))
        return code
    terminal.err(f"Error: {message}")
    if isinstance(err, GrandstreamError) and (words := phone_words(err)):
        terminal.err(f"The phone said: {words}")
    for cause in causes(err):
        terminal.err(f"  - {cause}")
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """The console script ``grandstream-cti`` and ``python -m grandstream_cti``."""
    terminal = Terminal.real()
    arguments = sys.argv[1:] if argv is None else argv
    try:
        return asyncio.run(run(arguments, terminal))
    except KeyboardInterrupt:
        # watch ends with Ctrl+C: that is its normal end.
        if arguments and arguments[0] == "watch":
            return ExitCode.OK
        terminal.err("Interrupted")
        return ExitCode.INTERRUPTED
