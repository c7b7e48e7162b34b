"""SimNode over real rclpy: publishes /clock, /joint_states and camera images; the reset service works."""

import numpy as np
import pytest

pytest.importorskip("rclpy")


def test_sim_node_publishes_and_resets(ros):
    from rosgraph_msgs.msg import Clock
    from sensor_msgs.msg import Image, JointState
    from trajectory_msgs.msg import JointTrajectory, JointTrajectoryPoint

    from vla_ros.nodes.managed import parameter_overrides
    from vla_ros.nodes.sim import SimNode
    from vla_ros_msgs.msg import ObjectPoses
    from vla_ros_msgs.srv import ResetSim

    # Clients and subscriptions are made before the node spins: the executor then knows them all.
    client = ros.probe.create_client(ResetSim, "/sim/reset")
    node = ros.add(
        SimNode(parameter_overrides=parameter_overrides({"robot": "panda", "camera_rate_hz": 5.0}))
    )
    assert node.is_active
    camera = node.world.robot.cameras[0]
    joints, images, clock, poses = (
        ros.collect(JointState, "/joint_states"),
        ros.collect(Image, camera.topic),
        ros.collect(Clock, "/clock"),
        ros.collect(ObjectPoses, "/sim/object_poses"),
    )
    assert ros.wait_for(lambda: len(joints) >= 5 and images and clock and poses, timeout=20.0)
    assert set(node.world.robot.command_joints) <= set(joints[-1].name)
    assert (images[-1].height, images[-1].width, images[-1].encoding) == (
        camera.height,
        camera.width,
        "rgb8",
    )
    assert {o.name for o in poses[-1].objects} >= {"red_cube", "bowl"}
    # One message per period, never the same grid time twice a step apart (PublicationGrid's tests
    # reach the float drift that did that; these few seconds of sim time may not).
    assert ros.wait_for(lambda: len(joints) >= 50 and len(images) >= 3, timeout=20.0)
    for messages, period in ((joints, 0.01), (images, 0.2)):
        stamps = [m.header.stamp.sec + m.header.stamp.nanosec * 1e-9 for m in messages]
        assert min(np.diff(stamps)) > 0.5 * period, np.diff(stamps)[:20]

    # A malformed trajectory is reported, and the node keeps running.
    bad = JointTrajectory(joint_names=["nope"], points=[JointTrajectoryPoint(positions=[0.0])])
    ros.publisher(
        JointTrajectory, f"/{node.world.robot.arms[0].controller.name}/joint_trajectory"
    ).publish(bad)

    assert client.wait_for_service(timeout_sec=10.0)
    before = node.world.object_poses()["red_cube"].copy()
    future = client.call_async(
        ResetSim.Request(seed=5, instruction="stack the green cube on the blue cube")
    )
    assert ros.wait_for(future.done, timeout=10.0)
    assert future.result().success, future.result().message
    assert node.instruction == "stack the green cube on the blue cube"
    assert not (node.world.object_poses()["red_cube"] == before).all()
    count = len(joints)
    assert ros.wait_for(lambda: len(joints) > count + 5, timeout=10.0)  # still publishing

    future = client.call_async(ResetSim.Request(seed=1, instruction="juggle the cubes"))
    assert ros.wait_for(future.done, timeout=10.0)
    assert not future.result().success and "not a known sim task" in future.result().message


def test_unknown_robot_fails_configure_naming_the_parameter(ros):
    from vla_ros.nodes.managed import parameter_overrides
    from vla_ros.nodes.sim import SimNode

    node = ros.add(SimNode(parameter_overrides=parameter_overrides({"robot": "r2d2"})))
    assert not node.is_active


@pytest.mark.parametrize("announced", [False, True], ids=["unannounced", "announced"])
def test_after_a_reset_the_arm_holds_home_until_the_graph_hears_of_it(ros, announced):
    """Commands of the old episode keep coming until the graph hears of the reset (/vla/reset):
    the sim, which made the reset, holds the arm at home through them, at most reset_hold_s."""
    import numpy as np
    from builtin_interfaces.msg import Duration
    from sensor_msgs.msg import JointState
    from std_msgs.msg import Header
    from trajectory_msgs.msg import JointTrajectory, JointTrajectoryPoint

    from vla_ros.nodes.managed import parameter_overrides, s_to_stamp
    from vla_ros.nodes.sim import SimNode
    from vla_ros.recording.joint_tracks import header_stamp_s
    from vla_ros_msgs.srv import ResetSim

    hold_s = 30.0 if announced else 0.5
    client = ros.probe.create_client(ResetSim, "/sim/reset")
    node = ros.add(
        SimNode(
            parameter_overrides=parameter_overrides({"robot": "panda", "reset_hold_s": hold_s})
        )
    )
    controller = node.world.robot.arms[0].controller
    home = node.world.robot.home[: len(controller.joints)]
    away = JointTrajectory(
        joint_names=list(controller.joints),
        points=[
            JointTrajectoryPoint(
                positions=(home + 0.3 * np.eye(len(home))[0]).tolist(),
                time_from_start=Duration(nanosec=100_000_000),
            )
        ],
    )
    publisher = ros.publisher(JointTrajectory, f"/{controller.name}/joint_trajectory")
    ros.probe.create_timer(0.02, lambda: publisher.publish(away))
    joints = ros.collect(JointState, "/joint_states", 5000)
    assert ros.wait_for(lambda: joints and joints[-1].position[0] > 0.25, timeout=20.0)
    assert client.wait_for_service(timeout_sec=10.0)
    future = client.call_async(
        ResetSim.Request(seed=3, instruction="put the red cube in the bowl")
    )
    assert ros.wait_for(future.done, timeout=10.0) and future.result().success
    reset_s = node.world.time
    held_until = reset_s + hold_s
    if announced:
        ros.wait_for(lambda: False, 0.3)
        held_until = node.world.time
        ros.publisher(Header, "/vla/reset").publish(Header(stamp=s_to_stamp(held_until)))
    assert ros.wait_for(lambda: joints[-1].position[0] > 0.25, timeout=20.0), "follows again"

    held = [
        m.position[0]
        for m in list(joints)
        if reset_s + 0.02 <= header_stamp_s(m) <= held_until - 0.05
    ]
    assert held and max(abs(q - home[0]) for q in held) < 2e-3, max(held)
