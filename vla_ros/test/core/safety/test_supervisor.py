"""HoldSupervisor: a lost upstream node and a silent joint-state stream are holds with their names;
an episode reset forgets the old episode's commands."""

import numpy as np
import pytest

from vla_ros.core.safety import HoldSupervisor
from vla_ros.core.types import Command, CommandSpace, InvalidInput


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


def test_upstream_nodes_never_heard_from_hold_by_name_below_lost_ones():
    supervisor = fresh_supervisor()
    assert supervisor.hold_reason(10.1, (), ("camera_ingest",)) == "upstream_unseen:camera_ingest"
    assert (
        supervisor.hold_reason(10.1, ("vla_policy",), ("camera_ingest",))
        == "upstream_lost:vla_policy"
    )
    supervisor.reject()
    assert supervisor.hold_reason(10.1, (), ("camera_ingest",)) == "invalid_command"


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


def command(stamp: float, value: float = 0.0) -> Command:
    return Command(stamp, CommandSpace.JOINT_POSITION, ("a",), np.full(1, value))


def test_an_episode_reset_forgets_the_last_command_and_ignores_the_old_episodes():
    """Measured in the panda demo: the old episode's last command, kept after the reset, drove the
    arm 0.13 rad off the pose the reset left it in before the new episode's first command came."""
    supervisor = fresh_supervisor()
    supervisor.accept(10.1, command(10.1, 1.0))
    supervisor.reset(at_s=10.15)
    assert supervisor.command is None and supervisor.hold_reason(10.16) == "not_ready"
    for stamp in (10.14, 10.15):  # sent from the old plan before the executor heard of the reset
        supervisor.accept(10.17, command(stamp, 1.0))
    assert supervisor.command is None and supervisor.counters["before_reset"] == 2
    supervisor.accept(10.2, command(10.2))
    assert supervisor.command.stamp == 10.2 and supervisor.hold_reason(10.2) == ""


def test_an_unstamped_reset_forgets_the_command_and_sets_no_floor():
    supervisor = fresh_supervisor()
    supervisor.reset(at_s=None)
    assert supervisor.hold_reason(10.05) == "not_ready"
    supervisor.accept(10.05, command(9.0))
    assert supervisor.hold_reason(10.05) == ""


def test_a_clock_jump_back_lifts_the_reset_floor():
    supervisor = fresh_supervisor()
    supervisor.reset(at_s=10.0)
    supervisor.accept(0.5, command(0.5))  # the sim restarted at 0
    assert supervisor.command is not None and supervisor.hold_reason(0.5) == ""


def test_after_a_reset_only_states_measured_at_or_after_it_are_places_to_re_anchor():
    supervisor = fresh_supervisor()
    supervisor.reset(at_s=10.15)
    assert not supervisor.measured(10.16, stamp=10.14), (
        "measured before the reset, still in flight"
    )
    assert supervisor.hold_reason(10.16) == "not_ready", "it still counts as a live stream"
    assert supervisor.measured(10.17, stamp=10.15) and supervisor.measured(10.18)


def test_a_joint_state_stamped_in_the_future_is_refused_and_keeps_nothing_alive():
    supervisor = fresh_supervisor()
    supervisor.reset(at_s=10.15)
    with pytest.raises(InvalidInput, match=r"joint state stamped 3600\.000 s in the future"):
        supervisor.measured(10.2, stamp=3610.2)
    assert supervisor.hold_reason(10.6) == "joint_states_stale", "it is no measurement of now"
    assert supervisor.measured(10.25, stamp=10.3), "within max_future_s (0.1 s): clock skew"
