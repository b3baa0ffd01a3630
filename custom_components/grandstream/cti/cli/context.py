"""What one invocation of a command gets."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import ClientSession

from .codes import ExitCode
from .connect import Address
from .passcode import PasscodeUnavailableError
from .terminal import Terminal


@dataclass
class Run:
    """One invocation: arguments, streams, passcode, session."""

    args: argparse.Namespace
    terminal: Terminal
    address: Address
    session: ClientSession
    passcode: str | None

    @property
    def json(self) -> bool:
        """Whether the output is for a script."""
        return bool(self.args.json)

    def need_passcode(self) -> str:
        """The passcode; commands that need one get it before they start."""
        if self.passcode is None:  # pragma: no cover - read_passcode raised already
            raise PasscodeUnavailableError("No passcode")
        return self.passcode


Handler = Callable[[Run], Awaitable[ExitCode]]


def bad_input(terminal: Terminal, as_json: bool, message: str) -> ExitCode:
    """Say that the input cannot be used (exit 2); nothing was sent."""
    if as_json:
        terminal.json(
            {
                "ok": False,
                "exit_code": int(ExitCode.BAD_INPUT),
                "error": {"type": "BadInput", "message": message},
            }
        )
    else:
        terminal.err(f"Error: {message}")
    return ExitCode.BAD_INPUT
