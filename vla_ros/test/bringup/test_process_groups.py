"""`--processes one|split|each`: which nodes run in the calling process, which in child processes."""

import sys

import pytest

pytest.importorskip("rclpy")

from vla_ros.bringup.graph import BringupArgs, resolve_graph
from vla_ros.core.types import InvalidInput
from vla_ros.nodes.composition import process_groups

SPECS = resolve_graph(BringupArgs(robot="panda"))
CONTROL = ["chunk_executor", "safety_projector", "moveit_bridge"]


def test_split_runs_the_control_group_in_one_child_and_the_rest_here():
    here, groups = process_groups(SPECS, "split")
    assert [s.name for s in here] == ["sim", "camera_ingest", "vla_policy", "task_server"]
    assert [(g.name, [s.name for s in g.nodes]) for g in groups] == [("control", CONTROL)]
    control = groups[0]
    assert control.commands_the_robot
    command = control.command("/tmp/params.yaml")
    assert command[:4] == [sys.executable, "-m", "vla_ros.nodes.group", "control"]
    assert "safety_projector=vla_ros.nodes.safety_projector:SafetyProjectorNode" in command


def test_each_is_a_group_of_one_per_node_started_by_its_executable():
    here, groups = process_groups(SPECS, "each")
    assert here == [] and [g.name for g in groups] == [s.name for s in SPECS]
    projector = next(g for g in groups if g.name == "safety_projector")
    assert projector.command("/p.yaml")[2:4] == ["vla_ros.nodes.entry", "safety_projector"]
    assert [g.name for g in groups if g.commands_the_robot] == ["safety_projector"]


def test_one_composes_everything_here():
    here, groups = process_groups(SPECS, "one")
    assert here == SPECS and groups == []


def test_an_unknown_mode_is_refused_by_value():
    with pytest.raises(InvalidInput, match="processes 'two' is not one of"):
        process_groups(SPECS, "two")
