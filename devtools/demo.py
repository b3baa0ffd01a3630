"""Set up Home Assistant with simulated phones, as a person would, over HTTP.

Steps (each skipped when already done, so a second start reuses the state):

1. the configuration directory: configuration.yaml, the integration and the
   dashboards linked from the working tree, onboarding's ``core_config``,
   ``analytics`` and ``integration`` steps marked done before the first start
   (finishing ``core_config`` over HTTP would add integrations that need the
   internet);
2. onboarding's user step over HTTP (the demo user), or a login;
3. each phone added through the integration's config flow, with its last step
   ("Set up the phone for Home Assistant") ticked: the integration logs in to the
   phone's web interface and writes the Action URLs and Click-To-Dial itself, and
   learns the phone's MAC, model and firmware from that login. A phone added on
   an earlier start is set up again through its options dialog instead (a
   simulator starts with empty settings, like a phone after a factory reset);
4. the phone's device named "Desk phone" ("Desk phone 2", ...) and its entity ids
   renamed to ``*.desk_phone_*`` (``*.desk_phone_2_*``), so the dashboard's YAML
   does not depend on the simulator's port.

Nothing here sets the phone's Action URLs through the simulator's control API:
push works because the integration configured the phone, as it would a real one.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import json
import os
from pathlib import Path
import re
import shutil
import time
from typing import Any
import urllib.request
import zipfile

from .client import HomeAssistantClient, HomeAssistantError
from .processes import REPO

DOMAIN = "grandstream"
DEMO_NAME = "Demo"
DEMO_USER = "demo"
DEMO_PASSWORD = "demo-demo"  # a documented local demo login
PASSCODE = "admin"  # the simulator's default
CONFIGURATION = REPO / "config" / "configuration.yaml"
_WEBHOOK = re.compile(r"/api/webhook/([A-Za-z0-9_-]+)\?")
# Files scripts/develop --reset removes; configuration.yaml and what is tracked stay.
RUNTIME_FILES = (
    ".storage",
    ".cloud",
    "deps",
    "tts",
    "www",
    "blueprints",
    ".HA_VERSION",
    ".ha_run.lock",
    "home-assistant.log",
    "home-assistant.log.1",
    "home-assistant.log.fault",
    "home-assistant_v2.db",
    "home-assistant_v2.db-shm",
    "home-assistant_v2.db-wal",
    "secrets.yaml",
)


@dataclass
class Phone:
    """One configured phone: where it is, what Home Assistant calls it."""

    index: int
    sim_url: str
    entry_id: str
    device_id: str
    slug: str  # entity id prefix: desk_phone, desk_phone_2, ...
    webhook_id: str

    def entity(self, domain: str, key: str) -> str:
        """The entity id of one of the phone's entities, e.g. ('sensor', 'line_1')."""
        return f"{domain}.{self.slug}_{key}"


def phone_title(index: int) -> str:
    """Device name of the ``index``-th phone (1-based)."""
    return "Desk phone" if index == 1 else f"Desk phone {index}"


def phone_slug(index: int) -> str:
    """Entity id prefix of the ``index``-th phone."""
    return "desk_phone" if index == 1 else f"desk_phone_{index}"


def slugify(text: str) -> str:
    """Home Assistant's slug for plain ASCII names ("Grandstream 1.2.3.4:80")."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def prepare_config_dir(
    config_dir: Path,
    *,
    reset: bool = False,
    configuration: Path = CONFIGURATION,
    integration_zip: Path | None = None,
) -> None:
    """Make ``config_dir`` ready for ``hass -c``: links, configuration, onboarding seed.

    ``integration_zip``: install the integration from a release zip (unpacked into
    custom_components/grandstream, as HACS does) instead of linking the source.
    """
    config_dir.mkdir(parents=True, exist_ok=True)
    if reset:
        for name in RUNTIME_FILES:
            path = config_dir / name
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            elif path.exists() or path.is_symlink():
                path.unlink()
    target = config_dir / "configuration.yaml"
    if target.resolve() != configuration.resolve():
        if target.exists() and target.read_bytes() != configuration.read_bytes():
            # Never overwrite (and later clean up the phones of) a real
            # Home Assistant configuration given by mistake.
            raise RuntimeError(
                f"{target} is not the demo's configuration; use an empty --config"
            )
        shutil.copyfile(configuration, target)
    if integration_zip is None:
        _link(
            config_dir / "custom_components" / DOMAIN,
            REPO / "custom_components" / DOMAIN,
        )
    else:
        install_zip(config_dir, integration_zip)
    _link(config_dir / "dashboards", REPO / "dashboards")
    storage = config_dir / ".storage"
    storage.mkdir(exist_ok=True)
    onboarding = storage / "onboarding"
    if not onboarding.exists():
        # Everything but the user step: Home Assistant then counts as onboarded as
        # soon as the demo user exists, and the core_config step (which adds
        # internet-hungry integrations) never runs.
        onboarding.write_text(
            json.dumps(
                {
                    "version": 4,
                    "minor_version": 1,
                    "key": "onboarding",
                    "data": {"done": ["core_config", "analytics", "integration"]},
                },
                indent=2,
            )
        )


def install_zip(config_dir: Path, integration_zip: Path) -> Path:
    """Unpack the integration's release zip where HACS puts it; returns the folder."""
    target = config_dir / "custom_components" / DOMAIN
    if target.is_symlink() or target.is_file():
        target.unlink()
    elif target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    with zipfile.ZipFile(integration_zip) as archive:
        for name in archive.namelist():
            # The zip is ours, but a path leaving the folder is refused anyway.
            path = (target / name).resolve()
            if not path.is_relative_to(target.resolve()):
                raise RuntimeError(f"{integration_zip}: {name} leaves the folder")
        archive.extractall(target)
    return target


def _link(link: Path, target: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() and Path(os.readlink(link)) == Path(
        os.path.relpath(target, link.parent)
    ):
        return
    if link.is_symlink() or link.is_file():
        link.unlink()
    elif link.exists():
        raise RuntimeError(f"{link} exists and is not a link; remove it")
    link.symlink_to(os.path.relpath(target, link.parent))


def stale_entries(config_dir: Path, sim_urls: list[str]) -> list[str]:
    """Phones of an earlier start that the simulators of this start do not match.

    Read from the stored config entries (Home Assistant is not running yet): an
    entry whose host is not the simulated phone its title names (other ports, or
    more phones than now) would only log connection errors, so it is replaced.
    """
    path = config_dir / ".storage" / "core.config_entries"
    if not path.exists():
        return []
    entries = json.loads(path.read_text())["data"]["entries"]
    wanted = {
        phone_title(i): url.split("://", 1)[1] for i, url in enumerate(sim_urls, 1)
    }
    return [
        entry["entry_id"]
        for entry in entries
        if entry["domain"] == DOMAIN
        and wanted.get(entry["title"]) != entry["data"].get("host")
    ]


async def ensure_logged_in(client: HomeAssistantClient) -> bool:
    """Onboard the demo user on first start, log in otherwise; True when onboarded now."""
    status = await client.onboarding_status()
    if status and not status.get("user", True):
        await client.onboard_user(DEMO_NAME, DEMO_USER, DEMO_PASSWORD)
        return True
    await client.login(DEMO_USER, DEMO_PASSWORD)
    return False


def sim_request(sim_url: str, path: str, body: Any = None) -> Any:
    """Call the simulator's control API (GET without a body, POST with one)."""
    request = urllib.request.Request(
        sim_url.rstrip("/") + path,
        data=None if body is None else json.dumps(body).encode(),
        method="GET" if body is None else "POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


async def async_sim(sim_url: str, path: str, body: Any = None) -> Any:
    """``sim_request`` off the event loop (the benchmark rings many phones)."""
    return await asyncio.to_thread(sim_request, sim_url, path, body)


async def add_phone(
    client: HomeAssistantClient, index: int, sim_url: str, *, push: bool = True
) -> Phone:
    """Add (or find) the phone at ``sim_url``, set it up and name it.

    ``push``: tick "Set up the phone for Home Assistant" (the integration
    writes the phone's Action URLs); unticked, the phone is only polled.
    """
    host = sim_url.split("://", 1)[1].rstrip("/")
    title = phone_title(index)
    entries = {e["title"]: e for e in await client.config_entries(DOMAIN)}
    entry = entries.get(title)
    if entry is None:
        result = await client.config_flow(
            DOMAIN,
            {
                "host": host,
                "passcode": PASSCODE,
                "connection": "auto",
                "verify_ssl": False,
            },
            {"set_up_phone": push, "web_username": "admin"},
        )
        if result.get("type") != "create_entry":
            raise HomeAssistantError(f"adding the phone at {host} failed: {result}")
        entry_id = result["result"]["entry_id"]
        outcome = result.get("description")
    else:
        entry_id = entry["entry_id"]
        outcome = await set_up_again(client, entry_id) if push else None
    if push and outcome != "set_up_complete":
        raise HomeAssistantError(f"setting up the phone at {host} failed: {outcome}")
    await _wait_entry_loaded(client, entry_id)
    async with client.websocket() as ws:
        try:
            device_id = await _name_phone(ws, entry_id, title, phone_slug(index))
        finally:
            await ws.close()
    webhook_id = await webhook_id_of(client, entry_id)
    phone = Phone(index, sim_url, entry_id, device_id, phone_slug(index), webhook_id)
    await client.wait_state(
        phone.entity("sensor", "line_1"),
        lambda s: s["state"] not in ("unavailable", "unknown"),
        within=30,
    )
    return phone


async def set_up_again(client: HomeAssistantClient, entry_id: str) -> str | None:
    """Configure → "Set up the phone again"; the outcome's key (set_up_complete...)."""
    result = await client.options_flow(
        entry_id, {"next_step_id": "set_up"}, {"web_username": "admin"}
    )
    if result.get("type") != "abort":
        raise HomeAssistantError(f"setting up the phone again failed: {result}")
    reason: str | None = result.get("reason")
    return reason


async def _wait_entry_loaded(
    client: HomeAssistantClient, entry_id: str, within: float = 60.0
) -> None:
    deadline = time.monotonic() + within
    while True:
        entries = {e["entry_id"]: e for e in await client.config_entries(DOMAIN)}
        state = entries.get(entry_id, {}).get("state")
        if state == "loaded":
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"config entry {entry_id} is {state}, not loaded")
        await asyncio.sleep(0.3)


async def _name_phone(ws: Any, entry_id: str, title: str, slug: str) -> str:
    """Name the device and rename the entity ids; return the device id."""
    await ws.command("config_entries/update", entry_id=entry_id, title=title)
    devices = [
        d
        for d in await ws.command("config/device_registry/list")
        if entry_id in d["config_entries"]
    ]
    if not devices:
        raise HomeAssistantError(f"no device for config entry {entry_id}")
    device = devices[0]
    if device.get("name_by_user") != title:
        await ws.command(
            "config/device_registry/update", device_id=device["id"], name_by_user=title
        )
    old_prefix = slugify(device["name"] or "")
    for item in await ws.command("config/entity_registry/list"):
        if item["config_entry_id"] != entry_id:
            continue
        domain, object_id = item["entity_id"].split(".", 1)
        if object_id.startswith(slug + "_") or not object_id.startswith(old_prefix):
            continue
        new_id = f"{domain}.{slug}{object_id[len(old_prefix) :]}"
        await ws.command(
            "config/entity_registry/update",
            entity_id=item["entity_id"],
            new_entity_id=new_id,
        )
    return str(device["id"])


async def webhook_id_of(client: HomeAssistantClient, entry_id: str) -> str:
    """The entry's webhook id, read from its options dialog (which shows the URLs)."""
    form = await client.options_flow(entry_id, {"next_step_id": "urls"})
    urls = (form.get("description_placeholders") or {}).get("urls", "")
    match = _WEBHOOK.search(urls)
    if match is None:
        raise HomeAssistantError(f"no Action URL in the options dialog: {form}")
    return match.group(1)


async def setup(
    base_url: str,
    sim_urls: list[str],
    *,
    push: bool = True,
    remove_entries: list[str] | None = None,
) -> tuple[HomeAssistantClient, list[Phone], bool]:
    """Log in (onboarding first if needed) and add every phone.

    Returns the logged-in client (still open: close it with ``__aexit__``), the
    phones and whether onboarding happened now.
    """
    client = HomeAssistantClient(base_url)
    await client.__aenter__()
    try:
        onboarded_now = await ensure_logged_in(client)
        await client.wait_running()
        for entry_id in remove_entries or ():
            await client.request(
                "DELETE", f"/api/config/config_entries/entry/{entry_id}"
            )
        phones = [
            await add_phone(client, index, url, push=push)
            for index, url in enumerate(sim_urls, start=1)
        ]
    except BaseException:
        await client.__aexit__(None, None, None)
        raise
    return client, phones, onboarded_now
