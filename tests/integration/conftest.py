"""Fixtures of the integration tests that several modules turn on."""

from __future__ import annotations

from collections.abc import Iterator
import logging

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.grandstream.const import EVENT_CALL
from simulator import SimulatedPhone

from ..helpers.dnd import verify_push
from ..helpers.entries import point_pushes_at, set_up_at_key_pace
from ..helpers.flows import assert_not_logged, check_every_result
from ..helpers.phone import PASSCODE
from ..helpers.push import CallEvents, HandPushes, webhook_url


@pytest.fixture
def flow_results_checked(hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every step, error and result the flows show has its text and placeholders."""
    check_every_result(hass, monkeypatch)


@pytest.fixture
def secrets() -> list[str]:
    """What ``secrets_never_logged`` looks for; a module adds what its tests type."""
    return [PASSCODE]


@pytest.fixture
def secrets_never_logged(
    caplog: pytest.LogCaptureFixture, secrets: list[str]
) -> Iterator[None]:
    """None of ``secrets`` reaches a log line or traceback, at any level."""
    caplog.set_level(logging.DEBUG)
    yield
    assert_not_logged(caplog, secrets)


@pytest.fixture(params=[None, ("+4930123456", "Ada Lovelace")], ids=["idle", "ringing"])
def idle_or_ringing(
    request: pytest.FixtureRequest,
    freezer: FrozenDateTimeFactory,
    phone: SimulatedPhone,
) -> None:
    """The phone idle, or a call ringing in: a test using this runs both ways.

    (After the clock is frozen: a snapshot's call shows the frozen time.)
    """
    if request.param is not None:
        phone.incoming_call(*request.param)


@pytest.fixture
def hand_pushes(
    push_integration: MockConfigEntry, phone: SimulatedPhone, ha_url: str
) -> HandPushes:
    """The phone set up with push, its own pushes off: the test sends them."""
    phone.profile.action_urls = {}
    return HandPushes(push_integration, webhook_url(ha_url, push_integration))


@pytest.fixture
def call_events(hass: HomeAssistant) -> CallEvents:
    """The call events fired on the bus from now on."""
    return async_capture_events(hass, EVENT_CALL)


@pytest.fixture
async def unverified_dnd_entry(
    hass: HomeAssistant,
    ha_url: str,
    phone: SimulatedPhone,
    push_config_entry: MockConfigEntry,
) -> MockConfigEntry:
    """The phone set up with push (keys at its pace), its pushes not proven yet."""
    await set_up_at_key_pace(hass, push_config_entry, phone)
    point_pushes_at(phone, ha_url, push_config_entry)
    return push_config_entry


@pytest.fixture
async def dnd_entry(
    hass: HomeAssistant, unverified_dnd_entry: MockConfigEntry, phone: SimulatedPhone
) -> MockConfigEntry:
    """The phone set up with push, its pushes verified."""
    await verify_push(hass, phone)
    phone.clear_logs()
    return unverified_dnd_entry
