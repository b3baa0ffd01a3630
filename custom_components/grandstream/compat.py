"""What differs between the Home Assistant versions we support (2025.4 onwards).

Home Assistant 2026 validates schemas with probatio, voluptuous' API-compatible
successor, and its type hints only accept probatio's classes. Our schemas must
be built with the library Home Assistant itself uses, because they are mixed
with its own (``cv``, ``DEVICE_TRIGGER_BASE_SCHEMA``). Home Assistant 2026
needs Python 3.14, so the Python version tells the type checker which library
to expect; at run time we ask Home Assistant's config validation.
"""

from __future__ import annotations

import sys

from homeassistant.helpers import config_validation as cv

if sys.version_info >= (3, 14):
    if hasattr(cv, "probatio"):
        import probatio as vol
    else:  # a 2026 release from before the switch
        import voluptuous as vol  # type: ignore[no-redef]
else:
    import voluptuous as vol

__all__ = ["vol"]
