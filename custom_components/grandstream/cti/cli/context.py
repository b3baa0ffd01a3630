"""What one invocation of a command gets."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import ClientSession

from .. import GrandstreamClient, GrandstreamWebSession
from .codes import ExitCode
from .connect import Address, make_client, make_web, resolve
from .passcode import PasscodeUnavailableError
from .terminal import Terminal


@dataclass
class Run:
    """One invocation: arguments, streams, passcode, session."""

    args: argparse.Namespace
    terminal: Terminal
    address: Address
    session: ClientSession
    passcode: str | None = field(repr=False)

    @property
    def json(self) -> bool:
        """Whether the output is for a script."""
        return bool(self.args.json)

    def need_passcode(self) -> str:
        """The passcode; commands that need one get it before they start."""
        if self.passcode is None:  # pragma: no cover - read_passcode raised already
            raise PasscodeUnavailableError("No passcode")
        return self.passcode

    async def where(self) -> tuple[str, bool]:
        """Host and scheme: as typed, or HTTPS where the phone answers it."""
        return await resolve(self.address, self.session, self.args.timeout)

    async def cti_client(self) -> GrandstreamClient:
        """A CTI client for the phone, with the passcode."""
        host, use_ssl = await self.where()
        return make_client(host, use_ssl, self.need_passcode(), self.session, self.args)

    async def web_session(self) -> GrandstreamWebSession:
        """A web session for the phone (one login attempt at most)."""
        host, use_ssl = await self.where()
        return make_web(host, use_ssl, self.need_passcode(), self.session, self.args)


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
