"""Malformed messages on the graph's inputs, at fixed rates: a broken camera driver, a joint-state
publisher gone wrong, a buggy model server, a stray command publisher. Each kind cycles through its
variants; every one of them must be rejected (reported, never acted on) by the node that reads it."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterator

from rclpy.node import Node
from rclpy.parameter import Parameter
from sensor_msgs.msg import Image, JointState

from vla_ros.core.robot.config import RobotConfig
from vla_ros.nodes.managed import s_to_stamp
from vla_ros.nodes.qos import SENSOR
from vla_ros_msgs.msg import ActionChunk, Command

# Messages per second of each kind (images: per camera).
RATES_HZ = {"image": 10.0, "joint_state": 50.0, "action_chunk": 10.0, "command": 20.0}
AHEAD_S = 3600.0  # a stamp an hour in the future (a wall-clock stamp on a sim-time graph, a bad driver clock)


class MalformedTraffic(Node):
    def __init__(self, robot: RobotConfig, use_sim_time: bool = True) -> None:
        super().__init__(
            "vla_malformed_traffic",
            parameter_overrides=[Parameter("use_sim_time", value=use_sim_time)],
        )
        self.robot = robot
        self.sent: Counter = Counter()
        joints = list(robot.command_joints)
        streams: list[tuple[str, object, Iterator[Callable[[float], object]]]] = [
            (
                f"image:{c.name}",
                self.create_publisher(Image, c.topic, SENSOR),
                itertools.cycle(_images()),
            )
            for c in robot.cameras
        ]
        streams += [
            (
                "joint_state",
                self.create_publisher(JointState, robot.joint_state_topic, SENSOR),
                itertools.cycle(_joint_states(joints)),
            ),
            (
                "action_chunk",
                self.create_publisher(ActionChunk, "/vla/action_chunk", 10),
                itertools.cycle(_chunks(joints)),
            ),
            (
                "command",
                self.create_publisher(Command, "/vla/command", 10),
                itertools.cycle(_commands(joints)),
            ),
        ]
        self._streams = streams
        self._timers = []

    def start(self) -> None:
        for name, publisher, variants in self._streams:
            rate = RATES_HZ[name.split(":")[0]]
            self._timers.append(
                self.create_timer(
                    1.0 / rate, lambda n=name, p=publisher, v=variants: self._send(n, p, v)
                )
            )

    def stop(self) -> None:
        for timer in self._timers:
            self.destroy_timer(timer)
        self._timers = []

    def _send(self, name: str, publisher, variants: Iterator[Callable[[float], object]]) -> None:
        now = self.get_clock().now().nanoseconds * 1e-9
        publisher.publish(next(variants)(now))
        self.sent[name.split(":")[0]] += 1


def _stamped(msg, stamp: float):
    msg.header.stamp = s_to_stamp(stamp)
    return msg


def _images() -> list[Callable[[float], Image]]:
    def image(encoding: str, height: int, width: int, step: int, size: int, ahead: float = 0.0):
        return lambda now: _stamped(
            Image(encoding=encoding, height=height, width=width, step=step, data=bytes(size)),
            now + ahead,
        )

    return [
        image("bogus8", 48, 64, 64 * 3, 48 * 64 * 3),  # unknown encoding
        image("rgb8", 48, 64, 64 * 3, 100),  # data shorter than height x step
        image("rgb8", 48, 64, 10, 48 * 10),  # step shorter than a row
        image("rgb8", 0, 0, 0, 0),  # empty
        image(
            "rgb8", 48, 64, 64 * 3, 48 * 64 * 3, ahead=AHEAD_S
        ),  # well-formed, stamped in the future
    ]


def _joint_states(joints: list[str]) -> list[Callable[[float], JointState]]:
    n, nan, inf = len(joints), float("nan"), float("inf")

    def state(
        names: list[str],
        positions: list[float],
        velocities: list[float] | None = None,
        ahead: float = 0.0,
    ):
        return lambda now: _stamped(
            JointState(name=names, position=positions, velocity=velocities or []), now + ahead
        )

    return [
        state(joints, [nan] * n),  # NaN positions
        state(joints, [0.0] * (n - 1)),  # fewer positions than names
        state(joints, [0.0] * n, [inf] * n),  # infinite velocities
        state(joints, [0.0] * n, ahead=AHEAD_S),  # stamped in the future
    ]


def _chunks(joints: list[str]) -> list[Callable[[float], ActionChunk]]:
    n = len(joints)

    def chunk(
        dims: list[str],
        data: list[float],
        horizon: int = 2,
        dt: float = 0.1,
        space: str = "joint_position",
        ahead: float = 0.0,
    ):
        return lambda now: _stamped(
            ActionChunk(dt=dt, horizon=horizon, dim_names=dims, action_space=space, data=data),
            now + ahead,
        )

    return [
        chunk(joints, [float("nan")] * 2 * n),  # NaN actions
        chunk(joints, [0.0] * (2 * n - 1)),  # data not horizon x dims
        chunk(joints[:2], [0.0] * 4),  # wrong dimensions for the robot
        chunk(joints, [0.0] * 2 * n, dt=0.0),  # no time between actions
        chunk(joints, [0.0] * 2 * n, space="teleport"),  # unknown action space
        chunk(joints, [0.0] * 2 * n, ahead=AHEAD_S),  # stamped in the future
    ]


def _commands(joints: list[str]) -> list[Callable[[float], Command]]:
    n = len(joints)

    def command(dims: list[str], values: list[float], space: str = "joint_position"):
        return lambda now: _stamped(
            Command(action_space=space, dim_names=dims, values=values), now
        )

    return [
        command(joints, [float("nan")] * n),  # NaN target
        command(joints, [0.0] * (n - 1)),  # fewer values than names
        command(joints[:2], [0.0, 0.0]),  # not the robot's joints
        command(joints, [0.0] * n, space="teleport"),  # unknown action space
        command([], [0.0] * 9, space="ee_pose"),  # an ee pose of a size no robot takes
    ]
