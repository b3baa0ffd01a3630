"""Signals: how the phone's owner tells everyone else what happened.

The coordinator publishes two kinds of news besides its snapshot: each call
event, and "the record changed" (Do Not Disturb, last caller, push health,
the call-back list). Entities and repairs subscribe; a subscriber that fails
is logged in full and the others still hear the news.
"""

from __future__ import annotations

from collections.abc import Callable

from .const import LOGGER


class Signal[T]:
    """Subscribers to one kind of news, called in the order they subscribed."""

    __slots__ = ("_listeners", "_name")

    def __init__(self, name: str) -> None:
        """Name the news (it appears in the log when a subscriber fails)."""
        self._name = name
        self._listeners: list[Callable[[T], None]] = []

    def connect(self, listener: Callable[[T], None]) -> Callable[[], None]:
        """Call ``listener`` with each piece of news; returns the unsubscriber."""
        self._listeners.append(listener)

        def disconnect() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return disconnect

    def emit(self, value: T) -> None:
        """Tell every subscriber; one that fails does not stop the others."""
        for listener in list(self._listeners):
            try:
                listener(value)
            except Exception:  # noqa: BLE001 - one subscriber's bug, logged in full
                LOGGER.exception("Error in a subscriber to %s", self._name)

    def clear(self) -> None:
        """Forget every subscriber (the phone's entry unloads)."""
        self._listeners.clear()
