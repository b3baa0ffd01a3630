"""Voice: the integration's intents, handled through Home Assistant's intent helper.

Calls ring, are missed, answered and dialled on the simulated phone over
real HTTP; the intents are handled with ``intent.async_handle`` as a
conversation agent would, and what they say is checked word for word.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
import json
from pathlib import Path
import re
from typing import Any

from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import intent, llm
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.grandstream.voice_text import Speech
from simulator import SimulatedPhone

from ..helpers.entries import phone_entry, set_up_at_key_pace
from ..helpers.phone import fast_profile
from ..helpers.waiting import missed_call, poll

REPOSITORY = Path(__file__).parents[2]
ERIKA = ("+4930123456", "Erika Mustermann")
BOB = ("+4940987654", "Bob")
TODO = "todo.front_desk_call_back"


@pytest.fixture
async def desk(
    hass: HomeAssistant, phone: SimulatedPhone, mock_config_entry: MockConfigEntry
) -> MockConfigEntry:
    """The phone "Front desk", polled, and the intent integration loaded after it."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    await set_up_at_key_pace(hass, mock_config_entry, phone)
    assert await async_setup_component(hass, "intent", {})
    await hass.async_block_till_done()
    return mock_config_entry


@pytest.fixture
async def kitchen_phone(socket_enabled: None) -> Any:
    """A second simulated phone."""
    sim = SimulatedPhone(fast_profile(mac="00:0B:82:00:00:02"))
    await sim.start()
    yield sim
    await sim.stop()


async def ask(
    hass: HomeAssistant,
    intent_type: str,
    language: str = "en",
    assistant: str | None = None,
    **slots: str,
) -> intent.IntentResponse:
    """Handle ``intent_type`` as a conversation agent would."""
    return await intent.async_handle(
        hass,
        "test",
        intent_type,
        {name: {"value": value} for name, value in slots.items()},
        language=language,
        assistant=assistant,
    )


TRANSLATIONS = (
    Path(__file__).parents[2] / "custom_components" / "grandstream" / "translations"
)


def speech(response: intent.IntentResponse) -> str:
    """What the response says."""
    return str(response.speech["plain"]["speech"])


def at_times(text: str) -> str:
    """``text`` with clock times as ``HH:MM`` (the calls' times are real ones)."""
    return re.sub(r"\b\d\d:\d\d\b", "HH:MM", text)


def dialled(phone: SimulatedPhone) -> list[str]:
    """The numbers the phone was asked to dial."""
    return [r.params["phonenumber"] for r in phone.calls("make_call")]


# -- who called ----------------------------------------------------------------


async def test_who_called_nobody(hass: HomeAssistant, desk: MockConfigEntry) -> None:
    """An empty call-back list: "nobody"."""
    response = await ask(hass, "GrandstreamWhoCalled")
    assert response.response_type is intent.IntentResponseType.QUERY_ANSWER
    assert speech(response) == "Nobody is waiting for a call back."


@pytest.mark.parametrize("language", ["zh-Hans", "pt-BR", "pt", "uk", "cs-CZ"])
async def test_who_called_nobody_in_regional_languages(
    hass: HomeAssistant, desk: MockConfigEntry, language: str
) -> None:
    """A shipped regional variant speaks itself; a region we lack, the nearest."""
    shipped = {"pt": "pt-BR", "cs-CZ": "cs"}.get(language, language)
    strings = json.loads((TRANSLATIONS / f"{shipped}.json").read_text(encoding="utf-8"))
    response = await ask(hass, "GrandstreamWhoCalled", language=language)
    assert speech(response) == strings["common"]["voice_nobody"]


async def test_who_called(
    hass: HomeAssistant, desk: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """Open items, newest first: names, how often, when."""
    await missed_call(hass, phone, *ERIKA)
    await missed_call(hass, phone, *ERIKA)
    await missed_call(hass, phone, "", "")  # withheld
    await missed_call(hass, phone, *BOB)

    response = await ask(hass, "GrandstreamWhoCalled")
    assert response.response_type is intent.IntentResponseType.QUERY_ANSWER
    assert at_times(speech(response)) == (
        "Bob called today at HH:MM. "
        "An unknown caller called today at HH:MM. "
        "Erika Mustermann called 2 times, last today at HH:MM."
    )
    # An LLM also gets the numbers.
    assert [
        (c["caller"], c["number"], c["calls"]) for c in response.speech_slots["callers"]
    ] == [
        ("Bob", BOB[0], 1),
        ("An unknown caller", "", 1),
        ("Erika Mustermann", ERIKA[0], 2),
    ]


async def test_who_called_in_german(
    hass: HomeAssistant, desk: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """Asked in German, answered in German (de-CH has no file of its own)."""
    await missed_call(hass, phone, *ERIKA)
    await missed_call(hass, phone, *ERIKA)
    await missed_call(hass, phone, "+4940111222", "")

    response = await ask(hass, "GrandstreamWhoCalled", language="de-CH")
    assert at_times(speech(response)) == (
        "+4940111222 hat heute um HH:MM angerufen. "
        "Erika Mustermann hat 2-mal angerufen, zuletzt heute um HH:MM."
    )


async def test_who_called_names_five(
    hass: HomeAssistant, desk: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """A long list: the newest five, then how many more."""
    for n in range(7):
        await missed_call(hass, phone, f"+49401112{n:02d}", "")
    text = at_times(speech(await ask(hass, "GrandstreamWhoCalled")))
    assert text.startswith("+4940111206 called today at HH:MM. ")
    assert text.count(" called ") == 5
    assert text.endswith(" And 2 more.")


async def test_who_called_when(hass: HomeAssistant) -> None:
    """Today, yesterday, or the date (in the language asked)."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    now = datetime.fromisoformat("2025-06-02T14:00:00+02:00")
    english = await Speech.async_load(hass, "en")
    german = await Speech.async_load(hass, "de")
    russian = await Speech.async_load(hass, "ru")
    for when, en, de, ru in (
        (
            "2025-06-02T09:05:00+02:00",
            "today at 09:05",
            "heute um 09:05",
            "сегодня в 09:05",
        ),
        (
            "2025-06-01T23:59:00+02:00",
            "yesterday at 23:59",
            "gestern um 23:59",
            "вчера в 23:59",
        ),
        (
            "2025-03-03T14:02:00+01:00",
            "on March 3 at 14:02",
            "am 3. März um 14:02",
            "3 марта в 14:02",
        ),
    ):
        timestamp = datetime.fromisoformat(when).timestamp()
        assert english.when(timestamp, now) == en
        assert german.when(timestamp, now) == de
        assert russian.when(timestamp, now) == ru


# -- call back -----------------------------------------------------------------


async def test_call_back_newest(
    hass: HomeAssistant, desk: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """No name: the newest caller is dialled."""
    await missed_call(hass, phone, *ERIKA)
    await missed_call(hass, phone, *BOB)

    response = await ask(hass, "GrandstreamCallBack")
    assert response.response_type is intent.IntentResponseType.ACTION_DONE
    assert speech(response) == "Calling Bob back from Front desk."
    assert dialled(phone) == [BOB[0]]
    assert [target.name for target in response.success_results] == ["Front desk"]
    assert phone.lines[0].state == "calling"


async def test_call_back_by_name(
    hass: HomeAssistant, desk: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """A spoken name picks the caller: any of its words, in any case."""
    await missed_call(hass, phone, *ERIKA)
    await missed_call(hass, phone, *BOB)

    response = await ask(hass, "GrandstreamCallBack", caller="erika")
    assert speech(response) == "Calling Erika Mustermann back from Front desk."
    assert dialled(phone) == [ERIKA[0]]


async def test_call_back_in_german(
    hass: HomeAssistant, desk: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """German speech for the call back."""
    await missed_call(hass, phone, *ERIKA)
    response = await ask(hass, "GrandstreamCallBack", language="de")
    assert speech(response) == "Front desk ruft Erika Mustermann zurück."


async def test_call_back_unknown_name(
    hass: HomeAssistant, desk: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """Nobody of that name on the list: said so, nothing dialled."""
    await missed_call(hass, phone, *ERIKA)
    response = await ask(hass, "GrandstreamCallBack", caller="Zoe")
    assert response.response_type is intent.IntentResponseType.ERROR
    assert response.error_code is intent.IntentResponseErrorCode.NO_VALID_TARGETS
    assert speech(response) == "Zoe is not on the call-back list."
    assert dialled(phone) == []


async def test_call_back_nobody(
    hass: HomeAssistant, desk: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """Only a withheld number on the list: nobody to dial."""
    await missed_call(hass, phone, "", "")
    response = await ask(hass, "GrandstreamCallBack")
    assert speech(response) == "There is nobody to call back."
    assert dialled(phone) == []


@pytest.mark.parametrize("seen", [True, False], ids=["polled", "unseen"])
@pytest.mark.parametrize("stage", ["ringing", "connected"])
async def test_call_back_refused_while_busy(
    hass: HomeAssistant,
    desk: MockConfigEntry,
    phone: SimulatedPhone,
    stage: str,
    seen: bool,
) -> None:
    """No dialling while a call is up or ringing, even one no poll showed yet."""
    await missed_call(hass, phone, *ERIKA)
    if not seen:
        phone.profile.action_urls = {}  # the new call's pushes get lost
    phone.incoming_call(*BOB)
    if stage == "connected":
        phone.answer()
    if seen:
        await poll(hass)

    response = await ask(hass, "GrandstreamCallBack")
    assert response.error_code is intent.IntentResponseErrorCode.FAILED_TO_HANDLE
    assert speech(response) == (
        "Front desk is in use: a call is up or ringing. Try again when it is free."
    )
    assert dialled(phone) == []


async def test_call_back_asks_which_phone(
    hass: HomeAssistant,
    desk: MockConfigEntry,
    phone: SimulatedPhone,
    kitchen_phone: SimulatedPhone,
) -> None:
    """Two phones with callers and none named: ask; named: that phone dials."""
    kitchen_phone.profile.key_interval = phone.profile.key_interval
    await set_up_at_key_pace(
        hass,
        phone_entry(kitchen_phone, title="Kitchen", entry_id="01JKITCHEN"),
        kitchen_phone,
    )
    await missed_call(hass, phone, *ERIKA)
    await missed_call(hass, kitchen_phone, *BOB)

    response = await ask(hass, "GrandstreamCallBack")
    assert response.error_code is intent.IntentResponseErrorCode.NO_VALID_TARGETS
    assert speech(response) == "Which phone: Front desk, Kitchen?"
    assert dialled(phone) == dialled(kitchen_phone) == []

    response = await ask(hass, "GrandstreamCallBack", phone="the kitchen")
    assert response.error_code is intent.IntentResponseErrorCode.NO_VALID_TARGETS
    assert speech(response) == "There is no desk phone called the kitchen."

    response = await ask(hass, "GrandstreamCallBack", phone="kitchen")
    assert speech(response) == "Calling Bob back from Kitchen."
    assert dialled(kitchen_phone) == [BOB[0]]
    assert dialled(phone) == []

    # A name found on one phone only needs no phone.
    response = await ask(hass, "GrandstreamCallBack", caller="Erika")
    assert speech(response) == "Calling Erika Mustermann back from Front desk."


# -- answer and hang up ---------------------------------------------------------


async def test_answer_asks_which_phone(
    hass: HomeAssistant,
    desk: MockConfigEntry,
    phone: SimulatedPhone,
    kitchen_phone: SimulatedPhone,
) -> None:
    """Both phones ring: ask which; named, that one answers; then hang it up."""
    await set_up_at_key_pace(
        hass,
        phone_entry(kitchen_phone, title="Kitchen", entry_id="01JKITCHEN"),
        kitchen_phone,
    )
    phone.incoming_call(*ERIKA)
    kitchen_phone.incoming_call(*BOB)
    await poll(hass)

    response = await ask(hass, "GrandstreamAnswer")
    assert speech(response) == "Which phone: Front desk, Kitchen?"
    assert (
        phone.calls("phone_operation") == kitchen_phone.calls("phone_operation") == []
    )

    response = await ask(hass, "GrandstreamAnswer", phone="Kitchen")
    assert speech(response) == "Answering Bob on Kitchen."
    assert kitchen_phone.lines[0].state == "connected"
    phone.answer()  # the front desk's user picks up by hand
    await poll(hass)

    response = await ask(hass, "GrandstreamHangUp")
    assert speech(response) == "Which phone: Front desk, Kitchen?"
    response = await ask(hass, "GrandstreamHangUp", phone="front desk")
    assert speech(response) == "The call on Front desk is ended."
    assert phone.lines[0].state == "idle"
    assert kitchen_phone.lines[0].state == "connected"


async def test_answer_and_hang_up(
    hass: HomeAssistant, desk: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """Answer the ringing call, then hang it up."""
    response = await ask(hass, "GrandstreamAnswer")
    assert speech(response) == "No phone is ringing."
    response = await ask(hass, "GrandstreamHangUp")
    assert speech(response) == "No phone has a call to hang up."

    phone.incoming_call(*ERIKA)
    await poll(hass)
    response = await ask(hass, "GrandstreamAnswer")
    assert response.response_type is intent.IntentResponseType.ACTION_DONE
    assert speech(response) == "Answering Erika Mustermann on Front desk."
    assert phone.lines[0].state == "connected"

    await poll(hass)
    response = await ask(hass, "GrandstreamHangUp", language="de")
    assert speech(response) == "Der Anruf an Front desk ist beendet."
    assert phone.lines[0].state == "idle"


async def test_phone_failure_is_spoken(
    hass: HomeAssistant, desk: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """The phone does not answer: the action's own message, in the language asked."""
    phone.incoming_call(*ERIKA)
    await poll(hass)
    await phone.stop()

    response = await ask(hass, "GrandstreamAnswer", language="de")
    assert response.error_code is intent.IntentResponseErrorCode.FAILED_TO_HANDLE
    # The action's message, in German: "cannot reach", or, when the request
    # went out on a connection the stopped phone had kept open, "closed the
    # connection without answering" (exceptions.command_unanswered).
    assert speech(response).startswith(
        ("Das Telefon ist nicht erreichbar: ", "Das Telefon hat den Befehl angenommen")
    )


# -- which phones an assistant may use --------------------------------------------


async def test_only_exposed_phones(
    hass: HomeAssistant, desk: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """A call-back list hidden from an assistant is not read out to it."""
    from homeassistant.components.homeassistant.exposed_entities import (
        async_expose_entity,
    )

    assert await async_setup_component(hass, "homeassistant", {})
    await missed_call(hass, phone, *ERIKA)
    async_expose_entity(hass, "conversation", TODO, False)

    response = await ask(hass, "GrandstreamWhoCalled", assistant="conversation")
    assert speech(response) == (
        "No desk phone is available to this assistant (or none is exposed to it)."
    )
    response = await ask(hass, "GrandstreamCallBack", assistant="conversation")
    assert speech(response) == (
        "No desk phone is available to this assistant (or none is exposed to it)."
    )
    assert dialled(phone) == []

    async_expose_entity(hass, "conversation", TODO, True)
    response = await ask(hass, "GrandstreamWhoCalled", assistant="conversation")
    assert speech(response).startswith("Erika Mustermann called")


async def test_registered_when_intent_loads_first(
    hass: HomeAssistant, phone: SimulatedPhone, mock_config_entry: MockConfigEntry
) -> None:
    """The intent integration may load before or after the phone."""
    assert await async_setup_component(hass, "intent", {})
    await set_up_at_key_pace(hass, mock_config_entry, phone)
    await hass.async_block_till_done()
    handlers = {h.intent_type: h for h in intent.async_get(hass)}
    for name in (
        "GrandstreamWhoCalled",
        "GrandstreamCallBack",
        "GrandstreamAnswer",
        "GrandstreamHangUp",
    ):
        assert handlers[name].description
        assert handlers[name].slot_schema


async def test_no_phone_loaded(hass: HomeAssistant, desk: MockConfigEntry) -> None:
    """The phone's entry unloaded: nothing to ask."""
    await hass.config_entries.async_unload(desk.entry_id)
    response = await ask(hass, "GrandstreamHangUp")
    assert response.error_code is intent.IntentResponseErrorCode.NO_VALID_TARGETS


# -- conversation agents -----------------------------------------------------------


async def test_llm_tools(
    hass: HomeAssistant, desk: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """LLM agents get the intents as tools with descriptions, and can call them.

    Up to 2026.6 the Assist API offers every registered intent; later versions
    gather tools from the integrations' llm platforms (llm.py).
    """
    assert await async_setup_component(hass, "homeassistant", {})
    if _has_llm_integration():
        assert await async_setup_component(hass, "llm", {})
    await missed_call(hass, phone, *ERIKA)
    fields = {f.name for f in dataclasses.fields(llm.LLMContext)}
    context = llm.LLMContext(
        **{
            "platform": "test",
            "context": Context(),
            "language": "en",
            "assistant": "conversation",
            "device_id": None,
            **({"user_prompt": None} if "user_prompt" in fields else {}),
        }
    )
    api = await llm.async_get_api(hass, "assist", context)
    tools = {tool.name: tool for tool in api.tools if "Grandstream" in tool.name}
    assert len(tools) == 4, list(tools)
    who_called = next(t for name, t in tools.items() if name.endswith("WhoCalled"))
    assert "call back" in str(who_called.description)
    call_back = next(t for name, t in tools.items() if name.endswith("CallBack"))
    assert "caller" in str(call_back.parameters.schema)

    # Called as the agent would (the tool runs the intent).
    result = await who_called.async_call(
        hass, llm.ToolInput(tool_name=who_called.name, tool_args={}), context
    )
    data: Any = getattr(result, "data", result)
    assert data["speech"]["plain"]["speech"].startswith("Erika Mustermann called")
    assert data["speech_slots"]["callers"][0]["number"] == ERIKA[0]


def _has_llm_integration() -> bool:
    """Home Assistant 2026.7 and later gather tools through the llm integration."""
    try:
        import homeassistant.components.llm  # noqa: F401
    except ImportError:
        return False
    return True


# The README's custom sentences and what the assistant answers, by language.
SENTENCES: dict[str, list[tuple[str, str]]] = {
    "en": [
        ("who called", "Erika Mustermann called today at HH:MM."),
        ("call Erika back", "Calling Erika Mustermann back from Front desk."),
        ("call back", "Calling Erika Mustermann back from Front desk."),
        ("call the last caller back", "Calling Erika Mustermann back from Front desk."),
        (
            "call back the latest caller",
            "Calling Erika Mustermann back from Front desk.",
        ),
        (
            "call back Erika on the front desk",
            "Calling Erika Mustermann back from Front desk.",
        ),
        ("answer the phone", "No phone is ringing."),
        ("hang up the phone", "No phone has a call to hang up."),
        ("end the call on the front desk", "No phone has a call to hang up."),
        ("who called on the front desk", "Erika Mustermann called today at HH:MM."),
    ],
    "de": [
        ("wer hat angerufen", "Erika Mustermann hat heute um HH:MM angerufen."),
        ("ruf Erika zurück", "Front desk ruft Erika Mustermann zurück."),
        ("ruf den letzten Anrufer zurück", "Front desk ruft Erika Mustermann zurück."),
        ("nimm den Anruf an", "Kein Telefon klingelt."),
        ("ruf Erika vom front desk zurück", "Front desk ruft Erika Mustermann zurück."),
        ("leg auf", "An keinem Telefon läuft ein Anruf."),
    ],
}


@pytest.mark.parametrize(
    ("language", "sentence", "expected"),
    [
        (language, sentence, expected)
        for language, cases in SENTENCES.items()
        for sentence, expected in cases
    ],
)
async def test_custom_sentences(  # noqa: PLR0917
    hass: HomeAssistant,
    desk: MockConfigEntry,
    phone: SimulatedPhone,
    tmp_path: Path,
    language: str,
    sentence: str,
    expected: str,
) -> None:
    """The README's custom sentences reach the intents through the default agent."""
    pytest.importorskip("hassil")
    from homeassistant.components import conversation

    for lang, phone_name in (("en", "desk phone"), ("de", "Tischtelefon")):
        target = tmp_path / "custom_sentences" / lang
        target.mkdir(parents=True)
        sentences = (
            REPOSITORY / "config" / "custom_sentences" / lang / "grandstream.yaml"
        )
        # As the README says: the list holds your own phones' names.
        (target / "grandstream.yaml").write_text(
            sentences.read_text(encoding="utf-8").replace(
                f'- "{phone_name}"', '- "front desk"'
            ),
            encoding="utf-8",
        )
    hass.config.config_dir = str(tmp_path)
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    await missed_call(hass, phone, *ERIKA)

    result = await conversation.async_converse(
        hass, sentence, None, Context(), language=language
    )
    assert at_times(result.response.speech["plain"]["speech"]) == expected
