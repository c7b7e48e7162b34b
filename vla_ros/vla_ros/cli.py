"""`vla-ros` entry point: stop signals are handled before anything heavy is imported.

Importing the commands (rclpy, MuJoCo, LeRobot, torch) takes seconds on a loaded machine; a SIGTERM
in that window would end the process with the default action (exit -15). The commands themselves
live in vla_ros/commands.py.
"""

from __future__ import annotations

import sys

from vla_ros.nodes.shutdown import StopRequest


def main(argv: list[str] | None = None) -> int:
    StopRequest.install_once()
    from vla_ros.commands import main as run_command

    return run_command(argv)


if __name__ == "__main__":
    sys.exit(main())
