"""/tf from the suite's FK (publish_tf), over real DDS with stand-in tf2_msgs (its one field list).

Proves the transforms are the FK of /joint_states (base -> every link). Does not prove how RViz
renders them.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("rclpy")

from bridge_graph import bridge, safe_command
from sensor_msgs.msg import JointState

from vla_ros.core.robot.config import load_robot_config
from vla_ros.core.robot.kinematics import Kinematics
from vla_ros.nodes.qos import SENSOR

pytestmark = pytest.mark.ros


def test_tf_carries_every_link_at_its_fk_pose(ros, stand_ins):
    from tf2_msgs.msg import TFMessage

    robot = load_robot_config("panda")
    received = ros.collect(TFMessage, "/tf")
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
