import numpy as np
import pytest

from vla_ros.core.bridge.scene_gate import SceneGate, SceneGateConfig
from vla_ros.core.bridge.upcoming import Waypoints, chunk_waypoints
from vla_ros.core.types import ActionChunk, ActionSpace, InvalidInput


def waypoints(values) -> Waypoints:
    values = np.asarray(values, dtype=float)
    return Waypoints(0.1 * np.arange(len(values)), ("j",), values[:, None])


def wall_at(limit: float):
    checked = []

    def colliding(q: np.ndarray) -> bool:
        checked.append(float(q[0]))
        return bool(q[0] >= limit)

    return colliding, checked


def test_clear_chunk_is_allowed_and_only_the_horizon_is_checked():
    gate = SceneGate(SceneGateConfig(gate_horizon_s=0.25))
    colliding, checked = wall_at(99.0)
    verdict = gate.check(waypoints([0, 1, 2, 3, 4, 5]), now=0.05, colliding=colliding)
    assert verdict.clear and verdict.checked == 2
    assert checked == [1.0, 2.0]  # t=0.1, 0.2: past and beyond-horizon waypoints are not checked
    assert gate.allows(10.0)


def test_colliding_waypoint_refuses_from_the_last_clear_one():
    gate = SceneGate(SceneGateConfig(gate_horizon_s=1.0, gate_stride=2))
    colliding, checked = wall_at(3.0)
    verdict = gate.check(waypoints([0, 1, 2, 3, 4, 5]), now=0.0, colliding=colliding)
    assert checked == [0.0, 2.0, 4.0]  # stride 2: waypoint 3 was skipped, 4 collides
    assert verdict.colliding_time == pytest.approx(0.4)
    assert verdict.refused_from == pytest.approx(0.2)  # 3 (unchecked) may collide already
    assert gate.allows(0.19) and not gate.allows(0.2)
    assert "REFUSED" in verdict.describe()


def test_stride_always_checks_the_last_waypoint_in_the_horizon():
    gate = SceneGate(SceneGateConfig(gate_horizon_s=1.0, gate_stride=4))
    colliding, checked = wall_at(5.0)
    verdict = gate.check(waypoints([0, 1, 2, 3, 4, 5]), now=0.0, colliding=colliding)
    assert checked == [0.0, 4.0, 5.0]
    assert verdict.refused_from == pytest.approx(0.4)


def test_first_waypoint_colliding_refuses_from_now_and_a_clear_chunk_lifts_it():
    gate = SceneGate(SceneGateConfig())
    colliding, _ = wall_at(0.0)
    assert gate.check(waypoints([0, 1]), now=0.0, colliding=colliding).refused_from == 0.0
    assert not gate.allows(0.0)
    clear, _ = wall_at(99.0)
    assert gate.check(waypoints([0, 1]), now=0.0, colliding=clear).clear
    assert gate.allows(5.0)


def test_chunk_waypoints_follow_the_timing_convention_and_refuse_other_spaces():
    actions = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]])
    chunk = ActionChunk(5.0, 0.5, actions, ("b", "a"), ActionSpace.JOINT_POSITION)
    points = chunk_waypoints(chunk, ("a", "b"))
    np.testing.assert_allclose(points.times, [5.0, 5.5, 6.0])
    np.testing.assert_array_equal(points.positions[:, 0], [10.0, 20.0, 30.0])
    with pytest.raises(InvalidInput, match="must name each of"):
        chunk_waypoints(chunk, ("a", "c"))
    velocity = ActionChunk(5.0, 0.5, actions, ("b", "a"), ActionSpace.JOINT_VELOCITY)
    with pytest.raises(InvalidInput, match="joint_velocity chunk has no joint waypoints"):
        chunk_waypoints(velocity, ("a", "b"))


def test_bad_gate_settings_are_named():
    with pytest.raises(InvalidInput, match="gate_horizon_s"):
        SceneGateConfig(gate_horizon_s=0.0)
