"""The node graph of config/graph.yaml, resolved for one bring-up (robot, policy, sim, ...).

`ros2 launch` and `vla-ros run` both build their nodes from `resolve_graph`, so the two cannot
drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from vla_ros.core.types import InvalidInput
from vla_ros.resources import share_path

SIM_MODES = ("mujoco", "gazebo", "false")
RESPAWN_DELAY_S = 1.0
_PLACEHOLDER = re.compile(r"^\$\{(\w+)\}$")


@dataclass(frozen=True)
class BringupArgs:
    robot: str = "panda"
    policy: str = "scripted"
    sim: str = "mujoco"
    instruction: str = "put the red cube in the bowl"
    seed: int = 0
    backend_options: str = "{}"
    latency_ms: float = 0.0
    # Restart a node process that dies (ros2 launch, vla-ros run --multiprocess), after RESPAWN_DELAY_S.
    respawn: bool = True
    # "node.param" -> value, applied after the graph's own parameters.
    overrides: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.sim not in SIM_MODES:
            raise InvalidInput(f"sim '{self.sim}' is not one of {list(SIM_MODES)}")

    @property
    def use_sim_time(self) -> bool:
        return self.sim != "false"


# Bring-up arguments as launch files declare them: name -> (default, description).
LAUNCH_ARGUMENTS: dict[str, tuple[str, str]] = {
    "robot": ("panda", "robot config in config/robots/ (panda, widowx, aloha)"),
    "policy": ("scripted", "policy backend (vla_ros.backends.registry)"),
    "sim": ("mujoco", "mujoco (embedded), gazebo (ros_gz) or false (real robot)"),
    "instruction": ("put the red cube in the bowl", "task instruction"),
    "seed": ("0", "simulation seed"),
    "backend_options": ("{}", "YAML mapping of backend options"),
    "latency_ms": ("0.0", "artificial inference latency, ms"),
    "respawn": ("true", f"restart a node process that dies, after {RESPAWN_DELAY_S:g} s"),
}


def bringup_args_from_strings(values: dict[str, str]) -> BringupArgs:
    """BringupArgs from launch-argument strings (what `ros2 launch ... name:=value` gives)."""
    return BringupArgs(
        robot=values["robot"],
        policy=values["policy"],
        sim=values["sim"],
        instruction=values["instruction"],
        seed=int(values["seed"]),
        backend_options=values["backend_options"],
        latency_ms=float(values["latency_ms"]),
        respawn=_boolean("respawn", values["respawn"]),
    )


@dataclass(frozen=True)
class NodeSpec:
    name: str
    executable: str
    node_class: str
    parameters: dict[str, Any]


def resolve_graph(args: BringupArgs, graph_file: Path | None = None) -> list[NodeSpec]:
    raw = yaml.safe_load((graph_file or share_path("config", "graph.yaml")).read_text())
    values = {**vars(args), "use_sim_time": args.use_sim_time}
    nodes = [node for node in raw["nodes"] if "when" not in node or args.sim in node["when"]]
    names = {node["name"] for node in nodes}
    specs = []
    for node in nodes:
        parameters = {
            key: _substitute(value, values) for key, value in node.get("parameters", {}).items()
        }
        parameters["use_sim_time"] = args.use_sim_time
        if node.get("watches"):
            parameters["watched_nodes"] = [name for name in node["watches"] if name in names]
        specs.append(NodeSpec(node["name"], node["executable"], node["class"], parameters))
    for key, value in args.overrides.items():
        node_name, _, parameter = key.partition(".")
        if node_name not in names or not parameter:
            raise InvalidInput(
                f"override '{key}' must be <node>.<parameter> with node one of {sorted(names)}"
            )
        next(s for s in specs if s.name == node_name).parameters[parameter] = value
    return specs


def parse_override(text: str) -> tuple[str, Any]:
    """'node.param=value' with value parsed as YAML (numbers, booleans, lists stay typed)."""
    key, sep, value = text.partition("=")
    if not sep:
        raise InvalidInput(f"override '{text}' must look like node.param=value")
    return key.strip(), yaml.safe_load(value)


def _boolean(name: str, text: str) -> bool:
    if text.lower() not in ("true", "false"):
        raise InvalidInput(f"launch argument {name} must be true or false, got '{text}'")
    return text.lower() == "true"


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
