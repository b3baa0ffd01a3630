"""Translations: strings.json covers the code, and every language matches it.

Static checks only (JSON, YAML and the integration's source read with ``ast``),
so that a key missing for one error path fails here, not in front of a user.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
import json
from pathlib import Path
import re
import string
from typing import Any
import warnings

from homeassistant.util.yaml import load_yaml_dict
import pytest

from custom_components.grandstream import PLATFORMS, const
from custom_components.grandstream.call_events import CallEventType
from custom_components.grandstream.device_trigger import TRIGGERS
from custom_components.grandstream.errors import (
    COMMAND_UNANSWERED,
    ERROR_KEYS,
    error_placeholders,
)
from custom_components.grandstream.push_health import PushHealth
from custom_components.grandstream.sensor import LINE_STATES, PHONE_STATES

INTEGRATION = Path(__file__).parent.parent / "custom_components" / "grandstream"
# Every language we ship (Home Assistant's codes), besides English.
SHIPPED = frozenset(
    {
        "cs",
        "da",
        "de",
        "es",
        "fr",
        "it",
        "nb",
        "nl",
        "pl",
        "pt-BR",
        "ru",
        "sv",
        "uk",
        "zh-Hans",
    }
)
LANGUAGES = tuple(
    sorted(
        path.stem
        for path in (INTEGRATION / "translations").glob("*.json")
        if path.stem != "en"
    )
)
# Texts that read the same in every language (names, protocols, placeholders).
SAME_EVERYWHERE = frozenset({"HTTP", "HTTPS", "admin", "user", "{host}"})
ENTITY_PLATFORMS = tuple(platform.value for platform in PLATFORMS)
# Binary sensors and switches translate and draw icons for these states only.
BINARY_STATES = {"on", "off"}
BINARY_PLATFORMS = {"binary_sensor", "switch"}


def _load_json(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    return data


STRINGS = _load_json(INTEGRATION / "strings.json")
ICONS = _load_json(INTEGRATION / "icons.json")


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """``{"a": {"b": "text"}}`` → ``{"a.b": "text"}``; leaves must be strings."""
    flat: dict[str, str] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{path}."))
        else:
            assert isinstance(value, str), f"{path} is not a string"
            flat[path] = value
    return flat


def _placeholders(text: str) -> set[str]:
    """The ``{name}`` placeholders of a string (ValueError on broken braces)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _get(data: dict[str, Any], path: str) -> Any:
    """The value at a dotted path, or None."""
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _section(path: str) -> dict[str, Any]:
    node = _get(STRINGS, path)
    return node if isinstance(node, dict) else {}


# --- what the source uses ----------------------------------------------------


@dataclass(frozen=True)
class Use:
    """A translation key used in the source, and the placeholders it is given."""

    key: str
    where: str
    # None when the placeholders are built at runtime and cannot be read.
    placeholders: frozenset[str] | None = frozenset()


@dataclass
class SourceScan:
    """Translation keys the integration's modules use, by section."""

    entities: dict[str, list[Use]]  # platform → uses
    device_classes: dict[tuple[str, str], bool]  # (platform, key) → has one
    exceptions: list[Use]
    issues: list[Use]
    config_errors: set[str]
    config_aborts: set[str]
    options_aborts: set[str]
    steps: dict[str, list[Use]]  # "config" / "options" → step ids used


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(INTEGRATION.glob("*.py")):
        yield path.stem, ast.parse(path.read_text(encoding="utf-8"), str(path))


def _call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


def _argument(call: ast.Call, index: int, name: str) -> ast.expr | None:
    """The call's argument at ``index``, or else its keyword argument ``name``."""
    return call.args[index] if len(call.args) > index else _keyword(call, name)


def _text(node: ast.AST | None) -> str | None:
    """The value of a string literal, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _dict_keys(node: ast.expr | None) -> frozenset[str] | None:
    """Keys of a literal dict (empty when absent, None when not a literal)."""
    if node is None or (isinstance(node, ast.Constant) and node.value is None):
        return frozenset()
    if isinstance(node, ast.Dict):
        keys = [_text(k) for k in node.keys]
        if all(k is not None for k in keys):
            return frozenset(k for k in keys if k is not None)
    return None


def _constants(modules: list[tuple[str, ast.Module]]) -> dict[str, str]:
    """Module-level ``NAME = "text"`` constants of the whole package."""
    found: dict[str, str] = {}
    for _, module in modules:
        for node in module.body:
            target: ast.expr | None = None
            value: ast.expr | None = None
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            elif isinstance(node, ast.AnnAssign):
                target, value = node.target, node.value
            if (
                isinstance(target, ast.Name)
                and isinstance(value, ast.Constant)
                and isinstance(value.value, str)
            ):
                found[target.id] = value.value
    return found


def _parents(module: ast.Module) -> dict[ast.AST, ast.AST]:
    return {
        child: parent
        for parent in ast.walk(module)
        for child in ast.iter_child_nodes(parent)
    }


def _enclosing(
    node: ast.AST, parents: dict[ast.AST, ast.AST], kind: type[ast.AST]
) -> ast.AST | None:
    while node in parents:
        node = parents[node]
        if isinstance(node, kind):
            return node
    return None


@dataclass(frozen=True)
class _Forwarder:
    """A helper whose parameter becomes ``translation_key``."""

    param: str
    index: int  # position among the arguments callers pass
    placeholders_from_kwargs: bool  # ``**placeholders`` become the placeholders
    has_placeholders: bool


@dataclass(frozen=True)
class _IssueHelper:
    """A helper whose parameter becomes an issue's ``translation_key``.

    Its placeholders are the literal keys of its own dict plus those of the
    dict callers pass as ``extra`` (``{"name": ..., **(extra or {})}``).
    """

    param: str
    index: int
    placeholders: frozenset[str]
    extra: str | None


def _issue_helper(
    function: ast.FunctionDef, key_node: ast.Name, placeholders_node: ast.expr | None
) -> _IssueHelper | None:
    """The issue helper ``function`` is, if its parameter names the issue."""
    args = [a.arg for a in function.args.args]
    if key_node.id not in args:
        return None
    own: set[str] = set()
    extra: str | None = None
    if isinstance(placeholders_node, ast.Dict):
        for key, value in zip(
            placeholders_node.keys, placeholders_node.values, strict=True
        ):
            if key is not None:
                text = _text(key)
                assert text is not None, "placeholder name not a literal"
                own.add(text)
                continue
            # ``**name`` or ``**(name or {})``
            inner = value.values[0] if isinstance(value, ast.BoolOp) else value
            assert isinstance(inner, ast.Name), "placeholders not readable"
            extra = inner.id
    return _IssueHelper(key_node.id, args.index(key_node.id), frozenset(own), extra)


def _scan() -> SourceScan:
    modules = list(_modules())
    constants = _constants(modules)
    scan = SourceScan(
        entities={platform: [] for platform in ENTITY_PLATFORMS},
        device_classes={},
        exceptions=[],
        issues=[],
        config_errors=set(),
        config_aborts=set(),
        options_aborts=set(),
        steps={"config": [], "options": []},
    )

    def resolve(node: ast.expr | None) -> str | None:
        if (text := _text(node)) is not None:
            return text
        if isinstance(node, ast.Name):
            return constants.get(node.id)
        return None

    forwarders: dict[str, _Forwarder] = {}
    issue_helpers: dict[str, _IssueHelper] = {}
    # Classes whose __init__ sets ``self._attr_translation_key`` from a parameter.
    key_classes: dict[str, int] = {}

    for stem, module in modules:
        parents = _parents(module)
        for node in ast.walk(module):
            if (
                isinstance(node, ast.Call)
                and (key_node := _keyword(node, "translation_key")) is not None
            ):
                name = _call_name(node)
                where = f"{stem}.py:{node.lineno}"
                placeholders = _dict_keys(_keyword(node, "translation_placeholders"))
                key = resolve(key_node)
                if name.endswith("Description"):
                    assert stem in ENTITY_PLATFORMS, where
                    assert key is not None, f"{where}: entity key not a constant"
                    scan.entities[stem].append(Use(key, where, placeholders))
                    scan.device_classes[stem, key] = (
                        _keyword(node, "device_class") is not None
                    )
                elif name == "async_create_issue":
                    function = _enclosing(node, parents, ast.FunctionDef)
                    if (
                        isinstance(key_node, ast.Name)
                        and isinstance(function, ast.FunctionDef)
                        and (
                            helper := _issue_helper(
                                function,
                                key_node,
                                _keyword(node, "translation_placeholders"),
                            )
                        )
                    ):
                        issue_helpers[function.name] = helper
                        continue
                    # ``A if cond else B`` names two issue keys.
                    branches = (
                        [key_node.body, key_node.orelse]
                        if isinstance(key_node, ast.IfExp)
                        else [key_node]
                    )
                    for branch in branches:
                        key = resolve(branch)
                        assert key is not None, f"{where}: issue key not a constant"
                        scan.issues.append(Use(key, where, placeholders))
                elif _keyword(node, "translation_domain") is not None:
                    if key is not None:
                        scan.exceptions.append(Use(key, where, placeholders))
                    elif isinstance(key_node, ast.Name):
                        function = _enclosing(node, parents, ast.FunctionDef)
                        if isinstance(function, ast.FunctionDef):
                            args = [
                                a.arg
                                for a in (
                                    *function.args.posonlyargs,
                                    *function.args.args,
                                )
                            ]
                            if key_node.id in args:
                                kwargs = function.args.kwarg
                                ph_node = _keyword(node, "translation_placeholders")
                                forwarders[function.name] = _Forwarder(
                                    param=key_node.id,
                                    index=args.index(key_node.id),
                                    placeholders_from_kwargs=kwargs is not None
                                    and ph_node is not None,
                                    has_placeholders=ph_node is not None,
                                )
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if (
                        isinstance(target, ast.Attribute | ast.Name)
                        and (
                            target.attr
                            if isinstance(target, ast.Attribute)
                            else target.id
                        )
                        == "_attr_translation_key"
                    ):
                        cls = _enclosing(node, parents, ast.ClassDef)
                        assert isinstance(cls, ast.ClassDef), stem
                        where = f"{stem}.py:{node.lineno}"
                        if (key := resolve(node.value)) is not None:
                            scan.entities[stem].append(Use(key, where, None))
                            scan.device_classes[stem, key] = _class_has_device_class(
                                cls
                            )
                        elif isinstance(node.value, ast.Name):
                            function = _enclosing(node, parents, ast.FunctionDef)
                            assert isinstance(function, ast.FunctionDef), where
                            args = [a.arg for a in function.args.args]
                            # minus ``self``: the position callers pass it at
                            key_classes[cls.name] = args.index(node.value.id) - 1
        if stem == "config_flow":
            _scan_config_flow(module, scan)

    # Second pass: calls of forwarders, and subclasses of key-forwarding classes.
    for stem, module in modules:
        for node in ast.walk(module):
            if isinstance(node, ast.Call):
                where = f"{stem}.py:{node.lineno}"
                name = _call_name(node)
                if (forwarder := forwarders.get(name)) is not None:
                    key = resolve(_argument(node, forwarder.index, forwarder.param))
                    assert key is not None, f"{where}: key not a constant"
                    given: frozenset[str] | None = frozenset()
                    if forwarder.placeholders_from_kwargs:
                        given = frozenset(
                            kw.arg for kw in node.keywords if kw.arg is not None
                        )
                    elif forwarder.has_placeholders:
                        given = None
                    scan.exceptions.append(Use(key, where, given))
                if (helper := issue_helpers.get(name)) is not None:
                    key = resolve(_argument(node, helper.index, helper.param))
                    assert key is not None, f"{where}: issue key not a constant"
                    extra = (
                        _dict_keys(_keyword(node, helper.extra))
                        if helper.extra
                        else frozenset()
                    )
                    scan.issues.append(
                        Use(
                            key,
                            where,
                            None if extra is None else helper.placeholders | extra,
                        )
                    )
                if (refused := resolve(_keyword(node, "refused_key"))) is not None:
                    # Raised with the error's placeholders (only ``error``).
                    scan.exceptions.append(Use(refused, where, frozenset({"error"})))
            elif isinstance(node, ast.ClassDef) and stem in ENTITY_PLATFORMS:
                bases = {b.id for b in node.bases if isinstance(b, ast.Name)}
                for base in bases & key_classes.keys():
                    index = key_classes[base]
                    for call in ast.walk(node):
                        if (
                            isinstance(call, ast.Call)
                            and isinstance(call.func, ast.Attribute)
                            and call.func.attr == "__init__"
                            and len(call.args) > index
                            and (key := resolve(call.args[index])) is not None
                        ):
                            scan.entities[stem].append(
                                Use(key, f"{stem}.py:{call.lineno}", None)
                            )
                            scan.device_classes[stem, key] = _class_has_device_class(
                                node
                            )

    # Errors mapped from the client's exceptions, with the placeholders each
    # kind of error brings (wrong password: attempts left, locked: lock time).
    scan.exceptions.extend(
        Use(key, f"errors.ERROR_KEYS[{kind.__name__}]", _error_placeholders(kind))
        for kind, key in ERROR_KEYS
    )
    # A command the phone closed the connection on (errors.command_error).
    scan.exceptions.append(
        Use(COMMAND_UNANSWERED, "errors.command_error", frozenset({"error"}))
    )
    return scan


def _error_placeholders(kind: type[Exception]) -> frozenset[str]:
    """The placeholders ``errors`` gives a client error of ``kind``."""
    return frozenset(error_placeholders(kind("message")))


def _class_has_device_class(cls: ast.ClassDef) -> bool:
    return any(
        isinstance(node, ast.Assign)
        and any(
            isinstance(t, ast.Name | ast.Attribute)
            and (t.id if isinstance(t, ast.Name) else t.attr) == "_attr_device_class"
            for t in node.targets
        )
        for node in ast.walk(cls)
    )


def _returns_str(function: ast.AsyncFunctionDef | ast.FunctionDef) -> bool:
    """Whether ``function`` returns something ``| str``: a form error key."""
    returns = function.returns
    return (
        isinstance(returns, ast.BinOp)
        and isinstance(returns.op, ast.BitOr)
        and any(
            isinstance(side, ast.Name) and side.id == "str"
            for side in (returns.left, returns.right)
        )
    )


def _scan_config_flow(module: ast.Module, scan: SourceScan) -> None:
    parents = _parents(module)
    called = {_call_name(n) for n in ast.walk(module) if isinstance(n, ast.Call)}
    for node in ast.walk(module):
        # {"base": "cannot_connect"}
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if _text(key) == "base" and (error := _text(value)) is not None:
                    scan.config_errors.add(error)
        # errors[CONF_HOST] = "invalid_host"
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Subscript)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == "errors"
                    and (error := _text(node.value)) is not None
                ):
                    scan.config_errors.add(error)
        # async def _async_reach(...) -> tuple[str, bool] | str: return "invalid_host"
        elif isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef) and _returns_str(
            node
        ):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Return) and (
                    (error := _text(inner.value)) is not None
                ):
                    scan.config_errors.add(error)
        elif isinstance(node, ast.Call):
            cls = _enclosing(node, parents, ast.ClassDef)
            bases = (
                {b.id for b in cls.bases if isinstance(b, ast.Name)}
                if isinstance(cls, ast.ClassDef)
                else set()
            )
            aborts = (
                scan.options_aborts if "OptionsFlow" in bases else scan.config_aborts
            )
            # reason="..." of an abort, error="..." of _abort_if_unique_id_configured;
            # ``A if cond else B`` names two.
            for keyword in ("reason", "error"):
                value = _keyword(node, keyword)
                branches = (
                    [value.body, value.orelse]
                    if isinstance(value, ast.IfExp)
                    else [value]
                )
                for branch in branches:
                    if (reason := _text(branch)) is not None:
                        aborts.add(reason)
            if (
                _call_name(node) in ("async_show_form", "async_show_menu")
                and (step := _text(_keyword(node, "step_id"))) is not None
            ):
                cls = _enclosing(node, parents, ast.ClassDef)
                assert isinstance(cls, ast.ClassDef)
                bases = {b.id for b in cls.bases if isinstance(b, ast.Name)}
                flow = "options" if "OptionsFlow" in bases else "config"
                scan.steps[flow].append(
                    Use(
                        step,
                        f"config_flow.py:{node.lineno}",
                        _dict_keys(_keyword(node, "description_placeholders")),
                    )
                )
    # Reasons Home Assistant's flow helpers abort with.
    if called & {"_abort_if_unique_id_configured", "_async_abort_entries_match"}:
        scan.config_aborts.add("already_configured")
    if "async_set_unique_id" in called:
        scan.config_aborts.add("already_in_progress")
    if "async_update_reload_and_abort" in called:
        if "_get_reauth_entry" in called:
            scan.config_aborts.add("reauth_successful")
        if "_get_reconfigure_entry" in called:
            scan.config_aborts.add("reconfigure_successful")


SCAN = _scan()


def _check_placeholders(use: Use, text: str, path: str) -> None:
    if use.placeholders is not None:
        missing = _placeholders(text) - use.placeholders
        assert not missing, f"{use.where}: {path} needs placeholders {missing}"


# --- the tests -----------------------------------------------------------------


def test_en_is_a_copy_of_strings() -> None:
    """translations/en.json is what strings.json says (the release ships en.json)."""
    assert _load_json(INTEGRATION / "translations" / "en.json") == STRINGS


def test_strings_are_well_formed() -> None:
    """Every leaf is a non-empty string with balanced placeholders."""
    for path, text in _flatten(STRINGS).items():
        assert text.strip(), f"{path} is empty"
        _placeholders(text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_language_matches_english(language: str) -> None:
    """Same keys as English, the same placeholders, and Markdown left intact."""
    english = _flatten(STRINGS)
    translated = _flatten(_load_json(INTEGRATION / "translations" / f"{language}.json"))
    missing = sorted(english.keys() - translated.keys())
    assert not missing, f"{language}: missing {missing}"
    extra = sorted(translated.keys() - english.keys())
    assert not extra, f"{language}: keys English does not have: {extra}"
    for path, text in english.items():
        other = translated[path]
        assert other.strip(), f"{language}: {path} is empty"
        assert _placeholders(other) == _placeholders(text), f"{language}: {path}"
        # Markdown: paragraphs, bold and code spans survive translation.
        for token in ("\n\n", "**", "`"):
            assert other.count(token) == text.count(token), (
                f"{language}: {path} changes the Markdown ({token!r})"
            )


def test_every_language_is_shipped() -> None:
    """Fifteen languages: English and the fourteen others, nothing more or less."""
    assert set(LANGUAGES) == SHIPPED
    assert {*LANGUAGES, "en"} == const.LANGUAGES


@pytest.mark.parametrize(
    ("asked", "spoken"),
    [
        ("pt-BR", "pt-BR"),
        ("zh-Hans", "zh-Hans"),
        ("de-CH", "de"),
        ("de", "de"),
        ("pt", "pt-BR"),
        ("zh-Hant", "zh-Hans"),
        ("ja", "en"),
    ],
)
def test_a_regional_language_uses_what_we_ship(asked: str, spoken: str) -> None:
    """Regional codes we ship are used as such; others read the nearest we have."""
    assert const.shipped_language(asked) == spoken


@pytest.mark.parametrize("language", LANGUAGES)
def test_nothing_left_in_english(language: str) -> None:
    """A sentence identical to English was not translated (names excepted)."""
    english = _flatten(STRINGS)
    translated = _flatten(_load_json(INTEGRATION / "translations" / f"{language}.json"))
    untranslated = [
        path
        for path, text in english.items()
        if translated.get(path) == text
        and text not in SAME_EVERYWHERE
        and len(re.findall(r"[A-Za-z]{3,}", re.sub(r"\{\w+\}", "", text))) >= 2
    ]
    assert not untranslated, f"{language}: still English: {untranslated}"


def test_entity_keys_exist() -> None:
    """Every entity translation_key has a name, with the placeholders given."""
    for platform, uses in SCAN.entities.items():
        for use in uses:
            path = f"entity.{platform}.{use.key}.name"
            text = _get(STRINGS, path)
            assert isinstance(text, str), f"{use.where}: {path} missing"
            _check_placeholders(use, text, path)
    # The scan must have found the entities (guards against a broken scan).
    assert all(SCAN.entities[platform] for platform in ENTITY_PLATFORMS)


def test_no_unused_entity_strings() -> None:
    """Every entity in strings.json belongs to an entity of the code."""
    for platform, entities in _section("entity").items():
        used = {use.key for use in SCAN.entities.get(platform, [])}
        assert not entities.keys() - used, f"unused entity.{platform} keys"


def test_enum_states_are_translated() -> None:
    """Each option of an enum sensor has a state name."""
    expected = {
        "line": set(LINE_STATES.values()),
        "phone_status": set(PHONE_STATES.values()),
        "push_status": {health.value for health in PushHealth},
    }
    for key, options in expected.items():
        assert set(_section(f"entity.sensor.{key}.state")) == options, key


def test_event_types_are_translated() -> None:
    """Each call event type has a name in the event entity's attribute."""
    states = _section("entity.event.call.state_attributes.event_type.state")
    assert set(states) == {event_type.value for event_type in CallEventType}


def test_device_triggers_are_translated() -> None:
    """Each device trigger has its text in the automation editor."""
    assert set(_section("device_automation.trigger_type")) == set(TRIGGERS)


def test_exception_keys_exist() -> None:
    """Every exception raised with a translation_key has its message."""
    assert SCAN.exceptions
    for use in SCAN.exceptions:
        path = f"exceptions.{use.key}.message"
        text = _get(STRINGS, path)
        assert isinstance(text, str), f"{use.where}: {path} missing"
        _check_placeholders(use, text, path)
    unused = _section("exceptions").keys() - {use.key for use in SCAN.exceptions}
    assert not unused, f"unused exceptions: {unused}"


def test_issue_keys_exist() -> None:
    """Every repair issue has a title, and a description or a fix flow.

    A fixable issue's flow gets its placeholders from the repair flow, not
    from the issue; only the title and description use the issue's.
    """
    assert SCAN.issues
    for use in SCAN.issues:
        issue = _section(f"issues.{use.key}")
        parts = ["title"]
        if "fix_flow" not in issue:
            parts.append("description")
        for part in parts:
            path = f"issues.{use.key}.{part}"
            text = _get(STRINGS, path)
            assert isinstance(text, str), f"{use.where}: {path} missing"
            _check_placeholders(use, text, path)
    assert set(_section("issues")) == {use.key for use in SCAN.issues}


def test_config_flow_errors_and_aborts() -> None:
    """Form errors and abort reasons of the flows are all translated."""
    from custom_components.grandstream.errors import FORM_ERRORS as FLOW_ERRORS

    assert SCAN.config_errors
    # The phone's refusals reach the form through errors.error_key, limited
    # to the ones a check of the phone can meet.
    assert {key for _, key in ERROR_KEYS} >= FLOW_ERRORS
    # The options dialog (Action URLs) reports its own two errors.
    assert SCAN.config_errors | FLOW_ERRORS == set(_section("config.error")) | set(
        _section("options.error")
    )
    assert SCAN.config_aborts == set(_section("config.abort"))
    # The options dialog's set-up results are named by phone_setup.setup_result.
    assert SCAN.options_aborts | {"set_up_complete", "set_up_partial"} == set(
        _section("options.abort")
    )


def test_flow_steps() -> None:
    """Every form step has a title, with the placeholders the flow gives."""
    for flow, uses in SCAN.steps.items():
        assert uses, flow
        for use in uses:
            step = _section(f"{flow}.step.{use.key}")
            assert "title" in step, f"{use.where}: {flow}.step.{use.key} missing"
            for part in ("title", "description"):
                if part in step:
                    _check_placeholders(use, step[part], f"{flow}.step.{use.key}")
        assert set(_section(f"{flow}.step")) == {use.key for use in uses}, flow


def test_services_are_translated() -> None:
    """Each action of services.yaml has a name, a description and its fields."""
    services = load_yaml_dict(INTEGRATION / "services.yaml")
    strings = _section("services")
    assert set(strings) == set(services)
    for service, spec in services.items():
        text = strings[service]
        assert text.get("name"), service
        assert text.get("description"), service
        fields = set((spec or {}).get("fields") or {})
        assert set(text.get("fields", {})) == fields, service
        for field in fields:
            assert text["fields"][field].get("name"), f"{service}.{field}"
            assert text["fields"][field].get("description"), f"{service}.{field}"


def test_icons() -> None:
    """Every entity and action has an icon, unless its device class brings one."""
    icons = ICONS.get("entity", {})
    reported: list[str] = []
    for platform, uses in SCAN.entities.items():
        for use in uses:
            if use.key in icons.get(platform, {}):
                continue
            if SCAN.device_classes.get((platform, use.key)):
                reported.append(f"{platform}.{use.key}")
                continue
            pytest.fail(f"{use.where}: no icon for {platform}.{use.key}")
    if reported:
        warnings.warn(
            "Icons come from the device class: " + ", ".join(sorted(reported)),
            stacklevel=1,
        )
    # No icons for entities that do not exist, or for states they never take.
    for platform, entities in icons.items():
        for key, icon in entities.items():
            strings = _section(f"entity.{platform}.{key}")
            assert strings, f"icon for unknown entity {platform}.{key}"
            states = (
                BINARY_STATES
                if platform in BINARY_PLATFORMS
                else set(strings.get("state", {}))
            )
            assert set(icon.get("state", {})) <= states, f"{platform}.{key}"
            for attribute, attribute_icon in icon.get("state_attributes", {}).items():
                known = _section(
                    f"entity.{platform}.{key}.state_attributes.{attribute}.state"
                )
                assert set(attribute_icon.get("state", {})) <= set(known), attribute
    services = load_yaml_dict(INTEGRATION / "services.yaml")
    assert set(ICONS.get("services", {})) == set(services)
    assert all(icon.get("service") for icon in ICONS["services"].values())


def _spoken_keys() -> dict[str, set[str]]:
    """``Speech.say`` keys the source uses, with the placeholders passed.

    ``say("key", ...)`` reads ``common.voice_key``; the month names are
    looked up by number (``say(f"month_{n}")``).
    """
    used: dict[str, set[str]] = {f"month_{n}": set() for n in range(1, 13)}
    for _, module in _modules():
        for node in ast.walk(module):
            if (
                isinstance(node, ast.Call)
                and _call_name(node) == "say"
                and node.args
                and (key := _text(node.args[0])) is not None
            ):
                given = {kw.arg for kw in node.keywords if kw.arg is not None}
                used.setdefault(key, set()).update(given)
    return used


def test_voice_sentences() -> None:
    """Every sentence the voice intents say exists, with its placeholders.

    The sentences live in ``common`` (a section hassfest accepts: slug keys,
    plain strings), each used by the code and none left over.
    """
    common = _section("common")
    assert all(isinstance(text, str) for text in common.values())
    used = _spoken_keys()
    assert len(used) > 12, "the scan found no sentences"
    assert {key for key in common if key.startswith("voice_")} == {
        f"voice_{key}" for key in used
    }
    for key, given in used.items():
        missing = _placeholders(common[f"voice_{key}"]) - given
        assert not missing, f"common.voice_{key} needs placeholders {missing}"


def test_errors_quote_nothing_internal() -> None:
    """No message passes on a client's technical detail (``{error}``).

    The user reads what was wrong and what to do; the detail goes to the
    debug log.
    """
    for path, text in _flatten(STRINGS).items():
        assert "{error}" not in text, path
