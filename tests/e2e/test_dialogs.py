"""Every dialog of issue 21 in headless Chromium: read, photographed, checked.

Each dialog is opened as a person would (the integration's page, Configure,
Repairs, Add integration), photographed at 1280×900, and checked in the
browser: no text runs under the header's ? and × icons, nothing is cut off
with an ellipsis, no section is only a dash, no raw translation key shows.
The screenshots go to ``$GRANDSTREAM_E2E_SCREENSHOTS`` (default: a temporary
directory, printed with ``-s``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
import contextlib
import json
import os
from pathlib import Path
import re
import tempfile
from typing import TYPE_CHECKING, Any

import pytest

from devtools import browser, demo
from devtools.client import HomeAssistantClient, HomeAssistantError
from devtools.processes import free_port, simulator_process, wait_http
from devtools.stack import Stack

if TYPE_CHECKING:
    from playwright.async_api import Page

pytestmark = pytest.mark.e2e

INTEGRATION = Path(__file__).parents[2] / "custom_components" / "grandstream"
STRINGS = json.loads((INTEGRATION / "strings.json").read_text("utf-8"))
FOREIGN_URL = "http://192.0.2.99/notify?event=missed"


def _keys(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _keys(value)


# What must never show: our translation keys (those a person could not take
# for words: with an underscore) and Home Assistant's key paths.
RAW_KEYS = sorted({key for key in _keys(STRINGS) if "_" in key})


@pytest.fixture(scope="module")
def shots() -> Path:
    """Where the dialogs' screenshots go."""
    chosen = os.environ.get("GRANDSTREAM_E2E_SCREENSHOTS")
    directory = Path(chosen) if chosen else Path(tempfile.gettempdir()) / "dialogs"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@contextlib.asynccontextmanager
async def logged_in(stack: Stack) -> AsyncIterator[Page]:
    """A browser page, logged in to the stack's Home Assistant."""
    async with browser.chromium() as chromium:
        page = await browser.new_page(chromium)
        await browser.login(page, stack.base_url, demo.DEMO_USER, demo.DEMO_PASSWORD)
        yield page


async def check_dialog(page: Page, shots: Path, name: str) -> str:
    """Photograph the open dialog and check it; return its visible text."""
    await page.wait_for_timeout(800)  # fonts and layout settle
    path = shots / f"{name}.png"
    await page.screenshot(path=str(path))
    print(f"dialog {name}: {path}")  # noqa: T201 - shown with -s
    report = await browser.dialog_report(page)
    assert report is not None, f"{name}: no dialog open"
    text = "\n".join(report["texts"])
    assert not report["overlaps"], f"{name}: under the header's icons: {report}"
    assert not report["cut"], f"{name}: cut off: {report['cut']}"
    assert not re.search(r":\s*—", text), f"{name}: a section with nothing to say"
    words = set(re.findall(r"[A-Za-z_]+", text))
    assert not words & set(RAW_KEYS), f"{name}: raw keys {words & set(RAW_KEYS)}"
    assert "component." not in text, name
    return text


async def open_options(page: Page, stack: Stack) -> None:
    """The phone's Configure dialog, from the integration's page."""
    await page.goto(
        stack.base_url + "/config/integrations/integration/grandstream",
        wait_until="domcontentloaded",
    )
    await page.get_by_text("Configure", exact=True).first.click()
    await page.get_by_text("Configure the phone").first.wait_for()


async def set_up_again(page: Page, stack: Stack) -> None:
    """Configure → Set up the phone again → Submit."""
    await open_options(page, stack)
    await page.get_by_text("Set up the phone again").first.click()
    await page.get_by_text("Set up Desk phone again").first.wait_for()
    await page.get_by_role("button", name="Submit").click()
    await page.get_by_text("The phone is set up").first.wait_for(timeout=30_000)


@pytest.mark.usefixtures("chromium_ready")
def test_options_dialogs(idle_phone: Stack, shots: Path) -> None:
    """The menu names the phone; the URLs name events; results have a title line."""
    stack = idle_phone

    async def scenario() -> None:
        async with logged_in(stack) as page:
            await open_options(page, stack)
            text = await check_dialog(page, shots, "options-menu")
            assert "Desk phone" in text

            await page.get_by_text("Show the Action URLs").first.click()
            await page.get_by_text("Action URLs for the phone").first.wait_for()
            text = await check_dialog(page, shots, "options-urls")
            assert "Incoming call\n(P8310):" in text
            assert "Let Home Assistant write them into the phone instead" in text
            assert "saved" not in text

            await set_up_again(page, stack)
            text = await check_dialog(page, shots, "options-set-up-again")
            assert text.startswith("The phone is set up again\n")

            # Something else takes the missed-call field: set up in part.
            await asyncio.to_thread(
                stack.ctl, "/_sim/action_url", {"event": "missed", "url": FOREIGN_URL}
            )
            await set_up_again(page, stack)
            text = await check_dialog(page, shots, "options-set-up-partial")
            assert text.startswith("The phone is set up in part\n")
            assert "something else uses their fields: Missed call." in text
            assert "kept its old value" not in text  # nothing to say: not shown

            # The repair offers to take the field over; its title fits.
            await page.goto(
                stack.base_url + "/config/repairs", wait_until="domcontentloaded"
            )
            await page.get_by_text("Desk phone: Action URL fields in use").first.click()
            await page.get_by_role("button", name="Submit").wait_for()
            text = await check_dialog(page, shots, "repair-slots-in-use")
            assert text.startswith("Desk phone: Action URL fields in use\n")
            await page.get_by_role("button", name="Submit").click()
            await page.wait_for_timeout(3000)

    try:
        asyncio.run(scenario())
    finally:
        # The field is ours again (the repair took it over), whatever happened.
        stack.run(lambda client: demo.set_up_again(client, stack.phone.entry_id))
    assert stack.ctl("/_sim/web")["slots"]["P8312"] != FOREIGN_URL


@pytest.fixture
def same_phone_elsewhere(
    stack: Stack, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The stack's phone answering at another address (a simulator with its MAC).

    The stack's entry follows the phone there; it is brought back afterwards.
    """
    port = free_port()
    sim = simulator_process(
        port, log=tmp_path_factory.mktemp("moved") / "simulator.log"
    )
    sim.start()
    try:
        url = f"http://127.0.0.1:{port}"
        wait_http(url + "/_sim/state", sim, timeout=30)
        assert (
            demo.sim_request(url, "/_sim/state")["profile"]["mac"]
            == stack.ctl("/_sim/state")["profile"]["mac"]
        )
        yield url.split("://", 1)[1]
    finally:
        stack.run(lambda client: _move_entry_back(client, stack))
        sim.stop(timeout=10)


async def _move_entry_back(client: HomeAssistantClient, stack: Stack) -> None:
    home = stack.sim_url.split("://", 1)[1]
    result = await client.config_flow(
        "grandstream",
        {
            "host": home,
            "passcode": demo.PASSCODE,
            "connection": "http",
            "verify_ssl": False,
        },
        {"set_up_phone": True, "web_username": "admin"},
    )
    entries = {e["entry_id"]: e for e in await client.config_entries("grandstream")}
    assert result.get("reason") in ("address_updated", "already_configured"), result
    assert entries[stack.phone.entry_id]["state"] in ("loaded", "setup_in_progress")
    await client.wait_state(
        stack.entity("sensor", "line_1"),
        lambda s: s["state"] not in ("unavailable", "unknown"),
        within=30,
    )


@pytest.mark.usefixtures("chromium_ready")
def test_adding_a_known_phone_at_another_address(
    stack: Stack, same_phone_elsewhere: str, shots: Path
) -> None:
    """The dialog says the known phone's address was changed, naming both."""
    address = same_phone_elsewhere

    async def scenario() -> str:
        async with logged_in(stack) as page:
            await page.goto(
                stack.base_url
                + "/config/integrations/dashboard/add?domain=grandstream",
                wait_until="domcontentloaded",
            )
            await page.get_by_role("button", name="OK").click()
            await page.get_by_label("Host").fill(address)
            await page.get_by_label("Passcode").fill(demo.PASSCODE)
            await page.get_by_role("button", name="Submit").click()
            await page.get_by_text("Web account").first.wait_for(timeout=30_000)
            await page.get_by_role("button", name="Submit").click()
            await page.get_by_text("This phone is already set up").first.wait_for(
                timeout=30_000
            )
            return await check_dialog(page, shots, "add-known-phone-elsewhere")

    text = asyncio.run(scenario())
    assert (
        f"This phone is already set up as Desk phone. It answers at {address} now, "
        "so Home Assistant changed that entry's address, connection and passcode to "
        "the ones you entered"
    ) in text


@pytest.mark.usefixtures("chromium_ready")
def test_dashboard_caller_without_name_and_call_history(
    idle_phone: Stack, shots: Path
) -> None:
    """A nameless caller shows the number once; Recent calls lists the call."""
    stack = idle_phone
    number = "+4930987650"

    async def scenario() -> None:
        async with logged_in(stack) as page:
            await browser.open_dashboard(page, stack.base_url)
            await asyncio.to_thread(stack.ctl, "/_sim/ring", {"number": number})
            tile = page.locator("hui-tile-card").filter(has_text="Incoming call")
            await tile.get_by_text(number).first.wait_for(timeout=20_000)
            assert (await browser.deep_text(tile.first)).count(number) == 1
            await page.screenshot(path=str(shots / "dashboard-nameless-caller.png"))

            await asyncio.to_thread(stack.ctl, "/_sim/miss", {})
            recent = page.locator("hui-logbook-card").filter(has_text="Recent calls")
            await recent.get_by_text(
                f"Missed call from {number} on line 1"
            ).first.wait_for(timeout=20_000)
            shown = await browser.deep_text(recent.first)
            assert f"Incoming call from {number} on line 1" in shown
            assert "changed to" not in shown  # no line sensor rows
            await page.screenshot(path=str(shots / "dashboard-call-history.png"))

    asyncio.run(scenario())


def test_action_error_reads_as_ours(stack: Stack) -> None:
    """An action run the way the frontend runs it fails with our words only."""

    async def run(client: HomeAssistantClient) -> str:
        async with client.websocket() as ws:
            try:
                await ws.command(
                    "execute_script",
                    sequence=[
                        {
                            "action": "grandstream.dial",
                            "data": {
                                "device_id": stack.phone.device_id,
                                "number": "12ab",
                            },
                        }
                    ],
                )
            except HomeAssistantError as err:
                return str(err)
            finally:
                await ws.close()
        raise AssertionError("the action did not fail")

    message = stack.run(run)
    assert '"12ab" is not a number a phone can dial' in message
    assert "Got" not in message
