"""The logbook as the phone's call history (logbook.py), through Home Assistant's API.

Calls are played on the simulated phone and reach Home Assistant by push;
the logbook is read the way the frontend reads it (``logbook/get_events``
over the WebSocket API, from the recorder's database).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
import re
from typing import Any

from homeassistant.components.recorder import Recorder
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.grandstream import texts
from custom_components.grandstream.const import DOMAIN
from custom_components.grandstream.logbook import describe_call
from simulator import SimulatedPhone

from ..helpers.entries import device_by_identifier
from ..helpers.phone import PHONE_MAC
from ..helpers.waiting import settle

CALL_ENTITY = "event.front_desk_call"
LINE_ENTITY = "sensor.front_desk_line_1"
NUMBER = "+4930123456"
NAME = "Erika Mustermann"
OTHER = "+4940987654"


@pytest.fixture
def mock_recorder_before_hass(async_test_recorder: Any) -> None:
    """The recorder's database is prepared before Home Assistant starts."""


@dataclass
class Logbook:
    """The logbook as the frontend reads it."""

    hass: HomeAssistant
    ws_client: Any

    async def rows(self, **query: list[str]) -> list[dict[str, Any]]:
        """What it lists for ``query`` (entity_ids / device_ids), oldest first."""
        await async_wait_recording_done(self.hass)
        client = await self.ws_client(self.hass)
        await client.send_json_auto_id(
            {
                "type": "logbook/get_events",
                "start_time": (dt_util.utcnow() - timedelta(hours=1)).isoformat(),
                **query,
            }
        )
        answer = await client.receive_json()
        assert answer["success"], answer
        rows: list[dict[str, Any]] = answer["result"]
        return rows


@pytest.fixture
async def logbook(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    hass_ws_client: Any,
    push_integration: MockConfigEntry,
) -> Logbook:
    """The phone set up with push, the recorder and the logbook running."""
    assert await async_setup_component(hass, "logbook", {})
    return Logbook(hass, hass_ws_client)


async def play_calls(hass: HomeAssistant, phone: SimulatedPhone) -> None:
    """Erika calls and is answered, then someone without a name rings and gives up."""
    phone.incoming_call(NUMBER, NAME)
    await settle(hass, phone)
    phone.answer()
    await settle(hass, phone)
    phone.remote_hangup(1)
    await settle(hass, phone)
    phone.incoming_call(OTHER)
    await settle(hass, phone)
    phone.miss_call()
    await settle(hass, phone)


CALL_HISTORY = [
    f"Incoming call from {NAME} ({NUMBER}) on line 1",
    f"Call with {NAME} ({NUMBER}) answered",
    # A call as short as a test's: 0 or 1 s.
    re.compile(rf"Call with {NAME} \({re.escape(NUMBER)}\) ended after [01] s"),
    f"Incoming call from {OTHER} on line 1",
    f"Missed call from {OTHER} on line 1",
]


def matches(texts_seen: list[str], expected: list[str | re.Pattern[str]]) -> bool:
    """Each text as expected, in order."""
    return len(texts_seen) == len(expected) and all(
        pattern.fullmatch(text) if isinstance(pattern, re.Pattern) else text == pattern
        for text, pattern in zip(texts_seen, expected, strict=True)
    )


async def test_call_entity_reads_as_a_call_list(
    logbook: Logbook, hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """The call entity's logbook: one row per call event, carrying its description.

    Its state changes share the bus event's context, so each row is the
    entity's change "triggered by" the described call event: a call list,
    with no bare "detected an event" beside it and no line changes.
    """
    await play_calls(hass, phone)

    rows = await logbook.rows(entity_ids=[CALL_ENTITY])

    assert {row["entity_id"] for row in rows} == {CALL_ENTITY}
    assert all(row["context_domain"] == "grandstream" for row in rows), rows
    # One phone: no name to repeat after the entity's ("Front desk Call").
    assert not any("context_name" in row for row in rows), rows
    assert matches([row["context_message"] for row in rows], CALL_HISTORY), rows


async def test_device_history(
    logbook: Logbook, hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """The phone's device page and the logbook panel: the described call events."""
    device = device_by_identifier(hass, PHONE_MAC)
    assert device is not None
    await play_calls(hass, phone)

    rows = await logbook.rows(device_ids=[device.id])
    described = [row for row in rows if row.get("domain") == "grandstream"]

    assert matches([row["message"] for row in described], CALL_HISTORY), rows
    assert not any("name" in row for row in described), rows
    assert [row["icon"] for row in described] == [
        "mdi:phone-incoming",
        "mdi:phone-in-talk",
        "mdi:phone-hangup",
        "mdi:phone-incoming",
        "mdi:phone-missed",
    ]


async def test_line_changes_stay_off_the_call_list(
    logbook: Logbook, hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """The line sensors keep their own history; the call list does not repeat it."""
    await play_calls(hass, phone)

    call_list = await logbook.rows(entity_ids=[CALL_ENTITY])
    line = await logbook.rows(entity_ids=[LINE_ENTITY])

    assert LINE_ENTITY not in {row["entity_id"] for row in call_list}
    assert [row["state"] for row in line if row["entity_id"] == LINE_ENTITY][:2] == [
        "ringing",
        "connected",
    ]


async def test_phones_named_when_there_are_several(
    logbook: Logbook, hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """With two phones, each line says which phone."""
    MockConfigEntry(domain="grandstream", title="Hall", unique_id="other").add_to_hass(
        hass
    )
    device = device_by_identifier(hass, PHONE_MAC)
    assert device is not None
    phone.incoming_call(NUMBER, NAME)
    await settle(hass, phone)

    rows = await logbook.rows(device_ids=[device.id])

    assert [
        (row["name"], row["message"]) for row in rows if row.get("domain") == DOMAIN
    ] == [("Front desk", f"Incoming call from {NAME} ({NUMBER}) on line 1")]
    rows = await logbook.rows(entity_ids=[CALL_ENTITY])
    assert [row["context_name"] for row in rows] == ["Front desk"]


# What the logbook says of each kind of call event, by language.
DESCRIPTIONS: dict[str, list[tuple[dict[str, Any], str]]] = {
    "en": [
        (
            {"type": "ended", "remote_name": NAME, "remote_number": NUMBER},
            f"Call with {NAME} ({NUMBER}) ended",
        ),
        (
            {"type": "ended", "remote_number": NUMBER, "duration": 192},
            f"Call with {NUMBER} ended after 3 min 12 s",
        ),
        (
            {"type": "ended", "duration": 3720},
            "Call with an unknown number ended after 1 h 2 min",
        ),
        (
            {"type": "outgoing", "remote_number": NUMBER, "line": 2},
            f"Outgoing call to {NUMBER} on line 2",
        ),
        ({"type": "held", "remote_name": NAME}, f"Call with {NAME} put on hold"),
        ({"type": "resumed"}, "Call with an unknown number resumed"),
        ({"type": "ringing"}, "Call event"),
    ],
    "de": [
        (
            {"type": "ended", "remote_name": NAME, "duration": 192},
            f"Anruf mit {NAME} nach 3 Min. 12 s beendet",
        ),
        (
            {"type": "missed", "line": 1},
            "Verpasster Anruf von einer unbekannten Nummer auf Leitung 1",
        ),
    ],
    "ru": [
        (
            {"type": "incoming", "remote_number": NUMBER, "line": 1},
            f"Входящий вызов от {NUMBER} на линии 1",
        ),
        (
            {"type": "ended", "remote_number": NUMBER, "duration": 45},
            f"Вызов с {NUMBER} завершён, длительность 45 с",
        ),
    ],
}


@pytest.mark.parametrize(
    ("language", "data", "text"),
    [
        (language, data, text)
        for language, cases in DESCRIPTIONS.items()
        for data, text in cases
    ],
)
async def test_descriptions(
    hass: HomeAssistant, language: str, data: dict[str, Any], text: str
) -> None:
    """Every kind of call event, with and without caller, line and duration."""
    hass.config.language = language
    await texts.async_load(hass)

    assert describe_call(texts.phrases(hass), data) == text


async def test_follows_a_new_language(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Home Assistant's language changed while it runs: the texts follow."""
    data = {"type": "missed", "remote_number": NUMBER}
    assert describe_call(texts.phrases(hass), data) == f"Missed call from {NUMBER}"

    await hass.config.async_update(language="de")
    await hass.async_block_till_done()

    assert describe_call(texts.phrases(hass), data) == f"Verpasster Anruf von {NUMBER}"
