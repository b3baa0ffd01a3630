"""The library's source: one copy, its own imports, one version, its packaging config."""

from __future__ import annotations

import ast
import json
from pathlib import Path
import re
import sys
import tomllib

import pytest

from custom_components.grandstream.cti import __version__
from devtools import release

ROOT = Path(__file__).parent.parent.parent
INTEGRATION = ROOT / "custom_components" / "grandstream"
CTI = INTEGRATION / "cti"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
CTI_FILES = sorted(CTI.rglob("*.py"))
# What the library may import besides itself and the standard library.
THIRD_PARTY = {"aiohttp", "yarl"}


def _depth(path: Path) -> int:
    """How many packages below cti the module's own package is."""
    package = path.parent.relative_to(CTI)
    return len(package.parts)


@pytest.mark.parametrize("path", CTI_FILES, ids=lambda p: str(p.relative_to(CTI)))
def test_imports_stay_inside_the_library(path: Path) -> None:
    """Relative imports never leave cti; absolute ones are stdlib, aiohttp, yarl only.

    In the wheel cti is the top package ``grandstream_cti``: a relative import
    reaching above it, or an absolute one of the integration, would break there.
    """
    tree = ast.parse(path.read_text("utf-8"), str(path))
    for node in ast.walk(tree):
        where = f"{path.relative_to(CTI)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.ImportFrom) and node.level:
            assert node.level <= _depth(path) + 1, f"{where}: leaves cti"
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            top = name.split(".")[0]
            assert top in sys.stdlib_module_names or top in THIRD_PARTY, (
                f"{where}: imports {name}"
            )


@pytest.mark.parametrize("path", CTI_FILES, ids=lambda p: str(p.relative_to(CTI)))
def test_syntax_of_the_oldest_python(path: Path) -> None:
    """requires-python says 3.11: the sources parse with 3.11's grammar."""
    assert PYPROJECT["project"]["requires-python"] == ">=3.11"
    ast.parse(path.read_text("utf-8"), str(path), feature_version=(3, 11))


def test_integration_never_imports_the_command_line() -> None:
    """Home Assistant never loads cti.cli or cti.__main__: they are inert there."""
    for path in sorted(INTEGRATION.rglob("*.py")):
        if CTI / "cli" in path.parents or path == CTI / "__main__.py":
            continue
        source = path.read_text("utf-8")
        assert not re.search(
            r"\bcli\b",
            "".join(
                ast.unparse(node)
                for node in ast.walk(ast.parse(source))
                if isinstance(node, ast.Import | ast.ImportFrom)
            ),
        ), f"{path.relative_to(ROOT)} imports the command line"


def test_one_version() -> None:
    """__version__ is the one place; manifest.json and the changelog agree with it."""
    manifest = json.loads((INTEGRATION / "manifest.json").read_text("utf-8"))
    assert manifest["version"] == __version__ == release.source_version()
    assert PYPROJECT["project"]["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["hatch"]["version"]["path"] == (
        "custom_components/grandstream/cti/__init__.py"
    )
    # This version has a section with something in it (release_notes raises
    # otherwise); what it says is the release's business.
    assert release.release_notes(__version__).strip()


def test_release_notes(tmp_path: Path) -> None:
    """A section ends at the next one or at the link references; none is an error."""
    changelog = tmp_path / "CHANGELOG.md"
    changelog.write_text(
        "# Changelog\n\n## [Unreleased]\n\n## [1.1.0] - 2027-01-01\n\n### Fixed\n\n"
        "- a\n\n## [1.0.0]\n\n- b\n\n[1.1.0]: https://example.invalid\n"
    )
    assert release.release_notes("1.1.0", changelog) == "### Fixed\n\n- a\n"
    assert release.release_notes("1.0.0", changelog) == "- b\n"
    with pytest.raises(release.ArtifactError, match="no section"):
        release.release_notes("2.0.0", changelog)
    with pytest.raises(release.ArtifactError, match="empty"):
        release.release_notes("Unreleased", changelog)


def test_set_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A tag's version goes into both files, layout kept; nonsense is refused."""
    init = tmp_path / "__init__.py"
    manifest = tmp_path / "manifest.json"
    init.write_text((CTI / "__init__.py").read_text("utf-8"))
    original = (INTEGRATION / "manifest.json").read_text("utf-8")
    manifest.write_text(original)
    monkeypatch.setattr(release, "VERSION_FILE", init)
    monkeypatch.setattr(release, "MANIFEST", manifest)
    release.set_version("1.2.3rc1")
    assert release.source_version() == "1.2.3rc1"
    assert manifest.read_text() == original.replace(
        f'"version": "{__version__}"', '"version": "1.2.3rc1"'
    )
    for bad in ("v1.2.3", "1.2", "1.2.3; rm -rf /", ""):
        with pytest.raises(release.ArtifactError):
            release.set_version(bad)
    assert release.main(["version"]) == 0


def test_pyproject() -> None:
    """One source mapped to grandstream_cti; aiohttp only; the console script."""
    project = PYPROJECT["project"]
    assert project["name"] == "grandstream-cti"
    assert [re.split(r"[<>=!~ ]", d)[0] for d in project["dependencies"]] == ["aiohttp"]
    assert project["scripts"] == {"grandstream-cti": "grandstream_cti.cli:main"}
    assert project["readme"] == "custom_components/grandstream/cti/README.md"
    wheel = PYPROJECT["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert wheel["sources"] == {"custom_components/grandstream/cti": "grandstream_cti"}
    assert wheel["only-include"] == ["custom_components/grandstream/cti"]
    assert (CTI / "py.typed").is_file()
    assert (CTI / "__main__.py").is_file()


def test_hacs_installs_the_release_zip() -> None:
    """HACS downloads the release's zip, named as scripts/build names it."""
    hacs = json.loads((ROOT / "hacs.json").read_text("utf-8"))
    assert hacs["zip_release"] is True
    assert hacs["filename"] == release.ZIP_NAME == "grandstream.zip"


def test_the_release_workflow_runs_pinned_actions() -> None:
    """The workflow that publishes (id-token: write) runs actions by commit, not by
    a tag or branch their owners can move; the comment says which version."""
    workflow = (ROOT / ".github" / "workflows" / "release.yml").read_text("utf-8")
    uses = re.findall(r"^\s*(?:-\s*)?uses:\s*(\S+)(.*)$", workflow, re.MULTILINE)
    assert len(uses) >= 5
    for action, comment in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r"\s*# v[0-9][0-9.]*", comment), (action, comment)
