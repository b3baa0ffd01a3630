"""The "Call back" to-do list, through Home Assistant's to-do services.

Every call is played on the simulated phone over real HTTP, with push (the
phone's Action URLs reach Home Assistant) and with polling only.
"""

from __future__ import annotations

from datetime import timedelta
import json
import logging
from pathlib import Path
import re
from typing import Any

from homeassistant.components.todo import TodoItem, TodoListEntityFeature
from homeassistant.const import ATTR_SUPPORTED_FEATURES
from homeassistant.core import HomeAssistant, State
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    mock_restore_cache_with_extra_data,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
import yaml

from custom_components.grandstream.call_back import (
    MAX_COMPLETED,
    MAX_OPEN,
    MAX_TIMES,
    STORAGE_KIND,
)
from custom_components.grandstream.call_events import CallEvent, CallEventType
from custom_components.grandstream.phone_store import STORAGE_VERSION, storage_key
from simulator import SimulatedPhone

from ..helpers.actions import act
from ..helpers.entities import CALL_BACK, MISSED, RESET_MISSED
from ..helpers.entries import register_entities
from ..helpers.waiting import answered_call, catch_up, missed_call, settle

NUMBER = "+4930123456"
NAME = "Erika Mustermann"
OTHER = "+4940987654"
README = Path(__file__).parents[2] / "README.md"


# -- helpers -----------------------------------------------------------------


@pytest.fixture(params=["push_integration", "init_integration"])
def integration(request: pytest.FixtureRequest) -> MockConfigEntry:
    """The phone set up with push, or with polling only."""
    entry: MockConfigEntry = request.getfixturevalue(request.param)
    return entry


async def get_items(hass: HomeAssistant, *statuses: str) -> list[dict[str, Any]]:
    """The list's items through todo.get_items."""
    data: dict[str, Any] = {"entity_id": CALL_BACK}
    if statuses:
        data["status"] = list(statuses)
    response = await hass.services.async_call(
        "todo", "get_items", data, blocking=True, return_response=True
    )
    assert response is not None
    items = response[CALL_BACK]["items"]  # type: ignore[index]
    assert isinstance(items, list)
    return items


async def open_items(hass: HomeAssistant) -> list[dict[str, Any]]:
    """Items waiting for a call back."""
    return await get_items(hass, "needs_action")


async def update(hass: HomeAssistant, item: str, **changes: Any) -> None:
    """todo.update_item."""
    await hass.services.async_call(
        "todo",
        "update_item",
        {"entity_id": CALL_BACK, "item": item, **changes},
        blocking=True,
    )


async def dial(hass: HomeAssistant, number: str) -> None:
    """grandstream.dial on the phone of the list."""
    entity = er.async_get(hass).async_get(CALL_BACK)
    assert entity is not None
    await act(hass, "dial", entity.device_id, number=number)


async def two_callers_missed(hass: HomeAssistant, phone: SimulatedPhone) -> None:
    """Erika calls and gives up, then someone without a name does."""
    await missed_call(hass, phone, NUMBER, NAME)
    await missed_call(hass, phone, OTHER)


def state(hass: HomeAssistant, entity_id: str) -> State:
    """A state that must exist."""
    found = hass.states.get(entity_id)
    assert found is not None, entity_id
    return found


# -- what a missed call adds -----------------------------------------------------


@pytest.mark.usefixtures("integration")
async def test_one_missed_call_is_one_item(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """A missed call: an item named after the caller, due when they called."""
    assert state(hass, CALL_BACK).state == "0"
    assert state(hass, MISSED).state == "0"
    before = dt_util.utcnow()

    await missed_call(hass, phone, NUMBER, NAME)

    [item] = await get_items(hass)
    assert item["summary"] == f"{NAME} ({NUMBER})"
    assert item["status"] == "needs_action"
    lines = item["description"].split("\n\n")
    # The number first, exactly as the phone reported it (for templates).
    assert lines[0] == NUMBER
    assert lines[1].startswith("Missed call at ")
    assert lines[-1] == "Line 1, account 1 (Office)"
    due = dt_util.parse_datetime(item["due"])
    assert due is not None
    assert before - timedelta(seconds=1) <= due <= dt_util.utcnow()
    assert state(hass, CALL_BACK).state == "1"
    assert state(hass, MISSED).state == "1"


@pytest.mark.usefixtures("integration")
async def test_three_calls_from_one_number_are_one_item(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """The same caller three times: one item that counts them, newest first."""
    await two_callers_missed(hass, phone)
    await missed_call(hass, phone, NUMBER, NAME)
    # The same party, written the national way.
    await missed_call(hass, phone, "030123456")

    items = await get_items(hass)
    assert [item["summary"] for item in items] == [f"{NAME} ({NUMBER})", OTHER]
    lines = items[0]["description"].split("\n\n")
    assert lines[0] == NUMBER
    assert lines[1].startswith("3 missed calls, last ")
    assert lines[2] == "Line 1, account 1 (Office)"
    assert lines[3].startswith("Calls: ")
    assert lines[3].count(":") == 1 + 3  # three times hh:mm
    assert state(hass, MISSED).state == "2"
    assert state(hass, CALL_BACK).state == "2"


@pytest.mark.usefixtures("push_integration")
async def test_anonymous_callers_share_an_item_nobody_completes(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """Withheld numbers: one item; answering another withheld call is no call back."""
    phone.profile.remotename_repeats_number = False
    await missed_call(hass, phone, "anonymous")
    await missed_call(hass, phone, "anonymous")
    [item] = await open_items(hass)
    assert item["summary"] == "anonymous"
    assert item["description"].startswith("anonymous\n\n2 missed calls")

    await answered_call(hass, phone, "anonymous")
    assert len(await open_items(hass)) == 1


# -- what completes an item ----------------------------------------------------------


@pytest.mark.usefixtures("integration")
async def test_calling_back_completes_the_item(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """Dialled the national way, answered by the caller: the item is done."""
    await two_callers_missed(hass, phone)

    await dial(hass, "030 123456")
    await catch_up(hass, phone)
    assert phone.line(1).state == "calling"
    # Ringing at the other end is no call back yet.
    assert len(await open_items(hass)) == 2

    phone.remote_answer(1)
    await catch_up(hass, phone)
    [still_open] = await open_items(hass)
    assert still_open["summary"] == OTHER
    [done] = await get_items(hass, "completed")
    assert done["summary"] == f"{NAME} ({NUMBER})"
    assert state(hass, MISSED).state == "1"
    phone.remote_hangup(1)
    await catch_up(hass, phone)


@pytest.mark.usefixtures("integration")
async def test_unanswered_call_back_leaves_the_item_open(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """Nobody answers the call back (or it fails): the caller still waits."""
    await missed_call(hass, phone, NUMBER, NAME)

    await dial(hass, NUMBER)
    await catch_up(hass, phone)
    phone.remote_hangup(1)  # gave up while it rang
    await catch_up(hass, phone)
    await dial(hass, NUMBER)
    await catch_up(hass, phone)
    phone.fail_call(1)  # busy
    await catch_up(hass, phone)

    assert len(await open_items(hass)) == 1
    assert state(hass, MISSED).state == "1"


@pytest.mark.usefixtures("integration")
async def test_answering_their_next_call_completes_the_item(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """The caller tries again and the user answers: done; others stay open."""
    await two_callers_missed(hass, phone)

    phone.incoming_call("004930123456", NAME)
    await catch_up(hass, phone)
    assert len(await open_items(hass)) == 2
    phone.answer()
    await catch_up(hass, phone)

    assert [item["summary"] for item in await open_items(hass)] == [OTHER]
    assert state(hass, MISSED).state == "1"
    phone.remote_hangup()
    await catch_up(hass, phone)
    # A new missed call of a called-back caller is a new item.
    await missed_call(hass, phone, NUMBER, NAME)
    assert len(await open_items(hass)) == 2
    assert len(await get_items(hass, "completed")) == 1


# -- what the user does ------------------------------------------------------------


@pytest.mark.usefixtures("push_integration")
async def test_user_completes_edits_and_deletes_items(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """Tick off, reopen, rename, describe, reschedule and delete, as any to-do."""
    features = state(hass, CALL_BACK).attributes[ATTR_SUPPORTED_FEATURES]
    assert features == (
        TodoListEntityFeature.UPDATE_TODO_ITEM
        | TodoListEntityFeature.DELETE_TODO_ITEM
        | TodoListEntityFeature.SET_DUE_DATETIME_ON_ITEM
        | TodoListEntityFeature.SET_DESCRIPTION_ON_ITEM
    )
    # The phone is the source: no items by hand.
    with pytest.raises(HomeAssistantError):
        await hass.services.async_call(
            "todo",
            "add_item",
            {"entity_id": CALL_BACK, "item": "Call mum"},
            blocking=True,
        )
    await two_callers_missed(hass, phone)
    # Newest call first.
    [other, erika] = await get_items(hass)

    await update(hass, erika["uid"], status="completed")
    assert state(hass, MISSED).state == "1"
    assert [i["summary"] for i in await get_items(hass, "completed")] == [
        erika["summary"]
    ]
    await update(hass, erika["uid"], status="needs_action")
    assert state(hass, MISSED).state == "2"
    # Back in its place: newest call first.
    assert [i["uid"] for i in await open_items(hass)] == [other["uid"], erika["uid"]]

    due = dt_util.as_local(dt_util.utcnow() + timedelta(hours=2)).replace(microsecond=0)
    await update(
        hass,
        other["uid"],
        rename="Supplier",
        description="Ask about the invoice",
        due_datetime=due.isoformat(),
    )
    edited = (await get_items(hass))[0]
    assert edited["summary"] == "Supplier"
    assert edited["description"] == "Ask about the invoice"
    assert dt_util.parse_datetime(edited["due"]) == due
    # Their next missed call: the name the user gave stays, the rest is news.
    await missed_call(hass, phone, OTHER)
    edited = (await get_items(hass))[0]
    assert edited["summary"] == "Supplier"
    assert edited["description"].startswith(f"{OTHER}\n\n2 missed calls")
    assert dt_util.parse_datetime(edited["due"]) != due
    # Unchanged fields stay generated; a cleared description stays cleared.
    await update(hass, erika["uid"], description=None, due_datetime=None)
    cleared = (await get_items(hass))[1]
    assert cleared["summary"] == erika["summary"]
    assert "description" not in cleared or not cleared["description"]
    assert "due" not in cleared

    await hass.services.async_call(
        "todo",
        "remove_item",
        {"entity_id": CALL_BACK, "item": [erika["uid"]]},
        blocking=True,
    )
    assert [i["summary"] for i in await get_items(hass)] == ["Supplier"]
    assert state(hass, MISSED).state == "1"


@pytest.mark.usefixtures("push_integration")
async def test_reset_completes_every_item(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """The reset button and the reset action complete all open items."""
    await two_callers_missed(hass, phone)
    assert state(hass, MISSED).attributes.get("last_reset") is None

    await hass.services.async_call(
        "button", "press", {"entity_id": RESET_MISSED}, blocking=True
    )
    assert await open_items(hass) == []
    assert len(await get_items(hass, "completed")) == 2
    missed = state(hass, MISSED)
    assert missed.state == "0"
    assert missed.attributes["last_reset"] is not None

    await missed_call(hass, phone, NUMBER, NAME)
    entity = er.async_get(hass).async_get(CALL_BACK)
    assert entity is not None
    await act(hass, "reset_missed_calls", entity.device_id)
    assert await open_items(hass) == []
    assert state(hass, MISSED).state == "0"


# -- kept across restarts, bounded ------------------------------------------------------


async def test_items_survive_a_restart(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    integration: MockConfigEntry,
    phone: SimulatedPhone,
) -> None:
    """Unloading writes the list; loading it again shows the same items."""
    await missed_call(hass, phone, NUMBER, NAME)
    await two_callers_missed(hass, phone)
    [_, erika] = await get_items(hass)
    await update(hass, erika["uid"], status="completed")
    before = await get_items(hass)

    assert await hass.config_entries.async_unload(integration.entry_id)
    await hass.async_block_till_done()
    stored = hass_storage[storage_key(STORAGE_KIND, integration.entry_id)]
    assert stored["version"] == STORAGE_VERSION
    # Open items first, then completed ones; numbers as the phone reported them.
    assert [item["number"] for item in stored["data"]["items"]] == [OTHER, NUMBER]
    assert stored["data"]["items"][1]["count"] == 2
    assert stored["data"]["items"][1]["completed_by"] == "user"

    assert await hass.config_entries.async_setup(integration.entry_id)
    await hass.async_block_till_done()
    assert await get_items(hass) == before
    assert state(hass, MISSED).state == "1"
    # And it goes on where it was.
    await missed_call(hass, phone, OTHER)
    assert (await get_items(hass))[0]["description"].split("\n\n")[1].startswith("2 ")
    assert state(hass, MISSED).state == "1"


async def test_the_list_is_bounded(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    push_integration: MockConfigEntry,
    phone: SimulatedPhone,
) -> None:
    """At most the newest 100 open and 100 completed items are kept."""
    assert await hass.config_entries.async_unload(push_integration.entry_id)
    now = dt_util.utcnow().timestamp()
    hass_storage[storage_key(STORAGE_KIND, push_integration.entry_id)] = {
        "version": STORAGE_VERSION,
        "minor_version": 1,
        "key": storage_key(STORAGE_KIND, push_integration.entry_id),
        "data": {
            "last_reset": None,
            "items": [
                {
                    "uid": f"open{n}",
                    "number": f"+49301000{n:03d}",
                    "times": [now - 3600 + n],
                    "count": 1,
                }
                for n in range(MAX_OPEN + 20)
            ]
            + [
                {
                    "uid": f"done{n}",
                    "number": f"+49302000{n:03d}",
                    "times": [now - 7200],
                    "count": 1,
                    "completed_at": now - 3600 + n,
                    "completed_by": "user",
                }
                for n in range(MAX_COMPLETED + 20)
            ]
            + [{"number": "no uid: damaged"}, "not an item"],
        },
    }
    assert await hass.config_entries.async_setup(push_integration.entry_id)
    await hass.async_block_till_done()
    assert "Skipped 2 damaged items of the stored call-back list" in caplog.text
    assert state(hass, MISSED).state == str(MAX_OPEN)
    completed = await get_items(hass, "completed")
    assert len(completed) == MAX_COMPLETED
    # The newest first; the oldest fell off.
    assert completed[0]["uid"] == f"done{MAX_COMPLETED + 19}"
    assert "done19" not in {item["uid"] for item in completed}

    await missed_call(hass, phone, NUMBER, NAME)
    items = await open_items(hass)
    assert len(items) == MAX_OPEN
    assert items[0]["summary"] == f"{NAME} ({NUMBER})"
    assert items[1]["uid"] == f"open{MAX_OPEN + 19}"
    assert "open20" not in {item["uid"] for item in items}

    # Completing pushes the oldest completed item out.
    await update(hass, items[1]["uid"], status="completed")
    completed = await get_items(hass, "completed")
    assert len(completed) == MAX_COMPLETED
    assert completed[0]["uid"] == items[1]["uid"]


async def test_times_kept_per_caller_are_bounded(
    hass: HomeAssistant, hass_storage: dict[str, Any], init_integration: MockConfigEntry
) -> None:
    """A caller trying again and again: the count goes on, the times are capped."""
    coordinator = init_integration.runtime_data
    for _ in range(MAX_TIMES + 2):
        coordinator.call_backs.handle(_missed_event(NUMBER))
    await hass.async_block_till_done()
    [item] = await get_items(hass)
    lines = item["description"].split("\n\n")
    assert lines[1].startswith(f"{MAX_TIMES + 2} missed calls")
    assert lines[2].startswith("Latest calls: ")  # no line: not from the phone
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    [stored] = hass_storage[storage_key(STORAGE_KIND, init_integration.entry_id)][
        "data"
    ]["items"]
    assert len(stored["times"]) == MAX_TIMES
    assert stored["count"] == MAX_TIMES + 2


def _missed_event(number: str) -> CallEvent:
    return CallEvent(
        type=CallEventType.MISSED,
        remote_number=number,
        direction="incoming",
        at=dt_util.utcnow().timestamp(),
    )


# -- the counter of earlier versions -------------------------------------------------------


@pytest.mark.parametrize(("old", "logged"), [(3, True), (0, False), ("x", False)])
async def test_old_counter_gives_way_to_the_list(
    hass: HomeAssistant,
    *,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    mock_config_entry: MockConfigEntry,
    phone: SimulatedPhone,
    old: object,
    logged: bool,
) -> None:
    """The old count cannot become items: the sensor starts from the list, once."""
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State(MISSED, str(old)),
                {"native_value": old, "native_unit_of_measurement": None},
            )
        ],
    )
    caplog.set_level(logging.INFO, logger="custom_components.grandstream")
    mock_config_entry.add_to_hass(hass)
    register_entities(hass, mock_config_entry, {MISSED: "missed_calls"})
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    missed = state(hass, MISSED)
    assert missed.state == "0"
    assert (missed.attributes.get("last_reset") is not None) is logged
    message = "missed calls counted before cannot become items"
    assert (message in caplog.text) is logged

    # Once: after a restart the list's storage exists and the count is its own.
    caplog.clear()
    assert await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert message not in caplog.text
    assert (
        storage_key(STORAGE_KIND, mock_config_entry.entry_id) in hass_storage
    ) is logged


# -- language, diagnostics ---------------------------------------------------------------


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("language", "one", "three", "place"),
    [
        ("de", "Verpasster Anruf um ", "3 verpasste Anrufe, zuletzt um ", "Leitung 1"),
        (
            "ru-RU",
            "Пропущенный вызов в ",
            "3 пропущенных вызова, последний в ",
            "Линия 1",
        ),
        ("fr", "Appel manqué le ", "3 appels manqués, le dernier le ", "Ligne 1"),
        ("pt", "Chamada perdida em ", "3 chamadas perdidas", "Linha 1"),
        ("ja", "Missed call at ", "3 missed calls, last ", "Line 1"),
    ],
)
async def test_descriptions_in_home_assistants_language(
    hass: HomeAssistant,
    *,
    phone: SimulatedPhone,
    language: str,
    one: str,
    three: str,
    place: str,
) -> None:
    """The generated text follows Home Assistant's language (the nearest one we
    ship: "pt" reads "pt-BR"; English for one we do not have)."""
    hass.config.language = language
    await missed_call(hass, phone, OTHER)
    await missed_call(hass, phone, NUMBER)
    for _ in range(2):
        await missed_call(hass, phone, NUMBER)
    items = await get_items(hass)
    assert items[1]["description"].split("\n\n")[1].startswith(one)
    assert items[0]["description"].split("\n\n")[1].startswith(three)
    assert items[0]["description"].split("\n\n")[2].startswith(place)


async def test_diagnostics_hide_callers(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    push_integration: MockConfigEntry,
    phone: SimulatedPhone,
) -> None:
    """The list's shape is in the diagnostics; numbers and names are not."""
    await missed_call(hass, phone, NUMBER, NAME)
    await missed_call(hass, phone, "+4940654321", "Grace Hopper")
    [_, erika] = await get_items(hass)
    await update(hass, erika["uid"], rename="Erika at the bakery", status="completed")

    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, push_integration
    )

    call_backs = diagnostics["coordinator"]["call_backs"]
    assert call_backs["open"] == 1
    assert call_backs["completed"] == 1
    assert [item["completed_by"] for item in call_backs["items"]] == [None, "user"]
    assert call_backs["items"][1]["own_summary"] == "**REDACTED**"
    dump = json.dumps(diagnostics)
    for secret in ("30123456", "40654321", "Erika", "Grace", "bakery", "Office"):
        assert secret not in dump


async def test_removing_the_phone_removes_its_list(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    push_integration: MockConfigEntry,
    phone: SimulatedPhone,
) -> None:
    """The stored list goes with the phone; an item gone meanwhile is no error."""
    await missed_call(hass, phone, NUMBER, NAME)
    entity = hass.data["todo"].get_entity(CALL_BACK)
    await entity.async_update_todo_item(TodoItem(uid="gone", summary="x"))
    assert len(await get_items(hass)) == 1

    key = storage_key(STORAGE_KIND, push_integration.entry_id)
    assert await hass.config_entries.async_unload(push_integration.entry_id)
    assert key in hass_storage
    await hass.config_entries.async_remove(push_integration.entry_id)
    await hass.async_block_till_done()
    assert key not in hass_storage


@pytest.mark.usefixtures("push_integration")
async def test_readme_script_calls_back_the_newest_caller(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """The README's script dials the number the newest item's description starts with."""
    entity = er.async_get(hass).async_get(CALL_BACK)
    assert entity is not None
    assert entity.device_id is not None
    [block] = [
        block
        for block in re.findall(r"```yaml\n(.*?)```", README.read_text("utf-8"), re.S)
        if "call_back_newest" in block
    ]
    block = block.replace("todo.desk_phone_call_back", CALL_BACK).replace(
        "0123456789abcdef0123456789abcdef", entity.device_id
    )
    assert await async_setup_component(hass, "script", yaml.safe_load(block))
    # Nobody to call back: nothing is dialled.
    await hass.services.async_call("script", "call_back_newest", blocking=True)
    assert phone.calls("api-make_call") == []

    await missed_call(hass, phone, OTHER)
    await missed_call(hass, phone, NUMBER, NAME)
    await hass.services.async_call("script", "call_back_newest", blocking=True)
    assert [r.params["phonenumber"] for r in phone.calls("api-make_call")] == [NUMBER]

    await settle(hass, phone)
    phone.remote_answer(1)
    await settle(hass, phone)
    assert [item["summary"] for item in await open_items(hass)] == [OTHER]
