"""The integration's structure: no import circle, no reach-throughs, no private API.

Static checks of the source (``ast``), so they hold for every code path,
including imports under ``TYPE_CHECKING`` and inside functions. The last
check holds the tests to the same: shared helpers live in ``tests/helpers``.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
import textwrap

from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
import pytest

from custom_components.grandstream import PLATFORMS

PACKAGE = Path(__file__).parent.parent / "custom_components" / "grandstream"
# Entity platforms: they get the coordinator and must not dig through runtime data.
PLATFORM_MODULES = tuple(platform.value for platform in PLATFORMS)
# DataUpdateCoordinator's hooks that subclasses are meant to override.
OVERRIDE_HOOKS = {"_async_update_data", "_async_setup"}


def _module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)  # "" for the package itself


MODULES = {
    _module_name(path): ast.parse(path.read_text(encoding="utf-8"), str(path))
    for path in sorted(PACKAGE.rglob("*.py"))
}


def _package_of(module: str, path_is_init: bool) -> list[str]:
    parts = module.split(".") if module else []
    return parts if path_is_init else parts[:-1]


def _imports(module: str) -> set[str]:
    """Modules of the package that ``module`` imports (any level, anywhere)."""
    is_init = (
        PACKAGE / module.replace(".", "/") / "__init__.py"
    ).exists() or not module
    found: set[str] = set()
    for node in ast.walk(MODULES[module]):
        if not isinstance(node, ast.ImportFrom) or node.level == 0:
            continue
        base = _package_of(module, is_init)
        if node.level > 1:
            base = base[: len(base) - (node.level - 1)]
        target = ".".join([*base, *(node.module.split(".") if node.module else [])])
        for alias in node.names:
            candidate = f"{target}.{alias.name}" if target else alias.name
            found.add(candidate if candidate in MODULES else target)
    return found


GRAPH = {module: _imports(module) for module in MODULES}


def test_no_import_circle() -> None:
    """No module of the integration imports itself back through others."""
    visiting: list[str] = []
    done: set[str] = set()

    def visit(module: str) -> None:
        if module in done:
            return
        if module in visiting:
            cycle = [*visiting[visiting.index(module) :], module]
            pytest.fail("import circle: " + " -> ".join(cycle))
        visiting.append(module)
        for imported in sorted(GRAPH[module]):
            visit(imported)
        visiting.pop()
        done.add(module)

    for module in sorted(GRAPH):
        visit(module)


def test_no_upward_import() -> None:
    """Nothing imports the package's ``__init__`` (setup) or the cti's parent."""
    for module, imported in GRAPH.items():
        assert "" not in imported, f"{module} imports the package __init__"
        if module.startswith("cti"):
            assert all(name.startswith("cti") for name in imported), module


def test_init_is_setup_and_unload_only() -> None:
    """``__init__.py`` defines the setup entry points and nothing else."""
    functions = {
        node.name
        for node in MODULES[""].body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    assert functions <= {
        "async_setup",
        "async_setup_entry",
        "async_unload_entry",
        "async_remove_entry",
        "async_migrate_entry",
    }
    assert not [node for node in MODULES[""].body if isinstance(node, ast.ClassDef)]


def _runtime_data_parts(module: str) -> list[str]:
    """Where ``module`` goes through ``runtime_data.<part>``."""
    return [
        f"{module}: runtime_data.{node.attr} at line {node.lineno}"
        for node in ast.walk(MODULES[module])
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "runtime_data"
    ]


@pytest.mark.parametrize("platform", PLATFORM_MODULES)
def test_entities_do_not_reach_through_runtime_data(platform: str) -> None:
    """Platforms take the coordinator from runtime data and go no deeper."""
    assert platform in MODULES, f"no {platform}.py for a set-up platform"
    assert not _runtime_data_parts(platform), _runtime_data_parts(platform)


def _private_coordinator_names() -> set[str]:
    """Underscore names DataUpdateCoordinator defines or sets on itself."""
    names = {name for name in vars(DataUpdateCoordinator) if name.startswith("_")}
    source = textwrap.dedent(inspect.getsource(DataUpdateCoordinator))
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "self"
            and node.attr.startswith("_")
        ):
            names.add(node.attr)
    return {name for name in names if not name.startswith("__")} - OVERRIDE_HOOKS


def test_no_private_coordinator_api() -> None:
    """Our code never touches (or shadows) DataUpdateCoordinator's private members.

    In coordinator.py that is any ``self._x`` the base class has; elsewhere
    any private member reached through a ``coordinator``.
    """
    private = _private_coordinator_names()
    assert "_listeners" in private  # the scan itself works
    used: set[str] = set()
    for module, tree in MODULES.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute) or not node.attr.startswith("_"):
                continue
            owner = node.value
            owner_name = (
                owner.id
                if isinstance(owner, ast.Name)
                else owner.attr
                if isinstance(owner, ast.Attribute)
                else ""
            )
            if (
                module == "coordinator"
                and owner_name == "self"
                and node.attr in private
            ) or (owner_name == "coordinator" and node.attr not in OVERRIDE_HOOKS):
                used.add(f"{module}:{node.lineno}:{node.attr}")
    assert not used, f"private DataUpdateCoordinator members used: {sorted(used)}"


# No file of the integration grows past this: a file that long holds more
# than one concern.
MAX_LINES = 600
# The coordinator's size: it keeps state and decides; helpers keep the rest.
MAX_COORDINATOR_LINES = 400


@pytest.mark.parametrize("module", sorted(MODULES))
def test_files_stay_small(module: str) -> None:
    """No module over the ceiling (the coordinator under its own)."""
    path = PACKAGE / (module.replace(".", "/") or "__init__")
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    lines = len(path.read_text(encoding="utf-8").splitlines())
    limit = MAX_COORDINATOR_LINES if module == "coordinator" else MAX_LINES
    assert lines < limit, f"{path.name}: {lines} lines (limit {limit})"


@pytest.mark.parametrize("module", sorted(set(MODULES) - {"coordinator"}))
def test_only_the_coordinator_reaches_into_runtime_data(module: str) -> None:
    """Outside the coordinator, ``runtime_data`` is only ever the coordinator itself.

    Modules take it (``coordinator = entry.runtime_data``) and use what it
    publishes; none goes through ``runtime_data.<part>``.
    """
    assert not _runtime_data_parts(module), _runtime_data_parts(module)


def test_the_poll_path_does_not_import_repairs_or_set_up() -> None:
    """The coordinator reaches neither repairs nor the phone set-up.

    Repairs subscribe to what the coordinator publishes; setting the phone up
    (its web session) is not part of what every poll runs through.
    """
    reached: set[str] = set()
    todo = ["coordinator"]
    while todo:
        module = todo.pop()
        if module in reached:
            continue
        reached.add(module)
        todo.extend(GRAPH[module])
    assert not reached & {"repairs", "phone_setup", "config_flow"}


def test_cti_imports_only_itself_relatively() -> None:
    """The phone library is one source for the integration and the package.

    Inside ``cti`` every import of its own modules is relative, so the same
    files work as ``custom_components.grandstream.cti`` and as
    ``grandstream_cti``; nothing imports Home Assistant.
    """
    for module, tree in MODULES.items():
        if not module.startswith("cti"):
            continue
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            for name in names:
                assert not name.startswith(
                    ("custom_components", "homeassistant", "grandstream_cti")
                ), f"{module} imports {name}"


# -- the tests' own structure -------------------------------------------------------

TESTS = Path(__file__).parent


def _imported_modules(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, name) of every module a file imports; relative names keep their dots."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            dots = "." * node.level
            if node.module is None:  # ``from . import conftest``
                found.extend((node.lineno, dots + alias.name) for alias in node.names)
            else:
                found.append((node.lineno, dots + node.module))
                # ``from tests import conftest``, ``from tests import test_x``
                found.extend(
                    (node.lineno, f"{dots}{node.module}.{alias.name}")
                    for alias in node.names
                    if alias.name == "conftest" or alias.name.startswith("test_")
                )
    return found


def test_tests_import_helpers_not_conftest_or_other_tests() -> None:
    """Shared helpers come from ``tests/helpers``, never a conftest or a test module.

    Conftest files are pytest's: fixtures are found there, not imported. A
    helper kept in one is hidden among fixtures, and a test module that
    imports another depends on a file that exists to be collected (a
    ``test_`` function imported with it is even collected twice).
    """
    offences: list[str] = []
    for path in sorted(TESTS.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for line, name in _imported_modules(tree):
            last = name.rsplit(".", 1)[-1]
            if last == "conftest" or last.startswith("test_"):
                offences.append(f"{path.relative_to(TESTS)}:{line} imports {name}")
    assert not offences, "\n".join(offences)
