"""The integration's release zip: what HACS unpacks into custom_components/grandstream."""

from __future__ import annotations

from pathlib import Path
import zipfile

from devtools import release

INTEGRATION = Path(__file__).parent.parent.parent / "custom_components" / "grandstream"


def test_zip_holds_the_integration_at_its_root(tmp_path: Path) -> None:
    """Every file of the folder, byte for byte, at the root; no caches."""
    cache = INTEGRATION / "cti" / "__pycache__"
    cache.mkdir(exist_ok=True)
    stray = cache / "zz_release_test.cpython-313.pyc"
    stray.write_bytes(b"not shipped")
    try:
        archive = release.build_zip(tmp_path / "grandstream.zip")
    finally:
        stray.unlink()
    assert release.check_zip(archive) == []
    with zipfile.ZipFile(archive) as content:
        names = content.namelist()
    assert "manifest.json" in names
    assert "__init__.py" in names
    assert "cti/client.py" in names
    assert "cti/py.typed" in names
    assert "translations/en.json" in names
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    assert not any(n.startswith("custom_components/") for n in names)


def test_zip_is_reproducible(tmp_path: Path) -> None:
    """The same source gives the same bytes."""
    first = release.build_zip(tmp_path / "a" / "grandstream.zip")
    second = release.build_zip(tmp_path / "b" / "grandstream.zip")
    assert first.read_bytes() == second.read_bytes()


def test_check_zip_finds_differences(tmp_path: Path) -> None:
    """A missing, changed or extra file is reported."""
    archive = tmp_path / "grandstream.zip"
    with zipfile.ZipFile(archive, "w") as content:
        content.writestr("manifest.json", "{}")
        content.writestr("extra.py", "")
        content.writestr("__pycache__/x.pyc", "")
    problems = release.check_zip(archive)
    assert any("missing" in p and "extra.py" in p for p in problems)
    assert "manifest.json differs from its source" in problems
    assert "the zip holds caches" in problems
