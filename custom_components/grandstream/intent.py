"""Voice: "who called?", "call back Erika", answer and hang up.

A platform of Home Assistant's ``intent`` integration: it calls
``async_setup_intents`` once it is loaded (with any conversation agent).
Registered intents reach the default agent through custom sentences (see
the README) and LLM-based agents as tools (up to Home Assistant 2026.6 every
registered intent is one; later versions ask llm.py).

Which phones an intent may touch: loaded ones whose entities are exposed to
the assistant that asks (Settings → Voice assistants → Expose). "Who called"
and "call back" read the call-back list, so its to-do entity must be
exposed; answer and hang up need any entity of the phone. Asked without an
assistant (an automation firing the intent), every loaded phone counts.

The actions' safety holds here too: a call back never dials while the phone
is in use (a call up or ringing), numbers are checked as the dial action
checks them, and a failure of the phone is spoken with the action's message.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
import re
from typing import Any, Final

from homeassistant.components.homeassistant.const import DATA_EXPOSED_ENTITIES
from homeassistant.components.homeassistant.exposed_entities import async_should_expose
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv, entity_registry as er, intent

from . import call_control
from .call_back import CallBackItem
from .compat import vol
from .const import CALL_BACK_LIST_KEY, DOMAIN
from .coordinator import GrandstreamConfigEntry, GrandstreamCoordinator
from .cti import LineState, LineStatus, digits
from .identity import entity_unique_id, phone_device
from .services import dialable_number
from .voice_text import Speech

INTENT_WHO_CALLED: Final = "GrandstreamWhoCalled"
INTENT_CALL_BACK: Final = "GrandstreamCallBack"
INTENT_ANSWER: Final = "GrandstreamAnswer"
INTENT_HANG_UP: Final = "GrandstreamHangUp"

# Not "name": the default agent's "name" list holds the exposed entities'
# names, and custom sentences share lists across intents.
SLOT_CALLER: Final = "caller"
SLOT_PHONE: Final = "phone"
# "Who called" names at most this many callers, then says how many more.
MAX_SPOKEN: Final = 5

_PHONE_SLOT = {
    vol.Optional(
        SLOT_PHONE,
        description=(
            "Name of the desk phone, only needed when there are several; "
            "leave empty otherwise"
        ),
    ): cv.string
}


async def async_setup_intents(hass: HomeAssistant) -> None:
    """Register the phone's intents (the intent integration calls this once)."""
    for handler in (
        WhoCalledHandler(),
        CallBackHandler(),
        AnswerHandler(),
        HangUpHandler(),
    ):
        intent.async_register(hass, handler)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def _matches(spoken: str, *names: str | None) -> bool:
    """Whether ``spoken`` names one of ``names``: all its words are in that name."""
    wanted = _words(spoken)
    return bool(wanted) and any(
        name and all(word in _words(name) for word in wanted) for name in names
    )


@dataclass(frozen=True, slots=True)
class Phone:
    """A loaded phone, and how users call it."""

    coordinator: GrandstreamCoordinator
    name: str
    device_id: str | None

    @property
    def target(self) -> intent.IntentResponseTarget:
        """The phone as the result of an intent."""
        return intent.IntentResponseTarget(
            name=self.name,
            type=intent.IntentResponseTargetType.DEVICE,
            id=self.device_id,
        )


def _phone(hass: HomeAssistant, entry: GrandstreamConfigEntry) -> Phone:
    device = phone_device(hass, entry)
    name = (device.name_by_user or device.name) if device else None
    return Phone(entry.runtime_data, name or entry.title, device.id if device else None)


def _exposed(
    hass: HomeAssistant, assistant: str | None, entity_ids: Iterable[str]
) -> bool:
    """Whether any of ``entity_ids`` is exposed to ``assistant``."""
    if assistant is None or DATA_EXPOSED_ENTITIES not in hass.data:
        return True  # not asked by a voice assistant
    return any(async_should_expose(hass, assistant, e) for e in entity_ids)


class _Refusal(Exception):
    """What to say instead of doing anything: the phone cannot do it now."""

    code = intent.IntentResponseErrorCode.FAILED_TO_HANDLE

    def __init__(self, speech: str) -> None:
        super().__init__(speech)
        self.speech = speech


class _NoTarget(_Refusal):
    """Nothing asked for was found (or several were, and none was named)."""

    code = intent.IntentResponseErrorCode.NO_VALID_TARGETS


@dataclass(frozen=True, slots=True)
class _Ask:
    """One intent being handled: its slots, the phones in reach, the answer."""

    slots: dict[str, Any]
    phones: list[Phone]
    speech: Speech
    response: intent.IntentResponse

    def only(self, phones: list[Phone], nothing: _Refusal) -> Phone:
        """The one phone that can do it: refuse with ``nothing``, or ask which."""
        if not phones:
            raise nothing
        if len(phones) > 1:
            names = ", ".join(p.name for p in phones)
            raise _NoTarget(self.speech.say("which_phone", phones=names))
        return phones[0]

    def done(self, phone: Phone, speech: str) -> None:
        """Say what ``phone`` did."""
        self.response.async_set_results([phone.target])
        self.response.async_set_speech(speech)


class _PhoneIntentHandler(intent.IntentHandler):
    """Shared by the four intents: the phones in reach, the phone slot, errors."""

    # Whether the call-back list must be exposed (else any entity of the phone).
    reads_call_back_list = False

    @property
    def slot_schema(self) -> dict[Any, Any] | None:
        """The phone's name, for users with several phones."""
        return dict(_PHONE_SLOT)

    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Validate, find the phones, act, and say what happened."""
        hass = intent_obj.hass
        slots = self.async_validate_slots(intent_obj.slots)
        speech = await Speech.async_load(hass, intent_obj.language)
        response = intent_obj.create_response()
        try:
            phones = self._phones(hass, intent_obj.assistant, slots, speech)
            await self._handle(_Ask(slots, phones, speech, response))
        except _Refusal as refusal:
            response.async_set_error(refusal.code, refusal.speech)
        except HomeAssistantError as err:
            response.async_set_error(
                intent.IntentResponseErrorCode.FAILED_TO_HANDLE, speech.error(err)
            )
        return response

    async def _handle(self, ask: _Ask) -> None:
        raise NotImplementedError

    def _phones(
        self,
        hass: HomeAssistant,
        assistant: str | None,
        slots: dict[str, Any],
        speech: Speech,
    ) -> list[Phone]:
        """Loaded phones this assistant may use, narrowed to the one named."""
        phones = phones_in_reach(
            hass, assistant, call_back_list=self.reads_call_back_list
        )
        if not phones:
            raise _NoTarget(speech.say("no_phone"))
        if spoken := _slot(slots, SLOT_PHONE):
            named = [p for p in phones if _matches(spoken, p.name)]
            if not named:
                raise _NoTarget(speech.say("phone_not_found", phone=spoken))
            return named
        return phones


def phones_in_reach(
    hass: HomeAssistant, assistant: str | None, *, call_back_list: bool = False
) -> list[Phone]:
    """Loaded phones exposed to ``assistant``: their call-back list, or any entity."""
    registry = er.async_get(hass)
    phones = []
    for entry in hass.config_entries.async_loaded_entries(DOMAIN):
        if call_back_list:
            entity_id = registry.async_get_entity_id(
                Platform.TODO, DOMAIN, entity_unique_id(entry, CALL_BACK_LIST_KEY)
            )
            entity_ids = [entity_id] if entity_id else []
        else:
            entity_ids = [
                e.entity_id
                for e in er.async_entries_for_config_entry(registry, entry.entry_id)
            ]
        if _exposed(hass, assistant, entity_ids):
            phones.append(_phone(hass, entry))
    return phones


def _slot(slots: dict[str, Any], name: str) -> str:
    value = slots.get(name, {}).get("value")
    return value.strip() if isinstance(value, str) else ""


class WhoCalledHandler(_PhoneIntentHandler):
    """Speak the open items of the call-back list, newest first."""

    intent_type = INTENT_WHO_CALLED
    description = (
        "Tells who called the desk phone and is still waiting for a call back "
        "(missed calls nobody returned yet), newest first, with how often and "
        "when they called"
    )
    reads_call_back_list = True

    async def _handle(self, ask: _Ask) -> None:
        ask.response.response_type = intent.IntentResponseType.QUERY_ANSWER
        speech, phones = ask.speech, ask.phones
        parts: list[str] = []
        callers: list[dict[str, Any]] = []
        for phone in phones:
            items = [i for i in phone.coordinator.call_backs.items if i.is_open]
            if not items:
                continue
            sentences = [speech.item(item) for item in items[:MAX_SPOKEN]]
            if len(items) > MAX_SPOKEN:
                sentences.append(speech.say("more", count=str(len(items) - MAX_SPOKEN)))
            text = " ".join(sentences)
            parts.append(f"{phone.name}: {text}" if len(phones) > 1 else text)
            callers += [_caller_data(phone, item, speech) for item in items]
        ask.response.async_set_speech(" ".join(parts) or speech.say("nobody"))
        ask.response.async_set_speech_slots({"callers": callers})


def _caller_data(phone: Phone, item: CallBackItem, speech: Speech) -> dict[str, Any]:
    """One open item for an LLM: the same as spoken, and the number."""
    return {
        "phone": phone.name,
        "caller": speech.caller(item),
        "number": item.number,
        "calls": item.count,
        "last_call": speech.when(item.last_call) if item.times else None,
    }


def _dialable(number: str) -> str | None:
    """The number as the dial action would dial it; None when it would refuse."""
    if not digits(number):
        return None  # withheld: the phone reported no number
    try:
        return dialable_number(number)
    except ServiceValidationError:
        return None


class CallBackHandler(_PhoneIntentHandler):
    """Dial the newest open call-back item, or the caller named."""

    intent_type = INTENT_CALL_BACK
    description = (
        "Calls back someone who called the desk phone and is still waiting for "
        "a call back: the newest such caller, or the one named. The desk phone "
        "dials; it refuses while a call is up or ringing"
    )
    reads_call_back_list = True

    @property
    def slot_schema(self) -> dict[Any, Any] | None:
        """The caller's name (optional) and the phone's."""
        return {
            vol.Optional(
                SLOT_CALLER,
                description=(
                    "Name (or number) of the caller to call back, as on the "
                    "call-back list; leave empty for the newest caller"
                ),
            ): cv.string,
            **_PHONE_SLOT,
        }

    async def _handle(self, ask: _Ask) -> None:
        speech = ask.speech
        wanted = _slot(ask.slots, SLOT_CALLER)
        candidates: list[tuple[Phone, CallBackItem, str]] = []
        for phone in ask.phones:
            for item in phone.coordinator.call_backs.items:
                number = _dialable(item.number) if item.is_open else None
                if number is None:
                    continue  # done, or a withheld number: nothing to dial
                if wanted and not _matches(
                    wanted, item.own_summary, item.name, item.number
                ):
                    continue
                candidates.append((phone, item, number))
                break  # the newest of this phone
        nobody = _NoTarget(
            speech.say("caller_not_found", caller=wanted)
            if wanted
            else speech.say("nobody_to_call_back")
        )
        ask.only([phone for phone, _, _ in candidates], nobody)
        phone, item, number = candidates[0]
        coordinator = phone.coordinator
        busy = _Refusal(speech.say("phone_busy", phone=phone.name))
        if call_control.phone_busy(coordinator.data.lines):
            raise busy
        # The account the call came in on, when the phone still lists it (else
        # the phone's default account, which can also dial by keys).
        accounts = {account.id for account in coordinator.data.accounts}
        account = (
            item.account if len(accounts) > 1 and item.account in accounts else None
        )
        try:
            await call_control.dial(coordinator, number, account, only_when_idle=True)
        except call_control.PhoneInUseError:
            raise busy from None  # a call the last poll had not shown yet
        ask.done(
            phone,
            speech.say("calling_back", caller=speech.caller(item), phone=phone.name),
        )


def _ringing_caller(lines: Iterable[LineStatus]) -> str:
    """The name or number of the (first) ringing call; "" when the phone has none."""
    return next(
        (
            ls.remote_name or ls.remote_number
            for ls in lines
            if ls.state is LineState.RINGING
        ),
        "",
    )


class AnswerHandler(_PhoneIntentHandler):
    """Answer the call ringing on the desk phone."""

    intent_type = INTENT_ANSWER
    description = "Answers the call that is ringing on the desk phone"

    async def _handle(self, ask: _Ask) -> None:
        speech = ask.speech
        phone = ask.only(
            [p for p in ask.phones if p.coordinator.data.ringing],
            _Refusal(speech.say("nothing_ringing")),
        )
        caller = _ringing_caller(phone.coordinator.data.lines)
        await call_control.answer(phone.coordinator)
        ask.done(
            phone,
            speech.say("answering", caller=caller, phone=phone.name)
            if caller
            else speech.say("answering_unknown", phone=phone.name),
        )


class HangUpHandler(_PhoneIntentHandler):
    """End the call on the desk phone."""

    intent_type = INTENT_HANG_UP
    description = (
        "Hangs up the desk phone's call (a call that is connected, on hold or "
        "being dialled)"
    )

    async def _handle(self, ask: _Ask) -> None:
        phone = ask.only(
            [p for p in ask.phones if call_control.has_call(p.coordinator.data.lines)],
            _Refusal(ask.speech.say("no_call")),
        )
        await call_control.hangup(phone.coordinator)
        ask.done(phone, ask.speech.say("hung_up", phone=phone.name))
