"""Backend name -> Policy factory. Imports lazily so a backend's heavy dependencies load only when used.

Every backend class provides `from_options(robot: RobotConfig, options: dict) -> Policy`, validating
its options with errors that name the option, the value and what would be valid.
"""

from __future__ import annotations

import importlib
from typing import Any

from vla_ros.core.inference.policy import Policy
from vla_ros.core.robot.config import RobotConfig
from vla_ros.core.types import InvalidInput

BACKENDS: dict[str, str] = {
    "scripted": "vla_ros.backends.scripted:ScriptedExpert",
    "lerobot": "vla_ros.backends.lerobot_policy:LeRobotPolicy",
    "openvla": "vla_ros.backends.openvla:OpenVLAPolicy",
    "openpi": "vla_ros.backends.openpi:OpenPIPolicy",
    "lerobot_server": "vla_ros.backends.lerobot_server:LeRobotServerPolicy",
    "replay": "vla_ros.backends.replay:ReplayPolicy",
}


def create_policy(
    backend: str, robot: RobotConfig, options: dict[str, Any] | None = None
) -> Policy:
    if backend not in BACKENDS:
        raise InvalidInput(f"unknown backend '{backend}'; available: {sorted(BACKENDS)}")
    module_name, class_name = BACKENDS[backend].split(":")
    policy_class = getattr(importlib.import_module(module_name), class_name)
    return policy_class.from_options(robot, dict(options or {}))
