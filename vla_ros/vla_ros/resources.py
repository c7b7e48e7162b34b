"""Where the package's data files (config/, urdf/, launch/) are, installed or in a source tree."""

from __future__ import annotations

from pathlib import Path

_SOURCE_ROOT = Path(__file__).resolve().parent.parent


def share_dir() -> Path:
    """The package's share directory: ament's when installed, the source tree otherwise."""
    try:
        from ament_index_python.packages import PackageNotFoundError, get_package_share_directory
    except ImportError:
        return _SOURCE_ROOT
    try:
        return Path(get_package_share_directory("vla_ros"))
    except PackageNotFoundError:
        return _SOURCE_ROOT


def share_path(*parts: str) -> Path:
    return share_dir().joinpath(*parts)
