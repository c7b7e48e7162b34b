"""SimNode over real rclpy: publishes /clock, /joint_states and camera images; the reset service works."""

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
