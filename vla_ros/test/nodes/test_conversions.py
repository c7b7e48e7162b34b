"""Message <-> core mappings of action spaces: one string, "ee_delta", a different type per message."""

from __future__ import annotations

import pytest

pytest.importorskip("vla_ros_msgs.msg")

from vla_ros.core.actions import EE_DELTA_DIMS
from vla_ros.core.types import ActionSpace, CommandSpace, InvalidInput
from vla_ros.nodes.conversions import chunk_from_msg, command_from_msg
from vla_ros_msgs.msg import ActionChunk as ActionChunkMsg
from vla_ros_msgs.msg import Command as CommandMsg

DIMS = [*EE_DELTA_DIMS, "gripper"]


def command_msg(space: str) -> CommandMsg:
    return CommandMsg(action_space=space, dim_names=DIMS, values=[0.0] * len(DIMS))


def test_ee_delta_is_chunk_relative_on_a_chunk_and_per_tick_on_a_command() -> None:
    chunk = chunk_from_msg(
        ActionChunkMsg(
            dt=0.2,
            horizon=1,
            dim_names=DIMS,
            action_space=ActionChunkMsg.ACTION_SPACE_EE_DELTA,
            data=[0.0] * len(DIMS),
        )
    )
    assert chunk.action_space is ActionSpace.EE_DELTA
    command = command_from_msg(command_msg(CommandMsg.COMMAND_SPACE_EE_DELTA))
    assert command.action_space is CommandSpace.EE_TICK_DELTA
    constants = {
        CommandSpace.JOINT_POSITION: CommandMsg.COMMAND_SPACE_JOINT_POSITION,
        CommandSpace.JOINT_VELOCITY: CommandMsg.COMMAND_SPACE_JOINT_VELOCITY,
        CommandSpace.EE_POSE: CommandMsg.COMMAND_SPACE_EE_POSE,
        CommandSpace.EE_TICK_DELTA: CommandMsg.COMMAND_SPACE_EE_DELTA,
    }
    for space, text in constants.items():
        assert command_from_msg(command_msg(text)).action_space is space
    with pytest.raises(
        InvalidInput, match=r"unknown action_space 'teleport'; valid: .*'ee_delta'"
    ):
        command_from_msg(command_msg("teleport"))
