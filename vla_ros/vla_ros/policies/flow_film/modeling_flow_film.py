"""flow_film: what each camera sees, modulated by the instruction, -> a chunk by flow matching.

Per camera a small conv net whose every layer is FiLM-modulated by the frozen MiniLM embedding of
the instruction (the language decides what the convolutions look for), spatial-softmax keypoints,
then one context vector with the normalized state. The head is a flow-matching velocity MLP over
the whole chunk: training regresses the velocity (actions - noise) at a random time on the straight
path from noise to the demonstrated chunk; inference integrates it from noise in `flow_steps` Euler
steps. Real-time chunking: given the prefix of actions that will execute while the chunk is being
computed (/vla/rtc_prefix), the prefix is inpainted (held on its own noise-to-prefix path at every
step), so the new chunk continues what is already running instead of jumping at the seam.

With `relative_actions` the flow runs on each action's offset from the current state. The batch
stays LeRobot's (state and actions normalized by the processors, absolute actions in and out), so
the model keeps the statistics it needs to convert as buffers (`set_frames`, saved with the weights).
"""

from __future__ import annotations

import math
from collections import deque

import torch
import torch.nn.functional as F
from lerobot.policies.pretrained import PreTrainedPolicy
from lerobot.utils.constants import ACTION, OBS_STATE
from torch import Tensor, nn

from vla_ros.policies.flow_film.configuration_flow_film import TEXT_DIM, FlowFilmConfig
from vla_ros.policies.flow_film.text_encoder import text_encoder


class FlowFilmPolicy(PreTrainedPolicy):
    config_class = FlowFilmConfig
    name = "flow_film"

    def __init__(self, config: FlowFilmConfig, **kwargs) -> None:
        super().__init__(config)
        config.validate_features()
        self.config = config
        self.cameras = list(config.image_features)
        self.encoders = nn.ModuleList(CameraEncoder(config) for _ in self.cameras)
        state_dim = config.robot_state_feature.shape[0]
        self.action_dim = config.action_feature.shape[0]
        width = config.hidden_dim
        context_in = 2 * config.keypoints * len(self.cameras) + 2 * (width // 4)
        self.state_in = nn.Linear(state_dim, width // 4)
        self.text_in = nn.Linear(TEXT_DIM, width // 4)
        self.context = nn.Sequential(nn.Linear(context_in, width), nn.SiLU())
        chunk = config.chunk_size * self.action_dim
        self.velocity = nn.Sequential(
            nn.Linear(chunk + config.time_embedding_dim + width, width),
            nn.SiLU(),
            nn.Linear(width, width),
            nn.SiLU(),
            nn.Linear(width, chunk),
        )
        self._queue: deque[Tensor] = deque(maxlen=config.n_action_steps)
        # Normalization of state and actions (the processors') and the offsets' spread: only
        # relative_actions reads them. Identity until set_frames (the trainer) or loaded.
        for name, size in (("state", state_dim), ("action", self.action_dim)):
            self.register_buffer(f"{name}_mean", torch.zeros(size))
            self.register_buffer(f"{name}_std", torch.ones(size))
        self.register_buffer("offset_std", torch.ones(self.action_dim))

    def set_frames(self, state: dict, action: dict, offset_std: Tensor) -> None:
        """The processors' mean/std of state and action, and the spread of action - state."""
        for name, stats in (("state", state), ("action", action)):
            getattr(self, f"{name}_mean").copy_(torch.as_tensor(stats["mean"]))
            # LeRobot's MEAN_STD normalizer divides by std + 1e-8.
            getattr(self, f"{name}_std").copy_(torch.as_tensor(stats["std"]) + 1e-8)
        self.offset_std.copy_(torch.as_tensor(offset_std).clamp_min(1e-4))

    def get_optim_params(self) -> dict:
        return self.parameters()

    def reset(self) -> None:
        self._queue.clear()

    # -- training ----------------------------------------------------------------------------------
    def forward(self, batch: dict[str, Tensor]) -> tuple[Tensor, dict]:
        """Flow-matching loss: MSE of the predicted velocity on the noise -> chunk path."""
        context = self._context(batch)
        actions = self._to_flow(batch[ACTION], batch[OBS_STATE])
        noise = torch.randn_like(actions)
        t = torch.rand(actions.shape[0], 1, 1, device=actions.device)
        x_t = (1 - t) * noise + t * actions
        error = (self._velocity(x_t, t.flatten(), context) - (actions - noise)) ** 2
        if "action_is_pad" in batch:
            error = error * ~batch["action_is_pad"].unsqueeze(-1)
        loss = error.mean()
        return loss, {"loss": loss.item()}

    # -- inference ---------------------------------------------------------------------------------
    @torch.no_grad()
    def predict_action_chunk(
        self, batch: dict[str, Tensor], noise: Tensor | None = None, prefix: Tensor | None = None
    ) -> Tensor:
        """(B, chunk_size, action_dim) normalized actions; `prefix` (B, k, action_dim), normalized
        like the actions, is the start the chunk must keep (real-time chunking)."""
        context = self._context(batch)
        shape = (context.shape[0], self.config.chunk_size, self.action_dim)
        if noise is None:
            noise = self.config.inference_noise_scale * torch.randn(shape, device=context.device)
        state = batch[OBS_STATE]
        if prefix is not None:
            prefix = self._to_flow(prefix, state)
        x = noise.clone()
        steps = self.config.flow_steps
        for i in range(steps):
            t = i / steps
            if prefix is not None:
                k = prefix.shape[1]
                x[:, :k] = (1 - t) * noise[:, :k] + t * prefix
            x = x + self._velocity(x, torch.full((shape[0],), t, device=x.device), context) / steps
        if prefix is not None:
            x[:, : prefix.shape[1]] = prefix
        return self._from_flow(x, state)

    @torch.no_grad()
    def select_action(self, batch: dict[str, Tensor], noise: Tensor | None = None) -> Tensor:
        if not self._queue:
            chunk = self.predict_action_chunk(batch, noise=noise)
            self._queue.extend(chunk[:, : self.config.n_action_steps].transpose(0, 1))
        return self._queue.popleft()

    # -- parts -------------------------------------------------------------------------------------
    def _to_flow(self, actions: Tensor, state: Tensor) -> Tensor:
        """Normalized absolute actions (B, T, D) -> what the flow runs on."""
        if not self.config.relative_actions:
            return actions
        absolute = actions * self.action_std + self.action_mean
        current = (state * self.state_std + self.state_mean).unsqueeze(1)
        return (absolute - current) / self.offset_std

    def _from_flow(self, x: Tensor, state: Tensor) -> Tensor:
        if not self.config.relative_actions:
            return x
        current = (state * self.state_std + self.state_mean).unsqueeze(1)
        return (x * self.offset_std + current - self.action_mean) / self.action_std

    def _context(self, batch: dict[str, Tensor]) -> Tensor:
        state = batch[OBS_STATE]
        tasks = batch["task"]
        text = text_encoder()([tasks] if isinstance(tasks, str) else list(tasks), state.device)
        features = [
            encoder(self._augment(batch[key]), text)
            for key, encoder in zip(self.cameras, self.encoders)
        ]
        features += [self._withheld(self.state_in(state)), self.text_in(text)]
        return self.context(torch.cat(features, dim=-1))

    def _withheld(self, state_features: Tensor) -> Tensor:
        """Zero the state's features of a `state_dropout` fraction of samples (training only)."""
        p = self.config.state_dropout
        if not self.training or p == 0.0:
            return state_features
        kept = torch.rand(state_features.shape[0], 1, device=state_features.device) >= p
        return state_features * kept

    def _velocity(self, x: Tensor, t: Tensor, context: Tensor) -> Tensor:
        inputs = torch.cat(
            [x.flatten(1), time_embedding(t, self.config.time_embedding_dim), context], -1
        )
        return self.velocity(inputs).view_as(x)

    def _augment(self, images: Tensor) -> Tensor:
        """Random shift by up to `random_shift` pixels (training only), as DrQ does."""
        shift = self.config.random_shift
        if not self.training or shift == 0:
            return images
        height, width = images.shape[-2:]
        padded = F.pad(images, (shift,) * 4, mode="replicate")
        offsets = torch.randint(0, 2 * shift + 1, (images.shape[0], 2))
        return torch.stack(
            [p[:, y : y + height, x : x + width] for p, (y, x) in zip(padded, offsets.tolist())]
        )


class CameraEncoder(nn.Module):
    """Conv layers, each FiLM-modulated by the instruction, then spatial-softmax keypoints."""

    def __init__(self, config: FlowFilmConfig) -> None:
        super().__init__()
        channels = (3, *config.conv_channels)
        self.layers = nn.ModuleList(
            FilmConv(c_in, c_out, stride=2 if i < len(channels) - 2 else 1)
            for i, (c_in, c_out) in enumerate(zip(channels, channels[1:]))
        )
        self.keypoints = nn.Conv2d(channels[-1], config.keypoints, 1)

    def forward(self, images: Tensor, text: Tensor) -> Tensor:
        x = (images - 0.5) / 0.25
        for layer in self.layers:
            x = layer(x, text)
        return spatial_softmax(self.keypoints(x))


class FilmConv(nn.Module):
    def __init__(self, c_in: int, c_out: int, stride: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, 3, stride, padding=1)
        self.norm = nn.GroupNorm(min(8, c_out), c_out)
        self.film = nn.Linear(TEXT_DIM, 2 * c_out)
        nn.init.zeros_(self.film.weight)  # starts as the identity modulation
        nn.init.zeros_(self.film.bias)

    def forward(self, x: Tensor, text: Tensor) -> Tensor:
        gamma, beta = self.film(text)[..., None, None].chunk(2, dim=1)
        return F.silu(self.norm(self.conv(x)) * (1 + gamma) + beta)


def spatial_softmax(maps: Tensor) -> Tensor:
    """(B, K, H, W) -> (B, 2K): each map's expected (x, y) in [-1, 1] under its softmax."""
    b, k, h, w = maps.shape
    weights = maps.flatten(2).softmax(-1).view(b, k, h, w)
    ys = torch.linspace(-1, 1, h, device=maps.device)
    xs = torch.linspace(-1, 1, w, device=maps.device)
    x = (weights.sum(2) * xs).sum(-1)
    y = (weights.sum(3) * ys).sum(-1)
    return torch.cat([x, y], dim=-1)


def time_embedding(t: Tensor, dim: int) -> Tensor:
    """Sinusoidal embedding of flow times in [0, 1]."""
    frequencies = torch.exp(
        torch.arange(dim // 2, device=t.device) * (-math.log(1000.0) / (dim // 2 - 1))
    )
    angles = t[:, None] * 1000.0 * frequencies[None]
    return torch.cat([angles.sin(), angles.cos()], dim=-1)
