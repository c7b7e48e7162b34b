import pytest

from vla_ros.bringup.graph import (
    LAUNCH_ARGUMENTS,
    BringupArgs,
    bringup_args_from_strings,
    parse_override,
    resolve_graph,
)
from vla_ros.core.types import InvalidInput

PIPELINE = [
    "camera_ingest",
    "vla_policy",
    "chunk_executor",
    "safety_projector",
    "moveit_bridge",
    "task_server",
]


def test_mujoco_graph_has_the_sim_and_every_pipeline_node_with_sim_time():
    specs = resolve_graph(
        BringupArgs(robot="panda", instruction="stack the green cube on the blue cube", seed=3)
    )
    assert [s.name for s in specs] == ["sim", *PIPELINE]
    sim = specs[0]
    assert (
        sim.parameters["instruction"] == "stack the green cube on the blue cube"
        and sim.parameters["seed"] == 3
    )
    assert all(
        s.parameters["use_sim_time"] and s.parameters.get("robot", "panda") == "panda"
        for s in specs
    )


def test_real_robot_graph_has_no_sim_and_wall_time():
    specs = resolve_graph(BringupArgs(sim="false"))
    assert [s.name for s in specs] == PIPELINE
    assert not any(s.parameters["use_sim_time"] for s in specs)


def test_watched_nodes_are_those_of_the_bring_up():
    with_sim = {
        s.name: s.parameters.get("watched_nodes") for s in resolve_graph(BringupArgs(sim="mujoco"))
    }
    without = {
        s.name: s.parameters.get("watched_nodes") for s in resolve_graph(BringupArgs(sim="false"))
    }
    assert (
        with_sim["safety_projector"]
        == without["safety_projector"]
        == ["camera_ingest", "vla_policy", "chunk_executor"]
    )
    assert with_sim["task_server"][0] == "sim" and "sim" not in without["task_server"]
    assert with_sim["moveit_bridge"] == ["safety_projector"] and with_sim["chunk_executor"] is None


def test_overrides_are_typed_and_checked():
    key, value = parse_override("chunk_executor.control_rate_hz=250")
    specs = resolve_graph(BringupArgs(overrides={key: value}))
    assert (
        next(s for s in specs if s.name == "chunk_executor").parameters["control_rate_hz"] == 250
    )
    with pytest.raises(InvalidInput, match="override 'nope.x'"):
        resolve_graph(BringupArgs(overrides={"nope.x": 1}))
    with pytest.raises(InvalidInput, match="node.param=value"):
        parse_override("chunk_executor.control_rate_hz")


def test_launch_argument_strings_round_trip_and_bad_sim_is_rejected():
    defaults = {name: default for name, (default, _) in LAUNCH_ARGUMENTS.items()}
    assert bringup_args_from_strings(defaults) == BringupArgs()
    with pytest.raises(InvalidInput, match="sim 'isaac'"):
        BringupArgs(sim="isaac")


def test_bridge_argument_selects_the_backend_and_xs_sdk_brings_the_aloha_relay():
    default = {s.name: s for s in resolve_graph(BringupArgs(robot="aloha", sim="false"))}
    assert default["moveit_bridge"].parameters["backend"] == "joint_trajectory"
    assert "aloha_relay" not in default
    real = {
        s.name: s for s in resolve_graph(BringupArgs(robot="aloha", sim="false", bridge="xs_sdk"))
    }
    assert real["moveit_bridge"].parameters["backend"] == "xs_sdk"
    assert real["aloha_relay"].parameters["robot"] == "aloha"
    sim = {s.name for s in resolve_graph(BringupArgs(robot="aloha", bridge="xs_sdk"))}
    assert "aloha_relay" not in sim  # the sim publishes /joint_states itself
    assert bringup_args_from_strings({"bridge": "servo"}).bridge == "servo"


def test_the_control_loop_nodes_form_the_control_process_group():
    groups = {
        s.name: s.process
        for s in resolve_graph(BringupArgs(robot="aloha", sim="false", bridge="xs_sdk"))
    }
    assert {name for name, group in groups.items() if group == "control"} == {
        "chunk_executor",
        "safety_projector",
        "moveit_bridge",
        "aloha_relay",
    }
    others = {group for group in groups.values() if group != "control"}
    assert others == {"main"} and groups["camera_ingest"] == groups["vla_policy"] == "main"


def test_a_process_group_that_is_not_a_name_is_refused_naming_the_node(tmp_path):
    graph = tmp_path / "graph.yaml"
    graph.write_text(
        "nodes:\n  - name: chunk_executor\n    executable: chunk_executor\n"
        "    class: m:C\n    process: [control]\n"
    )
    with pytest.raises(InvalidInput, match="node chunk_executor: process must be"):
        resolve_graph(BringupArgs(), graph)
