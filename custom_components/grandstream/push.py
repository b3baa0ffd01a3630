"""Push: the phone's Action URLs call a webhook of Home Assistant.

Phones send a plain, unauthenticated GET shortly after each event (shared
doc section 4), with quirks this module absorbs: ``+`` must survive in
numbers (so the raw query string is parsed, not aiohttp's decoded one),
variables the phone cannot fill arrive literally (``$remote``), and values
are bounded. Display names are never requested: phones do not encode them
and Home Assistant's HTTP server answers 400 to a request line with spaces.
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING
from urllib.parse import unquote

from aiohttp import web
from homeassistant.components import webhook
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.device_registry import format_mac
from homeassistant.helpers.network import NoURLAvailableError, get_url

from .const import CONF_FIRMWARE, CONF_MODEL, DOMAIN, LOGGER
from .identity import async_adopt_mac, mac_owner

if TYPE_CHECKING:
    from .call_tracker import CallTracker
    from .coordinator import GrandstreamConfigEntry, GrandstreamCoordinator

# Event name → the phone's P-value (its field under Action URL), in the order
# the phone's web page lists them.
EVENTS: dict[str, int] = {
    "boot": 8304,
    "registered": 8305,
    "unregistered": 8306,
    "offhook": 8308,
    "onhook": 8309,
    "incoming": 8310,
    "outgoing": 8311,
    "missed": 8312,
    "established": 8313,
    "terminated": 8314,
    "dnd_on": 8316,
    "dnd_off": 8317,
    "forward_on": 8318,
    "forward_off": 8319,
    "hold": 8324,
    "unhold": 8325,
}
_CALL_VARIABLES = (
    "mac=$mac&remote=$remote&local=$local&account=$active_user&call_id=$call-id"
)
# Only the boot push tells the model and firmware; the device page shows them.
_BOOT_VARIABLES = "&model=$product&firmware=$program_version"

# Phones drop URLs longer than this; values longer than it are not real.
MAX_VALUE_LENGTH = 256
MAX_QUERY_LENGTH = 4096
MAX_PARAMETERS = 32
# Pushes waiting to be processed; a phone sends a handful per call.
MAX_QUEUED_PUSHES = 32
_HEX = re.compile(r"[^0-9a-f]")

ISSUE_PUSH_NOT_SEEN = "push_not_seen"
# The same, while Home Assistant's local URL is unknown (nothing to paste yet).
ISSUE_PUSH_NOT_SEEN_NO_URL = "push_not_seen_no_url"


def action_url_base(hass: HomeAssistant) -> str | None:
    """Home Assistant's local URL as a phone on the LAN reaches it, if known."""
    try:
        return get_url(
            hass, allow_external=False, allow_cloud=False, prefer_external=False
        )
    except NoURLAvailableError:
        return None


def action_urls(base: str, webhook_id: str) -> dict[str, str]:
    """The Action URL to paste into the phone for each event."""
    urls = {}
    for event in EVENTS:
        url = f"{base}/api/webhook/{webhook_id}?event={event}&{_CALL_VARIABLES}"
        if event == "boot":
            url += _BOOT_VARIABLES
        urls[event] = url
    return urls


def action_url_text(hass: HomeAssistant, webhook_id: str) -> str | None:
    """The Action URLs as Markdown lines; None while HA's local URL is unknown."""
    if (base := action_url_base(hass)) is None:
        return None
    return "\n".join(
        f"- **{event}** (P{EVENTS[event]}): `{url}`"
        for event, url in action_urls(base, webhook_id).items()
    )


def parse_query(raw: str) -> dict[str, str]:
    """Parse a raw query string the way phones mean it.

    ``unquote`` (not ``unquote_plus``) keeps ``+``; a value still starting
    with ``$`` is a variable the phone could not fill, so it is empty.
    """
    result: dict[str, str] = {}
    for part in raw.split("&")[:MAX_PARAMETERS]:
        name, _, value = part.partition("=")
        name = unquote(name).strip()
        value = unquote(value)[:MAX_VALUE_LENGTH].strip()
        if value.startswith("$"):
            value = ""
        if name and name not in result:
            result[name] = value
    return result


async def _read_bounded(request: web.Request, limit: int) -> bytes:
    """Read at most ``limit`` bytes of the body (``read(n)`` may return less)."""
    chunks: list[bytes] = []
    size = 0
    while size < limit and (chunk := await request.content.read(limit - size)):
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def normalize_mac(value: str) -> str | None:
    """``00:0B:82:12:34:56``, ``00-0b-82-…`` or ``000b82123456`` → ``00:0b:82:12:34:56``."""
    digits = _HEX.sub("", value.lower())
    if len(digits) != 12:
        return None
    return format_mac(digits)


class PushReceiver:
    """The webhook of one phone, and what happens when it is called."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: GrandstreamConfigEntry,
        coordinator: GrandstreamCoordinator,
        tracker: CallTracker,
    ) -> None:
        """Prepare the receiver; ``async_register`` opens the webhook."""
        self._hass = hass
        self._entry = entry
        self._coordinator = coordinator
        self._tracker = tracker
        # Pushes are processed one at a time, in the order they arrived.
        self._lock = asyncio.Lock()
        self.received = 0
        self.ignored = 0
        self._queued = 0

    @property
    def webhook_id(self) -> str:
        """The entry's webhook id."""
        return str(self._entry.data[CONF_WEBHOOK_ID])

    @callback
    def async_register(self) -> None:
        """Open the webhook (local network only; phones send GET)."""
        webhook.async_register(
            self._hass,
            DOMAIN,
            f"Grandstream {self._entry.title}",
            self.webhook_id,
            self._handle,
            local_only=True,
            allowed_methods=("GET", "POST"),
        )
        self._entry.async_on_unload(
            lambda: webhook.async_unregister(self._hass, self.webhook_id)
        )

    async def _handle(
        self, hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        """Answer the phone at once; never raise to it."""
        try:
            raw = request.rel_url.raw_query_string
            if request.method == "POST":
                body = await _read_bounded(request, MAX_QUERY_LENGTH + 1)
                raw = body.decode("utf-8", "replace") if body else raw
            if len(raw) > MAX_QUERY_LENGTH:
                return self._ignore("oversized request")
            if self._queued >= MAX_QUEUED_PUSHES:
                # A burst no phone sends: drop rather than queue without end.
                return self._ignore("too many pushes waiting")
            params = parse_query(raw)
            event = params.get("event", "")
            if event not in EVENTS:
                return self._ignore(f"unknown event {event[:32]!r}")
            mac = normalize_mac(params.get("mac", ""))
            if mac and self._entry.unique_id and mac != self._entry.unique_id:
                self._coordinator.log_once(
                    f"foreign_mac:{mac}",
                    "Ignoring pushes from %s on the webhook of %s: a different "
                    "phone uses this phone's Action URLs",
                    mac,
                    self._entry.title,
                )
                return self._ignore("MAC of another phone")
            if mac and not self._entry.unique_id and mac_owner(hass, self._entry, mac):
                self._coordinator.log_once(
                    f"foreign_mac:{mac}",
                    "Ignoring pushes from %s on the webhook of %s: that MAC "
                    "belongs to another configured phone",
                    mac,
                    self._entry.title,
                )
                return self._ignore("MAC of another configured phone")
            self.received += 1
            self._queued += 1
            self._entry.async_create_background_task(
                hass, self._process(event, params, mac), f"{DOMAIN} push {event}"
            )
        except Exception:  # noqa: BLE001 - the phone must always get its 200
            LOGGER.debug("Could not handle a push", exc_info=True)
            self.ignored += 1
        return web.Response(status=200)

    def _ignore(self, why: str) -> web.Response:
        LOGGER.debug("Ignored push for %s: %s", self._entry.title, why)
        self.ignored += 1
        return web.Response(status=200)

    async def _process(
        self, event: str, params: dict[str, str], mac: str | None
    ) -> None:
        try:
            async with self._lock:
                await self._process_in_order(event, params, mac)
        finally:
            self._queued -= 1

    async def _process_in_order(
        self, event: str, params: dict[str, str], mac: str | None
    ) -> None:
        adopted = False
        if mac and not self._entry.unique_id:
            adopted = await async_adopt_mac(self._hass, self._entry, mac)
        if event == "boot":
            self._learn_device(params)
        if event in ("registered", "unregistered"):
            self._coordinator.invalidate_accounts()
        # Pushes carry neither line nor caller name: fetch them now, so
        # the event has both and entities update without waiting a poll.
        snapshot = await self._coordinator.async_fetch_now()
        lines = snapshot.lines if snapshot is not None else ()
        self._tracker.handle_push(event, params, lines)
        if snapshot is not None:
            self._coordinator.async_set_updated_data(snapshot)
        else:
            await self._coordinator.async_request_refresh()
        if adopted:
            # Entities pick up their new ids (keyed by MAC) on reload.
            self._hass.config_entries.async_schedule_reload(self._entry.entry_id)

    def _learn_device(self, params: dict[str, str]) -> None:
        model = params.get("model", "")[:64]
        firmware = params.get("firmware", "")[:64]
        data = dict(self._entry.data)
        if model:
            data[CONF_MODEL] = model
        if firmware:
            data[CONF_FIRMWARE] = firmware
        if data != self._entry.data:
            self._hass.config_entries.async_update_entry(self._entry, data=data)
            self._coordinator.update_device_info()


@callback
def async_update_push_issue(
    hass: HomeAssistant, entry: GrandstreamConfigEntry, push_seen: bool
) -> None:
    """Show the Action URLs as a repair until the first push arrives."""
    issue_id = f"{ISSUE_PUSH_NOT_SEEN}_{entry.entry_id}"
    if push_seen:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
        return
    urls = action_url_text(hass, str(entry.data[CONF_WEBHOOK_ID]))
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        # Without a local URL there is nothing to paste yet: say how to set it.
        translation_key=ISSUE_PUSH_NOT_SEEN if urls else ISSUE_PUSH_NOT_SEEN_NO_URL,
        translation_placeholders={"name": entry.title, "urls": urls or ""},
    )
