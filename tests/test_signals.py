"""The one way the coordinator tells subscribers what happened (signals.py)."""

from __future__ import annotations

import pytest

from custom_components.grandstream.signals import Signal


def test_every_subscriber_hears_even_after_one_fails(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A failing subscriber is logged in full; the others still hear the news."""
    signal: Signal[int] = Signal("test news")
    heard: list[int] = []

    def broken(_value: int) -> None:
        raise RuntimeError("a broken subscriber")

    signal.connect(broken)
    disconnect = signal.connect(heard.append)
    signal.emit(1)
    assert heard == [1]
    assert "a broken subscriber" in caplog.text
    assert "test news" in caplog.text

    disconnect()
    disconnect()  # twice is harmless
    signal.emit(2)
    assert heard == [1]


def test_clear_forgets_everyone() -> None:
    """After the entry unloads nobody is told anything."""
    signal: Signal[None] = Signal("test news")
    heard: list[None] = []
    signal.connect(heard.append)
    signal.clear()
    signal.emit(None)
    assert heard == []
