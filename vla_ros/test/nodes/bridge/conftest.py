"""Bridge tests: a bridge node over real DDS, and the stand-in interface packages some need.

`stand_ins` builds (once per checkout, a stamp of the definitions) the interface packages that
cannot be imported here (vla_ros/testing/stand_in_interfaces.py) into build/stand_ins, a
test-only prefix. On a full ROS 2 + MoveIt install the real packages are imported instead and
nothing is built.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
DEFINITIONS = ROOT / "vla_ros" / "test" / "stand_ins"


@pytest.fixture(scope="session")
def stand_ins():
    from vla_ros.testing.stand_in_interfaces import ensure_stand_ins

    return ensure_stand_ins(DEFINITIONS, ROOT / "build" / "stand_ins")


@pytest.fixture
def moveit_world(monkeypatch):
    """The stand-in `moveit` module on sys.path (reset), or a skip where real MoveItPy exists
    (there test_moveit_py_real.py runs instead)."""
    import importlib.util
    import sys

    if importlib.util.find_spec("moveit") is not None:
        pytest.skip(
            "real MoveItPy is installed: the stand-in is not used (test_moveit_py_real.py)"
        )
    monkeypatch.syspath_prepend(str(Path(__file__).parent / "moveit_stand_in"))
    from moveit import planning

    planning.WORLD = planning.World()
    yield planning.WORLD
    for name in [m for m in sys.modules if m == "moveit" or m.startswith("moveit.")]:
        del sys.modules[name]
