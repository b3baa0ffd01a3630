"""When Home Assistant's WebSocket delivers line states and call events, per phone.

The push-latency part of ``scripts/benchmark --ha`` (``devtools/push_latency.py``)
times the way from a phone's push to what a dashboard or an automation sees. The
arrival end is taken here: a WebSocket connection of its own, in a thread of its
own with its own event loop and nothing else to do, so that the benchmark's other
work (driving the simulator, reading its logs) cannot delay the moment a message
is read. Each message is stamped with ``time.monotonic()`` as soon as it is read,
before it is parsed; CLOCK_MONOTONIC is system-wide on Linux, so the stamps compare
with the simulator's push times.

Two subscriptions, as the frontend and automations use them: ``subscribe_entities``
for the phones' line sensors (only those, filtered by Home Assistant) and
``subscribe_events`` for ``grandstream_call``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
import contextlib
from dataclasses import dataclass
import json
import threading
import time
from types import TracebackType
from typing import Any, Self

import aiohttp

EVENT_CALL = "grandstream_call"
_ENTITIES_ID = 1
_EVENTS_ID = 2
# Connecting, authenticating and subscribing.
READY_WITHIN = 30.0
# How often a waiter looks at the arrivals.
POLL = 0.02


@dataclass(frozen=True)
class Arrival:
    """One line state or call event as it arrived on the WebSocket."""

    kind: str  # "state" (a line sensor's new state) or "event" (grandstream_call)
    phone: int  # the phone's index (1-based, as in the simulator)
    value: str  # the new state ("ringing") or the event's type ("incoming")
    number: str | None  # the remote number it carries, None when it says none
    time: float  # time.monotonic() when the message was read


class ListenerError(Exception):
    """The WebSocket could not be opened, authenticated or subscribed."""


def arrivals_of(
    message: Any,
    received: float,
    line_sensors: Mapping[str, int],
    devices: Mapping[str, int],
) -> list[Arrival]:
    """The arrivals one WebSocket message (or batch of messages) carries.

    State changes come as ``subscribe_entities`` diffs (``"c"``: entity id →
    ``{"+": {"s": state, "a": changed attributes}}``); a diff without ``"s"``
    changed attributes only. The initial states (``"a"``) are not arrivals.
    """
    found: list[Arrival] = []
    for item in message if isinstance(message, list) else [message]:
        if not isinstance(item, dict) or item.get("type") != "event":
            continue
        event = item.get("event") or {}
        if item.get("id") == _ENTITIES_ID:
            for entity_id, diff in (event.get("c") or {}).items():
                added = diff.get("+") or {}
                phone = line_sensors.get(entity_id)
                if phone is None or "s" not in added:
                    continue
                number = (added.get("a") or {}).get("remote_number")
                found.append(Arrival("state", phone, str(added["s"]), number, received))
        elif item.get("id") == _EVENTS_ID:
            data = event.get("data") or {}
            phone = devices.get(str(data.get("device_id")))
            if phone is not None:
                found.append(
                    Arrival(
                        "event",
                        phone,
                        str(data.get("type")),
                        data.get("remote_number"),
                        received,
                    )
                )
    return found


class ArrivalListener:
    """Records ``arrivals`` from a thread of its own; use ``async with``."""

    def __init__(
        self,
        base_url: str,
        access_token: str,
        *,
        line_sensors: Mapping[str, int],
        devices: Mapping[str, int],
    ) -> None:
        """``line_sensors``: entity id → phone index; ``devices``: device id → index."""
        self._url = base_url.replace("http", "ws", 1) + "/api/websocket"
        self._token = access_token
        self._line_sensors = dict(line_sensors)
        self._devices = dict(devices)
        # Appended by the listener's thread only; read by the benchmark's.
        self.arrivals: list[Arrival] = []
        self._thread = threading.Thread(
            target=self._run, name="arrival listener", daemon=True
        )
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._listener_loop: asyncio.AbstractEventLoop | None = None
        self._listener_task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Self:
        """Connect and subscribe; return once both subscriptions are confirmed."""
        self._thread.start()
        ready = await asyncio.to_thread(self._ready.wait, READY_WITHIN)
        if self._error is not None or not ready:
            await self.__aexit__(None, None, None)
            raise ListenerError(
                f"WebSocket listener not ready: {self._error or 'timed out'}"
            )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop reading and wait for the thread."""
        loop, task = self._listener_loop, self._listener_task
        if loop is not None and task is not None:
            with contextlib.suppress(RuntimeError):  # its loop already closed
                loop.call_soon_threadsafe(task.cancel)
        await asyncio.to_thread(self._thread.join, 10)

    async def wait_for(self, done: Callable[[], bool], within: float) -> bool:
        """Wait until ``done()``; False after ``within`` or when the listener failed.

        ``done`` is checked every POLL seconds rather than woken by each
        arrival: the benchmark's thread then takes the GIL rarely and briefly,
        and cannot delay the listener's next timestamp by much.
        """
        deadline = time.monotonic() + within
        while not done():
            if time.monotonic() >= deadline or self._error is not None:
                return False
            await asyncio.sleep(POLL)
        return True

    # -- the listener's thread -----------------------------------------------------

    def _run(self) -> None:
        try:
            asyncio.run(self._listen())
        except asyncio.CancelledError:
            pass
        except BaseException as err:  # noqa: BLE001 - reported to the benchmark
            self._error = err
        finally:
            self._ready.set()

    async def _listen(self) -> None:
        self._listener_loop = asyncio.get_running_loop()
        self._listener_task = asyncio.current_task()
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(self._url, max_msg_size=0) as ws,
        ):
            await self._subscribe(ws)
            self._ready.set()
            while True:
                message = await ws.receive()
                received = time.monotonic()
                if message.type != aiohttp.WSMsgType.TEXT:
                    raise ListenerError(f"WebSocket closed: {message.type.name}")
                found = arrivals_of(
                    json.loads(message.data),
                    received,
                    self._line_sensors,
                    self._devices,
                )
                self.arrivals.extend(found)

    async def _subscribe(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        message = await ws.receive_json()
        if message.get("type") != "auth_required":
            raise ListenerError(f"unexpected greeting: {message}")
        await ws.send_json({"type": "auth", "access_token": self._token})
        message = await ws.receive_json()
        if message.get("type") != "auth_ok":
            raise ListenerError(f"authentication failed: {message}")
        await ws.send_json(
            {
                "id": _ENTITIES_ID,
                "type": "subscribe_entities",
                "entity_ids": sorted(self._line_sensors),
            }
        )
        await ws.send_json(
            {"id": _EVENTS_ID, "type": "subscribe_events", "event_type": EVENT_CALL}
        )
        confirmed: set[int] = set()
        while confirmed != {_ENTITIES_ID, _EVENTS_ID}:
            data = await ws.receive_json()
            for item in data if isinstance(data, list) else [data]:
                if item.get("type") != "result":
                    continue  # the initial states
                if not item.get("success"):
                    raise ListenerError(f"subscription refused: {item}")
                confirmed.add(item["id"])
