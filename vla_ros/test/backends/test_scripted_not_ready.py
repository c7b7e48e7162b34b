"""The scripted expert before and after the sim's object poses arrive: wait first, fault later."""

from dataclasses import replace

import numpy as np
import pytest
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus

from vla_ros.backends.scripted import ScriptedExpert
from vla_ros.core.robot.config import load_robot_config
from vla_ros.core.types import InvalidInput, JointState, NotReady, Observation
from vla_ros.nodes.conversions import object_poses_to_msg, observation_to_msg
from vla_ros.nodes.managed import parameter_overrides
from vla_ros.nodes.vla_policy import VlaPolicyNode
from vla_ros_msgs.msg import ActionChunk, ObjectPoses
from vla_ros_msgs.msg import Observation as ObservationMsg

ROBOT = load_robot_config("panda")
HOME = JointState(ROBOT.command_joints, ROBOT.home)
POSES = {"red_cube": [0.5, 0.0, 0.02, 1, 0, 0, 0], "bowl": [0.5, 0.2, 0.0, 1, 0, 0, 0]}


def observation(poses):
    return Observation(
        1.0, {}, HOME, "put the red cube in the bowl", extras={"object_poses": poses}
    )


def test_no_poses_yet_is_not_ready_and_losing_them_later_is_an_error():
    expert = ScriptedExpert(ROBOT)
    with pytest.raises(NotReady, match="waits for the first object poses"):
        expert.infer(observation({}))
    assert expert.infer(observation(POSES)).dim_names == ROBOT.command_joints
    expert.reset()  # a new episode: the sim keeps publishing, so missing poses now are a fault
    with pytest.raises(InvalidInput, match=r"needs observation.extras\['object_poses'\]"):
        expert.infer(observation({}))


@pytest.mark.ros
def test_the_policy_node_waits_for_object_poses_without_an_error_then_serves(ros):
    diagnostics = ros.collect(DiagnosticArray, "/diagnostics", 50)
    chunks = ros.collect(ActionChunk, "/vla/action_chunk")
    node = ros.add(
        VlaPolicyNode(
            parameter_overrides=parameter_overrides({"robot": "panda", "backend": "scripted"})
        )
    )
    observations = ros.publisher(ObservationMsg, "/vla/observation")
    poses = ros.publisher(ObjectPoses, "/sim/object_poses")
    assert ros.wait_for(
        lambda: observations.get_subscription_count() and poses.get_subscription_count()
    )
    assert ros.wait_for(lambda: node._diagnostics.get_subscription_count() > 0)
    first = observation({})
    observations.publish(observation_to_msg(replace(first, stamp=ros.now())))

    def reported_waiting():  # the node's periodic report: published on the same writer after any error
        return any(
            dict((kv.key, kv.value) for kv in s.values).get("not_ready", "0") != "0"
            for array in list(diagnostics)
            for s in array.status
            if s.name.endswith("vla_policy")
        )

    assert ros.wait_for(reported_waiting)
    errors = [
        s.message for a in list(diagnostics) for s in a.status if s.level == DiagnosticStatus.ERROR
    ]
    assert errors == [], "waiting for the sim's first object poses is not an error"
    poses.publish(
        object_poses_to_msg({k: np.array(v, float) for k, v in POSES.items()}, ros.now())
    )
    assert ros.wait_for(lambda: node._object_poses)
    observations.publish(observation_to_msg(replace(first, stamp=ros.now(), sequence=2)))
    assert ros.wait_for(lambda: chunks), "served once the poses are there"


@pytest.mark.ros
def test_the_policy_node_completes_an_observation_with_the_object_poses_of_its_capture(ros):
    """An observation waits while the model is busy; the object poses it is inferred with are those
    stamped at its capture, not the newest (a held cube would be seen away from the hand)."""
    node = ros.add(
        VlaPolicyNode(
            parameter_overrides=parameter_overrides({"robot": "panda", "backend": "scripted"})
        )
    )
    poses = ros.publisher(ObjectPoses, "/sim/object_poses")
    assert ros.wait_for(lambda: poses.get_subscription_count())
    before = {k: np.array(v, float) for k, v in POSES.items()}
    after = {k: v + [0.0, 0.0, 0.05, 0, 0, 0, 0] for k, v in before.items()}  # lifted 5 cm
    poses.publish(object_poses_to_msg(before, 10.0))
    poses.publish(object_poses_to_msg(after, 10.3))
    assert ros.wait_for(lambda: len(node._object_poses) == 2)
    captured = node._completed(replace(observation({}), stamp=10.1)).extras["object_poses"]
    assert captured["red_cube"] == pytest.approx(before["red_cube"])
    newest = node._completed(replace(observation({}), stamp=10.3)).extras["object_poses"]
    assert newest["red_cube"] == pytest.approx(after["red_cube"])
