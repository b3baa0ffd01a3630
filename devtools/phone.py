"""``scripts/phone``: drive the demo's simulated phone (``python -m simulator ctl``).

Adds to ``simulator ctl``: ``--phone N`` (the N-th phone of ``scripts/develop
--phones``), the demo's URL as default, and ``miss`` with ``--number`` (ring, then
give up) so a missed call is one command.
"""

from __future__ import annotations

import os
import sys
import time
from urllib.parse import urlsplit, urlunsplit

from simulator.__main__ import run_ctl

DEFAULT_PORT = 8080
HELP = """usage: scripts/phone [--phone N | --url URL] COMMAND [OPTIONS]

Commands:
  ring --number NUMBER [--name NAME]   a call rings in
  answer                               the desk phone's user picks up
  hangup                               the other side hangs up
  miss [--number NUMBER [--name NAME]] the caller gives up (rings first if a number is given)
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
        ring = ["ring", *rest[1:]]
        if code := run_ctl(["--url", url, *ring]):
            return code
        # Let it ring a moment, as a caller would.
        time.sleep(3)
        return run_ctl(["--url", url, "miss"])
    return run_ctl(["--url", url, *rest])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
