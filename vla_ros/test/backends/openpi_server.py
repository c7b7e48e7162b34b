"""An openpi-protocol policy server for tests: websocket + msgpack on loopback, serving a tiny torch MLP.

Run as a process (`python openpi_server.py HORIZON DIM PORT`) so tests can kill it
mid-episode the way a crashed GPU box disappears. It checks the request like an openpi policy
config does (the DROID keys) and answers errors as text frames, as openpi's server does.
"""

from __future__ import annotations

import sys
import traceback

import numpy as np
import torch
import websockets.sync.server
from openpi_client import msgpack_numpy

IMAGE_KEYS = ("observation/exterior_image_1_left", "observation/wrist_image_left")
STATE_KEYS = ("observation/joint_position", "observation/gripper_position")


class TinyPolicy:
    def __init__(self, horizon: int, dim: int) -> None:
        torch.manual_seed(0)
        self.horizon, self.dim = horizon, dim
        self.net = torch.nn.Sequential(
            torch.nn.Linear(8 + len(IMAGE_KEYS), 32),
            torch.nn.Tanh(),
            torch.nn.Linear(32, horizon * dim),
        )

    def infer(self, obs: dict) -> dict:
        images = [np.asarray(obs[k], dtype=np.float32).mean() / 255.0 for k in IMAGE_KEYS]
        state = np.concatenate([np.asarray(obs[k], dtype=np.float32) for k in STATE_KEYS])
        if not isinstance(obs["prompt"], str):
            raise TypeError(f"prompt must be a string, got {type(obs['prompt'])}")
        with torch.no_grad():
            out = self.net(torch.from_numpy(np.concatenate([state, images]).astype(np.float32)))
        return {"actions": 0.1 * out.numpy().reshape(self.horizon, self.dim).astype(np.float64)}


def serve(horizon: int, dim: int, port: int) -> None:
    policy = TinyPolicy(horizon, dim)
    packer = msgpack_numpy.Packer()

    def handler(ws) -> None:
        ws.send(packer.pack({"policy": "tiny", "horizon": horizon}))
        for message in ws:
            try:
                ws.send(packer.pack(policy.infer(msgpack_numpy.unpackb(message))))
            except Exception:  # noqa: BLE001 - like openpi's server: report the traceback to the client
                ws.send(traceback.format_exc())

    with websockets.sync.server.serve(
        handler, "127.0.0.1", port, compression=None, max_size=None
    ) as server:
        server.serve_forever()


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
