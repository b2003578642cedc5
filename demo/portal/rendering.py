"""The stand-in's HTML pages: package files filled with string.Template (no template engine needed)."""

from __future__ import annotations

from functools import cache
from html import escape
from importlib import resources
from string import Template


@cache
def _template(name: str) -> Template:
    return Template(resources.files("demo.portal.templates").joinpath(name).read_text(encoding="utf-8"))


def render(name: str, **values: str) -> str:
    """Fill a template; every value is HTML-escaped except those whose name ends in ``_html``."""
    safe = {key: value if key.endswith("_html") else escape(value) for key, value in values.items()}
    return _template(name).substitute(safe)
