"""Our automation blueprints run in Home Assistant, and fakes of what they control.

A blueprint is loaded and validated as Home Assistant loads it, its inputs
substituted, and the result set up as an automation (as the existing
``notify_calls.yaml`` tests do). The media players, lights and switches it
acts on are fakes: services that record each call and change the entity's
state as a real device would, so a blueprint's later runs see the effect of
its earlier ones.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from homeassistant.components.blueprint.models import Blueprint, BlueprintInputs
from homeassistant.components.blueprint.schemas import BLUEPRINT_SCHEMA
from homeassistant.core import HomeAssistant, ServiceCall, State
from homeassistant.helpers import config_validation as cv
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util, slugify
from homeassistant.util.yaml import load_yaml_dict
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.grandstream.const import DOMAIN

BLUEPRINT_FOLDER = Path(__file__).parents[1] / "blueprints" / "automation" / DOMAIN

# What a fake service does to an entity: (call, old state) -> new state.
type StateChange = Callable[[ServiceCall, State | None], tuple[str, dict[str, Any]]]


def load_blueprint(path: Path) -> Blueprint:
    """Load and validate a blueprint file the way Home Assistant does."""
    return Blueprint(
        load_yaml_dict(str(path)),
        path=str(path),
        expected_domain="automation",
        schema=BLUEPRINT_SCHEMA,
    )


def substitute(path: Path, inputs: dict[str, Any]) -> dict[str, Any]:
    """The automation configuration the blueprint makes of ``inputs``."""
    blueprint_inputs = BlueprintInputs(
        load_blueprint(path),
        {"use_blueprint": {"path": f"{DOMAIN}/{path.name}", "input": inputs}},
    )
    blueprint_inputs.validate()
    return blueprint_inputs.async_substitute()


def notify_as_service(node: Any) -> Any:
    """The blueprint with its Companion app notifications sent to ``test.notify``.

    The mobile_app integration needs PyNaCl, which the test requirements do
    not have; its notify device action renders title, message and data as a
    service call's data is rendered, so the templates are tested as written.
    """
    if isinstance(node, dict):
        if node.get("domain") == "mobile_app" and node.get("type") == "notify":
            fields = {k: node[k] for k in ("title", "message", "data") if k in node}
            return {"action": "test.notify", "data": fields}
        return {key: notify_as_service(value) for key, value in node.items()}
    if isinstance(node, list):
        return [notify_as_service(value) for value in node]
    return node


async def set_up_automation(
    hass: HomeAssistant, alias: str, config: dict[str, Any]
) -> str:
    """Set ``config`` up as the automation ``alias``; its entity id.

    An automation whose configuration Home Assistant rejects still gets an
    entity, an unavailable one: it must be on.
    """
    automation = {"id": slugify(alias), "alias": alias, **config}
    assert await async_setup_component(hass, "automation", {"automation": [automation]})
    await hass.async_block_till_done()
    entity_id = f"automation.{slugify(alias)}"
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state == "on", state
    return entity_id


async def run_blueprint(
    hass: HomeAssistant, file_name: str, alias: str, inputs: dict[str, Any]
) -> str:
    """The blueprint ``file_name`` running as automation ``alias`` (with scenes)."""
    assert await async_setup_component(hass, "scene", {})
    await hass.async_block_till_done()
    return await set_up_automation(
        hass, alias, substitute(BLUEPRINT_FOLDER / file_name, inputs)
    )


async def automations_off(hass: HomeAssistant) -> None:
    """Turn every automation off: its triggers stop listening (and timing)."""
    await hass.services.async_call(
        "automation", "turn_off", {"entity_id": "all"}, blocking=True
    )
    await hass.async_block_till_done()


async def pass_time(hass: HomeAssistant, seconds: float) -> None:
    """Let ``seconds`` pass for Home Assistant's timers (no real waiting)."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))
    await hass.async_block_till_done()


class FakeDevices:
    """Services of one domain that record each call per entity and act on it."""

    def __init__(self, hass: HomeAssistant, domain: str) -> None:
        """No services yet; ``handle`` adds them."""
        self.hass = hass
        self.domain = domain
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    def handle(self, service: str, change: StateChange) -> None:
        """Register ``domain.service``: record it, then ``change`` each entity."""

        async def call(service_call: ServiceCall) -> None:
            data = {k: v for k, v in service_call.data.items() if k != "entity_id"}
            for entity_id in cv.ensure_list(service_call.data["entity_id"]):
                self.calls.append((service, entity_id, data))
                state, attributes = change(
                    service_call, self.hass.states.get(entity_id)
                )
                self.hass.states.async_set(entity_id, state, attributes)

        self.hass.services.async_register(self.domain, service, call)

    def called(self) -> list[tuple[str, str]]:
        """The calls so far as (service, entity id)."""
        return [(service, entity_id) for service, entity_id, _ in self.calls]

    def clear(self) -> None:
        """Forget the calls so far."""
        self.calls.clear()


def fake_media_players(hass: HomeAssistant, players: dict[str, str]) -> FakeDevices:
    """Media players in the given states that play and pause when told."""
    for entity_id, state in players.items():
        hass.states.async_set(entity_id, state)
    fake = FakeDevices(hass, "media_player")
    fake.handle("media_pause", lambda call, old: ("paused", {}))
    fake.handle("media_play", lambda call, old: ("playing", {}))
    return fake


LIGHT_MODES = {"supported_color_modes": ["color_temp", "rgb"]}


def light_state(call: ServiceCall, old: State | None) -> tuple[str, dict[str, Any]]:
    """What a colour light shows after ``light.turn_on``."""
    attributes = dict(old.attributes) if old is not None and old.state == "on" else {}
    data = call.data
    if "brightness_pct" in data:
        attributes["brightness"] = round(255 * data["brightness_pct"] / 100)
    elif "brightness" in data:
        attributes["brightness"] = data["brightness"]
    if "rgb_color" in data:
        attributes.pop("color_temp_kelvin", None)
        attributes.update(color_mode="rgb", rgb_color=tuple(data["rgb_color"]))
    elif "color_temp_kelvin" in data:
        attributes.pop("rgb_color", None)
        attributes.update(
            color_mode="color_temp", color_temp_kelvin=data["color_temp_kelvin"]
        )
    attributes.setdefault("brightness", 255)
    attributes.setdefault("color_mode", "color_temp")
    if attributes["color_mode"] == "color_temp":
        attributes.setdefault("color_temp_kelvin", 4000)
    return "on", {**attributes, **LIGHT_MODES}


def fake_lights(
    hass: HomeAssistant, lights: dict[str, dict[str, Any] | None]
) -> FakeDevices:
    """Colour lights, on with the given attributes or off (``None``)."""
    for entity_id, attributes in lights.items():
        if attributes is None:
            hass.states.async_set(entity_id, "off", LIGHT_MODES)
        else:
            hass.states.async_set(entity_id, "on", {**LIGHT_MODES, **attributes})
    fake = FakeDevices(hass, "light")
    fake.handle("turn_on", light_state)
    fake.handle("turn_off", lambda call, old: ("off", LIGHT_MODES))
    return fake
