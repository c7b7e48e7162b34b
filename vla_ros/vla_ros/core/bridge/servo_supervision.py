"""MoveIt Servo's state as the bridge follows it: pause on the projector's holds, status -> diagnostics.

While the safety projector holds, Servo is paused (`~/pause_servo`, std_srvs/SetBool) so it stops
integrating stale commands; it resumes when the hold ends. One request is in flight at a time and a
failed one is retried on the next update. Status codes are moveit_msgs/msg/ServoStatus's.
"""

from __future__ import annotations

from dataclasses import dataclass

# moveit_msgs/msg/ServoStatus codes -> diagnostics level.
_STATUS_LEVELS = {
    -1: "error",  # INVALID
    0: "ok",  # NO_WARNING
    1: "warn",  # DECELERATE_FOR_APPROACHING_SINGULARITY
    2: "error",  # HALT_FOR_SINGULARITY
    3: "warn",  # DECELERATE_FOR_LEAVING_SINGULARITY
    4: "warn",  # DECELERATE_FOR_COLLISION
    5: "error",  # HALT_FOR_COLLISION
    6: "error",  # JOINT_BOUND
}


def servo_status_level(code: int, message: str) -> tuple[str, str]:
    """(diagnostics level, message) for a Servo status; an unknown code is an error that says so."""
    level = _STATUS_LEVELS.get(code)
    if level is None:
        return "error", f"servo reports unknown status code {code}: {message}"
    return level, f"servo: {message or 'no warning'} (code {code})"


@dataclass
class ServoPause:
    """Whether Servo should be paused, and which request to send to get there."""

    paused: bool = False
    in_flight: bool | None = None

    def request(self, holding: bool) -> bool | None:
        """The SetBool data to send now (True: pause), or None when nothing is to be sent."""
        if self.in_flight is not None or holding == self.paused:
            return None
        self.in_flight = holding
        return holding

    def answered(self, success: bool) -> None:
        """Servo answered the request in flight: on success that is the state now."""
        if self.in_flight is not None and success:
            self.paused = self.in_flight
        self.in_flight = None
