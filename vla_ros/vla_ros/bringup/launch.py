"""Launch descriptions for `ros2 launch` (imported only by the files in launch/; needs launch_ros).

bringup.launch.py serves every robot (robot:=...); widowx/franka/aloha.launch.py fix the robot.
Nodes and parameters come from config/graph.yaml via vla_ros.bringup.graph, as `vla-ros run` uses.
sim:=gazebo adds Gazebo (ros_gz_sim), the robot spawned from the URDF vla_ros.sim.gazebo generates
(gz_ros2_control), the camera/clock bridge and the controller spawners; it first checks that every
package they need is installed (one error naming the missing ones, nothing started) and writes the
generated files to one directory per robot. Verified only on a full ROS 2 install with ros_gz and
gz_ros2_control: launch_ros and Gazebo are not available on pip-only machines.
dds_profile:=shm|udp|default selects the Fast DDS profile (vla_ros.bringup.dds) for every node started.
"""

from __future__ import annotations

import os
from pathlib import Path

from launch import LaunchDescription
from launch.actions import (
    DeclareLaunchArgument,
    IncludeLaunchDescription,
    LogInfo,
    OpaqueFunction,
    SetEnvironmentVariable,
)
from launch.launch_description_sources import PythonLaunchDescriptionSource
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node

from vla_ros.bringup.dds import DDS_PROFILES, DEFAULT_DDS_PROFILE, dds_environment, dds_warning
from vla_ros.bringup.graph import (
    LAUNCH_ARGUMENTS,
    RESPAWN_DELAY_S,
    bringup_args_from_strings,
    resolve_graph,
)
from vla_ros.core.robot.config import load_robot_config
from vla_ros.sim.gazebo import GazeboBringup, files_directory, gazebo_bringup, require_packages


def bringup_description(robot: str | None = None) -> LaunchDescription:
    """The whole graph; with `robot` given, that robot is fixed and not a launch argument."""
    declared = [
        DeclareLaunchArgument(name, default_value=default, description=text)
        for name, (default, text) in LAUNCH_ARGUMENTS.items()
        if not (robot and name == "robot")
    ]
    dds = DeclareLaunchArgument(
        "dds_profile",
        default_value=DEFAULT_DDS_PROFILE,
        choices=list(DDS_PROFILES),
        description="Fast DDS profile: shm (config/dds/fastdds_shm.xml, large frames over shared "
        "memory), udp (config/dds/fastdds_udp.xml, no shared memory: for nodes that are killed and "
        "respawned) or default (Fast DDS's own); a FASTDDS_DEFAULT_PROFILES_FILE already set wins",
    )
    return LaunchDescription(
        [*declared, dds, OpaqueFunction(function=_graph, kwargs={"robot": robot})]
    )


def _graph(context, robot: str | None):
    values = {
        name: LaunchConfiguration(name).perform(context)
        for name in LAUNCH_ARGUMENTS
        if not (robot and name == "robot")
    }
    args = bringup_args_from_strings({**values, **({"robot": robot} if robot else {})})
    gazebo, robot_name = None, args.robot
    if args.sim == "gazebo":
        require_packages()  # before any action exists: a partial install starts nothing
        config = load_robot_config(
            args.robot
        )  # `robot` may be a YAML path: the config names the robot
        gazebo, robot_name = gazebo_bringup(config), config.name
    # Gazebo may rename controllers (ros2_control names cannot hold '/'): the bridge follows them.
    remaps = (
        {
            "moveit_bridge": [
                (f"/{name}/joint_trajectory", topic)
                for name, topic in gazebo.trajectory_topics.items()
            ]
        }
        if gazebo
        else {}
    )
    actions = [
        Node(
            package="vla_ros",
            executable=spec.executable,
            name=spec.name,
            parameters=[spec.parameters],
            remappings=remaps.get(spec.name, []),
            output="screen",
            respawn=args.respawn,
            respawn_delay=RESPAWN_DELAY_S,
        )
        for spec in resolve_graph(args)
    ]
    # First: every process started after these actions inherits the variables (Gazebo's too).
    profile = LaunchConfiguration("dds_profile").perform(context)
    environment = [
        SetEnvironmentVariable(name, value)
        for name, value in dds_environment(profile, os.environ).items()
    ]
    if warning := dds_warning(profile, os.environ):
        environment.append(LogInfo(msg=f"WARNING: {warning}"))
    return environment + actions + (_gazebo_actions(robot_name, gazebo) if gazebo else [])


def _gazebo_actions(robot_name: str, gazebo: GazeboBringup) -> list:
    """Gazebo (ros_gz_sim), the robot spawned from its generated URDF, camera bridge, controllers."""
    from ament_index_python.packages import get_package_share_directory

    files = gazebo.write(files_directory(robot_name))
    gz_sim = Path(get_package_share_directory("ros_gz_sim"), "launch", "gz_sim.launch.py")
    sim_time = {"use_sim_time": True}
    manager = (
        f"/{gazebo.namespace}/controller_manager" if gazebo.namespace else "/controller_manager"
    )
    return [
        IncludeLaunchDescription(
            PythonLaunchDescriptionSource(str(gz_sim)),
            launch_arguments={"gz_args": "-r empty.sdf"}.items(),
        ),
        Node(
            package="robot_state_publisher",
            executable="robot_state_publisher",
            parameters=[{"robot_description": files["robot.urdf"].read_text(), **sim_time}],
        ),
        Node(
            package="ros_gz_sim",
            executable="create",
            arguments=["-topic", "robot_description", "-name", robot_name],
        ),
        Node(
            package="ros_gz_bridge",
            executable="parameter_bridge",
            parameters=[{"config_file": str(files["bridge.yaml"]), **sim_time}],
        ),
        *[
            Node(
                package="controller_manager",
                executable="spawner",
                arguments=[name, "--controller-manager", manager],
            )
            for name in gazebo.spawn_order
        ],
    ]
