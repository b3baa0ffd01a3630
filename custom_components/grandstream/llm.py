"""The phone's intents as tools for LLM-based conversation agents.

Up to Home Assistant 2026.6 the Assist API hands every registered intent to
an LLM agent by itself, so intent.py is all those versions need. From 2026.7
the ``llm`` integration asks each integration's ``llm`` platform (this
module) for its tools instead. Older versions have no ``llm`` integration
and never load this module; every version that has one needs Python 3.14,
which is how the type checker tells them apart.
"""

from __future__ import annotations

import sys

if sys.version_info >= (3, 14):
    from homeassistant.components.llm import LLMTools
    from homeassistant.core import HomeAssistant, callback
    from homeassistant.helpers import intent
    from homeassistant.helpers.llm import (
        LLM_API_ASSIST,
        IntentTool,
        LLMContext,
        Tool,
        ToolAnnotations,
    )

    from .const import DOMAIN
    from .intent import (
        INTENT_ANSWER,
        INTENT_CALL_BACK,
        INTENT_HANG_UP,
        INTENT_WHO_CALLED,
        phones_in_reach,
    )

    # Title, and how each tool behaves: calling back and answering connect a
    # call with someone outside; hanging up ends one.
    TOOLS: dict[str, tuple[str, ToolAnnotations]] = {
        INTENT_WHO_CALLED: (
            "Who called",
            ToolAnnotations(read_only=True, open_world=False),
        ),
        INTENT_CALL_BACK: ("Call back", ToolAnnotations(destructive=False)),
        INTENT_ANSWER: ("Answer the phone", ToolAnnotations(destructive=False)),
        INTENT_HANG_UP: ("Hang up", ToolAnnotations(idempotent=True)),
    }

    @callback
    def async_get_tools(
        hass: HomeAssistant, llm_context: LLMContext, api_id: str
    ) -> LLMTools | None:
        """The four phone tools, while a phone is exposed to the assistant."""
        if api_id != LLM_API_ASSIST or not phones_in_reach(hass, llm_context.assistant):
            return None
        tools: list[Tool] = [
            IntentTool(
                f"{DOMAIN}__{handler.intent_type}",
                handler,
                title=TOOLS[handler.intent_type][0],
                integration=DOMAIN,
                annotations=TOOLS[handler.intent_type][1],
            )
            for handler in intent.async_get(hass)
            if handler.intent_type in TOOLS
        ]
        return LLMTools(tools=tools) if tools else None
