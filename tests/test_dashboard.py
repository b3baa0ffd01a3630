"""The demo dashboard (dashboards/grandstream.yaml) shows each thing once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from homeassistant.util.yaml import load_yaml_dict

from .helpers.nested import mappings

DASHBOARD = load_yaml_dict(
    Path(__file__).parents[1] / "dashboards" / "grandstream.yaml"
)


def _cards(dashboard: Any) -> list[dict[str, Any]]:
    """Every card, nested ones included."""
    return [node for node in mappings(dashboard) if "type" in node]


def test_caller_without_a_name_shows_the_number_once() -> None:
    """The last caller's state falls back to the number: never shown beside it."""
    tiles = [
        card
        for card in _cards(DASHBOARD)
        if card.get("type") == "tile"
        and card.get("entity") == "sensor.desk_phone_last_caller"
    ]
    assert tiles
    for tile in tiles:
        content = tile.get("state_content", ["state"])
        assert not {"state", "number"} <= set(content), tile


def test_recent_calls_is_the_call_list() -> None:
    """One line per call change: the call entity alone, whose changes are described."""
    (recent,) = [
        card
        for card in _cards(DASHBOARD)
        if card.get("type") == "logbook" and card.get("title") == "Recent calls"
    ]
    assert recent["entities"] == ["event.desk_phone_call"]
