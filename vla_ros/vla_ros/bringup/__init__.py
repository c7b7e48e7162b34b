"""Bring-up: the node graph described once (graph.py, no rclpy) and the `ros2 launch` descriptions
built from it (launch.py).
"""
