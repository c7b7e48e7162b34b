"""Entry of a process group's child process (`vla-ros run --processes split`: the control group).

    python -m vla_ros.nodes.group GROUP PARAMS_FILE NODE=module:Class ...

Composes the group's nodes as one-process mode does (each on its own single-threaded executor,
nodes/executors.py) with the graph's parameters from PARAMS_FILE (the ROS 2 parameters file the
supervisor writes for every node), and stops as a node process does (nodes/entry.py,
nodes/shutdown.py): the stop handlers are installed before the heavy imports, a signal during
the imports ends the process at once, a later one takes every node through its lifecycle
shutdown and exits 0, and the supervisor's death is a SIGTERM. A node that cannot come up ends
the process with exit code 1, so the supervisor respawns it.
"""

from __future__ import annotations

import sys

from vla_ros.nodes.shutdown import (
    NODE_STOP_DEADLINE_S,
    StopRequest,
    end_process,
    init_ros,
    stop_with_supervisor,
)


def main(argv: list[str]) -> int:
    stop = StopRequest.install_once()
    stop.deadline_s = NODE_STOP_DEADLINE_S
    stop_with_supervisor()
    if len(argv) < 3 or not all("=" in node for node in argv[2:]):
        print(f"usage: {__doc__.splitlines()[2].strip()}", file=sys.stderr)
        return 2
    import rclpy
    import yaml

    from vla_ros.bringup.graph import NodeSpec
    from vla_ros.core.types import InvalidInput
    from vla_ros.nodes.composition import compose
    from vla_ros.nodes.executors import IsolatedExecutors

    group, parameters_file, nodes = argv[0], argv[1], argv[2:]
    try:
        with open(parameters_file) as file:
            parameters = yaml.safe_load(file)
    except (OSError, yaml.YAMLError) as error:
        print(
            f"group {group}: cannot read parameters file {parameters_file}: {error}",
            file=sys.stderr,
        )
        return 2
    if not isinstance(parameters, dict):
        print(f"group {group}: {parameters_file} is not a ROS 2 parameters file", file=sys.stderr)
        return 2
    specs = []
    for node in nodes:
        name, node_class = node.split("=", 1)
        if name not in parameters:
            print(f"group {group}: node {name} is not in {parameters_file}", file=sys.stderr)
            return 2
        executable = node_class.rpartition(".")[2].partition(":")[0]
        specs.append(
            NodeSpec(name, executable, node_class, parameters[name]["ros__parameters"], group)
        )
    init_ros(stop)
    executors = IsolatedExecutors()
    try:
        compose(specs, executors)
        stop.spinning = True
        stop.wait()
        return 0
    except InvalidInput as error:
        print(f"group {group}: {error}", file=sys.stderr)
        return 1
    finally:
        executors.shutdown()
        rclpy.try_shutdown()
        stop.ignore_from_now_on()


if __name__ == "__main__":
    end_process(main(sys.argv[1:]))
