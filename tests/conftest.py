"""Fixtures shared by every test: the phone simulator, clients, entries, snapshots.

Only fixtures live here; helpers and constants are in ``tests/helpers``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from unittest.mock import PropertyMock, patch

import aiohttp
from freezegun.api import FrozenDateTimeFactory, TickingDateTimeFactory
from homeassistant.components.http import HomeAssistantHTTP
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from syrupy.assertion import SnapshotAssertion

from simulator import PhoneProfile, SimulatedPhone

from .helpers.entries import (
    phone_entry,
    point_pushes_at,
    push_entry,
    store_our_action_urls,
)
from .helpers.phone import PHONE_MAC, fast_profile
from .helpers.ports import free_port
from .helpers.snapshots import VersionedSnapshotExtension
from .helpers.waiting import AdvanceTime

# Captured before the test plugin's autouse ``disable_http_server`` patches them.
_REAL_HTTP_START = HomeAssistantHTTP.start
_REAL_HTTP_BIND = getattr(HomeAssistantHTTP, "async_bind", None)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load the integration from custom_components in every test."""


@pytest.fixture
def profile() -> PhoneProfile:
    """The profile of the simulated phone; tests change it before the phone starts."""
    return fast_profile()


@pytest.fixture
async def phone(
    socket_enabled: None, profile: PhoneProfile
) -> AsyncIterator[SimulatedPhone]:
    """A simulated phone listening on 127.0.0.1."""
    sim = SimulatedPhone(profile)
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()


@pytest.fixture
async def session(socket_enabled: None) -> AsyncIterator[aiohttp.ClientSession]:
    """A plain aiohttp session, for client tests without Home Assistant."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def mock_config_entry(phone: SimulatedPhone) -> MockConfigEntry:
    """A config entry for the simulated phone (no MAC known, so no unique id)."""
    return phone_entry(
        phone, ssl=phone.profile.https, entry_id="01JGRANDSTREAMENTRY00000001"
    )


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> MockConfigEntry:
    """Set up the integration against the simulated phone."""
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    return mock_config_entry


@pytest.fixture
def advance_time(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory | TickingDateTimeFactory
) -> AdvanceTime:
    """Jump ahead in time, run what fell due and wait for the phone's answers.

    The simulator answers over real sockets and sleeps for real, so time must
    keep ticking: mark the test (or module) ``freeze_time(tick=True)``, which
    also starts the clock before Home Assistant does.
    """
    if not isinstance(freezer, TickingDateTimeFactory):
        pytest.fail("advance_time needs @pytest.mark.freeze_time(tick=True)")

    async def advance(delta: timedelta) -> None:
        # move_to, not tick: freezegun's tick() of a ticking clock forgets the
        # time that passed since the last move.
        freezer.move_to(freezer() + delta)
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)

    return advance


@pytest.fixture
def entity_registry_enabled_by_default() -> Iterator[None]:
    """Enable every entity, also those disabled by default (as in HA core)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Syrupy with Home Assistant's serializer, storing in ``snapshots/``.

    The plugin defines the same fixture, but syrupy's own wins over it here;
    without this, registry ids and device ids end up in the snapshots.
    """
    return snapshot.use_extension(VersionedSnapshotExtension)


# -- push: Home Assistant's HTTP server on a real socket ----------------------


@pytest.fixture
async def ha_url(hass: HomeAssistant, socket_enabled: None) -> AsyncIterator[str]:
    """Home Assistant's HTTP server, reachable by the simulated phone's pushes."""
    port = free_port()
    assert await async_setup_component(
        hass, "http", {"http": {"server_host": "127.0.0.1", "server_port": port}}
    )
    # Tests never fire "homeassistant_start", which would start the server, and
    # newer test plugins patch binding and starting away: use the real ones.
    if _REAL_HTTP_BIND is not None:
        await _REAL_HTTP_BIND(hass.http)
    await _REAL_HTTP_START(hass.http)
    url = f"http://127.0.0.1:{port}"
    hass.config.internal_url = url
    try:
        yield url
    finally:
        await hass.http.stop()


@pytest.fixture
def push_config_entry(phone: SimulatedPhone) -> MockConfigEntry:
    """A config entry of the simulated phone whose MAC is already known."""
    return phone_entry(
        phone,
        ssl=phone.profile.https,
        unique_id=PHONE_MAC,
        entry_id="01JGRANDSTREAMENTRY00000002",
    )


@pytest.fixture
async def wired_entry(
    hass: HomeAssistant, ha_url: str, phone: SimulatedPhone
) -> MockConfigEntry:
    """The phone set up with push: Action URLs stored on it as a phone keeps them."""
    entry = push_entry(phone)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    store_our_action_urls(phone, ha_url, entry)
    return entry


@pytest.fixture
async def push_integration(
    hass: HomeAssistant,
    ha_url: str,
    phone: SimulatedPhone,
    push_config_entry: MockConfigEntry,
) -> MockConfigEntry:
    """The integration set up, with the phone's Action URLs pointing at it."""
    push_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(push_config_entry.entry_id)
    await hass.async_block_till_done()
    point_pushes_at(phone, ha_url, push_config_entry)
    return push_config_entry
