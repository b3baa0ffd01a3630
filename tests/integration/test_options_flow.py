"""The options dialog: set the phone up again, or show the Action URLs.

Setting up logs in to the phone's web interface once per submit with the
stored passcode, never on its own; the URLs are shown for pasting by hand.
Both run against the simulator over real HTTP.
"""

from __future__ import annotations

from typing import Any

from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.grandstream.action_urls import EVENTS, action_urls
from custom_components.grandstream.const import (
    CONF_FOREIGN_SLOTS,
    CONF_PHONE_SET_UP,
    CONF_WEB_USERNAME,
)
from simulator import SimulatedPhone

from ..helpers.entries import WEBHOOK_ID, phone_entry, set_up_entry_data
from ..helpers.flows import assert_aborted, shown_text
from ..helpers.phone import PHONE_MAC, fast_profile

# Every result's strings are checked; the stored passcode reaches no log line.
pytestmark = pytest.mark.usefixtures("flow_results_checked", "secrets_never_logged")


def add_entry(
    hass: HomeAssistant, phone: SimulatedPhone, **data: Any
) -> MockConfigEntry:
    """The simulated phone's entry, added but not loaded: no poll disturbs."""
    entry = phone_entry(
        phone, unique_id=PHONE_MAC, data={CONF_WEBHOOK_ID: WEBHOOK_ID, **data}
    )
    entry.add_to_hass(hass)
    return entry


async def open_step(hass: HomeAssistant, entry: MockConfigEntry, step: str) -> Any:
    """Open the options menu and pick ``step``."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "init"
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": step}
    )


async def submit(hass: HomeAssistant, result: Any, data: dict[str, Any]) -> Any:
    """Submit ``data`` to the options flow's current step."""
    return await hass.config_entries.options.async_configure(result["flow_id"], data)


async def test_menu(hass: HomeAssistant, phone: SimulatedPhone) -> None:
    """A menu of the two things to do, naming the phone; opening it sends nothing."""
    entry = add_entry(hass, phone)

    result = await hass.config_entries.options.async_init(entry.entry_id)

    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["set_up", "urls"]
    assert shown_text("options", result) == (
        "Configure the phone\n\n"
        f"**Front desk** ({phone.address}): what would you like to do?\n\n"
        "Set up the phone again\n\nShow the Action URLs"
    )
    assert phone.requests == []
    assert phone.web.requests == []


# -- set the phone up again -----------------------------------------------------------


@pytest.mark.parametrize("profile", [fast_profile(click_to_dial=False)])
async def test_set_up_again(
    hass: HomeAssistant, phone: SimulatedPhone, ha_url: str
) -> None:
    """One login: Action URLs written, Click-To-Dial on, the entry updated."""
    entry = add_entry(hass, phone)

    result = await open_step(hass, entry, "set_up")

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "set_up"
    assert result["description_placeholders"] == {
        "name": "Front desk",
        "host": phone.address,
    }
    assert shown_text("options", result).startswith("Set up Front desk again\n\n")
    assert phone.web.requests == []  # nothing before the user submits

    result = await submit(hass, result, {CONF_WEB_USERNAME: "admin"})

    assert_aborted(result, "set_up_complete")
    # The result's first line is its own title (older frontends show none
    # for the options dialog's aborts).
    assert shown_text("options", result) == (
        "**The phone is set up again**\n\n"
        f"Home Assistant set up Front desk again: all {len(EVENTS)} events are wired "
        "and Click-To-Dial is on. Calls show up the moment they happen."
    )
    assert phone.profile.action_urls == action_urls(ha_url, WEBHOOK_ID)
    assert phone.profile.click_to_dial is True
    assert len(phone.web.calls("dologin")) == 1
    assert phone.web.sessions == []  # logged out
    assert phone.requests == []  # no CTI request: the web login is enough
    assert entry.data == set_up_entry_data(
        phone.address, WEBHOOK_ID, ha_url, "GXP2170", "1.0.11.23"
    )


@pytest.mark.usefixtures("ha_url")
async def test_set_up_again_partial(hass: HomeAssistant, phone: SimulatedPhone) -> None:
    """A slot something else uses is left alone, and the result says which."""
    foreign = "http://192.0.2.99/notify?event=missed"
    phone.profile.action_urls = {"missed": foreign}
    entry = add_entry(hass, phone, **{CONF_WEB_USERNAME: "admin"})
    result = await open_step(hass, entry, "set_up")

    result = await submit(hass, result, {CONF_WEB_USERNAME: "admin"})

    assert_aborted(result, "set_up_partial")
    # Only the sections with something to say, events by their names.
    assert shown_text("options", result) == (
        "**The phone is set up in part**\n\n"
        f"Home Assistant set up Front desk again, in part: {len(EVENTS) - 1} of "
        f"{len(EVENTS)} events are wired.\n\n"
        "- Left alone, because something else uses their fields: Missed call. "
        "Repairs offers to take them over.\n"
        "- Click-To-Dial is on."
    )
    assert phone.profile.action_urls["missed"] == foreign
    assert entry.data[CONF_FOREIGN_SLOTS] == ["missed"]
    assert len(phone.web.calls("dologin")) == 1


@pytest.mark.usefixtures("ha_url")
@pytest.mark.parametrize(
    ("profile", "stored", "error", "attempts_left"),
    [
        # The stored passcode is admin's, not the "user" account's.
        (fast_profile(), "user", "wrong_password", ("4", "3")),
        # The admin account's web access is switched off.
        (
            fast_profile(web_denied_users=["admin"]),
            "admin",
            "account_not_allowed",
            None,
        ),
    ],
    ids=["wrong_password", "account_not_allowed"],
)
async def test_set_up_again_refused_then_fixed(
    hass: HomeAssistant,
    phone: SimulatedPhone,
    *,
    stored: str,
    error: str,
    attempts_left: tuple[str, str] | None,
) -> None:
    """A refused login: one login per submit, none on the flow's own."""
    entry = add_entry(hass, phone, **{CONF_WEB_USERNAME: stored})
    result = await open_step(hass, entry, "set_up")
    # The account used last time is preselected.
    fields = {str(key): key.description for key in result["data_schema"].schema}
    assert fields[CONF_WEB_USERNAME] == {"suggested_value": stored}

    for submits in (1, 2):
        result = await submit(hass, result, {CONF_WEB_USERNAME: stored})

        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == {"base": error}
        if attempts_left is not None:
            placeholders = result["description_placeholders"]
            assert placeholders["attempts_left"] == attempts_left[submits - 1]
        await hass.async_block_till_done()
        assert len(phone.web.calls("dologin")) == submits
    assert phone.profile.action_urls == {}
    assert CONF_PHONE_SET_UP not in entry.data

    phone.profile.web_denied_users = []
    result = await submit(hass, result, {CONF_WEB_USERNAME: "admin"})

    assert_aborted(result, "set_up_complete")
    assert len(phone.web.calls("dologin")) == 3
    assert entry.data[CONF_WEB_USERNAME] == "admin"


async def test_set_up_again_without_local_url(
    hass: HomeAssistant, phone: SimulatedPhone, ha_url: str
) -> None:
    """Home Assistant does not know its address: the phone is left alone."""
    entry = add_entry(hass, phone)
    api, hass.config.api = hass.config.api, None
    hass.config.internal_url = None
    result = await open_step(hass, entry, "set_up")

    result = await submit(hass, result, {CONF_WEB_USERNAME: "admin"})

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "no_local_url"}
    assert phone.web.requests == []

    hass.config.api = api
    hass.config.internal_url = ha_url
    result = await submit(hass, result, {CONF_WEB_USERNAME: "admin"})

    assert_aborted(result, "set_up_complete")


async def test_set_up_before_first_load(
    hass: HomeAssistant, phone: SimulatedPhone, ha_url: str
) -> None:
    """No webhook yet, so no URL to write: said, and nothing is sent."""
    entry = add_entry(hass, phone)
    data = dict(entry.data)
    del data[CONF_WEBHOOK_ID]
    hass.config_entries.async_update_entry(entry, data=data)

    result = await open_step(hass, entry, "set_up")

    assert result["errors"] == {"base": "no_webhook"}

    result = await submit(hass, result, {CONF_WEB_USERNAME: "admin"})

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "no_webhook"}
    assert phone.web.requests == []

    # The entry was loaded meanwhile, which made its webhook.
    hass.config_entries.async_update_entry(
        entry, data={**data, CONF_WEBHOOK_ID: WEBHOOK_ID}
    )
    result = await submit(hass, result, {CONF_WEB_USERNAME: "admin"})

    assert_aborted(result, "set_up_complete")
    assert phone.profile.action_urls == action_urls(ha_url, WEBHOOK_ID)


@pytest.mark.usefixtures("ha_url")
async def test_set_up_again_refuses_another_phone(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """Another phone answers at the entry's address: nothing is written to it."""
    entry = add_entry(hass, phone)
    hass.config_entries.async_update_entry(entry, unique_id="00:0b:82:aa:bb:cc")
    result = await open_step(hass, entry, "set_up")

    result = await submit(hass, result, {CONF_WEB_USERNAME: "admin"})

    assert_aborted(result, "wrong_device")
    assert shown_text("options", result) == (
        "**Nothing was changed**\n\nA different phone answers at the address of "
        "Front desk. Nothing was written to it; reconfigure the entry if the phone "
        "moved."
    )
    assert phone.profile.action_urls == {}


# -- the Action URLs for pasting by hand ----------------------------------------------


async def test_urls(hass: HomeAssistant, phone: SimulatedPhone, ha_url: str) -> None:
    """Every event's URL with the entry's webhook id, never a display name.

    Events are named as people read them, their field's P-number after.
    Nothing to submit, so nothing claims to be saved: the one choice is to
    let Home Assistant write them instead.
    """
    entry = add_entry(hass, phone)

    result = await open_step(hass, entry, "urls")

    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "urls"
    assert result["menu_options"] == ["set_up"]
    urls = result["description_placeholders"]["urls"]
    names = {"incoming": "Incoming call", "dnd_on": "Do Not Disturb on"}
    for event, url in action_urls(ha_url, WEBHOOK_ID).items():
        assert f" (P{EVENTS[event]}): `{url}`" in urls
        if event in names:
            assert f"- **{names[event]}** (P{EVENTS[event]}): `{url}`" in urls
    assert "**dnd_on**" not in urls
    assert "$display" not in urls
    text = shown_text("options", result)
    assert text.startswith(
        "Action URLs for the phone\n\nSo that calls show up at once, **Front desk** "
        "must call Home Assistant on each event."
    )
    assert text.endswith("Let Home Assistant write them into the phone instead")
    assert "saved" not in text
    assert entry.options == {}
    assert phone.web.requests == []

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "set_up"}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "set_up"


@pytest.mark.usefixtures("ha_url")
async def test_urls_without_local_url(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """Without a local URL the dialog says how to set one."""
    entry = add_entry(hass, phone)
    # Home Assistant's HTTP server runs (ha_url), but nobody told it its
    # address, and the address it listens on is a loopback one.
    hass.config.internal_url = None
    hass.config.api = None

    result = await open_step(hass, entry, "urls")

    assert_aborted(result, "no_local_url")
    assert shown_text("options", result).startswith(
        "**No Action URLs yet**\n\nHome Assistant does not know its own local "
        "address yet. Set it under Settings → System → Network"
    )


@pytest.mark.usefixtures("ha_url")
async def test_urls_before_first_load(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """An entry never loaded has no webhook yet: the dialog says so."""
    mock_config_entry.add_to_hass(hass)

    result = await open_step(hass, mock_config_entry, "urls")

    assert_aborted(result, "no_webhook")
    assert shown_text("options", result).startswith("**No Action URLs yet**\n\n")
