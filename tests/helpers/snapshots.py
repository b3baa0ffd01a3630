"""Snapshots per Home Assistant release, and snapshotting one platform's entities."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from unittest.mock import patch

from homeassistant.const import MAJOR_VERSION, MINOR_VERSION, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion
from syrupy.location import PyTestLocation

from .entries import assert_one_device, setup_entry


class VersionedSnapshotExtension(HomeAssistantSnapshotExtension):
    """Snapshots per Home Assistant release, in ``snapshots/<major>.<minor>/``.

    Registry entries gain fields between releases, so each release we test
    against keeps its own reviewed snapshots.
    """

    @classmethod
    def dirname(cls, *, test_location: PyTestLocation) -> str:
        """Directory of this release's snapshots next to the test file."""
        base = Path(super().dirname(test_location=test_location))
        return str(base / f"{MAJOR_VERSION}.{MINOR_VERSION}")


async def snapshot_one_platform(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    snapshot: SnapshotAssertion,
    platform: Platform,
    after_setup: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Set up ``entry`` with only ``platform`` and snapshot its entities.

    ``after_setup`` runs between setup and snapshot (a call, a refresh).
    """
    with patch("custom_components.grandstream.PLATFORMS", [platform]):
        await setup_entry(hass, entry)
    if after_setup is not None:
        await after_setup()
        await hass.async_block_till_done()
    await snapshot_platform(hass, er.async_get(hass), snapshot, entry.entry_id)
    assert_one_device(hass, entry)
    entities = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    assert_no_stale_snapshots(
        snapshot,
        {f"{e.entity_id}-{part}" for e in entities for part in ("entry", "state")},
    )


def assert_no_stale_snapshots(snapshot: SnapshotAssertion, names: set[str]) -> None:
    """The test's file holds no snapshot of this test beyond ``names``.

    syrupy fails a run on snapshots no test used, but not under pytest-xdist
    before syrupy 6 (the minimum pins): an entity that went away would leave
    its snapshots behind unnoticed. Under --snapshot-update syrupy rewrites
    the file after the run, so there is nothing to check yet.
    """
    if snapshot.update_snapshots:
        return
    location = snapshot.test_location
    path = Path(VersionedSnapshotExtension.dirname(test_location=location))
    heading = f"# name: {location.snapshot_name}["
    stored = {
        line.removeprefix(heading).removesuffix("]")
        for line in (path / f"{location.basename}.ambr").read_text("utf-8").splitlines()
        if line.startswith(heading)
    }
    assert stored == names, f"stale snapshots: {sorted(stored - names)}"
