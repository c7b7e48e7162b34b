"""Camera images as ingestion sees them: raw buffers decoded to RGB, then cropped (numpy + OpenCV, no ROS)."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vla_ros.core.types import InvalidInput

# encoding -> (channels, dtype, conversion to RGB or None)
_ENCODINGS: dict[str, tuple[int, np.dtype, int | None]] = {
    "rgb8": (3, np.dtype(np.uint8), None),
    "bgr8": (3, np.dtype(np.uint8), cv2.COLOR_BGR2RGB),
    "rgba8": (4, np.dtype(np.uint8), cv2.COLOR_RGBA2RGB),
    "bgra8": (4, np.dtype(np.uint8), cv2.COLOR_BGRA2RGB),
    "mono8": (1, np.dtype(np.uint8), cv2.COLOR_GRAY2RGB),
    "8UC1": (1, np.dtype(np.uint8), cv2.COLOR_GRAY2RGB),
    # OpenCV's default channel order, as cv_bridge assumes for 8UC3.
    "8UC3": (3, np.dtype(np.uint8), cv2.COLOR_BGR2RGB),
    "mono16": (1, np.dtype(np.uint16), cv2.COLOR_GRAY2RGB),
    "16UC1": (1, np.dtype(np.uint16), cv2.COLOR_GRAY2RGB),
}
SUPPORTED_ENCODINGS = tuple(_ENCODINGS)


def rgb_image_from_buffer(
    data: bytes, encoding: str, height: int, width: int, step: int, is_bigendian: int = 0
) -> np.ndarray:
    """Decode a raw image buffer (sensor_msgs/Image layout) into HxWx3 uint8 RGB."""
    if encoding not in _ENCODINGS:
        raise InvalidInput(
            f"unsupported image encoding '{encoding}'; supported: {list(SUPPORTED_ENCODINGS)}"
        )
    if height <= 0 or width <= 0:
        raise InvalidInput(f"image has invalid size {width}x{height}")
    channels, dtype, conversion = _ENCODINGS[encoding]
    row_bytes = width * channels * dtype.itemsize
    if step < row_bytes or len(data) < step * height:
        raise InvalidInput(
            f"{encoding} image {width}x{height} needs step >= {row_bytes} and {row_bytes * height} bytes; "
            f"got step {step} and {len(data)} bytes"
        )
    rows = np.frombuffer(data, dtype=np.uint8, count=step * height).reshape(height, step)[
        :, :row_bytes
    ]
    pixels = np.ascontiguousarray(rows).view(dtype.newbyteorder(">" if is_bigendian else "<"))
    pixels = (
        pixels.reshape(height, width, channels) if channels > 1 else pixels.reshape(height, width)
    )
    if dtype.itemsize == 2:
        # 16-bit depth/IR: scale the full range into 8 bits so a model sees the structure.
        pixels = (pixels.astype(np.float32) * (255.0 / max(float(pixels.max()), 1.0))).astype(
            np.uint8
        )
    return pixels.copy() if conversion is None else cv2.cvtColor(pixels, conversion)


@dataclass(frozen=True)
class ImageCrop:
    """Keep a region (top, left, height, width) in source pixels of each frame; None keeps all of it.

    Ingestion decodes and crops but never resizes: the size a model reads is stated once, in its
    card, and applied once, at the model edge (vla_ros.core.model.image_preprocessing). Should big
    frames need shrinking for bandwidth before they travel (real sensor rates), it belongs here.
    """

    region: tuple[int, int, int, int] | None = None

    def __post_init__(self) -> None:
        if self.region is not None and (
            len(self.region) != 4 or min(self.region) < 0 or min(self.region[2:]) == 0
        ):
            raise InvalidInput(
                f"crop must be (top, left, height, width) with positive size, got {self.region}"
            )

    def __call__(self, rgb: np.ndarray) -> np.ndarray:
        if self.region is None:
            return rgb
        top, left, h, w = self.region
        if top + h > rgb.shape[0] or left + w > rgb.shape[1]:
            raise InvalidInput(
                f"crop {self.region} exceeds the {rgb.shape[1]}x{rgb.shape[0]} image"
            )
        return np.ascontiguousarray(rgb[top : top + h, left : left + w])
