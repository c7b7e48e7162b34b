# Source this file to get the vla_ros workspace environment (venv + colcon install + rendering).
_vla_ros_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# colcon's setup scripts read unset variables; keep nounset off while sourcing them.
_vla_ros_nounset=$([[ $- == *u* ]] && echo 1 || true)
set +u
# shellcheck disable=SC1091
source "$_vla_ros_root/.venv/bin/activate"
if [[ -z "${ROS_DISTRO:-}" ]]; then
  export AMENT_PREFIX_PATH="$VIRTUAL_ENV${AMENT_PREFIX_PATH:+:$AMENT_PREFIX_PATH}"
fi
# shellcheck disable=SC1091
source "$_vla_ros_root/install/setup.bash"
[[ -n "$_vla_ros_nounset" ]] && set -u
export MUJOCO_GL="${MUJOCO_GL:-egl}"
export PYOPENGL_PLATFORM="${PYOPENGL_PLATFORM:-$MUJOCO_GL}"
export PYTHONUNBUFFERED=1
# Keep DDS traffic of tests and demos on this machine.
export ROS_AUTOMATIC_DISCOVERY_RANGE="${ROS_AUTOMATIC_DISCOVERY_RANGE:-LOCALHOST}"
unset _vla_ros_root _vla_ros_nounset
# The CLI (colcon installs console scripts under lib/vla_ros for `ros2 run`, not on PATH).
vla-ros() { python -m vla_ros.cli "$@"; }
