"""Where the package's data files (config/, urdf/, launch/) are, in a source tree or installed."""

from __future__ import annotations

from pathlib import Path

# In a source checkout (or a colcon --symlink-install, which runs the sources in place) the data
# files sit beside the Python package; a plain install finds them through the ament index.
_SOURCE_ROOT = Path(__file__).resolve().parent.parent


def share_dir() -> Path:
    if (_SOURCE_ROOT / "config").is_dir():
        return _SOURCE_ROOT
    from ament_index_python.packages import get_package_share_directory

    return Path(get_package_share_directory("vla_ros"))


def share_path(*parts: str) -> Path:
    return share_dir().joinpath(*parts)
