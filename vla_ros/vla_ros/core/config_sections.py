"""YAML mappings -> config dataclasses, every unknown key rejected with a "did you mean" suggestion.

Robot YAMLs, their sections and backend options are hand-written: a misspelt key must be an error
naming the key, where it is and what was probably meant, never a silently ignored setting.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import fields, is_dataclass
from typing import Any, TypeVar, get_type_hints

from vla_ros.core.config_fields import strip_optional
from vla_ros.core.types import InvalidInput

T = TypeVar("T")


def reject_unknown_keys(raw: Mapping[str, Any], known: Iterable[str], where: str) -> None:
    """InvalidInput naming every key of `raw` not in `known`, with the closest known key."""
    known = sorted(known)
    unknown = [key for key in raw if key not in known]
    if not unknown:
        return
    problems = []
    for key in unknown:
        hint = _suggestion(str(key), known)
        problems.append(f"'{key}'" + (f" (did you mean '{hint}'?)" if hint else ""))
    raise InvalidInput(f"{where}: unknown key(s) {', '.join(problems)}; valid keys: {known}")


def _suggestion(key: str, known: list[str]) -> str | None:
    """The closest known key, else one the key starts with (demo_instructions -> demo)."""
    close = difflib.get_close_matches(key, known, n=1)
    return close[0] if close else next((k for k in known if key.startswith(f"{k}_")), None)


def mapping(raw: Any, where: str) -> dict[str, Any]:
    """`raw` as a dict (None: empty), or InvalidInput saying a mapping was expected."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise InvalidInput(f"{where} must be a mapping of keys, got {type(raw).__name__} {raw!r}")
    return dict(raw)


def section(cls: type[T], raw: Any, where: str) -> T:
    """A dataclass from a YAML mapping of its field names: lists become tuples, nested dataclass
    fields are read the same way, and the class's __post_init__ validates the values."""
    values = mapping(raw, where)
    reject_unknown_keys(values, (f.name for f in fields(cls)), where)
    hints = get_type_hints(cls)
    for key, value in values.items():
        nested = _dataclass_in(hints[key])
        if nested is not None and isinstance(value, Mapping):
            values[key] = section(nested, value, f"{where}.{key}")
        elif isinstance(value, list):
            values[key] = tuple(value)
    return cls(**values)


def _dataclass_in(hint: Any) -> type | None:
    """The dataclass a field's type names (directly or as `X | None`), if any."""
    kind, _ = strip_optional(hint)
    return kind if is_dataclass(kind) else None
