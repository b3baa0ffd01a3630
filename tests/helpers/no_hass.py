"""For tests that run no Home Assistant in-process: its autouse fixtures as no-ops.

The plugin of pytest-homeassistant-custom-component (and tests/conftest.py)
make fixtures autouse that need a ``hass`` or check an in-process event loop.
Tests of processes, of files, or of a command line that runs its own loop
import these three where pytest looks for fixtures (their conftest or module),
and they replace the originals there.
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """No in-process Home Assistant (overrides tests/conftest.py)."""


@pytest.fixture(autouse=True)
def verify_cleanup() -> None:
    """No in-process event loop to check."""


@pytest.fixture(autouse=True)
def enable_event_loop_debug() -> None:
    """No in-process event loop to debug."""
