"""Every blueprint we ship is valid, documented, and accepted as an automation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.util import slugify
import pytest

from custom_components.grandstream.const import DOMAIN

from .blueprint_harness import (
    BLUEPRINT_FOLDER,
    automations_off,
    load_blueprint,
    notify_as_service,
    set_up_automation,
    substitute,
)

BLUEPRINTS = sorted(BLUEPRINT_FOLDER.glob("*.yaml"))
# Entities of these domains that a blueprint asks for are the phone's own.
PHONE_ENTITY_DOMAINS = {"binary_sensor", "button", "event", "sensor", "switch", "todo"}


def test_the_folder_holds_our_blueprints() -> None:
    """The test below sees every blueprint (no other extension hides one)."""
    assert {path.name for path in BLUEPRINTS} >= {
        "busy_light.yaml",
        "night_mode.yaml",
        "notify_calls.yaml",
        "pause_media_during_calls.yaml",
    }
    assert {path.suffix for path in BLUEPRINT_FOLDER.iterdir()} == {".yaml"}


@pytest.mark.parametrize("path", BLUEPRINTS, ids=lambda path: path.stem)
def test_blueprint_is_valid_and_documented(path: Path) -> None:
    """Home Assistant's blueprint schema accepts it; every input is explained."""
    blueprint = load_blueprint(path)
    assert blueprint.domain == "automation"
    assert blueprint.validate() is None
    metadata = blueprint.metadata
    assert metadata["name"].startswith("Grandstream – ")
    assert len(metadata["description"]) > 80
    assert metadata["source_url"].endswith(
        f"/blueprints/automation/{DOMAIN}/{path.name}"
    )
    for name, spec in blueprint.inputs.items():
        assert spec.get("name"), name
        assert len(spec.get("description", "")) > 10, name
        assert spec.get("selector"), name


@pytest.mark.parametrize("path", BLUEPRINTS, ids=lambda path: path.stem)
def test_phone_selectors_offer_only_our_entities(path: Path) -> None:
    """Choosing the phone or one of its entities lists only this integration's.

    (Home Assistant's schema turns each selector's filter into a list of
    filters, and a filter's domain into a list.)
    """
    ours = []
    for name, spec in load_blueprint(path).inputs.items():
        selector = spec["selector"]
        if "device" in selector:
            integrations = {f.get("integration") for f in selector["device"]["filter"]}
            assert integrations <= {DOMAIN, "mobile_app"}, name
            ours += [name] if DOMAIN in integrations else []
        for entity_filter in selector.get("entity", {}).get("filter", []):
            if set(entity_filter.get("domain", [])) & PHONE_ENTITY_DOMAINS:
                assert entity_filter.get("integration") == DOMAIN, name
                ours.append(name)
    # Every blueprint works on a Grandstream phone.
    assert ours


def example_inputs(path: Path) -> dict[str, Any]:
    """A value for every input without a default, as its selector would give."""
    inputs: dict[str, Any] = {}
    for name, spec in load_blueprint(path).inputs.items():
        if "default" in spec:
            continue
        selector = spec["selector"]
        if "entity" in selector:
            domain = selector["entity"]["filter"][0]["domain"][0]
            value = f"{domain}.example_{name}"
            multiple = selector["entity"].get("multiple", False)
            inputs[name] = [value] if multiple else value
        elif "device" in selector:
            inputs[name] = f"{slugify(name)}0123456789abcdef"
        else:
            pytest.fail(f"no example for the input {name} of {path.name}")
    return inputs


@pytest.mark.parametrize("path", BLUEPRINTS, ids=lambda path: path.stem)
async def test_blueprint_sets_up_as_an_automation(
    hass: HomeAssistant, path: Path
) -> None:
    """With the inputs a user must give, the automation is accepted (not unavailable)."""
    config = notify_as_service(substitute(path, example_inputs(path)))
    await set_up_automation(hass, path.stem, config)
    await automations_off(hass)
