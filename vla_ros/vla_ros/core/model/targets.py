"""Card targets (`arm0.joints`, `left.gripper`, `arm0.ee`, a joint name) resolved against one robot.

Resolution is where a card meets a robot, so this is where a mismatch (a 7-joint card on a 6-joint
arm, a second arm the robot lacks) becomes an InvalidInput that names both sides.
"""

from __future__ import annotations

from dataclasses import dataclass

from vla_ros.core.actions import EE_DELTA_DIMS, EE_POSE_DIMS, EE_RPY_DIMS
from vla_ros.core.robot.config import ArmConfig, RobotConfig
from vla_ros.core.types import ActionSpace, InvalidInput


@dataclass(frozen=True)
class Target:
    """One robot quantity: a joint position/velocity, a gripper, or an end-effector axis of an arm."""

    kind: str  # "joint" | "gripper" | "ee" | "ignored"
    arm: int = -1
    joint: str = ""  # joint and gripper kinds
    axis: str = ""  # ee kind

    @property
    def label(self) -> str:
        return self.joint or (f"arm{self.arm}.{self.axis}" if self.kind == "ee" else "ignored")


def resolve_targets(
    targets: tuple[str | None, ...], robot: RobotConfig, space: ActionSpace | None, where: str
) -> tuple[Target, ...]:
    """Expand and resolve card targets for `robot` (space None: state targets, joints and grippers only)."""
    resolved: list[Target] = []
    for text in targets:
        resolved.extend(_resolve(text, robot, space, where))
    used = [t.label for t in resolved if t.kind != "ignored"]
    duplicates = sorted({u for u in used if used.count(u) > 1})
    if duplicates:
        raise InvalidInput(f"{where}: targets drive {duplicates} more than once")
    return tuple(resolved)


def _resolve(
    text: str | None, robot: RobotConfig, space: ActionSpace | None, where: str
) -> list[Target]:
    if text is None:
        return [Target("ignored")]
    if text in robot.command_joints:
        arm_index = next(i for i, a in enumerate(robot.arms) if text in a.command_joints)
        is_gripper = (
            robot.arms[arm_index].gripper is not None
            and robot.arms[arm_index].gripper.joint == text
        )
        return [Target("gripper" if is_gripper else "joint", arm_index, joint=text)]
    valid = "armN.joints, armN.jointK, armN.gripper" + (
        ", armN.ee, armN.ee_quat" if space is not None else ""
    )
    if "." not in text:
        raise InvalidInput(
            f"{where}: target '{text}' is not a command joint of {robot.name} {list(robot.command_joints)} nor {valid}"
        )
    arm_ref, _, member = text.partition(".")
    index, arm = _arm(arm_ref, robot, text, where)
    if member == "joints":
        return [Target("joint", index, joint=j) for j in arm.joints]
    if member.startswith("joint") and member[5:].isdigit():
        k = int(member[5:])
        if k >= len(arm.joints):
            raise InvalidInput(
                f"{where}: target '{text}' but arm '{arm.name}' of {robot.name} has "
                f"{len(arm.joints)} joints {list(arm.joints)}"
            )
        return [Target("joint", index, joint=arm.joints[k])]
    if member == "gripper":
        if arm.gripper is None:
            raise InvalidInput(
                f"{where}: target '{text}' but arm '{arm.name}' of {robot.name} has no gripper"
            )
        return [Target("gripper", index, joint=arm.gripper.joint)]
    if member in ("ee", "ee_quat") and space is not None:
        axes = _ee_axes(member, space, text, where)
        return [Target("ee", index, axis=a) for a in axes]
    raise InvalidInput(
        f"{where}: cannot resolve target '{text}' on {robot.name}: use {valid} (N an arm index or name "
        f"{[a.name for a in robot.arms]}), a command joint {list(robot.command_joints)}, or null"
    )


def _arm(ref: str, robot: RobotConfig, text: str, where: str) -> tuple[int, ArmConfig]:
    for i, arm in enumerate(robot.arms):
        if ref in (f"arm{i}", arm.name):
            return i, arm
    raise InvalidInput(
        f"{where}: target '{text}' names arm '{ref}' but {robot.name} has {len(robot.arms)} arm(s) "
        f"{[f'arm{i}/{a.name}' for i, a in enumerate(robot.arms)]}"
    )


def _ee_axes(member: str, space: ActionSpace, text: str, where: str) -> tuple[str, ...]:
    if space == ActionSpace.EE_DELTA and member == "ee":
        return EE_DELTA_DIMS
    if space == ActionSpace.EE_POSE:
        return EE_RPY_DIMS if member == "ee" else EE_POSE_DIMS
    raise InvalidInput(
        f"{where}: target '{text}' is an end-effector target, not valid in a {space.value} action space"
    )
