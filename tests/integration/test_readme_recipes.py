"""The README's voice sentences and recipes: the YAML a user copies works.

The sentences in the README are the files in config/custom_sentences (which
test_intent.py runs through the default agent); every recipe loads as an
automation; night mode, run at 22:00, switches Do Not Disturb on the phone.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
import re
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import yaml

from simulator import SimulatedPhone

from ..blueprint_harness import automations_off
from ..helpers.dnd import mutes
from ..helpers.waiting import AdvanceTime

REPOSITORY = Path(__file__).parents[2]
README = (REPOSITORY / "README.md").read_text(encoding="utf-8")


def yaml_blocks(section: str) -> list[Any]:
    """The YAML blocks of the README's ``## section``, parsed."""
    start = README.index(f"\n## {section}\n")
    end = README.find("\n## ", start + 1)
    text = README[start:end]
    return [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, re.S)]


@pytest.mark.parametrize("language", ["en", "de"])
def test_readme_sentences_are_the_shipped_ones(language: str) -> None:
    """What the README shows is what config/custom_sentences holds."""
    shipped = yaml.safe_load(
        (
            REPOSITORY / "config" / "custom_sentences" / language / "grandstream.yaml"
        ).read_text(encoding="utf-8")
    )
    [shown] = [b for b in yaml_blocks("Voice") if b.get("language") == language]
    assert shown == shipped


async def test_recipes_load(hass: HomeAssistant) -> None:
    """Every recipe written by hand is a valid automation."""
    automations = [
        automation
        for block in yaml_blocks("Recipes")
        for automation in block["automation"]
        if "use_blueprint" not in automation
    ]
    assert len(automations) == 4
    assert await async_setup_component(hass, "automation", {"automation": automations})
    await hass.async_block_till_done()
    states = hass.states.async_all("automation")
    assert len(states) == 4
    assert {state.state for state in states} == {"on"}
    await automations_off(hass)


def test_blueprint_examples_use_the_blueprints_inputs() -> None:
    """The README's blueprint examples name real blueprints and their real inputs."""
    examples = [
        automation["use_blueprint"]
        for block in yaml_blocks("Recipes")
        for automation in block["automation"]
        if "use_blueprint" in automation
    ]
    assert len(examples) == 3
    folder = REPOSITORY / "blueprints" / "automation"
    for example in examples:
        text = (folder / example["path"]).read_text(encoding="utf-8")
        # !input tags are Home Assistant's; the inputs section is plain YAML.
        blueprint = yaml.safe_load(re.sub(r"!input\s+", "", text))
        inputs = set(_inputs(blueprint["blueprint"]["input"]))
        assert set(example["input"]) <= inputs, example["path"]


def _inputs(section: dict[str, Any]) -> list[str]:
    """Input names, also inside input sections."""
    names = []
    for name, spec in section.items():
        if isinstance(spec, dict) and "input" in spec:
            names += _inputs(spec["input"])
        else:
            names.append(name)
    return names


@pytest.mark.freeze_time("2025-06-01T19:59:50+00:00", tick=True)
async def test_night_mode_recipe(
    hass: HomeAssistant,
    dnd_entry: MockConfigEntry,
    phone: SimulatedPhone,
    advance_time: AdvanceTime,
) -> None:
    """At 22:00 (Berlin) the recipe switches Do Not Disturb on, with one MUTE."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    [night_mode] = [
        automation
        for block in yaml_blocks("Recipes")
        for automation in block["automation"]
        if automation["alias"] == "Desk phone night mode"
    ]
    text = yaml.safe_dump(night_mode).replace("desk_phone", "front_desk")
    assert await async_setup_component(
        hass, "automation", {"automation": [yaml.safe_load(text)]}
    )
    await hass.async_block_till_done()
    assert not phone.dnd

    await advance_time(timedelta(seconds=15))
    assert phone.dnd is True
    assert mutes(phone) == 1
    assert hass.states.get("switch.front_desk_do_not_disturb").state == "on"
    await automations_off(hass)
