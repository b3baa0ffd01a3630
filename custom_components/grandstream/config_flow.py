"""Config flow: add a phone by address and passcode, or from DHCP discovery.

Each submit of a passcode costs the phone one of its five attempts, so every
step sends it in exactly one request, only when the user submits, and never
again on its own. How to reach the phone (HTTPS first) is found out before,
without the passcode. After the phone accepted the passcode, the flow offers
to set the phone up for Home Assistant (zero-touch, see phone_setup.py).
"""

from __future__ import annotations

from collections.abc import Mapping
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
from homeassistant.data_entry_flow import AbortFlow
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.device_registry import format_mac
from homeassistant.helpers.selector import (
    BooleanSelector,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
from yarl import URL

from . import texts
from .action_urls import action_url_text, home_assistant_url, new_webhook_id
from .compat import vol
from .connection import create_client
from .const import (
    CONF_CONNECTION,
    CONF_PASSCODE,
    CONF_WEB_USERNAME,
    CONNECTION_AUTO,
    CONNECTION_HTTP,
    CONNECTION_HTTPS,
    DOMAIN,
    LOGGER,
)
from .cti import GrandstreamError, build_base_url, detect_scheme
from .errors import AUTH_FORM_ERRORS, error_placeholders, form_error
from .identity import async_adopt_mac
from .neighbours import async_mac_from_neighbours
from .phone_setup import (
    NoLocalUrlError,
    OtherPhoneError,
    PhoneIdentity,
    ReauthPendingError,
    async_run_phone_setup,
    async_set_up_again,
    entry_data_after_setup,
    setup_result,
)
from .repairs import async_phone_set_up_again

CONF_SET_UP_PHONE = "set_up_phone"
WEB_ACCOUNTS = ["admin", "user"]

PASSCODE_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
CONNECTION_SELECTOR = SelectSelector(
    SelectSelectorConfig(
        options=[CONNECTION_AUTO, CONNECTION_HTTPS, CONNECTION_HTTP],
        translation_key=CONF_CONNECTION,
        mode=SelectSelectorMode.DROPDOWN,
    )
)
ACCOUNT_SELECTOR = SelectSelector(
    SelectSelectorConfig(
        options=WEB_ACCOUNTS,
        translation_key=CONF_WEB_USERNAME,
        mode=SelectSelectorMode.DROPDOWN,
    )
)


def _stored_url(host: str) -> URL:
    """Parse a stored ``host[:port]``; the scheme is irrelevant to the caller."""
    return URL(f"http://{host}")


def _forced_host(host: str, use_ssl: bool) -> str:
    """``host[:port]`` for a forced scheme, the port only when not its default."""
    url = build_base_url(host, use_ssl=use_ssl)
    assert url.host is not None  # build_base_url guarantees a host
    host_part = f"[{url.host}]" if ":" in url.host else url.host
    return host_part if url.is_default_port() else f"{host_part}:{url.port}"


def _connection_of(data: Mapping[str, Any]) -> str:
    return CONNECTION_HTTPS if data.get(CONF_SSL) else CONNECTION_HTTP


class GrandstreamConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a Grandstream phone."""

    VERSION = 1
    MINOR_VERSION = 3

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """Set the phone up again, or show the Action URLs for manual use."""
        return PhoneOptionsFlow()

    def __init__(self) -> None:
        """Start with nothing discovered."""
        self._discovered_host: str | None = None
        # The phone checked so far (host, passcode, scheme), waiting for setup.
        self._data: dict[str, Any] = {}
        self._mac: str | None = None
        # Reconfigure: the stored passcode is known to be refused.
        self._needs_passcode = False
        # What the phone's last refusal said (attempts left, lock time).
        self._error_placeholders: dict[str, str] = {}

    # -- talking to the phone ------------------------------------------------

    async def _async_reach(self, host: str, connection: str) -> tuple[str, bool] | str:
        """How to reach ``host`` (stored host, HTTPS?), or a form error key.

        Automatic: HTTPS first, then HTTP, found out without the passcode.
        """
        try:
            if connection != CONNECTION_AUTO:
                use_ssl = connection == CONNECTION_HTTPS
                return _forced_host(host, use_ssl), use_ssl
            found = await detect_scheme(
                host, session=async_get_clientsession(self.hass)
            )
        except ValueError:
            return "invalid_host"
        except GrandstreamError:
            return "cannot_connect"
        except Exception:  # noqa: BLE001 - a flow must never crash on a bug
            LOGGER.exception("Unexpected error while finding out how to reach %s", host)
            return "unknown"
        return found.host, found.use_ssl

    async def _async_connection(
        self, user_input: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """The form's host and connection fields as entry data, or form errors."""
        reached = await self._async_reach(
            user_input[CONF_HOST], user_input[CONF_CONNECTION]
        )
        if isinstance(reached, str):
            field = CONF_HOST if reached == "invalid_host" else "base"
            return {}, {field: reached}
        host, use_ssl = reached
        return {
            CONF_HOST: host,
            CONF_SSL: use_ssl,
            CONF_VERIFY_SSL: user_input[CONF_VERIFY_SSL],
        }, {}

    async def _async_check_phone(self, data: Mapping[str, Any]) -> dict[str, str]:
        """Send the passcode once; form errors (empty when the phone accepted it).

        A single request, so a submit costs one of the phone's five attempts
        at most. The same passcode may be submitted again (the user may have
        fixed the phone's pop-up setting): that is their decision, and the
        form says what each submit costs.
        """
        self._error_placeholders = {}
        client = create_client(self.hass, data)
        try:
            await client.phone_status()
        except GrandstreamError as err:
            self._error_placeholders = error_placeholders(err)
            return {"base": form_error(err)}
        except Exception:  # noqa: BLE001 - a flow must never crash on a bug
            LOGGER.exception("Unexpected error while checking the phone")
            return {"base": "unknown"}
        self._mac = await async_mac_from_neighbours(self.hass, client.base_url)
        return {}

    # -- adding a phone -------------------------------------------------------

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the phone's address and passcode."""
        errors: dict[str, str] = {}
        if user_input is not None:
            connection, errors = await self._async_connection(user_input)
            if not errors:
                # Checked before the passcode is sent: a duplicate costs nothing.
                self._async_abort_entries_match({CONF_HOST: connection[CONF_HOST]})
                data = {**connection, CONF_PASSCODE: user_input[CONF_PASSCODE]}
                errors = await self._async_check_phone(data)
                if not errors:
                    return await self._async_phone_checked(data)
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(
                    {
                        vol.Required(CONF_HOST): TextSelector(),
                        vol.Required(CONF_PASSCODE): PASSCODE_SELECTOR,
                        vol.Required(
                            CONF_CONNECTION, default=CONNECTION_AUTO
                        ): CONNECTION_SELECTOR,
                        vol.Required(CONF_VERIFY_SSL, default=False): BooleanSelector(),
                    }
                ),
                {k: v for k, v in (user_input or {}).items() if k != CONF_PASSCODE},
            ),
            description_placeholders=self._error_placeholders,
            errors=errors,
        )

    async def _async_phone_checked(self, data: dict[str, Any]) -> ConfigFlowResult:
        """The phone accepted the passcode: offer to set it up."""
        if self._mac:
            # The user's own flow wins over a discovery of the same phone.
            await self.async_set_unique_id(self._mac, raise_on_progress=False)
            self._abort_if_known_phone(data)
        self._data = {**data, CONF_WEBHOOK_ID: new_webhook_id()}
        return await self.async_step_phone_setup()

    def _abort_if_known_phone(self, data: Mapping[str, Any]) -> None:
        """A phone set up already (same MAC): follow it, and say so.

        Added again at another address, the phone has moved (or has a second
        name): like a DHCP discovery, its entry follows it to the address,
        connection and passcode just checked (Home Assistant's
        ``_abort_if_unique_id_configured(updates=...)``), and the dialog says
        that the known phone's address was changed, never only "already set
        up".
        """
        entry = self.hass.config_entries.async_entry_for_domain_unique_id(
            DOMAIN, str(self.unique_id)
        )
        # The passcode too: the phone has just accepted the one typed here,
        # while the stored one may be refused (each refusal counts).
        updates = {
            key: data[key]
            for key in (CONF_HOST, CONF_SSL, CONF_VERIFY_SSL, CONF_PASSCODE)
        }
        moved = entry is not None and any(
            entry.data.get(key) != value for key, value in updates.items()
        )
        try:
            self._abort_if_unique_id_configured(
                updates=updates,
                error="address_updated" if moved else "already_configured",
            )
        except AbortFlow as abort:
            assert entry is not None  # only a configured phone aborts
            raise AbortFlow(
                abort.reason, {"name": entry.title, "host": data[CONF_HOST]}
            ) from None

    async def async_step_phone_setup(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Offer to set up the phone's push and Click-To-Dial (on by default)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            if not user_input[CONF_SET_UP_PHONE]:
                return self._async_create(self._data, description="set_up_skipped")
            username = user_input[CONF_WEB_USERNAME]
            try:
                report = await async_run_phone_setup(
                    self.hass,
                    self._data,
                    username=username,
                    check_identity=self._async_check_identity,
                )
            except NoLocalUrlError:
                errors["base"] = "no_local_url"
            except GrandstreamError as err:
                self._error_placeholders = error_placeholders(err)
                errors["base"] = form_error(err)
            else:
                base_url = home_assistant_url(self.hass) or ""
                data = entry_data_after_setup(
                    self._data, report, username=username, base_url=base_url
                )
                key, placeholders = setup_result(
                    report, await texts.async_phrases(self.hass)
                )
                return self._async_create(
                    data, description=key, description_placeholders=placeholders
                )
        return self.async_show_form(
            step_id="phone_setup",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(
                    {
                        vol.Required(
                            CONF_SET_UP_PHONE, default=True
                        ): BooleanSelector(),
                        vol.Required(
                            CONF_WEB_USERNAME, default="admin"
                        ): ACCOUNT_SELECTOR,
                    }
                ),
                user_input or {},
            ),
            description_placeholders={
                "host": self._data[CONF_HOST],
                "connection": "HTTPS" if self._data[CONF_SSL] else "HTTP",
                **self._error_placeholders,
            },
            errors=errors,
        )

    async def _async_check_identity(self, identity: PhoneIdentity) -> None:
        """Before anything is written: is this phone configured already?"""
        if identity.mac:
            await self.async_set_unique_id(identity.mac, raise_on_progress=False)
            self._abort_if_known_phone(self._data)

    @callback
    def _async_create(
        self,
        data: dict[str, Any],
        *,
        description: str,
        description_placeholders: dict[str, str] | None = None,
    ) -> ConfigFlowResult:
        return self.async_create_entry(
            title=f"Grandstream {data[CONF_HOST]}",
            data=data,
            description=description,
            description_placeholders=description_placeholders,
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
        self._mac = mac
        self.context["title_placeholders"] = {"host": discovery_info.ip}
        return await self.async_step_dhcp_confirm()

    async def async_step_dhcp_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask only for the passcode of the discovered phone."""
        assert self._discovered_host is not None
        errors: dict[str, str] = {}
        if user_input is not None:
            reached = await self._async_reach(self._discovered_host, CONNECTION_AUTO)
            if isinstance(reached, str):
                errors["base"] = reached
            else:
                host, use_ssl = reached
                data = {
                    CONF_HOST: host,
                    CONF_PASSCODE: user_input[CONF_PASSCODE],
                    CONF_SSL: use_ssl,
                    CONF_VERIFY_SSL: False,
                }
                mac = self._mac
                errors = await self._async_check_phone(data)
                self._mac = mac  # DHCP told the MAC already
                if not errors:
                    return await self._async_phone_checked(data)
        return self.async_show_form(
            step_id="dhcp_confirm",
            data_schema=vol.Schema({vol.Required(CONF_PASSCODE): PASSCODE_SELECTOR}),
            description_placeholders={
                "host": self._discovered_host,
                **self._error_placeholders,
            },
            errors=errors,
        )

    # -- fixing a phone's entry -------------------------------------------------

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """The phone refused the passcode: ask for it."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask only for the passcode; nothing is retried on our own."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**entry.data, CONF_PASSCODE: user_input[CONF_PASSCODE]}
            errors = await self._async_check_phone(data)
            if not errors:
                return self.async_update_reload_and_abort(
                    entry, data_updates={CONF_PASSCODE: user_input[CONF_PASSCODE]}
                )
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema({vol.Required(CONF_PASSCODE): PASSCODE_SELECTOR}),
            description_placeholders={
                "host": entry.data[CONF_HOST],
                **self._error_placeholders,
            },
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the address or the connection security of the phone.

        The stored passcode is used to check the phone, unless it is known to
        be refused (a reauthentication is pending, or the phone just said
        so): then the form asks for the passcode too, since sending a refused
        one again would bring the phone closer to locking.
        """
        entry = self._get_reconfigure_entry()
        if any(entry.async_get_active_flows(self.hass, {SOURCE_REAUTH})):
            self._needs_passcode = True
        errors: dict[str, str] = {}
        if user_input is not None:
            connection, errors = await self._async_connection(user_input)
            if not errors:
                data = {**entry.data, **connection}
                if CONF_PASSCODE in user_input:
                    data[CONF_PASSCODE] = user_input[CONF_PASSCODE]
                errors = await self._async_check_phone(data)
                if errors.get("base") in AUTH_FORM_ERRORS:
                    self._needs_passcode = True
                if not errors:
                    return await self._async_finish_reconfigure(data)
        fields: dict[Any, Any] = {
            vol.Required(CONF_HOST): TextSelector(),
            vol.Required(CONF_CONNECTION): CONNECTION_SELECTOR,
            vol.Required(CONF_VERIFY_SSL, default=False): BooleanSelector(),
        }
        if self._needs_passcode:
            fields[vol.Required(CONF_PASSCODE)] = PASSCODE_SELECTOR
        # Existing entries keep their scheme unless the user picks another.
        suggested = {
            CONF_CONNECTION: _connection_of(entry.data),
            **{
                k: v for k, v in entry.data.items() if k in (CONF_HOST, CONF_VERIFY_SSL)
            },
            **{k: v for k, v in (user_input or {}).items() if k != CONF_PASSCODE},
        }
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(fields), suggested
            ),
            description_placeholders=self._error_placeholders,
            errors=errors,
        )

    async def _async_finish_reconfigure(self, data: dict[str, Any]) -> ConfigFlowResult:
        entry = self._get_reconfigure_entry()
        assert self.source == SOURCE_RECONFIGURE
        if self._mac:
            # A pending discovery of this phone must not block fixing its entry.
            await self.async_set_unique_id(self._mac, raise_on_progress=False)
            if entry.unique_id:
                self._abort_if_unique_id_mismatch(reason="wrong_device")
            else:
                self._abort_if_unique_id_configured()
                # Learnt the MAC: device and entities move to MAC-based ids.
                await async_adopt_mac(self.hass, entry, self._mac)
        for flow in entry.async_get_active_flows(self.hass, {SOURCE_REAUTH}):
            # The new passcode given here settles the pending reauth.
            self.hass.config_entries.flow.async_abort(flow["flow_id"])
        return self.async_update_reload_and_abort(entry, data=data)


class PhoneOptionsFlow(OptionsFlow):
    """Set the phone up again, or show the Action URLs for pasting by hand.

    Polling adapts to push on its own, so there are no options to set, and
    nothing here ends with "options saved". Results are aborts, whose dialog
    has no title in older frontends: their texts start with a short bold
    line of their own. Every step names the phone (a menu's title cannot).
    """

    @property
    def _phone(self) -> dict[str, str]:
        """Placeholders naming the phone: the entry's title and address."""
        entry = self.config_entry
        return {"name": entry.title, "host": str(entry.data[CONF_HOST])}

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """What would you like to do?"""
        return self.async_show_menu(
            step_id="init",
            menu_options=["set_up", "urls"],
            description_placeholders=self._phone,
        )

    async def async_step_set_up(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Log in to the phone once and write the Action URLs again."""
        entry = self.config_entry
        errors: dict[str, str] = {}
        placeholders = self._phone
        if CONF_WEBHOOK_ID not in entry.data:
            # Made when the entry is first loaded: until then no URL to write.
            errors["base"] = "no_webhook"
        elif user_input is not None:
            try:
                report = await async_set_up_again(
                    self.hass, entry, username=user_input[CONF_WEB_USERNAME]
                )
            except OtherPhoneError:
                return self.async_abort(
                    reason="wrong_device", description_placeholders=self._phone
                )
            except ReauthPendingError:
                errors["base"] = "reauth_pending"
            except NoLocalUrlError:
                errors["base"] = "no_local_url"
            except GrandstreamError as err:
                placeholders.update(error_placeholders(err))
                errors["base"] = form_error(err)
            else:
                # Slots given up or found in use, firmware updated: repairs follow.
                async_phone_set_up_again(self.hass, entry)
                key, result = setup_result(report, await texts.async_phrases(self.hass))
                return self.async_abort(
                    reason=key, description_placeholders={**self._phone, **result}
                )
        return self.async_show_form(
            step_id="set_up",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema({vol.Required(CONF_WEB_USERNAME): ACCOUNT_SELECTOR}),
                {CONF_WEB_USERNAME: entry.data.get(CONF_WEB_USERNAME, "admin")},
            ),
            description_placeholders=placeholders,
            errors=errors,
        )

    async def async_step_urls(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the URLs to paste; closing the dialog changes (and saves) nothing.

        A menu, not a form: there is nothing to submit. Its one option is
        the alternative to pasting by hand.
        """
        webhook_id = self.config_entry.data.get(CONF_WEBHOOK_ID)
        if not webhook_id:
            return self.async_abort(reason="no_webhook")
        await texts.async_load(self.hass)
        if (urls := action_url_text(self.hass, str(webhook_id))) is None:
            return self.async_abort(reason="no_local_url")
        return self.async_show_menu(
            step_id="urls",
            menu_options=["set_up"],
            description_placeholders={**self._phone, "urls": urls},
        )
