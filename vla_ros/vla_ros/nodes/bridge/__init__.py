"""moveit_bridge's outputs, one module per way of reaching the robot (selected by parameter)."""
