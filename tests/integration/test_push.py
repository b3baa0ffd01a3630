"""Push: the phone's Action URLs reach Home Assistant's webhook over real HTTP.

Home Assistant's HTTP server listens on a real socket (fixture ``ha_url``),
the simulated phone is given the URLs the integration generates and sends
its pushes exactly as a phone does: a raw GET without percent-encoding.
"""

from __future__ import annotations

import asyncio
from typing import Any
from unittest.mock import patch

import aiohttp
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import Event, HomeAssistant
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

from custom_components.grandstream.const import (
    CONF_FIRMWARE,
    CONF_MODEL,
    CONF_PUSH_SEEN,
    DOMAIN,
    EVENT_CALL,
)
from custom_components.grandstream.diagnostics import async_get_config_entry_diagnostics
from custom_components.grandstream.push import (
    EVENTS,
    MAX_VALUE_LENGTH,
    action_url_text,
    action_urls,
    normalize_mac,
    parse_query,
)
from simulator import SimulatedPhone
from simulator.actionurl import send_raw_get

from ..conftest import PHONE_MAC, device_by_identifier, poll, settle

NUMBER = "+4930123456"
NAME = "Erika Mustermann"
CALL_ENTITY = "event.front_desk_call"
PUSH_SENSOR = "sensor.front_desk_push"


# -- helpers -------------------------------------------------------------------


def webhook_url(base: str, entry: MockConfigEntry) -> str:
    """The entry's webhook, without a query."""
    return f"{base}/api/webhook/{entry.data[CONF_WEBHOOK_ID]}"


async def send(url: str) -> int:
    """Send a raw GET the way a phone does; return the status."""
    return await send_raw_get(url, "Grandstream GXP2170", 5.0)


def types(events: list[Event[dict[str, Any]]]) -> list[str]:
    """The call event types on the bus, in order."""
    return [event.data["type"] for event in events]


async def interval(hass: HomeAssistant, entry: MockConfigEntry) -> float | None:
    """The poll interval as diagnostics show it."""
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    return diagnostics["coordinator"]["update_interval_seconds"]


def issue(hass: HomeAssistant, entry: MockConfigEntry) -> ir.IssueEntry | None:
    """The "push never seen" repair of ``entry``, if shown."""
    return ir.async_get(hass).async_get_issue(DOMAIN, f"push_not_seen_{entry.entry_id}")


# -- URLs ----------------------------------------------------------------------


def test_action_urls() -> None:
    """One URL per event, with every variable a phone fills, never a display name."""
    urls = action_urls("http://192.0.2.10:8123", "abc123")
    assert list(urls) == list(EVENTS)
    assert len(urls) == 16
    for event, url in urls.items():
        assert url.startswith(
            f"http://192.0.2.10:8123/api/webhook/abc123?event={event}&mac=$mac"
            "&remote=$remote&local=$local&account=$active_user&call_id=$call-id"
        )
        assert "$display" not in url
        assert " " not in url
    assert urls["boot"].endswith("&model=$product&firmware=$program_version")
    assert "model=" not in urls["incoming"]


async def test_action_url_text(hass: HomeAssistant) -> None:
    """The Markdown list names events and P-values; None without a local URL."""
    assert action_url_text(hass, "abc123") is None
    hass.config.internal_url = "http://192.0.2.10:8123"
    text = action_url_text(hass, "abc123")
    assert "- **incoming** (P8310): `http://192.0.2.10:8123/api/webhook/abc123?" in text
    assert text.count("\n") == len(EVENTS) - 1


def test_parse_query() -> None:
    """Raw queries: + kept, literal variables empty, bounded, first value wins."""
    assert parse_query(
        "event=incoming&remote=+4930123456&local=$local&call_id=%31%32"
        "&event=missed&=x&flag&name=a+b%20c"
    ) == {
        "event": "incoming",
        "remote": "+4930123456",
        "local": "",
        "call_id": "12",
        "flag": "",
        "name": "a+b c",
    }
    assert parse_query("remote=" + "9" * 300)["remote"] == "9" * MAX_VALUE_LENGTH
    assert len(parse_query("&".join(f"p{i}=1" for i in range(100)))) == 32
    assert parse_query("event=%zz%C3%28") == {"event": "%zz\ufffd("}


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
    assert hass.states.get(PUSH_SENSOR).state == "verified"
    assert await interval(hass, entry) == 60
    assert entry.runtime_data.push.received == len(phone.pushes)


async def test_poll_first_then_push(
    hass: HomeAssistant, push_integration: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """A poll sees the ring before the late push: one event, push verified."""
    events = async_capture_events(hass, EVENT_CALL)
    phone.profile.action_url_delay = 0.3
    phone.incoming_call(NUMBER, NAME)
    await poll(hass)
    assert types(events) == ["incoming"]
    assert hass.states.get(PUSH_SENSOR).state == "never_seen"
    await settle(hass, phone)
    assert types(events) == ["incoming"]
    assert hass.states.get(PUSH_SENSOR).state == "verified"

    phone.miss_call()
    await poll(hass, 61)
    await settle(hass, phone)
    await poll(hass, 61)
    assert types(events) == ["incoming", "missed"]
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
    assert hass.states.get(PUSH_SENSOR).state == "never_seen"
    assert await interval(hass, entry) == 5
    assert issue(hass, entry) is not None
    assert phone.pushes == []


# -- what phones send ----------------------------------------------------------


async def test_display_name_in_template_gets_400(
    hass: HomeAssistant,
    push_integration: MockConfigEntry,
    phone: SimulatedPhone,
    ha_url: str,
) -> None:
    """A display name arrives with raw spaces: HA answers 400 before the webhook.

    This is why the generated URLs never ask for one.
    """
    events = async_capture_events(hass, EVENT_CALL)
    generated = action_urls(ha_url, push_integration.data[CONF_WEBHOOK_ID])
    assert all("$display" not in url for url in generated.values())
    phone.profile.action_urls = {
        "incoming": generated["incoming"] + "&name=$display_remote"
    }
    phone.incoming_call(NUMBER, NAME)
    await settle(hass, phone)
    assert f"name={NAME}" in phone.pushes[-1].url
    assert phone.pushes[-1].status == 400
    assert events == []
    assert push_integration.runtime_data.push.received == 0

    phone.profile.action_urls = generated
    phone.miss_call()
    await settle(hass, phone)
    assert phone.pushes[-1].status == 200
    assert types(events) == ["missed"]


@pytest.mark.parametrize("mac_format", ["plain", "colon", "dash"])
async def test_mac_forms(
    hass: HomeAssistant,
    push_integration: MockConfigEntry,
    phone: SimulatedPhone,
    mac_format: str,
) -> None:
    """Whichever way the phone writes its MAC, the push is its own."""
    phone.profile.mac_format = mac_format
    events = async_capture_events(hass, EVENT_CALL)
    phone.incoming_call(NUMBER)
    await settle(hass, phone)
    assert phone.profile.formatted_mac() in phone.pushes[-1].url
    assert types(events) == ["incoming"]
    assert push_integration.unique_id == PHONE_MAC


async def test_plus_and_literal_variables(
    hass: HomeAssistant,
    push_integration: MockConfigEntry,
    phone: SimulatedPhone,
    ha_url: str,
) -> None:
    """A leading + survives; a variable the phone could not fill is empty."""
    events = async_capture_events(hass, EVENT_CALL)
    url = webhook_url(ha_url, push_integration)
    assert (
        await send(f"{url}?event=incoming&mac=000b82123456&remote=+4930999888") == 200
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert events[-1].data["remote_number"] == "+4930999888"
    assert hass.states.get(CALL_ENTITY).attributes["remote_number"] == "+4930999888"

    assert (
        await send(
            f"{url}?event=outgoing&mac=$mac&remote=$remote&local=$local"
            "&account=$active_user&call_id=$call-id"
        )
        == 200
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert types(events) == ["incoming", "outgoing"]
    assert events[-1].data["remote_number"] is None
    assert events[-1].data["account"] is None
    assert hass.states.get(CALL_ENTITY).attributes["remote_number"] is None


async def test_post_accepted(
    hass: HomeAssistant,
    push_integration: MockConfigEntry,
    ha_url: str,
    socket_enabled: None,
) -> None:
    """POST works too: parameters in the body, or in the query of an empty POST."""
    events = async_capture_events(hass, EVENT_CALL)
    url = webhook_url(ha_url, push_integration)
    async with aiohttp.ClientSession() as session:
        async with session.post(
            url, data=b"event=incoming&mac=00-0b-82-12-34-56&remote=+4930123456"
        ) as response:
            assert response.status == 200
        await hass.async_block_till_done(wait_background_tasks=True)
        async with session.post(
            aiohttp.client.URL(
                f"{url}?event=missed&mac=000b82123456&remote=+4930123456",
                encoded=True,
            )
        ) as response:
            assert response.status == 200
        await hass.async_block_till_done(wait_background_tasks=True)
    assert types(events) == ["incoming", "missed"]
    assert {e.data["remote_number"] for e in events} == {NUMBER}


def _big() -> str:
    return "event=incoming&mac=000b82123456&remote=" + "9" * 5000


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("", id="nothing"),
        pytest.param("mac=000b82123456&remote=+4930123456", id="no_event"),
        pytest.param("event=transfer&mac=000b82123456", id="unknown_event"),
        pytest.param("event=%zz%C3%28&mac=000b82123456", id="garbage_encoding"),
        pytest.param("event=incom%zzing&remote=%%%", id="garbage_event"),
        pytest.param("event=incoming&mac=001122334455&remote=+49301", id="wrong_mac"),
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
    assert entry.runtime_data.push.ignored == 1
    assert entry.runtime_data.push.received == 0
    assert issue(hass, entry) is not None
    assert hass.states.get(PUSH_SENSOR).state == "never_seen"


async def test_unknown_webhook_changes_nothing(
    hass: HomeAssistant,
    push_integration: MockConfigEntry,
    phone: SimulatedPhone,
    ha_url: str,
) -> None:
    """A push to a webhook id nobody owns reaches no phone."""
    events = async_capture_events(hass, EVENT_CALL)
    before = {s.entity_id: s.state for s in hass.states.async_all()}
    status = await send(
        f"{ha_url}/api/webhook/0123456789abcdef?event=incoming&mac=000b82123456"
    )
    assert status == 200
    await hass.async_block_till_done(wait_background_tasks=True)
    assert events == []
    assert {s.entity_id: s.state for s in hass.states.async_all()} == before
    assert push_integration.runtime_data.push.ignored == 0


async def test_handler_never_raises(
    hass: HomeAssistant, push_integration: MockConfigEntry, ha_url: str
) -> None:
    """Even a bug in the handler answers the phone with 200."""
    with patch(
        "custom_components.grandstream.push.parse_query", side_effect=ValueError
    ):
        status = await send(f"{webhook_url(ha_url, push_integration)}?event=boot")
    assert status == 200
    assert push_integration.runtime_data.push.ignored == 1


async def test_push_while_phone_unreachable(
    hass: HomeAssistant, push_integration: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """When the line status cannot be fetched, the push still fires its event."""
    events = async_capture_events(hass, EVENT_CALL)
    phone.incoming_call(NUMBER, NAME)
    with patch(
        "custom_components.grandstream.coordinator.GrandstreamCoordinator"
        ".async_fetch_now",
        return_value=None,
    ):
        await settle(hass, phone)
    assert types(events) == ["incoming"]
    assert events[0].data["line"] is None
    assert events[0].data["remote_name"] is None


# -- repair, push health and polling -------------------------------------------


async def test_repair_until_first_push(
    hass: HomeAssistant, push_integration: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """The repair shows the URLs until a push arrives; then it goes away for good."""
    entry = push_integration
    shown = issue(hass, entry)
    assert shown is not None
    assert shown.translation_key == "push_not_seen"
    assert shown.translation_placeholders["name"] == "Front desk"
    assert entry.data[CONF_WEBHOOK_ID] in shown.translation_placeholders["urls"]
    assert "$display" not in shown.translation_placeholders["urls"]
    assert hass.states.get(PUSH_SENSOR).state == "never_seen"

    phone.set_dnd(True)
    await settle(hass, phone)
    assert issue(hass, entry) is None
    assert hass.states.get(PUSH_SENSOR).state == "not_verified"
    assert entry.data[CONF_PUSH_SEEN] is True

    # After a restart push must prove itself again, but no repair comes back.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert issue(hass, entry) is None
    assert hass.states.get(PUSH_SENSOR).state == "not_verified"
    assert await interval(hass, entry) == 5


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
    assert await interval(hass, entry) == 5
    phone.incoming_call(NUMBER, NAME)
    await settle(hass, phone)
    assert hass.states.get(PUSH_SENSOR).state == "verified"
    assert await interval(hass, entry) == 60

    # The poll already scheduled runs; after it, polls come every 60 s.
    await poll(hass, 6)
    reads = len(phone.calls("api-get_line_status"))
    await poll(hass, 6)
    await poll(hass, 6)
    assert len(phone.calls("api-get_line_status")) == reads

    # The phone stops reporting "established": polling sees the answer first.
    del phone.profile.action_urls["established"]
    phone.answer()
    await poll(hass, 61)
    assert hass.states.get(PUSH_SENSOR).state == "not_verified"
    assert await interval(hass, entry) == 5
    await poll(hass, 6)
    assert len(phone.calls("api-get_line_status")) > reads + 1

    # The hang-up is pushed again: verified, slow polling.
    phone.remote_hangup()
    await settle(hass, phone)
    await poll(hass)
    assert hass.states.get(PUSH_SENSOR).state == "verified"
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
    phone.incoming_call(NUMBER)
    await settle(hass, phone)
    phone.miss_call()
    await settle(hass, phone)
    assert await interval(hass, entry) == 60

    await phone.reboot()
    await phone.wait_online()
    await settle(hass, phone)
    assert [p.event for p in phone.pushes][-2:] == ["boot", "registered"]
    assert hass.states.get(PUSH_SENSOR).state == "not_verified"
    assert await interval(hass, entry) == 5
    assert entry.data[CONF_MODEL] == "GXP2135"
    assert entry.data[CONF_FIRMWARE] == "1.0.11.79"
    device = device_by_identifier(hass, PHONE_MAC)
    assert device is not None
    assert device.model == "GXP2135"
    assert device.sw_version == "1.0.11.79"

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
    """A phone back after being unreachable may have lost its URLs: 5 s again."""
    entry = push_integration
    phone.incoming_call(NUMBER)
    await settle(hass, phone)
    assert await interval(hass, entry) == 60
    phone.profile.action_urls = {}
    await phone.reboot()
    await poll(hass, 61)
    assert not entry.runtime_data.coordinator.last_update_success
    await phone.wait_online()
    await poll(hass, 61)
    assert entry.runtime_data.coordinator.last_update_success
    assert hass.states.get(PUSH_SENSOR).state == "not_verified"
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
    phone.profile.action_urls = action_urls(ha_url, entry.data[CONF_WEBHOOK_ID])
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
    phone.profile.action_urls = action_urls(ha_url, entry.data[CONF_WEBHOOK_ID])
    events = async_capture_events(hass, EVENT_CALL)
    phone.incoming_call(NUMBER)
    await settle(hass, phone)
    assert entry.unique_id is None
    assert "belongs to another configured phone" in caplog.text
    # Its pushes are not taken as this phone's events either.
    assert types(events) == []


async def test_foreign_mac_logged_once(
    hass: HomeAssistant,
    push_integration: MockConfigEntry,
    ha_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Pushes of another phone on this webhook are ignored, and said so once."""
    url = f"{webhook_url(ha_url, push_integration)}?event=incoming&mac=c074ad000001"
    assert await send(url) == 200
    assert await send(url) == 200
    assert caplog.text.count("a different phone uses this phone's Action URLs") == 1
    assert push_integration.runtime_data.push.ignored == 2


async def test_registration_push_refreshes_accounts(
    hass: HomeAssistant, push_integration: MockConfigEntry, phone: SimulatedPhone
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
    hass: HomeAssistant, push_integration: MockConfigEntry, ha_url: str
) -> None:
    """Pushes beyond the queue bound are dropped (200 to the sender), not queued."""
    release = asyncio.Event()
    coordinator = push_integration.runtime_data.coordinator
    original = coordinator.async_fetch_now

    async def slow_fetch() -> Any:
        await release.wait()
        return await original()

    url = f"{webhook_url(ha_url, push_integration)}?event=offhook&mac=000b82123456"
    with (
        patch("custom_components.grandstream.push.MAX_QUEUED_PUSHES", 2),
        patch.object(coordinator, "async_fetch_now", slow_fetch),
    ):
        statuses = [await send(url) for _ in range(5)]
        receiver = push_integration.runtime_data.push
        assert statuses == [200] * 5
        assert receiver.received == 2
        assert receiver.ignored == 3
        release.set()
        await hass.async_block_till_done(wait_background_tasks=True)
    # Once drained, pushes are taken again.
    assert await send(url) == 200
    assert receiver.received == 3
    await hass.async_block_till_done(wait_background_tasks=True)
