"""The webhook: the front door for the phone's Action URL pushes.

HTTP only. It reads the raw query (``+`` must survive in numbers), checks
the push's shape and MAC, bounds how many pushes may wait, keeps their
arrival order, answers the phone at once and hands each push to the
coordinator, which decides what it means.
"""

from __future__ import annotations

import time
from typing import Final

from aiohttp import web
from homeassistant.components import webhook
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, callback

from .action_urls import MAX_QUERY_LENGTH, InvalidPush, Push, parse_push
from .capture_keeper import CaptureKeeper
from .const import DOMAIN, LOGGER
from .coordinator import GrandstreamConfigEntry, GrandstreamCoordinator
from .identity import mac_owner

# Pushes waiting for the coordinator; a phone sends a handful per call.
MAX_WAITING_PUSHES: Final = 32


class PushWebhook:
    """The webhook of one phone."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: GrandstreamConfigEntry,
        captures: CaptureKeeper,
    ) -> None:
        """Prepare the webhook; ``async_register`` opens it.

        ``captures`` keeps every request as it came, for diagnostics.
        """
        self._hass = hass
        self._entry = entry
        self._captures = captures
        self._waiting = 0
        self._bug_logged = False

    @callback
    def async_register(self) -> None:
        """Open the webhook (local network only; phones send GET)."""
        webhook_id = str(self._entry.data[CONF_WEBHOOK_ID])
        webhook.async_register(
            self._hass,
            DOMAIN,
            f"Grandstream {self._entry.title}",
            webhook_id,
            self._handle,
            local_only=True,
            allowed_methods=("GET", "POST"),
        )
        self._entry.async_on_unload(
            lambda: webhook.async_unregister(self._hass, webhook_id)
        )

    async def _handle(
        self, hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        """Answer the phone at once; never raise to it."""
        coordinator = self._entry.runtime_data
        received_at = time.monotonic()
        try:
            raw = request.rel_url.raw_query_string
            if request.method == "POST":
                body = await _read_bounded(request, MAX_QUERY_LENGTH + 1)
                raw = body.decode("utf-8", "replace") if body else raw
            self._captures.push_arrived(raw, request.method)
            push = parse_push(raw, received_at=received_at)
        except InvalidPush as err:
            LOGGER.debug(
                "Ignored a request on the webhook of %s: %s", self._entry.title, err
            )
            if err.unknown_event is not None:
                self._captures.unknown_push_event(err.unknown_event)
            coordinator.push_dropped("requests that are not pushes we know")
            return web.Response(status=200)
        except Exception:  # noqa: BLE001 - the phone must always get its 200
            # A bug of ours: show it in full, once, and keep answering.
            if not self._bug_logged:
                self._bug_logged = True
                LOGGER.exception("Could not read a push for %s", self._entry.title)
            coordinator.push_dropped("requests we could not read")
            return web.Response(status=200)
        if push.mac and (
            push.mac != self._entry.unique_id
            if self._entry.unique_id
            else mac_owner(hass, self._entry, push.mac) is not None
        ):
            # Another phone uses this phone's Action URLs.
            coordinator.push_dropped("the MAC in them is not this phone's")
            return web.Response(status=200)
        if self._waiting >= MAX_WAITING_PUSHES:
            # A burst no phone sends: drop rather than queue without end.
            coordinator.push_dropped("too many arrive at once")
            return web.Response(status=200)
        self._waiting += 1
        # Started eagerly, so pushes join the coordinator's queue in the
        # order they arrived.
        self._entry.async_create_background_task(
            hass, self._process(push), f"{DOMAIN} push {push.event}"
        )
        return web.Response(status=200)

    async def _process(self, push: Push) -> None:
        coordinator: GrandstreamCoordinator = self._entry.runtime_data
        try:
            await coordinator.async_handle_push(push)
        finally:
            self._waiting -= 1


async def _read_bounded(request: web.Request, limit: int) -> bytes:
    """Read at most ``limit`` bytes of the body (``read(n)`` may return less)."""
    chunks: list[bytes] = []
    size = 0
    while size < limit and (chunk := await request.content.read(limit - size)):
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)
