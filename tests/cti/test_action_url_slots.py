"""The Action URL slot rules of the library, on their own."""

from __future__ import annotations

import pytest

from custom_components.grandstream.action_urls import (
    EVENTS as INTEGRATION_EVENTS,
    action_urls as integration_action_urls,
)
from custom_components.grandstream.cti import (
    ACTION_URL_SLOTS,
    DEFAULT_EVENTS,
    MAX_ACTION_URL_LENGTH,
    action_url,
    action_urls_for,
    is_own_action_url,
)

WEBHOOK = "/api/webhook/0123456789abcdef0123456789abcdef"


def test_same_urls_as_the_integration() -> None:
    """The library writes what the integration writes (one format, one slot map)."""
    base = "http://192.0.2.2:8123"
    assert action_urls_for(base + WEBHOOK) == integration_action_urls(
        base, WEBHOOK[13:]
    )
    assert tuple(INTEGRATION_EVENTS) == DEFAULT_EVENTS
    for event, pvalue in INTEGRATION_EVENTS.items():
        assert ACTION_URL_SLOTS[event] == str(pvalue)
    assert MAX_ACTION_URL_LENGTH == 256


def test_every_event_has_a_url() -> None:
    """Call events carry the caller, others the MAC."""
    urls = action_urls_for("http://h/x", ACTION_URL_SLOTS)
    assert urls["answered"] == "http://h/x?e=answered&m=$mac&r=$remote&a=$active_user"
    assert urls["dnd_on"] == "http://h/x?e=dnd_on&m=$mac"
    with pytest.raises(ValueError, match="Unknown"):
        action_url("http://h/x", "teleport")


@pytest.mark.parametrize(
    "target", ["h/x", "ftp://h/x", "http://h/x?a=1", "http://h/#x"]
)
def test_bad_targets(target: str) -> None:
    """Only a bare http(s) URL can take the query."""
    with pytest.raises(ValueError):
        action_urls_for(target)


@pytest.mark.parametrize(
    ("value", "target", "ours"),
    [
        ("http://h:1/x?e=incoming&m=$mac", "http://h:1/x", True),
        ("http://h:1/x", "http://h:1/x/", True),
        ("http://h:1/?e=incoming&m=$mac", "http://h:1/", True),
        ("http://h:1/?e=incoming&m=$mac", "http://h:1", True),
        ("http://h:1/x/?e=incoming", "http://h:1/x", True),
        ("http://h:1/xy?e=incoming", "http://h:1/x", False),
        ("http://other/x?e=incoming", "http://h:1/x", False),
        ("", "http://h:1/x", False),
        ("http://h:1/x?e=1", "", False),
        # A path: whatever address is in front (the integration's webhook).
        (f"http://new:8123{WEBHOOK}?e=incoming", WEBHOOK, True),
        (f"http://new:8123{WEBHOOK}", WEBHOOK, True),
        ("http://new:8123/api/webhook/other?e=incoming", WEBHOOK, False),
    ],
)
def test_is_own(value: str, target: str, ours: bool) -> None:
    """Ours: the target itself, or the target with our query."""
    assert is_own_action_url(value, target) is ours
