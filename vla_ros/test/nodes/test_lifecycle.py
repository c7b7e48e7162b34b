"""configure -> activate -> deactivate -> cleanup, five times through the real lifecycle services:
every node holds the same publishers, subscriptions, timers, services and action servers in each
state of every cycle (nothing stacks), and is back to its bare lifecycle node after cleanup."""

import importlib

import pytest
from lifecycle_cycles import entity_counts, run_cycles

from vla_ros.bringup.graph import BringupArgs, resolve_graph
from vla_ros.nodes.managed import parameter_overrides

pytestmark = [pytest.mark.ros, pytest.mark.sim]

CYCLES = 5
SPECS = {spec.name: spec for spec in resolve_graph(BringupArgs(robot="panda"))}


@pytest.mark.parametrize("name", list(SPECS))
def test_lifecycle_cycles_leave_no_entities_behind(ros, name):
    spec = SPECS[name]
    module_name, class_name = spec.node_class.split(":")
    node_class = getattr(importlib.import_module(module_name), class_name)
    node = ros.add(
        node_class(
            parameter_overrides=parameter_overrides({**spec.parameters, "autostart": False})
        )
    )
    bare = entity_counts(node)
    history = run_cycles(ros, node, CYCLES)
    for cycle, counts in enumerate(history[1:], start=2):
        assert counts == history[0], (
            f"{name}: cycle {cycle} holds {counts}, cycle 1 held {history[0]}"
        )
    assert history[-1]["cleanup"] == bare
    assert (
        history[0]["activate"]["timers"] > history[0]["configure"]["timers"]
    )  # heartbeat and serving timers
