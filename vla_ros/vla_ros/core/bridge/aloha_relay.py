"""The ALOHA follower arms <-> the prefixed joint names of aloha.yaml.

The ALOHA ROS 2 stack runs one Interbotix xs_sdk per follower: each publishes its unprefixed
joints (waist, ..., left_finger) on its own topic and takes interbotix_xs_msgs commands (a group
command "arm" with the six arm joints, a single command "gripper" with a motor angle). The suite
speaks one /joint_states with names prefixed by the arm (left_waist, left_left_finger). The relay
merges the followers' states (once every follower has reported) and splits safe commands back.
The gripper motor angle is linear in the finger position between the config's closed and open.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vla_ros.core.robot.config import ArmConfig, RobotConfig
from vla_ros.core.types import InvalidInput, JointState


@dataclass(frozen=True)
class FollowerArm:
    arm: ArmConfig
    prefix: str
    joint_state_topic: str
    arm_command_topic: str
    gripper_command_topic: str


@dataclass(frozen=True)
class FollowerCommand:
    topic: str
    group: str  # xs_sdk group ("arm") or single joint ("gripper") name
    values: np.ndarray


class AlohaRelay:
    def __init__(self, robot: RobotConfig) -> None:
        notes = robot.bringup
        topics = notes.joint_states if isinstance(notes.joint_states, tuple) else ()
        counts = {len(topics), len(notes.arm_commands), len(notes.gripper_commands)}
        if counts != {len(robot.arms)}:
            raise InvalidInput(
                f"robot '{robot.name}': the relay needs bringup.joint_states, arm_commands and "
                f"gripper_commands with one entry per arm ({len(robot.arms)}), got "
                f"{len(topics)}, {len(notes.arm_commands)}, {len(notes.gripper_commands)}"
            )
        if notes.gripper_motor_open is None or notes.gripper_motor_closed is None:
            raise InvalidInput(
                f"robot '{robot.name}': bringup.gripper_motor_open/closed are needed to command "
                "the follower grippers"
            )
        self.motor_open, self.motor_closed = notes.gripper_motor_open, notes.gripper_motor_closed
        self.followers = tuple(
            FollowerArm(arm, f"{arm.name}_", topic, group, single)
            for arm, topic, group, single in zip(
                robot.arms, topics, notes.arm_commands, notes.gripper_commands
            )
        )
        mimics = [j for arm in robot.arms if arm.gripper for j in arm.gripper.mimic_joints]
        self.relayed_joints = frozenset(robot.command_joints) | frozenset(mimics)
        self._latest: dict[str, JointState] = {}

    def prefixed(self, follower: FollowerArm, state: JointState) -> JointState:
        """A follower's state under the suite's names; joints the suite does not know are dropped."""
        keep = [i for i, n in enumerate(state.names) if follower.prefix + n in self.relayed_joints]
        if not keep:
            raise InvalidInput(
                f"{follower.joint_state_topic} carries none of the {follower.arm.name} arm's "
                f"joints (got {list(state.names)})"
            )
        velocities = (
            None
            if state.velocities is None or len(state.velocities) != len(state.names)
            else state.velocities[keep]
        )
        names = tuple(follower.prefix + state.names[i] for i in keep)
        return JointState(names, state.positions[keep], velocities)

    def merged(self, follower: FollowerArm, state: JointState) -> JointState | None:
        """The merged prefixed state once every follower has reported (latest of each)."""
        self._latest[follower.joint_state_topic] = self.prefixed(follower, state)
        if len(self._latest) < len(self.followers):
            return None
        parts = [self._latest[f.joint_state_topic] for f in self.followers]
        with_velocities = all(p.velocities is not None for p in parts)
        return JointState(
            tuple(n for p in parts for n in p.names),
            np.concatenate([p.positions for p in parts]),
            np.concatenate([p.velocities for p in parts]) if with_velocities else None,
        )

    def commands(self, target: JointState) -> list[FollowerCommand]:
        """Per follower: the six arm joints in the arm's order, the gripper as a motor angle."""
        commands = []
        for follower in self.followers:
            arm = follower.arm
            commands.append(
                FollowerCommand(follower.arm_command_topic, "arm", target.subset(arm.joints))
            )
            if arm.gripper is not None:
                finger = float(target.subset((arm.gripper.joint,))[0])
                commands.append(
                    FollowerCommand(
                        follower.gripper_command_topic,
                        "gripper",
                        np.array([self.motor_angle(arm, finger)]),
                    )
                )
        return commands

    def motor_angle(self, arm: ArmConfig, finger: float) -> float:
        gripper = arm.gripper
        fraction = (finger - gripper.closed_position) / (
            gripper.open_position - gripper.closed_position
        )
        fraction = min(max(fraction, 0.0), 1.0)
        return self.motor_closed + fraction * (self.motor_open - self.motor_closed)
