"""Every language file passes the rules hassfest applies to translations.

hassfest itself cannot run here (it lives in Home Assistant core's repository,
not in the ``homeassistant`` package). Its translation rules are restated
below for the sections this integration uses, from core's
``script/hassfest/translations.py`` (``gen_strings_schema``,
``gen_data_entry_schema``, ``validate_translation_value``): which keys each
section may have, slug keys, and what a text may not contain (HTML, a
placeholder in single quotes or not an identifier, placeholders in entity
states, a combined reference, leading or trailing spaces, a URL).
hassfest checks ``strings.json`` and ``en.json``; we hold every language to
the same rules, since Home Assistant loads them the same way.
"""

from __future__ import annotations

import json
from pathlib import Path
import re
import string
from typing import Any

import homeassistant.helpers.config_validation as cv
import pytest
import voluptuous as vol
from voluptuous.humanize import humanize_error

INTEGRATION = Path(__file__).parents[1] / "custom_components" / "grandstream"
FILES = [
    INTEGRATION / "strings.json",
    *sorted((INTEGRATION / "translations").glob("*.json")),
]

_KEY = re.compile(r"^(?!.+[_-]{2})(?![_-])[a-z0-9-_]+(?<![_-])$")
_COMBINED_REFERENCE = re.compile(r"(.+\[%)|(%\].+)")
_QUOTED_PLACEHOLDER = re.compile(r"'{\w+}'")
_URL = re.compile(
    r"(((ftp|ftps|scp|http|https|mqtt|mqtts|socket|socks5):\/\/|www\.)"
    r"[a-z0-9]+([\-\.]{1}[a-z0-9]+)*\.[a-z]{2,5}(:[0-9]{1,5})?(\/.*)?)",
    re.IGNORECASE,
)


def _key(value: str) -> str:
    if not _KEY.match(value):
        raise vol.Invalid(f"invalid translation key {value!r}")
    return value


def _text(*, placeholders: bool = True) -> Any:
    def check(value: Any) -> str:
        text = cv.string_with_no_html(value)
        if _QUOTED_PLACEHOLDER.search(text):
            raise vol.Invalid("a placeholder inside single quotes")
        for _, field, _, _ in string.Formatter().parse(text):
            if field and not placeholders:
                raise vol.Invalid("placeholders are not allowed here")
            if field and not field.isidentifier():
                raise vol.Invalid(f"placeholder {field!r} is not an identifier")
        if _COMBINED_REFERENCE.search(text):
            raise vol.Invalid("a combined translation reference")
        if text != text.strip():
            raise vol.Invalid("leading or trailing spaces")
        if _URL.search(text):
            raise vol.Invalid("a URL (use a description placeholder)")
        return text

    return check


TEXT = _text()
STATE = _text(placeholders=False)


def _slug_keys(value_schema: Any, key: Any = _key) -> Any:
    return cv.schema_with_slug_keys(value_schema, slug_validator=key)


def _data_entry(*, config_flow: bool) -> Any:
    step = {
        vol.Optional("title"): TEXT,
        vol.Optional("description"): TEXT,
        vol.Optional("data"): {str: TEXT},
        vol.Optional("data_description"): {str: TEXT},
        vol.Optional("menu_options"): {str: TEXT},
        vol.Optional("menu_option_descriptions"): {str: TEXT},
        vol.Optional("submit"): TEXT,
        vol.Optional("sections"): {
            str: {
                vol.Optional("data"): {str: TEXT},
                vol.Optional("data_description"): {str: TEXT},
                vol.Optional("description"): TEXT,
                vol.Optional("name"): TEXT,
            }
        },
    }
    schema: dict[Any, Any] = {
        vol.Optional("flow_title"): TEXT,
        vol.Required("step"): {str: step},
        vol.Optional("error"): {str: TEXT},
        vol.Optional("abort"): {str: TEXT},
        vol.Optional("progress"): {str: TEXT},
        vol.Optional("create_entry"): {str: TEXT},
        vol.Optional("initiate_flow"): {vol.Required("user"): TEXT},
    }
    if not config_flow:
        schema[vol.Optional("title")] = TEXT

    def described_fields_exist(value: dict[str, Any]) -> dict[str, Any]:
        for step_id, info in value["step"].items():
            for field in info.get("data_description", {}):
                if field not in info.get("data", {}):
                    raise vol.Invalid(
                        f"{step_id}: data_description {field} not in data"
                    )
        return value

    return vol.All(vol.Schema(schema), described_fields_exist)


_FIELDS = _slug_keys(
    {
        vol.Required("name"): str,
        vol.Required("description"): TEXT,
        vol.Optional("example"): TEXT,
    }
)

SCHEMA = vol.Schema(
    {
        vol.Optional("title"): TEXT,
        vol.Optional("config"): _data_entry(config_flow=True),
        vol.Optional("options"): _data_entry(config_flow=False),
        vol.Optional("selector"): cv.schema_with_slug_keys(
            {
                vol.Optional("options"): _slug_keys(TEXT),
                vol.Optional("choices"): _slug_keys(TEXT),
                vol.Optional("unit_of_measurement"): _slug_keys(TEXT),
            },
            slug_validator=vol.Any("_", cv.slug),
        ),
        vol.Optional("device_automation"): {
            vol.Optional(section): {str: TEXT}
            for section in (
                "action_type",
                "condition_type",
                "trigger_type",
                "trigger_subtype",
                "extra_fields",
                "extra_fields_descriptions",
            )
        },
        vol.Optional("issues"): {
            str: vol.All(
                cv.has_at_least_one_key("description", "fix_flow"),
                vol.Schema(
                    {
                        vol.Required("title"): TEXT,
                        vol.Exclusive("description", "fixable"): TEXT,
                        vol.Exclusive("fix_flow", "fixable"): _data_entry(
                            config_flow=False
                        ),
                    }
                ),
            )
        },
        vol.Optional("entity"): cv.schema_with_slug_keys(
            _slug_keys(
                {
                    vol.Optional("name"): TEXT,
                    vol.Optional("state"): _slug_keys(STATE),
                    vol.Optional("state_attributes"): _slug_keys(
                        {
                            vol.Optional("name"): STATE,
                            vol.Optional("state"): _slug_keys(STATE),
                        }
                    ),
                    vol.Optional("unit_of_measurement"): STATE,
                }
            ),
            slug_validator=cv.slug,
        ),
        vol.Optional("exceptions"): cv.schema_with_slug_keys(
            {vol.Optional("message"): TEXT}, slug_validator=cv.slug
        ),
        vol.Optional("services"): _slug_keys(
            {
                vol.Required("name"): TEXT,
                vol.Required("description"): TEXT,
                vol.Optional("fields"): _FIELDS,
                vol.Optional("sections"): _slug_keys(
                    {vol.Required("name"): str, vol.Optional("description"): TEXT}
                ),
            }
        ),
        vol.Optional("common"): vol.Schema({cv.slug: TEXT}),
    }
)


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_file_passes_hassfests_rules(path: Path) -> None:
    """The whole file passes; the message names the offending key."""
    strings = json.loads(path.read_text(encoding="utf-8"))
    try:
        SCHEMA(strings)
    except vol.Invalid as err:
        pytest.fail(f"{path.name}: {humanize_error(strings, err)}")


@pytest.mark.parametrize(
    ("bad", "refusal"),
    [
        ({"common": {"x": "<b>bold</b>"}}, "should not contain HTML"),
        ({"common": {"x": "call '{caller}'"}}, "placeholder inside single quotes"),
        ({"common": {"x": "see https://example.org/help"}}, "a URL"),
        ({"common": {"x": "trailing "}}, "leading or trailing spaces"),
        ({"common": {"Bad-Key": "x"}}, "invalid slug Bad-Key"),
        # Voluptuous words these two differently from version to version.
        ({"unknown_section": {}}, "(extra keys not allowed|not a valid option)"),
        (
            {"entity": {"sensor": {"line": {"state": {"idle": "Idle {line}"}}}}},
            "placeholders are not allowed here",
        ),
        (
            {"issues": {"x": {"title": "T"}}},
            r"at least one of \W*description\W+fix_flow",
        ),
        ({"common": {"x": "Line {0}"}}, "placeholder '0' is not an identifier"),
        (
            {"common": {"x": "Call [%key:common::state::on%] now"}},
            "a combined translation reference",
        ),
        (
            {"config": {"step": {"user": {"data_description": {"host": "H"}}}}},
            "data_description host not in data",
        ),
    ],
)
def test_the_rules_bite(bad: dict[str, Any], refusal: str) -> None:
    """Each rule refuses what hassfest refuses, for its own reason."""
    with pytest.raises(vol.Invalid, match=refusal):  # refusal: a regular expression
        SCHEMA(bad)
