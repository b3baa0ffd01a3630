"""A small client for a running Home Assistant: HTTP, WebSocket and onboarding.

Uses only public APIs that exist in every Home Assistant this project supports
(2025.4 and later): ``/api/onboarding``, ``/auth/token``, the REST API, the config
flow views and a handful of WebSocket commands.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
import itertools
import time
from typing import Any, Self

import aiohttp


class HomeAssistantError(Exception):
    """An API call failed."""


class HomeAssistantClient:
    """Talks to Home Assistant at ``base_url`` (``http://127.0.0.1:PORT``)."""

    def __init__(self, base_url: str) -> None:
        """No session yet: use ``async with``."""
        self.base_url = base_url.rstrip("/")
        self.client_id = self.base_url + "/"
        self.access_token: str | None = None
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Self:
        """Open the HTTP session."""
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()

    @property
    def session(self) -> aiohttp.ClientSession:
        """The open session."""
        assert self._session is not None, "use 'async with HomeAssistantClient(...)'"
        return self._session

    def _headers(self) -> dict[str, str]:
        if self.access_token is None:
            return {}
        return {"Authorization": f"Bearer {self.access_token}"}

    async def request(
        self,
        method: str,
        path: str,
        json: Any = None,
        *,
        data: dict[str, str] | None = None,
        auth: bool = True,
        ok: tuple[int, ...] = (200, 201),
    ) -> Any:
        """Call ``path``; return its JSON (or text), raise on an unexpected status."""
        async with self.session.request(
            method,
            self.base_url + path,
            json=json,
            data=data,
            headers=self._headers() if auth else {},
        ) as response:
            text = await response.text()
            if response.status not in ok:
                raise HomeAssistantError(
                    f"{method} {path} answered {response.status}: {text[:500]}"
                )
            if response.content_type == "application/json":
                return await response.json()
            return text

    async def get(self, path: str) -> Any:
        """GET with the access token."""
        return await self.request("GET", path)

    async def post(self, path: str, json: Any = None) -> Any:
        """POST JSON with the access token."""
        return await self.request("POST", path, json)

    # --- start-up, onboarding and login ----------------------------------------------

    async def onboarding_status(self) -> dict[str, bool]:
        """Each onboarding step and whether it is done ({} once fully onboarded)."""
        async with self.session.get(self.base_url + "/api/onboarding") as response:
            if response.status == 404:
                return {}
            steps = await response.json()
        return {step["step"]: step["done"] for step in steps}

    async def onboard_user(
        self, name: str, username: str, password: str, language: str = "en"
    ) -> None:
        """Create the owner (onboarding's user step) and log in as them."""
        result = await self.request(
            "POST",
            "/api/onboarding/users",
            {
                "client_id": self.client_id,
                "name": name,
                "username": username,
                "password": password,
                "language": language,
            },
            auth=False,
        )
        await self._exchange_code(result["auth_code"])

    async def login(self, username: str, password: str) -> None:
        """Log in through the login flow, as the login page does."""
        flow = await self.request(
            "POST",
            "/auth/login_flow",
            {
                "client_id": self.client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": self.client_id,
            },
            auth=False,
        )
        result = await self.request(
            "POST",
            f"/auth/login_flow/{flow['flow_id']}",
            {"client_id": self.client_id, "username": username, "password": password},
            auth=False,
        )
        if result.get("type") != "create_entry":
            raise HomeAssistantError(f"login as {username!r} failed: {result}")
        await self._exchange_code(result["result"])

    async def _exchange_code(self, code: str) -> None:
        tokens = await self.request(
            "POST",
            "/auth/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": self.client_id,
            },
            auth=False,
        )
        self.access_token = tokens["access_token"]

    async def wait_running(self, within: float = 120.0) -> None:
        """Wait until Home Assistant reports it has started completely."""
        deadline = time.monotonic() + within
        while True:
            config = await self.get("/api/config")
            if config.get("state", "RUNNING") == "RUNNING":
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"still {config.get('state')} after {within} s")
            await asyncio.sleep(0.3)

    # --- states and services ---------------------------------------------------------

    async def states(self) -> dict[str, dict[str, Any]]:
        """Every state, by entity id."""
        return {state["entity_id"]: state for state in await self.get("/api/states")}

    async def state(self, entity_id: str) -> dict[str, Any] | None:
        """One entity's state, None when it has none."""
        async with self.session.get(
            f"{self.base_url}/api/states/{entity_id}", headers=self._headers()
        ) as response:
            if response.status == 404:
                return None
            response.raise_for_status()
            result: dict[str, Any] = await response.json()
            return result

    async def call_service(
        self, domain: str, service: str, data: dict[str, Any] | None = None
    ) -> Any:
        """Call an action over REST and return what it answered."""
        return await self.post(f"/api/services/{domain}/{service}", data or {})

    async def wait_state(
        self,
        entity_id: str,
        predicate: Any,
        within: float = 15.0,
        interval: float = 0.05,
    ) -> dict[str, Any]:
        """Poll until ``predicate(state_dict)`` is true; return that state."""
        deadline = time.monotonic() + within
        last: dict[str, Any] | None = None
        while True:
            last = await self.state(entity_id)
            if last is not None and predicate(last):
                return last
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{entity_id} did not reach the expected state within "
                    f"{within} s; last: {last}"
                )
            await asyncio.sleep(interval)

    # --- config entries and flows ----------------------------------------------------

    async def config_entries(self, domain: str) -> list[dict[str, Any]]:
        """The config entries of ``domain``."""
        result: list[dict[str, Any]] = await self.get(
            f"/api/config/config_entries/entry?domain={domain}"
        )
        return result

    async def config_flow(self, domain: str, *steps: dict[str, Any]) -> Any:
        """Run a config flow as the dialog does: start it, submit each step in turn.

        Returns the last answer; a step that comes back with errors ends the
        run there, and a dialog still open at the end is closed.
        """
        return await self._flow("/api/config/config_entries/flow", domain, steps)

    async def options_flow(self, entry_id: str, *steps: dict[str, Any]) -> Any:
        """Run an entry's options dialog: a menu choice is ``{"next_step_id": ...}``."""
        return await self._flow(
            "/api/config/config_entries/options/flow", entry_id, steps
        )

    async def _flow(
        self, path: str, handler: str, steps: tuple[dict[str, Any], ...]
    ) -> Any:
        result = await self.post(path, {"handler": handler})
        for user_input in steps:
            if result.get("type") not in ("form", "menu") or result.get("errors"):
                break
            result = await self.post(f"{path}/{result['flow_id']}", user_input)
        if result.get("type") in ("form", "menu") and "flow_id" in result:
            await self.request("DELETE", f"{path}/{result['flow_id']}")
        return result

    # --- WebSocket -------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def websocket(self) -> AsyncIterator[WebSocket]:
        """An authenticated WebSocket connection."""
        url = self.base_url.replace("http", "ws", 1) + "/api/websocket"
        async with self.session.ws_connect(url, max_msg_size=0) as ws:
            message = await ws.receive_json()
            assert message["type"] == "auth_required", message
            await ws.send_json({"type": "auth", "access_token": self.access_token})
            message = await ws.receive_json()
            if message["type"] != "auth_ok":
                raise HomeAssistantError(f"WebSocket authentication failed: {message}")
            yield WebSocket(ws)


class WebSocket:
    """Commands and event subscriptions over one WebSocket connection."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Wrap an authenticated connection."""
        self.ws = ws
        self._ids = itertools.count(1)
        # Every subscribed event with the monotonic time it arrived, in order.
        self.events: list[tuple[float, dict[str, Any]]] = []
        self._arrived = asyncio.Event()
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        async for message in self.ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            received = time.monotonic()
            data = message.json()
            for item in data if isinstance(data, list) else [data]:
                if item.get("type") == "event":
                    self.events.append((received, item["event"]))
                    self._arrived.set()
                    continue
                future = self._pending.pop(item.get("id"), None)
                if future is None or future.done():
                    continue
                if item.get("success", True):
                    future.set_result(item.get("result"))
                else:
                    future.set_exception(HomeAssistantError(str(item.get("error"))))
        for future in self._pending.values():
            if not future.done():
                future.set_exception(HomeAssistantError("WebSocket closed"))

    async def command(self, type_: str, **fields: Any) -> Any:
        """Send a command and return its result."""
        message_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[message_id] = future
        await self.ws.send_json({"id": message_id, "type": type_, **fields})
        return await asyncio.wait_for(future, 30)

    async def subscribe_events(self, event_type: str | None = None) -> None:
        """Receive events (all, or one type) into ``self.events``."""
        fields = {} if event_type is None else {"event_type": event_type}
        await self.command("subscribe_events", **fields)

    async def wait_event(
        self, predicate: Any, within: float = 10.0
    ) -> tuple[float, dict[str, Any]]:
        """The first subscribed event (so far or yet to come) matching ``predicate``."""
        deadline = time.monotonic() + within
        seen = 0
        while True:
            for received, event in self.events[seen:]:
                if predicate(event):
                    return received, event
            seen = len(self.events)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no matching event within {within} s")
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), remaining)

    async def close(self) -> None:
        """Stop reading."""
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader
