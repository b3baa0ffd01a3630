"""Config flow: add a phone by address and passcode, or from DHCP discovery."""

from __future__ import annotations

from collections.abc import Mapping
import hashlib
from typing import Any

from homeassistant.config_entries import (
    SOURCE_REAUTH,
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.const import CONF_HOST, CONF_SSL, CONF_VERIFY_SSL, CONF_WEBHOOK_ID
from homeassistant.core import callback
from homeassistant.helpers.device_registry import format_mac
from homeassistant.helpers.selector import (
    BooleanSelector,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
from yarl import URL

from . import create_client
from .compat import vol
from .const import CONF_PASSCODE, DOMAIN, LOGGER
from .cti import (
    GrandstreamAuthenticationError,
    GrandstreamConnectionError,
    GrandstreamForbiddenError,
    GrandstreamLockedError,
    GrandstreamResponseError,
    build_base_url,
)
from .identity import async_adopt_mac
from .neighbours import async_mac_from_neighbours
from .push import action_url_text

PASSCODE_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
CONNECTION_FIELDS = {
    vol.Required(CONF_HOST): TextSelector(),
    vol.Required(CONF_SSL, default=False): BooleanSelector(),
    vol.Required(CONF_VERIFY_SSL, default=False): BooleanSelector(),
}


def _normalise_host(host: str, use_ssl: bool) -> str:
    """Return ``host[:port]`` as the client will use it; ValueError if invalid."""
    url = build_base_url(host, use_ssl=use_ssl)
    assert url.host is not None  # build_base_url guarantees a host
    host_part = f"[{url.host}]" if ":" in url.host else url.host
    return host_part if url.is_default_port() else f"{host_part}:{url.port}"


def _stored_url(host: str) -> URL:
    """Parse a stored ``host[:port]``; the scheme is irrelevant to the caller."""
    return URL(f"http://{host}")


def _attempt_key(data: Mapping[str, Any]) -> str:
    """A hash standing for (host, passcode), so the flow keeps no passcode."""
    text = f"{data[CONF_HOST]}\0{data[CONF_PASSCODE]}"
    return hashlib.sha256(text.encode()).hexdigest()


class GrandstreamConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a Grandstream phone."""

    VERSION = 1
    MINOR_VERSION = 1

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """The options dialog shows the Action URLs to paste into the phone."""
        return ActionUrlsFlow()

    def __init__(self) -> None:
        """Start with nothing discovered and no passcode rejected."""
        self._discovered_host: str | None = None
        # Hashes of (host, passcode) the phone rejected in this flow.
        self._rejected_attempts: set[str] = set()
        # Reconfigure: the stored passcode is known to be rejected.
        self._needs_passcode = False

    async def _async_check_phone(
        self, data: Mapping[str, Any]
    ) -> tuple[dict[str, str], str | None]:
        """Talk to the phone once; return form errors and the MAC if learnt.

        A single request, so one submit can never cost more than one of the
        phone's five passcode attempts, and a passcode this flow already saw
        rejected by this phone is not sent again.
        """
        attempt = _attempt_key(data)
        if attempt in self._rejected_attempts:
            return {"base": "invalid_auth"}, None
        client = create_client(self.hass, dict(data))
        try:
            await client.phone_status()
        except GrandstreamLockedError:
            return {"base": "locked_out"}, None
        except GrandstreamAuthenticationError:
            self._rejected_attempts.add(attempt)
            return {"base": "invalid_auth"}, None
        except GrandstreamForbiddenError:
            return {"base": "cti_disabled"}, None
        except GrandstreamConnectionError:
            return {"base": "cannot_connect"}, None
        except GrandstreamResponseError:
            return {"base": "invalid_response"}, None
        except Exception:  # noqa: BLE001 - a flow must never crash on a bug
            LOGGER.exception("Unexpected error while checking the phone")
            return {"base": "unknown"}, None
        return {}, await async_mac_from_neighbours(self.hass, client.base_url)

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the phone's address and passcode."""
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                host = _normalise_host(user_input[CONF_HOST], user_input[CONF_SSL])
            except ValueError:
                errors[CONF_HOST] = "invalid_host"
            else:
                data = {**user_input, CONF_HOST: host}
                # Checked before any request: a duplicate costs no passcode try.
                self._async_abort_entries_match({CONF_HOST: host})
                errors, mac = await self._async_check_phone(data)
                if not errors:
                    return await self._async_create(data, mac)
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(
                    {
                        vol.Required(CONF_HOST): TextSelector(),
                        vol.Required(CONF_PASSCODE): PASSCODE_SELECTOR,
                        vol.Required(CONF_SSL, default=False): BooleanSelector(),
                        vol.Required(CONF_VERIFY_SSL, default=False): BooleanSelector(),
                    }
                ),
                {k: v for k, v in (user_input or {}).items() if k != CONF_PASSCODE},
            ),
            errors=errors,
        )

    async def _async_create(
        self, data: dict[str, Any], mac: str | None
    ) -> ConfigFlowResult:
        if mac:
            # The user's own flow wins over a discovery of the same phone.
            await self.async_set_unique_id(mac, raise_on_progress=False)
            self._abort_if_unique_id_configured(updates={CONF_HOST: data[CONF_HOST]})
        return self.async_create_entry(
            title=f"Grandstream {data[CONF_HOST]}", data=data
        )

    async def async_step_dhcp(
        self, discovery_info: DhcpServiceInfo
    ) -> ConfigFlowResult:
        """A phone with a Grandstream MAC appeared, or a known one moved."""
        mac = format_mac(discovery_info.macaddress)
        await self.async_set_unique_id(mac)
        entry = self.hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, mac)
        if entry is not None and CONF_HOST in entry.data:
            # Follow the phone to its new address, keeping a custom port
            # (stored hosts never carry their scheme's default port).
            port = _stored_url(entry.data[CONF_HOST]).explicit_port
            new_host = (
                discovery_info.ip if port is None else f"{discovery_info.ip}:{port}"
            )
            self._abort_if_unique_id_configured(updates={CONF_HOST: new_host})
        # An ignored discovery has no host to update, but still ends this one.
        self._abort_if_unique_id_configured()
        for entry in self._async_current_entries(include_ignore=False):
            if (
                entry.unique_id is None
                and _stored_url(entry.data[CONF_HOST]).host == discovery_info.ip
            ):
                # Added by address before its MAC was known: learn it now,
                # moving its device and entities to the MAC-based ids.
                await async_adopt_mac(self.hass, entry, mac)
                self.hass.config_entries.async_schedule_reload(entry.entry_id)
                return self.async_abort(reason="already_configured")
        self._discovered_host = discovery_info.ip
        self.context["title_placeholders"] = {"host": discovery_info.ip}
        return await self.async_step_dhcp_confirm()

    async def async_step_dhcp_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask only for the passcode of the discovered phone."""
        assert self._discovered_host is not None
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {
                CONF_HOST: self._discovered_host,
                CONF_PASSCODE: user_input[CONF_PASSCODE],
                CONF_SSL: False,
                CONF_VERIFY_SSL: False,
            }
            errors, _ = await self._async_check_phone(data)
            if not errors:
                return self.async_create_entry(
                    title=f"Grandstream {self._discovered_host}", data=data
                )
        return self.async_show_form(
            step_id="dhcp_confirm",
            data_schema=vol.Schema({vol.Required(CONF_PASSCODE): PASSCODE_SELECTOR}),
            description_placeholders={"host": self._discovered_host},
            errors=errors,
        )

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """The phone rejected the passcode: ask for the new one."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask only for the passcode; nothing is retried on our own."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**entry.data, CONF_PASSCODE: user_input[CONF_PASSCODE]}
            errors, _ = await self._async_check_phone(data)
            if not errors:
                return self.async_update_reload_and_abort(
                    entry, data_updates={CONF_PASSCODE: user_input[CONF_PASSCODE]}
                )
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema({vol.Required(CONF_PASSCODE): PASSCODE_SELECTOR}),
            description_placeholders={"host": entry.data[CONF_HOST]},
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the address or the connection security of the phone.

        The stored passcode is used to check the phone, unless it is known to
        be rejected (a reauthentication is pending, or the phone just said
        so): then the form asks for the passcode too, since sending a
        rejected one again would bring the phone closer to locking.
        """
        entry = self._get_reconfigure_entry()
        if any(entry.async_get_active_flows(self.hass, {SOURCE_REAUTH})):
            self._needs_passcode = True
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                host = _normalise_host(user_input[CONF_HOST], user_input[CONF_SSL])
            except ValueError:
                errors[CONF_HOST] = "invalid_host"
            else:
                data = {**entry.data, **user_input, CONF_HOST: host}
                errors, mac = await self._async_check_phone(data)
                if errors.get("base") == "invalid_auth":
                    self._needs_passcode = True
                if not errors:
                    return await self._async_finish_reconfigure(data, mac)
        fields = dict(CONNECTION_FIELDS)
        if self._needs_passcode:
            fields[vol.Required(CONF_PASSCODE)] = PASSCODE_SELECTOR
        suggested = {
            k: v
            for k, v in (user_input or dict(entry.data)).items()
            if k != CONF_PASSCODE
        }
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(fields), suggested
            ),
            errors=errors,
        )

    async def _async_finish_reconfigure(
        self, data: dict[str, Any], mac: str | None
    ) -> ConfigFlowResult:
        entry = self._get_reconfigure_entry()
        assert self.source == SOURCE_RECONFIGURE
        if mac:
            await self.async_set_unique_id(mac)
            if entry.unique_id:
                self._abort_if_unique_id_mismatch(reason="wrong_device")
            else:
                self._abort_if_unique_id_configured()
                # Learnt the MAC: device and entities move to MAC-based ids.
                await async_adopt_mac(self.hass, entry, mac)
        for flow in entry.async_get_active_flows(self.hass, {SOURCE_REAUTH}):
            # The new passcode given here settles the pending reauth.
            self.hass.config_entries.flow.async_abort(flow["flow_id"])
        return self.async_update_reload_and_abort(entry, data=data)


class ActionUrlsFlow(OptionsFlow):
    """Shows the phone's Action URLs; there is nothing to choose.

    Polling adapts to push on its own, so there are no options to set.
    """

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the URLs; closing the dialog changes nothing."""
        if user_input is not None:
            return self.async_create_entry(data=dict(self.config_entry.options))
        webhook_id = self.config_entry.data.get(CONF_WEBHOOK_ID)
        errors: dict[str, str] = {}
        urls = action_url_text(self.hass, str(webhook_id)) if webhook_id else None
        if not webhook_id:
            errors["base"] = "no_webhook"
        elif urls is None:
            errors["base"] = "no_local_url"
        return self.async_show_form(
            step_id="init",
            data_schema=vol.Schema({}),
            description_placeholders={"urls": urls or ""},
            errors=errors,
        )
