"""``scripts/phone``: drive the demo's simulated phone (``python -m simulator ctl``).

Adds to ``simulator ctl``: ``--phone N`` (the N-th phone of ``scripts/develop
--phones``), the demo's URL as default, and ``miss`` with ``--number`` (ring that
number on a line of its own, then give up on that line) so a missed call is one
command, whatever else rings.
"""

from __future__ import annotations

import json
import os
import sys
import time
from urllib.parse import urlsplit, urlunsplit

from simulator.__main__ import request_ctl, run_ctl

DEFAULT_PORT = 8080
# How long ``miss --number`` lets the call ring before the caller gives up.
RING_BEFORE_MISS = 3.0
HELP = """usage: scripts/phone [--phone N | --url URL] COMMAND [OPTIONS]

Commands:
  ring --number NUMBER [--name NAME]   a call rings in
  answer                               the desk phone's user picks up
  hangup                               the other side hangs up
  miss [--number NUMBER [--name NAME]] the caller gives up (with a number: that number
                                       rings on a line of its own first, then gives up)
  reboot                               the phone restarts
  state | requests | keys | events     show what the phone did
  ...                                  anything 'python -m simulator ctl --help' lists

--phone N   the N-th simulated phone of scripts/develop --phones (the URL's port + N - 1)
--url URL   a simulator elsewhere (default $GRANDSTREAM_SIM_URL or http://127.0.0.1:8080)
"""


def main(argv: list[str]) -> int:
    """Translate the arguments, then run ``simulator ctl``."""
    url = os.environ.get("GRANDSTREAM_SIM_URL", f"http://127.0.0.1:{DEFAULT_PORT}")
    phone = 1
    args = list(argv)
    rest: list[str] = []
    while args:
        arg = args.pop(0)
        if arg in ("-h", "--help") and not rest:
            sys.stdout.write(HELP)
            return 0
        if arg == "--phone" and args:
            phone = int(args.pop(0))
        elif arg.startswith("--phone="):
            phone = int(arg.split("=", 1)[1])
        elif arg == "--url" and args:
            url = args.pop(0)
        elif arg.startswith("--url="):
            url = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    if not rest:
        sys.stderr.write(HELP)
        return 2
    if phone != 1:
        # Phones of one simulator listen on consecutive ports.
        parsed = urlsplit(url)
        port = (parsed.port or DEFAULT_PORT) + phone - 1
        url = urlunsplit(parsed._replace(netloc=f"{parsed.hostname}:{port}"))
    if rest[0] == "miss" and any(a.startswith("--number") for a in rest):
        return _ring_and_miss(url, rest[1:])
    return run_ctl(["--url", url, *rest])


def _ring_and_miss(url: str, ring_args: list[str]) -> int:
    """Ring the number, let it ring, then miss that call (not another one ringing)."""
    code, answer = request_ctl(["--url", url, "ring", *ring_args])
    if code:
        return code
    sys.stdout.write(json.dumps(answer, indent=2) + "\n")
    # Let it ring a moment, as a caller would.
    time.sleep(RING_BEFORE_MISS)
    return run_ctl(["--url", url, "miss", "--line", str(answer["line"])])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
