"""The call-back list's rules that need no phone: numbers, texts, odd requests."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest

from custom_components.grandstream import call_back_text
from custom_components.grandstream.call_back import CallBackItem, CallBackList
from custom_components.grandstream.call_events import CallEvent, CallEventType


def _at(text: str) -> float:
    moment = dt_util.parse_datetime(text)
    assert moment is not None
    return moment.timestamp()


@pytest.fixture
async def berlin(hass: HomeAssistant) -> None:
    """Home Assistant in Berlin's time zone."""
    await hass.config.async_set_time_zone("Europe/Berlin")


@pytest.mark.usefixtures("berlin")
@pytest.mark.freeze_time("2026-03-03 14:30:00+00:00")
@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (31, "31 пропущенный вызов"),
        (2, "2 пропущенных вызова"),
        (5, "5 пропущенных вызовов"),
        (11, "11 пропущенных вызовов"),
        (12, "12 пропущенных вызовов"),
        (21, "21 пропущенный вызов"),
        (24, "24 пропущенных вызова"),
    ],
)
def test_russian_counts(count: int, expected: str) -> None:
    """Russian says 1, 2-4 and 5+ calls differently (11-14 like 5)."""
    item = CallBackItem(
        uid="x", number="+4930123456", times=[_at("2026-03-03T13:02:00+00:00")] * 2
    )
    item.count = count
    text = call_back_text.description(item, "ru").split("\n\n")[1]
    assert text == f"{expected}, последний в 14:02, 3 марта"


@pytest.mark.usefixtures("berlin")
@pytest.mark.freeze_time("2026-03-03 14:30:00+00:00")
def test_description_names_each_day_once_and_years_only_when_needed() -> None:
    """Times in Home Assistant's zone; a day is named once; other years in full."""
    item = CallBackItem(
        uid="x",
        number="0301234",
        count=4,
        times=[
            _at("2025-12-31T12:00:00+00:00"),
            _at("2026-03-02T17:10:00+00:00"),
            _at("2026-03-03T12:40:00+00:00"),
            _at("2026-03-03T13:02:00+00:00"),
        ],
        line=2,
    )
    assert call_back_text.description(item, "en").split("\n\n") == [
        "0301234",
        "4 missed calls, last 14:02 on Mar 3",
        "Line 2",
        "Calls: Dec 31, 2025 13:00; Mar 2 18:10; Mar 3 13:40, 14:02",
    ]
    item.line = None
    item.account, item.account_label = 2, ""
    assert call_back_text.description(item, "de").split("\n\n") == [
        "0301234",
        "4 verpasste Anrufe, zuletzt um 14:02 am 3. März",
        "Konto 2",
        "Anrufe: 31. Dezember 2025 13:00; 2. März 18:10; 3. März 13:40, 14:02",
    ]


def test_texts_without_a_caller_or_calls() -> None:
    """No number and no name: "Unknown caller", the first line stays the number."""
    item = CallBackItem(uid="x", number="")
    assert call_back_text.summary(item, "de") == "Unbekannter Anrufer"
    assert call_back_text.summary(item, "xx") == "Unknown caller"
    assert call_back_text.description(item, "en") == ""
    item.name = "Reception"
    assert call_back_text.summary(item, "en") == "Reception"


async def test_requests_for_items_that_are_gone(hass: HomeAssistant) -> None:
    """Ticking, editing or deleting an item deleted meanwhile changes nothing."""
    changes: list[None] = []
    call_backs = CallBackList(
        hass,
        "entry",
        on_change=lambda: changes.append(None),
        clock=lambda: _at("2026-03-03T12:00:00Z"),
    )
    # The phone's changes are told by the return value (the owner publishes
    # them); only the user's go through on_change.
    assert call_backs.handle(
        CallEvent(CallEventType.MISSED, remote_number="+4930123456", at=0.0)
    )
    [item] = call_backs.items
    # An event without a time is stamped when it arrives.
    assert item.times == [_at("2026-03-03T12:00:00Z")]
    assert not changes

    call_backs.set_done("gone", True)
    call_backs.set_done(item.uid, False)  # already open
    call_backs.edit("gone", summary="x")
    assert not call_backs.handle(
        CallEvent(CallEventType.ANSWERED, remote_number="+4940111")
    )
    # A withheld number never completes an item (only the user can).
    assert not call_backs.handle(
        CallEvent(CallEventType.ANSWERED, remote_number="anonymous")
    )
    assert not changes
    # Taking over an old counter happens on the first start only.
    call_backs.adopt_old_counter(5)
    assert call_backs.last_reset is None
    assert isinstance(call_backs.items[0].due, float)
    assert dt_util.utc_from_timestamp(call_backs.items[0].due or 0).year == 2026
