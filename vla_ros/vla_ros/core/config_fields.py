"""Config dataclasses as flat, described, typed fields: what nodes declare as ROS parameters, what
launch files declare as arguments and what the README's parameter table lists, stated once.

A field's meaning is its line in the class docstring (`name: text`, continuation lines indented
deeper) or `metadata={"doc": ...}`; `metadata={"read_only": True}` marks one that cannot change
after start. A field whose type is a dataclass contributes that dataclass's fields, unprefixed.
"""

from __future__ import annotations

import inspect
import re
import types
from dataclasses import MISSING, dataclass, fields, is_dataclass
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

from vla_ros.core.types import InvalidInput

T = TypeVar("T")
_DOC_LINE = re.compile(r"^(\s*)(\w+): (.*)$")


@dataclass(frozen=True)
class ConfigField:
    name: str
    kind: type  # bool, int, float, str or tuple (of `item`)
    item: type | None  # element type of a tuple field
    optional: bool  # None is valid (an unset parameter)
    default: Any
    description: str
    read_only: bool


def config_fields(cls: type) -> list[ConfigField]:
    """Every field of `cls`, nested dataclasses flattened, in declaration order."""
    hints, docs, found = get_type_hints(cls), field_descriptions(cls), []
    for f in fields(cls):
        kind, optional = strip_optional(hints[f.name])
        if is_dataclass(kind):
            found.extend(config_fields(kind))
            continue
        default = f.default_factory() if f.default_factory is not MISSING else f.default
        if default is MISSING:
            raise TypeError(f"{cls.__name__}.{f.name} needs a default to be a parameter")
        origin = get_origin(kind) or kind
        item = get_args(kind)[0] if origin in (tuple, list) else None
        description = f.metadata.get("doc") or docs.get(f.name)
        if not description:
            raise TypeError(f"{cls.__name__}.{f.name} is not described in the class docstring")
        found.append(
            ConfigField(
                f.name,
                tuple if origin in (tuple, list) else origin,
                item,
                optional,
                default,
                description,
                bool(f.metadata.get("read_only", False)),
            )
        )
    return found


def build_config(cls: type[T], values: dict[str, Any]) -> T:
    """`cls` from flat field values (checked against each field's type); its __post_init__ validates."""
    hints, arguments = get_type_hints(cls), {}
    described = {c.name: c for c in config_fields(cls)}
    for f in fields(cls):
        kind, _ = strip_optional(hints[f.name])
        if is_dataclass(kind):
            arguments[f.name] = build_config(kind, values)
        elif f.name in values:
            arguments[f.name] = coerce(described[f.name], values[f.name])
    return cls(**arguments)


def coerce(field: ConfigField, value: Any) -> Any:
    """`value` as the field's type, or InvalidInput naming the parameter, the value and the type."""
    if value is None and field.optional:
        return None
    kind, item = field.kind, field.item
    if kind is tuple and isinstance(value, (list, tuple)):
        if all(_is(v, item) for v in value):
            return tuple(float(v) if item is float else v for v in value)
    elif _is(value, kind):
        return float(value) if kind is float else value
    wanted = f"a list of {item.__name__}" if kind is tuple else f"a {kind.__name__}"
    raise InvalidInput(f"parameter {field.name}={value!r} must be {wanted}")


def field_descriptions(cls: type) -> dict[str, str]:
    """name -> meaning from the `name: text` lines of the docstrings of `cls` and its bases."""
    found: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        doc = inspect.cleandoc(klass.__dict__.get("__doc__") or "")
        current, indent = None, 0
        for line in doc.splitlines():
            match = _DOC_LINE.match(line)
            if match and (current is None or len(match.group(1)) <= indent):
                current, indent = match.group(2), len(match.group(1))
                found[current] = match.group(3).strip()
            elif current and line.strip() and len(line) - len(line.lstrip()) > indent:
                found[current] += " " + line.strip()
            else:
                current = None
    return found


def _is(value: Any, kind: type | None) -> bool:
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def strip_optional(hint: Any) -> tuple[Any, bool]:
    """(X, True) for `X | None`, (hint, False) otherwise."""
    if get_origin(hint) in (Union, types.UnionType):
        args = [a for a in get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return args[0], len(args) < len(get_args(hint))
    return hint, False


def require_choice(name: str, value: Any, valid: tuple[str, ...]) -> None:
    if value not in valid:
        raise InvalidInput(f"{name} must be one of {list(valid)}, got '{value}'")


def require_positive(name: str, value: float) -> None:
    if not (value > 0.0 and value < float("inf")):
        raise InvalidInput(f"{name} must be a positive finite number, got {value}")


def require_non_negative(name: str, value: float) -> None:
    if not (value >= 0.0 and value < float("inf")):
        raise InvalidInput(f"{name} must be a finite number >= 0, got {value}")
