"""End-to-end fixtures: the phone simulator and a real Home Assistant as processes.

One stack per test session (starting Home Assistant costs ~10 s): a temporary
configuration directory made from config/configuration.yaml, free ports, onboarding,
the phone added through the config flow over HTTP with "Set up the phone" ticked, so
the integration writes the phone's Action URLs itself (all via devtools, the code
scripts/develop uses). Both processes are stopped when the session ends.

The plugin of pytest-homeassistant-custom-component is active for every test here
too; these tests never use its ``hass`` fixture, so the autouse fixtures that need
one (or check an in-process event loop) are replaced with no-ops below.
"""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
from pathlib import Path
import time
from typing import Any

import pytest
import pytest_socket

from devtools import browser
from devtools.client import HomeAssistantClient, HomeAssistantError
from devtools.stack import Stack, running_stack

# Fixtures: found here by pytest, they replace Home Assistant's autouse ones.
from ..helpers.no_hass import (  # noqa: F401
    auto_enable_custom_integrations,
    enable_event_loop_debug,
    verify_cleanup,
)
from ..helpers.stack import REBOOT_DURATION, integration_zip


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder is an end-to-end test."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def _sockets(socket_enabled: None) -> None:
    """The tests talk to their processes over 127.0.0.1."""


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Start the simulator and Home Assistant, onboard, add the phone; stop at the end."""
    pytest_socket.enable_socket()
    logs = tmp_path_factory.mktemp("logs")
    with running_stack(
        reboot_duration=REBOOT_DURATION, log_dir=logs, integration_zip=integration_zip()
    ) as running:
        yield running


@pytest.fixture
def chromium_ready() -> None:
    """Skip when scripts/setup-e2e has not installed Chromium and playwright."""
    if (why := browser.browser_available()) is not None:
        pytest.skip(why)


@pytest.fixture
def idle_phone(stack: Stack) -> Iterator[Stack]:
    """The stack with every line of the phone idle before and after the test."""
    _end_calls(stack)
    yield stack
    _end_calls(stack)


def _end_call(stack: Stack, line: dict[str, Any]) -> None:
    """End one busy line as its far end (or, while dialing, its user) would."""
    if line["state"] in ("ringing", "connected", "onhold", "calling"):
        path = "/_sim/miss" if line["state"] == "ringing" else "/_sim/hangup"
        with contextlib.suppress(OSError):
            stack.ctl(path, {"line": line["line"]})
        return

    async def hang_up(client: HomeAssistantClient) -> None:
        with contextlib.suppress(HomeAssistantError):
            await client.call_service(
                "grandstream",
                "hangup",
                {"device_id": stack.phone.device_id, "line": line["line"]},
            )

    stack.run(hang_up)


def _end_calls(stack: Stack) -> None:
    """Make every line idle, on the phone and in Home Assistant."""
    deadline = time.monotonic() + 30
    while True:
        try:
            lines = stack.ctl("/_sim/state")["lines"]
        except OSError:  # rebooting
            lines = None
        if lines is not None:
            busy = [line for line in lines if line["state"] != "idle"]
            if not busy:
                break
            for line in busy:
                _end_call(stack, line)
        if time.monotonic() > deadline:
            raise TimeoutError(f"the phone did not become idle: {lines}")
        time.sleep(0.3)

    async def lines_idle(client: HomeAssistantClient) -> None:
        await client.wait_state(
            stack.entity("sensor", "line_1"), lambda s: s["state"] == "idle", within=20
        )

    stack.run(lines_idle)
