"""Backend moveit_py in the node, over real DDS, with the stand-in `moveit` module: the scene gate
refuses the colliding stretch of a chunk, the EE path marker shows it, a RunTask end moves home and
re-anchors the graph (/vla/reset).

Proves the node's wiring of the gate, the markers and the home move. Does not prove MoveIt's
collision checking or planning (the stand-in's scene is a predicate the test sets).
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("rclpy")

from bridge_graph import bridge, diagnostics_of, safe_command
from diagnostic_msgs.msg import DiagnosticArray
from sensor_msgs.msg import JointState
from std_msgs.msg import Header
from trajectory_msgs.msg import JointTrajectory
from visualization_msgs.msg import MarkerArray

from vla_ros.core.robot.config import load_robot_config
from vla_ros.core.types import ActionChunk, ActionSpace
from vla_ros.nodes.conversions import chunk_to_msg
from vla_ros.nodes.managed import s_to_stamp
from vla_ros.nodes.qos import CONTROL, EPISODE_EVENTS
from vla_ros_msgs.msg import ActionChunk as ActionChunkMsg
from vla_ros_msgs.msg import EpisodeEvent

pytestmark = pytest.mark.ros


def test_gate_refuses_the_colliding_stretch_and_home_move_resets(ros, moveit_world):
    robot = load_robot_config("panda")
    moveit_world.colliding = lambda group, q: q[0] > 0.55  # a wall beyond joint1 = 0.55
    # gate_horizon_s covers the whole chunk, which starts 2 s ahead (slack for a loaded machine).
    arm = ros.collect(JointTrajectory, "/panda_arm_controller/joint_trajectory", CONTROL)
    markers = ros.collect(MarkerArray, "/vla/ee_path")
    resets = ros.collect(Header, "/vla/reset")
    diagnostics = ros.collect(DiagnosticArray, "/diagnostics", 100)
    bridge(ros, backend="moveit_py", path_markers=True, gate_horizon_s=5.0)
    chunks = ros.publisher(ActionChunkMsg, "/vla/action_chunk")
    commands = ros.publisher(JointState, "/vla/safe_joint_command", CONTROL)
    assert ros.wait_for(lambda: chunks.get_subscription_count() > 0)

    stamp = ros.now() + 2.0  # the chunk starts ahead of now: every waypoint is checked
    actions = np.tile(robot.home, (10, 1))
    actions[:, 0] = np.linspace(0.0, 0.9, 10)  # joint1 0.0, 0.1, ..., 0.9 every 0.1 s
    chunk = ActionChunk(stamp, 0.1, actions, robot.command_joints, ActionSpace.JOINT_POSITION)
    chunks.publish(chunk_to_msg(chunk))
    # Waypoint 6 (0.6) collides: refused from waypoint 5's time, the last checked clear.
    assert ros.wait_for(
        lambda: any("REFUSED" in m for _, m in diagnostics_of(diagnostics)), timeout=15.0
    )
    message = next(m for _, m in diagnostics_of(diagnostics) if "REFUSED" in m)
    assert f"t={stamp + 0.6:.3f}" in message and f"from t={stamp + 0.5:.3f}" in message
    assert markers
    colors = [(c.r, c.g) for c in markers[-1].markers[0].colors]
    assert colors[:5] == [(pytest.approx(0.1), pytest.approx(0.8))] * 5  # clear: green
    assert all(r == pytest.approx(0.9) for r, _ in colors[5:])  # refused: red

    allowed = safe_command(robot.command_joints, actions[3], stamp_s=stamp + 0.3)
    assert ros.wait_for(lambda: commands.publish(allowed) or arm)
    refused = safe_command(robot.command_joints, actions[7], stamp_s=stamp + 0.7)
    for _ in range(10):
        commands.publish(refused)
    assert ros.wait_for(lambda: commands.publish(allowed) or len(arm) >= 3)
    assert all(m.points[0].positions[0] == pytest.approx(0.3) for m in arm)

    events = ros.publisher(EpisodeEvent, "/vla/episode", EPISODE_EVENTS)
    before_start = EpisodeEvent(
        event=EpisodeEvent.EVENT_END, success=True
    )  # stamp 0: kept history
    events.publish(before_start)
    assert not ros.wait_for(lambda: resets, timeout=2.0)  # history from before it started
    end = EpisodeEvent(event=EpisodeEvent.EVENT_END, success=True)
    end.header.stamp = s_to_stamp(ros.now())
    events.publish(end)
    assert ros.wait_for(lambda: resets, timeout=15.0)
    assert ("execute", ("trajectory", "panda_arm"), []) in moveit_world.calls
    assert resets[0].frame_id == "moveit_home"
    assert len([c for c in moveit_world.calls if c[0] == "execute"]) == 1
