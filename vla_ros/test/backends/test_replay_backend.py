"""Replay from a rosbag2 written with rosbags, and from a LeRobot dataset created with LeRobot."""

from pathlib import Path

import numpy as np
import pytest
from observations import observation_for

from vla_ros.backends.registry import create_policy
from vla_ros.core.types import InvalidInput


def write_bag(
    path: Path, robot, topic: str = "/joint_states", samples: int = 50, period: float = 0.02
) -> Path:
    from rosbags.rosbag2 import Writer
    from rosbags.typesys import Stores, get_typestore

    store = get_typestore(Stores.ROS2_KILTED)
    joint_state, header, stamp = (
        store.types[t]
        for t in (
            "sensor_msgs/msg/JointState",
            "std_msgs/msg/Header",
            "builtin_interfaces/msg/Time",
        )
    )
    names = list(robot.command_joints) + ["extra_joint"]
    with Writer(path, version=9) as writer:
        connection = writer.add_connection(topic, joint_state.__msgtype__, typestore=store)
        for k in range(samples):
            t = 1000.0 + k * period
            positions = np.append(
                robot.home + 0.01 * k, 9.0
            )  # every joint moves 0.01 rad per sample
            msg = joint_state(
                header=header(
                    stamp=stamp(sec=int(t), nanosec=int(round((t % 1) * 1e9))), frame_id=""
                ),
                name=names,
                position=positions,
                velocity=np.zeros(0),
                effort=np.zeros(0),
            )
            writer.write(
                connection, int(t * 1e9), store.serialize_cdr(msg, joint_state.__msgtype__)
            )
    return path


def test_bag_replays_at_recorded_speed_from_the_first_observation(tmp_path, robots):
    robot = robots["widowx"]
    bag = write_bag(tmp_path / "bag", robot)
    policy = create_policy("replay", robot, {"bag": str(bag), "rate": 50.0, "horizon": 5})
    first = policy.infer(observation_for(robot, stamp=20.0))
    assert (
        first.actions.shape == (5, 7)
        and first.dim_names == robot.command_joints
        and first.dt == pytest.approx(0.02)
    )
    np.testing.assert_allclose(first.actions[:, 0], robot.home[0] + 0.01 * np.arange(5), atol=1e-9)
    later = policy.infer(observation_for(robot, stamp=20.5))  # 0.5 s later = 25 samples on
    np.testing.assert_allclose(later.actions[0], robot.home + 0.25, atol=1e-9)
    end = policy.infer(observation_for(robot, stamp=30.0))  # past the end: the last sample holds
    np.testing.assert_allclose(end.actions, np.tile(robot.home + 0.49, (5, 1)), atol=1e-9)
    policy.reset()
    np.testing.assert_allclose(
        policy.infer(observation_for(robot, stamp=99.0)).actions, first.actions
    )


def test_on_the_bag_timeline_a_chunk_holds_the_recording_at_its_own_stamps(tmp_path, robots):
    """What `vla-ros replay` uses: the graph runs on the bag's clock, so no start is pinned."""
    robot = robots["widowx"]
    bag = write_bag(tmp_path / "bag", robot)  # samples at 1000.00, 1000.02, ...
    options = {"bag": str(bag), "rate": 50.0, "horizon": 5, "timeline": "bag"}
    policy = create_policy("replay", robot, options)
    chunk = policy.infer(observation_for(robot, stamp=1000.1))  # sample 5 on
    np.testing.assert_allclose(chunk.actions[:, 0], robot.home[0] + 0.01 * (5 + np.arange(5)))
    policy.reset()  # an episode boundary changes nothing on the bag's clock
    np.testing.assert_allclose(
        policy.infer(observation_for(robot, stamp=1000.1)).actions, chunk.actions
    )
    with pytest.raises(InvalidInput, match="option timeline='wall' is invalid"):
        create_policy("replay", robot, {**options, "timeline": "wall"})


def test_bag_errors_name_topics_and_types(tmp_path, robots):
    robot = robots["widowx"]
    bag = write_bag(tmp_path / "bag", robot, topic="/wx250s/joint_states")
    with pytest.raises(
        InvalidInput,
        match=r"has no topic /joint_states; it has \['/wx250s/joint_states \(sensor_msgs/msg/JointState\)'\]",
    ):
        create_policy("replay", robot, {"bag": str(bag)})
    with pytest.raises(
        InvalidInput, match=r"no JointState on /wx250s/joint_states .* names all of"
    ):
        create_policy(
            "replay", robots["panda"], {"bag": str(bag), "topic": "/wx250s/joint_states"}
        )
    (tmp_path / "junk").mkdir()
    with pytest.raises(InvalidInput, match="is not a readable rosbag2"):
        create_policy("replay", robot, {"bag": str(tmp_path / "junk")})
    with pytest.raises(InvalidInput, match="set exactly one of options bag"):
        create_policy("replay", robot, {})


def test_lerobot_dataset_episode(tmp_path, robots):
    from vla_ros.backends.torch_runtime import ensure_torchvision_importable

    ensure_torchvision_importable()
    from lerobot.datasets.lerobot_dataset import LeRobotDataset

    robot = robots["widowx"]
    joints = list(robot.command_joints)
    features = {
        "action": {"dtype": "float32", "shape": (7,), "names": joints},
        "observation.state": {"dtype": "float32", "shape": (7,), "names": joints},
    }
    dataset = LeRobotDataset.create(
        "local/episodes", fps=10, features=features, root=tmp_path / "episodes", use_videos=False
    )
    for episode in range(2):
        for k in range(20):
            dataset.add_frame(
                {
                    "action": np.full(7, episode + 0.01 * k, np.float32),
                    "observation.state": np.zeros(7, np.float32),
                    "task": "pick",
                }
            )
        dataset.save_episode()
    dataset.finalize()
    policy = create_policy(
        "replay", robot, {"dataset": str(tmp_path / "episodes"), "episode": 1, "horizon": 4}
    )
    chunk = policy.infer(observation_for(robot))
    assert chunk.dt == pytest.approx(0.1)
    np.testing.assert_allclose(chunk.actions[:, 0], 1.0 + 0.01 * np.arange(4), atol=1e-6)
    with pytest.raises(
        InvalidInput, match="option episode=5 is out of range; dataset .* has 2 episodes"
    ):
        create_policy("replay", robot, {"dataset": str(tmp_path / "episodes"), "episode": 5})
    with pytest.raises(
        InvalidInput, match=r"target 'waist' is not a command joint of aloha \['left_waist'"
    ):
        create_policy("replay", robots["aloha"], {"dataset": str(tmp_path / "episodes")})
