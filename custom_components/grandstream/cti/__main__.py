"""``python -m grandstream_cti``: the command line (see ``cli``).

Never imported by Home Assistant: inside the integration this module is inert.
"""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
