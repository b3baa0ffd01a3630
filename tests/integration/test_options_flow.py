"""The options dialog shows the Action URLs to paste into the phone."""

from __future__ import annotations

from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.grandstream.push import EVENTS


async def test_options_show_urls(
    hass: HomeAssistant, push_integration: MockConfigEntry, ha_url: str
) -> None:
    """Every event's URL with the entry's webhook id, never a display name."""
    entry = push_integration
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    assert not result["errors"]
    urls = result["description_placeholders"]["urls"]
    assert entry.data[CONF_WEBHOOK_ID] in urls
    assert f"{ha_url}/api/webhook/{entry.data[CONF_WEBHOOK_ID]}?event=boot" in urls
    assert "$display" not in urls
    for event, p_value in EVENTS.items():
        assert f"**{event}** (P{p_value})" in urls

    # Closing the dialog changes nothing.
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {}


async def test_options_without_local_url(
    hass: HomeAssistant, push_integration: MockConfigEntry
) -> None:
    """Without a local URL the dialog says how to set one."""
    hass.config.internal_url = None
    hass.config.api = None
    result = await hass.config_entries.options.async_init(push_integration.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "no_local_url"}
    assert result["description_placeholders"]["urls"] == ""


async def test_options_before_first_load(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """An entry never loaded has no webhook yet: the dialog says so."""
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "no_webhook"}
