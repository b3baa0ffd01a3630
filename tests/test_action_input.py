"""The actions' input checks and the texts Home Assistant composes (no phone needed)."""

from __future__ import annotations

from homeassistant.exceptions import ServiceValidationError
import pytest

from custom_components.grandstream.compat import vol
from custom_components.grandstream.services import LINE_SCHEMA, ActionSchema
from custom_components.grandstream.texts import Phrases

PREFIX = "component.grandstream.common."
ENGLISH = {
    PREFIX + "duration_hours": "{hours} h",
    PREFIX + "duration_minutes": "{minutes} min",
    PREFIX + "duration_seconds": "{seconds} s",
    PREFIX + "events_incoming": "Incoming call",
}


@pytest.mark.parametrize(("line", "number"), [(2, 2), (2.0, 2), (" 3 ", 3), ("16", 16)])
def test_lines_as_people_write_them(line: object, number: int) -> None:
    """A line number may come as a whole number in any form."""
    assert LINE_SCHEMA({"device_id": "a", "line": line})["line"] == number


@pytest.mark.parametrize("data", [{"x": "a"}, "not a mapping"])
def test_other_schema_errors_are_ours(data: object) -> None:
    """Whatever the schema library says, the action says it in our words."""
    schema = ActionSchema({vol.Required("x"): vol.Coerce(int)})
    with pytest.raises(ServiceValidationError) as err:
        schema(data)
    assert err.value.translation_key == "invalid_field"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (45.4, "45 s"),
        (60, "1 min"),
        (192, "3 min 12 s"),
        (3600, "1 h"),
        (3720, "1 h 2 min"),
        (3725, "1 h 2 min"),
        (-3, "0 s"),
    ],
)
def test_durations(seconds: float, text: str) -> None:
    """Hours and minutes, or minutes and seconds: the two that matter."""
    assert Phrases({}, ENGLISH).duration(seconds) == text


def test_language_first_english_behind() -> None:
    """A text missing in the language comes in English; one missing everywhere is no key."""
    phrases = Phrases({PREFIX + "events_incoming": "Eingehender Anruf"}, ENGLISH)
    assert phrases.event("incoming") == "Eingehender Anruf"
    assert phrases.text("duration.seconds", seconds="5") == "5 s"
    assert phrases.text("nowhere", seconds="5") == "5"
    assert "nowhere" not in phrases.text("nowhere")
