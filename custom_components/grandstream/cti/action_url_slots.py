"""The phone's Action URL slots, and the rules for writing them.

A phone has one slot (a P-value) per event and pushes a plain HTTP GET to the
URL stored there (shared doc section 4). Rules kept here, whoever writes:

- a slot that holds someone else's URL is left alone unless the caller takes
  it over (``force``): every slot is shared with whatever else the owner of
  the phone set up;
- a URL longer than the 256 characters a phone stores is not written (the
  phone would keep the old value and still answer success);
- every write is read back: the ``user`` role's writes of admin settings and
  every write on a cloud-managed phone are ignored with a success answer, so
  only what the phone reads back counts as done.

The URL format is the integration's: one-letter parameters, so that a URL
fits in 256 characters, and no display names, which phones send with raw
spaces that many HTTP servers refuse::

    <target>?e=incoming&m=$mac&r=$remote&a=$active_user
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

from .web import GrandstreamWebSession

# A phone keeps Action URLs up to this length and drops longer ones silently.
MAX_ACTION_URL_LENGTH: Final = 256

# Every Action URL slot known (event → P-value), in the order of the phone's
# settings page. A model may lack some: it reads them as empty and ignores
# writes to them.
ACTION_URL_SLOTS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "boot": "8304",
        "registered": "8305",
        "unregistered": "8306",
        "offhook": "8308",
        "onhook": "8309",
        "incoming": "8310",
        "outgoing": "8311",
        "missed": "8312",
        "established": "8313",
        "terminated": "8314",
        "rejected": "8315",
        "dnd_on": "8316",
        "dnd_off": "8317",
        "forward_on": "8318",
        "forward_off": "8319",
        "blind_transfer": "8320",
        "attended_transfer": "8321",
        "hold": "8324",
        "unhold": "8325",
        "busy": "8328",
        "idle": "8329",
        "answered": "22171",
    }
)

# The events the Home Assistant integration asks for: the ones worth a slot.
DEFAULT_EVENTS: Final[tuple[str, ...]] = (
    "boot",
    "registered",
    "unregistered",
    "incoming",
    "outgoing",
    "missed",
    "established",
    "terminated",
    "dnd_on",
    "dnd_off",
    "hold",
    "unhold",
)

_CALL_EVENTS: Final = frozenset(
    {
        "incoming",
        "outgoing",
        "missed",
        "established",
        "terminated",
        "rejected",
        "hold",
        "unhold",
        "answered",
        "blind_transfer",
        "attended_transfer",
    }
)
_IDENTITY = "m=$mac"
_CALL = "m=$mac&r=$remote&a=$active_user"
_BOOT = "m=$mac&p=$product&v=$program_version"


def action_url(target: str, event: str) -> str:
    """The Action URL that reports ``event`` to ``target`` (a URL without query)."""
    if event not in ACTION_URL_SLOTS:
        raise ValueError(f"Unknown Action URL event: {event!r}")
    if event == "boot":
        variables = _BOOT
    elif event in _CALL_EVENTS:
        variables = _CALL
    else:
        variables = _IDENTITY
    return f"{target}?e={event}&{variables}"


def action_urls_for(
    target: str, events: Iterable[str] = DEFAULT_EVENTS
) -> dict[str, str]:
    """The Action URL of each of ``events`` for ``target``."""
    if "?" in target or "#" in target:
        raise ValueError("The target URL must not have a query or fragment")
    if not target.startswith(("http://", "https://")):
        raise ValueError("The target URL must start with http:// or https://")
    return {event: action_url(target, event) for event in events}


def is_own_action_url(value: str, target: str) -> bool:
    """Whether a slot's ``value`` reports to ``target`` (a URL or a path).

    A path (the integration's webhook path) matches whatever address is in
    front of it, so slots stay recognised when Home Assistant's address
    changes; a full URL matches only itself.
    """
    value = value.strip()
    target = target.rstrip("/")
    if not value or not target:
        return False
    if target.startswith(("http://", "https://")):
        # The address before the query, a trailing slash either way.
        return value.split("?", 1)[0].rstrip("/") == target
    return f"{target}?" in value or value.rstrip("/").endswith(target)


@dataclass(frozen=True, slots=True)
class ActionUrlReport:
    """What a write or clear of Action URL slots did, as read back from the phone.

    Every tuple names events. ``done``: the slot now holds what was asked
    (written now or already there); ``foreign``: left alone, someone else's
    URL is in it; ``ignored``: written, but the phone kept another value
    (the ``user`` role, a cloud-managed phone, a slot the model lacks);
    ``too_long``: not written, the phone would drop it.
    """

    done: tuple[str, ...] = ()
    written: tuple[str, ...] = ()
    foreign: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()
    too_long: tuple[str, ...] = ()
    # Event → the value the slot held before (what ``foreign`` slots hold).
    before: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def complete(self) -> bool:
        """Every event asked for is done."""
        return not (self.foreign or self.ignored or self.too_long)


def _slot_keys(events: Iterable[str]) -> dict[str, str]:
    keys = {}
    for event in events:
        if event not in ACTION_URL_SLOTS:
            raise ValueError(f"Unknown Action URL event: {event!r}")
        keys[event] = f"P{ACTION_URL_SLOTS[event]}"
    return keys


async def read_action_urls(
    web: GrandstreamWebSession, events: Iterable[str] = tuple(ACTION_URL_SLOTS)
) -> dict[str, str]:
    """The value of each event's slot (``""``: empty, or a slot the model lacks)."""
    keys = _slot_keys(events)
    values = await web.get(keys.values())
    return {event: values[key] for event, key in keys.items()}


async def write_action_urls(
    web: GrandstreamWebSession,
    wanted: Mapping[str, str],
    *,
    is_ours: Callable[[str], bool],
    take_over: Collection[str] | bool = (),
) -> ActionUrlReport:
    """Write ``wanted`` (event → URL, ``""`` to empty) where the rules allow.

    A slot is written when it is empty, when ``is_ours`` says its value is
    ours, or when the event is in ``take_over`` (``True``: every event).
    Writes are read back; returns what was done and what was not.
    """
    keys = _slot_keys(wanted)
    before = await read_action_urls(web, keys)
    foreign: list[str] = []
    too_long: list[str] = []
    writes: dict[str, str] = {}
    unchanged: list[str] = []
    for event, value in wanted.items():
        current = before[event]
        taking = take_over is True or (
            not isinstance(take_over, bool) and event in take_over
        )
        if current == value:
            unchanged.append(event)
        elif current and not is_ours(current) and not taking:
            foreign.append(event)
        elif len(value) > MAX_ACTION_URL_LENGTH:
            too_long.append(event)
        else:
            writes[keys[event]] = value
    kept = await web.write_and_verify(writes) if writes else {}
    written = [event for event in wanted if kept.get(keys[event]) is True]
    ignored = [event for event in wanted if kept.get(keys[event]) is False]
    return ActionUrlReport(
        done=tuple(e for e in wanted if e in unchanged or e in written),
        written=tuple(written),
        foreign=tuple(foreign),
        ignored=tuple(ignored),
        too_long=tuple(too_long),
        before=MappingProxyType(dict(before)),
    )


async def clear_action_urls(
    web: GrandstreamWebSession,
    *,
    is_ours: Callable[[str], bool] | None,
    events: Iterable[str] = tuple(ACTION_URL_SLOTS),
    force: bool = False,
) -> ActionUrlReport:
    """Empty the slots of ``events`` that are ours (``force``: whoever's they are).

    ``is_ours`` None with ``force`` False clears nothing: every non-empty
    slot counts as someone else's.
    """
    return await write_action_urls(
        web,
        dict.fromkeys(events, ""),
        is_ours=is_ours or (lambda _value: False),
        take_over=force,
    )
