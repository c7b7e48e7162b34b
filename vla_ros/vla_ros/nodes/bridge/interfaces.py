"""Interface packages a bridge backend needs but pip-only machines lack, imported when selected.

control_msgs, moveit_msgs, franka_msgs, tf2_msgs, interbotix_xs_msgs and MoveIt's `moveit`
module come with a ROS 2 (+ MoveIt) install, not from PyPI. A backend imports them only when it
is selected, so the other backends run without them, and a missing one fails configure with the
package, the parameter that asked for it and where to get it.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from vla_ros.core.types import InvalidInput

# package -> where it comes from on a ROS 2 machine.
_SOURCES = {
    "control_msgs": "ros-$ROS_DISTRO-control-msgs",
    "moveit_msgs": "ros-$ROS_DISTRO-moveit-msgs",
    "moveit": "ros-$ROS_DISTRO-moveit-py (MoveItPy)",
    "franka_msgs": "franka_ros2 (franka_msgs)",
    "tf2_msgs": "ros-$ROS_DISTRO-tf2-msgs",
    "interbotix_xs_msgs": "the Interbotix ROS 2 packages (interbotix_xs_msgs)",
}


def require(module: str, wanted_by: str) -> ModuleType:
    """Import `module` (e.g. "control_msgs.msg") or fail naming what needs it and what to install."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        package = module.split(".")[0]
        raise InvalidInput(
            f"{wanted_by} needs {module}, which is not installed ({error}); install "
            f"{_SOURCES.get(package, package)} and source its setup"
        ) from error
