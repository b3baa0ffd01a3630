"""The phone's own words for diagnostics: what it answered and pushed, as it did.

The CTI client keeps the last raw answer of each function it used and the
values it did not understand (``cti/answer_log.py``). This keeper adds what
arrives elsewhere: the last pushes as raw query strings (kept before they are
parsed, so a push nobody understands is kept too), push events nobody knows
(with counts), and the web session answers of the last phone set-up.
Diagnostics turn it all into one capture (``cti/capture.py``), redacted by
shape, in the same format as the command line's ``capture``: the simulator
replays it and ``scripts/add-capture`` makes it a test.

Keepers are found by the entry's webhook id: the config flow sets the phone
up before the entry exists, and that set-up's answers belong to the entry.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
import time
from typing import Final

from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.util.hass_dict import HassKey

from .action_urls import MAX_QUERY_LENGTH
from .const import DOMAIN
from .cti import (
    AnswerLog,
    Capture,
    CapturedPush,
    GrandstreamClient,
    Redactor,
    __version__,
    capture_of,
)
from .cti.transport import RawAnswer

# The last pushes kept per phone.
MAX_PUSHES: Final = 20
# Keepers of phones whose flow was abandoned are dropped beyond this.
MAX_KEEPERS: Final = 64
_KEEPERS: HassKey[dict[str, CaptureKeeper]] = HassKey(f"{DOMAIN}_captures")


@dataclass(frozen=True, slots=True)
class _Arrival:
    query: str
    method: str
    at: float


class CaptureKeeper:
    """Pushes, unknown push events and set-up answers of one phone (bounded)."""

    def __init__(self) -> None:
        """Nothing kept yet."""
        self._pushes: deque[_Arrival] = deque(maxlen=MAX_PUSHES)
        self._unknown = AnswerLog()
        self._set_up: list[tuple[str, RawAnswer]] = []

    def push_arrived(self, raw_query: str, method: str) -> None:
        """A request on the webhook, before anything reads it."""
        self._pushes.append(
            _Arrival(raw_query[:MAX_QUERY_LENGTH], method, time.monotonic())
        )

    def unknown_push_event(self, event: str) -> None:
        """A push named an event nobody knows."""
        self._unknown.count_unknown("push_event", event)

    def set_up_answers(self, answers: Iterable[tuple[str, RawAnswer]]) -> None:
        """The web session answers of the latest set-up (login, reads, writes)."""
        self._set_up = list(answers)

    def capture(
        self,
        client: GrandstreamClient | None,
        *,
        redactor: Redactor,
        model: str | None,
        firmware: str | None,
    ) -> Capture:
        """Everything kept, with the client's answers, redacted by ``redactor``."""
        now = time.monotonic()
        taken = capture_of(
            source="diagnostics",
            tool="grandstream (Home Assistant)",
            tool_version=__version__,
            cti=client.answer_log if client is not None else None,
            web=self._set_up,
            pushes=[
                CapturedPush(p.query, p.method, round(now - p.at, 1))
                for p in self._pushes
            ],
            unknown=self._unknown.unknown(),
            model=model,
            firmware=firmware,
        )
        return taken.redacted(redactor)


def capture_keeper(hass: HomeAssistant, webhook_id: str) -> CaptureKeeper:
    """The keeper of the phone with this webhook (made on first use)."""
    keepers = hass.data.setdefault(_KEEPERS, {})
    if webhook_id not in keepers:
        # Only keepers of flows that never became a loaded phone are dropped,
        # oldest first: a loaded phone keeps its own, however many there are.
        in_use = {
            entry.data.get(CONF_WEBHOOK_ID)
            for entry in hass.config_entries.async_loaded_entries(DOMAIN)
        }
        spare = [key for key in keepers if key not in in_use]
        while len(keepers) >= MAX_KEEPERS and spare:
            del keepers[spare.pop(0)]
        keepers[webhook_id] = CaptureKeeper()
    return keepers[webhook_id]


def forget_captures(hass: HomeAssistant, webhook_id: str | None) -> None:
    """The phone's entry is gone: so is what was kept of it."""
    if webhook_id is not None:
        hass.data.get(_KEEPERS, {}).pop(webhook_id, None)
