"""`vla-ros export`: recorded bags -> one LeRobotDataset v3.0, episode by episode.

Every bag is opened and checked (topics, types, robot, episodes) before anything is written, then
the episodes are converted one at a time into an AtomicDataset: a bad bag fails the export before
it starts, a failure during it leaves nothing behind.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from vla_ros.bringup.graph import BringupArgs, resolve_graph
from vla_ros.core.config_fields import build_config
from vla_ros.core.model.card import load_model_card
from vla_ros.core.perception.image import FrameGeometry
from vla_ros.core.recording.dataset_layout import DatasetLayout, robot_card
from vla_ros.core.recording.episodes import EpisodeSpan
from vla_ros.core.recording.resampling import require_frame_rate
from vla_ros.core.robot.config import RobotConfig, load_robot_config
from vla_ros.core.types import InvalidInput
from vla_ros.nodes.node_parameters import CameraIngestParameters
from vla_ros.recording.bag_reader import RecordedBag, find_bags
from vla_ros.recording.export_dataset import AtomicDataset, stores_videos
from vla_ros.recording.export_source import EpisodeFrames, EpisodeReading

# The sim renders cameras at 10 Hz (sim.camera_rate_hz) and the scripted cards act at 10 Hz; a
# faster clock would only repeat images. With --card the card's control rate is the default.
DEFAULT_FPS = 10


@dataclass(frozen=True)
class ExportOptions:
    """What to export and how (the flags of `vla-ros export`).

    bags: bag directories or directories of bags
    robot: robot config the bags were recorded on
    out: dataset directory to create (must not exist)
    repo_id: the dataset's LeRobot repo id (default local/<out name>)
    fps: frame clock [Hz] (default: the card's control rate, else DEFAULT_FPS)
    cameras: robot cameras to export without a card (default: camera_ingest's, all the robot's)
    card: model card naming features, image sizes, state and action (default: robot joints)
    only_success: skip episodes whose metadata does not say success
    overrides: camera_ingest.<param> values, as `vla-ros run --set` takes them
    image_format: `video` (LeRobot's AV1 videos) or `png` (lossless images in the parquet files)
    """

    bags: tuple[Path, ...]
    robot: str
    out: Path
    repo_id: str | None = None
    fps: float | None = None
    cameras: tuple[str, ...] | None = None
    card: str | None = None
    only_success: bool = False
    overrides: dict = field(default_factory=dict)
    image_format: str = "video"

    def __post_init__(self) -> None:
        stores_videos(self.image_format)


@dataclass(frozen=True)
class PlannedEpisode:
    bag: Path
    index: int  # within its bag
    span: EpisodeSpan


@dataclass
class ExportSummary:
    episodes: int = 0
    skipped: int = 0
    frames: int = 0
    data_s: float = 0.0
    wall_s: float = 0.0


def camera_ingest_parameters(robot: str, overrides: dict) -> CameraIngestParameters:
    """camera_ingest's parameters as the graph description (config/graph.yaml) gives them."""
    unknown = [k for k in overrides if not k.startswith("camera_ingest.")]
    if unknown:
        raise InvalidInput(f"--set {unknown}: export takes camera_ingest.<parameter> only")
    specs = resolve_graph(BringupArgs(robot=robot, overrides=overrides))
    ingest = next(spec for spec in specs if spec.name == "camera_ingest")
    return build_config(CameraIngestParameters, ingest.parameters)


def episode_reading(options: ExportOptions) -> EpisodeReading:
    return dataset_reading(
        options.robot, options.card, options.cameras, options.fps, options.overrides
    )


def dataset_reading(
    robot_name: str,
    card_name: str | None,
    cameras: tuple[str, ...] | None,
    fps: float | None,
    overrides: dict,
) -> EpisodeReading:
    """The dataset's layout, frame clock and camera_ingest's settings: one rule for every writer
    of datasets (bag export, sim demonstrations), so they all hold what a policy sees live."""
    robot = load_robot_config(robot_name)
    parameters = camera_ingest_parameters(robot_name, overrides)
    geometry = parameters.geometry
    if card_name:
        if cameras:
            raise InvalidInput("--cameras and --card both choose cameras: the card names its own")
        card = load_model_card(card_name)
        fps = require_frame_rate(fps or card.control_rate, f"model card '{card.name}'")
    else:
        card = robot_card(robot, *_cameras(robot, cameras or parameters.sync.cameras, geometry))
        fps = require_frame_rate(fps or DEFAULT_FPS, "--fps")
    return EpisodeReading(robot, DatasetLayout(card, robot), parameters.sync, geometry, fps)


def _cameras(
    robot: RobotConfig, chosen: tuple[str, ...] | None, geometry: FrameGeometry
) -> tuple[tuple[str, ...], dict[str, tuple[int, int]]]:
    """Camera names and their image sizes as ingestion delivers them (cropped, downscaled)."""
    by_name = {c.name: c for c in robot.cameras}
    names = tuple(chosen or by_name)
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise InvalidInput(f"cameras {unknown}: robot '{robot.name}' has {list(by_name)}")
    sizes = {n: geometry.output_size(by_name[n].height, by_name[n].width) for n in names}
    return names, sizes


def plan_episodes(bags: list[Path], reading: EpisodeReading) -> list[PlannedEpisode]:
    """Every episode of every bag, each bag checked for its robot and the topics export reads."""
    planned = []
    for path in bags:
        with RecordedBag(path) as bag:
            spans = bag.episodes(reading.robot.name)  # first: another robot's bag says so
            bag.require(reading.expected_topics(bag.topics))
        planned.extend(PlannedEpisode(path, i, span) for i, span in enumerate(spans))
    return planned


def export(options: ExportOptions, progress: Callable[[str], None] = print) -> ExportSummary:
    reading = episode_reading(options)
    planned = plan_episodes(find_bags(options.bags), reading)
    chosen = [p for p in planned if p.span.metadata.success or not options.only_success]
    summary = ExportSummary(skipped=len(planned) - len(chosen))
    if not chosen:
        raise InvalidInput(
            f"no episode to export: {len(planned)} episodes, none successful (--only-success)"
        )
    with AtomicDataset.for_reading(
        options.out, options.repo_id, reading, options.image_format
    ) as dataset:
        for number, episode in enumerate(chosen, 1):
            started = time.perf_counter()
            with RecordedBag(episode.bag) as bag:
                frames = EpisodeFrames(bag, episode.span, reading)
                count = dataset.add_episode(frames)
            wall = time.perf_counter() - started
            where = f"{episode.bag.name} episode {episode.index}"
            if count == 0:
                raise InvalidInput(
                    f"bag {episode.bag} episode {episode.index}: no frame on the clock "
                    f"(synchronization: {vars(frames.counters)})"
                )
            seconds = count / reading.fps
            summary.episodes += 1
            summary.frames += count
            summary.data_s += seconds
            summary.wall_s += wall
            progress(
                f"[export {number}/{len(chosen)}] {where}: {count} frames, {seconds:.1f} s of data "
                f"in {wall:.1f} s ({seconds / wall:.1f}x real time), "
                f"success={episode.span.metadata.success}, dropped stale frames "
                f"{frames.counters.dropped_stale}"
            )
    return summary
