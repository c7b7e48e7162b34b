"""The embedded MuJoCo simulation: robots, table-top tasks, cameras, a ros2_control look-alike."""
