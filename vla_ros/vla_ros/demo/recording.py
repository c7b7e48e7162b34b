"""Demo artefacts: an MP4 of the camera view and a plot of commanded vs measured joints."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def write_video(frames: list[np.ndarray], path: Path, fps: float) -> Path:
    import imageio.v2 as imageio

    path.parent.mkdir(parents=True, exist_ok=True)
    with imageio.get_writer(
        path, fps=fps, codec="libx264", quality=7, macro_block_size=8
    ) as writer:
        for frame in frames:
            writer.append_data(frame)
    return path


def plot_tracking(
    joint_names: list[str],
    commanded: tuple[np.ndarray, np.ndarray],
    measured: tuple[np.ndarray, np.ndarray],
    path: Path,
    title: str,
) -> Path:
    """commanded/measured: (times (N,), positions (N, J)) in the order of joint_names."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    columns = 2
    rows = (len(joint_names) + columns - 1) // columns
    figure, axes = plt.subplots(
        rows, columns, figsize=(11, 2.0 * rows), sharex=True, squeeze=False
    )
    for j, name in enumerate(joint_names):
        axis = axes[j // columns][j % columns]
        axis.plot(measured[0], measured[1][:, j], label="measured", linewidth=1.6)
        axis.plot(commanded[0], commanded[1][:, j], "--", label="commanded (safe)", linewidth=1.0)
        axis.set_ylabel(name, fontsize=8)
        axis.grid(alpha=0.3)
    for axis in axes.ravel()[len(joint_names) :]:
        axis.set_visible(False)
    axes[0][0].legend(fontsize=8, loc="upper right")
    for axis in axes[-1]:
        axis.set_xlabel("time [s]")
    figure.suptitle(title)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=90)
    plt.close(figure)
    return path
