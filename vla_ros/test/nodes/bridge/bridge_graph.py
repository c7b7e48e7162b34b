"""Helpers of the bridge node tests: a bridge node, safe commands, its diagnostics."""

from __future__ import annotations


def bridge(ros, robot: str = "panda", **parameters):
    """A moveit_bridge node with these parameters, added to the test's executors."""
    from vla_ros.nodes.managed import parameter_overrides
    from vla_ros.nodes.moveit_bridge import MoveItBridgeNode

    overrides = parameter_overrides({"robot": robot, "path_markers": False, **parameters})
    return ros.add(MoveItBridgeNode(parameter_overrides=overrides))


def safe_command(names, positions, velocities=None, stamp_s: float = 0.0):
    from sensor_msgs.msg import JointState

    from vla_ros.nodes.managed import s_to_stamp

    msg = JointState(name=list(names), position=[float(p) for p in positions])
    if velocities is not None:
        msg.velocity = [float(v) for v in velocities]
    msg.header.stamp = s_to_stamp(stamp_s)
    return msg


def diagnostics_of(received: list, node: str = "moveit_bridge") -> list[tuple[int, str]]:
    return [
        (status.level, status.message)
        for array in received
        for status in array.status
        if status.name == f"vla_ros/{node}"
    ]
