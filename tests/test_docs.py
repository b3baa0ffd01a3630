"""The README and the dialogs tell the same story as the code."""

from __future__ import annotations

import json
from pathlib import Path
import re

from devtools import demo, develop

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text("utf-8")
STRINGS = json.loads(
    (ROOT / "custom_components" / "grandstream" / "strings.json").read_text("utf-8")
)


def _section(title: str) -> str:
    """The README's text under a heading, up to the next heading."""
    match = re.search(rf"^#+ {re.escape(title)}\n(.*?)(?=^#)", README, re.S | re.M)
    assert match, title
    return match.group(1)


def test_try_it_gives_the_demo_phone_address_and_passcode() -> None:
    """Someone trying the demo can add the simulated phone by hand too."""
    defaults = develop.parse_args([])
    try_it = _section("Try it: the demo")
    assert f"127.0.0.1:{defaults.sim_port}" in try_it
    assert f"**{demo.PASSCODE}**" in try_it
    assert f"{demo.DEMO_USER}** / **{demo.DEMO_PASSWORD}" in try_it


def test_one_host_example() -> None:
    """The host field's help and the README's table give the same example."""
    help_texts = {
        STRINGS["config"]["step"][step]["data_description"]["host"]
        for step in ("user", "reconfigure")
    }
    examples = {
        example
        for text in help_texts
        for example in re.findall(r"\b[a-z]+\.lan:\d+", text)
    }
    row = next(line for line in README.splitlines() if line.startswith("| Host |"))
    assert examples == set(re.findall(r"\b[a-z]+\.lan:\d+", row))
    assert len(examples) == 1


def test_issue_templates_ask_only_for_redacted_output() -> None:
    """Issues are public: the templates ask for a capture (redacted) or the
    diagnostics, never for the raw output of probe, status or lines (MAC, SIP
    ids, servers, callers as they are)."""
    for template in ("bug_report.yml", "phone_model.yml"):
        text = (ROOT / ".github" / "ISSUE_TEMPLATE" / template).read_text("utf-8")
        assert "grandstream-cti capture " in text, template
        commands = re.findall(r"grandstream-cti (\w+)", text)
        assert set(commands) == {"capture"}, (template, commands)
        assert "Output of grandstream-cti probe" not in text


def test_the_layout_lists_every_module() -> None:
    """A newcomer finds every module of the integration in the README's layout."""
    start = README.index("**Layout**")
    layout = README[start : README.index("\n```\n", README.index("```", start) + 3)]
    package = ROOT / "custom_components" / "grandstream"
    missing = [
        str(path.relative_to(package))
        for path in sorted(package.rglob("*.py"))
        if "__pycache__" not in path.parts
        and path.name != "__init__.py"
        and not re.search(rf"(?<![\w.]){re.escape(path.name)}\b", layout)
    ]
    assert not missing, f"not in the README's layout: {missing}"
