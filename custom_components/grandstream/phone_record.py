"""What Home Assistant recorded of a phone, kept across restarts.

The phone cannot be asked for any of it: Do Not Disturb is known only from
its pushes, the last caller and the last call's start only from call events,
and whether its pushes ever arrived only from the pushes themselves. The
coordinator owns the record and keeps it in Home Assistant's storage (one
file per phone); entities only read it.

Versions before this one kept these values in the entities' restored states
and in the config entry (``push_seen``); the first start takes them over
from there once (``old_values`` and ``PhoneRecord.take_over``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.restore_state import async_get as async_get_restored
from homeassistant.util import dt as dt_util

from .call_back import CallBackList
from .call_events import (
    MAX_NAME_LENGTH,
    MAX_NUMBER_LENGTH,
    CallEvent,
    CallEventType,
    Direction,
)
from .const import CONF_PUSH_SEEN, CONF_REPLACED_DND_SENSOR
from .identity import device_key
from .phone_store import PhoneStore, async_remove_phone_store

# The record's kind in the storage (phone_store.py).
STORAGE_KIND: Final = "record"


@dataclass(frozen=True, slots=True)
class OldValues:
    """What an earlier version kept in its entities' states and its entry."""

    dnd: bool | None = None
    last_caller_number: str | None = None
    last_caller_name: str | None = None
    last_call_started: datetime | None = None
    missed_calls: int = 0


class PhoneRecord:
    """Do Not Disturb, the last caller, the last call's start, push seen."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Nothing recorded; ``async_load`` reads what was stored."""
        self._store = PhoneStore(hass, STORAGE_KIND, entry_id, self._data)
        # None until the phone reports it (no CTI request reads it).
        self.dnd: bool | None = None
        self.last_caller_number: str | None = None
        self.last_caller_name: str | None = None
        self.last_call_started: datetime | None = None
        # A push of this phone arrived once (it must prove itself after a start).
        self.push_seen = False

    async def async_load(self) -> bool:
        """Read the stored record; False when there was none (first start)."""
        data = await self._store.async_load()
        if not isinstance(data, dict):
            return False
        dnd = data.get("dnd")
        self.dnd = dnd if isinstance(dnd, bool) else None
        self.last_caller_number = _text(
            data.get("last_caller_number"), MAX_NUMBER_LENGTH
        )
        self.last_caller_name = _text(data.get("last_caller_name"), MAX_NAME_LENGTH)
        started = data.get("last_call_started")
        self.last_call_started = (
            dt_util.utc_from_timestamp(started)
            if isinstance(started, int | float)
            else None
        )
        self.push_seen = bool(data.get("push_seen"))
        return True

    @callback
    def take_over(self, old: OldValues, *, push_seen: bool) -> None:
        """Start from what an earlier version kept (the first start only)."""
        self.dnd = old.dnd
        self.last_caller_number = old.last_caller_number
        self.last_caller_name = old.last_caller_name
        self.last_call_started = old.last_call_started
        self.push_seen = push_seen
        self._save()

    async def async_save_now(self) -> None:
        """Write pending changes at once (the entry unloads)."""
        await self._store.async_save_now()

    # -- changes (each returns whether anything changed) -----------------------

    @callback
    def take_call_event(self, event: CallEvent) -> bool:
        """Follow the last caller and the last call's start."""
        changed = False
        if event.type in (CallEventType.INCOMING, CallEventType.OUTGOING):
            self.last_call_started = dt_util.utc_from_timestamp(event.at)
            changed = True
        if event.direction is Direction.INCOMING and event.remote_number:
            if event.type is CallEventType.INCOMING:
                self.last_caller_number = event.remote_number
                self.last_caller_name = event.remote_name
                changed = True
            else:
                changed |= self.take_caller_name(event)
        if changed:
            self._save()
        return changed

    @callback
    def take_caller_name(self, event: CallEvent) -> bool:
        """The last caller's name, once the line status tells it."""
        if (
            event.remote_number != self.last_caller_number
            or not event.remote_name
            or self.last_caller_name
        ):
            return False
        self.last_caller_name = event.remote_name
        self._save()
        return True

    @callback
    def set_dnd(self, value: bool) -> bool:
        """Do Not Disturb as the phone reported it."""
        if self.dnd is value:
            return False
        self.dnd = value
        self._save()
        return True

    @callback
    def mark_push_seen(self) -> bool:
        """A push of this phone arrived."""
        if self.push_seen:
            return False
        self.push_seen = True
        self._save()
        return True

    def diagnostics(self) -> dict[str, Any]:
        """The record without the caller's number or name."""
        return {
            "dnd": self.dnd,
            "last_caller_known": self.last_caller_number is not None,
            "last_call_started": (
                self.last_call_started.isoformat() if self.last_call_started else None
            ),
            "push_seen": self.push_seen,
        }

    def _save(self) -> None:
        self._store.save_later()

    def _data(self) -> dict[str, Any]:
        return {
            "dnd": self.dnd,
            "last_caller_number": self.last_caller_number,
            "last_caller_name": self.last_caller_name,
            "last_call_started": (
                self.last_call_started.timestamp() if self.last_call_started else None
            ),
            "push_seen": self.push_seen,
        }


async def async_remove_record(hass: HomeAssistant, entry_id: str) -> None:
    """Delete a removed phone's record (its last caller included) from storage."""
    await async_remove_phone_store(hass, STORAGE_KIND, entry_id)


@callback
def take_over_old_values(
    hass: HomeAssistant,
    entry: ConfigEntry[Any],
    record: PhoneRecord,
    call_backs: CallBackList,
) -> None:
    """First start with a record: take what earlier versions kept elsewhere."""
    old = old_values(
        hass,
        entry.entry_id,
        device_key(entry),
        # The DND binary sensor is gone from the registry since 1.3 (a switch
        # took its unique id); its last state is under its old entity id.
        dnd_entity_id=entry.data.get(CONF_REPLACED_DND_SENSOR),
    )
    record.take_over(old, push_seen=bool(entry.data.get(CONF_PUSH_SEEN)))
    if CONF_PUSH_SEEN in entry.data:
        data = {k: v for k, v in entry.data.items() if k != CONF_PUSH_SEEN}
        hass.config_entries.async_update_entry(entry, data=data)
    if call_backs.fresh:
        call_backs.adopt_old_counter(old.missed_calls)


@callback
def old_values(
    hass: HomeAssistant,
    entry_id: str,
    device_key: str,
    *,
    dnd_entity_id: str | None = None,
) -> OldValues:
    """What the entities of an earlier version showed when Home Assistant stopped."""
    registry = er.async_get(hass)
    restored = async_get_restored(hass).last_states

    def state(key: str, entity_id: str | None = None) -> Any:
        entity_id = entity_id or next(
            (
                entity.entity_id
                for entity in er.async_entries_for_config_entry(registry, entry_id)
                if entity.unique_id == f"{device_key}_{key}"
            ),
            None,
        )
        stored = restored.get(entity_id) if entity_id else None
        return None if stored is None else stored.state

    dnd, caller = state("do_not_disturb", dnd_entity_id), state("last_caller")
    started, missed = state("last_call_started"), state("missed_calls")
    return OldValues(
        dnd=(
            None
            if dnd is None or dnd.state not in (STATE_ON, STATE_OFF)
            else dnd.state == STATE_ON
        ),
        last_caller_number=(
            None
            if caller is None
            else _text(caller.attributes.get("number"), MAX_NUMBER_LENGTH)
        ),
        last_caller_name=(
            None
            if caller is None
            else _text(caller.attributes.get("caller_name"), MAX_NAME_LENGTH)
        ),
        last_call_started=(
            None if started is None else dt_util.parse_datetime(started.state)
        ),
        missed_calls=_count(missed.state) if missed else 0,
    )


def _text(value: Any, limit: int) -> str | None:
    return str(value)[:limit] if isinstance(value, str) and value else None


def _count(value: object) -> int:
    """A restored count; 0 when it does not read as one."""
    try:
        return int(float(str(value or 0)))
    except (OverflowError, TypeError, ValueError):
        return 0
