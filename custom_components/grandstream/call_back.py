"""The phone's call-back list: who called while nobody answered, and who was called back.

The coordinator feeds every call event in (``handle``) before anything else
hears of it, and publishes the changes; changes the user makes (tick, edit,
delete, reset) are announced through ``on_change``:

- a missed call adds an open item, or counts on the open item of the same
  number (one item per caller, however often they tried);
- a connected call with an equivalent number, either way (the user called
  back and the other end answered, or the user answered their next call),
  completes the caller's open items; a call back nobody answered does not.

The user ticks items off, edits or deletes them through the to-do entity;
the missed-calls sensor counts the open items. The list is kept in Home
Assistant's storage (one file per phone), bounded to the newest
``MAX_OPEN`` open and ``MAX_COMPLETED`` completed items.

Numbers are kept exactly as the phone reported them; texts shown to users are
made from them when shown (see call_back_text.py), in the language of the
moment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
import time
from typing import Any, Final
import uuid

from homeassistant.components.diagnostics import REDACTED
from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .call_events import (
    MAX_NAME_LENGTH,
    MAX_NUMBER_LENGTH,
    CallEvent,
    CallEventType,
    Direction,
)
from .const import LOGGER
from .cti import digits, same_party
from .phone_store import PhoneStore, async_remove_phone_store

# The list's kind in the storage (phone_store.py).
STORAGE_KIND: Final = "call_back"
# Bounds: a phone ringing all night must not grow the file without end.
MAX_OPEN: Final = 100
MAX_COMPLETED: Final = 100
# Times of missed calls kept per item (the count goes on beyond them).
MAX_TIMES: Final = 10
MAX_TEXT_LENGTH: Final = 1000


class CompletedBy(StrEnum):
    """Why an item was completed."""

    CALLED_BACK = "called_back"  # the user called and the other end answered
    ANSWERED = "answered"  # the user answered the caller's next call
    USER = "user"  # ticked off by hand
    RESET = "reset"  # the "reset missed calls" button or action


@dataclass(slots=True)
class CallBackItem:
    """One caller to call back."""

    uid: str
    # As the phone reported it ("" when it reported none).
    number: str
    name: str = ""
    # Wall-clock times of the newest missed calls, oldest first.
    times: list[float] = field(default_factory=list)
    count: int = 0
    line: int | None = None
    account: int | None = None
    # The account's name, else its SIP user ("" when unknown).
    account_label: str = ""
    completed_at: float | None = None
    completed_by: CompletedBy | None = None
    # What the user wrote instead of the generated texts (None: generated).
    own_summary: str | None = None
    own_description: str | None = None
    # The user set (or cleared) the due time; ``own_due`` is theirs then.
    due_edited: bool = False
    own_due: float | None = None

    @property
    def is_open(self) -> bool:
        """Not completed yet."""
        return self.completed_at is None

    @property
    def last_call(self) -> float:
        """When the caller last tried."""
        return self.times[-1] if self.times else 0.0

    @property
    def due(self) -> float | None:
        """The due time: the last missed call, unless the user chose another."""
        return self.own_due if self.due_edited else (self.last_call or None)

    def as_dict(self) -> dict[str, Any]:
        """The stored form."""
        return {
            "uid": self.uid,
            "number": self.number,
            "name": self.name,
            "times": list(self.times),
            "count": self.count,
            "line": self.line,
            "account": self.account,
            "account_label": self.account_label,
            "completed_at": self.completed_at,
            "completed_by": self.completed_by,
            "own_summary": self.own_summary,
            "own_description": self.own_description,
            "due_edited": self.due_edited,
            "own_due": self.own_due,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CallBackItem:
        """Read the stored form; ValueError/TypeError/KeyError when damaged."""
        completed_by = data.get("completed_by")
        return cls(
            uid=str(data["uid"]),
            number=str(data.get("number") or "")[:MAX_NUMBER_LENGTH],
            name=str(data.get("name") or "")[:MAX_NAME_LENGTH],
            times=[float(t) for t in data.get("times") or ()][-MAX_TIMES:],
            count=max(1, int(data.get("count") or 1)),
            line=_int_or_none(data.get("line")),
            account=_int_or_none(data.get("account")),
            account_label=str(data.get("account_label") or "")[:MAX_NAME_LENGTH],
            completed_at=_float_or_none(data.get("completed_at")),
            completed_by=CompletedBy(completed_by) if completed_by else None,
            own_summary=_text_or_none(data.get("own_summary")),
            own_description=_text_or_none(data.get("own_description")),
            due_edited=bool(data.get("due_edited")),
            own_due=_float_or_none(data.get("own_due")),
        )


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def _float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)


def _text_or_none(value: Any) -> str | None:
    return None if value is None else str(value)[:MAX_TEXT_LENGTH]


class _Unset(StrEnum):
    UNSET = "unset"


UNSET: Final = _Unset.UNSET


class CallBackList:
    """One phone's call-back list, kept in Home Assistant's storage."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        *,
        on_change: Callable[[], None],
        clock: Callable[[], float] = time.time,
    ) -> None:
        """An empty list; ``async_load`` reads the stored one."""
        self._on_change = on_change
        self._store = PhoneStore(hass, STORAGE_KIND, entry_id, self._data)
        self._clock = clock
        # Open items, newest call first; completed ones, newest completion first.
        self._open: list[CallBackItem] = []
        self._done: list[CallBackItem] = []
        self._last_reset: float | None = None
        # Nothing was stored yet: the first start with a call-back list.
        self.fresh = True
        self.dropped = 0

    # -- storage -----------------------------------------------------------

    async def async_load(self) -> None:
        """Read the stored list (items that do not read back are skipped)."""
        data = await self._store.async_load()
        if data is None:
            return
        self.fresh = False
        self._last_reset = _float_or_none(data.get("last_reset"))
        items: list[CallBackItem] = []
        damaged = 0
        for raw in data.get("items") or ():
            try:
                items.append(CallBackItem.from_dict(raw))
            except (KeyError, TypeError, ValueError, AttributeError):
                damaged += 1
        if damaged:
            LOGGER.warning(
                "Skipped %s damaged items of the stored call-back list", damaged
            )
        self._open = sorted(
            (i for i in items if i.is_open), key=lambda i: i.last_call, reverse=True
        )
        self._done = sorted(
            (i for i in items if not i.is_open),
            key=lambda i: i.completed_at or 0.0,
            reverse=True,
        )
        self._bound()

    async def async_save_now(self) -> None:
        """Write pending changes at once (the entry unloads)."""
        await self._store.async_save_now()

    def _data(self) -> dict[str, Any]:
        return {
            "last_reset": self._last_reset,
            "items": [item.as_dict() for item in self.items],
        }

    # -- reading -----------------------------------------------------------

    @property
    def items(self) -> list[CallBackItem]:
        """Open items (newest call first), then completed ones (newest first)."""
        return [*self._open, *self._done]

    @property
    def open_count(self) -> int:
        """How many callers wait for a call back."""
        return len(self._open)

    @property
    def last_reset(self) -> datetime | None:
        """When the user last reset the missed calls."""
        if self._last_reset is None:
            return None
        return dt_util.utc_from_timestamp(self._last_reset)

    def item(self, uid: str) -> CallBackItem | None:
        """The item with ``uid``, if it is still on the list."""
        return next((item for item in self.items if item.uid == uid), None)

    # -- the phone's calls ---------------------------------------------------

    @callback
    def handle(self, event: CallEvent) -> bool:
        """Take one call event of the phone; True when the list changed.

        The owner publishes the change (``on_change`` is for the user's).
        """
        if event.type is CallEventType.MISSED:
            self._missed(event)
            return True
        if event.type is not CallEventType.ANSWERED or not digits(event.remote_number):
            # Withheld numbers share an item only the user can complete.
            return False
        by = (
            CompletedBy.CALLED_BACK
            if event.direction is Direction.OUTGOING
            else CompletedBy.ANSWERED
        )
        at = event.at or self._clock()
        done = [i for i in self._open if same_party(i.number, event.remote_number)]
        for item in done:
            self._complete(item, by, at)
        if done:
            self._save()
        return bool(done)

    def _missed(self, event: CallEvent) -> None:
        number = (event.remote_number or "")[:MAX_NUMBER_LENGTH]
        at = event.at or self._clock()
        # One item per caller; withheld numbers share one (equal text).
        item = next((i for i in self._open if same_party(i.number, number)), None)
        if item is None:
            item = CallBackItem(uid=uuid.uuid4().hex, number=number)
        else:
            self._open.remove(item)
            # The generated text and due time tell of the new call; a name
            # the user gave the caller stays.
            item.own_description = None
            item.due_edited = False
            item.own_due = None
        item.count += 1
        item.times = [*item.times, at][-MAX_TIMES:]
        item.name = (event.remote_name or "")[:MAX_NAME_LENGTH] or item.name
        item.line = event.line if event.line is not None else item.line
        if event.account is not None:
            item.account = event.account
            item.account_label = (event.account_name or event.account_sip_user or "")[
                :MAX_NAME_LENGTH
            ]
        self._open.insert(0, item)
        self._bound()
        self._save()

    # -- the user's changes --------------------------------------------------

    @callback
    def set_done(self, uid: str, done: bool) -> None:
        """Tick an item off, or open it again."""
        item = self.item(uid)
        if item is None or item.is_open is not done:
            return
        if done:
            self._complete(item, CompletedBy.USER, self._clock())
        else:
            self._done.remove(item)
            item.completed_at = item.completed_by = None
            self._open.append(item)
            self._open.sort(key=lambda i: i.last_call, reverse=True)
            self._bound()
        self._changed()

    @callback
    def edit(
        self,
        uid: str,
        *,
        summary: str | _Unset | None = UNSET,
        description: str | _Unset | None = UNSET,
        due: float | _Unset | None = UNSET,
    ) -> None:
        """Keep the user's own texts and due time (None: back to generated)."""
        item = self.item(uid)
        if item is None:
            return
        if not isinstance(summary, _Unset):
            item.own_summary = _text_or_none(summary)
        if not isinstance(description, _Unset):
            item.own_description = _text_or_none(description)
        if not isinstance(due, _Unset):
            item.due_edited = True
            item.own_due = due
        self._changed()

    @callback
    def remove(self, uids: Iterable[str]) -> None:
        """Delete items."""
        gone = set(uids)
        self._open = [i for i in self._open if i.uid not in gone]
        self._done = [i for i in self._done if i.uid not in gone]
        self._changed()

    @callback
    def complete_all(self) -> None:
        """The user reset the missed calls: every open item is done."""
        now = self._clock()
        for item in list(self._open):
            self._complete(item, CompletedBy.RESET, now)
        self._last_reset = now
        self._changed()

    @callback
    def adopt_old_counter(self, count: int) -> None:
        """Take over from the missed-call counter of versions before the list.

        Its calls cannot become items (their numbers were never kept), so the
        count starts again from the list's, as after a reset.
        """
        if not self.fresh:
            return
        self.fresh = False
        if count <= 0:
            return
        LOGGER.info(
            "The missed calls sensor now counts the open items of the call-back "
            "list; the %s missed calls counted before cannot become items (their "
            "numbers were not kept), so it starts again from %s",
            count,
            self.open_count,
        )
        self._last_reset = self._clock()
        self._changed()

    # -- internals -----------------------------------------------------------

    def _complete(self, item: CallBackItem, by: CompletedBy, at: float) -> None:
        self._open.remove(item)
        item.completed_at = at
        item.completed_by = by
        self._done.insert(0, item)
        self._bound()

    def _bound(self) -> None:
        """Keep the newest items; the oldest fall off."""
        for items, limit in ((self._open, MAX_OPEN), (self._done, MAX_COMPLETED)):
            if len(items) > limit:
                self.dropped += len(items) - limit
                del items[limit:]

    def _save(self) -> None:
        """Write the list a little later (a burst of calls costs one write)."""
        self.fresh = False
        self._store.save_later()

    def _changed(self) -> None:
        """The user changed the list: save it and say so."""
        self._save()
        self._on_change()

    def diagnostics(self) -> dict[str, Any]:
        """The list without numbers, names or the user's texts."""

        def when(timestamp: float | None) -> str | None:
            if timestamp is None:
                return None
            return dt_util.utc_from_timestamp(timestamp).isoformat()

        return {
            "open": len(self._open),
            "completed": len(self._done),
            "dropped_since_start": self.dropped,
            "last_reset": when(self._last_reset),
            "items": [
                {
                    "number": REDACTED if item.number else "",
                    "number_has_digits": bool(digits(item.number)),
                    "name": REDACTED if item.name else "",
                    "count": item.count,
                    "times": [when(t) for t in item.times],
                    "line": item.line,
                    "account": item.account,
                    "account_label": REDACTED if item.account_label else "",
                    "completed_at": when(item.completed_at),
                    "completed_by": item.completed_by,
                    "own_summary": None if item.own_summary is None else REDACTED,
                    "own_description": (
                        None if item.own_description is None else REDACTED
                    ),
                    "due": when(item.due),
                }
                for item in self.items
            ],
        }


async def async_remove_call_backs(hass: HomeAssistant, entry_id: str) -> None:
    """Delete a removed phone's list from the storage."""
    await async_remove_phone_store(hass, STORAGE_KIND, entry_id)
