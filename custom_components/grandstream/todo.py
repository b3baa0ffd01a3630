"""The "Call back" to-do list: one item per caller whose call was missed.

The phone is the source of the items (see call_back.py): they cannot be
created by hand, but the user can tick them off, edit or delete them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from homeassistant.components.todo import (
    TodoItem,
    TodoItemStatus,
    TodoListEntity,
    TodoListEntityFeature,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.util import dt as dt_util

from . import call_back_text
from .call_back import CallBackItem
from .const import CALL_BACK_LIST_KEY
from .coordinator import GrandstreamConfigEntry
from .entity import GrandstreamRecordEntity

# The list lives in Home Assistant; nothing is sent to the phone.
PARALLEL_UPDATES = 0

CALL_BACK = EntityDescription(key=CALL_BACK_LIST_KEY, translation_key="call_back")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: GrandstreamConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    """Add the phone's call-back list."""
    async_add_entities([CallBackTodoList(entry.runtime_data, CALL_BACK)])


class CallBackTodoList(GrandstreamRecordEntity, TodoListEntity):
    """Callers to call back; completed when the phone connects a call with them."""

    _attr_supported_features = (
        TodoListEntityFeature.UPDATE_TODO_ITEM
        | TodoListEntityFeature.DELETE_TODO_ITEM
        | TodoListEntityFeature.SET_DUE_DATETIME_ON_ITEM
        | TodoListEntityFeature.SET_DESCRIPTION_ON_ITEM
    )

    @property
    def todo_items(self) -> list[TodoItem]:
        """The list, texts in Home Assistant's language of the moment."""
        return [self._todo_item(item) for item in self.coordinator.call_backs.items]

    def _todo_item(self, item: CallBackItem) -> TodoItem:
        language = self.hass.config.language
        return TodoItem(
            uid=item.uid,
            summary=call_back_text.summary(item, language),
            description=call_back_text.description(item, language),
            due=None if item.due is None else dt_util.utc_from_timestamp(item.due),
            status=(
                TodoItemStatus.NEEDS_ACTION
                if item.is_open
                else TodoItemStatus.COMPLETED
            ),
        )

    async def async_update_todo_item(self, item: TodoItem) -> None:
        """Tick off, reopen or edit an item (what is unchanged stays generated)."""
        call_backs = self.coordinator.call_backs
        if item.uid is None or (current := call_backs.item(item.uid)) is None:
            return  # deleted meanwhile
        shown = self._todo_item(current)
        edits: dict[str, Any] = {}
        if item.summary != shown.summary:
            edits["summary"] = item.summary
        if item.description != shown.description:
            # Cleared is cleared (None would bring the generated text back).
            edits["description"] = item.description or ""
        if item.due != shown.due:
            edits["due"] = _timestamp(item.due)
        if edits:
            call_backs.edit(item.uid, **edits)
        if item.status is not None and item.status != shown.status:
            call_backs.set_done(item.uid, item.status == TodoItemStatus.COMPLETED)

    async def async_delete_todo_items(self, uids: list[str]) -> None:
        """Delete items."""
        self.coordinator.call_backs.remove(uids)


def _timestamp(due: date | datetime | None) -> float | None:
    # Only times are offered (SET_DUE_DATETIME_ON_ITEM), so a due is one or None.
    return dt_util.as_utc(due).timestamp() if isinstance(due, datetime) else None
