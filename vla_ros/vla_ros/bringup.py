"""Launch descriptions for `ros2 launch` (imported only by the files in launch/; needs launch_ros).

bringup.launch.py serves every robot (robot:=...); widowx/franka/aloha.launch.py fix the robot.
Nodes and parameters come from config/graph.yaml via vla_ros.core.graph, as `vla-ros run` uses.
"""

from __future__ import annotations

from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, IncludeLaunchDescription, OpaqueFunction
from launch.launch_description_sources import PythonLaunchDescriptionSource
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node

from vla_ros.core.graph import LAUNCH_ARGUMENTS, bringup_args_from_strings, resolve_graph
from vla_ros.resources import share_path


def bringup_description(robot: str | None = None) -> LaunchDescription:
    """The whole graph; with `robot` given, that robot is fixed and not a launch argument."""
    declared = [
        DeclareLaunchArgument(name, default_value=default, description=text)
        for name, (default, text) in LAUNCH_ARGUMENTS.items()
        if not (robot and name == "robot")
    ]
    return LaunchDescription([*declared, OpaqueFunction(function=_graph, kwargs={"robot": robot})])


def _graph(context, robot: str | None):
    values = {name: LaunchConfiguration(name).perform(context) for name in LAUNCH_ARGUMENTS if not (robot and name == "robot")}
    args = bringup_args_from_strings({**values, **({"robot": robot} if robot else {})})
    actions = [
        Node(package="vla_ros", executable=spec.executable, name=spec.name, parameters=[spec.parameters], output="screen")
        for spec in resolve_graph(args)
    ]
    if args.sim == "gazebo":
        gazebo = PythonLaunchDescriptionSource(str(share_path("launch", "gazebo.launch.py")))
        actions.append(IncludeLaunchDescription(gazebo, launch_arguments={"robot": args.robot}.items()))
    return actions
