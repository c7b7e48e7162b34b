"""The robot YAML's descriptive sections: `bringup:` (the vendor stack a real robot runs) and `demo:`.

Nothing commands the robot from `bringup:`; it records what the real driver publishes and expects,
so a bring-up recipe can be checked against it. Both are typed so that a misspelt key is an error.
"""

from __future__ import annotations

from dataclasses import dataclass

from vla_ros.core.types import InvalidInput

DEMO_INSTRUCTIONS = ("put the red cube in the bowl", "stack the green cube on the blue cube")


@dataclass(frozen=True)
class GripperActions:
    """A gripper driven by actions, not by a trajectory controller (franka_gripper)."""

    node: str = ""
    move_action: str = ""
    grasp_action: str = ""
    command_action: str = ""
    width_per_finger_joint: float = 1.0


@dataclass(frozen=True)
class BringupNotes:
    """What the real robot's driver stack is and the topics/actions it offers (sim:=false)."""

    driver: str = ""
    joint_states: str | tuple[str, ...] = ""
    gripper_joint_states: str = ""
    arm_trajectory_topic: str = ""
    gripper: GripperActions | None = None
    gripper_action: str = ""
    # Interbotix xs_sdk commands (no ros2_control), one arm or one per arm.
    xs_sdk_arm_command: str = ""
    xs_sdk_gripper_command: str = ""
    arm_commands: tuple[str, ...] = ()
    gripper_commands: tuple[str, ...] = ()
    # Motor angles of a gripper that takes a motor angle rather than a finger position (ALOHA 2).
    gripper_motor_open: float | None = None
    gripper_motor_closed: float | None = None


@dataclass(frozen=True)
class DemoConfig:
    """`vla-ros demo` for this robot: the tasks cycled over episodes, the recorded camera."""

    instructions: tuple[str, ...] = DEMO_INSTRUCTIONS
    camera: str | None = None  # None: the robot's first camera
    video_fps: int = 10

    def __post_init__(self) -> None:
        if not self.instructions or not all(isinstance(i, str) for i in self.instructions):
            raise InvalidInput(
                f"demo.instructions must be a non-empty list of strings, got {self.instructions!r}"
            )
        if not int(self.video_fps) > 0:
            raise InvalidInput(f"demo.video_fps must be a positive integer, got {self.video_fps}")
