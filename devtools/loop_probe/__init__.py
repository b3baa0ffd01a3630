"""Event-loop lag probe, installed only into ``scripts/benchmark --ha``'s config dir.

Not part of the grandstream integration. A callback asks to run every
``INTERVAL`` seconds; how late it actually runs is the time the loop was busy
with something else. Garbage collections stop every thread, the loop's too,
so they are recorded alongside.

``GET /api/loop_probe`` returns what was recorded since the last
``POST /api/loop_probe`` (which starts a new measurement): ``ticks`` as [when
it was due, how late it ran] and ``gc`` as [when it started, generation,
duration], in seconds of the monotonic clock (the loop's clock, which other
processes on the machine share).
"""

from __future__ import annotations

import asyncio
from collections import deque
import gc
from http import HTTPStatus
import time
from typing import Any

from aiohttp import web
from homeassistant.components.http import HomeAssistantView
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType

DOMAIN = "loop_probe"
INTERVAL = 0.05
# An hour of samples: a forgotten probe cannot grow without end.
MAX_SAMPLES = int(3600 / INTERVAL)

CONFIG_SCHEMA = cv.empty_config_schema(DOMAIN)


class LoopProbe:
    """Schedules itself every INTERVAL seconds and records how late it ran."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        """Not running yet: ``start`` it."""
        self._loop = loop
        self._handle: asyncio.TimerHandle | None = None
        self.ticks: deque[tuple[float, float]] = deque(maxlen=MAX_SAMPLES)
        self.collections: deque[tuple[float, int, float]] = deque(maxlen=MAX_SAMPLES)
        self._gc_started = 0.0

    def start(self) -> None:
        """Schedule the first tick and watch garbage collections."""
        gc.callbacks.append(self._on_gc)
        self._schedule()

    def stop(self) -> None:
        """Cancel the pending tick, stop watching collections."""
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def clear(self) -> int:
        """Forget what was recorded; return how many ticks that was."""
        dropped = len(self.ticks)
        self.ticks.clear()
        self.collections.clear()
        return dropped

    def _schedule(self) -> None:
        due = self._loop.time() + INTERVAL
        self._handle = self._loop.call_at(due, self._tick, due)

    def _tick(self, due: float) -> None:
        # Measured from when the tick was due, not from the previous tick, so a
        # long busy stretch counts once (as one big lag), not as many small ones.
        self.ticks.append((due, max(0.0, self._loop.time() - due)))
        self._schedule()

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        # Runs in whichever thread triggered the collection, with the GIL held.
        if phase == "start":
            self._gc_started = time.monotonic()
        else:
            duration = time.monotonic() - self._gc_started
            self.collections.append(
                (self._gc_started, int(info["generation"]), duration)
            )


class LoopProbeView(HomeAssistantView):
    """GET: what was recorded since the last reset; POST: reset."""

    url = "/api/loop_probe"
    name = "api:loop_probe"

    def __init__(self, probe: LoopProbe) -> None:
        """Serve ``probe``'s samples."""
        self._probe = probe

    async def get(self, request: web.Request) -> web.Response:
        """The ticks and collections recorded since the last reset."""
        return self.json(
            {
                "interval": INTERVAL,
                "ticks": list(self._probe.ticks),
                "gc": list(self._probe.collections),
            }
        )

    async def post(self, request: web.Request) -> web.Response:
        """Forget the samples so far: a new measurement starts now."""
        return self.json({"dropped": self._probe.clear()}, HTTPStatus.OK)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Start probing and serve the samples."""
    probe = LoopProbe(hass.loop)
    probe.start()
    hass.http.register_view(LoopProbeView(probe))

    @callback
    def stop(_event: Event) -> None:
        probe.stop()

    hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, stop)
    return True
