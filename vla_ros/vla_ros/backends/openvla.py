"""OpenVLA (and OpenVLA-style) checkpoints from a local directory through transformers'
AutoModelForVision2Seq + AutoProcessor, actions from `predict_action(unnorm_key=...)`.

OpenVLA ships its model code inside the checkpoint (config.json auto_map); transformers runs that
code only with trust_remote_code, which this backend passes only when option trust_remote_code is
true. Weights load from safetensors only. On CUDA the model runs in bfloat16 (as OpenVLA is
evaluated), on CPU in float32.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from vla_ros.backends.options import CARD_OPTIONS, BackendOptions
from vla_ros.backends.torch_runtime import ensure_torchvision_importable, resolve_device
from vla_ros.core.inference.policy import Policy
from vla_ros.core.model.io import ModelIO
from vla_ros.core.robot.config import RobotConfig
from vla_ros.core.types import ActionChunk, InvalidInput, Observation

DEFAULT_PROMPT = "In: What action should the robot take to {instruction}?\nOut:"
OPTIONS = {
    "checkpoint": "local OpenVLA checkpoint directory (config.json, *.safetensors, processor files)",
    "unnorm_key": "dataset statistics that un-normalize actions (default: the card's unnorm_key)",
    "trust_remote_code": "true to run the model code shipped inside the checkpoint (OpenVLA needs it); default false",
    "device": "auto (cuda when available, else cpu), cpu, cuda or cuda:N",
    "prompt": f"prompt template with {{instruction}} (default {DEFAULT_PROMPT!r})",
    **CARD_OPTIONS,
}


class OpenVLAPolicy(Policy):
    def __init__(
        self,
        model: Any,
        processor: Any,
        io: ModelIO,
        unnorm_key: str,
        device: Any,
        dtype: Any,
        prompt: str,
    ) -> None:
        self.model, self.processor, self.io = model, processor, io
        self.unnorm_key, self.device, self.dtype, self.prompt = unnorm_key, device, dtype, prompt
        if len(io.card.cameras) != 1:
            raise InvalidInput(
                f"backend 'openvla': model card '{io.card.name}' must declare exactly one camera, "
                f"got {[c.key for c in io.card.cameras]}"
            )

    @classmethod
    def from_options(cls, robot: RobotConfig, options: dict[str, Any]) -> OpenVLAPolicy:
        opts = BackendOptions("openvla", options, OPTIONS)
        checkpoint = opts.directory("checkpoint")
        config_file = checkpoint / "config.json"
        if not config_file.is_file():
            raise InvalidInput(
                f"backend 'openvla': option checkpoint={str(checkpoint)!r} has no config.json "
                "(not a transformers checkpoint)"
            )
        if not any(checkpoint.glob("*.safetensors")):
            found = sorted(p.name for p in checkpoint.iterdir())
            raise InvalidInput(
                f"backend 'openvla': checkpoint {checkpoint} has no *.safetensors weights (has "
                f"{found}); pickled weights are never loaded"
            )
        trust = opts.boolean("trust_remote_code", False)
        auto_map = json.loads(config_file.read_text()).get("auto_map")
        if auto_map and not trust:
            raise InvalidInput(
                f"backend 'openvla': checkpoint {checkpoint} ships its own model code "
                f"({sorted(set(auto_map.values()))}); "
                "set option trust_remote_code: true only if you trust that code (it runs with your privileges)"
            )
        io = opts.model_io(robot, checkpoint)
        prompt = opts.string("prompt", DEFAULT_PROMPT)
        if "{instruction}" not in prompt:
            raise InvalidInput(
                f"backend 'openvla': option prompt={prompt!r} must contain {{instruction}}"
            )
        ensure_torchvision_importable()
        import torch
        from transformers import AutoModelForVision2Seq, AutoProcessor

        device = resolve_device(opts.string("device", "auto"), "openvla")
        dtype = torch.bfloat16 if device.type == "cuda" else torch.float32
        try:
            processor = AutoProcessor.from_pretrained(
                checkpoint, trust_remote_code=trust, local_files_only=True
            )
            model = AutoModelForVision2Seq.from_pretrained(
                checkpoint,
                dtype=dtype,
                trust_remote_code=trust,
                local_files_only=True,
                use_safetensors=True,
                low_cpu_mem_usage=True,
            )
        except (OSError, ValueError, KeyError) as error:
            raise InvalidInput(
                f"backend 'openvla': loading {checkpoint} failed: {error}"
            ) from error
        model = model.to(device).eval()
        unnorm_key = _unnorm_key(model, opts.string("unnorm_key", io.card.unnorm_key), io)
        return cls(model, processor, io, unnorm_key, device, dtype, prompt)

    def infer(self, observation: Observation) -> ActionChunk:
        import torch
        from PIL import Image

        inputs = self.io.inputs(observation)
        image = Image.fromarray(next(iter(inputs.images.values())))
        batch = self.processor(
            text=self.prompt.format(instruction=inputs.prompt.strip().lower()),
            images=image,
            return_tensors="pt",
        )
        batch = {
            k: v.to(self.device, dtype=self.dtype) if v.is_floating_point() else v.to(self.device)
            for k, v in batch.items()
        }
        with torch.inference_mode():
            action = self.model.predict_action(
                **batch, unnorm_key=self.unnorm_key, do_sample=False
            )
        return self.io.chunk(np.asarray(action, dtype=float).reshape(1, -1), observation)

    def warmup(self) -> None:
        self.infer(self.io.placeholder_observation())

    def reset(self) -> None:
        """OpenVLA is memoryless: every action comes from the current image and instruction alone."""

    def close(self) -> None:
        self.model = None


def _unnorm_key(model: Any, requested: str | None, io: ModelIO) -> str:
    """The statistics key, checked against the checkpoint's norm_stats and the card's action dim."""
    stats = getattr(model, "norm_stats", None)
    if not isinstance(stats, dict) or not stats:
        raise InvalidInput(
            "backend 'openvla': the checkpoint carries no norm_stats, so its actions cannot be un-normalized"
        )
    if requested is None:
        if len(stats) != 1:
            raise InvalidInput(
                f"backend 'openvla': checkpoint has statistics for {sorted(stats)}; choose one with option unnorm_key"
            )
        requested = next(iter(stats))
    if requested not in stats:
        raise InvalidInput(
            f"backend 'openvla': unnorm_key {requested!r} is not in the checkpoint's norm_stats; "
            f"valid keys: {sorted(stats)}"
        )
    dim = len(stats[requested]["action"]["q01"])
    if dim != io.actions.dim:
        raise InvalidInput(
            f"backend 'openvla': statistics '{requested}' are {dim}-D but model card "
            f"'{io.card.name}' maps {io.actions.dim} dims"
        )
    return requested
