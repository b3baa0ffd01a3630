"""Repair issues: what the user has to do about a phone, and fixes we can offer.

- push not seen: until the first push arrives, the Action URLs to paste;
- Action URL too long: Home Assistant's address leaves the phone no room;
- slots in use (fixable): zero-touch setup left fields alone that something
  else uses; the fix takes them over (the user's explicit choice);
- push stopped (fixable): a phone set up by Home Assistant stopped pushing;
  the fix writes the Action URLs again;
- CVE-2026-2329: the phone's firmware has a known flaw; update it;
- automations still using the replaced DND binary sensor (raised and
  followed by replaced_entities.py, removed here with the phone).

Fixes log in to the phone once per submit, never on their own.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.repairs import RepairsFlow
from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .action_urls import (
    MAX_ACTION_URL_LENGTH,
    action_url_text,
    action_urls,
    home_assistant_url,
    max_base_length,
    too_long,
)
from .compat import RepairsStepResult
from .const import (
    CONF_FIRMWARE,
    CONF_FOREIGN_SLOTS,
    CONF_MODEL,
    CONF_PHONE_SET_UP,
    CONF_REWRITE_REFUSED,
    DOMAIN,
)
from .coordinator import GrandstreamConfigEntry, GrandstreamCoordinator
from .cti import GrandstreamError
from .errors import error_placeholders, form_error
from .phone_setup import (
    NoLocalUrlError,
    OtherPhoneError,
    ReauthPendingError,
    affected_by_cve_2026_2329,
    async_follow_home_assistant_url,
    async_set_up_again,
    setup_result,
)
from .push_health import PushHealth
from .replaced_entities import dnd_issue_id
from .texts import phrases

ISSUE_PUSH_NOT_SEEN = "push_not_seen"
# The same, while Home Assistant's local URL is unknown (nothing to paste yet).
ISSUE_PUSH_NOT_SEEN_NO_URL = "push_not_seen_no_url"
ISSUE_URL_TOO_LONG = "action_url_too_long"
ISSUE_SLOTS_IN_USE = "slots_in_use"
ISSUE_PUSH_STOPPED = "push_stopped"
ISSUE_FIRMWARE_CVE = "firmware_cve_2026_2329"

ALL_ISSUES = (
    ISSUE_PUSH_NOT_SEEN,
    ISSUE_URL_TOO_LONG,
    ISSUE_SLOTS_IN_USE,
    ISSUE_PUSH_STOPPED,
    ISSUE_FIRMWARE_CVE,
)


def issue_id(kind: str, entry_id: str) -> str:
    """The id of one phone's repair issue of ``kind``."""
    return f"{kind}_{entry_id}"


@callback
def async_follow_phone(hass: HomeAssistant, entry: GrandstreamConfigEntry) -> None:
    """Keep the phone's repairs in step with what its coordinator publishes."""
    coordinator = entry.runtime_data

    @callback
    def changed(_news: None = None) -> None:
        # A phone Home Assistant set up has its URLs: nothing to paste; if its
        # pushes go missing, "push stopped" offers to write them again.
        set_up = bool(entry.data.get(CONF_PHONE_SET_UP))
        seen = coordinator.push_health is not PushHealth.NEVER_SEEN
        _update_push_issues(hass, entry, push_seen=seen or set_up)
        _set_issue(
            hass,
            entry,
            ISSUE_PUSH_STOPPED,
            show=set_up
            and (
                coordinator.pushes_missing or bool(entry.data.get(CONF_REWRITE_REFUSED))
            ),
            fixable=True,
        )
        async_update_phone_issues(hass, entry)

    changed()
    entry.async_on_unload(coordinator.record_changed.connect(changed))


@callback
def async_update_phone_issues(hass: HomeAssistant, entry: ConfigEntry[Any]) -> None:
    """Repairs that follow from the entry's data: slots in use, the firmware."""
    foreign = list(entry.data.get(CONF_FOREIGN_SLOTS, []))
    _set_issue(
        hass,
        entry,
        ISSUE_SLOTS_IN_USE,
        show=bool(foreign),
        fixable=True,
        placeholders={"events": phrases(hass).events(foreign)},
    )
    model, firmware = entry.data.get(CONF_MODEL), entry.data.get(CONF_FIRMWARE)
    _set_issue(
        hass,
        entry,
        ISSUE_FIRMWARE_CVE,
        show=affected_by_cve_2026_2329(model, firmware),
        severity=ir.IssueSeverity.ERROR,
        placeholders={"model": str(model), "firmware": str(firmware)},
    )


async def async_follow_url_and_update_issues(
    hass: HomeAssistant, entry: ConfigEntry[Any]
) -> None:
    """Rewrite our Action URLs if Home Assistant moved; then the repairs follow.

    The phone may have been found with another slot in use meanwhile; when
    it refused, the user is offered to set it up (never retried on our own).
    """
    followed = await async_follow_home_assistant_url(hass, entry)
    if followed is None:
        async_update_phone_issues(hass, entry)
    elif followed:
        async_phone_set_up_again(hass, entry)
    else:
        _set_issue(hass, entry, ISSUE_PUSH_STOPPED, show=True, fixable=True)
        async_update_phone_issues(hass, entry)


@callback
def async_phone_set_up_again(hass: HomeAssistant, entry: ConfigEntry[Any]) -> None:
    """Our Action URLs are on the phone again: the repairs follow.

    Pushes found missing before are forgotten; the push monitor raises
    "push stopped" again if they still do not come.
    """
    if entry.state is ConfigEntryState.LOADED:
        coordinator: GrandstreamCoordinator = entry.runtime_data
        coordinator.urls_written()
    _set_issue(hass, entry, ISSUE_PUSH_STOPPED, show=False)
    async_update_phone_issues(hass, entry)


@callback
def _set_issue(
    hass: HomeAssistant,
    entry: ConfigEntry[Any],
    kind: str,
    *,
    show: bool,
    fixable: bool = False,
    severity: ir.IssueSeverity = ir.IssueSeverity.WARNING,
    placeholders: dict[str, str] | None = None,
) -> None:
    if not show:
        ir.async_delete_issue(hass, DOMAIN, issue_id(kind, entry.entry_id))
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id(kind, entry.entry_id),
        is_fixable=fixable,
        severity=severity,
        translation_key=kind,
        translation_placeholders={"name": entry.title, **(placeholders or {})},
        data={"entry_id": entry.entry_id, "kind": kind} if fixable else None,
    )


@callback
def _update_push_issues(
    hass: HomeAssistant, entry: ConfigEntry[Any], *, push_seen: bool
) -> None:
    webhook_id = str(entry.data[CONF_WEBHOOK_ID])
    base = home_assistant_url(hass)
    long = too_long(action_urls(base, webhook_id)) if base else []
    _set_issue(
        hass,
        entry,
        ISSUE_URL_TOO_LONG,
        show=bool(long),
        placeholders={
            "events": phrases(hass).events(long),
            "max": str(MAX_ACTION_URL_LENGTH),
            "base_max": str(max_base_length(webhook_id)),
        },
    )
    not_seen = issue_id(ISSUE_PUSH_NOT_SEEN, entry.entry_id)
    if push_seen:
        ir.async_delete_issue(hass, DOMAIN, not_seen)
        return
    urls = action_url_text(hass, webhook_id)
    ir.async_create_issue(
        hass,
        DOMAIN,
        not_seen,
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        # Without a local URL there is nothing to paste yet: say how to set it.
        translation_key=ISSUE_PUSH_NOT_SEEN if urls else ISSUE_PUSH_NOT_SEEN_NO_URL,
        translation_placeholders={"name": entry.title, "urls": urls or ""},
    )


@callback
def async_delete_issues(hass: HomeAssistant, entry_id: str) -> None:
    """Remove every repair of a phone that is gone."""
    for kind in ALL_ISSUES:
        ir.async_delete_issue(hass, DOMAIN, issue_id(kind, entry_id))
    ir.async_delete_issue(hass, DOMAIN, dnd_issue_id(entry_id))


class PhoneSetupRepairFlow(RepairsFlow):
    """Set the phone up again: take over foreign slots, or rewrite our URLs."""

    def __init__(self, entry_id: str, *, take_over: bool) -> None:
        """Remember which phone, and whether foreign slots are taken over."""
        self._entry_id = entry_id
        self._take_over = take_over

    async def async_step_init(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsStepResult:
        """Start with the confirmation."""
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsStepResult:
        """One login per submit; done only when the phone kept everything."""
        entry = self.hass.config_entries.async_get_entry(self._entry_id)
        if entry is None:
            return self.async_abort(reason="phone_removed")
        foreign = (
            tuple(entry.data.get(CONF_FOREIGN_SLOTS, [])) if self._take_over else ()
        )
        placeholders = {
            "name": entry.title,
            "events": phrases(self.hass).events(foreign),
        }
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                report = await async_set_up_again(self.hass, entry, take_over=foreign)
            except ReauthPendingError:
                errors["base"] = "reauth_pending"
            except OtherPhoneError:
                return self.async_abort(reason="wrong_device")
            except NoLocalUrlError:
                errors["base"] = "no_local_url"
            except GrandstreamError as err:
                errors["base"] = form_error(err)
                placeholders.update(error_placeholders(err))
            else:
                async_phone_set_up_again(self.hass, entry)
                key, result = setup_result(report, phrases(self.hass))
                if key != "set_up_complete":
                    # Not everything took: say what, and keep what is left.
                    return self.async_abort(
                        reason=key,
                        description_placeholders={"name": entry.title, **result},
                    )
                return self.async_create_entry(data={})
        return self.async_show_form(
            step_id="confirm",
            description_placeholders=placeholders,
            errors=errors,
        )


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, Any] | None
) -> RepairsFlow:
    """The fix of a fixable repair (slots in use, push stopped)."""
    assert data is not None
    return PhoneSetupRepairFlow(
        str(data["entry_id"]), take_over=data["kind"] == ISSUE_SLOTS_IN_USE
    )
