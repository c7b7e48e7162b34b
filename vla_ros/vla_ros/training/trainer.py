"""`vla-ros train`: a flow_film policy trained from LeRobot datasets, saved as a LeRobot checkpoint.

The checkpoint directory is what the `lerobot` backend loads (config.json, model.safetensors, the
processors with the dataset's normalization statistics, vla_ros_card.yaml). Training runs for a
time budget (the CPU route is sized in minutes), with a cosine learning-rate decay over it, progress
lines, a loss curve (loss.csv, loss.png) and snapshots at fixed intervals for the success-vs-time
curve (snapshots/<minutes>min/).
"""

from __future__ import annotations

import json
import math
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from vla_ros.core.model.card import load_model_card
from vla_ros.core.types import InvalidInput
from vla_ros.training.chunks import batch_of, chunk_rows
from vla_ros.training.frames import DemoFrames, load_frames
from vla_ros.training.weight_average import WeightAverage

PROGRESS_PERIOD_S = 30.0
FINAL_LR_FRACTION = 0.1
# flow_film fields that only shape training (augmentation, regularization): --init may change them,
# the weights stay valid for every value.
TRAINING_ONLY_FIELDS = ("random_shift", "state_dropout")


@dataclass(frozen=True)
class TrainOptions:
    """data: LeRobot dataset dirs; out: checkpoint dir to create; card: model card shipped with it
    (name in config/models or a path); minutes: training time budget; max_steps: stop earlier;
    snapshot_minutes: interval of snapshots (0: none); threads: torch CPU threads;
    ema_decay: decay per step of the weight average that is saved (0: the last step's weights,
    the shipped checkpoint's recipe; 0.9995 measured better within one run, README "Train");
    policy: FlowFilmConfig fields (conv_channels, hidden_dim, chunk_size, ...);
    init: a flow_film checkpoint to continue from (its config and normalization are kept; `policy`
    may then set only TRAINING_ONLY_FIELDS)."""

    data: tuple[Path, ...]
    out: Path
    card: str = "flow_film_panda"
    minutes: float = 60.0
    max_steps: int | None = None
    batch_size: int = 64
    lr: float = 3e-4
    snapshot_minutes: float = 10.0
    threads: int = 1
    seed: int = 0
    device: str = "cpu"
    ema_decay: float = 0.0
    policy: dict = field(default_factory=dict)
    init: Path | None = None

    def __post_init__(self) -> None:
        if not self.minutes > 0:
            raise InvalidInput(f"--minutes must be > 0, got {self.minutes}")
        if self.batch_size < 1 or self.threads < 1:
            raise InvalidInput(
                f"--batch-size and --threads must be >= 1, got {self.batch_size}, {self.threads}"
            )
        if not 0.0 <= self.ema_decay < 1.0:
            raise InvalidInput(f"--ema-decay must be within [0, 1), got {self.ema_decay}")


@dataclass
class TrainSummary:
    steps: int
    seconds: float
    final_loss: float
    frames: int
    episodes: int
    parameters: int


def train(options: TrainOptions, progress: Callable[[str], None] = print) -> TrainSummary:
    import torch

    import vla_ros.policies  # noqa: F401  (registers flow_film)
    from vla_ros.policies.flow_film.modeling_flow_film import FlowFilmPolicy
    from vla_ros.policies.flow_film.processor_flow_film import make_flow_film_pre_post_processors

    if options.out.exists():
        raise InvalidInput(f"{options.out} exists: give a new checkpoint directory")
    card = load_model_card(options.card)
    torch.set_num_threads(options.threads)
    torch.manual_seed(options.seed)
    rng = np.random.default_rng(options.seed)
    frames = load_frames(options.data, progress)
    if options.init is None:
        config = policy_config(frames, options)
        stats = statistics(frames)
        policy = FlowFilmPolicy(config)
        policy.set_frames(
            stats["observation.state"], stats["action"], offset_spread(frames, config)
        )
        preprocessor, postprocessor = make_flow_film_pre_post_processors(config, stats)
    else:
        policy, preprocessor, postprocessor = continued(options.init, frames, options)
        config = policy.config
    if config.chunk_size != card.chunk_size:
        raise InvalidInput(
            f"model card '{card.name}' has chunk_size {card.chunk_size}, the policy {config.chunk_size}"
        )
    policy = policy.to(options.device).train()
    parameters = sum(p.numel() for p in policy.parameters() if p.requires_grad)
    progress(
        f"[train] {len(frames)} frames from {frames.episodes} episodes ({len(frames.tasks)} "
        f"instructions), flow_film with {parameters / 1e6:.2f} M parameters, batch "
        f"{options.batch_size}, {options.minutes:g} min budget, {options.threads} thread(s)"
    )
    optimizer = torch.optim.AdamW(
        [p for p in policy.parameters() if p.requires_grad],
        lr=options.lr,
        weight_decay=config.optimizer_weight_decay,
    )
    average = WeightAverage(policy, options.ema_decay) if options.ema_decay > 0 else None
    kept = policy if average is None else average.model
    budget = options.minutes * 60.0
    log = LossLog(options.out)
    started = last_report = time.perf_counter()
    next_snapshot = options.snapshot_minutes * 60.0 if options.snapshot_minutes > 0 else math.inf
    step, smoothed = 0, math.nan
    while True:
        elapsed = time.perf_counter() - started
        if elapsed >= budget or (options.max_steps is not None and step >= options.max_steps):
            break
        for group in optimizer.param_groups:
            group["lr"] = options.lr * cosine(elapsed / budget)
        rows = rng.integers(0, len(frames), options.batch_size)
        batch = preprocessor(batch_of(frames, rows, config.chunk_size))
        loss, _ = policy.forward(batch)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(policy.parameters(), 10.0)
        optimizer.step()
        if average is not None:
            average.update(policy)
        step += 1
        value = float(loss.item())
        smoothed = value if math.isnan(smoothed) else 0.98 * smoothed + 0.02 * value
        log.add(step, elapsed, value)
        now = time.perf_counter()
        if now - last_report >= PROGRESS_PERIOD_S:
            last_report = now
            progress(
                f"[train] step {step}  loss {smoothed:.4f}  {step / elapsed:.2f} steps/s  "
                f"{elapsed / 60:.1f}/{options.minutes:g} min"
            )
        if elapsed >= next_snapshot:
            minutes = round(next_snapshot / 60.0)
            save(
                kept,
                preprocessor,
                postprocessor,
                card,
                options.out / "snapshots" / f"{minutes}min",
            )
            next_snapshot += options.snapshot_minutes * 60.0
    seconds = time.perf_counter() - started
    save(kept, preprocessor, postprocessor, card, options.out)
    log.write()
    progress(
        f"[train] {step} steps in {seconds / 60:.1f} min, loss {smoothed:.4f}; saved {options.out}"
    )
    return TrainSummary(step, seconds, smoothed, len(frames), frames.episodes, parameters)


def continued(checkpoint: Path, frames: DemoFrames, options: TrainOptions) -> tuple:
    """A checkpoint to train further: its weights, config and normalization (kept, so the weights
    stay valid), checked against the frames."""
    from lerobot.policies.factory import make_pre_post_processors

    from vla_ros.policies.flow_film.modeling_flow_film import FlowFilmPolicy

    shaping = sorted(set(options.policy) - set(TRAINING_ONLY_FIELDS))
    if shaping:
        raise InvalidInput(
            f"--init keeps {checkpoint}'s policy config; --policy may only set "
            f"{list(TRAINING_ONLY_FIELDS)} with it, got {shaping}"
        )
    config_file = Path(checkpoint) / "config.json"
    kind = json.loads(config_file.read_text()).get("type") if config_file.is_file() else None
    if kind != "flow_film":
        raise InvalidInput(
            f"--init {checkpoint}: not a flow_film checkpoint (config.json type {kind})"
        )
    policy = FlowFilmPolicy.from_pretrained(checkpoint)
    policy.config = replace(policy.config, **options.policy)
    wanted = policy_config(frames, replace(options, policy={}))
    for name in ("input_features", "output_features"):
        if getattr(policy.config, name) != getattr(wanted, name):
            raise InvalidInput(
                f"--init {checkpoint}: its {name} {getattr(policy.config, name)} differ from the "
                f"data's {getattr(wanted, name)}"
            )
    preprocessor, postprocessor = make_pre_post_processors(
        policy.config, pretrained_path=str(checkpoint)
    )
    return policy, preprocessor, postprocessor


def policy_config(frames: DemoFrames, options: TrainOptions):
    from lerobot.configs.types import FeatureType, PolicyFeature

    from vla_ros.policies import FlowFilmConfig

    inputs = {
        key: PolicyFeature(type=FeatureType.VISUAL, shape=images.shape[1:])
        for key, images in frames.images.items()
    }
    inputs["observation.state"] = PolicyFeature(FeatureType.STATE, (frames.state.shape[1],))
    outputs = {"action": PolicyFeature(FeatureType.ACTION, (frames.action.shape[1],))}
    try:
        return FlowFilmConfig(
            input_features=inputs,
            output_features=outputs,
            device=options.device,
            optimizer_lr=options.lr,
            **options.policy,
        )
    except TypeError as error:
        raise InvalidInput(f"flow_film policy options {options.policy}: {error}") from error


def statistics(frames: DemoFrames) -> dict:
    """Mean/std/min/max of state and action, as LeRobot's normalizer steps read them."""
    import torch

    def of(values: np.ndarray) -> dict:
        return {
            "mean": torch.from_numpy(values.mean(0)),
            "std": torch.from_numpy(values.std(0)),
            "min": torch.from_numpy(values.min(0)),
            "max": torch.from_numpy(values.max(0)),
        }

    return {"observation.state": of(frames.state), "action": of(frames.action)}


def offset_spread(frames: DemoFrames, config) -> np.ndarray:
    """Std of every chunk action's offset from the state it starts at (relative_actions' scale)."""
    import torch

    rows, _ = chunk_rows(frames, np.arange(len(frames)), config.chunk_size)
    offsets = frames.action[rows] - frames.state[:, None, :]
    return torch.from_numpy(offsets.reshape(-1, offsets.shape[-1]).std(0))


def cosine(fraction: float) -> float:
    """Learning-rate factor: 1 at the start down to FINAL_LR_FRACTION at the end of the budget."""
    fraction = min(max(fraction, 0.0), 1.0)
    return FINAL_LR_FRACTION + (1 - FINAL_LR_FRACTION) * 0.5 * (1 + math.cos(math.pi * fraction))


def save(policy, preprocessor, postprocessor, card, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    training = policy.training
    policy.eval()
    policy.save_pretrained(directory)
    preprocessor.save_pretrained(directory)
    postprocessor.save_pretrained(directory)
    shutil.copyfile(card.source, directory / "vla_ros_card.yaml")
    policy.train(training)


class LossLog:
    """Per-step loss -> loss.csv and loss.png (mean per 1 % of the steps, so the plot reads)."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.rows: list[tuple[int, float, float]] = []

    def add(self, step: int, seconds: float, loss: float) -> None:
        self.rows.append((step, seconds, loss))

    def write(self) -> None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        rows = np.asarray(self.rows)
        np.savetxt(
            self.out / "loss.csv", rows, delimiter=",", header="step,seconds,loss", comments=""
        )
        window = max(1, len(rows) // 100)
        usable = len(rows) - len(rows) % window
        means = rows[:usable].reshape(-1, window, 3).mean(1)
        figure, axis = plt.subplots(figsize=(6, 3.5))
        axis.plot(means[:, 1] / 60.0, means[:, 2])
        axis.set(xlabel="training time [min]", ylabel="flow-matching loss", yscale="log")
        axis.grid(alpha=0.3)
        figure.tight_layout()
        figure.savefig(self.out / "loss.png", dpi=100)
        plt.close(figure)
