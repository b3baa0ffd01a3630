"""What differs between the Home Assistant versions we support (2025.4 onwards).

Home Assistant 2026 validates schemas with probatio, voluptuous' API-compatible
successor, and its type hints only accept probatio's classes. Home Assistant
2026 needs Python 3.14, so the Python version tells the type checker which of
the two to expect; at run time we use whichever is installed.
"""

from __future__ import annotations

import sys

if sys.version_info >= (3, 14):
    try:
        import probatio as vol
    except ImportError:  # a 2026 release from before the switch
        import voluptuous as vol  # type: ignore[no-redef]
else:
    import voluptuous as vol

__all__ = ["vol"]
