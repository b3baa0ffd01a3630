"""Fixtures shared by every test: the phone simulator and a client for it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import timedelta
from pathlib import Path
from unittest.mock import PropertyMock, patch

import aiohttp
from freezegun.api import FrozenDateTimeFactory, TickingDateTimeFactory
from homeassistant.components.http import HomeAssistantHTTP
from homeassistant.const import (
    CONF_HOST,
    CONF_SSL,
    CONF_VERIFY_SSL,
    MAJOR_VERSION,
    MINOR_VERSION,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.device_registry import DeviceEntry
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    snapshot_platform,
)
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion
from syrupy.location import PyTestLocation

from custom_components.grandstream.compat import vol
from custom_components.grandstream.const import CONF_PASSCODE, DOMAIN
from devtools.processes import free_port
from simulator import PhoneProfile, SimulatedPhone

# Captured before the test plugin's autouse ``disable_http_server`` patches them.
_REAL_HTTP_START = HomeAssistantHTTP.start
_REAL_HTTP_BIND = getattr(HomeAssistantHTTP, "async_bind", None)

PASSCODE = "Sup3r-Secret!pass"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load the integration from custom_components in every test."""


def fast_profile(**changes: object) -> PhoneProfile:
    """A phone profile that runs fast enough for tests."""
    profile = PhoneProfile(
        passcode=PASSCODE,
        key_interval=0.02,
        reboot_duration=0.3,
        lockout_duration=5.0,
    )
    for name, value in changes.items():
        setattr(profile, name, value)
    return profile


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
    return MockConfigEntry(
        domain=DOMAIN,
        title="Front desk",
        data={
            CONF_HOST: phone.address,
            CONF_PASSCODE: PASSCODE,
            CONF_SSL: phone.profile.https,
            CONF_VERIFY_SSL: False,
        },
        entry_id="01JGRANDSTREAMENTRY00000001",
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


type AdvanceTime = Callable[[timedelta], Awaitable[None]]


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


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Syrupy with Home Assistant's serializer, storing in ``snapshots/``.

    The plugin defines the same fixture, but syrupy's own wins over it here;
    without this, registry ids and device ids end up in the snapshots.
    """
    return snapshot.use_extension(VersionedSnapshotExtension)


# -- push: Home Assistant's HTTP server on a real socket ----------------------
# (appended for the push / call-event tests)

PHONE_MAC = "00:0b:82:12:34:56"


@pytest.fixture
async def ha_url(hass: HomeAssistant, socket_enabled: None) -> AsyncIterator[str]:
    """Home Assistant's HTTP server, reachable by the simulated phone's pushes."""
    from homeassistant.setup import async_setup_component

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
    return MockConfigEntry(
        domain=DOMAIN,
        title="Front desk",
        unique_id=PHONE_MAC,
        data={
            CONF_HOST: phone.address,
            CONF_PASSCODE: PASSCODE,
            CONF_SSL: phone.profile.https,
            CONF_VERIFY_SSL: False,
        },
        entry_id="01JGRANDSTREAMENTRY00000002",
    )


@pytest.fixture
async def wired_entry(
    hass: HomeAssistant, ha_url: str, phone: SimulatedPhone
) -> MockConfigEntry:
    """The phone set up with push: Action URLs stored on it as a phone keeps them."""
    from homeassistant.const import CONF_WEBHOOK_ID

    from custom_components.grandstream.action_urls import action_urls

    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Front desk",
        unique_id=PHONE_MAC,
        version=1,
        minor_version=2,
        data={
            CONF_HOST: phone.address,
            CONF_PASSCODE: PASSCODE,
            CONF_SSL: False,
            CONF_VERIFY_SSL: False,
            CONF_WEBHOOK_ID: "0123456789abcdef0123456789abcdef",
        },
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    for event, url in action_urls(ha_url, entry.data[CONF_WEBHOOK_ID]).items():
        assert phone.store_action_url(event, url)
    return entry


@pytest.fixture
async def push_integration(
    hass: HomeAssistant,
    ha_url: str,
    phone: SimulatedPhone,
    push_config_entry: MockConfigEntry,
) -> MockConfigEntry:
    """The integration set up, with the phone's Action URLs pointing at it."""
    from homeassistant.const import CONF_WEBHOOK_ID

    from custom_components.grandstream.action_urls import action_urls

    push_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(push_config_entry.entry_id)
    await hass.async_block_till_done()
    phone.profile.action_urls = action_urls(
        ha_url, push_config_entry.data[CONF_WEBHOOK_ID]
    )
    return push_config_entry


async def settle(hass: HomeAssistant, phone: SimulatedPhone) -> None:
    """Wait until the phone sent its pushes and Home Assistant handled them."""
    for _ in range(2):
        await phone.wait_pushes()
        await hass.async_block_till_done(wait_background_tasks=True)


async def poll(hass: HomeAssistant, seconds: float = 6) -> None:
    """Let ``seconds`` pass for Home Assistant's timers: a due poll runs.

    Works without freezing time: the simulator sleeps for real.
    """
    from homeassistant.util import dt as dt_util

    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))
    await hass.async_block_till_done(wait_background_tasks=True)


def device_by_identifier(hass: HomeAssistant, identifier: str) -> DeviceEntry | None:
    """The grandstream device with ``identifier``, on every Home Assistant version.

    (``async_get_device`` by identifiers is deprecated in newer versions.)
    """
    registry = dr.async_get(hass)
    # Iterating the devices gives ids on older versions and entries on newer
    # ones (which deprecate using it as a mapping).
    for item in registry.devices:
        device = item if isinstance(item, DeviceEntry) else registry.async_get(item)
        if device is not None and (DOMAIN, identifier) in device.identifiers:
            return device
    return None


async def setup_entry(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Add ``entry`` and set it up, whatever the outcome."""
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


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


def assert_one_device(hass: HomeAssistant, entry: MockConfigEntry) -> DeviceEntry:
    """The entry has exactly one device (the phone), and every entity is on it."""
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    assert len(devices) == 1, devices
    entities = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    assert entities
    assert {e.entity_id: e.device_id for e in entities} == {
        e.entity_id: devices[0].id for e in entities
    }
    return devices[0]


def input_error(err: BaseException) -> ServiceValidationError:
    """The translated input error an action raised, unwrapped where needed.

    On Home Assistant before 2026.10 our input error is also a schema error;
    raised inside a schema, voluptuous wraps it in ``MultipleInvalid``.
    """
    if isinstance(err, vol.MultipleInvalid):
        assert len(err.errors) == 1, err.errors
        err = err.errors[0]
    assert isinstance(err, ServiceValidationError), repr(err)
    return err


def register_old_entities(
    hass: HomeAssistant, entry: MockConfigEntry, entities: dict[str, str]
) -> None:
    """Register ``entity_id → key`` as an earlier version left them in the registry.

    An upgrade finds its entities registered already; their restored states
    are what the new version takes over (phone_record.old_values).
    """
    registry = er.async_get(hass)
    for entity_id, key in entities.items():
        domain, object_id = entity_id.split(".")
        registry.async_get_or_create(
            domain,
            DOMAIN,
            f"{entry.unique_id or entry.entry_id}_{key}",
            config_entry=entry,
            suggested_object_id=object_id,
        )
