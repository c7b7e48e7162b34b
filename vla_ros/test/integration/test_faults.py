"""The fault suite: faults injected into the whole graph (one process per node, respawning, real DDS,
real MuJoCo), each during a task, each followed by a task that must succeed. Shared with
bench/faults/run.py, which runs the same scenarios longer and prints the table.

Judged for every scenario: no node process exits unasked, no limit violated in what reached the
robot (an independent judge of /vla/safe_joint_command), no hold without a reason, the fault
detected as it should be, and the next task done. Finally the graph stops: every node exits 0.
"""

import os

import pytest

pytest.importorskip("rclpy")
pytest.importorskip("mujoco")

from vla_ros.testing import fault_scenarios as scenarios
from vla_ros.testing.fault_harness import FaultHarness

pytestmark = [pytest.mark.ros, pytest.mark.sim, pytest.mark.slow]

FLOOD_S = float(os.environ.get("VLA_FAULT_FLOOD_S", "15"))
STOP_DEADLINE_S = 5.0  # hang detection; bench/faults measures the 2 s target


@pytest.fixture(scope="module")
def harness(tmp_path_factory, module_domain_of_its_own):
    log_dir = tmp_path_factory.mktemp("fault_logs")
    with FaultHarness("panda", log_dir) as running:
        yield running
    stopped = running.supervisor.stopped
    assert all(code == 0 for code, _ in stopped.values()), f"exit codes at shutdown: {stopped}"
    assert all(seconds < STOP_DEADLINE_S for _, seconds in stopped.values()), (
        f"shutdown times: {stopped}"
    )


def assert_passed(outcome):
    # A string, not the object: pytest shortens an object's repr and cuts the holds off.
    assert outcome.passed, str(outcome)


@pytest.mark.parametrize(
    "node", ["camera_ingest", "vla_policy", "chunk_executor", "safety_projector"]
)
def test_a_killed_node_is_named_the_task_aborts_and_the_graph_recovers(harness, node):
    assert_passed(scenarios.kill_node(harness, node))


def test_a_flood_of_malformed_inputs_is_rejected_and_the_graph_recovers(harness):
    assert_passed(scenarios.flood(harness, FLOOD_S))


def test_bad_robot_descriptions_are_refused_while_the_task_goes_on(harness):
    assert_passed(scenarios.bad_robot_descriptions(harness))


def test_a_clock_jump_mid_task_is_survived(harness):
    assert_passed(scenarios.clock_jump(harness))


def test_an_estop_holds_with_its_reason_and_the_task_resumes(harness):
    assert_passed(scenarios.estop(harness))
