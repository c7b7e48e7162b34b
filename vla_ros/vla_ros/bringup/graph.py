"""The node graph of config/graph.yaml, resolved for one bring-up (robot, backend, sim, ...).

`ros2 launch` and `vla-ros run` both build their nodes from `resolve_graph`, so the two cannot
drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from vla_ros.core.config_fields import config_fields
from vla_ros.core.types import InvalidInput
from vla_ros.resources import share_path

SIM_MODES = ("mujoco", "gazebo", "replay", "false")
# The process group of a node graph.yaml gives none (`process:`); `vla-ros run --processes split`
# runs every other group in a child process of its own.
MAIN_PROCESS = "main"
RESPAWN_DELAY_S = 1.0
_PLACEHOLDER = re.compile(r"^\$\{(\w+)\}$")


@dataclass(frozen=True)
class BringupArgs:
    """One bring-up: the launch arguments of `ros2 launch` and the flags of `vla-ros run`.

    The policy backend is selected by `backend` everywhere (launch argument, CLI flag `--backend`,
    vla_policy parameter): it names a module of vla_ros.backends and goes with `backend_options`.

    robot: robot config in config/robots/ (panda, widowx, aloha) or a YAML path
    backend: policy backend (vla_ros.backends.registry: scripted, lerobot, openvla, openpi, ...)
    bridge: how moveit_bridge reaches the robot (joint_trajectory, forward_position, servo,
        moveit_py, xs_sdk: README "Bridge backends")
    sim: mujoco (embedded), gazebo (ros_gz), replay (no robot: a bag player drives sensors and
        /clock) or false (real robot)
    instruction: task instruction
    seed: simulation seed
    backend_options: YAML mapping of backend options
    latency_ms: artificial inference latency [ms]
    respawn: restart a node process that dies, after RESPAWN_DELAY_S (ros2 launch, the child
        processes of vla-ros run --processes split|each)
    """

    robot: str = "panda"
    backend: str = "scripted"
    bridge: str = "joint_trajectory"
    sim: str = "mujoco"
    instruction: str = "put the red cube in the bowl"
    seed: int = 0
    backend_options: str = "{}"
    latency_ms: float = 0.0
    respawn: bool = True
    # "node.param" -> value, applied after the graph's own parameters (not a launch argument).
    overrides: dict[str, Any] = field(default_factory=dict, metadata={"doc": "node.param=value"})

    def __post_init__(self) -> None:
        if self.sim not in SIM_MODES:
            raise InvalidInput(f"sim '{self.sim}' is not one of {list(SIM_MODES)}")

    @property
    def use_sim_time(self) -> bool:
        return self.sim != "false"


def _launch_string(default: Any) -> str:
    return str(default).lower() if isinstance(default, bool) else str(default)


# Bring-up arguments as launch files declare them: name -> (default, description).
LAUNCH_ARGUMENTS: dict[str, tuple[str, str]] = {
    f.name: (_launch_string(f.default), f.description)
    for f in config_fields(BringupArgs)
    if f.name != "overrides"
}


def bringup_args_from_strings(values: dict[str, str]) -> BringupArgs:
    """BringupArgs from launch-argument strings (what `ros2 launch ... name:=value` gives)."""
    typed = {}
    for f in config_fields(BringupArgs):
        if f.name in values:
            typed[f.name] = _from_string(f.name, f.kind, values[f.name])
    return BringupArgs(**typed)


@dataclass(frozen=True)
class NodeSpec:
    name: str
    executable: str
    node_class: str
    parameters: dict[str, Any]
    # Process group (graph.yaml `process:`): the nodes `--processes split` runs together.
    process: str = MAIN_PROCESS


def resolve_graph(args: BringupArgs, graph_file: Path | None = None) -> list[NodeSpec]:
    raw = yaml.safe_load((graph_file or share_path("config", "graph.yaml")).read_text())
    values = {**vars(args), "use_sim_time": args.use_sim_time}
    nodes = [node for node in raw["nodes"] if _wanted(node, values)]
    names = {node["name"] for node in nodes}
    specs = []
    for node in nodes:
        parameters = {
            key: _substitute(value, values) for key, value in node.get("parameters", {}).items()
        }
        parameters["use_sim_time"] = args.use_sim_time
        if node.get("watches"):
            parameters["watched_nodes"] = [name for name in node["watches"] if name in names]
        process = node.get("process", MAIN_PROCESS)
        if not isinstance(process, str) or not re.fullmatch(r"[a-z_]+", process):
            raise InvalidInput(
                f"graph.yaml node {node['name']}: process must be a lower-case name, got {process!r}"
            )
        specs.append(
            NodeSpec(node["name"], node["executable"], node["class"], parameters, process)
        )
    for key, value in args.overrides.items():
        node_name, _, parameter = key.partition(".")
        if node_name not in names or not parameter:
            raise InvalidInput(
                f"override '{key}' must be <node>.<parameter> with node one of {sorted(names)}"
            )
        next(s for s in specs if s.name == node_name).parameters[parameter] = value
    return specs


def _wanted(node: dict[str, Any], values: dict[str, Any]) -> bool:
    """`when`: the sim modes the node runs in; `only_if`: argument -> the values it runs with."""
    if "when" in node and values["sim"] not in node["when"]:
        return False
    return all(str(values[name]) in allowed for name, allowed in node.get("only_if", {}).items())


def parse_override(text: str) -> tuple[str, Any]:
    """'node.param=value' with value parsed as YAML (numbers, booleans, lists stay typed)."""
    key, sep, value = text.partition("=")
    if not sep:
        raise InvalidInput(f"override '{text}' must look like node.param=value")
    return key.strip(), yaml.safe_load(value)


def _from_string(name: str, kind: type, text: str) -> Any:
    if kind is bool:
        if text.lower() not in ("true", "false"):
            raise InvalidInput(f"launch argument {name} must be true or false, got '{text}'")
        return text.lower() == "true"
    try:
        return kind(text)
    except ValueError:
        raise InvalidInput(
            f"launch argument {name} must be a {kind.__name__}, got '{text}'"
        ) from None


def _substitute(value: Any, values: dict[str, Any]) -> Any:
    if isinstance(value, str):
        match = _PLACEHOLDER.match(value)
        if match:
            if match.group(1) not in values:
                raise InvalidInput(
                    f"graph.yaml uses unknown argument ${{{match.group(1)}}}; known: {sorted(values)}"
                )
            return values[match.group(1)]
    return value
