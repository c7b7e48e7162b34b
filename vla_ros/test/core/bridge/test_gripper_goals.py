import pytest

from vla_ros.core.bridge.gripper_goals import GoalKind, GripperGoalConfig, GripperGoalPolicy
from vla_ros.core.robot.config import GripperConfig
from vla_ros.core.types import InvalidInput

# Franka hand: one finger's opening, open 0.04, closed 0.0.
HAND = GripperConfig("panda_finger_joint1", open_position=0.04, closed_position=0.0)


def policy(franka: bool = False, **overrides) -> GripperGoalPolicy:
    config = GripperGoalConfig(**{f"gripper_{k}": v for k, v in overrides.items()})
    return GripperGoalPolicy(
        HAND, config, franka_actions=franka, width_per_joint=2.0 if franka else 1.0
    )


def test_binary_snaps_at_mid_stroke_and_sends_only_changes():
    gripper = policy(mode="binary", min_period_s=0.0)
    first = gripper.decide(0.03, now=0.0)
    assert first.goal.position == 0.04 and first.goal.kind == GoalKind.COMMAND
    assert not first.preempts
    assert gripper.decide(0.035, now=0.1) is None  # same snapped target
    closing = gripper.decide(0.01, now=0.2)
    assert closing.goal.position == 0.0 and closing.preempts  # the open goal is still running


def test_continuous_follows_with_hysteresis_and_clips_to_the_stroke():
    gripper = policy(mode="continuous", min_period_s=0.0, min_change=0.1)
    assert gripper.decide(0.02, 0.0).goal.position == 0.02
    assert gripper.decide(0.0235, 0.1) is None  # moved 0.0035 <= 10 % of 0.04
    assert gripper.decide(0.025, 0.2).goal.position == 0.025
    assert gripper.decide(0.09, 0.3).goal.position == 0.04


def test_rate_limit_holds_back_a_change_until_the_period_passed():
    gripper = policy(mode="binary", min_period_s=0.5)
    gripper.decide(0.04, 0.0)
    assert gripper.decide(0.0, 0.2) is None
    assert gripper.decide(0.0, 0.6).goal.position == 0.0


def test_franka_closing_is_a_grasp_opening_a_move_with_widths():
    gripper = policy(mode="binary", min_period_s=0.0, franka=True)
    close = gripper.decide(0.001, 0.0).goal
    assert close.kind == GoalKind.GRASP and close.width == 0.0
    opening = gripper.decide(0.039, 1.0).goal
    assert opening.kind == GoalKind.MOVE and opening.width == pytest.approx(0.08)


def test_results_clear_the_running_goal_and_grade_failures():
    gripper = policy(mode="binary", min_period_s=0.0, franka=True)
    grasp = gripper.decide(0.0, 0.0).goal
    level, message = gripper.finished(grasp, False, "object lost")
    assert level == "warn" and "nothing grasped" in message
    assert gripper.running is None
    move = gripper.decide(0.04, 1.0).goal
    assert gripper.finished(move, False, "motor fault")[0] == "error"
    close = gripper.decide(0.0, 2.0).goal
    assert gripper.finished(close, True, "")[0] == "ok"


def test_superseded_goal_result_leaves_the_running_one():
    gripper = policy(mode="binary", min_period_s=0.0)
    first = gripper.decide(0.04, 0.0).goal
    second = gripper.decide(0.0, 0.1).goal
    assert gripper.finished(first, False, "preempted") is None
    assert gripper.running is second


def test_bad_settings_are_named():
    with pytest.raises(InvalidInput, match="gripper_mode"):
        GripperGoalConfig(gripper_mode="half")
    with pytest.raises(InvalidInput, match="gripper_min_period_s"):
        GripperGoalConfig(gripper_min_period_s=-1.0)
