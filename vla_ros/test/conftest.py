"""Suite-wide test set-up.

Each pytest session talks DDS on its own ROS domain, so suites that run at the same time on one
machine (or a developer's running graph) never see each other's /joint_states or commands.
"""

import os
import random

os.environ.setdefault("ROS_DOMAIN_ID", str(random.SystemRandom().randint(1, 100)))
os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
os.environ.setdefault("MUJOCO_GL", "egl")
