"""Running the command line in-process, against the simulated phone on 127.0.0.1.

``run`` is the command line's own entry point minus ``asyncio.run``: the phone and
the command share the test's event loop. Every run checks that the passcode appears
nowhere in what the command printed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
import io
import json
from typing import Any

from custom_components.grandstream.cti.cli import Terminal, run
from custom_components.grandstream.cti.cli.passcode import ENV_VAR

from .phone import PASSCODE

# Never a passcode any test phone has: what "wrong" sends.
WRONG = "Wr0ng-Passc0de!"


@dataclass
class Result:
    """What a run printed and returned."""

    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        """Both streams."""
        return self.out + self.err

    def json(self) -> Any:
        """The one JSON document of a ``--json`` run."""
        lines = [line for line in self.out.splitlines() if line.strip()]
        assert len(lines) == 1, self.out
        return json.loads(lines[0])

    def json_lines(self) -> list[Any]:
        """Every JSON document (``watch --json`` prints one per line)."""
        return [json.loads(line) for line in self.out.splitlines() if line.strip()]


async def cli(
    argv: Sequence[str],
    *,
    passcode: str | None = PASSCODE,
    interactive: bool = False,
    secret: Callable[[str], str] | None = None,
    answer: Callable[[str], str] | None = None,
    stdin: str = "",
    secrets: Sequence[str] = (PASSCODE, WRONG),
) -> Result:
    """Run ``grandstream-cti argv``; ``passcode`` goes into the environment."""
    stdout, stderr = io.StringIO(), io.StringIO()
    env = {} if passcode is None else {ENV_VAR: passcode}

    def refuse(prompt: str) -> str:
        raise AssertionError(f"unexpected prompt {prompt!r}")

    terminal = Terminal(
        stdout=stdout,
        stderr=stderr,
        stdin=io.StringIO(stdin),
        env=env,
        interactive=interactive,
        ask_secret=secret or refuse,
        ask=answer or refuse,
    )
    code = await run(list(argv), terminal)
    result = Result(int(code), stdout.getvalue(), stderr.getvalue())
    for value in secrets:
        assert value not in result.text, "a passcode was printed"
    return result
