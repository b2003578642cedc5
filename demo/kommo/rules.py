"""Kommo's rules for a Salesbot continuation (KOMMO.md §2 and §3), as pure code with no I/O.

``continuation_violation(body)`` returns "" when Kommo (and WhatsApp, when strict) would accept the
body, or one sentence naming the first rule it breaks, so a rejected continuation tells the relay's
engineer exactly what to fix.
"""

from __future__ import annotations

from typing import Any

MAX_HANDLERS = 10
MAX_SHOW_VALUE_CHARS = 80
MAX_BUTTONS = 25
WHATSAPP_MAX_BUTTONS = 3
WHATSAPP_MAX_BUTTON_CHARS = 20
GOTO_TYPES = ("question", "answer", "finish")
SHOW_TYPES = ("text", "buttons")
# The relay only needs these two; anything else is more likely a typo than a feature.
HANDLERS = ("show", "goto")


def continuation_violation(body: Any, *, strict_whatsapp: bool = True) -> str:
    """The first rule ``body`` breaks, or "" when it is a valid continuation."""
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    if "data" not in body:
        return 'the body has no "data" object'
    if not isinstance(body["data"], dict):
        return '"data" must be a JSON object'
    unknown = sorted(set(body) - {"data", "execute_handlers"})
    if unknown:
        return f"unknown top-level keys {unknown} (Kommo takes data and execute_handlers)"
    handlers = body.get("execute_handlers", [])
    if not isinstance(handlers, list):
        return '"execute_handlers" must be a list'
    if len(handlers) > MAX_HANDLERS:
        return f"{len(handlers)} handlers: Kommo allows at most {MAX_HANDLERS}"
    for index, handler in enumerate(handlers):
        problem = _handler_violation(handler, strict_whatsapp=strict_whatsapp)
        if problem:
            return f"handler {index}: {problem}"
    return ""


def _handler_violation(handler: Any, *, strict_whatsapp: bool) -> str:
    if not isinstance(handler, dict):
        return "must be an object with handler and params"
    name = handler.get("handler")
    if name not in HANDLERS:
        return f"unknown handler {name!r} (expected one of {', '.join(HANDLERS)})"
    params = handler.get("params")
    if not isinstance(params, dict):
        return f'"{name}" needs a "params" object'
    if name == "show":
        return _show_violation(params, strict_whatsapp=strict_whatsapp)
    return _goto_violation(params)


def _show_violation(params: dict[str, Any], *, strict_whatsapp: bool) -> str:
    kind = params.get("type")
    if kind not in SHOW_TYPES:
        return f"show type {kind!r} (expected one of {', '.join(SHOW_TYPES)})"
    value = params.get("value")
    if not isinstance(value, str) or not value.strip():
        return "show needs a non-empty text value"
    if len(value) > MAX_SHOW_VALUE_CHARS:
        return f"show value of {len(value)} characters: Kommo allows at most {MAX_SHOW_VALUE_CHARS} ({value[:30]!r}...)"
    if kind == "text":
        if "buttons" in params:
            return 'a show of type "text" must not carry buttons (use type "buttons")'
        return ""
    buttons = params.get("buttons")
    if not isinstance(buttons, list) or not buttons:
        return 'show of type "buttons" needs a non-empty "buttons" list'
    if len(buttons) > MAX_BUTTONS:
        return f"{len(buttons)} buttons: Kommo allows at most {MAX_BUTTONS}"
    for button in buttons:
        if not isinstance(button, str) or not button.strip():
            return f"button {button!r}: every button must be a non-empty string"
    if strict_whatsapp:
        if len(buttons) > WHATSAPP_MAX_BUTTONS:
            return f"{len(buttons)} buttons: WhatsApp shows at most {WHATSAPP_MAX_BUTTONS} reply buttons"
        for button in buttons:
            if len(button) > WHATSAPP_MAX_BUTTON_CHARS:
                return (
                    f"button {button!r} has {len(button)} characters: "
                    f"WhatsApp allows at most {WHATSAPP_MAX_BUTTON_CHARS}"
                )
        if len(set(buttons)) != len(buttons):
            # The tapped button's text is all the bot gets back: two equal titles cannot be told apart.
            return f"duplicate button titles {buttons}"
    return ""


def _goto_violation(params: dict[str, Any]) -> str:
    kind = params.get("type")
    if kind not in GOTO_TYPES:
        return f"goto type {kind!r} (expected one of {', '.join(GOTO_TYPES)})"
    step = params.get("step")
    if kind != "finish" and (not isinstance(step, int) or isinstance(step, bool) or step < 0):
        return f'goto "{kind}" needs an integer "step" >= 0'
    return ""
