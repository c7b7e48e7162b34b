"""What both ends of bench/record share: their flags, the robot, an rclpy node and its QoS."""

from __future__ import annotations

import argparse

import rclpy
from rclpy.node import Node
from rclpy.qos import QoSProfile, ReliabilityPolicy

from vla_ros.core.robot.config import RobotConfig, load_robot_config


def endpoint_parser(description: str, default_depth: int) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--robot", default="panda", help="its camera and joint state topics")
    parser.add_argument("--duration", type=float, required=True)
    parser.add_argument("--reliable", action="store_true", help="reliable (default: best effort)")
    parser.add_argument("--depth", type=int, default=default_depth, help="history depth")
    return parser


def endpoint(args: argparse.Namespace, node_name: str) -> tuple[RobotConfig, Node, QoSProfile]:
    robot = load_robot_config(args.robot)
    rclpy.init()
    reliability = ReliabilityPolicy.RELIABLE if args.reliable else ReliabilityPolicy.BEST_EFFORT
    return (
        robot,
        rclpy.create_node(node_name),
        QoSProfile(depth=args.depth, reliability=reliability),
    )
