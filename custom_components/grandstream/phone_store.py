"""What Home Assistant keeps of a phone in its storage: one private file per kind.

The call-back list (call_back.py) and the phone's record (phone_record.py)
each keep one. Both are written a little after a change, so a burst of calls
costs one write, at once when the entry unloads, and deleted with the phone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store

from .const import DOMAIN, STORAGE_SAVE_DELAY

STORAGE_VERSION: Final = 1


def storage_key(kind: str, entry_id: str) -> str:
    """The storage key of one kind of a phone's data ("call_back", "record")."""
    return f"{DOMAIN}.{kind}.{entry_id}"


class PhoneStore:
    """One kind of a phone's data; ``data`` gives what to write when it is time."""

    def __init__(
        self,
        hass: HomeAssistant,
        kind: str,
        entry_id: str,
        data: Callable[[], dict[str, Any]],
    ) -> None:
        """Nothing read or written yet."""
        self._store: Store[dict[str, Any]] = Store(
            hass,
            STORAGE_VERSION,
            storage_key(kind, entry_id),
            private=True,
            atomic_writes=True,
        )
        self._data = data
        self._dirty = False

    async def async_load(self) -> dict[str, Any] | None:
        """What was stored; None when nothing was."""
        return await self._store.async_load()

    @callback
    def save_later(self) -> None:
        """Write a little later (a burst of changes costs one write)."""
        self._dirty = True
        self._store.async_delay_save(self._written, STORAGE_SAVE_DELAY)

    async def async_save_now(self) -> None:
        """Write pending changes at once (the entry unloads)."""
        if self._dirty:
            await self._store.async_save(self._written())

    def _written(self) -> dict[str, Any]:
        self._dirty = False
        return self._data()


async def async_remove_phone_store(
    hass: HomeAssistant, kind: str, entry_id: str
) -> None:
    """Delete one kind of a removed phone's data from the storage."""
    await Store[dict[str, Any]](
        hass, STORAGE_VERSION, storage_key(kind, entry_id)
    ).async_remove()
