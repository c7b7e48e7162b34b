"""Fixtures for backend tests: tiny checkpoints (built once per session) and
policy servers on loopback (processes, so a test can kill one the way a remote box dies)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def checkpoints(tmp_path_factory):
    """name -> checkpoint dir, each built on first use (LeRobot ACT/Diffusion/SmolVLA, the suite's
    flow_film, OpenVLA-style)."""
    from vla_ros.backends.torch_runtime import ensure_torchvision_importable

    ensure_torchvision_importable()
    import backend_models

    root = tmp_path_factory.mktemp("checkpoints")
    builders = {
        "act": lambda: backend_models.build_act(root / "act"),
        "diffusion": lambda: backend_models.build_diffusion(root / "diffusion"),
        "flow_film": lambda: backend_models.build_flow_film(root / "flow_film"),
        "smolvlm": lambda: backend_models.build_tiny_smolvlm(root / "smolvlm"),
        "smolvla": lambda: backend_models.build_smolvla(root / "smolvla", built("smolvlm")),
        "openvla": lambda: backend_models.build_openvla_style(root / "openvla"),
    }
    cache: dict[str, Path] = {}

    def built(name: str) -> Path:
        if name not in cache:
            cache[name] = builders[name]()
        return cache[name]

    return built


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """A policy server process on loopback; `kill()` simulates the remote machine dying."""

    def __init__(self, args: list[str], port: int, cwd: Path) -> None:
        self.args, self.port, self.cwd = args, port, cwd
        self.process: subprocess.Popen | None = None

    def start(self, wait_s: float = 60.0) -> ServerProcess:
        self.process = subprocess.Popen(
            [sys.executable, *self.args],
            cwd=self.cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server {self.args} exited with {self.process.returncode}")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.1)
        raise RuntimeError(f"server {self.args} did not listen on {self.port} within {wait_s} s")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def openpi_server(
    tmp_path: Path, horizon: int = 10, dim: int = 8, port: int | None = None
) -> ServerProcess:
    port = port or free_port()
    return ServerProcess(
        [str(HERE / "openpi_server.py"), str(horizon), str(dim), str(port)], port, tmp_path
    )


def lerobot_policy_server(tmp_path: Path) -> ServerProcess:
    port = free_port()
    args = [
        str(HERE / "lerobot_policy_server.py"),
        "--host=127.0.0.1",
        f"--port={port}",
        "--fps=30",
        "--inference_latency=0",
        "--obs_queue_timeout=5",
    ]
    return ServerProcess(args, port, tmp_path)
