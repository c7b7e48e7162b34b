"""Inference-path benchmark: what the backend adds around the model, and full-size SmolVLA latency.

1. overhead: a tiny LeRobot ACT reading 3 cameras at 224x224 (Panda, 8 command dims), loaded from
   disk by the `lerobot` backend. Compares the full `infer(observation)` (image checks, state
   encoding, LeRobot's processors, un-normalization, card conversion, chunk validation) with the
   direct model call on an already prepared batch (`predict_action_chunk`), and splits out the
   vla_ros part (ModelIO.inputs + ModelIO.chunk). Targets: < 5 % over the direct call, < 2 ms of
   pre/post-processing per chunk.
2. --smolvla: a full-size SmolVLA (SmolVLM2-500M-shaped VLM, 16 VLM layers, action expert,
   10 flow steps, chunk 50) with random weights, built locally (no hub), timed per chunk on
   `--device` (auto: cuda when present).
3. the shipped learned policy (vla_ros/checkpoints/flow_film_panda, `make demo POLICY=learned`):
   per chunk through the backend from noise and with a real-time-chunking prefix, against the
   direct model call in the same run. Target (issue #13): <= 20 ms per chunk on CPU.
Run: source scripts/env.sh && python bench/inference/run.py [--repeats 30] [--smolvla] [--device auto]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(
    0, str(ROOT / "vla_ros" / "test" / "backends")
)  # tiny checkpoint builders shared with the tests

from vla_ros.backends.torch_runtime import ensure_torchvision_importable, resolve_device  # noqa: E402

ensure_torchvision_importable()

import backend_models  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

from vla_ros.backends.lerobot_policy import LeRobotPolicy  # noqa: E402
from vla_ros.core.model.card import parse_model_card  # noqa: E402
from vla_ros.core.model.io import ModelIO  # noqa: E402
from vla_ros.core.robot.config import load_robot_config  # noqa: E402
from vla_ros.core.types import JointState, Observation  # noqa: E402


def median_ms(fn, repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1e3)
    return statistics.median(samples)


def observation(robot, seed: int = 0) -> Observation:
    rng = np.random.default_rng(seed)
    images = {
        c.name: rng.integers(0, 256, (c.height, c.width, 3), dtype=np.uint8) for c in robot.cameras
    }
    return Observation(
        1.0, images, JointState(robot.command_joints, robot.home.copy()), "pick up the red cube"
    )


def prepared_batch(policy: LeRobotPolicy, obs: Observation) -> dict:
    inputs = policy.io.inputs(obs)
    batch = {
        k: torch.from_numpy(v).permute(2, 0, 1)[None].float() / 255
        for k, v in inputs.images.items()
    }
    batch.update({k: torch.from_numpy(v)[None] for k, v in inputs.state.items()})
    batch["task"] = obs.instruction
    return policy.preprocessor(batch)


def split_ms(policy: LeRobotPolicy, obs: Observation, repeats: int) -> tuple[float, float, float]:
    """Median ms of infer's three steps: inputs + LeRobot preprocessing, the model, postprocessing + chunk.

    The backend no longer times itself (the inference worker times the whole call), so the split is
    measured here, step by step, with the backend's own calls.
    """
    batch = prepared_batch(policy, obs)

    def model():
        with torch.inference_mode():
            actions = policy.predict_chunk(batch)
            if policy.device.type == "cuda":
                torch.cuda.synchronize(policy.device)
        return actions

    actions = model()

    def post() -> None:
        policy.io.chunk(policy.postprocessor(actions).squeeze(0).float().cpu().numpy(), obs)

    pre_ms = median_ms(lambda: prepared_batch(policy, obs), repeats)
    return pre_ms, median_ms(model, repeats), median_ms(post, repeats)


def overhead(repeats: int, device: str) -> None:
    robot = load_robot_config("panda")
    with tempfile.TemporaryDirectory() as tmp:
        checkpoint = backend_models.build_act(Path(tmp) / "act", backend_models.PANDA_3_CAMERAS)
        policy = LeRobotPolicy.from_options(
            robot, {"checkpoint": str(checkpoint), "device": device}
        )
    obs = observation(robot)
    batch = prepared_batch(policy, obs)
    for _ in range(3):
        policy.infer(obs)
    # Interleaved, so load from other processes on a shared machine hits both sides alike.
    direct_ms, full_ms = [], []
    for _ in range(repeats):
        with torch.inference_mode():
            direct_ms.append(median_ms(lambda: policy.policy.predict_action_chunk(batch), 1))
        full_ms.append(median_ms(lambda: policy.infer(obs), 1))
    direct, full = statistics.median(direct_ms), statistics.median(full_ms)
    pre, _, post = split_ms(policy, obs, repeats)
    raw = np.zeros((10, 8))

    def model_io_round_trip() -> None:
        policy.io.inputs(obs)
        policy.io.chunk(raw, obs)

    ours = median_ms(model_io_round_trip, repeats * 10)
    print(
        f"tiny ACT, 3 cameras 224x224, {policy.device}: direct model call {direct:.2f} ms, full infer {full:.2f} ms"
    )
    print(f"  overhead over direct call: {(full - direct) / direct * 100:.1f} %  (target < 5 %)")
    print(
        f"  pre/post-processing per chunk: {pre + post:.2f} ms (pre {pre:.2f}, post {post:.2f}; target < 2 ms)"
    )
    print(
        f"  of which vla_ros ModelIO (image checks, state, card conversion, validation): {ours:.3f} ms"
    )


def smolvla(repeats: int, device: str) -> None:
    from lerobot.policies.factory import make_pre_post_processors
    from lerobot.policies.smolvla.configuration_smolvla import SmolVLAConfig
    from lerobot.policies.smolvla.modeling_smolvla import SmolVLAPolicy

    robot = load_robot_config("widowx")
    body = backend_models.Embodiment("widowx", (("over_shoulder", 224, 224),), 7)
    with tempfile.TemporaryDirectory() as tmp:
        vlm = backend_models.build_tiny_smolvlm(Path(tmp) / "vlm", full_size=True)
        inputs, outputs = backend_models._features(body)
        config = SmolVLAConfig(
            input_features=inputs,
            output_features=outputs,
            vlm_model_name=str(vlm),
            load_vlm_weights=False,
            device=resolve_device(device, "bench").type,
        )
        torch.manual_seed(0)
        model = SmolVLAPolicy(config)
        pre, post = make_pre_post_processors(
            config, dataset_stats=backend_models.dataset_stats(body)
        )
    params = sum(p.numel() for p in model.parameters()) / 1e6
    target = resolve_device(device, "bench")
    card = parse_model_card(backend_models.lerobot_card("smolvla_full", 50, 50, body=body))
    policy = LeRobotPolicy(model.to(target).eval(), pre, post, ModelIO(card, robot), target)
    obs = observation(robot)
    for _ in range(2):
        policy.infer(obs)
    total = median_ms(lambda: policy.infer(obs), repeats)
    _, inference, _ = split_ms(policy, obs, repeats)
    name = (
        torch.cuda.get_device_name(target)
        if target.type == "cuda"
        else f"CPU ({torch.get_num_threads()} threads)"
    )
    print(
        f"full-size SmolVLA ({params:.0f} M params, random weights, fp32, chunk 50, 10 flow steps) on {name}:"
    )
    print(
        f"  {total:.1f} ms per chunk (model {inference:.1f} ms), {1e3 / total:.2f} chunks/s = "
        f"{50e3 / total:.0f} actions/s"
    )


def learned(checkpoint: Path, repeats: int, device: str) -> None:
    from vla_ros.core.types import ActionChunk, ActionSpace

    robot = load_robot_config("panda")
    policy = LeRobotPolicy.from_options(robot, {"checkpoint": str(checkpoint), "device": device})
    obs = observation(robot)
    executing = ActionChunk(
        obs.stamp - 0.2,
        0.1,
        np.tile(robot.home, (6, 1)),
        robot.command_joints,
        ActionSpace.JOINT_POSITION,
    )
    with_prefix = Observation(
        obs.stamp, obs.images, obs.joint_state, obs.instruction, extras={"rtc_prefix": executing}
    )
    batch = prepared_batch(policy, obs)
    for _ in range(3):
        policy.infer(with_prefix)
    direct_ms, full_ms, rtc_ms = [], [], []
    for _ in range(repeats):  # interleaved: load hits all three alike
        with torch.inference_mode():
            direct_ms.append(median_ms(lambda: policy.policy.predict_action_chunk(batch), 1))
        full_ms.append(median_ms(lambda: policy.infer(obs), 1))
        rtc_ms.append(median_ms(lambda: policy.infer(with_prefix), 1))
    direct, full, rtc = (statistics.median(s) for s in (direct_ms, full_ms, rtc_ms))
    print(
        f"learned flow_film ({checkpoint.name}, {policy.device}, {torch.get_num_threads()} threads): "
        f"direct model call {direct:.2f} ms, full infer {full:.2f} ms ({full / direct:.2f}x), "
        f"with RTC prefix {rtc:.2f} ms ({rtc / direct:.2f}x); target <= 20 ms per chunk"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--device", default="auto")
    parser.add_argument(
        "--smolvla", action="store_true", help="also time a full-size SmolVLA with random weights"
    )
    parser.add_argument(
        "--learned",
        type=Path,
        default=ROOT / "vla_ros" / "checkpoints" / "flow_film_panda",
        help="flow_film checkpoint to time (default: the shipped one; skipped when absent)",
    )
    args = parser.parse_args()
    overhead(args.repeats, args.device)
    if args.learned.is_dir():
        learned(args.learned, args.repeats, args.device)
    else:
        print(f"learned policy: no checkpoint at {args.learned}, not timed")
    if args.smolvla:
        smolvla(max(3, args.repeats // 5), args.device)


if __name__ == "__main__":
    main()
