"""Stand-in interface packages for tests on machines without control_msgs, moveit_msgs, ...

control_msgs, moveit_msgs, franka_msgs, tf2_msgs and interbotix_xs_msgs are not on PyPI. Their
field lists (copied from the upstream files named in each .msg/.action header, under
vla_ros/test/stand_ins/) are built here with colcon/rosidl into a test-only prefix
(build/stand_ins/install): never shipped, never on the runtime path. Only packages that cannot be
imported are built, so a full ROS 2 + MoveIt install tests against the real ones. Built once per
checkout (a stamp of the definitions); later sessions reuse the prefix.
"""

from __future__ import annotations

import ctypes
import hashlib
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

# package -> interface packages its definitions use.
DEPENDENCIES = {
    "control_msgs": ("std_msgs",),
    "moveit_msgs": (),
    "franka_msgs": (),
    "tf2_msgs": ("geometry_msgs",),
    "interbotix_xs_msgs": (),
}

_PACKAGE_XML = """<?xml version="1.0"?>
<package format="3">
  <name>{name}</name>
  <version>0.0.0</version>
  <description>Test-only stand-in of {name} (vla_ros tests; not the real package).</description>
  <maintainer email="maintainers@vla-ros.org">vla_ros maintainers</maintainer>
  <license>Apache-2.0</license>
  <buildtool_depend>ament_cmake</buildtool_depend>
  <buildtool_depend>rosidl_default_generators</buildtool_depend>
{depends}
  <exec_depend>rosidl_default_runtime</exec_depend>
  <member_of_group>rosidl_interface_packages</member_of_group>
  <export><build_type>ament_cmake</build_type></export>
</package>
"""

_CMAKE = """cmake_minimum_required(VERSION 3.16)
project({name})
find_package(ament_cmake REQUIRED)
find_package(rosidl_default_generators REQUIRED)
{finds}
rosidl_generate_interfaces(${{PROJECT_NAME}}
{files}
  {dependencies}
)
ament_export_dependencies(rosidl_default_runtime)
ament_package()
"""


class StandInBuildError(RuntimeError):
    pass


def missing_packages() -> list[str]:
    return [name for name in DEPENDENCIES if importlib.util.find_spec(name) is None]


def ensure_stand_ins(definitions: Path, root: Path) -> Path | None:
    """Build the missing packages' stand-ins under root (once), make them importable here.

    Returns the install prefix, or None when every real package is importable."""
    missing = missing_packages()
    if not missing:
        return None
    install = root / "install"
    stamp = root / "stamp"
    digest = _digest(definitions, missing)
    if not (stamp.is_file() and stamp.read_text() == digest):
        _build(definitions, root, missing)
        stamp.write_text(digest)
    activate(install, missing)
    return install


def activate(install: Path, packages: list[str]) -> None:
    """Make built packages importable in this process (what colcon's setup script does for a shell).

    The dynamic loader read LD_LIBRARY_PATH when the process started, so the generated libraries
    are preloaded; rosidl's type-support lookup reads the variables at call time."""
    libraries = [install / name / "lib" for name in packages]
    for variable, paths in (
        ("LD_LIBRARY_PATH", libraries),
        ("AMENT_PREFIX_PATH", [install / name for name in packages]),
    ):
        os.environ[variable] = os.pathsep.join(
            [*map(str, paths), *filter(None, [os.environ.get(variable)])]
        )
    for name in packages:
        site = next((install / name / "lib").glob("python3*/site-packages"))
        sys.path.insert(0, str(site))
    pending = [so for directory in libraries for so in sorted(directory.glob("*.so"))]
    # Load in dependency order without knowing it: retry what failed until nothing loads anew.
    while pending:
        failed = []
        for library in pending:
            try:
                ctypes.CDLL(str(library), mode=ctypes.RTLD_GLOBAL)
            except OSError:
                failed.append(library)
        if len(failed) == len(pending):
            raise StandInBuildError(f"stand-in libraries do not load: {[p.name for p in failed]}")
        pending = failed


def _digest(definitions: Path, packages: list[str]) -> str:
    digest = hashlib.sha256(" ".join(packages).encode())
    for path in sorted(definitions.rglob("*")):
        if path.is_file() and path.parts[len(definitions.parts)] in packages:
            digest.update(str(path.relative_to(definitions)).encode() + path.read_bytes())
    return digest.hexdigest()


def _build(definitions: Path, root: Path, packages: list[str]) -> None:
    source = root / "src"
    for name in packages:
        _write_package(definitions / name, source / name, name)
    env = dict(os.environ)
    prefix = sys.prefix
    for variable in ("CMAKE_PREFIX_PATH", "AMENT_PREFIX_PATH"):
        env[variable] = os.pathsep.join(filter(None, [env.get(variable), prefix]))
    command = [
        sys.executable, "-m", "colcon", "build",
        "--base-paths", str(source),
        "--build-base", str(root / "build"),
        "--install-base", str(root / "install"),
        "--event-handlers", "console_cohesion-", "summary-",
        "--cmake-args", "-DBUILD_TESTING=OFF", f"-DPython3_EXECUTABLE={sys.executable}",
    ]  # fmt: skip
    result = subprocess.run(
        command, cwd=root, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise StandInBuildError(
            f"colcon build of stand-ins {packages} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )


def _write_package(definition: Path, target: Path, name: str) -> None:
    files = sorted(p.relative_to(definition) for p in definition.rglob("*") if p.is_file())
    for relative in files:
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        (target / relative).write_bytes((definition / relative).read_bytes())
    dependencies = DEPENDENCIES[name]
    (target / "package.xml").write_text(
        _PACKAGE_XML.format(
            name=name, depends="\n".join(f"  <depend>{d}</depend>" for d in dependencies)
        )
    )
    (target / "CMakeLists.txt").write_text(
        _CMAKE.format(
            name=name,
            finds="\n".join(f"find_package({d} REQUIRED)" for d in dependencies),
            files="\n".join(f'  "{f.as_posix()}"' for f in files),
            dependencies=f"DEPENDENCIES {' '.join(dependencies)}" if dependencies else "",
        )
    )
