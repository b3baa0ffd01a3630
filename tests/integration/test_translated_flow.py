"""The first form of the config flow as a German and a French user read it.

The frontend draws the form from the flow's schema and the integration's
translations in the user's language; this renders the same texts through
Home Assistant's translation API, so a snapshot shows a reviewer what a
non-English user sees (and that nothing falls back to English).
"""

from __future__ import annotations

from typing import Any

from homeassistant import config_entries
from homeassistant.core import HomeAssistant
from homeassistant.helpers.translation import async_get_translations
import pytest
from syrupy.assertion import SnapshotAssertion

from custom_components.grandstream.const import DOMAIN

PREFIX = f"component.{DOMAIN}."


async def first_form(hass: HomeAssistant, language: str) -> dict[str, Any]:
    """Title, description, each field's label and help, the connection choices."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    step = f"{PREFIX}config.step.{result['step_id']}."
    texts = {
        **await async_get_translations(hass, language, "config", [DOMAIN]),
        **await async_get_translations(hass, language, "selector", [DOMAIN]),
    }
    fields = [str(key) for key in result["data_schema"].schema]
    return {
        "title": texts[f"{step}title"],
        "description": texts[f"{step}description"],
        "fields": {
            field: {
                "label": texts[f"{step}data.{field}"],
                "help": texts[f"{step}data_description.{field}"],
            }
            for field in fields
        },
        "connection": {
            option: texts[f"{PREFIX}selector.connection.options.{option}"]
            for option in ("auto", "https", "http")
        },
    }


@pytest.mark.parametrize("language", ["de", "fr"])
async def test_first_form_in_another_language(
    hass: HomeAssistant, snapshot: SnapshotAssertion, language: str
) -> None:
    """Every text of the first form in ``language``, none of it English."""
    shown = await first_form(hass, language)
    english = await first_form(hass, "en")
    assert shown == snapshot
    assert shown["title"] != english["title"]
    assert shown["description"] != english["description"]
    for field, texts in shown["fields"].items():
        assert texts["help"] != english["fields"][field]["help"], field
