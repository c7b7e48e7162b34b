"""The README's parameter table is the one the nodes' dataclasses generate, and each node of the
graph declares exactly the parameters the table lists for it, each described."""

import importlib

import pytest

from vla_ros.bringup.graph import BringupArgs, resolve_graph
from vla_ros.bringup.parameter_table import COMMAND, NODE_PARAMETERS, README, readme_with_table
from vla_ros.core.config_fields import config_fields
from vla_ros.nodes.managed import parameter_overrides
from vla_ros.nodes.node_parameters import LivenessParameters, ManagedParameters


def test_readme_parameter_table_is_generated():
    readme = README.read_text()
    assert readme == readme_with_table(readme), (
        f"README.md's parameter table is stale: run `{COMMAND}`"
    )


SPECS = {spec.name: spec for spec in resolve_graph(BringupArgs(robot="panda"))}


@pytest.mark.ros
@pytest.mark.sim
@pytest.mark.parametrize("name", list(SPECS))
def test_each_node_declares_the_tables_parameters_with_their_meaning(ros, name):
    spec = SPECS[name]
    module_name, class_name = spec.node_class.split(":")
    node_class = getattr(importlib.import_module(module_name), class_name)
    node = ros.add(node_class(parameter_overrides=parameter_overrides(spec.parameters)))
    assert node.lifecycle_state == "active"
    expected = [*config_fields(ManagedParameters), *config_fields(NODE_PARAMETERS[name])]
    if "watched_nodes" in spec.parameters:
        expected += config_fields(LivenessParameters)
    declared = set(node._parameters) - {"use_sim_time", "start_type_description_service"}
    assert declared == {f.name for f in expected}
    for field in expected:
        assert node.describe_parameter(field.name).description == field.description
