"""Sensors: the state of each line and of the phone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.restore_state import RestoreEntity
from homeassistant.helpers.typing import StateType
from homeassistant.util import dt as dt_util

from .call_tracker import CallEvent, CallEventType, PushHealth
from .const import SIGNAL_RESET_MISSED
from .coordinator import GrandstreamConfigEntry, GrandstreamCoordinator, PhoneSnapshot
from .cti import LineState, PhoneState
from .entity import GrandstreamDescribedEntity, GrandstreamEntity, track_new_items

# Read-only: everything comes from the coordinator.
PARALLEL_UPDATES = 0

# The one table mapping the phone's vocabulary to Home Assistant states.
LINE_STATES: dict[LineState, str] = {
    LineState.IDLE: "idle",
    LineState.RINGING: "ringing",
    LineState.DIALING: "dialing",
    LineState.CALLING: "calling",
    LineState.CONNECTED: "connected",
    LineState.ON_HOLD: "on_hold",
    LineState.FAILED: "failed",
    LineState.UNKNOWN: "other",
}
# "unavailable" is reserved by Home Assistant for entities it cannot read,
# so the phone's "unavailable" (no account registered) is "unregistered".
PHONE_STATES: dict[PhoneState, str] = {
    PhoneState.AVAILABLE: "available",
    PhoneState.UNAVAILABLE: "unregistered",
    PhoneState.RINGING: "ringing",
    PhoneState.BUSY: "busy",
    PhoneState.UNKNOWN: "other",
}
# Lines beyond these are rarely used; their sensors start disabled.
LINES_ENABLED_BY_DEFAULT = 2


@dataclass(frozen=True, kw_only=True)
class GrandstreamSensorDescription(SensorEntityDescription):
    """A sensor of the phone and how to read it from a snapshot."""

    value_fn: Callable[[PhoneSnapshot], StateType]


PHONE_SENSORS: tuple[GrandstreamSensorDescription, ...] = (
    GrandstreamSensorDescription(
        key="phone_status",
        translation_key="phone_status",
        device_class=SensorDeviceClass.ENUM,
        options=list(dict.fromkeys(PHONE_STATES.values())),
        value_fn=lambda data: PHONE_STATES[data.status.state],
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: GrandstreamConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    """Add the phone's sensors, and one per line it reports."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        [
            *(GrandstreamSensor(coordinator, d) for d in PHONE_SENSORS),
            PushStatusSensor(coordinator),
            LastCallerSensor(coordinator),
            LastCallStartedSensor(coordinator),
            MissedCallsSensor(coordinator),
        ]
    )
    track_new_items(
        entry,
        lambda data: [line.line for line in data.lines],
        lambda lines: async_add_entities(
            LineSensor(coordinator, number) for number in lines
        ),
    )


class GrandstreamSensor(GrandstreamDescribedEntity, SensorEntity):
    """A sensor described by a ``GrandstreamSensorDescription``."""

    entity_description: GrandstreamSensorDescription

    @property
    def native_value(self) -> StateType:
        """Read the value from the latest snapshot."""
        return self.entity_description.value_fn(self.coordinator.data)


class LineSensor(GrandstreamEntity, SensorEntity):
    """The state of one line, with the other party as attributes."""

    _attr_device_class = SensorDeviceClass.ENUM
    _attr_translation_key = "line"

    def __init__(self, coordinator: GrandstreamCoordinator, line: int) -> None:
        """Create the sensor of line ``line``."""
        super().__init__(coordinator, f"line_{line}")
        self._attr_options = list(dict.fromkeys(LINE_STATES.values()))
        self._line = line
        self._attr_translation_placeholders = {"line": str(line)}
        self._attr_entity_registry_enabled_default = line <= LINES_ENABLED_BY_DEFAULT

    @property
    def available(self) -> bool:
        """Unavailable when the phone stops reporting this line."""
        return super().available and self.coordinator.data.line(self._line) is not None

    @property
    def native_value(self) -> str | None:
        """The line's state."""
        if (status := self.coordinator.data.line(self._line)) is None:
            return None
        return LINE_STATES[status.state]

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Who is on the other end, and how the line is used."""
        if (status := self.coordinator.data.line(self._line)) is None:
            return None
        return {
            "remote_number": status.remote_number or None,
            "remote_name": status.remote_name or None,
            "account": status.account,
            "active": status.active,
            "conference": status.conference,
        }


class PushStatusSensor(GrandstreamEntity, SensorEntity):
    """Whether the phone's pushes arrive, which decides how often we poll."""

    _attr_device_class = SensorDeviceClass.ENUM
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    _attr_translation_key = "push_status"
    _attr_options = [health.value for health in PushHealth]

    def __init__(self, coordinator: GrandstreamCoordinator) -> None:
        """Create the sensor."""
        super().__init__(coordinator, "push_status")

    @property
    def available(self) -> bool:
        """Known even when the phone is not reachable."""
        return True

    @property
    def native_value(self) -> str:
        """The current push health."""
        return self.coordinator.config_entry.runtime_data.tracker.push_health.value


class _CallEventSensor(GrandstreamEntity, SensorEntity):
    """A sensor that follows the phone's call events, not its polls."""

    def __init__(self, coordinator: GrandstreamCoordinator, key: str) -> None:
        super().__init__(coordinator, key)
        self._attr_translation_key = key

    @property
    def available(self) -> bool:
        """What happened stays true while the phone is unreachable."""
        return True

    async def async_added_to_hass(self) -> None:
        """Restore the last value and listen to call events."""
        await super().async_added_to_hass()
        await self._async_restore()
        tracker = self.coordinator.config_entry.runtime_data.tracker
        self.async_on_remove(tracker.add_listener(self._on_call_event))

    async def _async_restore(self) -> None:
        """Restore what the sensor showed before a restart."""

    @callback
    def _on_call_event(self, event: CallEvent) -> None:
        if self._apply(event):
            self.async_write_ha_state()

    def _apply(self, event: CallEvent) -> bool:
        """Take an event; True when the state changed."""
        raise NotImplementedError


class LastCallerSensor(_CallEventSensor, RestoreEntity):
    """Name (or number) of the last caller, with both as attributes."""

    def __init__(self, coordinator: GrandstreamCoordinator) -> None:
        """Create the sensor."""
        super().__init__(coordinator, "last_caller")
        self._number: str | None = None
        self._name: str | None = None

    async def _async_restore(self) -> None:
        if (last := await self.async_get_last_state()) is not None:
            self._number = last.attributes.get("number")
            self._name = last.attributes.get("caller_name")

    def _apply(self, event: CallEvent) -> bool:
        if event.direction != "incoming" or not event.remote_number:
            return False
        if event.type is CallEventType.INCOMING:
            self._number, self._name = event.remote_number, event.remote_name
            return True
        if event.remote_number == self._number and event.remote_name and not self._name:
            # The name can come later than the number, with the line status.
            self._name = event.remote_name
            return True
        return False

    @property
    def native_value(self) -> str | None:
        """The caller's name when known, else the number."""
        return self._name or self._number

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Number and name separately."""
        return {"number": self._number, "caller_name": self._name}


class LastCallStartedSensor(_CallEventSensor, RestoreSensor):
    """When the last call (in or out) started."""

    _attr_device_class = SensorDeviceClass.TIMESTAMP

    def __init__(self, coordinator: GrandstreamCoordinator) -> None:
        """Create the sensor."""
        super().__init__(coordinator, "last_call_started")

    async def _async_restore(self) -> None:
        if (last := await self.async_get_last_sensor_data()) is not None:
            value = last.native_value
            if isinstance(value, str):
                value = dt_util.parse_datetime(value)
            self._attr_native_value = value if isinstance(value, datetime) else None

    def _apply(self, event: CallEvent) -> bool:
        if event.type in (CallEventType.INCOMING, CallEventType.OUTGOING):
            self._attr_native_value = dt_util.utcnow()
            return True
        return False


class MissedCallsSensor(_CallEventSensor, RestoreSensor):
    """Missed calls since the last reset; survives restarts."""

    _attr_state_class = SensorStateClass.TOTAL
    _attr_native_value = 0

    def __init__(self, coordinator: GrandstreamCoordinator) -> None:
        """Create the sensor."""
        super().__init__(coordinator, "missed_calls")
        self._attr_native_unit_of_measurement = None

    async def _async_restore(self) -> None:
        if (last := await self.async_get_last_sensor_data()) is not None:
            try:
                self._attr_native_value = int(float(str(last.native_value or 0)))
            except (TypeError, ValueError):
                self._attr_native_value = 0
        entry = self.coordinator.config_entry
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, SIGNAL_RESET_MISSED.format(entry.entry_id), self._reset
            )
        )

    @callback
    def _reset(self) -> None:
        self._attr_native_value = 0
        self._attr_last_reset = dt_util.utcnow()
        self.async_write_ha_state()

    def _apply(self, event: CallEvent) -> bool:
        if event.type is CallEventType.MISSED:
            self._attr_native_value = int(self._attr_native_value or 0) + 1
            return True
        return False
