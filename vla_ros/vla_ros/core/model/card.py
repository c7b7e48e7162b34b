"""Model cards: what a checkpoint's inputs and outputs mean, as data (config/models/<name>.yaml).

A card says which action space the model speaks, what each output dimension drives on the robot
(`targets`), in which units, how it is normalized, what its gripper numbers mean, which cameras at
which size and which state it reads, and at which rate its chunks play. Conversions are driven by
the card (vla_ros.core.model.action_conversion); no code branches on a model's name.

Targets name robot quantities relative to an arm, so one card fits every robot of that embodiment:
`arm0.joints` (all joints of the first arm, in order), `arm0.joint3`, `arm0.gripper`,
`arm0.ee` (ee_delta: dx dy dz droll dpitch dyaw; ee_pose: x y z roll pitch yaw), `arm0.ee_quat`
(ee_pose: x y z qx qy qz qw), a robot joint's own name, or null for a model slot the robot ignores.
An arm may also be named (`left.joints`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from vla_ros.core.types import ActionSpace, InvalidInput
from vla_ros.resources import share_path

ANGLE_UNITS = {"rad": 1.0, "deg": np.pi / 180.0}
LENGTH_UNITS = {"m": 1.0, "cm": 0.01, "mm": 0.001}
NORMALIZATION_MODES = ("none", "model", "gaussian", "bounds")
IMAGE_LAYOUTS = ("hwc", "chw")
CARD_FILE_IN_CHECKPOINT = "vla_ros_card.yaml"


@dataclass(frozen=True)
class GripperConvention:
    """Model gripper values meaning fully closed / fully open (e.g. OpenVLA: 0 closed, 1 open).

    None for both means the model already speaks the gripper joint's position in robot units.
    """

    closed: float | None = None
    open: float | None = None
    # Snap to open/closed at the midpoint (models trained on binary gripper commands).
    binary: bool = False

    @property
    def is_joint_position(self) -> bool:
        return self.closed is None


@dataclass(frozen=True)
class Normalization:
    """How raw model outputs map to action units (applied before unit conversion).

    gaussian: a = x * std + mean; bounds: a = (x + 1) / 2 * (high - low) + low (OpenVLA/Octo q01..q99).
    `mask[i]` false leaves dim i as the model gave it. "model": the backend's own pipeline does it.
    """

    mode: str = "none"
    mean: np.ndarray | None = None
    std: np.ndarray | None = None
    low: np.ndarray | None = None
    high: np.ndarray | None = None
    mask: np.ndarray | None = None


@dataclass(frozen=True)
class ActionSpec:
    space: ActionSpace
    # Values per action the model outputs (the targets must expand to exactly this many on a robot).
    dim: int
    # The model's own name for each output dimension (empty: the expanded targets name them).
    names: tuple[str, ...]
    # Robot quantity driven by each output dimension (see module docstring), None = ignored slot.
    targets: tuple[str | None, ...]
    angle_scale: float = 1.0
    length_scale: float = 1.0
    gripper: GripperConvention = GripperConvention()
    normalization: Normalization = Normalization()
    # Key of the actions in a remote server's reply (openpi: "actions").
    key: str = "actions"


@dataclass(frozen=True)
class CameraInput:
    key: str  # the model's name for this image (e.g. observation.images.top, observation/wrist_image)
    source: str  # robot camera (RobotConfig.cameras[].name) that feeds it
    height: int
    width: int
    layout: str = "hwc"
    # (top, left, height, width) as fractions of the image the model edge receives, cut before the
    # resize: a policy that must see a few-centimetre object from a wide view reads the workspace
    # at the card's size instead of the whole frame (None: the whole image).
    crop: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class StateInput:
    key: str  # the model's name for this state vector (observation.state, observation/joint_position)
    targets: tuple[str, ...]
    dim: int  # its length, checked against the expanded targets


@dataclass(frozen=True)
class ModelCard:
    name: str
    description: str
    action: ActionSpec
    cameras: tuple[CameraInput, ...]
    state: tuple[StateInput, ...]
    control_rate: float
    chunk_size: int
    # Actions of each chunk that are published (Diffusion Policy: horizon 16, execute 8).
    execute: int
    # OpenVLA: which dataset's statistics un-normalize the actions (inside the checkpoint).
    unnorm_key: str | None = None
    prompt_key: str = "prompt"
    # Embodiment the checkpoint was trained on (a hint in error messages, not a restriction).
    robot: str | None = None
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def dt(self) -> float:
        return 1.0 / self.control_rate


def available_model_cards() -> list[str]:
    return sorted(p.stem for p in share_path("config", "models").glob("*.yaml"))


def load_model_card(name_or_path: str | Path) -> ModelCard:
    """Load config/models/<name>.yaml, a YAML path, or a checkpoint dir holding vla_ros_card.yaml."""
    path = Path(name_or_path)
    if path.is_dir():
        path = path / CARD_FILE_IN_CHECKPOINT
    elif path.suffix not in (".yaml", ".yml"):
        path = share_path("config", "models", f"{name_or_path}.yaml")
    if not path.is_file():
        raise InvalidInput(
            f"model card '{name_or_path}' not found (looked for {path}); available cards: {available_model_cards()}, "
            f"or a YAML path, or a checkpoint dir with {CARD_FILE_IN_CHECKPOINT}"
        )
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise InvalidInput(f"model card {path} is not valid YAML: {error}") from error
    return parse_model_card(raw, source=str(path))


def parse_model_card(raw: Any, source: str = "<dict>") -> ModelCard:
    if not isinstance(raw, dict):
        raise InvalidInput(f"{source}: a model card is a mapping, got {type(raw).__name__}")
    known = {
        "name",
        "description",
        "robot",
        "action",
        "cameras",
        "state",
        "control_rate",
        "chunk_size",
        "execute",
        "unnorm_key",
        "prompt_key",
    }
    action = _action(_require(raw, "action", source), f"{source}: action")
    rate = _positive(raw.get("control_rate"), f"{source}: control_rate (Hz)")
    chunk_size = _positive_int(raw.get("chunk_size", 1), f"{source}: chunk_size")
    execute = _positive_int(raw.get("execute", chunk_size), f"{source}: execute")
    if execute > chunk_size:
        raise InvalidInput(f"{source}: execute={execute} exceeds chunk_size={chunk_size}")
    cameras = tuple(
        _camera(c, f"{source}: cameras[{i}]") for i, c in enumerate(raw.get("cameras") or [])
    )
    keys = [c.key for c in cameras]
    if len(set(keys)) != len(keys):
        raise InvalidInput(f"{source}: camera keys must be unique, got {keys}")
    state = tuple(_state(s, f"{source}: state[{i}]") for i, s in enumerate(raw.get("state") or []))
    return ModelCard(
        name=str(raw.get("name", Path(source).stem)),
        description=str(raw.get("description", "")),
        action=action,
        cameras=cameras,
        state=state,
        control_rate=rate,
        chunk_size=chunk_size,
        execute=execute,
        unnorm_key=raw.get("unnorm_key"),
        prompt_key=str(raw.get("prompt_key", "prompt")),
        robot=raw.get("robot"),
        source=source,
        extra={k: v for k, v in raw.items() if k not in known},
    )


def _require(raw: dict[str, Any], key: str, where: str) -> Any:
    if key not in raw:
        raise InvalidInput(f"{where}: missing required key '{key}'")
    return raw[key]


def _positive(value: Any, where: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{where} must be a positive number, got {value!r}") from None
    if not np.isfinite(number) or number <= 0:
        raise InvalidInput(f"{where} must be a positive number, got {value!r}")
    return number


def _positive_int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(f"{where} must be a positive integer, got {value!r}")
    return value


def _choice(value: Any, choices: Any, where: str) -> Any:
    if value not in choices:
        raise InvalidInput(f"{where} must be one of {sorted(choices)}, got {value!r}")
    return value


def _action(raw: Any, where: str) -> ActionSpec:
    if not isinstance(raw, dict):
        raise InvalidInput(f"{where} must be a mapping, got {raw!r}")
    spaces = [s.value for s in ActionSpace]
    space = ActionSpace(_choice(raw.get("space"), spaces, f"{where}.space"))
    targets = raw.get("targets")
    if not isinstance(targets, list) or not targets:
        raise InvalidInput(
            f"{where}.targets must be a non-empty list (e.g. [arm0.joints, arm0.gripper]), got {targets!r}"
        )
    # The model's output width: checked against the targets once they expand on a robot, so a card
    # for a 7-joint arm fails on a 6-joint one instead of silently driving fewer joints.
    dim = _positive_int(
        raw.get("dim"), f"{where}.dim (number of values the model outputs per action)"
    )
    slots = raw.get("slots")
    if slots is not None:  # RDT-style unified vector: {index: target}, all other slots ignored
        flat: list[str | None] = [None] * dim
        for index, target in dict(slots).items():
            if not isinstance(index, int) or not 0 <= index < dim:
                raise InvalidInput(
                    f"{where}.slots index {index!r} must be an integer in [0, {dim})"
                )
            flat[index] = target
        targets = flat
    targets = tuple(None if t is None else str(t) for t in targets)
    # Group targets (arm0.joints) expand per robot, so the count of names is checked when binding.
    names = tuple(str(n) for n in raw.get("names") or ())
    units = raw.get("units") or {}
    angle = _choice(units.get("angle", "rad"), ANGLE_UNITS, f"{where}.units.angle")
    length = _choice(units.get("length", "m"), LENGTH_UNITS, f"{where}.units.length")
    gripper_raw = raw.get("gripper") or {}
    closed, opened = gripper_raw.get("closed"), gripper_raw.get("open")
    if (closed is None) != (opened is None):
        raise InvalidInput(
            f"{where}.gripper needs both 'closed' and 'open' model values, or neither (joint units)"
        )
    if closed is not None and float(closed) == float(opened):
        raise InvalidInput(
            f"{where}.gripper closed and open values must differ, got {closed} and {opened}"
        )
    gripper = GripperConvention(
        closed=None if closed is None else float(closed),
        open=None if opened is None else float(opened),
        binary=bool(gripper_raw.get("binary", False)),
    )
    return ActionSpec(
        space=space,
        dim=dim,
        names=names,
        targets=targets,
        angle_scale=ANGLE_UNITS[angle],
        length_scale=LENGTH_UNITS[length],
        gripper=gripper,
        normalization=_normalization(raw.get("normalization"), f"{where}.normalization"),
        key=str(raw.get("key", "actions")),
    )


def _normalization(raw: Any, where: str) -> Normalization:
    if raw is None:
        return Normalization()
    if isinstance(raw, str):
        raw = {"mode": raw}
    mode = _choice(raw.get("mode", "none"), NORMALIZATION_MODES, f"{where}.mode")
    arrays = {
        k: (None if raw.get(k) is None else np.asarray(raw[k], dtype=float))
        for k in ("mean", "std", "low", "high")
    }
    needed = {"gaussian": ("mean", "std"), "bounds": ("low", "high")}.get(mode, ())
    missing = [k for k in needed if arrays[k] is None]
    if missing:
        raise InvalidInput(f"{where}: mode '{mode}' needs {missing}")
    sizes = {k: a.shape for k, a in arrays.items() if a is not None}
    if len({s for s in sizes.values()}) > 1:
        raise InvalidInput(f"{where}: statistics must have one length, got shapes {sizes}")
    if mode == "gaussian" and np.any(arrays["std"] <= 0):
        raise InvalidInput(f"{where}.std must be positive, got {raw['std']}")
    mask = raw.get("mask")
    return Normalization(
        mode=mode, mask=None if mask is None else np.asarray(mask, dtype=bool), **arrays
    )


def _camera(raw: Any, where: str) -> CameraInput:
    if not isinstance(raw, dict):
        raise InvalidInput(f"{where} must be a mapping with key, source, size, got {raw!r}")
    size = _require(raw, "size", where)
    if not (
        isinstance(size, list)
        and len(size) == 2
        and all(isinstance(s, int) and s > 0 for s in size)
    ):
        raise InvalidInput(f"{where}.size must be [height, width] in pixels, got {size!r}")
    return CameraInput(
        key=str(_require(raw, "key", where)),
        source=str(raw.get("source", raw["key"])),
        height=size[0],
        width=size[1],
        layout=_choice(raw.get("layout", "hwc"), IMAGE_LAYOUTS, f"{where}.layout"),
        crop=_crop(raw.get("crop"), f"{where}.crop"),
    )


def _crop(raw: Any, where: str) -> tuple[float, float, float, float] | None:
    if raw is None:
        return None
    valid = (
        isinstance(raw, list)
        and len(raw) == 4
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in raw)
    )
    if valid:
        top, left, height, width = (float(v) for v in raw)
        valid = (
            top >= 0.0
            and left >= 0.0
            and height > 0.0
            and width > 0.0
            and top + height <= 1.0 + 1e-9
            and left + width <= 1.0 + 1e-9
        )
    if not valid:
        raise InvalidInput(
            f"{where} must be [top, left, height, width] as fractions of the image (each >= 0, "
            f"height and width > 0, top + height <= 1, left + width <= 1), got {raw!r}"
        )
    return top, left, height, width


def _state(raw: Any, where: str) -> StateInput:
    if not isinstance(raw, dict) or not isinstance(raw.get("targets"), list):
        raise InvalidInput(
            f"{where} must be a mapping with key and targets (e.g. [arm0.joints]), got {raw!r}"
        )
    return StateInput(
        key=str(_require(raw, "key", where)),
        targets=tuple(str(t) for t in raw["targets"]),
        dim=_positive_int(raw.get("dim"), f"{where}.dim (length of this state vector)"),
    )
