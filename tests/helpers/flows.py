"""Checks every config and options flow result against the integration's strings.

A step, error, abort reason or result description without a string shows the
user a raw key; a placeholder the text uses but the flow does not fill shows
``{attempts_left}`` literally. Both are caught here for every result a test
sees, not only the ones it asserts on.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import json
from pathlib import Path
import re
from typing import Any

from homeassistant.const import CONF_HOST, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.grandstream.action_urls import EVENTS
from custom_components.grandstream.const import CONF_CONNECTION, CONF_PASSCODE, DOMAIN

from .phone import PASSCODE

INTEGRATION = Path(__file__).parents[2] / "custom_components" / DOMAIN
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


# The source strings and the English translation built from them.
STRINGS: list[Any] = [
    _load(INTEGRATION / "strings.json"),
    _load(INTEGRATION / "translations" / "en.json"),
]


def _assert_filled(texts: list[str], result: Any) -> None:
    needed = {name for text in texts for name in _PLACEHOLDER.findall(text)}
    given = set(result.get("description_placeholders") or {})
    assert needed <= given, f"placeholders not filled: {sorted(needed - given)}"


def assert_translated(section: str, result: Any) -> None:
    """Every key ``result`` shows has a string, with its placeholders filled."""
    for strings in STRINGS:
        flow = strings[section]
        kind = result["type"]
        if kind is FlowResultType.FORM:
            step = flow["step"][result["step_id"]]
            texts = [step.get("description", "")]
            for key in (result["errors"] or {}).values():
                assert key in flow["error"], key
                texts.append(flow["error"][key])
            _assert_filled(texts, result)
        elif kind is FlowResultType.MENU:
            step = flow["step"][result["step_id"]]
            assert set(result["menu_options"]) <= set(step["menu_options"])
            _assert_filled([step.get("description", "")], result)
        elif kind is FlowResultType.ABORT:
            assert result["reason"] in flow["abort"], result["reason"]
            _assert_filled([flow["abort"][result["reason"]]], result)
        elif kind is FlowResultType.CREATE_ENTRY and section == "config":
            description = result.get("description")
            assert description in flow["create_entry"], description
            _assert_filled([flow["create_entry"][description]], result)


def check_every_result(hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run :func:`assert_translated` on what the flow managers hand out."""

    def checked(
        section: str, method: Callable[..., Awaitable[Any]]
    ) -> Callable[..., Awaitable[Any]]:
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            result = await method(*args, **kwargs)
            assert_translated(section, result)
            return result

        return wrapper

    for section, manager in (
        ("config", hass.config_entries.flow),
        ("options", hass.config_entries.options),
    ):
        for name in ("async_init", "async_configure"):
            monkeypatch.setattr(manager, name, checked(section, getattr(manager, name)))


def assert_not_logged(caplog: pytest.LogCaptureFixture, secrets: list[str]) -> None:
    """None of ``secrets`` is in a log line or traceback of the test."""
    logged = "\n".join(
        f"{record.getMessage()} {record.exc_text or ''}"
        for when in ("setup", "call")
        for record in caplog.get_records(when)
    )
    # Only a prefix is printed: the assertion must not leak what it looks for.
    leaked = sorted(secret[:3] + "…" for secret in secrets if secret in logged)
    assert not leaked, f"secrets in the log: {leaked}"


def error_text(section: str, key: str) -> list[str]:
    """The English text of error ``key`` in ``section``, from both files."""
    return [strings[section]["error"][key] for strings in STRINGS]


def shown_text(section: str, result: Any, strings: Any = None) -> str:
    """The English text a flow result shows, placeholders filled as the frontend does.

    ``section`` is ``config``, ``options`` or ``issues.<issue>.fix_flow``.
    Title and description of a form or menu (and its options), an abort's
    text, a created entry's description.
    """
    flow: Any = strings or STRINGS[0]
    for part in section.split("."):
        flow = flow[part]
    kind = result["type"]
    texts: list[str] = []
    if kind in (FlowResultType.FORM, FlowResultType.MENU):
        step = flow["step"][result["step_id"]]
        texts += [step.get("title", ""), step.get("description", "")]
        texts += [flow["error"][key] for key in (result.get("errors") or {}).values()]
        if kind is FlowResultType.MENU:
            texts += [step["menu_options"][option] for option in result["menu_options"]]
    elif kind is FlowResultType.ABORT:
        texts.append(flow["abort"][result["reason"]])
    elif kind is FlowResultType.CREATE_ENTRY and "create_entry" in flow:
        texts.append(flow["create_entry"][result["description"]])
    placeholders = result.get("description_placeholders") or {}
    text = "\n\n".join(t for t in texts if t)
    return _PLACEHOLDER.sub(lambda match: placeholders[match.group(1)], text)


def assert_set_up_beside(result: Any, left_alone: str) -> None:
    """The set-up result: one event's slot left alone (``left_alone`` names it)."""
    assert result["description"] == "set_up_partial"
    # Sections with nothing to say do not appear; events by their names.
    assert shown_text("config", result) == (
        f"Home Assistant set up the phone in part: {len(EVENTS) - 1} of "
        f"{len(EVENTS)} events are wired.\n\n"
        f"- Left alone, because something else uses their fields: {left_alone}. "
        "Repairs offers to take them over.\n"
        "- Click-To-Dial is on."
    )


def assert_aborted(result: Any, reason: str) -> None:
    """The flow ended with ``reason`` (the result is not printed: it may hold data)."""
    assert result["type"] is FlowResultType.ABORT, result.get("errors")
    assert result["reason"] == reason


def user_input(
    host: str,
    passcode: str = PASSCODE,
    connection: str = "auto",
    verify_ssl: bool = False,
) -> dict[str, Any]:
    """What a user types into the config flow's user step."""
    return {
        CONF_HOST: host,
        CONF_PASSCODE: passcode,
        CONF_CONNECTION: connection,
        CONF_VERIFY_SSL: verify_ssl,
    }
