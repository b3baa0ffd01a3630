"""Where the command line reads and writes: real streams, or test doubles."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
import getpass
import json
import os
import sys
from typing import Any, TextIO

# Characters a phone or a push could send that would move the cursor, change
# colours or rewrite the terminal's title: shown escaped instead.
_CONTROL = {i: f"\\x{i:02x}" for i in (*range(0x20), 0x7F)}
_C1 = {i: f"\\x{i:02x}" for i in range(0x80, 0xA0)}
_SAFE_TABLE = {**_CONTROL, **_C1}


def safe(text: object, limit: int = 500) -> str:
    """``text`` fit for a terminal: control characters escaped, length bounded.

    Everything a phone or a push sends is untrusted; a name with an escape
    sequence in it must not reach the terminal as one.
    """
    value = str(text).translate(_SAFE_TABLE)
    if len(value) > limit:
        return value[:limit] + "…"
    return value


@dataclass
class Terminal:
    """Standard streams, environment and prompts of one run."""

    stdout: TextIO
    stderr: TextIO
    stdin: TextIO
    # Out of the repr: it may hold the passcode (GRANDSTREAM_PASSCODE), and a
    # Run's repr shows its terminal.
    env: Mapping[str, str] = field(default_factory=dict, repr=False)
    # Whether a person can answer a prompt (stdin is a terminal).
    interactive: bool = False
    ask_secret: Callable[[str], str] = getpass.getpass
    ask: Callable[[str], str] = input

    @classmethod
    def real(cls) -> Terminal:
        """The process's own streams and environment."""
        return cls(
            stdout=sys.stdout,
            stderr=sys.stderr,
            stdin=sys.stdin,
            env=os.environ,
            interactive=sys.stdin.isatty(),
        )

    def out(self, text: str = "") -> None:
        """One line of normal output."""
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def err(self, text: str = "") -> None:
        """One line for the person (errors, progress), never for a script's parser."""
        self.stderr.write(text + "\n")
        self.stderr.flush()

    def json(self, data: Any) -> None:
        """One JSON document on one line (``--json``)."""
        self.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")
        self.stdout.flush()
