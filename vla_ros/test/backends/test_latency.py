"""DelayedPolicy adds latency and is otherwise the policy it wraps (declared members, no attribute forwarding)."""

import numpy as np
import pytest

from vla_ros.backends.latency import DelayedPolicy
from vla_ros.backends.scripted import ScriptedExpert
from vla_ros.core.robot.config import load_robot_config
from vla_ros.core.types import InvalidInput, JointState, Observation

ROBOT = load_robot_config("panda")
POSES = {"red_cube": [0.5, 0.0, 0.02, 1, 0, 0, 0], "bowl": [0.5, 0.2, 0.0, 1, 0, 0, 0]}


def test_the_wrapped_policy_is_what_the_node_sees():
    expert = ScriptedExpert(ROBOT)
    delayed = DelayedPolicy(expert, 0.0)
    assert delayed.needs_object_poses is True and delayed.link_state is None
    observation = Observation(
        1.0,
        {},
        JointState(ROBOT.command_joints, ROBOT.home),
        "put the red cube in the bowl",
        extras={"object_poses": POSES},
    )
    chunk = delayed.infer(observation)
    assert chunk.model_id == expert.io.card.name and np.all(np.isfinite(chunk.actions))
    delayed.reset()
    assert expert.phase == "approach"


def test_a_negative_latency_is_rejected():
    with pytest.raises(InvalidInput, match="latency must be >= 0 s, got -1"):
        DelayedPolicy(ScriptedExpert(ROBOT), -1.0)
