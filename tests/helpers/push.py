"""Pushes as a phone sends them: the webhook URL, a raw GET, the events they cause."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import Event
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator.actionurl import send_raw_get

# The call events on the bus, as ``async_capture_events`` collects them.
type CallEvents = list[Event[dict[str, Any]]]


@dataclass(frozen=True)
class HandPushes:
    """A phone set up with push whose own pushes are off: the test sends them."""

    entry: MockConfigEntry
    # The entry's webhook, without a query.
    url: str


def webhook_url(base: str, entry: MockConfigEntry) -> str:
    """The entry's webhook, without a query."""
    return f"{base}/api/webhook/{entry.data[CONF_WEBHOOK_ID]}"


async def send(url: str) -> int:
    """Send a raw GET the way a phone does; return the status."""
    return await send_raw_get(url, "Grandstream GXP2170", 5.0)


def types(events: CallEvents) -> list[str]:
    """The call event types on the bus, in order."""
    return [event.data["type"] for event in events]


def call_event(
    device_id: str,
    kind: str,
    number: str,
    *,
    direction: str,
    name: str | None = None,
    line: int = 1,
    duration: int | None = None,
) -> dict[str, Any]:
    """A call event's data on the bus, for a call on the phone's first account.

    ``duration`` (seconds) is only on ``ended`` events, else None.
    """
    return {
        "device_id": device_id,
        "type": kind,
        "remote_number": number,
        "remote_name": name,
        "line": line,
        "account": 1,
        "account_sip_user": "1001",
        "account_name": "Office",
        "direction": direction,
        "duration": duration,
    }
