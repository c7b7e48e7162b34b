"""Record, export and replay: rosbag2 files and LeRobot datasets around the running graph."""
