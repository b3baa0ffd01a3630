"""The logbook as the phone's call history: ``grandstream_call`` events described.

"Incoming call from Erika Mustermann (+4930123456) on line 1", "Missed call
from …", "Call with … ended after 3 min 12 s": one line per call event, in
Home Assistant's language (texts.py); named after the phone when there are
several (with one, the name would only repeat the entity's).

The event entity's state change for the same call event shares the bus
event's context (call_bus.py), so a logbook showing that entity (the
dashboard's "Recent calls") shows each change once, with this description,
rather than a bare "detected an event". Home Assistant offers an integration
no way to hide an entity's own state changes from the logbook; sharing the
context is how they get the call's words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from homeassistant.components.logbook import (
    LOGBOOK_ENTRY_ICON,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr

from .call_events import CallEventType
from .const import DOMAIN, EVENT_CALL
from .texts import Phrases, phrases

ICONS: Final = {
    CallEventType.INCOMING: "mdi:phone-incoming",
    CallEventType.OUTGOING: "mdi:phone-outgoing",
    CallEventType.ANSWERED: "mdi:phone-in-talk",
    CallEventType.ENDED: "mdi:phone-hangup",
    CallEventType.MISSED: "mdi:phone-missed",
    CallEventType.HELD: "mdi:phone-paused",
    CallEventType.RESUMED: "mdi:phone-in-talk",
}
# Events that say on which line the call is.
_WITH_LINE: Final = frozenset(
    {CallEventType.INCOMING, CallEventType.OUTGOING, CallEventType.MISSED}
)


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None],
) -> None:
    """Describe the phones' call events."""

    @callback
    def describe(event: Event) -> dict[str, str]:
        data = event.data
        kind = _kind(data)
        described = {
            LOGBOOK_ENTRY_MESSAGE: describe_call(phrases(hass), data),
            LOGBOOK_ENTRY_ICON: ICONS[kind] if kind else "mdi:phone",
        }
        if len(hass.config_entries.async_entries(DOMAIN)) > 1:
            described[LOGBOOK_ENTRY_NAME] = _phone_name(hass, data.get("device_id"))
        return described

    async_describe_event(DOMAIN, EVENT_CALL, describe)


def describe_call(words: Phrases, data: Mapping[str, Any]) -> str:
    """One call event as a sentence: what happened, with whom, where, how long."""
    kind = _kind(data)
    if kind is None:
        return words.text("logbook.unknown_event")
    caller = _caller(data)
    key = f"logbook.{kind.value}"
    placeholders = {"caller": caller} if caller else {}
    duration = data.get("duration")
    if kind is CallEventType.ENDED and isinstance(duration, int | float):
        key = "logbook.ended_after"
        placeholders["duration"] = words.duration(duration)
    text = words.text(key if caller else f"{key}_unknown", **placeholders)
    line = data.get("line")
    if kind in _WITH_LINE and isinstance(line, int):
        text = f"{text} {words.text('logbook.on_line', line=str(line))}"
    return text


def _kind(data: Mapping[str, Any]) -> CallEventType | None:
    try:
        return CallEventType(str(data.get("type")))
    except ValueError:
        return None


def _caller(data: Mapping[str, Any]) -> str:
    """``Name (number)``, the name or the number alone, or empty when unknown."""
    name = str(data.get("remote_name") or "").strip()
    number = str(data.get("remote_number") or "").strip()
    if name and number and name != number:
        return f"{name} ({number})"
    return name or number


def _phone_name(hass: HomeAssistant, device_id: Any) -> str:
    """The phone's name as the user sees it (its device), else the integration's."""
    device = dr.async_get(hass).async_get(str(device_id)) if device_id else None
    if device is not None and (name := device.name_by_user or device.name):
        return name
    return "Grandstream"
