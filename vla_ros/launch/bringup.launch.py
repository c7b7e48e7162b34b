"""`ros2 launch vla_ros bringup.launch.py robot:=panda backend:=scripted sim:=mujoco|gazebo|replay|false ...`"""

from vla_ros.bringup.launch import bringup_description


def generate_launch_description():
    return bringup_description()
