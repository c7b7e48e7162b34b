"""Thin rclpy nodes: parameters and topics in, core objects do the work."""
