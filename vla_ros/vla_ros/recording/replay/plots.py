"""The replay report's PNG plots of one episode (matplotlib, headless)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vla_ros.core.recording.replay_metrics import EpisodeEvaluation


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_episode(evaluation: EpisodeEvaluation, prefix: Path, title: str) -> list[Path]:
    """The PNGs of one episode, named `<prefix>_<plot>.png`; a plot without data is left out."""
    written = []
    for name, draw in (
        ("open_loop_by_step", _open_loop_by_step),
        ("first_action", _first_action),
        ("latency", _latency),
    ):
        path = prefix.with_name(f"{prefix.name}_{name}.png")
        if draw(evaluation, path, title):
            written.append(path)
    return written


def _save(figure, path: Path) -> bool:
    figure.tight_layout()
    figure.savefig(path, dpi=80)
    _pyplot().close(figure)
    return True


def _open_loop_by_step(evaluation: EpisodeEvaluation, path: Path, title: str) -> bool:
    cells = evaluation.open_loop.cells
    if not cells:
        return False
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(8, 4))
    for name, steps in cells.items():
        mae = [np.nan if s.mae is None else s.mae for s in steps]
        axis.plot(range(len(mae)), mae, marker=".", linewidth=1.0, label=name)
    axis.set_xlabel("horizon step")
    axis.set_ylabel("open-loop MAE [rad or m]")
    axis.set_title(f"{title}: open-loop error by horizon step")
    axis.grid(alpha=0.3)
    axis.legend(fontsize=7, ncol=2)
    return _save(figure, path)


def _first_action(evaluation: EpisodeEvaluation, path: Path, title: str) -> bool:
    first = evaluation.open_loop.first_actions
    if not first:
        return False
    plt = _pyplot()
    columns = 2
    rows = (len(first) + columns - 1) // columns
    figure, axes = plt.subplots(rows, columns, figsize=(10, 1.9 * rows), squeeze=False)
    for index, (name, actions) in enumerate(first.items()):
        axis = axes[index // columns][index % columns]
        times = [a.time_s for a in actions]
        axis.plot(times, [a.recorded for a in actions], label="recorded", linewidth=1.4)
        axis.plot(times, [a.predicted for a in actions], ".", label="predicted", markersize=3)
        axis.set_ylabel(name, fontsize=8)
        axis.grid(alpha=0.3)
    for axis in axes.ravel()[len(first) :]:
        axis.set_visible(False)
    axes[0][0].legend(fontsize=7)
    figure.suptitle(f"{title}: first action of each chunk vs recorded command")
    return _save(figure, path)


def _latency(evaluation: EpisodeEvaluation, path: Path, title: str) -> bool:
    if not evaluation.latencies_ms:
        return False
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(6, 3.5))
    axis.hist(evaluation.latencies_ms, bins=min(30, max(5, len(evaluation.latencies_ms) // 3)))
    axis.set_xlabel("chunk latency (pre + inference + post) [ms]")
    axis.set_ylabel("chunks")
    axis.set_title(f"{title}: inference latency")
    return _save(figure, path)
