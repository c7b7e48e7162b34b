import pytest

from vla_ros.core.graph import LAUNCH_ARGUMENTS, BringupArgs, bringup_args_from_strings, parse_override, resolve_graph
from vla_ros.core.types import InvalidInput

PIPELINE = ["camera_ingest", "vla_policy", "chunk_executor", "safety_projector", "moveit_bridge"]


def test_mujoco_graph_has_the_sim_and_every_pipeline_node_with_sim_time():
    specs = resolve_graph(BringupArgs(robot="panda", instruction="stack the green cube on the blue cube", seed=3))
    assert [s.name for s in specs] == ["sim", *PIPELINE]
    sim = specs[0]
    assert sim.parameters["instruction"] == "stack the green cube on the blue cube" and sim.parameters["seed"] == 3
    assert all(s.parameters["use_sim_time"] and s.parameters["robot"] == "panda" for s in specs)


def test_real_robot_graph_has_no_sim_and_wall_time():
    specs = resolve_graph(BringupArgs(sim="false"))
    assert [s.name for s in specs] == PIPELINE
    assert not any(s.parameters["use_sim_time"] for s in specs)


def test_overrides_are_typed_and_checked():
    key, value = parse_override("chunk_executor.control_rate_hz=250")
    specs = resolve_graph(BringupArgs(overrides={key: value}))
    assert next(s for s in specs if s.name == "chunk_executor").parameters["control_rate_hz"] == 250
    with pytest.raises(InvalidInput, match="override 'nope.x'"):
        resolve_graph(BringupArgs(overrides={"nope.x": 1}))
    with pytest.raises(InvalidInput, match="node.param=value"):
        parse_override("chunk_executor.control_rate_hz")


def test_launch_argument_strings_round_trip_and_bad_sim_is_rejected():
    defaults = {name: default for name, (default, _) in LAUNCH_ARGUMENTS.items()}
    assert bringup_args_from_strings(defaults) == BringupArgs()
    with pytest.raises(InvalidInput, match="sim 'isaac'"):
        BringupArgs(sim="isaac")
