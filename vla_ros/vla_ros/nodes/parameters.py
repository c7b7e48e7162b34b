"""A config dataclass bound to a node's ROS parameters: declared (typed, described), read back, validated.

Each parameter's name, default and meaning live in the dataclass (core/config_fields.py), nowhere
else; `ros2 param describe` shows the meaning. Parameters are dynamically typed so that an integer
given for a float (`control_rate_hz:=250`) or an empty list is accepted; the value is then checked
against the field's type here and against its valid range by the dataclass's __post_init__, and an
error names the parameter, the value and what would be valid.
"""

from __future__ import annotations

from typing import Any, TypeVar

from rcl_interfaces.msg import ParameterDescriptor, ParameterType
from rclpy.node import Node

from vla_ros.core.config_fields import ConfigField, build_config, config_fields

T = TypeVar("T")

_TYPES = {bool: ParameterType.PARAMETER_BOOL, int: ParameterType.PARAMETER_INTEGER}
_TYPES |= {float: ParameterType.PARAMETER_DOUBLE, str: ParameterType.PARAMETER_STRING}
_ARRAYS = {
    str: ParameterType.PARAMETER_STRING_ARRAY,
    int: ParameterType.PARAMETER_INTEGER_ARRAY,
    float: ParameterType.PARAMETER_DOUBLE_ARRAY,
}


def declare_config(node: Node, cls: type[T]) -> T:
    """Declare (once) every field of `cls` as a parameter of `node` and return the config they give."""
    values = {}
    for field in config_fields(cls):
        if not node.has_parameter(field.name):
            node.declare_parameter(field.name, _ros_value(field.default), descriptor(field))
        values[field.name] = node.get_parameter(field.name).value
    return build_config(cls, values)


def descriptor(field: ConfigField) -> ParameterDescriptor:
    kind = _ARRAYS[field.item] if field.kind is tuple else _TYPES[field.kind]
    return ParameterDescriptor(
        name=field.name,
        type=kind,
        description=field.description,
        read_only=field.read_only,
        dynamic_typing=True,
    )


def _ros_value(default: Any) -> Any:
    return list(default) if isinstance(default, tuple) else default
