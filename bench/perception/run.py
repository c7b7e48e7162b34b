"""Perception benchmark: what decoding one real-camera frame costs camera_ingest, per encoding.

A 1280x720 frame (a ZED / RealSense colour stream) as raw bgra8, raw YUYV (yuv422_yuy2) and JPEG
(image_transport's compressed plugin), decoded to RGB the way camera_ingest does (core.perception),
with and without the early downscale to `--size`, and for JPEG a full decode then shrink against
libjpeg's reduced decode. Baseline, measured in the same run: the least any decoder can do, a
np.frombuffer copy of the bgra8 buffer plus one cv2.resize (INTER_AREA) to the same size (what the
early downscale would cost done naively: core.perception.image.shrink halves first).
Per case: median and p90 ms per frame over interleaved rounds, the ratio to the baseline's median,
and the share of one core 3 cameras x 30 Hz would take. OpenCV runs single-threaded (one core per
frame, as in a busy graph) unless --threads says otherwise. Prints the machine's load average.

Run: source scripts/env.sh && python bench/perception/run.py [--frames 100] [--rounds 5]
     [--size 224 224] [--threads 1]
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

import cv2
import numpy as np

from vla_ros.core.perception.compressed_image import rgb_image_from_compressed
from vla_ros.core.perception.image import FrameGeometry, rgb_image_from_buffer

HEIGHT, WIDTH = 720, 1280
CAMERA_FRAMES_PER_S = 3 * 30


def camera_frame() -> np.ndarray:
    """RGB with what a camera sees: smooth shading, edges and sensor noise (JPEG size realistic)."""
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH]
    rgb = np.dstack([x * 255 // WIDTH, y * 255 // HEIGHT, (x // 40 + y // 40) % 2 * 180])
    noise = np.random.default_rng(0).normal(0.0, 4.0, rgb.shape)
    return np.clip(rgb + noise, 0, 255).astype(np.uint8)


def cases(size: tuple[int, int]) -> dict[str, Callable[[], np.ndarray]]:
    rgb = camera_frame()
    bgra = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGRA).tobytes()
    yuyv = cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_YUY2).tobytes()
    jpeg = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))[1].tobytes()
    shrink = FrameGeometry(size=size)
    jpeg_format = "rgb8; jpeg compressed bgr8"
    print(f"frame {WIDTH}x{HEIGHT}: bgra8 {len(bgra) / 1e6:.1f} MB, JPEG {len(jpeg) / 1e3:.0f} kB")
    return {
        "baseline: frombuffer copy + resize": lambda: cv2.resize(
            np.frombuffer(bgra, np.uint8).reshape(HEIGHT, WIDTH, 4).copy(),
            size[::-1],
            interpolation=cv2.INTER_AREA,
        ),
        "bgra8 raw, full size (no image_size)": lambda: rgb_image_from_buffer(
            bgra, "bgra8", HEIGHT, WIDTH, WIDTH * 4
        ),
        "bgra8 raw, image_size": lambda: rgb_image_from_buffer(
            bgra, "bgra8", HEIGHT, WIDTH, WIDTH * 4, geometry=shrink
        ),
        "yuyv raw, full size": lambda: rgb_image_from_buffer(
            yuyv, "yuv422_yuy2", HEIGHT, WIDTH, WIDTH * 2
        ),
        "yuyv raw, image_size": lambda: rgb_image_from_buffer(
            yuyv, "yuv422_yuy2", HEIGHT, WIDTH, WIDTH * 2, geometry=shrink
        ),
        "jpeg, full decode then shrink": lambda: shrink(
            rgb_image_from_compressed(jpeg, jpeg_format)
        ),
        f"jpeg, reduced decode (1/{shrink.decode_reduction(HEIGHT, WIDTH)}) + shrink": lambda: (
            rgb_image_from_compressed(jpeg, jpeg_format, shrink)
        ),
    }


def measure(run: dict[str, Callable[[], np.ndarray]], frames: int, rounds: int) -> dict:
    """Per case, seconds per frame of every call; cases interleave round by round so load drifts
    hit them all alike."""
    times: dict[str, list[float]] = {name: [] for name in run}
    for decode in run.values():
        decode()  # warm up caches and OpenCV's dispatch
    for _ in range(rounds):
        for name, decode in run.items():
            for _ in range(frames):
                start = time.perf_counter()
                decode()
                times[name].append(time.perf_counter() - start)
    return {name: np.array(t) for name, t in times.items()}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--frames", type=int, default=100, help="frames per case per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--size", type=int, nargs=2, default=(224, 224), metavar=("HEIGHT", "WIDTH")
    )
    parser.add_argument("--threads", type=int, default=1, help="cv2.setNumThreads")
    args = parser.parse_args()
    cv2.setNumThreads(args.threads)
    size = tuple(args.size)
    print(
        f"load average before: {os.getloadavg()}; image_size {list(size)}, {args.threads} thread(s)"
    )
    run = cases(size)
    results = measure(run, args.frames, args.rounds)
    baseline = float(np.median(next(iter(results.values()))))
    print(
        f"\n| case | median ms | p90 ms | vs baseline | core share at {CAMERA_FRAMES_PER_S} frames/s |"
    )
    print("|---|---|---|---|---|")
    for name, seconds in results.items():
        median = float(np.median(seconds))
        print(
            f"| {name} | {median * 1e3:.2f} | {np.percentile(seconds, 90) * 1e3:.2f} | "
            f"{median / baseline:.2f}x | {median * CAMERA_FRAMES_PER_S * 100:.0f} % |"
        )
    print(f"\nload average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
