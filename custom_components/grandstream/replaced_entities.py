"""Entities a later version replaced: Do Not Disturb moved from binary_sensor to switch.

Home Assistant cannot change an entity's domain, so the entry's migration to
1.3 (``async_replace_dnd_sensor``):

- registers the switch in the binary sensor's place: the same object id
  (``binary_sensor.front_desk_do_not_disturb`` becomes
  ``switch.front_desk_do_not_disturb``, a renamed one keeps its new name),
  with the name, icon, area, aliases, labels and categories the user gave
  it, disabled or hidden if the user had done so;
- removes the binary sensor from the entity registry, so no orphan stays;
- remembers the old entity id in the entry (``CONF_REPLACED_DND_SENSOR``):
  the first start after an upgrade from a version before the phone record
  takes the last known state from it (phone_record.old_values).

Automations and scripts that name the old entity cannot be rewritten for the
user. Once Home Assistant has loaded them (they load after integrations),
``async_follow_replaced_dnd_sensor`` raises a repair naming the new entity
and every automation and script that still uses the old one; it looks again
whenever automations are reloaded (the editor saves by reloading) and at
every start. When nothing refers to the old entity any more, the repair goes
and the entry forgets the old entity.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.automation import (
    EVENT_AUTOMATION_RELOADED,
    automations_with_entity,
)
from homeassistant.components.script import scripts_with_entity
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.helpers.start import async_at_started

from .const import CONF_REPLACED_DND_SENSOR, DND_KEY, DOMAIN, LOGGER
from .identity import entity_unique_id

ISSUE_DND_SENSOR_REPLACED = "dnd_sensor_replaced"
# The repair lists at most this many automations and scripts.
MAX_LISTED = 20


def dnd_issue_id(entry_id: str) -> str:
    """The id of a phone's "automations still use the DND sensor" repair."""
    return f"{ISSUE_DND_SENSOR_REPLACED}_{entry_id}"


@callback
def async_replace_dnd_sensor(hass: HomeAssistant, entry: ConfigEntry[Any]) -> None:
    """Migration 1.2 → 1.3: the DND binary sensor becomes the DND switch."""
    registry = er.async_get(hass)
    unique_id = entity_unique_id(entry, DND_KEY)
    old_id = registry.async_get_entity_id(Platform.BINARY_SENSOR, DOMAIN, unique_id)
    old = registry.async_get(old_id) if old_id else None
    if old is None:
        return  # a phone added after the binary sensor was gone, or removed by hand
    switch = registry.async_get_or_create(
        Platform.SWITCH,
        DOMAIN,
        unique_id,
        config_entry=entry,
        device_id=old.device_id,
        suggested_object_id=old.entity_id.split(".", 1)[1],
        # The user's choices; Home Assistant's own (an integration's) do not
        # carry over.
        disabled_by=(
            old.disabled_by
            if old.disabled_by is er.RegistryEntryDisabler.USER
            else None
        ),
        hidden_by=(
            old.hidden_by if old.hidden_by is er.RegistryEntryHider.USER else None
        ),
        translation_key=DND_KEY,
        has_entity_name=True,
    )
    registry.async_update_entity(
        switch.entity_id,
        name=old.name,
        icon=old.icon,
        area_id=old.area_id,
        aliases=old.aliases,
        labels=old.labels,
        categories=old.categories,
    )
    registry.async_remove(old.entity_id)
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_REPLACED_DND_SENSOR: old.entity_id}
    )
    LOGGER.info(
        "Do Not Disturb of %s is a switch now: %s replaces %s",
        entry.title,
        switch.entity_id,
        old.entity_id,
    )


@callback
def async_follow_replaced_dnd_sensor(
    hass: HomeAssistant, entry: ConfigEntry[Any]
) -> None:
    """Keep the repair in step with the automations and scripts using the old id."""
    if CONF_REPLACED_DND_SENSOR not in entry.data:
        return
    listening: list[CALLBACK_TYPE] = []

    @callback
    def stop() -> None:
        while listening:
            listening.pop()()

    @callback
    def check(_news: Event[Any] | HomeAssistant) -> None:
        if CONF_REPLACED_DND_SENSOR not in entry.data or _check(hass, entry):
            return
        # Nothing refers to the old entity any more: nothing left to follow.
        stop()
        hass.config_entries.async_update_entry(
            entry,
            data={k: v for k, v in entry.data.items() if k != CONF_REPLACED_DND_SENSOR},
        )

    entry.async_on_unload(stop)
    listening.append(hass.bus.async_listen(EVENT_AUTOMATION_RELOADED, check))
    # Automations and scripts load after integrations: look once they are.
    listening.append(async_at_started(hass, check))


@callback
def _check(hass: HomeAssistant, entry: ConfigEntry[Any]) -> bool:
    """Show or remove the repair; True while something uses the old entity."""
    old_id = str(entry.data[CONF_REPLACED_DND_SENSOR])
    registry = er.async_get(hass)
    new_id = registry.async_get_entity_id(
        Platform.SWITCH, DOMAIN, entity_unique_id(entry, DND_KEY)
    )
    users = [
        *automations_with_entity(hass, old_id),
        *scripts_with_entity(hass, old_id),
    ]
    if not users or new_id is None:
        ir.async_delete_issue(hass, DOMAIN, dnd_issue_id(entry.entry_id))
        return False
    items = [_item(hass, entity_id) for entity_id in users[:MAX_LISTED]]
    if len(users) > MAX_LISTED:
        items.append(f"- … ({len(users) - MAX_LISTED})")
    ir.async_create_issue(
        hass,
        DOMAIN,
        dnd_issue_id(entry.entry_id),
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=ISSUE_DND_SENSOR_REPLACED,
        translation_placeholders={
            "name": entry.title,
            "old_entity": old_id,
            "new_entity": new_id,
            "items": "\n".join(items),
        },
    )
    return True


def _item(hass: HomeAssistant, entity_id: str) -> str:
    """One automation or script as a Markdown list item, linked to its editor."""
    state = hass.states.get(entity_id)
    name = state.name if state is not None else entity_id
    domain, object_id = entity_id.split(".", 1)
    # Automations made in the editor carry their id; a script's is its object id.
    config_id = (
        (state.attributes.get("id") if state is not None else None)
        if domain == "automation"
        else object_id
    )
    if config_id:
        return f"- [{name}](/config/{domain}/edit/{config_id}) (`{entity_id}`)"
    return f"- {name} (`{entity_id}`)"
