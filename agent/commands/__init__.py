"""The `cita-agent` commands, one module each; what several of them share is here."""

from __future__ import annotations

import sys

from agent.cli_texts import choose_language, say
from agent.paths import AgentPaths
from agent.settings import AgentSettings, SettingsError, load_settings, validate


def settings_or_report(paths: AgentPaths, *, validated: bool = False) -> AgentSettings | None:
    """The saved settings, or None after telling the user (on stderr) why they cannot be read."""
    try:
        settings = load_settings(paths)
        return validate(settings) if validated else settings
    except SettingsError as exc:
        language = choose_language()
        print(say("error.settings", language, detail=exc.text(language)), file=sys.stderr)
        return None
