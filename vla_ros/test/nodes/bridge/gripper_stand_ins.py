"""Stand-ins for gripper action servers (GripperCommand, franka_gripper's move/grasp): they record
goals and cancel requests and answer with a result the test chooses; `hold` keeps a goal running
until it is cancelled (to see preemption). They move no fingers."""

from __future__ import annotations

import rclpy
from rclpy.action import ActionServer, CancelResponse
from rclpy.task import Future


class GripperActionStandIn:
    def __init__(self, ros, action_type, name: str, result: dict, hold: bool = False) -> None:
        self.goals: list = []
        self.cancelled: list = []
        self._type, self._result, self._hold = action_type, result, hold
        node = ros.add(rclpy.create_node(f"stand_in_{name.strip('/').replace('/', '_')}"))
        self._pending: dict = {}
        self.server = ActionServer(
            node,
            action_type,
            name,
            execute_callback=self._execute,
            cancel_callback=self._cancel,
        )

    async def _execute(self, goal_handle):
        self.goals.append(goal_handle.request)
        if self._hold:
            released = Future()
            self._pending[id(goal_handle)] = released
            await released
            if goal_handle.is_cancel_requested:
                goal_handle.canceled()
                return self._type.Result()
        goal_handle.succeed()
        return self._type.Result(**self._result)

    def _cancel(self, goal_handle):
        self.cancelled.append(goal_handle.request)
        released = self._pending.pop(id(goal_handle), None)
        if released is not None:
            released.set_result(True)
        return CancelResponse.ACCEPT
