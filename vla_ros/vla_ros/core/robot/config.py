"""Robot configurations: YAML data in config/robots/, validated into dataclasses.

One code path reads every robot; nothing outside these files branches on a robot's name. Every key
of the YAML is known: its sections are typed (`safety:` SafetyConfig, `sim:` SceneConfig, `bringup:`
and `demo:` in sections.py) and a key nobody reads is refused with the closest valid one.
Position and velocity limits come from the URDF; acceleration and jerk limits, which URDFs do not
carry, come from the YAML. The robot's own description (robot_description) may replace the
kinematics and tighten limits, never widen them beyond the shipped URDF + YAML (the envelope):
each value it would widen stays at the envelope and is reported in `limit_warnings`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from vla_ros.core.config_fields import require_choice
from vla_ros.core.config_sections import mapping, reject_unknown_keys, section
from vla_ros.core.robot.safety_config import SafetyConfig
from vla_ros.core.robot.scene import SceneConfig
from vla_ros.core.robot.sections import BringupNotes, DemoConfig
from vla_ros.core.robot.urdf import Mimic, Urdf, parse_urdf
from vla_ros.core.types import InvalidInput
from vla_ros.resources import share_path


@dataclass(frozen=True)
class GripperConfig:
    joint: str
    open_position: float
    closed_position: float
    # Other finger joints that mimic `joint` in the URDF (simulated, not commanded).
    mimic_joints: tuple[str, ...] = ()


@dataclass(frozen=True)
class ControllerConfig:
    """A ros2_control JointTrajectoryController as the real driver names it."""

    name: str
    joints: tuple[str, ...]

    @property
    def trajectory_topic(self) -> str:
        return f"/{self.name}/joint_trajectory"


@dataclass(frozen=True)
class ArmConfig:
    name: str
    joints: tuple[str, ...]
    ee_frame: str
    gripper: GripperConfig | None
    controller: ControllerConfig
    gripper_controller: ControllerConfig | None = None

    @property
    def command_joints(self) -> tuple[str, ...]:
        return self.joints + ((self.gripper.joint,) if self.gripper else ())


CAMERA_TRANSPORTS = ("raw", "compressed")


@dataclass(frozen=True)
class CameraConfig:
    name: str
    topic: str
    width: int
    height: int
    fovy_deg: float
    # Simulated mount: in the world frame, or on `parent_body` (wrist cameras) when set.
    position: tuple[float, float, float]
    look_at: tuple[float, float, float]
    parent_body: str | None = None
    # raw: sensor_msgs/Image on `topic`; compressed: sensor_msgs/CompressedImage on `topic`/compressed,
    # as image_transport's compressed plugin publishes it (what real cameras on a network offer).
    transport: str = "raw"

    @property
    def frame_topic(self) -> str:
        """The topic camera_ingest subscribes to for this camera's frames."""
        return f"{self.topic}/compressed" if self.transport == "compressed" else self.topic

    @property
    def info_topic(self) -> str:
        """Where the sim publishes this camera's CameraInfo (recorded beside the images)."""
        return f"/cameras/{self.name}/camera_info"


@dataclass(frozen=True)
class JointLimits:
    """Per-joint limits aligned with RobotConfig.command_joints."""

    lower: np.ndarray
    upper: np.ndarray
    velocity: np.ndarray
    acceleration: np.ndarray
    jerk: np.ndarray


@dataclass(frozen=True)
class Workspace:
    """Axis-aligned box in the base frame that end effectors must stay inside."""

    lower: np.ndarray
    upper: np.ndarray

    def contains(self, point: np.ndarray, tolerance: float = 0.0) -> bool:
        return bool(
            np.all(point >= self.lower - tolerance) and np.all(point <= self.upper + tolerance)
        )


@dataclass(frozen=True)
class RobotConfig:
    name: str
    description: str
    urdf_file: Path
    base_frame: str
    joint_state_topic: str
    arms: tuple[ArmConfig, ...]
    limits: JointLimits
    home: np.ndarray
    workspace: Workspace
    cameras: tuple[CameraConfig, ...]
    safety: SafetyConfig = field(default_factory=SafetyConfig)
    sim: SceneConfig = field(default_factory=SceneConfig)
    bringup: BringupNotes = field(default_factory=BringupNotes)
    demo: DemoConfig = field(default_factory=DemoConfig)
    # Values a robot_description asked for beyond the envelope (kept at the envelope), one line each.
    limit_warnings: tuple[str, ...] = ()

    @property
    def command_joints(self) -> tuple[str, ...]:
        """Joints a command addresses, arm by arm: arm joints then that arm's gripper joint."""
        return tuple(j for arm in self.arms for j in arm.command_joints)

    @property
    def arm_joints(self) -> tuple[str, ...]:
        """The arms' own joints, arm by arm (command_joints without the grippers)."""
        return tuple(j for arm in self.arms for j in arm.joints)

    @property
    def controllers(self) -> tuple[ControllerConfig, ...]:
        """Every trajectory controller, arm by arm (arm, then gripper); together they cover command_joints."""
        return _controllers(self.arms)

    @property
    def urdf(self) -> Urdf:
        """The checked URDF this config was built from (the robot_description when given one)."""
        return self._description

    @property
    def mimics(self) -> dict[str, Mimic]:
        """Joint -> the joint it follows: the URDF's <mimic> tags, and for the YAML's gripper
        mimic_joints the URDF lacks a tag for, the gripper joint with multiplier 1 (as the sim drives them)."""
        mimics = dict(self._description.mimics)
        for arm in self.arms:
            for joint in arm.gripper.mimic_joints if arm.gripper else ():
                mimics.setdefault(joint, Mimic(arm.gripper.joint))
        return mimics

    def urdf_xml(self) -> str:
        """The URDF this config was built from: the robot's robot_description when it was given one."""
        return self._description.text

    def with_urdf(self, urdf_xml: str) -> RobotConfig:
        """This config with kinematics and position/velocity limits from another URDF (robot_description),
        the limits intersected with the envelope (the shipped URDF + YAML)."""
        envelope = self.limits if self._envelope is None else self._envelope
        return _build(self.name, self._raw, urdf_xml, self.urdf_file, envelope=envelope)

    _raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    _description: Urdf | None = field(default=None, repr=False, compare=False)
    # The widest limits a robot_description may give (None: this config is the envelope).
    _envelope: JointLimits | None = field(default=None, repr=False, compare=False)


# Every key a robot YAML may have at the top level; anything else is refused with a suggestion.
TOP_LEVEL_KEYS = (
    "name",
    "description",
    "urdf",
    "base_frame",
    "joint_state_topic",
    "arms",
    "limits",
    "home",
    "workspace",
    "cameras",
    "safety",
    "sim",
    "bringup",
    "demo",
)
LIMIT_KEYS = ("lower", "upper", "velocity", "acceleration", "jerk")


def available_robots() -> list[str]:
    return sorted(p.stem for p in share_path("config", "robots").glob("*.yaml"))


def load_robot_config(name_or_path: str, urdf_xml: str | None = None) -> RobotConfig:
    """Load config/robots/<name>.yaml (or a YAML path); `urdf_xml` overrides the shipped URDF."""
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml"):
        path = share_path("config", "robots", f"{name_or_path}.yaml")
    if not path.is_file():
        raise InvalidInput(
            f"unknown robot '{name_or_path}': no {path}; available robots: {available_robots()}"
        )
    raw = mapping(yaml.safe_load(path.read_text()), str(path))
    urdf_file = share_path("urdf", _require(raw, "urdf", path))
    name = raw.get("name", path.stem)
    if urdf_file.is_file():
        shipped = _build(name, raw, urdf_file.read_text(), urdf_file, source=path)
        return shipped if urdf_xml is None else shipped.with_urdf(urdf_xml)
    if urdf_xml is None:
        raise InvalidInput(f"{path}: urdf '{raw['urdf']}' not found at {urdf_file}")
    return _build(
        name, raw, urdf_xml, urdf_file, source=path
    )  # no shipped URDF: this description is the envelope


def urdf_joint_limits(urdf_xml: str) -> dict[str, tuple[float, float, float]]:
    """(lower, upper, velocity) of every revolute/prismatic joint with a <limit> (nan: attribute absent)."""
    return _joint_limits(parse_urdf(urdf_xml))


def _joint_limits(description: Urdf) -> dict[str, tuple[float, float, float]]:
    nan = float("nan")
    return {
        name: tuple(
            nan if v is None else v
            for v in (joint.limit.lower, joint.limit.upper, joint.limit.velocity)
        )
        for name, joint in description.joints.items()
        if joint.limit is not None and joint.type in ("revolute", "prismatic")
    }


def _require(raw: dict[str, Any], key: str, where: Path | str) -> Any:
    if key not in raw:
        raise InvalidInput(f"{where}: missing required key '{key}'")
    return raw[key]


def _controller(
    raw: dict[str, Any] | None, joints: tuple[str, ...], where: str
) -> ControllerConfig | None:
    if raw is None:
        return None
    raw = mapping(raw, where)
    reject_unknown_keys(raw, ("name", "joints"), where)
    return ControllerConfig(
        name=_require(raw, "name", where), joints=tuple(raw.get("joints", joints))
    )


def _arm(raw: dict[str, Any], where: str) -> ArmConfig:
    raw = mapping(raw, where)
    reject_unknown_keys(
        raw, ("name", "joints", "ee_frame", "gripper", "controller", "gripper_controller"), where
    )
    joints = tuple(_require(raw, "joints", where))
    gripper_raw = raw.get("gripper")
    gripper = None
    if gripper_raw:
        gripper_raw = mapping(gripper_raw, f"{where}.gripper")
        reject_unknown_keys(
            gripper_raw, ("joint", "open", "closed", "mimic_joints"), f"{where}.gripper"
        )
        gripper = GripperConfig(
            joint=gripper_raw["joint"],
            open_position=float(gripper_raw["open"]),
            closed_position=float(gripper_raw["closed"]),
            mimic_joints=tuple(gripper_raw.get("mimic_joints", ())),
        )
    controller = _controller(_require(raw, "controller", where), joints, f"{where}.controller")
    gripper_controller = _controller(
        raw.get("gripper_controller"),
        (gripper.joint,) if gripper else (),
        f"{where}.gripper_controller",
    )
    return ArmConfig(
        name=raw.get("name", "arm"),
        joints=joints,
        ee_frame=_require(raw, "ee_frame", where),
        gripper=gripper,
        controller=controller,
        gripper_controller=gripper_controller,
    )


def _controllers(arms: tuple[ArmConfig, ...]) -> tuple[ControllerConfig, ...]:
    return tuple(
        c for arm in arms for c in (arm.controller, arm.gripper_controller) if c is not None
    )


def _check_controllers(arms: tuple[ArmConfig, ...], joints: tuple[str, ...], where: str) -> None:
    """Controllers name only command joints, and every command joint has a controller."""
    controlled = {j for c in _controllers(arms) for j in c.joints}
    for controller in _controllers(arms):
        unknown = [j for j in controller.joints if j not in joints]
        if unknown:
            raise InvalidInput(
                f"{where}: controller '{controller.name}' names joints {unknown} that are not command joints"
            )
    uncovered = [j for j in joints if j not in controlled]
    if uncovered:
        raise InvalidInput(f"{where}: command joints {uncovered} belong to no controller")


def _check_limits(joints: tuple[str, ...], table: np.ndarray, where: str) -> None:
    """Rows (lower, upper, velocity, acceleration, jerk): finite, lower < upper, rates > 0.

    The safety projector's braking and viability arithmetic is meaningless otherwise (a continuous
    joint's missing bounds, a zero acceleration), so such a robot is refused at load.
    """
    for joint, row in zip(joints, table):
        lower, upper, velocity, acceleration, jerk = row
        if not np.all(np.isfinite(row)):
            raise InvalidInput(
                f"{where}: limits of joint '{joint}' must be finite numbers, got lower={lower} upper={upper} "
                f"velocity={velocity} acceleration={acceleration} jerk={jerk} (a continuous joint "
                "needs explicit bounds)"
            )
        if not lower < upper:
            raise InvalidInput(
                f"{where}: joint '{joint}' has lower limit {lower} >= upper limit {upper}"
            )
        for kind, rate in (("velocity", velocity), ("acceleration", acceleration), ("jerk", jerk)):
            if not rate > 0.0:
                raise InvalidInput(
                    f"{where}: joint '{joint}' {kind} limit must be > 0, got {rate}"
                )


def _camera(raw: dict[str, Any], where: str) -> CameraConfig:
    raw = mapping(raw, where)
    reject_unknown_keys(raw, ("name", "topic", "width", "height", "transport", "sim"), where)
    sim = mapping(raw.get("sim"), f"{where}.sim")
    reject_unknown_keys(sim, ("pos", "look_at", "fovy", "parent_body"), f"{where}.sim")
    transport = raw.get("transport", "raw")
    require_choice(f"{where}.transport", transport, CAMERA_TRANSPORTS)
    return CameraConfig(
        name=raw["name"],
        topic=raw.get("topic", f"/cameras/{raw['name']}/image_raw"),
        width=int(raw.get("width", 224)),
        height=int(raw.get("height", 224)),
        fovy_deg=float(sim.get("fovy", 60.0)),
        position=tuple(sim.get("pos", (1.0, 0.0, 1.0))),
        look_at=tuple(sim.get("look_at", (0.4, 0.0, 0.0))),
        parent_body=sim.get("parent_body"),
        transport=transport,
    )


def _within_envelope(
    joints: tuple[str, ...], table: np.ndarray, envelope: JointLimits, where: str
) -> tuple[np.ndarray, list[str]]:
    """Position/velocity rows of `table` intersected with the envelope, and a warning per widened value."""
    table = table.copy()
    warnings = []
    kept = (
        ("lower", envelope.lower, max),
        ("upper", envelope.upper, min),
        ("velocity", envelope.velocity, min),
    )
    for column, (kind, limits, tighter) in enumerate(kept):
        for row, (joint, asked, allowed) in enumerate(zip(joints, table[:, column], limits)):
            table[row, column] = tighter(asked, allowed)
            if table[row, column] != asked:
                warnings.append(
                    f"{where}: joint '{joint}' {kind} limit {asked:g} would widen the configured "
                    f"{allowed:g}; kept {allowed:g}"
                )
    for joint, (lower, upper) in zip(joints, table[:, :2]):
        if not lower < upper:
            raise InvalidInput(
                f"{where}: joint '{joint}' limits leave no range inside the configured ones "
                f"(lower {lower:g} >= upper {upper:g})"
            )
    return table, warnings


def _build(
    name: str,
    raw: dict[str, Any],
    urdf_xml: str,
    urdf_file: Path,
    source: Path | str = "",
    envelope: JointLimits | None = None,
) -> RobotConfig:
    where = str(source or name)
    reject_unknown_keys(raw, TOP_LEVEL_KEYS, where)
    arms = tuple(
        _arm(a, f"{where}: arms[{i}]") for i, a in enumerate(_require(raw, "arms", where))
    )
    joints = tuple(j for arm in arms for j in arm.command_joints)
    _check_controllers(arms, joints, where)
    description = parse_urdf(urdf_xml, base_dir=urdf_file.parent)
    for arm in arms:
        if arm.ee_frame not in description.links:
            raise InvalidInput(
                f"{where}: arm '{arm.name}' ee_frame '{arm.ee_frame}' is not a link of the URDF"
            )
    urdf_limits = _joint_limits(description)
    overrides = mapping(raw.get("limits"), f"{where}: limits")
    reject_unknown_keys(overrides, joints, f"{where}: limits (command joints)")
    rows = []
    for joint in joints:
        if joint not in urdf_limits:
            raise InvalidInput(f"{where}: joint '{joint}' has no <limit> in the URDF")
        lower, upper, velocity = urdf_limits[joint]
        extra = mapping(overrides.get(joint), f"{where}: limits.{joint}")
        reject_unknown_keys(extra, LIMIT_KEYS, f"{where}: limits.{joint}")
        missing = [k for k in ("acceleration", "jerk") if k not in extra]
        if missing:
            raise InvalidInput(
                f"{where}: limits.{joint} lacks {missing} (URDFs carry no acceleration/jerk limits)"
            )
        rows.append(
            (
                float(extra.get("lower", lower)),
                float(extra.get("upper", upper)),
                float(extra.get("velocity", velocity)),
                float(extra["acceleration"]),
                float(extra["jerk"]),
            )
        )
    table = np.array(rows, dtype=float)
    _check_limits(joints, table, where)
    warnings: list[str] = []
    if envelope is not None:
        table, warnings = _within_envelope(joints, table, envelope, where)
    limits = JointLimits(*(table[:, k].copy() for k in range(5)))
    home_raw = _require(raw, "home", where)
    unknown = sorted(set(home_raw) - set(joints))
    if unknown:
        raise InvalidInput(f"{where}: home names unknown joints {unknown}")
    home = np.array([float(home_raw.get(j, 0.0)) for j in joints])
    outside = [
        j for j, q, lo, hi in zip(joints, home, limits.lower, limits.upper) if not lo <= q <= hi
    ]
    if outside:
        raise InvalidInput(f"{where}: home pose outside joint limits for {outside}")
    workspace_raw = mapping(_require(raw, "workspace", where), f"{where}: workspace")
    reject_unknown_keys(workspace_raw, ("min", "max"), f"{where}: workspace")
    workspace = Workspace(
        np.array(workspace_raw["min"], float), np.array(workspace_raw["max"], float)
    )
    cameras = tuple(
        _camera(c, f"{where}: cameras[{i}]") for i, c in enumerate(raw.get("cameras") or [])
    )
    demo = section(DemoConfig, raw.get("demo"), f"{where}: demo")
    if demo.camera is not None and demo.camera not in [c.name for c in cameras]:
        raise InvalidInput(
            f"{where}: demo.camera '{demo.camera}' is not one of the cameras {[c.name for c in cameras]}"
        )
    return RobotConfig(
        name=name,
        description=raw.get("description", name),
        urdf_file=urdf_file,
        base_frame=_require(raw, "base_frame", where),
        joint_state_topic=raw.get("joint_state_topic", "/joint_states"),
        arms=arms,
        limits=limits,
        home=home,
        workspace=workspace,
        cameras=cameras,
        safety=SafetyConfig.from_yaml(raw.get("safety"), f"{where}: safety"),
        sim=SceneConfig.from_yaml(raw.get("sim")),
        bringup=section(BringupNotes, raw.get("bringup"), f"{where}: bringup"),
        demo=demo,
        limit_warnings=tuple(warnings),
        _raw=raw,
        _description=description,
        _envelope=envelope,
    )
