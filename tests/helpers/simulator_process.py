"""The simulator as a process (``python -m simulator``), from this checkout."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
import os
from pathlib import Path
import signal
import sys

ROOT = Path(__file__).resolve().parents[2]


def checkout_env() -> dict[str, str]:
    """The environment, with this checkout's packages first on the path."""
    return {**os.environ, "PYTHONPATH": str(ROOT)}


async def simulator(
    *argv: str, stderr: int | None = None
) -> asyncio.subprocess.Process:
    """``python -m simulator ARGV``, its standard output piped."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "simulator",
        *argv,
        stdout=asyncio.subprocess.PIPE,
        stderr=stderr,
        env=checkout_env(),
    )


@asynccontextmanager
async def serving(*argv: str) -> AsyncIterator[asyncio.StreamReader]:
    """The simulator serving for the block (its output given); SIGTERM ends it cleanly."""
    server = await simulator(*argv)
    try:
        assert server.stdout is not None
        yield server.stdout
    finally:
        server.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(server.wait(), 10) == 0
