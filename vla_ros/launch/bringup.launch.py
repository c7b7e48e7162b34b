"""`ros2 launch vla_ros bringup.launch.py robot:=panda backend:=scripted sim:=mujoco|gazebo|false instruction:=...`"""

from vla_ros.bringup.launch import bringup_description


def generate_launch_description():
    return bringup_description()
