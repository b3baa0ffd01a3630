"""The contract between a phone's Action URLs and our webhook.

Which events we ask the phone to report (and in which of its settings), the
URLs that carry them, and how a received query becomes a ``Push``: bounded
and checked for shape before anything in Home Assistant sees it, because
pushes are unauthenticated and travel in clear text on the LAN.

URL format: docs/phone-protocol.md §7. A phone stores at most 256 characters
per Action URL and silently drops longer ones, so parameter names are one
letter and only the variables we use are requested::

    <home assistant>/api/webhook/<id>?e=incoming&m=$mac&r=$remote&a=$active_user

Display names (``$display_remote``) are never requested: phones send them
with raw spaces, which Home Assistant's HTTP server answers with 400 before
any handler runs; names come from the line status instead. ``$call-id`` is
documented only for Android GXV phones, so it is not requested either; a
``c``/``call_id`` parameter is still read when a hand-made URL carries it,
and arrives literally (``$call-id``) when the phone cannot fill it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
import re
import secrets
from typing import Final
from urllib.parse import unquote

from homeassistant.core import HomeAssistant
from homeassistant.helpers.network import NoURLAvailableError, get_url

from .identity import normalize_mac
from .texts import phrases

# A phone keeps Action URLs up to this length and drops longer ones silently.
MAX_ACTION_URL_LENGTH: Final = 256


class PushEvent(StrEnum):
    """What a push reports (the ``e`` parameter of our Action URLs)."""

    BOOT = "boot"
    REGISTERED = "registered"
    UNREGISTERED = "unregistered"
    INCOMING = "incoming"
    OUTGOING = "outgoing"
    MISSED = "missed"
    ESTABLISHED = "established"
    TERMINATED = "terminated"
    DND_ON = "dnd_on"
    DND_OFF = "dnd_off"
    HOLD = "hold"
    UNHOLD = "unhold"
    # Asked for by an earlier version; still accepted from phones set up by hand.
    OFFHOOK = "offhook"
    ONHOOK = "onhook"
    FORWARD_ON = "forward_on"
    FORWARD_OFF = "forward_off"
    # Anything else: not a push we understand (dropped, and counted).
    UNKNOWN = "unknown"

    @classmethod
    def parse(cls, text: str) -> PushEvent:
        """The event ``text`` names; ``UNKNOWN`` for anything else."""
        try:
            return cls(text)
        except ValueError:
            return cls.UNKNOWN


# Event → the phone's P-value (its field under Action URL), in the order the
# phone's web page lists them. Only events we act on: every slot we take is
# one nobody else can use. (Keyed by PushEvent members, which are strings.)
EVENTS: Final[dict[str, int]] = {
    PushEvent.BOOT: 8304,
    PushEvent.REGISTERED: 8305,
    PushEvent.UNREGISTERED: 8306,
    PushEvent.INCOMING: 8310,
    PushEvent.OUTGOING: 8311,
    PushEvent.MISSED: 8312,
    PushEvent.ESTABLISHED: 8313,
    PushEvent.TERMINATED: 8314,
    PushEvent.DND_ON: 8316,
    PushEvent.DND_OFF: 8317,
    PushEvent.HOLD: 8324,
    PushEvent.UNHOLD: 8325,
}
CALL_EVENTS: Final = frozenset(
    {
        PushEvent.INCOMING,
        PushEvent.OUTGOING,
        PushEvent.ESTABLISHED,
        PushEvent.TERMINATED,
        PushEvent.MISSED,
        PushEvent.HOLD,
        PushEvent.UNHOLD,
    }
)

# The variables each event needs, as ``name=$variable``.
_IDENTITY = "m=$mac"
_CALL = "m=$mac&r=$remote&a=$active_user"
_BOOT = "m=$mac&p=$product&v=$program_version"

# Short parameter names (ours) and the long ones of earlier versions.
_PARAMETER_NAMES: Final = {
    "e": "event",
    "m": "mac",
    "r": "remote",
    "a": "account",
    "c": "call_id",
    "p": "model",
    "v": "firmware",
}

MAX_QUERY_LENGTH: Final = 4096
MAX_PARAMETERS: Final = 32
# Bounds for what a push may put into a state or the device registry.
MAX_NUMBER_LENGTH: Final = 64
MAX_ACCOUNT_LENGTH: Final = 32
MAX_CALL_ID_LENGTH: Final = 64
# Printable ASCII without spaces: digits, "+", "*", "#", SIP user parts
# ("anonymous", "alice@pbx"). Anything else is not a number a phone sends.
_NUMBER_SHAPE = re.compile(r"^[0-9A-Za-z+*#@._:;=-]+$")
_TOKEN_SHAPE = re.compile(r"^[0-9A-Za-z._@:+-]+$")
# Models as Grandstream names them (GXP2170, GRP2612P, WP826, DP750, GXV3350)
# and dotted firmware versions (1.0.11.23): a forged boot push must not rename
# the device to something else.
_MODEL_SHAPE = re.compile(r"^[A-Z]{2,4}[0-9]{3,5}[A-Z0-9_-]{0,8}$")
_FIRMWARE_SHAPE = re.compile(r"^[0-9]{1,3}(\.[0-9]{1,4}){2,4}$")


def new_webhook_id() -> str:
    """A webhook id for a new phone: 128 random bits in 32 hex characters.

    Shorter than Home Assistant's default (64) because every character of it
    is repeated in each Action URL, which the phone limits to 256 characters.
    """
    return secrets.token_hex(16)


def webhook_path(webhook_id: str) -> str:
    """The path of the phone's webhook on Home Assistant."""
    return f"/api/webhook/{webhook_id}"


def action_urls(base: str, webhook_id: str) -> dict[str, str]:
    """The Action URL for each event, for Home Assistant at ``base``."""
    base = base.rstrip("/")
    urls: dict[str, str] = {}
    for event in EVENTS:
        if event is PushEvent.BOOT:
            variables = _BOOT
        elif event in CALL_EVENTS:
            variables = _CALL
        else:
            variables = _IDENTITY
        urls[event] = f"{base}{webhook_path(webhook_id)}?e={event}&{variables}"
    return urls


def too_long(urls: dict[str, str]) -> list[str]:
    """Events whose URL the phone would drop (longer than it stores)."""
    return [event for event, url in urls.items() if len(url) > MAX_ACTION_URL_LENGTH]


def max_base_length(webhook_id: str) -> int:
    """How long Home Assistant's URL may be for every Action URL to fit."""
    longest = max(len(url) for url in action_urls("", webhook_id).values())
    return MAX_ACTION_URL_LENGTH - longest


def home_assistant_url(hass: HomeAssistant) -> str | None:
    """Home Assistant's local URL as a phone on the LAN reaches it, if known."""
    try:
        return get_url(
            hass, allow_external=False, allow_cloud=False, prefer_external=False
        )
    except NoURLAvailableError:
        return None


def action_url_text(hass: HomeAssistant, webhook_id: str) -> str | None:
    """The Action URLs as Markdown lines; None while HA's local URL is unknown.

    Each event by its name in Home Assistant's language, then its field's
    P-number for comparing with the phone's page. URLs the phone would drop
    (too long) are marked, so a user pasting them by hand learns why push
    does not arrive.
    """
    if (base := home_assistant_url(hass)) is None:
        return None
    words = phrases(hass)
    urls = action_urls(base, webhook_id)
    long = set(too_long(urls))
    return "\n".join(
        f"- **{words.event(event)}** (P{EVENTS[event]}): `{url}`"
        + (
            f" — {words.text('url_too_long', length=str(len(url)))}"
            if event in long
            else ""
        )
        for event, url in urls.items()
    )


@dataclass(frozen=True, slots=True)
class Push:
    """One Action URL call, bounded and checked, as the coordinator gets it."""

    event: PushEvent
    mac: str | None = None
    remote_number: str = ""
    # ``$active_user``: a SIP user id in the one published example, an account
    # number in the guides' words (docs/phone-protocol.md §7).
    account: str = ""
    call_id: str = ""
    model: str = ""
    firmware: str = ""
    # When it arrived (time.monotonic()); 0 when unknown.
    received_at: float = 0.0

    def __post_init__(self) -> None:
        """Take the event as text too (``PushEvent`` is the one vocabulary)."""
        object.__setattr__(self, "event", PushEvent.parse(self.event))

    @property
    def is_call_event(self) -> bool:
        """Whether the push is about a call (the call tracker's business)."""
        return self.event in CALL_EVENTS


class InvalidPush(ValueError):
    """A request on the webhook that is not a push we understand."""

    def __init__(self, message: str, *, unknown_event: str | None = None) -> None:
        """``unknown_event``: the event it named, when that is what we do not know."""
        super().__init__(message)
        self.unknown_event = unknown_event


def parse_query(raw: str) -> dict[str, str]:
    """Parse a raw query string the way phones mean it.

    ``unquote`` (not ``unquote_plus``) keeps a leading ``+`` of a number; a
    value still starting with ``$`` is a variable the phone could not fill,
    so it is empty. Long parameter names of earlier versions map to ours.
    """
    result: dict[str, str] = {}
    for part in raw.split("&")[:MAX_PARAMETERS]:
        name, _, value = part.partition("=")
        name = unquote(name).strip()
        name = _PARAMETER_NAMES.get(name, name)
        value = unquote(value)[:MAX_ACTION_URL_LENGTH].strip()
        if value.startswith("$"):
            value = ""
        if name and name not in result:
            result[name] = value
    return result


def parse_push(raw: str, *, received_at: float = 0.0) -> Push:
    """The push a raw query string describes; ``InvalidPush`` if it is none.

    Values that do not look like what a phone sends are dropped rather than
    passed on: they could reach a state, an event or the device registry.
    """
    if len(raw) > MAX_QUERY_LENGTH:
        raise InvalidPush("oversized request")
    params = parse_query(raw)
    event = PushEvent.parse(params.get("event", ""))
    if event is PushEvent.UNKNOWN:
        raise InvalidPush(
            f"unknown event {params.get('event', '')[:32]!r}",
            unknown_event=params.get("event", ""),
        )
    mac_text = params.get("mac", "")
    mac = normalize_mac(mac_text) if mac_text else None
    if mac_text and mac is None:
        raise InvalidPush("malformed MAC")
    return Push(
        event=event,
        mac=mac,
        remote_number=_shaped(
            params.get("remote", ""), _NUMBER_SHAPE, MAX_NUMBER_LENGTH
        ),
        account=_shaped(params.get("account", ""), _TOKEN_SHAPE, MAX_ACCOUNT_LENGTH),
        call_id=_shaped(params.get("call_id", ""), _TOKEN_SHAPE, MAX_CALL_ID_LENGTH),
        model=_shaped(params.get("model", ""), _MODEL_SHAPE, 32),
        firmware=_shaped(params.get("firmware", ""), _FIRMWARE_SHAPE, 24),
        received_at=received_at,
    )


def _shaped(value: str, shape: re.Pattern[str], limit: int) -> str:
    """``value`` if it fits ``shape`` and ``limit``, else empty."""
    if len(value) > limit or not shape.match(value):
        return ""
    return value
