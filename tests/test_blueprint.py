"""The notify blueprint is a valid automation blueprint wired to our events."""

from __future__ import annotations

from pathlib import Path
import re
from typing import Any

from homeassistant.components.blueprint.models import Blueprint, BlueprintInputs
from homeassistant.components.blueprint.schemas import BLUEPRINT_SCHEMA
from homeassistant.util.yaml import load_yaml_dict
from homeassistant.util.yaml.objects import Input
import yaml

from custom_components.grandstream.call_events import CallEvent, CallEventType
from custom_components.grandstream.const import DOMAIN, EVENT_CALL

ROOT = Path(__file__).parents[1]
BLUEPRINT = ROOT / "blueprints" / "automation" / DOMAIN / "notify_calls.yaml"
SERVICES = yaml.safe_load(
    (ROOT / "custom_components" / DOMAIN / "services.yaml").read_text("utf-8")
)


def walk(node: Any) -> list[Any]:
    """Every dict and list in a YAML tree."""
    found = [node]
    if isinstance(node, dict):
        for value in node.values():
            found += walk(value)
    elif isinstance(node, list):
        for value in node:
            found += walk(value)
    return found


def load() -> Blueprint:
    """Load and validate the blueprint the way Home Assistant does."""
    return Blueprint(
        load_yaml_dict(str(BLUEPRINT)),
        path=str(BLUEPRINT),
        expected_domain="automation",
        schema=BLUEPRINT_SCHEMA,
    )


def test_valid_automation_blueprint() -> None:
    """Valid, for automations, with the inputs the description promises."""
    blueprint = load()
    assert blueprint.domain == "automation"
    assert set(blueprint.inputs) == {"desk_phone", "notify_device", "answer_timeout"}
    assert blueprint.inputs["desk_phone"]["selector"]["device"]["filter"] == [
        {"integration": DOMAIN}
    ]
    assert blueprint.validate() is None


def call_triggers(config: dict[str, Any]) -> list[dict[str, Any]]:
    """The triggers on our bus event."""
    return [t for t in config["triggers"] if t["event_type"] == EVENT_CALL]


def test_triggers_on_incoming_and_missed() -> None:
    """It listens to our bus event, for the phone chosen, incoming and missed."""
    triggers = call_triggers(load().data)
    assert [t["event_data"]["type"] for t in triggers] == ["incoming", "missed"]
    assert {t["event_data"]["type"] for t in triggers} <= {
        e.value for e in CallEventType
    }


def test_reads_only_data_our_events_carry() -> None:
    """Every ``trigger.event.data`` field of a call event it reads exists."""
    text = BLUEPRINT.read_text("utf-8")
    read = set(re.findall(r"trigger\.event\.data\.(\w+)", text))
    carried = {"device_id", "type", *CallEvent(type=CallEventType.MISSED).as_dict()}
    # "action" is the Companion app's notification event, not ours.
    assert read - {"action"}
    assert read - {"action"} <= carried


def test_answers_and_rejects_on_the_desk_phone() -> None:
    """The notification's buttons call grandstream.answer and grandstream.reject."""
    nodes = walk(load_yaml_dict(str(BLUEPRINT)))
    actions = {
        node["action"]
        for node in nodes
        if isinstance(node, dict) and str(node.get("action", "")).startswith(DOMAIN)
    }
    assert {"grandstream.answer", "grandstream.reject"} <= actions
    assert {action.removeprefix(f"{DOMAIN}.") for action in actions} <= set(SERVICES)


def test_inputs_substitute() -> None:
    """With inputs given, nothing of the blueprint is left unresolved."""
    blueprint = load()
    inputs = BlueprintInputs(
        blueprint,
        {
            "use_blueprint": {
                "path": "grandstream/notify_calls.yaml",
                "input": {"desk_phone": "desk123", "notify_device": "mobile456"},
            }
        },
    )
    inputs.validate()
    config = inputs.async_substitute()
    assert config["variables"]["desk_phone"] == "desk123"
    assert {t["event_data"]["device_id"] for t in call_triggers(config)} == {"desk123"}
    assert not any(isinstance(node, Input) for node in walk(config))
    timeouts = [
        n["timeout"] for n in walk(config) if isinstance(n, dict) and "timeout" in n
    ]
    assert timeouts == [{"seconds": 45}]
