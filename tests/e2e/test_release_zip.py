"""The release zip, unpacked into a fresh configuration directory, loads in Home Assistant.

Runs when the suite installs the integration from a zip (GRANDSTREAM_INTEGRATION_ZIP,
as .ci/run does with scripts/build's dist/grandstream.zip); the rest of the suite then
exercises that installed copy.
"""

from __future__ import annotations

import os
import zipfile

import pytest

from devtools.client import HomeAssistantClient
from devtools.stack import Stack

from ..helpers.stack import ZIP_VARIABLE, integration_zip

pytestmark = pytest.mark.skipif(
    not os.environ.get(ZIP_VARIABLE),
    reason=f"{ZIP_VARIABLE} is not set: the suite runs from the source folder",
)


def test_integration_runs_from_the_zip(stack: Stack) -> None:
    """Home Assistant imported the unpacked zip, not the repository's folder."""
    archive = integration_zip()
    assert archive is not None
    folder = stack.config_dir / "custom_components" / "grandstream"
    assert folder.is_dir()
    assert not folder.is_symlink()
    assert stack.hass.cwd == stack.config_dir
    with zipfile.ZipFile(archive) as content:
        names = [n for n in content.namelist() if not n.endswith("/")]
        assert "manifest.json" in names
        for name in names:
            assert (folder / name).read_bytes() == content.read(name), name

    async def entries(client: HomeAssistantClient) -> list[dict[str, object]]:
        return await client.config_entries("grandstream")

    found = stack.run(entries)
    assert [entry["state"] for entry in found] == ["loaded"]
    if not os.environ.get("PYTHONDONTWRITEBYTECODE"):
        # Python caches what it imports next to the source: this folder's modules ran.
        assert list((folder / "__pycache__").glob("coordinator.*.pyc"))
        assert list((folder / "cti" / "__pycache__").glob("client.*.pyc"))
