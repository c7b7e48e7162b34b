"""LeRobot pretrained policy directory (ACT, Diffusion, SmolVLA, ...) run in-process with LeRobot's
own pre/post-processing pipelines (normalization with the checkpoint's statistics, tokenization,
device placement), so a checkpoint behaves here as it does under `lerobot-eval`.

Weights load from model.safetensors only. Config fields that name other models (SmolVLA's
`vlm_model_name`) must be local directories: nothing is fetched from a hub at run time; point them
elsewhere with the `config_overrides` option.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from vla_ros.backends.options import CARD_OPTIONS, BackendOptions
from vla_ros.backends.torch_runtime import ensure_torchvision_importable, resolve_device
from vla_ros.core.chunking.rtc import prefix_on_grid
from vla_ros.core.inference.policy import Policy
from vla_ros.core.model.io import ModelIO
from vla_ros.core.model.state_encoding import action_encoder
from vla_ros.core.robot.config import RobotConfig
from vla_ros.core.types import ActionChunk, ActionSpace, InvalidInput, JointState, Observation

ACTION_KEY = "action"  # LeRobot's action feature
OPTIONS = {
    "checkpoint": "LeRobot pretrained policy directory (config.json, model.safetensors, policy_*processor*.json)",
    "device": "auto (cuda when available, else cpu), cpu, cuda or cuda:N",
    "config_overrides": (
        "mapping of policy config fields to values applied before loading (e.g. "
        "vlm_model_name: /local/dir)"
    ),
    "rtc": (
        "true (default): a policy that inpaints (flow_film) keeps the prefix executing while it infers "
        "(real-time chunking, /vla/rtc_prefix); false: it predicts each chunk from noise alone"
    ),
    **CARD_OPTIONS,
}
# LeRobot's pi0-family ports run only on LeRobot's patched transformers (their model checks for it,
# but only after building a multi-GB network), so their absence is looked up before loading anything.
NEEDS_PATCHED_TRANSFORMERS = ("pi0", "pi05", "pi0_fast")
# Policy types whose predict_action_chunk inpaints a given prefix (real-time chunking): they are
# handed observation.extras["rtc_prefix"], the actions that execute while they infer.
INPAINTING_POLICIES = ("flow_film",)
REQUIRED_FILES = (
    "config.json",
    "model.safetensors",
    "policy_preprocessor.json",
    "policy_postprocessor.json",
)


class LeRobotPolicy(Policy):
    def __init__(
        self,
        policy: Any,
        preprocessor: Any,
        postprocessor: Any,
        io: ModelIO,
        device: Any,
        rtc: bool = True,
    ) -> None:
        self.policy, self.preprocessor, self.postprocessor = policy, preprocessor, postprocessor
        self.io, self.device = io, device
        self.n_action_steps = int(getattr(policy.config, "n_action_steps", io.card.execute))
        self.uses_rtc_prefix = rtc and policy.config.type in INPAINTING_POLICIES
        self._prefix_encoder = action_encoder(io.card, io.robot, ACTION_KEY)

    @classmethod
    def from_options(cls, robot: RobotConfig, options: dict[str, Any]) -> LeRobotPolicy:
        opts = BackendOptions("lerobot", options, OPTIONS)
        checkpoint = opts.directory("checkpoint")
        rtc = opts.boolean("rtc", True)
        missing = [f for f in REQUIRED_FILES if not (checkpoint / f).is_file()]
        if missing:
            raise InvalidInput(
                f"backend 'lerobot': option checkpoint={str(checkpoint)!r} is not a LeRobot pretrained policy dir: "
                f"lacks {missing} (has {sorted(p.name for p in checkpoint.iterdir())})"
            )
        io = opts.model_io(robot, checkpoint)
        ensure_torchvision_importable()
        from lerobot.configs.policies import PreTrainedConfig
        from lerobot.policies.factory import get_policy_class, make_pre_post_processors

        import vla_ros.policies  # noqa: F401  (registers the suite's own policy types, flow_film)

        device = resolve_device(opts.string("device", "auto"), "lerobot")
        policy_type = json.loads((checkpoint / "config.json").read_text()).get("type")
        _require_runtime(policy_type)
        try:
            policy_class = get_policy_class(policy_type)
            config = PreTrainedConfig.from_pretrained(checkpoint)
        except (ValueError, ImportError, OSError) as error:
            raise InvalidInput(
                f"backend 'lerobot': cannot read policy type {policy_type!r} from {checkpoint}: {error}"
            ) from error
        _apply_overrides(config, opts.mapping("config_overrides", strings=False))
        _check_card_against_config(io, config)
        _require_local_models(config)
        config.device = device.type
        try:
            policy = policy_class.from_pretrained(checkpoint, config=config, local_files_only=True)
            preprocessor, postprocessor = make_pre_post_processors(
                policy.config,
                pretrained_path=str(checkpoint),
                preprocessor_overrides={"device_processor": {"device": str(device)}},
            )
        except (OSError, ValueError, RuntimeError, KeyError) as error:
            raise InvalidInput(
                f"backend 'lerobot': loading {policy_type} policy from {checkpoint} failed: {error}"
            ) from error
        policy.to(device).eval()
        return cls(policy, preprocessor, postprocessor, io, device, rtc)

    def infer(self, observation: Observation) -> ActionChunk:
        import torch

        inputs = self.io.inputs(observation)
        batch: dict[str, Any] = {
            key: torch.from_numpy(image).permute(2, 0, 1).unsqueeze(0).float().div_(255.0)
            for key, image in inputs.images.items()
        }
        batch.update(
            {key: torch.from_numpy(vector).unsqueeze(0) for key, vector in inputs.state.items()}
        )
        batch["task"] = inputs.prompt
        prefix = observation.extras.get("rtc_prefix") if self.uses_rtc_prefix else None
        rows = self._model_prefix(prefix, observation) if prefix is not None else None
        if rows is not None:  # normalized by the preprocessor like a training batch's actions
            batch[ACTION_KEY] = torch.from_numpy(rows[None])
        batch = self.preprocessor(batch)
        with torch.inference_mode():
            actions = self.predict_chunk(batch)
        actions = self.postprocessor(actions).squeeze(0).float().cpu().numpy()
        return self.io.chunk(actions, observation)

    def predict_chunk(self, batch: dict[str, Any]) -> Any:
        """(1, n_action_steps, dim) normalized actions, as LeRobot's own select_action would play them."""
        import torch
        from lerobot.utils.constants import ACTION

        if self.uses_rtc_prefix:
            prefix = batch.pop(ACTION, None)
            return self.policy.predict_action_chunk(batch, prefix=prefix)[:, : self.n_action_steps]
        queues = getattr(self.policy, "_queues", None)
        if isinstance(queues, dict) and ACTION in queues:
            # Policies that keep an observation history (Diffusion's n_obs_steps, SmolVLA) update it inside
            # select_action, which leaves the rest of the chunk it predicted in its action queue.
            queues[ACTION].clear()
            first = self.policy.select_action(batch)
            rest = list(queues[ACTION])
            queues[ACTION].clear()
            return torch.stack([first, *rest], dim=1)
        return self.policy.predict_action_chunk(batch)[:, : self.n_action_steps]

    def _model_prefix(self, prefix: ActionChunk, observation: Observation) -> np.ndarray | None:
        """The executing prefix on this chunk's time grid, in the card's action terms (k, dim);
        None when it ended before this chunk's observation (nothing left to keep)."""
        if prefix.action_space != ActionSpace.JOINT_POSITION:
            raise InvalidInput(
                f"backend 'lerobot': rtc_prefix in {prefix.action_space.value}; inpainting takes "
                "joint positions"
            )
        rows = prefix_on_grid(prefix, observation.stamp, self.io.card.dt)[
            : self.io.card.chunk_size
        ]
        if len(rows) == 0:
            return None
        return np.stack(
            [
                self._prefix_encoder.encode(JointState(prefix.dim_names, row))[ACTION_KEY]
                for row in rows
            ]
        )

    def warmup(self) -> None:
        self.infer(self.io.placeholder_observation())
        self.reset()

    def reset(self) -> None:
        self.policy.reset()

    def close(self) -> None:
        self.policy = None


def _require_runtime(policy_type: str | None) -> None:
    import importlib.util

    import transformers

    if (
        policy_type in NEEDS_PATCHED_TRANSFORMERS
        and importlib.util.find_spec("transformers.models.siglip.check") is None
    ):
        raise InvalidInput(
            f"backend 'lerobot': LeRobot's {policy_type} needs LeRobot's patched transformers "
            "(lerobot[pi]), not transformers "
            f"{transformers.__version__} installed here; serve {policy_type} with openpi and use "
            "backend 'openpi' instead"
        )


def _apply_overrides(config: Any, overrides: dict[str, Any]) -> None:
    for field, value in overrides.items():
        if not hasattr(config, field):
            raise InvalidInput(
                f"backend 'lerobot': config_overrides names '{field}', not a field of {type(config).__name__}"
            )
        setattr(config, field, value)


def _require_local_models(config: Any) -> None:
    for field in ("vlm_model_name", "tokenizer_name", "paligemma_variant_path"):
        value = getattr(config, field, None)
        if isinstance(value, str) and not Path(value).is_dir():
            raise InvalidInput(
                f"backend 'lerobot': the checkpoint's {field}={value!r} is not a local directory; "
                "models are loaded only "
                f"from disk (no hub): copy it here and set option config_overrides: {{{field}: <dir>}}"
            )


def _check_card_against_config(io: ModelIO, config: Any) -> None:
    """The card and the checkpoint must agree on cameras, image sizes, state and action dims."""
    card = io.card
    where = f"model card '{card.name}' vs checkpoint ({config.type})"
    images = {key: tuple(f.shape) for key, f in config.image_features.items()}
    card_images = {c.key: (3, c.height, c.width) for c in card.cameras}
    if images != card_images:
        raise InvalidInput(
            f"{where}: checkpoint reads images {images} (C, H, W), card declares {card_images}"
        )
    state = config.robot_state_feature
    card_state = io.states.sizes
    expected_state = {"observation.state": state.shape[0]} if state is not None else {}
    if card_state != expected_state:
        raise InvalidInput(
            f"{where}: checkpoint reads state {expected_state}, card declares {card_state}"
        )
    action_dim = config.action_feature.shape[0]
    if action_dim != io.actions.dim:
        raise InvalidInput(
            f"{where}: checkpoint outputs {action_dim} action dims, card maps {io.actions.dim} {list(io.actions.names)}"
        )
    steps = int(getattr(config, "n_action_steps", card.execute))
    if card.execute > steps:
        raise InvalidInput(
            f"{where}: card executes {card.execute} actions per chunk, the policy produces n_action_steps={steps}"
        )
