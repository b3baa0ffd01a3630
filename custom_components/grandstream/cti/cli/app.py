"""Entry points: parse, get the passcode, run one command, map errors to exit codes."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
import contextlib
from dataclasses import dataclass, field
import os
import sys

from .. import GrandstreamError, redact_text
from .codes import ExitCode, causes, error_data, exit_code_for, phone_words
from .connect import Address, parse_address, phone_session
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
        terminal.stdout.flush()  # help and version: a closed pipe shows here
        code = exit_.code
        return code if isinstance(code, int) else ExitCode.BAD_INPUT


def _passcode_wanted(args: argparse.Namespace) -> tuple[bool, bool]:
    """(whether to read one at all, whether it is optional)."""
    if args.command == "probe":
        return not args.no_passcode, True
    if args.command == "watch" and args.no_poll:
        return False, True
    return True, False


@dataclass(frozen=True, slots=True)
class Prepared:
    """A command line ready to run: everything a person had to type is in."""

    args: argparse.Namespace
    address: Address
    passcode: str | None = field(repr=False)


def prepare(argv: Sequence[str], terminal: Terminal) -> Prepared | int:
    """Parse, and ask what needs asking (passcode, confirmation); or an exit code.

    Blocking on purpose, and outside any event loop: a prompt inside
    ``asyncio.run`` would ignore the first Ctrl+C (the loop's handler only
    cancels its task, which is stuck in the prompt). Nothing is sent before
    every answer is in.
    """
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
            passcode = read_passcode(terminal, args.passcode_file, optional=optional)
        except PasscodeUnavailableError as err:
            return bad_input(terminal, args.json, str(err))
    if args.command == "reboot":
        from .calls import confirm_reboot  # noqa: PLC0415

        if (declined := confirm_reboot(terminal, args)) is not None:
            return declined
    return Prepared(args, address, passcode)


async def execute(prepared: Prepared, terminal: Terminal) -> int:
    """Run a prepared command; never raises for the phone's errors."""
    args = prepared.args
    handler = _handlers()[args.command]
    async with phone_session() as session:
        current = Run(args, terminal, prepared.address, session, prepared.passcode)
        try:
            return await handler(current)
        except GrandstreamError as err:
            return report_error(current, err)
        except ValueError as err:
            # Input the library refused (a number, keys, a URL): nothing was sent.
            return report_error(current, err)


async def run(argv: Sequence[str], terminal: Terminal) -> int:
    """Run one command line; returns the exit code. Never raises for the phone's errors."""
    prepared = prepare(argv, terminal)
    if not isinstance(prepared, Prepared):
        return prepared
    return await execute(prepared, terminal)


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
        prepared = prepare(arguments, terminal)
        if not isinstance(prepared, Prepared):
            return prepared
        return asyncio.run(execute(prepared, terminal))
    except KeyboardInterrupt:
        # watch ends with Ctrl+C: that is its normal end.
        if arguments and arguments[0] == "watch":
            return ExitCode.OK
        terminal.err("Interrupted")
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        # The reader went away (``| head``): nothing more to say to anyone.
        # Python's final flush of stdout would fail again and print a
        # traceback; point it at /dev/null instead.
        _silence_stdout()
        return ExitCode.FAILED


def _silence_stdout() -> None:
    try:
        target = sys.stdout.fileno()
    except (OSError, ValueError):
        return  # no real stream (a test's): nothing flushes it at exit
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        with contextlib.suppress(OSError):
            os.dup2(devnull, target)
    finally:
        os.close(devnull)
