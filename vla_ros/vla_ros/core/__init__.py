"""Functional core: every decision of vla_ros, with no rclpy import anywhere below this package."""
