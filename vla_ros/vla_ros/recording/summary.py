"""The table a recording ends with: per topic, what arrived and where it went."""

from __future__ import annotations

from collections import Counter

from vla_ros.recording.session import RecordingSession


def summary_table(
    received: Counter[str], session: RecordingSession, peak_backlog: int, skipped: dict[str, str]
) -> str:
    """received = written + outside episodes for every topic, or the recorder lost messages
    (the `lost` column); DDS losses before the recorder are not visible here (bench/record)."""
    written = session.written
    topics = sorted(set(received) | set(written))
    width = max([len(t) for t in topics] + [5])
    lines = [
        f"[record] {len(session.closed)} bag(s) in {session.options.out}, "
        f"{sum(b.size_bytes for b in session.closed) / 1e6:.1f} MB; writer backlog peak "
        f"{peak_backlog} messages",
        f"  {'topic':<{width}}  {'received':>9}  {'written':>9}  {'outside':>8}  {'lost':>5}",
    ]
    for topic in topics:
        lost = received[topic] - written[topic] - session.outside[topic]
        lines.append(
            f"  {topic:<{width}}  {received[topic]:>9}  {written[topic]:>9}  "
            f"{session.outside[topic]:>8}  {lost:>5}"
        )
    lines += [f"  not recorded: {topic}: {why}" for topic, why in sorted(skipped.items())]
    if session.options.split == "episode" and not session.closed and sum(received.values()):
        lines.append(
            "  no episode began (no /vla/episode or /vla/reset): nothing was written; "
            "--split none records everything"
        )
    return "\n".join(lines)
