"""AtomicDataset keeps every frame when the video encoder lags (it is not a live recorder).

LeRobot's streaming encoder drops a frame, with only a warning, once its queue has been full for
0.1 s; a dataset written that way has fewer video frames than parquet rows (seen in CI under
load). Here the encoder is held back until every frame has been added: 45 frames, more than
LeRobot's default queue of 30, must all come back from the saved video.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

from vla_ros.recording.export_dataset import AtomicDataset

pytestmark = pytest.mark.sim

FRAMES = 45


def test_a_lagging_encoder_loses_no_frame(tmp_path, monkeypatch):
    from vla_ros.backends.torch_runtime import ensure_torchvision_importable

    ensure_torchvision_importable()
    from lerobot.datasets import video_utils
    from lerobot_datasets import load

    released = threading.Event()
    run = video_utils._CameraEncoderThread.run

    def held_back(self) -> None:
        released.wait(30)
        run(self)

    monkeypatch.setattr(video_utils._CameraEncoderThread, "run", held_back)
    features = {
        "observation.images.cam": {
            "dtype": "video",
            "shape": (32, 32, 3),
            "names": ["height", "width", "channels"],
        },
        "observation.state": {"dtype": "float32", "shape": (2,), "names": ["a", "b"]},
    }
    out = tmp_path / "data"
    with AtomicDataset(out, "local/lagging", 10, features, "panda") as dataset:

        def frames():
            for i in range(FRAMES):
                image = np.full((32, 32, 3), 5 * i, np.uint8)
                yield {
                    "observation.images.cam": image,
                    "observation.state": np.array([i, 0], np.float32),
                    "task": "hold",
                }
            released.set()  # all added while the encoder had taken none

        assert dataset.add_episode(frames()) == FRAMES
    loaded = load(out)
    assert loaded.num_frames == FRAMES
    last = loaded[FRAMES - 1]["observation.images.cam"]
    assert abs(float(last.mean()) * 255 - 5 * (FRAMES - 1)) < 8  # the last frame, not a neighbour
