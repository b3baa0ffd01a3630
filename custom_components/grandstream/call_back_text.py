"""The texts of a call-back item, in Home Assistant's language and time zone.

Made when shown, not when stored, so they follow a change of language or
time zone. The description's first line is the number exactly as the phone
reported it (empty when it reported none), so templates can take it from
there; the paragraphs after it are for people:

    +4930123456

    3 missed calls, last 14:02 on Mar 3

    Line 1, account 1 (Office)

    Calls: Mar 2 18:10; Mar 3 13:40, 14:02

The words live in ``call_back_texts/<language>.json`` (one file per language
we ship, loaded once at start-up; a language we do not ship reads English):
phrases with a count have one form per CLDR plural category the language
uses (plurals.py), dates and times follow the language's order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
import json
from pathlib import Path
from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .call_back import CallBackItem
from .const import shipped_language
from .plurals import plural_category

TEXTS_DIR: Final = Path(__file__).parent / "call_back_texts"
FALLBACK: Final = "en"


@dataclass(frozen=True, kw_only=True)
class Phrases:
    """The words of one language (the keys of its file)."""

    unknown_caller: str
    one_call: str  # {time} {date}
    many_calls: dict[str, str]  # plural category → text with {count} {time} {date}
    calls: str  # {times}
    latest_calls: str  # {times}, when older calls are no longer listed
    line: str  # {line}
    account: str  # {account}
    months: tuple[str, ...]
    date: str  # {day} {month}
    date_with_year: str  # {day} {month} {year}
    time: str  # {hour} {minute}
    list_separator: str  # between times of one day
    day_separator: str  # between days

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Phrases:
        """Read one language's file; KeyError/TypeError when it is incomplete."""
        separators = data["separators"]
        months = tuple(str(month) for month in data["months"])
        if len(months) != 12:
            raise TypeError("months must name twelve months")
        return cls(
            unknown_caller=str(data["unknown_caller"]),
            one_call=str(data["one_call"]),
            many_calls={str(k): str(v) for k, v in data["many_calls"].items()},
            calls=str(data["calls"]),
            latest_calls=str(data["latest_calls"]),
            line=str(data["line"]),
            account=str(data["account"]),
            months=months,
            date=str(data["date"]),
            date_with_year=str(data["date_with_year"]),
            time=str(data["time"]),
            list_separator=str(separators["list"]),
            day_separator=str(separators["days"]),
        )

    def missed_calls(self, language: str, count: int) -> str:
        """The "N missed calls, last …" phrase in the form ``count`` takes."""
        return self.many_calls[plural_category(language, count)]


_PHRASES: dict[str, Phrases] = {}


def load_texts() -> dict[str, Phrases]:
    """Read every language's file (blocking: run in an executor)."""
    loaded = {}
    for path in sorted(TEXTS_DIR.glob("*.json")):
        loaded[path.stem] = Phrases.from_data(
            json.loads(path.read_text(encoding="utf-8"))
        )
    return loaded


async def async_load_texts(hass: HomeAssistant) -> None:
    """Load the texts once, before any list is shown."""
    if not _PHRASES:
        _PHRASES.update(await hass.async_add_executor_job(load_texts))


def phrases(language: str) -> tuple[str, Phrases]:
    """(the language used, its words): the shipped or nearest one (``shipped_language``)."""
    if not _PHRASES:
        # Outside Home Assistant's start-up (a script, a test): read them now.
        _PHRASES.update(load_texts())
    shipped = shipped_language(language)
    if shipped in _PHRASES:
        return shipped, _PHRASES[shipped]
    return FALLBACK, _PHRASES[FALLBACK]


def summary(item: CallBackItem, language: str) -> str:
    """The caller: "Name (number)", the number, the name, or "Unknown caller"."""
    if item.own_summary is not None:
        return item.own_summary
    name, number = item.name.strip(), item.number.strip()
    if name and number and name != number:
        return f"{name} ({number})"
    return name or number or phrases(language)[1].unknown_caller


def description(item: CallBackItem, language: str) -> str:
    """The number, the last call, line and account, then every call's time."""
    if item.own_description is not None:
        return item.own_description
    language, words = phrases(language)
    now = dt_util.now()
    lines = [item.number]
    if item.times:
        last = _local(item.times[-1])
        lines.append(
            (
                words.one_call
                if item.count == 1
                else words.missed_calls(language, item.count)
            ).format(
                count=item.count,
                time=_time(words, last),
                date=_date(words, last, now),
            )
        )
    place = []
    if item.line is not None:
        place.append(words.line.format(line=item.line))
    if item.account is not None:
        account = words.account.format(account=item.account)
        if item.account_label:
            account += f" ({item.account_label})"
        place.append(account if place else account[:1].upper() + account[1:])
    if place:
        lines.append(words.list_separator.join(place))
    if item.count > 1 and item.times:
        # Last: the to-do card shows the first three lines only.
        listed = _times(words, [_local(t) for t in item.times], now)
        template = words.calls if item.count == len(item.times) else words.latest_calls
        lines.append(template.format(times=listed))
    # Blank lines between: the to-do card shows the description as Markdown,
    # which would run single lines together.
    return "\n\n".join(lines)


def _local(timestamp: float) -> datetime:
    return dt_util.as_local(dt_util.utc_from_timestamp(timestamp))


def _time(words: Phrases, moment: datetime) -> str:
    return words.time.format(hour=f"{moment.hour:02d}", minute=f"{moment.minute:02d}")


def _date(words: Phrases, moment: datetime, now: datetime) -> str:
    template = words.date if moment.year == now.year else words.date_with_year
    return template.format(
        day=moment.day, month=words.months[moment.month - 1], year=moment.year
    )


def _times(words: Phrases, moments: list[datetime], now: datetime) -> str:
    """ "Mar 2 18:10; Mar 3 13:40, 14:02": each day named once."""
    days: list[str] = []
    current: datetime | None = None
    for moment in moments:
        if current is None or moment.date() != current.date():
            days.append(f"{_date(words, moment, now)} {_time(words, moment)}")
        else:
            days[-1] += f"{words.list_separator}{_time(words, moment)}"
        current = moment
    return words.day_separator.join(days)
