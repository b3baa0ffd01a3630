"""Sensors: each line and the phone (snapshot), and what happened (record)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.typing import StateType

from .coordinator import GrandstreamConfigEntry
from .cti import LineState, PhoneState
from .entity import GrandstreamEntity, GrandstreamRecordEntity, track_new_items
from .push_health import PushHealth
from .snapshot import PhoneSnapshot

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
    """A sensor of the phone's snapshot and how to read it."""

    value_fn: Callable[[PhoneSnapshot], StateType]
    attributes_fn: Callable[[PhoneSnapshot], dict[str, Any] | None] = lambda _: None
    available_fn: Callable[[PhoneSnapshot], bool] = lambda _: True


PHONE_SENSORS: tuple[GrandstreamSensorDescription, ...] = (
    GrandstreamSensorDescription(
        key="phone_status",
        translation_key="phone_status",
        device_class=SensorDeviceClass.ENUM,
        options=list(dict.fromkeys(PHONE_STATES.values())),
        value_fn=lambda data: PHONE_STATES[data.status.state],
        attributes_fn=lambda data: {"from_push": data.status_from_push},
    ),
)


def line_sensor(number: int) -> GrandstreamSensorDescription:
    """The description of the sensor of line ``number``."""

    def value(data: PhoneSnapshot) -> str | None:
        status = data.line(number)
        return None if status is None else LINE_STATES[status.state]

    def attributes(data: PhoneSnapshot) -> dict[str, Any] | None:
        if (status := data.line(number)) is None:
            return None
        account = data.book.account(status.account)
        return {
            "remote_number": status.remote_number or None,
            "remote_name": status.remote_name or None,
            "account": status.account,
            "account_sip_user": account.sip_user or None if account else None,
            "account_name": account.name or None if account else None,
            "active": status.active,
            "conference": status.conference,
            # What a push said, until the phone's line status confirms it.
            "from_push": number in data.pushed_lines,
        }

    return GrandstreamSensorDescription(
        key=f"line_{number}",
        translation_key="line",
        translation_placeholders={"line": str(number)},
        device_class=SensorDeviceClass.ENUM,
        options=list(dict.fromkeys(LINE_STATES.values())),
        entity_registry_enabled_default=number <= LINES_ENABLED_BY_DEFAULT,
        value_fn=value,
        attributes_fn=attributes,
        # Unavailable when the phone stops reporting this line.
        available_fn=lambda data: data.line(number) is not None,
    )


PUSH_STATUS = SensorEntityDescription(
    key="push_status",
    translation_key="push_status",
    device_class=SensorDeviceClass.ENUM,
    entity_category=EntityCategory.DIAGNOSTIC,
    options=[health.value for health in PushHealth],
)
LAST_CALLER = SensorEntityDescription(key="last_caller", translation_key="last_caller")
LAST_CALL_STARTED = SensorEntityDescription(
    key="last_call_started",
    translation_key="last_call_started",
    device_class=SensorDeviceClass.TIMESTAMP,
)
MISSED_CALLS = SensorEntityDescription(
    key="missed_calls",
    translation_key="missed_calls",
    state_class=SensorStateClass.TOTAL,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: GrandstreamConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    """Add the phone's sensors, and one per line it reports."""
    coordinator = entry.runtime_data
    async_add_entities(
        [
            *(GrandstreamSensor(coordinator, d) for d in PHONE_SENSORS),
            PushStatusSensor(coordinator, PUSH_STATUS),
            LastCallerSensor(coordinator, LAST_CALLER),
            LastCallStartedSensor(coordinator, LAST_CALL_STARTED),
            MissedCallsSensor(coordinator, MISSED_CALLS),
        ]
    )
    track_new_items(
        entry,
        lambda data: [line.line for line in data.lines],
        lambda lines: async_add_entities(
            GrandstreamSensor(coordinator, line_sensor(number)) for number in lines
        ),
    )


class GrandstreamSensor(GrandstreamEntity, SensorEntity):
    """A sensor of the phone's snapshot, described by its description."""

    entity_description: GrandstreamSensorDescription

    @property
    def available(self) -> bool:
        """Available while the phone answers and reports what this shows."""
        return super().available and self.entity_description.available_fn(
            self.coordinator.data
        )

    @property
    def native_value(self) -> StateType:
        """Read the value from the latest snapshot."""
        return self.entity_description.value_fn(self.coordinator.data)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Attributes from the latest snapshot."""
        return self.entity_description.attributes_fn(self.coordinator.data)


class PushStatusSensor(GrandstreamRecordEntity, SensorEntity):
    """Whether the phone's pushes arrive, which decides how often we poll."""

    @property
    def native_value(self) -> str:
        """The current push health."""
        return self.coordinator.push_health.value


class LastCallerSensor(GrandstreamRecordEntity, SensorEntity):
    """Name (or number) of the last caller, with both as attributes."""

    @property
    def native_value(self) -> str | None:
        """The caller's name when known, else the number."""
        record = self.coordinator.record
        return record.last_caller_name or record.last_caller_number

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Number and name separately."""
        record = self.coordinator.record
        return {
            "number": record.last_caller_number,
            "caller_name": record.last_caller_name,
        }


class LastCallStartedSensor(GrandstreamRecordEntity, SensorEntity):
    """When the last call (in or out) started."""

    @property
    def native_value(self) -> datetime | None:
        """The last call's start."""
        return self.coordinator.record.last_call_started


class MissedCallsSensor(GrandstreamRecordEntity, SensorEntity):
    """Callers waiting for a call back: the open items of the call-back list."""

    @property
    def native_value(self) -> int:
        """How many open items the call-back list has."""
        return self.coordinator.call_backs.open_count

    @property
    def last_reset(self) -> datetime | None:
        """When the user last reset the missed calls."""
        return self.coordinator.call_backs.last_reset
