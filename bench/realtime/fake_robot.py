"""The robot of bench/realtime: joint states at 1 kHz on the robot's joint_state_topic that follow
the commands arriving on its controllers' trajectory topics (what moveit_bridge sends a real
ros2_control driver), and the scene (fixed object poses, the sim's /sim/object_poses, so the
scripted expert acts with the sim off). It times, on the steady clock, the arrivals of the arm's
commands and of the bare 100 Hz timer baseline (baseline.py timer) inside the window; prints them
(JSON, last line).
"""

from __future__ import annotations

import json
import threading
import time

import numpy as np
from sensor_msgs.msg import JointState
from std_msgs.msg import Header
from timing import (
    BASELINE_TIMER_TOPIC,
    CONTROL_RATE_HZ,
    Window,
    endpoint,
    endpoint_parser,
    period_stats,
)
from trajectory_msgs.msg import JointTrajectory

from vla_ros.nodes.conversions import object_poses_to_msg
from vla_ros.nodes.managed import s_to_stamp
from vla_ros.nodes.qos import CONTROL, SENSOR
from vla_ros_msgs.msg import ObjectPoses

JOINT_RATE_HZ = 1000.0
# The default task's objects ("put the red cube in the bowl"), resting on the table in reach.
SCENE = {
    "red_cube": np.array([0.5, 0.1, 0.0225, 1.0, 0.0, 0.0, 0.0]),
    "bowl": np.array([0.5, -0.15, 0.0, 1.0, 0.0, 0.0, 0.0]),
}


def main() -> None:
    args = endpoint_parser(__doc__).parse_args()
    robot, node = endpoint(args, "bench_fake_robot")
    window = Window(args.window_start, args.duration)
    names = list(robot.command_joints)
    positions = np.array(robot.home, dtype=float)  # in command_joints order
    index = {name: i for i, name in enumerate(names)}
    arrivals: dict[str, list[float]] = {"safe_command": [], "baseline_timer": []}

    def arrived(stream: str) -> None:
        if window.open():
            arrivals[stream].append(time.monotonic())

    def on_command(msg: JointTrajectory, timed: bool) -> None:
        if timed:
            arrived("safe_command")
        if msg.points:
            for name, value in zip(msg.joint_names, msg.points[0].positions, strict=False):
                if name in index:
                    positions[index[name]] = value

    for i, controller in enumerate(robot.controllers):
        arm = i == 0  # the first arm's controller: one command per control tick
        node.create_subscription(
            JointTrajectory,
            controller.trajectory_topic,
            lambda m, t=arm: on_command(m, t),
            CONTROL,
        )
    node.create_subscription(
        Header,
        BASELINE_TIMER_TOPIC,
        lambda _: arrived("baseline_timer"),
        CONTROL,
    )
    poses = node.create_publisher(ObjectPoses, "/sim/object_poses", 10)
    node.create_timer(0.1, lambda: poses.publish(object_poses_to_msg(SCENE, time.time())))
    joint_pub = node.create_publisher(JointState, robot.joint_state_topic, SENSOR)
    published = {"joint_states": 0}  # in the window

    def publish_joint_states() -> None:
        period, next_t = 1.0 / JOINT_RATE_HZ, time.monotonic()
        while not window.over():
            delay = next_t - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            msg = JointState(name=names, position=positions.tolist())
            msg.header.stamp = s_to_stamp(time.time())
            joint_pub.publish(msg)
            published["joint_states"] += window.open()
            next_t += period

    publisher = threading.Thread(target=publish_joint_states, daemon=True)
    publisher.start()
    window.spin_until_over(node)
    publisher.join()
    result = {name: period_stats(times, 1.0 / CONTROL_RATE_HZ) for name, times in arrivals.items()}
    joint_rate = published["joint_states"] / args.duration
    print(json.dumps({**result, "joint_states_per_s": joint_rate}), flush=True)


if __name__ == "__main__":
    main()
