"""Local TCP ports for servers a test starts on a given port, or for closed ports.

A port the OS picked (``bind(("127.0.0.1", 0))``) and that was then released
can be picked again before the test uses it: by the OS for any outgoing
connection or ``port=0`` server, which with parallel workers (pytest-xdist)
happen all the time. So ports here come from below the OS's ephemeral range,
a separate block for each worker, and are checked free when handed out: no
other worker and no ``port=0`` socket of this machine ever gets one.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path
import random
import socket

from devtools.processes import free_port as os_picked_port

BLOCK = 400  # ports per worker
_FIRST_WORKER_PORT = 16000


def _ephemeral_start() -> int:
    try:
        text = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text("ascii")
        return int(text.split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def _worker_index() -> int:
    """0 without xdist; n for xdist worker ``gw<n>``."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(name[2:]) if name.startswith("gw") and name[2:].isdigit() else 0


def _block() -> range:
    start = _FIRST_WORKER_PORT + _worker_index() * BLOCK
    return range(start, start + BLOCK)


_BLOCK = _block()
# From a random place in the block: two runs on one machine (two developers,
# both without xdist) do not take the same ports in the same order.
_START = random.randrange(BLOCK)
_NEXT = itertools.cycle([*_BLOCK[_START:], *_BLOCK[:_START]])


def _is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now and that nothing else will pick.

    Successive calls go round this worker's block, so a port just released is
    not handed out again at once. Where the block would reach the ephemeral
    range (a machine configured so), the OS picks instead.
    """
    if _BLOCK.stop > _ephemeral_start():
        return os_picked_port()
    for _ in range(BLOCK):
        port = next(_NEXT)
        if _is_free(port):
            return port
    raise OSError(f"no free port in {_BLOCK.start}-{_BLOCK.stop - 1}")
