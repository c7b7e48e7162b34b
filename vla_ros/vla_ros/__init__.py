"""vla_ros: Vision-Language-Action models driving real robots over ROS 2."""
