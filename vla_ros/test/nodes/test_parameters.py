"""Parameters bound from dataclasses (nodes/parameters.py) on a real node: an integer is a valid
float, and a bad value fails configure naming the parameter, the value and what is valid."""

import pytest
from rclpy.node import Node
from rclpy.parameter import Parameter

from vla_ros.core.types import InvalidInput
from vla_ros.nodes.chunk_executor import ChunkExecutorNode
from vla_ros.nodes.managed import parameter_overrides
from vla_ros.nodes.node_parameters import CameraIngestParameters, ChunkExecutorParameters
from vla_ros.nodes.parameters import declare_config

pytestmark = pytest.mark.ros


def test_integer_for_a_float_and_a_dataclass_field_not_listed_by_hand(ros):
    node = ros.add(
        ChunkExecutorNode(parameter_overrides=parameter_overrides({"control_rate_hz": 250}))
    )
    assert node.lifecycle_state == "active"
    assert node._executor.config.control_rate_hz == 250.0
    assert node.get_parameter("latency_window").value == 20


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("strategy", "fastest", r"strategy must be one of \['latest_only'.*got 'fastest'"),
        ("control_rate_hz", "fast", r"parameter control_rate_hz='fast' must be a float"),
        ("refresh_fraction", 2.0, r"refresh_fraction must be within \[0, 1\], got 2.0"),
        ("crop", [1, 2], r"crop must be 4 integers"),
        (
            "image_size",
            [224],
            r"image_size must be \[height, width\] > 0, or \[0, 0\] to keep, got \[224\]",
        ),
        ("image_size", [0, 224], r"image_size must be .* got \[0, 224\]"),
        ("image_size", [-224, 224], r"image_size must be .* got \[-224, 224\]"),
    ],
)
def test_bad_value_is_refused_naming_it(ros, name, value, message):
    node = ros.add(Node("bad_parameters", parameter_overrides=parameter_overrides({name: value})))
    cls = CameraIngestParameters if name in ("crop", "image_size") else ChunkExecutorParameters
    with pytest.raises(InvalidInput, match=message):
        declare_config(node, cls)


def test_a_configure_with_a_bad_value_fails_and_a_good_one_then_succeeds(ros):
    node = ros.add(
        ChunkExecutorNode(
            parameter_overrides=parameter_overrides({"strategy": "fastest", "autostart": False})
        )
    )
    node.trigger_configure()
    assert node.lifecycle_state == "unconfigured"
    node.set_parameters([Parameter("strategy", value="crossfade")])
    node.trigger_configure()
    assert node.lifecycle_state == "inactive"


def test_autostart_is_read_only(ros):
    node = ros.add(ChunkExecutorNode())
    result = node.set_parameters([Parameter("autostart", value=False)])[0]
    assert not result.successful


def test_task_server_refuses_a_liveness_timeout_that_a_stall_would_beat(ros):
    """A node lost while its liveness timeout runs would abort the task as an unnamed stall."""
    from vla_ros.nodes.task_server import TaskServerNode

    overrides = {"liveness_timeout_s": 5.0, "stall_timeout_s": 5.0, "autostart": False}
    node = ros.add(TaskServerNode(parameter_overrides=parameter_overrides(overrides)))
    node.trigger_configure()
    assert node.lifecycle_state == "unconfigured"
    node.set_parameters([Parameter("stall_timeout_s", value=8.0)])
    node.trigger_configure()
    assert node.lifecycle_state == "inactive"
