"""The texts of a call-back item, in Home Assistant's language and time zone.

Made when shown, not when stored, so they follow a change of language or
time zone. The description's first line is the number exactly as the phone
reported it (empty when it reported none), so templates can take it from
there; the paragraphs after it are for people:

    +4930123456

    3 missed calls, last 14:02 on Mar 3

    Line 1, account 1 (Office)

    Calls: Mar 2 18:10; Mar 3 13:40, 14:02
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from homeassistant.util import dt as dt_util

from .call_back import CallBackItem


def _ru_plural(count: int, one: str, few: str, many: str) -> str:
    if count % 10 == 1 and count % 100 != 11:
        return one
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return few
    return many


@dataclass(frozen=True, kw_only=True)
class _Phrases:
    unknown_caller: str
    one_call: str  # {time} {date}
    many_calls: Callable[[int], str]  # count → text with {count} {time} {date}
    calls: str  # {times}
    latest_calls: str  # {times}, when older calls are no longer listed
    line: str  # {line}
    account: str  # {account}
    months: tuple[str, ...]
    # {day} {month} [{year}]
    date: str
    date_with_year: str


_PHRASES: dict[str, _Phrases] = {
    "en": _Phrases(
        unknown_caller="Unknown caller",
        one_call="Missed call at {time} on {date}",
        many_calls=lambda _: "{count} missed calls, last {time} on {date}",
        calls="Calls: {times}",
        latest_calls="Latest calls: {times}",
        line="Line {line}",
        account="account {account}",
        months=(
            *("Jan", "Feb", "Mar", "Apr", "May", "Jun"),
            *("Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
        ),
        date="{month} {day}",
        date_with_year="{month} {day}, {year}",
    ),
    "de": _Phrases(
        unknown_caller="Unbekannter Anrufer",
        one_call="Verpasster Anruf um {time} am {date}",
        many_calls=lambda _: "{count} verpasste Anrufe, zuletzt um {time} am {date}",
        calls="Anrufe: {times}",
        latest_calls="Letzte Anrufe: {times}",
        line="Leitung {line}",
        account="Konto {account}",
        months=(
            *("Januar", "Februar", "März", "April", "Mai", "Juni"),
            *("Juli", "August", "September", "Oktober", "November", "Dezember"),
        ),
        date="{day}. {month}",
        date_with_year="{day}. {month} {year}",
    ),
    "ru": _Phrases(
        unknown_caller="Неизвестный абонент",
        one_call="Пропущенный вызов в {time}, {date}",
        many_calls=lambda count: _ru_plural(
            count,
            "{count} пропущенный вызов, последний в {time}, {date}",
            "{count} пропущенных вызова, последний в {time}, {date}",
            "{count} пропущенных вызовов, последний в {time}, {date}",
        ),
        calls="Вызовы: {times}",
        latest_calls="Последние вызовы: {times}",
        line="Линия {line}",
        account="аккаунт {account}",
        months=(
            *("января", "февраля", "марта", "апреля", "мая", "июня"),
            *("июля", "августа", "сентября", "октября", "ноября", "декабря"),
        ),
        date="{day} {month}",
        date_with_year="{day} {month} {year}",
    ),
}


def _phrases(language: str) -> _Phrases:
    """The phrases of ``language`` ("de-CH" is "de"), English if we have none."""
    return _PHRASES.get(language.split("-", maxsplit=1)[0].lower(), _PHRASES["en"])


def summary(item: CallBackItem, language: str) -> str:
    """The caller: "Name (number)", the number, the name, or "Unknown caller"."""
    if item.own_summary is not None:
        return item.own_summary
    name, number = item.name.strip(), item.number.strip()
    if name and number and name != number:
        return f"{name} ({number})"
    return name or number or _phrases(language).unknown_caller


def description(item: CallBackItem, language: str) -> str:
    """The number, the last call, line and account, then every call's time."""
    if item.own_description is not None:
        return item.own_description
    words = _phrases(language)
    now = dt_util.now()
    lines = [item.number]
    if item.times:
        last = _local(item.times[-1])
        lines.append(
            (
                words.one_call if item.count == 1 else words.many_calls(item.count)
            ).format(count=item.count, time=_time(last), date=_date(words, last, now))
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
        lines.append(", ".join(place))
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


def _time(moment: datetime) -> str:
    return moment.strftime("%H:%M")


def _date(words: _Phrases, moment: datetime, now: datetime) -> str:
    template = words.date if moment.year == now.year else words.date_with_year
    return template.format(
        day=moment.day, month=words.months[moment.month - 1], year=moment.year
    )


def _times(words: _Phrases, moments: list[datetime], now: datetime) -> str:
    """ "Mar 2 18:10; Mar 3 13:40, 14:02": each day named once."""
    days: list[str] = []
    current: datetime | None = None
    for moment in moments:
        if current is None or moment.date() != current.date():
            days.append(f"{_date(words, moment, now)} {_time(moment)}")
        else:
            days[-1] += f", {_time(moment)}"
        current = moment
    return "; ".join(days)
