"""A throw-away stack: simulator + Home Assistant on free ports, set up like the demo.

Used by the end-to-end tests and ``scripts/screenshots``; ``scripts/develop`` runs
the same steps on fixed ports with the repository's ``config/``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
import contextlib
from dataclasses import dataclass
from pathlib import Path
import shutil
import sys
import tempfile
from typing import Any

from . import demo
from .client import HomeAssistantClient
from .processes import (
    REPO,
    ChildProcess,
    free_port,
    hass_process,
    simulator_process,
    wait_http,
)


@dataclass
class Stack:
    """The running simulator and Home Assistant, and how to reach them."""

    base_url: str
    sim_url: str
    config_dir: Path
    hass: ChildProcess
    sim: ChildProcess
    access_token: str
    phone: demo.Phone

    def run[T](self, factory: Callable[[HomeAssistantClient], Awaitable[T]]) -> T:
        """Run ``factory(client)`` with a logged-in client in a fresh event loop."""

        async def runner() -> T:
            async with HomeAssistantClient(self.base_url) as client:
                client.access_token = self.access_token
                return await factory(client)

        self.hass.check_alive()
        return asyncio.run(runner())

    def ctl(self, path: str, body: Any = None) -> Any:
        """Call the simulator's control API (GET without a body, POST with one)."""
        return demo.sim_request(self.sim_url, path, body)

    def entity(self, domain: str, key: str) -> str:
        """An entity id of the phone."""
        return self.phone.entity(domain, key)


@contextlib.contextmanager
def running_stack(
    *,
    reboot_duration: float = 3.0,
    key_interval: float = 0.05,
    log_dir: Path | None = None,
    integration_zip: Path | None = None,
) -> Iterator[Stack]:
    """Start, onboard and set up; stop both processes and remove the config at exit.

    The processes' output goes to ``log_dir`` (kept) or into the temporary
    configuration directory (removed with it). ``integration_zip``: Home
    Assistant loads the integration unpacked from that release zip, run from
    the configuration directory so that the repository's copy is out of reach.
    """
    config_dir = Path(tempfile.mkdtemp(prefix="grandstream-ha-"))
    logs = log_dir or config_dir / "logs"
    demo.prepare_config_dir(config_dir, integration_zip=integration_zip)
    ha_port = free_port()
    sim_port = free_port()
    base_url = f"http://127.0.0.1:{ha_port}"
    sim_url = f"http://127.0.0.1:{sim_port}"
    sim = simulator_process(
        sim_port,
        reboot_duration=reboot_duration,
        key_interval=key_interval,
        log=logs / "simulator.log",
        python=sys.executable,
    )
    hass = hass_process(
        config_dir,
        ha_port,
        log=logs / "hass.log",
        cwd=config_dir if integration_zip is not None else REPO,
    )
    sim.start()
    hass.start()
    try:
        wait_http(sim_url + "/_sim/state", sim, timeout=30)
        wait_http(base_url + "/auth/providers", hass, timeout=300)

        async def set_up() -> tuple[str, demo.Phone]:
            client, phones, _ = await demo.setup(base_url, [sim_url])
            token = client.access_token
            await client.__aexit__(None, None, None)
            assert token is not None
            return token, phones[0]

        token, phone = asyncio.run(set_up())
        yield Stack(base_url, sim_url, config_dir, hass, sim, token, phone)
    finally:
        hass_rc = hass.stop()
        sim.stop(timeout=10)
        if hass_rc not in (0, None):
            sys.stderr.write(f"Home Assistant exited with {hass_rc}{hass.log_tail()}\n")
        shutil.rmtree(config_dir, ignore_errors=True)
