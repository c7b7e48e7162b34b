"""Backend servo against a Servo stand-in over real DDS, on stand-in control_msgs/moveit_msgs.

Proves the wire contract: JointJog/TwistStamped with the published field lists on Servo's
topics, the command type switched before commands flow, pause/resume following the projector's
holds, Servo's status in the bridge's diagnostics. Does not prove what real MoveIt Servo does with
them (integration, its limits and singularity handling, its command_out_type to the controller):
that needs a full ROS 2 + MoveIt install.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("rclpy")

from bridge_graph import bridge, diagnostics_of, safe_command
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from sensor_msgs.msg import JointState
from trajectory_msgs.msg import JointTrajectory

from vla_ros.core.robot.config import load_robot_config
from vla_ros.nodes.qos import CONTROL, SENSOR
from vla_ros_msgs.msg import SafetyStatus

pytestmark = pytest.mark.ros


def stream(ros, robot, positions, velocities, until):
    """Publish measured state (home) and the safe command until `until()` holds."""
    measured = ros.publisher(JointState, "/joint_states", SENSOR)
    commands = ros.publisher(JointState, "/vla/safe_joint_command", CONTROL)

    def tick():
        measured.publish(safe_command(robot.command_joints, robot.home))
        commands.publish(safe_command(robot.command_joints, positions, velocities))
        return until()

    return ros.wait_for(tick, timeout=10.0)


def test_joint_jogs_pause_on_holds_and_status_in_diagnostics(ros, stand_ins):
    from servo_stand_in import ServoStandIn

    robot = load_robot_config("panda")
    servo = ServoStandIn(ros)
    hand = ros.collect(JointTrajectory, "/panda_gripper/joint_trajectory", CONTROL)
    diagnostics = ros.collect(DiagnosticArray, "/diagnostics", 100)
    bridge(ros, backend="servo", servo_position_gain=2.0)
    positions = robot.home + 0.1
    velocities = np.full(len(positions), 0.05)
    assert stream(ros, robot, positions, velocities, lambda: len(servo.jogs) >= 3 and hand)
    assert servo.command_types == [0]  # JOINT_JOG, asked once, before any jog went out
    jog = servo.jogs[-1]
    assert list(jog.joint_names) == list(robot.arms[0].joints)
    # Feed-forward 0.05 + gain 2.0 x error 0.1 to the measured (home) position.
    np.testing.assert_allclose(jog.velocities, 0.25, atol=1e-9)
    assert list(hand[-1].joint_names) == ["panda_finger_joint1"]  # Servo moves arms only

    status = ros.publisher(SafetyStatus, "/vla/safety_status", CONTROL)
    assert ros.wait_for(lambda: status.publish(SafetyStatus(holding=True)) or servo.pauses)
    assert ros.wait_for(
        lambda: status.publish(SafetyStatus(holding=False)) or len(servo.pauses) >= 2
    )
    assert servo.pauses == [True, False]

    halt = servo.status_type(code=2, message="halt for singularity")
    assert ros.wait_for(
        lambda: (
            servo.status.publish(halt)
            or any("halt for singularity (code 2)" in m for _, m in diagnostics_of(diagnostics))
        ),
        timeout=5.0,
    )
    level = next(lv for lv, m in diagnostics_of(diagnostics) if "code 2" in m)
    assert level == DiagnosticStatus.ERROR


def test_twists_are_the_tcp_velocity_in_the_base_frame(ros, stand_ins):
    from servo_stand_in import ServoStandIn

    robot = load_robot_config("panda")
    servo = ServoStandIn(ros)
    bridge(ros, backend="servo", servo_command_type="twist")
    velocities = np.zeros(len(robot.home))
    velocities[0] = 0.5  # base yaw only
    assert stream(ros, robot, robot.home, velocities, lambda: servo.twists)
    assert servo.command_types == [1]  # TWIST
    twist = servo.twists[-1]
    assert twist.header.frame_id == "panda_link0"
    assert twist.twist.angular.z == pytest.approx(0.5)
    assert twist.twist.angular.x == pytest.approx(0.0, abs=1e-12)
