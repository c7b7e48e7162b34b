"""Decisions of record, export and replay (episode boundaries, metadata), free of ROS and file formats."""
