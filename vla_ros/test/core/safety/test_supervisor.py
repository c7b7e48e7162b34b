"""HoldSupervisor: a lost upstream node and a silent joint-state stream are holds with their names."""

import numpy as np

from vla_ros.core.safety import HoldSupervisor
from vla_ros.core.types import Command, CommandSpace


def fresh_supervisor() -> HoldSupervisor:
    supervisor = HoldSupervisor(0.2, joint_state_timeout_s=0.5)
    supervisor.accept(10.0, Command(10.0, CommandSpace.JOINT_POSITION, ("a",), np.zeros(1)))
    supervisor.measured(10.0)
    return supervisor


def test_lost_upstream_nodes_hold_by_name_even_while_commands_are_fresh():
    supervisor = fresh_supervisor()
    assert supervisor.hold_reason(10.1) == ""
    assert (
        supervisor.hold_reason(10.1, ("vla_policy", "camera_ingest"))
        == "upstream_lost:vla_policy,camera_ingest"
    )
    supervisor.reject()
    assert supervisor.hold_reason(10.1, ("vla_policy",)) == "invalid_command", (
        "an invalid command outranks it"
    )
    supervisor.set_estop(True)
    assert supervisor.hold_reason(10.1, ("vla_policy",)) == "estop"


def test_a_silent_joint_state_stream_holds_until_states_come_back():
    supervisor = fresh_supervisor()
    supervisor.accept(10.6, Command(10.6, CommandSpace.JOINT_POSITION, ("a",), np.zeros(1)))
    assert supervisor.hold_reason(10.6) == "joint_states_stale"
    assert supervisor.hold_reason(10.6, ("chunk_executor",)) == "upstream_lost:chunk_executor"
    supervisor.measured(10.6)
    assert supervisor.hold_reason(10.6) == ""


def test_no_joint_state_yet_is_not_a_stale_stream():
    supervisor = HoldSupervisor(0.2)
    supervisor.accept(0.0, Command(0.0, CommandSpace.JOINT_POSITION, ("a",), np.zeros(1)))
    assert supervisor.hold_reason(100.0) == "stale_command"
