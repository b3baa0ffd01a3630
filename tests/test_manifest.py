"""Packaging: manifest.json, hacs.json, brand images, quality scale, the CTI client.

What hassfest and the HACS action check in CI, checked locally first, plus
the promise that the CTI client stays independent of Home Assistant.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
import re
import struct
from typing import Any

from awesomeversion import AwesomeVersion, AwesomeVersionStrategy
from homeassistant.util.yaml import load_yaml_dict
import pytest

ROOT = Path(__file__).parent.parent
INTEGRATION = ROOT / "custom_components" / "grandstream"
MANIFEST: dict[str, Any] = json.loads(
    (INTEGRATION / "manifest.json").read_text("utf-8")
)
HACS: dict[str, Any] = json.loads((ROOT / "hacs.json").read_text("utf-8"))

# Every key this integration needs: hassfest's custom-integration schema
# (version, issue_tracker), HACS (codeowners, documentation, issue_tracker)
# and the integration's own features (config flow, DHCP, webhook, logger).
EXPECTED_KEYS = {
    "domain",
    "name",
    "codeowners",
    "config_flow",
    "dependencies",
    "dhcp",
    "documentation",
    "integration_type",
    "iot_class",
    "issue_tracker",
    "loggers",
    "requirements",
    "version",
}
GRANDSTREAM_OUIS = {"000B82", "C074AD", "EC74D7"}
# Keys the HACS action accepts in hacs.json.
HACS_KEYS = {
    "name",
    "content_in_root",
    "zip_release",
    "filename",
    "hide_default_branch",
    "country",
    "homeassistant",
    "hacs",
    "persistent_directory",
    "render_readme",
}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Home Assistant's integration quality scale, in the order of
# script/hassfest/quality_scale.py (ALL_RULES).
QUALITY_SCALE_RULES = {
    "bronze": [
        "action-setup",
        "appropriate-polling",
        "brands",
        "common-modules",
        "config-flow",
        "config-flow-test-coverage",
        "dependency-transparency",
        "docs-actions",
        "docs-conditions",
        "docs-high-level-description",
        "docs-installation-instructions",
        "docs-removal-instructions",
        "docs-triggers",
        "entity-event-setup",
        "entity-unique-id",
        "has-entity-name",
        "runtime-data",
        "test-before-configure",
        "test-before-setup",
        "unique-config-entry",
    ],
    "silver": [
        "action-exceptions",
        "config-entry-unloading",
        "docs-configuration-parameters",
        "docs-installation-parameters",
        "entity-unavailable",
        "integration-owner",
        "log-when-unavailable",
        "parallel-updates",
        "reauthentication-flow",
        "test-coverage",
    ],
    "gold": [
        "devices",
        "diagnostics",
        "discovery",
        "discovery-update-info",
        "docs-data-update",
        "docs-examples",
        "docs-known-limitations",
        "docs-supported-devices",
        "docs-supported-functions",
        "docs-troubleshooting",
        "docs-use-cases",
        "dynamic-devices",
        "entity-category",
        "entity-device-class",
        "entity-disabled-by-default",
        "entity-translations",
        "exception-translations",
        "icon-translations",
        "reconfiguration-flow",
        "repair-issues",
        "stale-devices",
    ],
    "platinum": ["async-dependency", "inject-websession", "strict-typing"],
}


def test_manifest_keys_in_hassfest_order() -> None:
    """domain and name first, then the rest alphabetically (hassfest sorts so)."""
    keys = list(MANIFEST)
    assert not EXPECTED_KEYS - set(keys), "missing manifest keys"
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])


def test_manifest_values() -> None:
    """The values hassfest validates for this integration."""
    assert MANIFEST["domain"] == INTEGRATION.name
    assert MANIFEST["name"] == "Grandstream IP Phone"
    assert MANIFEST["integration_type"] == "device"
    assert MANIFEST["iot_class"] == "local_push"
    assert MANIFEST["config_flow"] is True
    # The client ships inside the integration: nothing to install.
    assert MANIFEST["requirements"] == []
    # Pushes arrive on a webhook.
    assert "webhook" in MANIFEST["dependencies"]
    assert MANIFEST["codeowners"]
    assert all(re.fullmatch(r"@[\w.-]+(/[\w.-]+)?", o) for o in MANIFEST["codeowners"])
    for key in ("documentation", "issue_tracker"):
        assert MANIFEST[key].startswith("https://"), key
    assert "custom_components.grandstream.cti" in MANIFEST["loggers"]


def test_manifest_version() -> None:
    """HACS and hassfest need a version AwesomeVersion understands (semver)."""
    version = AwesomeVersion(MANIFEST["version"])
    assert version.strategy == AwesomeVersionStrategy.SEMVER, version.strategy


def test_dhcp_matchers() -> None:
    """Discovery: Grandstream's OUIs, and known phones moving address."""
    matchers = MANIFEST["dhcp"]
    assert {"registered_devices": True} in matchers
    ouis = set()
    for matcher in matchers:
        assert set(matcher) <= {"macaddress", "hostname", "registered_devices"}
        if "macaddress" in matcher:
            # hassfest wants upper case; the pattern is OUI + wildcard.
            assert re.fullmatch(r"[0-9A-F]{6}\*", matcher["macaddress"]), matcher
            ouis.add(matcher["macaddress"][:6])
    assert ouis >= GRANDSTREAM_OUIS


def test_hacs_json() -> None:
    """The HACS action's required name, and the oldest supported Home Assistant."""
    assert set(HACS) <= HACS_KEYS
    assert HACS["name"] == "Grandstream IP Phone"
    assert HACS["name"] == MANIFEST["name"]
    assert HACS["homeassistant"] == "2025.4.0"
    assert AwesomeVersion(HACS["homeassistant"]).valid


def _png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    header = path.read_bytes()[:24]
    assert header[:8] == PNG_SIGNATURE, f"{path.name} is not a PNG"
    assert header[12:16] == b"IHDR", f"{path.name} has no IHDR chunk first"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


@pytest.mark.parametrize(
    ("name", "size"), [("icon.png", (256, 256)), ("icon@2x.png", (512, 512))]
)
def test_brand_images(name: str, size: tuple[int, int]) -> None:
    """Local brand images (Home Assistant 2026.3+, HACS): the sizes brands wants."""
    path = INTEGRATION / "brand" / name
    assert path.is_file(), f"{path.relative_to(ROOT)} is missing"
    assert _png_size(path) == size


def test_cti_is_independent_of_home_assistant() -> None:
    """The cti subpackage imports neither Home Assistant nor the integration."""
    files = sorted((INTEGRATION / "cti").rglob("*.py"))
    assert files
    for path in files:
        # Packages below cti (the command line) may import from cti, not above it.
        depth = len(path.parent.relative_to(INTEGRATION / "cti").parts)
        tree = ast.parse(path.read_text("utf-8"), str(path))
        for node in ast.walk(tree):
            modules: list[str] = []
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                where = f"{path.name}:{node.lineno}"
                # ``from .. import`` would load the integration, and with it HA.
                assert node.level <= depth + 1, f"{where}: imports from outside cti"
                if node.level == 0 and node.module:
                    modules = [node.module]
            for module in modules:
                top = module.split(".")[0]
                assert top != "homeassistant", f"{path.name}: imports {module}"
                assert module != "custom_components" and not module.startswith(
                    "custom_components."
                ), f"{path.name}: imports {module}"


def test_quality_scale_lists_every_rule() -> None:
    """quality_scale.yaml has every rule, each with a status hassfest accepts."""
    data = load_yaml_dict(INTEGRATION / "quality_scale.yaml")
    rules: dict[str, Any] = data["rules"]
    every_rule = [rule for tier in QUALITY_SCALE_RULES.values() for rule in tier]
    assert set(rules) == set(every_rule)
    for name, value in rules.items():
        if isinstance(value, dict):
            assert set(value) == {"status", "comment"}, name
            assert value["status"] in {"done", "todo", "exempt"}, name
            assert isinstance(value["comment"], str), name
            assert value["comment"].strip(), name
        else:
            assert value in {"done", "todo"}, f"{name}: exempt needs a comment"
