"""Every node's ROS parameters: one dataclass per node, each parameter's default and meaning stated
here once (or in the core config a node binds whole: ExecutorConfig, SyncConfig).

Nodes bind them with nodes/parameters.py; the README's parameter table is generated from them
(`python -m vla_ros.bringup.parameter_table`). Defaults shared with a bring-up (robot, backend,
instruction, ...) are BringupArgs' (bringup/graph.py). No rclpy here: the table needs none.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vla_ros.bringup.graph import BringupArgs
from vla_ros.core.bridge.gripper_goals import GripperGoalConfig
from vla_ros.core.bridge.scene_gate import SceneGateConfig
from vla_ros.core.chunking.config import ExecutorConfig
from vla_ros.core.config_fields import require_choice, require_non_negative, require_positive
from vla_ros.core.liveness import DEFAULT_TIMEOUT_S
from vla_ros.core.perception.image import FrameGeometry, ImageCrop
from vla_ros.core.perception.observation_sync import SyncConfig
from vla_ros.core.types import InvalidInput

BRIDGE_BACKENDS = ("joint_trajectory", "forward_position", "servo", "moveit_py", "xs_sdk")
SERVO_COMMAND_TYPES = ("joint_jog", "twist")
GRIPPER_ROUTES = ("controller", "gripper_command", "franka")


@dataclass(frozen=True)
class ManagedParameters:
    """Every node's own (ManagedNode).

    autostart: configure and activate at start (false: a lifecycle manager does)
    """

    autostart: bool = field(default=True, metadata={"read_only": True})


@dataclass(frozen=True)
class LivenessParameters:
    """Nodes that watch others' heartbeats (graph.yaml's `watches`).

    watched_nodes: nodes whose heartbeats this one needs (unset: none; graph.yaml's `watches`)
    liveness_timeout_s: a watched node silent this long is lost [s]
    """

    watched_nodes: tuple[str, ...] | None = None
    liveness_timeout_s: float = DEFAULT_TIMEOUT_S

    def __post_init__(self) -> None:
        require_positive("liveness_timeout_s", self.liveness_timeout_s)


@dataclass(frozen=True)
class RobotParameters:
    """robot: robot config: a name in config/robots/ or a YAML path"""

    robot: str = BringupArgs.robot


@dataclass(frozen=True)
class SimParameters(RobotParameters):
    """sim: the embedded MuJoCo robot.

    instruction: task of the first episode (later ones from /sim/reset)
    seed: seed of the first episode's object placement
    physics_rate_hz: MuJoCo steps per second of sim time
    joint_state_rate_hz: rate of /joint_states, /clock and object poses (sim time)
    camera_rate_hz: rate of rendered camera images (sim time)
    real_time_factor: sim time per wall time (slower when the machine cannot keep up)
    publish_clock: publish /clock (the graph's time under use_sim_time)
    reset_hold_s: after a /sim/reset the arm holds the home pose, ignoring trajectories, until
        /vla/reset announces the reset to the graph, at most this long [s of sim time]: the old
        episode's commands keep coming until then (measured 50 ms under load, enough to swing
        joint 7 by 0.04 rad)
    """

    instruction: str = BringupArgs.instruction
    seed: int = BringupArgs.seed
    physics_rate_hz: float = 500.0
    joint_state_rate_hz: float = 100.0
    camera_rate_hz: float = 10.0
    real_time_factor: float = 1.0
    publish_clock: bool = True
    reset_hold_s: float = 0.3

    def __post_init__(self) -> None:
        for name in (
            "physics_rate_hz",
            "joint_state_rate_hz",
            "camera_rate_hz",
            "real_time_factor",
        ):
            require_positive(name, getattr(self, name))
        require_non_negative("reset_hold_s", self.reset_hold_s)


@dataclass(frozen=True)
class CameraIngestParameters(RobotParameters):
    """camera_ingest.

    crop: top, left, height, width cropped from every frame [px of the source] (zeros: no crop)
    image_size: height, width each cropped frame shrinks to right after decoding [px] (zeros: keep)
    instruction: instruction stamped on observations until one arrives on /vla/instruction
    """

    crop: tuple[int, ...] = (0, 0, 0, 0)
    image_size: tuple[int, ...] = (0, 0)
    instruction: str = ""
    sync: SyncConfig = SyncConfig()

    @property
    def geometry(self) -> FrameGeometry:
        """Crop then downscale, as decoding applies them (zeros: none)."""
        return FrameGeometry(
            ImageCrop(tuple(self.crop) if any(self.crop) else None),
            tuple(self.image_size) if any(self.image_size) else None,
        )

    def __post_init__(self) -> None:
        if len(self.crop) != 4 or min(self.crop) < 0:
            raise InvalidInput(
                f"crop must be 4 integers >= 0 (top, left, height, width), got {list(self.crop)}"
            )
        keep = tuple(self.image_size) == (0, 0)
        if len(self.image_size) != 2 or not (keep or min(self.image_size) > 0):
            raise InvalidInput(
                f"image_size must be [height, width] > 0, or [0, 0] to keep, got {list(self.image_size)}"
            )


@dataclass(frozen=True)
class VlaPolicyParameters(RobotParameters):
    """vla_policy.

    backend: policy backend (vla_ros.backends.registry)
    backend_options: YAML mapping of the backend's options
    device: cuda | cpu | auto for model backends ("": the backend's default)
    trigger: continuous (infer on every observation) | on_request (on /vla/inference_request)
    latency_ms: artificial inference latency [ms]
    instruction: instruction until one arrives on /vla/instruction (overrides the observation's)
    """

    backend: str = BringupArgs.backend
    backend_options: str = BringupArgs.backend_options
    device: str = ""
    trigger: str = "continuous"
    latency_ms: float = BringupArgs.latency_ms
    instruction: str = ""

    def __post_init__(self) -> None:
        require_non_negative("latency_ms", self.latency_ms)


@dataclass(frozen=True)
class ChunkExecutorParameters(RobotParameters):
    """chunk_executor.

    status_rate_hz: rate of /vla/executor_status and diagnostics
    """

    status_rate_hz: float = 5.0
    executor: ExecutorConfig = ExecutorConfig()

    def __post_init__(self) -> None:
        require_positive("status_rate_hz", self.status_rate_hz)


@dataclass(frozen=True)
class SafetyProjectorParameters(RobotParameters):
    """safety_projector (constraints: the robot YAML's `safety:` section).

    control_rate_hz: rate of safe commands (one QP per tick)
    command_timeout_s: no command for this long holds the arm (stale_command) [s]
    joint_state_timeout_s: no joint state for this long holds the arm (joint_states_stale) [s]
    robot_description: the robot's URDF ("": the shipped one; also the latched /robot_description)
    """

    control_rate_hz: float = 100.0
    command_timeout_s: float = 0.2
    joint_state_timeout_s: float = 0.5
    robot_description: str = ""

    def __post_init__(self) -> None:
        for name in ("control_rate_hz", "command_timeout_s", "joint_state_timeout_s"):
            require_positive(name, getattr(self, name))


@dataclass(frozen=True)
class MoveItBridgeParameters(RobotParameters):
    """moveit_bridge (README "Bridge backends": what each expects on the robot side).

    backend: how safe commands reach the robot: joint_trajectory (JointTrajectoryController topics),
        forward_position (forward_command_controller /<controller>/commands), servo (MoveIt Servo),
        moveit_py (joint_trajectory streaming + MoveItPy home moves and the planning-scene gate),
        xs_sdk (Interbotix xs_sdk followers, ALOHA)
    lookahead_s: time_from_start of each streamed trajectory point [s]
    servo_nodes: MoveIt Servo node per arm (unset: /servo_node for one arm, /<arm>/servo_node)
    servo_command_type: joint_jog (control_msgs/JointJog) or twist (geometry_msgs/TwistStamped)
    servo_position_gain: joint jog velocity per rad of error to the measured position [1/s]
    gripper: controller (the gripper's controller, like the arm), gripper_command
        (control_msgs GripperCommand action) or franka (franka_msgs Move/Grasp actions)
    gripper_actions: per gripper, the GripperCommand action, or franka_gripper's namespace (its
        move and grasp actions); unset: the robot config's bringup entries
    planning_groups: MoveIt planning group per arm (unset: <robot>_<arm>, e.g. panda_arm)
    home_named_state: MoveIt named state to go home to ("": the robot config's home pose)
    moveit_params_file: YAML of MoveIt parameters for MoveItPy ("": from the launch)
    publish_tf: publish /tf from the suite's FK of /joint_states (sim, no robot_state_publisher)
    path_markers: publish the upcoming EE path of joint-position chunks (/vla/ee_path)
    """

    backend: str = BringupArgs.bridge
    lookahead_s: float = 0.05
    servo_nodes: tuple[str, ...] | None = None
    servo_command_type: str = "joint_jog"
    servo_position_gain: float = 10.0
    gripper: str = "controller"
    gripper_actions: tuple[str, ...] | None = None
    grippers: GripperGoalConfig = GripperGoalConfig()
    planning_groups: tuple[str, ...] | None = None
    home_named_state: str = ""
    moveit_params_file: str = ""
    gate: SceneGateConfig = SceneGateConfig()
    publish_tf: bool = False
    path_markers: bool = True

    def __post_init__(self) -> None:
        require_choice("backend", self.backend, BRIDGE_BACKENDS)
        require_non_negative("lookahead_s", self.lookahead_s)
        require_choice("servo_command_type", self.servo_command_type, SERVO_COMMAND_TYPES)
        require_non_negative("servo_position_gain", self.servo_position_gain)
        require_choice("gripper", self.gripper, GRIPPER_ROUTES)


@dataclass(frozen=True)
class AlohaRelayParameters(RobotParameters):
    """aloha_relay (robot: its bringup notes name the follower topics)."""


@dataclass(frozen=True)
class TaskServerParameters:
    """task_server.

    stall_timeout_s: no action chunk for this long aborts a RunTask goal (a node lost when a goal
        begins gets as long to come back) [s]
    """

    stall_timeout_s: float = 5.0

    def __post_init__(self) -> None:
        require_positive("stall_timeout_s", self.stall_timeout_s)
