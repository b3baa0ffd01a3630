"""Packaging tests read files only: no Home Assistant instance per test.

The wheel and sdist need the build backend from the package index, so they are
built by scripts/build, not here: the tests on them read ``GRANDSTREAM_DIST``
(``.ci/run`` and the workflows set it after building) and are skipped without it.
The integration's zip is built here, into a temporary folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Fixtures: found here by pytest, they replace Home Assistant's autouse ones.
from ..helpers.no_hass import (  # noqa: F401
    auto_enable_custom_integrations,
    enable_event_loop_debug,
    verify_cleanup,
)

DIST_VARIABLE = "GRANDSTREAM_DIST"


@pytest.fixture
def dist() -> Path:
    """The folder scripts/build wrote, from GRANDSTREAM_DIST."""
    value = os.environ.get(DIST_VARIABLE, "")
    if not value:
        pytest.skip(
            f"{DIST_VARIABLE} is not set: run scripts/build, then "
            f"{DIST_VARIABLE}=dist pytest tests/packaging (CI does)"
        )
    path = Path(value)
    if not path.is_dir():
        raise pytest.UsageError(f"{DIST_VARIABLE}={value} is not a folder")
    return path
