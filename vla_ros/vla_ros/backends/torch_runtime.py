"""Torch-side helpers shared by the local-model backends: device choice and a CPU-safe torchvision.

torchvision's PyPI build for torch 2.13 links CUDA libraries; on CPU torch its C++ ops fail to load
and `import torchvision` then dies registering fake kernels for `torchvision::nms`/`qnms`. LeRobot
and transformers use only torchvision's Python models and transforms, so when (and only when) the
extension cannot load we define those two operator schemas first; a working install is untouched.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import torch

from vla_ros.core.types import InvalidInput

_fallback_library = None  # keeps the schema definitions alive for the process


def ensure_torchvision_importable() -> None:
    global _fallback_library
    spec = importlib.util.find_spec("torchvision")
    if spec is None or _fallback_library is not None or spec.origin is None:
        return
    extensions = sorted(Path(spec.origin).parent.glob("_C*.so"))
    try:
        for extension in extensions:
            torch.ops.load_library(str(extension))
        if extensions:
            return
    except OSError:
        pass
    _fallback_library = torch.library.Library("torchvision", "DEF")
    _fallback_library.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    _fallback_library.define("qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")


def resolve_device(value: str, backend: str) -> torch.device:
    """`auto` -> cuda when available else cpu; an explicit cuda device must exist."""
    if value == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(value)
    except RuntimeError:
        raise InvalidInput(
            f"backend '{backend}': option device={value!r} is invalid; expected auto, cpu, cuda or cuda:N"
        ) from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise InvalidInput(
            f"backend '{backend}': option device={value!r} but no CUDA device is available (torch "
            f"{torch.__version__}); use auto or cpu"
        )
    if device.type not in ("cpu", "cuda"):
        raise InvalidInput(
            f"backend '{backend}': option device={value!r} is invalid; expected auto, cpu, cuda or cuda:N"
        )
    return device
