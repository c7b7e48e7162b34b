"""`vla-ros record`: the robot graph's topics to rosbag2 MCAP (zstd), one bag per episode.

vla-ros record --robot panda --out DIR [--split episode|none] [--topics /extra ...] [--duration S]
Runs until SIGINT/SIGTERM (or --duration), then closes the open bag (metadata written), exit 0.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from vla_ros.core.recording.bag_names import SPLIT_MODES
from vla_ros.core.types import InvalidInput
from vla_ros.nodes.shutdown import POLL_S, StopRequest, init_ros

if TYPE_CHECKING:
    from vla_ros.core.recording.topics import RecordedTopic
    from vla_ros.recording.session import RecordingOptions


def register(commands: argparse._SubParsersAction) -> None:
    sub = commands.add_parser(
        "record",
        help="record the graph's topics to rosbag2 MCAP bags, one per episode",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub.add_argument("--robot", default="panda", help="robot name or YAML path (its topics)")
    sub.add_argument("--out", type=Path, required=True, help="folder of the bags")
    sub.add_argument(
        "--split",
        choices=SPLIT_MODES,
        default="episode",
        help="a bag per episode (/vla/episode, /vla/reset), or one bag of everything",
    )
    sub.add_argument("--topics", nargs="+", default=[], help="extra topics to record")
    sub.add_argument(
        "--duration", type=float, default=0.0, help="stop after S wall seconds (0: at Ctrl-C)"
    )
    sub.add_argument(
        "--backend",
        default="",
        help="policy backend for the bags' metadata (default: asked of the graph's policy node)",
    )
    sub.add_argument(
        "--use-sim-time",
        action="store_true",
        help="stamp messages with /clock (as `ros2 bag record --use-sim-time`)",
    )
    sub.set_defaults(handler=record)


def record(args: argparse.Namespace) -> int:
    stop = StopRequest.install_once()
    try:
        from vla_ros.core.recording.topics import robot_topics, with_extra_topics
        from vla_ros.core.robot.config import load_robot_config
        from vla_ros.recording.session import RecordingOptions

        robot = load_robot_config(args.robot)
        topics = with_extra_topics(robot_topics(robot), args.topics)
        options = RecordingOptions(args.out, robot.name, args.split, args.backend)
        if args.duration < 0:
            raise InvalidInput(f"--duration {args.duration}: must be >= 0")
        if args.out.exists() and not args.out.is_dir():
            raise InvalidInput(f"--out {args.out}: exists and is not a directory")
    except InvalidInput as error:
        print(f"vla-ros record: error: {error}", file=sys.stderr)
        return 2
    try:
        return _record(options, topics, args, stop)
    finally:
        stop.ignore_from_now_on()


def _record(
    options: RecordingOptions,
    topics: tuple[RecordedTopic, ...],
    args: argparse.Namespace,
    stop: StopRequest,
) -> int:
    """rclpy is imported only here: a bad argument is refused without loading ROS."""
    import rclpy
    from rclpy.experimental import EventsExecutor

    from vla_ros.recording.bag_types import bag_typestore
    from vla_ros.recording.recorder import RecorderNode
    from vla_ros.recording.session import RecordingSession
    from vla_ros.recording.summary import summary_table
    from vla_ros.recording.writer_thread import WriterThread

    store = bag_typestore()
    session = RecordingSession(options, store, report=lambda line: print(line, flush=True))
    writer = WriterThread(session)
    writer.start()
    init_ros(stop)
    node = RecorderNode(
        topics, writer, args.use_sim_time, set(store.fielddefs), backend_known=bool(args.backend)
    )
    # rclpy's C++ events executor: ~50 us of CPU per message where SingleThreadedExecutor takes
    # ~440 us (measured here, 1 kHz JointState, raw), which at 1 kHz is half a core.
    executor = EventsExecutor()
    executor.add_node(node)
    print(
        f"[record] {len(topics)} topics of {options.robot} -> {options.out} "
        f"(split: {options.split}); Ctrl-C stops",
        flush=True,
    )
    deadline = time.monotonic() + args.duration if args.duration else None
    stop.spinning = True
    try:
        while not stop.requested and rclpy.ok() and writer.is_alive():
            if deadline is not None and time.monotonic() >= deadline:
                break
            executor.spin_once(timeout_sec=POLL_S)
    finally:
        executor.shutdown(timeout_sec=POLL_S)
        node.destroy_node()  # nothing arrives after this: the counts below are final
        rclpy.try_shutdown()
        writer.stop()
    print(summary_table(node.received, session, writer.peak_backlog, node.skipped), flush=True)
    if writer.error:
        print(f"vla-ros record: error: writing failed:\n{writer.error}", file=sys.stderr)
        return 1
    return 0
