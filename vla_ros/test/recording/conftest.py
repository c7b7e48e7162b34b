"""`recorded_episodes`: two demo episodes of the real graph (panda, scripted backend, MuJoCo),
recorded by `vla-ros demo --record` into a bag each. Session-scoped: record once, export and replay
them in as many tests as need them."""

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

EPISODES = 2
# Sim seconds an episode may take: the scripted expert needs ~9; a failed one ends here.
EPISODE_TIMEOUT_S = 20


@dataclass(frozen=True)
class RecordedEpisodes:
    """bags: the episodes' bag directories in episode order; summary_json: the demo's summary
    (per episode: seed, instruction, success, duration_s) to check the bags' metadata against."""

    bags: list[Path]
    summary_json: Path

    def summary(self) -> dict:
        return json.loads(self.summary_json.read_text())


@pytest.fixture(scope="session")
def recorded_episodes(tmp_path_factory) -> RecordedEpisodes:
    pytest.importorskip("rclpy")
    pytest.importorskip("vla_ros_msgs.msg")
    root = tmp_path_factory.mktemp("recorded_demo")
    bags, demo = root / "bags", root / "demo"
    command = [sys.executable, "-m", "vla_ros.cli", "demo", "--robot", "panda"]
    command += ["--backend", "scripted", "--episodes", str(EPISODES)]
    command += ["--timeout", str(EPISODE_TIMEOUT_S), "--record-episodes", "0"]
    command += ["--record", str(bags), "--out", str(demo)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900)
    log = f"{' '.join(command)}\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
    assert result.returncode == 0, log
    recorded = sorted(p for p in bags.iterdir() if (p / "metadata.yaml").is_file())
    assert len(recorded) == EPISODES, log
    return RecordedEpisodes(recorded, demo / "summary.json")
