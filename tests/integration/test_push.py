"""Push: the phone's Action URLs reach Home Assistant's webhook over real HTTP.

Home Assistant's HTTP server listens on a real socket (fixture ``ha_url``),
the simulated phone is given the URLs the integration generates and sends
its pushes exactly as a phone does: a raw GET without percent-encoding.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any
from unittest.mock import patch

import aiohttp
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.grandstream import texts
from custom_components.grandstream.action_urls import (
    EVENTS,
    MAX_ACTION_URL_LENGTH,
    InvalidPush,
    Push,
    action_url_text,
    action_urls,
    new_webhook_id,
    parse_push,
    parse_query,
    too_long,
)
from custom_components.grandstream.const import (
    CONF_FIRMWARE,
    CONF_MODEL,
    CONF_PUSH_SEEN,
    DOMAIN,
    EVENT_CALL,
)
from custom_components.grandstream.diagnostics import async_get_config_entry_diagnostics
from custom_components.grandstream.identity import normalize_mac
from simulator import Fault, SimulatedPhone

from ..helpers.entities import CALL_ENTITY, PUSH
from ..helpers.entries import assert_model_learnt, point_pushes_at
from ..helpers.flows import STRINGS as _STRINGS_FILES
from ..helpers.phone import PHONE_MAC
from ..helpers.push import CallEvents, HandPushes, call_event, send, types, webhook_url
from ..helpers.waiting import missed_call, poll, settle

STRINGS = _STRINGS_FILES[0]

NUMBER = "+4930123456"
NAME = "Erika Mustermann"


# -- helpers -------------------------------------------------------------------


async def interval(hass: HomeAssistant, entry: MockConfigEntry) -> float | None:
    """The poll interval as diagnostics show it."""
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    return diagnostics["coordinator"]["poll_interval_seconds"]


def issue(hass: HomeAssistant, entry: MockConfigEntry) -> ir.IssueEntry | None:
    """The "push never seen" repair of ``entry``, if shown."""
    return ir.async_get(hass).async_get_issue(DOMAIN, f"push_not_seen_{entry.entry_id}")


# -- URLs ----------------------------------------------------------------------


CALL_EVENTS = ("incoming", "outgoing", "established", "terminated", "missed")


def test_action_urls() -> None:
    """One short URL per event we act on, with only the variables we use."""
    webhook_id = new_webhook_id()
    assert re.fullmatch("[0-9a-f]{32}", webhook_id)
    base = "http://192.168.100.200:8123"
    hook = f"{base}/api/webhook/{webhook_id}"
    urls = action_urls(base + "/", webhook_id)
    assert list(urls) == list(EVENTS)
    assert set(urls) == {
        "boot",
        "registered",
        "unregistered",
        *CALL_EVENTS,
        "hold",
        "unhold",
        "dnd_on",
        "dnd_off",
    }
    for event, url in urls.items():
        if event == "boot":
            variables = "m=$mac&p=$product&v=$program_version"
        elif event in (*CALL_EVENTS, "hold", "unhold"):
            variables = "m=$mac&r=$remote&a=$active_user"
        else:
            variables = "m=$mac"
        assert url == f"{hook}?e={event}&{variables}"
    # A phone drops longer URLs without a word.
    assert max(len(url) for url in urls.values()) <= MAX_ACTION_URL_LENGTH
    assert too_long(urls) == []
    assert too_long(action_urls("http://" + "h" * 200, webhook_id)) != []


async def test_action_url_text(hass: HomeAssistant) -> None:
    """The Markdown list names events and P-values; None without a local URL."""
    await texts.async_load(hass)
    assert action_url_text(hass, "abc123") is None
    hass.config.internal_url = "http://192.0.2.10:8123"
    text = action_url_text(hass, "abc123")
    assert text is not None
    assert (
        "- **Incoming call** (P8310): `http://192.0.2.10:8123/api/webhook/abc123?"
        in text
    )
    assert text.count("\n") == len(EVENTS) - 1


def test_parse_query() -> None:
    """Raw queries: + kept, literal variables empty, bounded, first value wins."""
    assert parse_query(
        "e=incoming&r=+4930123456&l=$local&c=%31%32&event=missed&=x&flag&n=a+b%20c"
    ) == {
        "event": "incoming",
        "remote": "+4930123456",
        "l": "",
        "call_id": "12",
        "flag": "",
        "n": "a+b c",
    }
    # The long names of earlier versions mean the same.
    assert parse_query(
        "event=boot&mac=1&remote=2&account=3&call_id=4&model=5&firmware=6"
    ) == parse_query("e=boot&m=1&r=2&a=3&c=4&p=5&v=6")
    assert parse_query("r=" + "9" * 300)["remote"] == "9" * MAX_ACTION_URL_LENGTH
    assert len(parse_query("&".join(f"p{i}=1" for i in range(100)))) == 32
    assert parse_query("e=%zz%C3%28") == {"event": "%zz\ufffd("}


def test_parse_push() -> None:
    """A push as the coordinator gets it; values a phone never sends are dropped."""
    assert parse_push(
        "e=incoming&m=000B82123456&r=+4930123456&a=1001&c=$call-id", received_at=7.0
    ) == Push(
        event="incoming",
        mac=PHONE_MAC,
        remote_number="+4930123456",
        account="1001",
        received_at=7.0,
    )
    forged = parse_push(
        "e=boot&m=$mac&r=<script>&a=a%20b&p=Evil%20Corp&v=1.0&c=" + "1" * 65
    )
    assert forged == Push(event="boot")
    assert parse_push("e=boot&p=GXP2170&v=1.0.11.23") == Push(
        event="boot", model="GXP2170", firmware="1.0.11.23"
    )
    # Events of earlier versions are still taken (and act on no call).
    assert not parse_push("e=offhook").is_call_event
    assert parse_push("e=hold").is_call_event


@pytest.mark.parametrize(
    "query",
    [
        "",
        "m=000b82123456",
        "e=transfer",
        "e=Incoming",
        "e=incoming&m=000b8212345",
        "e=incoming&m=" + "0" * 20,
        "e=incoming&r=" + "9" * 5000,
    ],
)
def test_parse_push_refuses(query: str) -> None:
    """Not a push: no known event, a malformed MAC, or oversized."""
    with pytest.raises(InvalidPush):
        parse_push(query)


@pytest.mark.parametrize(
    ("value", "mac"),
    [
        ("000b82123456", PHONE_MAC),
        ("00:0B:82:12:34:56", PHONE_MAC),
        ("00-0b-82-12-34-56", PHONE_MAC),
        ("000b8212345", None),
        ("$mac", None),
        ("", None),
    ],
)
def test_normalize_mac(value: str, mac: str | None) -> None:
    """The three notations phones use become one; anything else is no MAC."""
    assert normalize_mac(value) == mac


# -- a call over push ----------------------------------------------------------


async def test_call_over_push(
    hass: HomeAssistant, push_integration: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """A whole call reported by push, with polls in between: each event once."""
    entry = push_integration
    events = async_capture_events(hass, EVENT_CALL)
    polls_before = len(phone.calls("api-get_line_status"))

    line = phone.incoming_call(NUMBER, NAME)
    await settle(hass, phone)
    assert types(events) == ["incoming"]
    # The push fetched the line status at once, for the name and the sensors.
    assert len(phone.calls("api-get_line_status")) > polls_before
    assert hass.states.get("sensor.front_desk_line_1").state == "ringing"
    state = hass.states.get(CALL_ENTITY)
    assert state.attributes["event_type"] == "incoming"
    assert state.attributes["remote_number"] == NUMBER
    assert state.attributes["remote_name"] == NAME
    assert state.attributes["line"] == line
    assert state.attributes["direction"] == "incoming"
    await poll(hass)

    phone.answer()
    await settle(hass, phone)
    await poll(hass, 61)
    for _ in range(2):
        await hass.services.async_call(
            "button",
            "press",
            {"entity_id": "button.front_desk_hold_resume"},
            blocking=True,
        )
        await settle(hass, phone)
        await poll(hass, 61)
    phone.remote_hangup()
    await settle(hass, phone)
    await poll(hass, 61)
    await poll(hass, 61)

    assert types(events) == ["incoming", "answered", "held", "resumed", "ended"]
    assert {e.data["remote_number"] for e in events} == {NUMBER}
    assert {e.data["remote_name"] for e in events} == {NAME}
    sent = [p for p in phone.pushes if p.event in ("hold", "unhold", "terminated")]
    assert [p.event for p in sent] == ["hold", "unhold", "terminated"]
    assert {p.status for p in phone.pushes} == {200}
    assert hass.states.get(PUSH).state == "verified"
    assert await interval(hass, entry) == 60
    assert entry.runtime_data.pushes_received == len(phone.pushes)
    assert entry.runtime_data.pushes_ignored == 0


async def test_caller_rings_again_after_a_lost_end_push(
    hass: HomeAssistant, push_integration: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """Push verified, 60 s polls: the missed push is lost and the caller rings again.

    Without a poll in the gap, only the second incoming push tells that the
    first ring ended: the first call is missed, the second is a new call.
    """
    events = async_capture_events(hass, EVENT_CALL)
    phone.incoming_call(NUMBER, NAME)
    await settle(hass, phone)
    phone.miss_call()
    await settle(hass, phone)
    assert hass.states.get(PUSH).state == "verified"
    assert await interval(hass, push_integration) == 60
    for lost in ("missed", "terminated"):
        phone.profile.action_urls.pop(lost)

    with patch("custom_components.grandstream.call_tracker.RING_AGAIN_AFTER", 0.2):
        phone.incoming_call(NUMBER, NAME)
        await settle(hass, phone)
        phone.miss_call()  # its push is lost
        await settle(hass, phone)
        await asyncio.sleep(0.3)  # the caller tries again (no poll meanwhile)
        phone.incoming_call(NUMBER, NAME)
        await settle(hass, phone)

    assert types(events) == ["incoming", "missed", "incoming", "missed", "incoming"]
    assert hass.states.get("sensor.front_desk_missed_calls").state == "1"
    [item] = (
        await hass.services.async_call(
            "todo",
            "get_items",
            {"entity_id": "todo.front_desk_call_back", "status": "needs_action"},
            blocking=True,
            return_response=True,
        )
    )["todo.front_desk_call_back"]["items"]
    assert item["summary"].startswith(NAME)
    assert "2 missed calls" in item["description"]


@pytest.mark.usefixtures("push_integration")
async def test_poll_first_then_push(
    hass: HomeAssistant, phone: SimulatedPhone, call_events: CallEvents
) -> None:
    """A poll sees the ring before the late push: one event, push verified."""
    phone.profile.action_url_delay = 0.3
    phone.incoming_call(NUMBER, NAME)
    await poll(hass)
    assert types(call_events) == ["incoming"]
    assert hass.states.get(PUSH).state == "never_seen"
    await settle(hass, phone)
    assert types(call_events) == ["incoming"]
    assert hass.states.get(PUSH).state == "verified"

    phone.miss_call()
    await poll(hass, 61)
    await settle(hass, phone)
    await poll(hass, 61)
    assert types(call_events) == ["incoming", "missed"]
    assert hass.states.get("sensor.front_desk_missed_calls").state == "1"


async def test_missed_call_by_polling_only(
    hass: HomeAssistant, push_integration: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """Without Action URLs polling still reports the call, every 5 seconds."""
    entry = push_integration
    phone.profile.action_urls = {}
    events = async_capture_events(hass, EVENT_CALL)
    phone.incoming_call(NUMBER, NAME)
    await poll(hass)
    phone.miss_call()
    await poll(hass)
    await poll(hass)
    assert types(events) == ["incoming", "missed"]
    assert events[1].data["remote_name"] == NAME
    assert hass.states.get(CALL_ENTITY).attributes["event_type"] == "missed"
    assert hass.states.get("sensor.front_desk_missed_calls").state == "1"
    assert hass.states.get(PUSH).state == "never_seen"
    assert await interval(hass, entry) == 5
    assert issue(hass, entry) is not None
    assert phone.pushes == []


# -- what phones send ----------------------------------------------------------


async def test_display_name_in_template_gets_400(
    hass: HomeAssistant,
    push_integration: MockConfigEntry,
    phone: SimulatedPhone,
    ha_url: str,
    call_events: CallEvents,
) -> None:
    """A display name arrives with raw spaces: HA answers 400 before the webhook.

    This is why the generated URLs never ask for one.
    """
    generated = action_urls(ha_url, push_integration.data[CONF_WEBHOOK_ID])
    assert all("$display" not in url for url in generated.values())
    phone.profile.action_urls = {
        "incoming": generated["incoming"] + "&name=$display_remote"
    }
    phone.incoming_call(NUMBER, NAME)
    await settle(hass, phone)
    assert f"name={NAME}" in phone.pushes[-1].url
    assert phone.pushes[-1].status == 400
    assert call_events == []
    assert push_integration.runtime_data.pushes_received == 0

    # The generated URLs get through: the miss, of the ring a poll saw.
    phone.profile.action_urls = generated
    await poll(hass)
    assert types(call_events) == ["incoming"]
    phone.miss_call()
    await settle(hass, phone)
    assert phone.pushes[-1].status == 200
    assert push_integration.runtime_data.pushes_received == 1
    assert types(call_events) == ["incoming", "missed"]


@pytest.mark.parametrize("mac_format", ["plain", "colon", "dash"])
async def test_mac_forms(
    hass: HomeAssistant,
    push_integration: MockConfigEntry,
    phone: SimulatedPhone,
    mac_format: str,
    call_events: CallEvents,
) -> None:
    """Whichever way the phone writes its MAC, the push is its own."""
    phone.profile.mac_format = mac_format
    phone.incoming_call(NUMBER)
    await settle(hass, phone)
    assert phone.profile.formatted_mac() in phone.pushes[-1].url
    assert types(call_events) == ["incoming"]
    assert push_integration.unique_id == PHONE_MAC


async def test_literal_variables(
    hass: HomeAssistant,
    hand_pushes: HandPushes,
    phone: SimulatedPhone,
    call_events: CallEvents,
) -> None:
    """A push whose variables the phone could not fill still counts.

    The variables arrive literally and read as empty; the line status read
    after the push names the call.
    """
    phone.make_call("+4940987654")
    status = await send(
        f"{hand_pushes.url}?e=outgoing&m=$mac&r=$remote&a=$active_user&c=$call-id"
    )
    assert status == 200
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [event.data for event in call_events] == [
        call_event(
            call_events[0].data["device_id"],
            "outgoing",
            "+4940987654",
            direction="outgoing",
        )
    ]
    assert hand_pushes.entry.runtime_data.pushes_ignored == 0


@pytest.mark.usefixtures("socket_enabled")
async def test_post_accepted(
    hass: HomeAssistant,
    hand_pushes: HandPushes,
    phone: SimulatedPhone,
    call_events: CallEvents,
) -> None:
    """POST works too: parameters in the body, or in the query of an empty POST."""
    url = hand_pushes.url
    phone.incoming_call(NUMBER)
    async with aiohttp.ClientSession() as session:
        async with session.post(
            url, data=b"e=incoming&m=00-0b-82-12-34-56&r=+4930123456"
        ) as response:
            assert response.status == 200
        await hass.async_block_till_done(wait_background_tasks=True)
        phone.miss_call()
        async with session.post(
            aiohttp.client.URL(
                f"{url}?event=missed&mac=000b82123456&remote=+4930123456",
                encoded=True,
            )
        ) as response:
            assert response.status == 200
        await hass.async_block_till_done(wait_background_tasks=True)
    assert types(call_events) == ["incoming", "missed"]
    assert {e.data["remote_number"] for e in call_events} == {NUMBER}
    assert hand_pushes.entry.runtime_data.pushes_received == 2


def _big() -> str:
    return "e=incoming&m=000b82123456&r=" + "9" * 5000


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("", id="nothing"),
        pytest.param("m=000b82123456&r=+4930123456", id="no_event"),
        pytest.param("e=transfer&m=000b82123456", id="unknown_event"),
        pytest.param("e=%zz%C3%28&m=000b82123456", id="garbage_encoding"),
        pytest.param("e=incom%zzing&r=%%%", id="garbage_event"),
        pytest.param("e=incoming&m=001122334455&r=+49301", id="wrong_mac"),
        pytest.param("e=boot&m=00:0b:82:12:34:5", id="malformed_mac"),
        pytest.param(_big(), id="oversized"),
    ],
)
async def test_bad_requests_change_nothing(
    hass: HomeAssistant,
    push_integration: MockConfigEntry,
    phone: SimulatedPhone,
    ha_url: str,
    query: str,
) -> None:
    """Requests that are not a push of this phone: 200, and nothing happens."""
    entry = push_integration
    events = async_capture_events(hass, EVENT_CALL)
    before = {s.entity_id: s.state for s in hass.states.async_all()}
    reads = len(phone.requests)
    assert await send(f"{webhook_url(ha_url, entry)}?{query}") == 200
    await hass.async_block_till_done(wait_background_tasks=True)
    assert events == []
    assert {s.entity_id: s.state for s in hass.states.async_all()} == before
    assert len(phone.requests) == reads  # not even a fetch
    assert entry.runtime_data.pushes_ignored == 1
    assert entry.runtime_data.pushes_received == 0
    assert issue(hass, entry) is not None
    assert hass.states.get(PUSH).state == "never_seen"


async def test_unknown_webhook_changes_nothing(
    hass: HomeAssistant,
    push_integration: MockConfigEntry,
    phone: SimulatedPhone,
    ha_url: str,
    call_events: CallEvents,
) -> None:
    """A push to a webhook id nobody owns reaches no phone."""
    before = {s.entity_id: s.state for s in hass.states.async_all()}
    status = await send(
        f"{ha_url}/api/webhook/0123456789abcdef?event=incoming&mac=000b82123456"
    )
    assert status == 200
    await hass.async_block_till_done(wait_background_tasks=True)
    assert call_events == []
    assert {s.entity_id: s.state for s in hass.states.async_all()} == before
    assert push_integration.runtime_data.pushes_ignored == 0
    assert push_integration.runtime_data.pushes_received == 0


async def test_handler_never_raises(
    hass: HomeAssistant,
    push_integration: MockConfigEntry,
    phone: SimulatedPhone,
    ha_url: str,
) -> None:
    """Even a bug in the handler answers the phone with 200."""
    reads = len(phone.requests)
    with patch(
        "custom_components.grandstream.push.parse_push", side_effect=RuntimeError
    ) as parse:
        status = await send(f"{webhook_url(ha_url, push_integration)}?e=boot")
        await hass.async_block_till_done(wait_background_tasks=True)
    assert parse.call_count == 1
    assert status == 200
    assert push_integration.runtime_data.pushes_received == 0
    assert len(phone.requests) == reads


@pytest.mark.usefixtures("push_integration")
async def test_push_while_phone_unreachable(
    hass: HomeAssistant, phone: SimulatedPhone, call_events: CallEvents
) -> None:
    """When the line status cannot be fetched, the push still fires its event.

    The next poll, once the phone answers, confirms the call without firing
    it again.
    """
    phone.set_fault(Fault("reset"))
    phone.incoming_call(NUMBER, NAME)
    await settle(hass, phone)
    assert types(call_events) == ["incoming"]
    assert call_events[0].data["remote_number"] == NUMBER
    assert call_events[0].data["line"] is None
    assert call_events[0].data["remote_name"] is None
    assert hass.states.get("sensor.front_desk_line_1").state == "unavailable"

    phone.set_fault(None)
    await poll(hass)
    assert types(call_events) == ["incoming"]
    assert hass.states.get("sensor.front_desk_line_1").state == "ringing"
    phone.miss_call()
    await settle(hass, phone)
    assert types(call_events) == ["incoming", "missed"]
    assert call_events[1].data["line"] == 1
    assert call_events[1].data["remote_name"] == NAME


# -- repair, push health and polling -------------------------------------------


async def test_repair_until_first_push(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    push_integration: MockConfigEntry,
    phone: SimulatedPhone,
) -> None:
    """The repair shows the URLs until a push arrives; then it goes away for good."""
    entry = push_integration
    shown = issue(hass, entry)
    assert shown is not None
    assert shown.translation_key == "push_not_seen"
    assert shown.translation_placeholders["name"] == "Front desk"
    assert entry.data[CONF_WEBHOOK_ID] in shown.translation_placeholders["urls"]
    assert "$display" not in shown.translation_placeholders["urls"]
    assert hass.states.get(PUSH).state == "never_seen"

    phone.set_dnd(True)
    await settle(hass, phone)
    assert issue(hass, entry) is None
    assert hass.states.get(PUSH).state == "not_verified"

    # After a restart push must prove itself again, but no repair comes back:
    # the phone's record (its own storage, not the entry) kept "push seen".
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert CONF_PUSH_SEEN not in entry.data
    assert hass_storage[f"grandstream.record.{entry.entry_id}"]["data"]["push_seen"]
    assert issue(hass, entry) is None
    assert hass.states.get(PUSH).state == "not_verified"
    assert await interval(hass, entry) == 5


async def test_repair_when_urls_too_long(
    hass: HomeAssistant, phone: SimulatedPhone, push_config_entry: MockConfigEntry
) -> None:
    """Home Assistant's URL too long for the phone's fields: a repair says so."""
    hass.config.internal_url = "http://" + "h" * 200 + ".example:8123"
    push_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(push_config_entry.entry_id)
    await hass.async_block_till_done()

    too_long_issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"action_url_too_long_{push_config_entry.entry_id}"
    )
    assert too_long_issue is not None
    placeholders = too_long_issue.translation_placeholders
    assert placeholders["events"].split(", ") == [
        STRINGS["common"][f"events_{event}"] for event in EVENTS
    ]
    assert placeholders["max"] == str(MAX_ACTION_URL_LENGTH)
    # The URLs to paste say which ones the phone would drop.
    shown = issue(hass, push_config_entry)
    assert shown is not None
    assert shown.translation_placeholders["urls"].count(
        "characters, too long for the phone"
    ) == len(EVENTS)


async def test_repair_removed_with_entry(
    hass: HomeAssistant, push_integration: MockConfigEntry
) -> None:
    """Removing the phone removes its repair."""
    assert issue(hass, push_integration) is not None
    await hass.config_entries.async_remove(push_integration.entry_id)
    await hass.async_block_till_done()
    assert issue(hass, push_integration) is None


async def test_polling_follows_push_health(
    hass: HomeAssistant, push_integration: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """5 s until push is verified, 60 s after, 5 s again when poll sees more."""
    entry = push_integration
    events = async_capture_events(hass, EVENT_CALL)
    assert await interval(hass, entry) == 5
    phone.incoming_call(NUMBER, NAME)
    await settle(hass, phone)
    # The fetch the push triggered confirmed it: no poll needed.
    assert hass.states.get(PUSH).state == "verified"
    assert await interval(hass, entry) == 60

    # After that fetch, polls come every 60 s (at the phone's own slot of
    # the interval, which may fall in the next seconds).

    # The phone stops reporting "established": polling sees the answer first.
    del phone.profile.action_urls["established"]
    phone.answer()
    await poll(hass, 61)
    assert types(events) == ["incoming", "answered"]
    # Its push may still be on the way: push health waits a few seconds.
    assert hass.states.get(PUSH).state == "verified"
    await poll(hass, 6)
    assert hass.states.get(PUSH).state == "not_verified"
    assert await interval(hass, entry) == 5
    reads = len(phone.calls("api-get_line_status"))
    await poll(hass, 6)
    assert len(phone.calls("api-get_line_status")) == reads + 1

    # The hang-up is pushed again: verified, slow polling.
    phone.remote_hangup()
    await settle(hass, phone)
    await poll(hass)
    assert hass.states.get(PUSH).state == "verified"
    assert await interval(hass, entry) == 60


async def test_boot_push_reverifies(
    hass: HomeAssistant,
    push_integration: MockConfigEntry,
    phone: SimulatedPhone,
    ha_url: str,
) -> None:
    """The boot push: back to 5 s, and the device learns model and firmware."""
    entry = push_integration
    phone.profile.model = "GXP2135"
    phone.profile.firmware = "1.0.11.79"
    await missed_call(hass, phone, NUMBER)
    assert await interval(hass, entry) == 60

    await phone.reboot()
    await phone.wait_online()
    await settle(hass, phone)
    assert [p.event for p in phone.pushes][-2:] == ["boot", "registered"]
    assert hass.states.get(PUSH).state == "not_verified"
    assert await interval(hass, entry) == 5
    assert_model_learnt(hass, entry, "GXP2135", "1.0.11.79")

    # A second boot push with the same data changes nothing.
    await phone.reboot()
    await phone.wait_online()
    await settle(hass, phone)
    assert entry.data[CONF_MODEL] == "GXP2135"

    # Nor does one whose variables the phone could not fill.
    status = await send(
        f"{webhook_url(ha_url, entry)}?event=boot&mac=$mac&model=$product&firmware="
    )
    assert status == 200
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.data[CONF_MODEL] == "GXP2135"
    assert entry.data[CONF_FIRMWARE] == "1.0.11.79"


async def test_reboot_without_boot_push_reverifies(
    hass: HomeAssistant, push_integration: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """A phone back after being away long enough to reboot: 5 s again.

    (A phone really needs about a minute; the simulator 0.3 s, so the time
    that makes an outage a possible reboot is shortened here.)
    """
    entry = push_integration
    phone.incoming_call(NUMBER)
    await settle(hass, phone)
    assert await interval(hass, entry) == 60
    phone.profile.action_urls = {}
    await phone.reboot()
    with patch("custom_components.grandstream.coordinator.RESTART_SUSPICION", 0.1):
        await poll(hass, 61)
        assert not entry.runtime_data.last_update_success
        await phone.wait_online()
        await asyncio.sleep(0.1)
        await poll(hass, 61)
    assert entry.runtime_data.last_update_success
    assert hass.states.get(PUSH).state == "not_verified"
    assert await interval(hass, entry) == 5


# -- identity ------------------------------------------------------------------


async def test_mac_learnt_from_push(
    hass: HomeAssistant,
    ha_url: str,
    phone: SimulatedPhone,
    mock_config_entry: MockConfigEntry,
) -> None:
    """An entry added by address gets the MAC as unique id; ids move to it."""
    entry = mock_config_entry
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    registry = er.async_get(hass)
    # An entity with an id of another scheme is left alone.
    registry.async_get_or_create(
        "sensor", DOMAIN, "legacy_id", config_entry=entry, suggested_object_id="old"
    )
    before = {
        e.entity_id: e.unique_id
        for e in er.async_entries_for_config_entry(registry, entry.entry_id)
    }
    assert before.pop("sensor.old") == "legacy_id"
    assert all(uid.startswith(f"{entry.entry_id}_") for uid in before.values())
    assert entry.unique_id is None

    phone.profile.mac_format = "colon"
    point_pushes_at(phone, ha_url, entry)
    events = async_capture_events(hass, EVENT_CALL)
    phone.incoming_call(NUMBER, NAME)
    await settle(hass, phone)
    await hass.async_block_till_done()

    assert entry.unique_id == PHONE_MAC
    after = {
        e.entity_id: e.unique_id
        for e in er.async_entries_for_config_entry(registry, entry.entry_id)
    }
    assert after.pop("sensor.old") == "legacy_id"
    assert set(after) == set(before)
    assert after == {
        entity_id: PHONE_MAC + uid[len(entry.entry_id) :]
        for entity_id, uid in before.items()
    }
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    assert len(devices) == 1
    assert devices[0].identifiers == {(DOMAIN, PHONE_MAC)}
    assert (dr.CONNECTION_NETWORK_MAC, PHONE_MAC) in devices[0].connections
    # The reload kept the call: no second "incoming", and the call goes on.
    assert types(events) == ["incoming"]
    assert hass.states.get(CALL_ENTITY).attributes["event_type"] == "incoming"
    phone.answer()
    await settle(hass, phone)
    assert types(events) == ["incoming", "answered"]
    assert events[-1].data["device_id"] == devices[0].id


async def test_mac_of_another_entry_not_adopted(
    hass: HomeAssistant,
    ha_url: str,
    phone: SimulatedPhone,
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A MAC another entry already owns is not taken over."""
    MockConfigEntry(domain=DOMAIN, unique_id=PHONE_MAC, title="Other").add_to_hass(hass)
    entry = mock_config_entry
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    point_pushes_at(phone, ha_url, entry)
    events = async_capture_events(hass, EVENT_CALL)
    phone.incoming_call(NUMBER)
    await settle(hass, phone)
    assert entry.unique_id is None
    assert "the MAC in them is not this phone's" in caplog.text
    # Its pushes are not taken as this phone's events either.
    assert types(events) == []
    assert entry.runtime_data.pushes_received == 0
    assert entry.runtime_data.pushes_ignored == len(phone.pushes)


async def test_foreign_mac_logged_once(
    hass: HomeAssistant,
    push_integration: MockConfigEntry,
    ha_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Pushes of another phone on this webhook are ignored, and said so once."""
    url = f"{webhook_url(ha_url, push_integration)}?e=incoming&m=c074ad000001"
    assert await send(url) == 200
    assert await send(url) == 200
    await hass.async_block_till_done(wait_background_tasks=True)
    warnings = [
        r.getMessage()
        for r in caplog.records
        if r.name == "custom_components.grandstream" and r.levelno == logging.WARNING
    ]
    assert warnings == [
        (
            "Dropping pushes on the webhook of Front desk: the MAC in them is not "
            "this phone's (counted in the diagnostics)"
        )
    ]
    assert push_integration.runtime_data.pushes_ignored == 2


async def test_short_rings_count_as_missed(
    hass: HomeAssistant, push_integration: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """A ring over before any line status shows it is one missed call.

    At most three such rings count in ten minutes: beyond, it could as well be
    someone sending pushes.
    """
    coordinator = push_integration.runtime_data
    events = async_capture_events(hass, EVENT_CALL)
    numbers = ["+4930111111", "+4930222222", "+4930333333", "+4930444444"]
    ignored: list[int] = []
    for number in numbers:
        phone.incoming_call(number)
        phone.miss_call()
        await settle(hass, phone)
        ignored.append(coordinator.pushes_ignored)

    assert types(events) == ["incoming", "missed"] * 3
    assert [event.data["remote_number"] for event in events] == [
        number for number in numbers[:3] for _ in range(2)
    ]
    assert hass.states.get("sensor.front_desk_missed_calls").state == "3"
    # The fourth ring's pushes are both ignored.
    assert ignored[3] - ignored[2] == 2


@pytest.mark.usefixtures("push_integration")
async def test_registration_push_refreshes_accounts(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """A registration push fetches the accounts again at once."""
    accounts = len(phone.calls("api-get_accounts"))
    phone.set_registered(1, False)
    await settle(hass, phone)
    assert len(phone.calls("api-get_accounts")) == accounts + 1
    assert hass.states.get("binary_sensor.front_desk_account_1_registered").state == (
        "off"
    )


async def test_push_burst_is_bounded(
    hass: HomeAssistant,
    push_integration: MockConfigEntry,
    phone: SimulatedPhone,
    ha_url: str,
) -> None:
    """Pushes beyond the waiting bound are dropped (200 to the sender), not queued.

    With the phone slow, pushes wait for the line status read after them.
    """
    coordinator = push_integration.runtime_data
    phone.set_fault(Fault("latency", delay=1.5))
    url = f"{webhook_url(ha_url, push_integration)}?e=offhook&m=000b82123456"
    with patch("custom_components.grandstream.push.MAX_WAITING_PUSHES", 2):
        statuses = [await send(url) for _ in range(5)]
        assert statuses == [200] * 5
        assert coordinator.pushes_received == 2
        assert coordinator.pushes_ignored == 3
        phone.set_fault(None)
        await hass.async_block_till_done(wait_background_tasks=True)
        # Once drained, pushes are taken again.
        assert await send(url) == 200
        await hass.async_block_till_done(wait_background_tasks=True)
    assert coordinator.pushes_received == 3
    assert coordinator.pushes_ignored == 3
