"""Unit tests of the pieces the projector is built from (no ROS)."""

from __future__ import annotations

import numpy as np
import pinocchio as pin
import pytest
from adversarial import command_dims
from hypothesis import given, settings
from hypothesis import strategies as st

from vla_ros.core.robot.config import load_robot_config
from vla_ros.core.safety import HoldSupervisor, SafetyConfig, SafetyProjector
from vla_ros.core.safety.braking import brake, braking_distance, max_viable_velocity
from vla_ros.core.safety.capsules import closest_points
from vla_ros.core.safety.compiled import drop_stale_cache
from vla_ros.core.types import ActionSpace, Command, CommandSpace, InvalidInput


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.floats(0.0, 3.0), st.floats(0.5, 30.0), st.sampled_from([0.002, 0.01, 0.02]))
def test_max_viable_velocity_is_the_largest_speed_that_stops_in_time(
    distance, acceleration, dt
) -> None:
    a = np.array([acceleration])
    v = max_viable_velocity(np.array([distance]), a, dt)
    # Simulate the discrete stop: it never passes `distance` ...
    travelled, speed = dt * v[0], v
    while speed[0] > 0.0:
        speed = brake(speed, a, dt)
        travelled += dt * speed[0]
    assert travelled <= distance + 1e-12
    assert travelled == pytest.approx(dt * v[0] + braking_distance(v, a, dt)[0], abs=1e-12)
    # ... and any faster start would.
    faster = v + 1e-6
    assert dt * faster[0] + braking_distance(faster, a, dt)[0] > distance


def test_closest_points_match_brute_force() -> None:
    rng = np.random.default_rng(0)
    p = rng.normal(size=(4, 300, 3))
    p[2, :50] = p[3, :50]  # degenerate segments (points) too: spheres
    p[0, 40:80] = p[1, 40:80]
    p[1, 100:120] = p[0, 100:120] + 2.0 * (p[3, 100:120] - p[2, 100:120])  # parallel
    c1, c2 = np.empty((300, 3)), np.empty((300, 3))
    distance = np.array([closest_points(*p[:, k], c1[k], c2[k]) for k in range(300)])
    t = np.linspace(0.0, 1.0, 401)
    for k in range(300):
        a = p[0, k] + t[:, None] * (p[1, k] - p[0, k])
        b = p[2, k] + t[:, None] * (p[3, k] - p[2, k])
        brute = np.linalg.norm(a[:, None] - b[None], axis=2).min()
        assert brute - 1e-3 <= distance[k] <= brute + 1e-12
        assert np.linalg.norm(c1[k] - c2[k]) == pytest.approx(distance[k])


def test_config_rejects_bad_values_by_name() -> None:
    with pytest.raises(InvalidInput, match="'max_speed' \\(did you mean 'max_linear_speed'\\?\\)"):
        SafetyConfig.from_yaml({"max_speed": 1.0})
    with pytest.raises(InvalidInput, match="safety.max_linear_speed must be > 0"):
        SafetyConfig.from_yaml({"max_linear_speed": 0})
    with pytest.raises(InvalidInput, match="singularity_slowdown"):
        SafetyConfig(singularity_slowdown=40.0, singularity_stop=30.0)
    with pytest.raises(InvalidInput, match="safety.table_height must be a number"):
        SafetyConfig.from_yaml({"table_height": "low"})
    assert SafetyConfig.from_yaml(None) == SafetyConfig()


def test_supervisor_precedence_and_latch() -> None:
    supervisor = HoldSupervisor(0.2)
    command = Command(0.0, CommandSpace.JOINT_POSITION, ("a",), np.zeros(1))
    assert supervisor.hold_reason(0.0) == "not_ready"
    supervisor.accept(0.0, command)
    assert supervisor.hold_reason(0.1) == ""
    assert supervisor.hold_reason(0.3) == "stale_command"
    supervisor.reject()
    assert supervisor.hold_reason(0.3) == "invalid_command"
    supervisor.set_estop(True)
    supervisor.accept(0.3, command)
    assert supervisor.hold_reason(0.3) == "estop", "fresh commands do not release the e-stop"
    supervisor.set_estop(False)
    assert supervisor.hold_reason(0.3) == ""
    assert supervisor.counters["estop"] == 1 and supervisor.counters["invalid_command"] == 1


RPY = ("x", "y", "z", "roll", "pitch", "yaw", "panda_finger_joint1")
QUAT = ("x", "y", "z", "qx", "qy", "qz", "qw", "panda_finger_joint1")


@pytest.mark.parametrize(
    "space, names, values, message",
    [
        (CommandSpace.EE_POSE, RPY[:5], np.zeros(5), r"do not name panda's end effector"),
        (CommandSpace.EE_POSE, tuple(f"d{i}" for i in range(7)), np.zeros(7), r"valid are"),
        (CommandSpace.EE_POSE, RPY[:6] + ("x",), np.zeros(7), r"do not name"),
        (CommandSpace.EE_TICK_DELTA, RPY, np.zeros(7), r"\['dx', 'dy', 'dz', 'droll'"),
        (CommandSpace.EE_POSE, RPY, np.zeros(8), r"8 values for 7 dim_names"),
        (CommandSpace.EE_POSE, QUAT, np.r_[0.4, 0, 0.3, 0, 0, 0, 0, 0.02], "quaternion"),
        (CommandSpace.JOINT_POSITION, None, np.full(8, np.nan), "non-finite"),
        (CommandSpace.JOINT_POSITION, RPY + ("z",), np.zeros(8), r"unknown \['pitch', 'roll'"),
    ],
)
def test_invalid_commands_hold_with_a_reason(space, names, values, message) -> None:
    robot = load_robot_config("panda")
    projector = SafetyProjector(robot, 0.01)
    projector.start(robot.home)
    command = Command(0.0, space, names or robot.command_joints, values)
    with pytest.raises(InvalidInput, match=message):
        projector.validate(command)
    safe = projector.step(command)
    assert safe.hold_reason == "invalid_command" and np.all(safe.velocities == 0.0)


@pytest.mark.parametrize(
    "robot_name, space", [("panda", CommandSpace.EE_POSE), ("aloha", CommandSpace.EE_TICK_DELTA)]
)
def test_ee_commands_are_read_by_name_in_any_order(robot_name, space) -> None:
    robot = load_robot_config(robot_name)
    names = command_dims(robot, space)
    if len(robot.arms) > 1:
        assert names[0] == f"{robot.arms[0].name}.{names[0].partition('.')[2]}"
    rng = np.random.default_rng(0)
    home = SafetyProjector(robot, 0.01).model.placements(robot.home)
    values = []
    for k, arm in enumerate(robot.arms):
        if space is CommandSpace.EE_POSE:
            rpy = pin.rpy.matrixToRpy(home.ee_rotation[k])
            values += list(home.ee_position[k] + rng.uniform(-0.05, 0.05, 3)) + list(rpy)
        else:
            values += list(rng.uniform(-0.002, 0.002, 6))
        values.append(robot.home[robot.command_joints.index(arm.gripper.joint)])
    shuffle = rng.permutation(len(names))
    outputs = []
    for order in (np.arange(len(names)), shuffle):
        projector = SafetyProjector(robot, 0.01)
        projector.start(robot.home)
        command = Command(0.0, space, tuple(names[i] for i in order), np.array(values)[order])
        outputs.append(projector.step(command))
    assert outputs[0].hold_reason == "" and not np.allclose(outputs[0].velocities, 0.0)
    assert np.array_equal(outputs[0].positions, outputs[1].positions)


def test_a_chunk_relative_delta_is_no_command_space() -> None:
    """ActionSpace.EE_DELTA is relative to a chunk's observation time: it cannot pass for a per-tick
    delta, neither as a Command's space nor through the executor's mapping."""
    with pytest.raises(TypeError, match="must be a CommandSpace"):
        Command(0.0, ActionSpace.EE_DELTA, ("dx",), np.zeros(1))
    with pytest.raises(InvalidInput, match="anchor it into ee_pose"):
        CommandSpace.executing(ActionSpace.EE_DELTA)
    assert CommandSpace.EE_TICK_DELTA != ActionSpace.EE_DELTA
    assert CommandSpace.executing(ActionSpace.EE_POSE) is CommandSpace.EE_POSE


def test_for_robot_keeps_the_motion_and_rejects_other_joints() -> None:
    panda, widowx = load_robot_config("panda"), load_robot_config("widowx")
    projector = SafetyProjector(panda, 0.01)
    projector.start(panda.home)
    projector.step(
        Command(0.0, CommandSpace.JOINT_VELOCITY, panda.command_joints, np.full(8, 0.01))
    )
    successor = projector.for_robot(panda.with_urdf(panda.urdf_xml()))
    assert successor.state is projector.state and successor.counters is projector.counters
    with pytest.raises(InvalidInput, match="joints"):
        projector.for_robot(widowx)


def test_numba_cache_is_dropped_when_any_source_of_the_package_changes(tmp_path) -> None:
    (tmp_path / "braking.py").write_text("a = 1\n")
    (tmp_path / "projector.py").write_text("b = 1\n")
    cache = tmp_path / "__pycache__"
    cache.mkdir()
    compiled_caller = cache / "projector._braking_path-80.py311.nbi"
    compiled_caller.write_text("old")
    assert drop_stale_cache(tmp_path) and not compiled_caller.exists()  # no stamp yet: dropped
    compiled_caller.write_text("fresh")
    assert not drop_stale_cache(tmp_path) and compiled_caller.exists()  # nothing changed: kept
    (tmp_path / "braking.py").write_text("a = 2\n")  # the callee's file alone changes
    assert drop_stale_cache(tmp_path) and not compiled_caller.exists()
