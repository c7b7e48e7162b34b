"""`ros2 launch vla_ros franka.launch.py sim:=mujoco|gazebo|replay|false` (+ any bringup argument but robot)."""

from vla_ros.bringup.launch import bringup_description


def generate_launch_description():
    return bringup_description(robot="panda")
