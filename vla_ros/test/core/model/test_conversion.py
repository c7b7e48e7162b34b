"""Card-driven conversions: units, grippers, normalization, velocity integration, EE layouts,
state encoding and image checks, each against a hand computation."""

import numpy as np
import pytest
from observations import observation_for
from scipy.spatial.transform import Rotation

from vla_ros.core.model.card import parse_model_card
from vla_ros.core.model.io import ModelIO
from vla_ros.core.types import ActionSpace, InvalidInput, JointState


def io_for(robot, action: dict, **card):
    raw = {"name": "t", "control_rate": 10.0, "chunk_size": 3, "action": action, **card}
    return ModelIO(parse_model_card(raw), robot)


def test_degrees_and_gripper_percent_become_radians_and_finger_position(robots):
    robot = robots["widowx"]
    io = io_for(
        robot,
        {
            "space": "joint_position",
            "dim": 7,
            "targets": ["arm0.joints", "arm0.gripper"],
            "units": {"angle": "deg"},
            "gripper": {"closed": 0.0, "open": 100.0},
        },
    )
    observation = observation_for(robot)
    chunk = io.chunk(
        np.array([[90.0, -45, 0, 0, 0, 180, 100.0], [0, 0, 0, 0, 0, 0, 25.0]]), observation
    )
    gripper = robot.arms[0].gripper
    np.testing.assert_allclose(chunk.actions[0, :6], np.deg2rad([90, -45, 0, 0, 0, 180]))
    assert chunk.actions[0, 6] == pytest.approx(gripper.open_position)
    assert chunk.actions[1, 6] == pytest.approx(
        gripper.closed_position + 0.25 * (gripper.open_position - gripper.closed_position)
    )
    # State is the inverse mapping: the robot's own pose reads back in degrees and percent.
    state = io.inputs(observation).state
    assert not state  # no state declared
    io2 = io_for(
        robot,
        {
            "space": "joint_position",
            "dim": 7,
            "targets": ["arm0.joints", "arm0.gripper"],
            "units": {"angle": "deg"},
            "gripper": {"closed": 0.0, "open": 100.0},
        },
        state=[{"key": "s", "dim": 7, "targets": ["arm0.joints", "arm0.gripper"]}],
    )
    encoded = io2.inputs(observation).state["s"]
    back = io2.chunk(encoded[None, :].astype(float), observation).actions[0]
    np.testing.assert_allclose(back, observation.joint_state.positions, atol=1e-5)


def test_binary_gripper_snaps_at_midpoint_and_droid_convention_is_inverted(robots):
    robot = robots["panda"]
    gripper = robot.arms[0].gripper
    binary = io_for(
        robot,
        {
            "space": "joint_position",
            "dim": 8,
            "targets": ["arm0.joints", "arm0.gripper"],
            "gripper": {"closed": 0.0, "open": 1.0, "binary": True},
        },
    )
    rows = np.zeros((3, 8))
    rows[:, 7] = [0.49, 0.5, 0.9]
    out = binary.chunk(rows, observation_for(robot)).actions[:, 7]
    np.testing.assert_allclose(
        out, [gripper.closed_position, gripper.open_position, gripper.open_position]
    )
    droid = io_for(
        robot,
        {
            "space": "joint_position",
            "dim": 8,
            "targets": ["arm0.joints", "arm0.gripper"],
            "gripper": {"closed": 1.0, "open": 0.0},
        },
    )
    rows[:, 7] = [1.0, 0.0, 2.0]  # out-of-range values clip to the joint's range
    np.testing.assert_allclose(
        droid.chunk(rows, observation_for(robot)).actions[:, 7],
        [gripper.closed_position, gripper.open_position, gripper.closed_position],
    )


def test_joint_velocities_integrate_from_the_observation_anchor(robots):
    robot = robots["panda"]
    io = io_for(
        robot,
        {
            "space": "joint_velocity",
            "dim": 8,
            "targets": ["arm0.joints", "arm0.gripper"],
            "gripper": {"closed": 1.0, "open": 0.0},
        },
    )
    observation = observation_for(robot)
    velocities = np.zeros((3, 8))
    velocities[:, 0] = [1.0, 2.0, 3.0]  # rad/s, dt = 0.1 s
    chunk = io.chunk(velocities, observation)
    assert chunk.action_space == ActionSpace.JOINT_POSITION
    q0 = observation.joint_state.positions[0]
    np.testing.assert_allclose(chunk.actions[:, 0], [q0, q0 + 0.1, q0 + 0.3])
    np.testing.assert_allclose(
        chunk.actions[:, 1:7], np.tile(observation.joint_state.positions[1:7], (3, 1))
    )
    assert chunk.actions[0, 7] == pytest.approx(
        robot.arms[0].gripper.open_position
    )  # absolute, not integrated


def test_bounds_and_gaussian_normalization_respect_the_mask(robots):
    robot = robots["widowx"]
    bounds = {
        "mode": "bounds",
        "low": [-1.0] * 6 + [0.0],
        "high": [3.0] * 6 + [1.0],
        "mask": [True] * 6 + [False],
    }
    io = io_for(
        robot,
        {
            "space": "ee_delta",
            "dim": 7,
            "targets": ["arm0.ee", "arm0.gripper"],
            "normalization": bounds,
        },
    )
    chunk = io.chunk(np.array([[-1.0, 0.0, 1.0, 2.0, 0.5, -0.5, 0.03]]), observation_for(robot))
    np.testing.assert_allclose(
        chunk.actions[0, :6], [-1.0, 1.0, 3.0, 3.0, 2.0, 0.0]
    )  # x clipped to [-1, 1] first
    assert chunk.actions[0, 6] == pytest.approx(0.03)  # masked: passes through (joint units)
    assert chunk.dim_names == ("dx", "dy", "dz", "droll", "dpitch", "dyaw", "left_finger")
    gaussian = {"mode": "gaussian", "mean": [0.1] * 7, "std": [2.0] * 7}
    io = io_for(
        robot,
        {
            "space": "joint_position",
            "dim": 7,
            "targets": ["arm0.joints", "arm0.gripper"],
            "normalization": gaussian,
        },
    )
    np.testing.assert_allclose(
        io.chunk(np.full((1, 7), 0.5), observation_for(robot)).actions[0], 1.1
    )


def test_ee_pose_rpy_becomes_unit_quaternion(robots):
    robot = robots["widowx"]
    io = io_for(
        robot,
        {
            "space": "ee_pose",
            "dim": 7,
            "targets": ["arm0.ee", "arm0.gripper"],
            "units": {"length": "cm"},
        },
    )
    chunk = io.chunk(np.array([[30.0, -5.0, 12.0, 0.1, -0.2, 1.0, 0.02]]), observation_for(robot))
    assert chunk.dim_names[:7] == ("x", "y", "z", "qx", "qy", "qz", "qw")
    np.testing.assert_allclose(chunk.actions[0, :3], [0.3, -0.05, 0.12])
    np.testing.assert_allclose(
        chunk.actions[0, 3:7], Rotation.from_euler("xyz", [0.1, -0.2, 1.0]).as_quat()
    )
    assert chunk.actions[0, 7] == pytest.approx(
        0.0002
    )  # gripper in joint units, centimetres -> metres


def test_rdt_slots_pick_the_robot_dims_and_ignore_the_rest(robots):
    from vla_ros.core.model.card import load_model_card

    robot = robots["aloha"]
    io = ModelIO(load_model_card("rdt_aloha"), robot)
    unified = np.full((2, 128), 9.0)
    unified[:, 0:6] = 0.1
    unified[:, 10] = 1.0
    unified[:, 50:56] = -0.1
    unified[:, 60] = 0.0
    chunk = io.chunk(unified, observation_for(robot))
    left, right = robot.arms
    np.testing.assert_allclose(chunk.actions[0, :6], -0.1)
    assert chunk.actions[0, 6] == pytest.approx(left.gripper.closed_position)
    np.testing.assert_allclose(chunk.actions[0, 7:13], 0.1)
    assert chunk.actions[0, 13] == pytest.approx(right.gripper.open_position)


def test_joints_the_model_does_not_drive_hold_their_anchor(robots):
    robot = robots["aloha"]
    io = io_for(
        robot, {"space": "joint_position", "dim": 7, "targets": ["right.joints", "right.gripper"]}
    )
    observation = observation_for(robot)
    chunk = io.chunk(np.zeros((2, 7)), observation)
    np.testing.assert_allclose(
        chunk.actions[:, :7], np.tile(observation.joint_state.positions[:7], (2, 1))
    )
    np.testing.assert_allclose(chunk.actions[:, 7:], 0.0)


def test_model_output_of_wrong_width_is_rejected(robots):
    robot = robots["widowx"]
    io = io_for(
        robot, {"space": "joint_position", "dim": 7, "targets": ["arm0.joints", "arm0.gripper"]}
    )
    with pytest.raises(
        InvalidInput, match=r"returned actions of shape \(3, 6\); its card declares \(horizon, 7\)"
    ):
        io.chunk(np.zeros((3, 6)), observation_for(robot))


def aloha_io(robot, cameras: list[dict]) -> ModelIO:
    """ALOHA's both arms and grippers as joint positions, reading `cameras`."""
    action = {
        "space": "joint_position",
        "dim": 14,
        "targets": ["arm0.joints", "arm0.gripper", "arm1.joints", "arm1.gripper"],
    }
    return io_for(robot, action, cameras=cameras)


def test_images_of_any_size_are_resized_once_to_the_card_and_transposed(robots):
    robot = robots["aloha"]
    io = aloha_io(
        robot,
        [{"key": "images.cam_high", "source": "cam_high", "size": [96, 128], "layout": "chw"}],
    )
    observation = observation_for(robot)
    assert io.inputs(observation).images["images.cam_high"].shape == (3, 96, 128)
    # The robot config's 224x224 is the render size, not a check: a bigger frame is resized too.
    big = dict(observation.images, cam_high=np.full((480, 640, 3), 7, np.uint8))
    image = io.images(big)["images.cam_high"]
    assert image.shape == (3, 96, 128) and np.all(image == 7)
    grey = dict(observation.images, cam_high=np.zeros((100, 100), np.uint8))
    with pytest.raises(
        InvalidInput,
        match=r"camera 'cam_high' image is \(100, 100\) uint8; expected \(height, width, 3\) uint8 RGB",
    ):
        io.images(grey)
    with pytest.raises(InvalidInput, match="float32"):
        io.images(dict(observation.images, cam_high=np.zeros((224, 224, 3), np.float32)))
    with pytest.raises(InvalidInput, match="observation lacks camera 'cam_high'"):
        io.images({})


def test_camera_map_option_rebinds_sources(robots):
    from vla_ros.core.model.card import load_model_card

    robot = robots["panda"]
    io = ModelIO(load_model_card("openvla_bridge"), robot, {"image": "exterior_2"})
    assert io.images.bindings[0][1].name == "exterior_2"
    with pytest.raises(InvalidInput, match=r"option cameras maps \['nope'\]"):
        ModelIO(load_model_card("openvla_bridge"), robot, {"nope": "wrist"})


def test_missing_joint_in_state_is_named(robots):
    robot = robots["widowx"]
    io = io_for(
        robot, {"space": "joint_velocity", "dim": 7, "targets": ["arm0.joints", "arm0.gripper"]}
    )
    observation = observation_for(robot)
    partial = JointState(robot.command_joints[:3], observation.joint_state.positions[:3])
    with pytest.raises(InvalidInput, match="joint state lacks joints"):
        io.chunk(
            np.zeros((2, 7)), type(observation)(observation.stamp, observation.images, partial, "")
        )


def test_card_crop_cuts_the_named_region_before_the_resize(robots):
    robot = robots["aloha"]
    io = aloha_io(
        robot,
        [{"key": "top", "source": "cam_high", "size": [8, 8], "crop": [0.5, 0.25, 0.25, 0.5]}],
    )
    frame = np.zeros((200, 400, 3), np.uint8)
    frame[100:150, 100:300] = 9  # exactly the crop: rows 0.5-0.75, columns 0.25-0.75
    image = io.images(dict(observation_for(robot).images, cam_high=frame))["top"]
    assert image.shape == (8, 8, 3) and np.all(image == 9)
    frame[99, 100:300] = 200  # one row above the crop stays out
    assert np.all(io.images(dict(observation_for(robot).images, cam_high=frame))["top"] == 9)
