"""``evolve``: ``dataclasses.replace`` for the conversation's own frozen records, at a fraction of its cost.

A turn derives its next state, menus and options by changing a few fields of a frozen record, a dozen times per
turn; ``dataclasses.replace`` looks up the fields and calls ``__init__`` each time. These records have plain
fields only (no ``__post_init__``, no ``init=False`` fields), so a copy of the instance's fields with the changes
written over them is the same record; anything else kept in the instance (a cached value) is left behind. An
unknown field name is refused, as ``replace`` refuses it.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

T = TypeVar("T")

_FIELDS: dict[type, frozenset[str]] = {}


def evolve(record: T, **changes: Any) -> T:
    """``record`` with ``changes`` (a frozen dataclass with plain fields)."""
    cls = type(record)
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = frozenset(f.name for f in fields(cls))  # type: ignore[arg-type]
    if not names.issuperset(changes):
        unknown = next(name for name in changes if name not in names)
        raise TypeError(f"{cls.__name__} has no field {unknown!r}")
    values = record.__dict__
    if len(values) == len(names):
        kept = values.copy()  # (a dict's copy costs a fraction of filling an empty one key by key)
    else:  # something cached beside the fields (menus.py on a slot): not carried over
        kept = {name: values[name] for name in names}
    kept.update(changes)
    new = object.__new__(cls)
    object.__setattr__(new, "__dict__", kept)  # as a frozen dataclass's own ``__init__`` sets its fields
    return new
