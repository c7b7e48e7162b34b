"""What RViz/Foxglove are fed, over real DDS: /tf from the suite's FK and /robot_description
(publish_tf, stand-in tf2_msgs with its one field list), the safety status as a text marker.

Proves the transforms are the FK of /joint_states (base -> every link) and the marker follows
/vla/safety_status. Does not prove how RViz or Foxglove render them.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("rclpy")

from bridge_graph import bridge, safe_command
from sensor_msgs.msg import JointState
from std_msgs.msg import String
from visualization_msgs.msg import Marker

from vla_ros.core.robot.config import load_robot_config
from vla_ros.core.robot.kinematics import Kinematics
from vla_ros.nodes.qos import CONTROL, LATCHED, SENSOR
from vla_ros_msgs.msg import SafetyStatus

pytestmark = pytest.mark.ros


def test_tf_carries_every_link_at_its_fk_pose(ros, stand_ins):
    from tf2_msgs.msg import TFMessage

    robot = load_robot_config("panda")
    received = ros.collect(TFMessage, "/tf")
    descriptions = ros.collect(String, "/robot_description", LATCHED)
    bridge(ros, publish_tf=True)
    states = ros.publisher(JointState, "/joint_states", SENSOR)
    q = robot.home + 0.1
    assert ros.wait_for(lambda: states.publish(safe_command(robot.command_joints, q)) or received)
    transforms = {t.child_frame_id: t for t in received[-1].transforms}
    assert {"panda_link1", "panda_hand_tcp"} <= set(transforms)
    tcp = transforms["panda_hand_tcp"]
    assert tcp.header.frame_id == "panda_link0"
    expected = Kinematics.from_robot(robot).frame_pose(q, "panda_hand_tcp")[:3, 3]
    translation = tcp.transform.translation
    np.testing.assert_allclose([translation.x, translation.y, translation.z], expected, atol=1e-9)
    assert ros.wait_for(lambda: descriptions)
    assert descriptions[0].data == robot.urdf_xml()


def test_safety_status_becomes_a_text_marker(ros):
    markers = ros.collect(Marker, "/vla/safety_marker")
    bridge(ros, path_markers=True)
    status = ros.publisher(SafetyStatus, "/vla/safety_status", CONTROL)
    holding = SafetyStatus(holding=True, hold_reason="estop")
    assert ros.wait_for(lambda: status.publish(holding) or markers)
    assert markers[-1].text == "HOLDING: estop"
    assert markers[-1].header.frame_id == "panda_link0"
