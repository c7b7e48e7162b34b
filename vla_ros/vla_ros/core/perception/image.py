"""Camera images as ingestion sees them: raw buffers decoded to RGB, cropped and downscaled (numpy +
OpenCV, no ROS)."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vla_ros.core.types import InvalidInput


@dataclass(frozen=True)
class _Layout:
    """How a sensor_msgs/Image encoding lays out pixels and turns into RGB."""

    channels: int
    dtype: np.dtype
    to_rgb: int | None  # cv2 colour conversion; None: already RGB
    packed_yuv: bool = False  # 4:2:2, two pixels share chroma: converted before any crop or resize


_U8, _U16 = np.dtype(np.uint8), np.dtype(np.uint16)
_ENCODINGS: dict[str, _Layout] = {
    "rgb8": _Layout(3, _U8, None),
    "bgr8": _Layout(3, _U8, cv2.COLOR_BGR2RGB),
    "rgba8": _Layout(4, _U8, cv2.COLOR_RGBA2RGB),
    "bgra8": _Layout(4, _U8, cv2.COLOR_BGRA2RGB),
    "mono8": _Layout(1, _U8, cv2.COLOR_GRAY2RGB),
    "8UC1": _Layout(1, _U8, cv2.COLOR_GRAY2RGB),
    # OpenCV's default channel order, as cv_bridge assumes for 8UC3.
    "8UC3": _Layout(3, _U8, cv2.COLOR_BGR2RGB),
    "mono16": _Layout(1, _U16, cv2.COLOR_GRAY2RGB),
    "16UC1": _Layout(1, _U16, cv2.COLOR_GRAY2RGB),
    # sensor_msgs/image_encodings.hpp: "yuv422" is UYVY, "yuv422_yuy2" is YUYV (YUY2); "uyvy" and
    # "yuyv" are the FourCC names some V4L2 drivers publish instead.
    "yuv422": _Layout(2, _U8, cv2.COLOR_YUV2RGB_UYVY, packed_yuv=True),
    "uyvy": _Layout(2, _U8, cv2.COLOR_YUV2RGB_UYVY, packed_yuv=True),
    "yuv422_yuy2": _Layout(2, _U8, cv2.COLOR_YUV2RGB_YUY2, packed_yuv=True),
    "yuyv": _Layout(2, _U8, cv2.COLOR_YUV2RGB_YUY2, packed_yuv=True),
}
SUPPORTED_ENCODINGS = tuple(_ENCODINGS)


@dataclass(frozen=True)
class ImageCrop:
    """Keep a region (top, left, height, width) in source pixels of each frame; None keeps all of it."""

    region: tuple[int, int, int, int] | None = None

    def __post_init__(self) -> None:
        if self.region is not None and (
            len(self.region) != 4 or min(self.region) < 0 or min(self.region[2:]) == 0
        ):
            raise InvalidInput(
                f"crop must be (top, left, height, width) with positive size, got {self.region}"
            )

    def size(self, height: int, width: int) -> tuple[int, int]:
        """(height, width) this crop keeps of a height x width frame."""
        return (height, width) if self.region is None else self.region[2:]

    def reduced(self, factor: int) -> ImageCrop:
        """The same region in a frame decoded at 1/factor scale (factor divides every coordinate)."""
        if self.region is None or factor == 1:
            return self
        return ImageCrop(tuple(v // factor for v in self.region))

    def divisible_by(self, factor: int) -> bool:
        return self.region is None or all(v % factor == 0 for v in self.region)

    def __call__(self, image: np.ndarray) -> np.ndarray:
        if self.region is None:
            return image
        top, left, h, w = self.region
        if top + h > image.shape[0] or left + w > image.shape[1]:
            raise InvalidInput(
                f"crop {self.region} exceeds the {image.shape[1]}x{image.shape[0]} image"
            )
        return np.ascontiguousarray(image[top : top + h, left : left + w])


@dataclass(frozen=True)
class FrameGeometry:
    """What ingestion keeps of each frame: a crop in source pixels, then a downscale to `size`.

    The one resize to a model's input happens at the model edge (vla_ros.core.model.
    image_preprocessing, the card's size). This earlier downscale is for real sensor rates: a
    1280x720 frame is 4-20x the pixels a policy reads, and every copy, colour conversion, DDS hop
    and queue after decoding pays for them, so it happens right after decoding, before the colour
    conversion where the encoding allows. Frames never grow here: one already no larger than `size`
    in both dimensions passes as it is.
    """

    crop: ImageCrop = ImageCrop()
    size: tuple[int, int] | None = None  # (height, width); None keeps the (cropped) size

    def __post_init__(self) -> None:
        if self.size is not None and (len(self.size) != 2 or min(self.size) <= 0):
            raise InvalidInput(f"image_size must be [height, width] > 0, got {list(self.size)}")

    def __call__(self, image: np.ndarray, reduction: int = 1) -> np.ndarray:
        """Crop (coordinates scaled to an image decoded at 1/reduction) then shrink to `size`."""
        image = self.crop.reduced(reduction)(image)
        if self.size is None or (
            image.shape[0] <= self.size[0] and image.shape[1] <= self.size[1]
        ):
            return image
        return shrink(image, self.size)

    def output_size(self, height: int, width: int) -> tuple[int, int]:
        """(height, width) of what a height x width frame becomes."""
        region = self.crop.size(height, width)
        if self.size is None or (region[0] <= self.size[0] and region[1] <= self.size[1]):
            return region
        return self.size

    def decode_reduction(self, height: int, width: int) -> int:
        """Largest JPEG decode scale-down (1, 2, 4, 8) that still leaves at least `size` pixels of
        the cropped region and keeps the crop on whole reduced pixels."""
        if self.size is None:
            return 1
        region_h, region_w = self.crop.size(height, width)
        for factor in (8, 4, 2):
            if (
                region_h // factor >= self.size[0]
                and region_w // factor >= self.size[1]
                and self.crop.divisible_by(factor)
            ):
                return factor
        return 1


def shrink(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Area-average `image` down to size (height, width): exact halves first, then the rest.

    OpenCV's INTER_AREA has a fast path for an exact 2x reduction and a general one many times
    slower per source pixel (bench/perception); halving while the image stays at least twice the
    size, then one general step on the small remainder, costs a fraction. It is still a box
    average, with box edges snapped to the halving grid: equal on smooth content, a grey level or
    two apart on average where detail is a pixel wide.
    """
    height, width = size
    while image.shape[0] // 2 >= height and image.shape[1] // 2 >= width:
        half = (image.shape[1] // 2, image.shape[0] // 2)
        image = cv2.resize(image, half, interpolation=cv2.INTER_AREA)
    if image.shape[:2] == (height, width):
        return image
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)


def rgb_from_pixels(pixels: np.ndarray, to_rgb: int | None) -> np.ndarray:
    """HxWx3 uint8 RGB from decoded pixels; 16-bit depth/IR is scaled from its range into 8 bits."""
    if pixels.dtype.itemsize == 2:
        # Full range to 8 bits so a model sees the structure (the max of what is kept, after crop).
        pixels = (pixels.astype(np.float32) * (255.0 / max(float(pixels.max()), 1.0))).astype(
            np.uint8
        )
    # A copy either way: the result must not alias the message buffer it was decoded from.
    return pixels.copy() if to_rgb is None else cv2.cvtColor(pixels, to_rgb)


def rgb_image_from_buffer(
    data: bytes,
    encoding: str,
    height: int,
    width: int,
    step: int,
    is_bigendian: int = 0,
    geometry: FrameGeometry = FrameGeometry(),
) -> np.ndarray:
    """Decode a raw image buffer (sensor_msgs/Image layout) into HxWx3 uint8 RGB, cropped and
    downscaled by `geometry`."""
    layout = _ENCODINGS.get(encoding)
    if layout is None:
        raise InvalidInput(
            f"unsupported image encoding '{encoding}'; supported: {list(SUPPORTED_ENCODINGS)}"
        )
    if height <= 0 or width <= 0 or (layout.packed_yuv and width % 2):
        raise InvalidInput(
            f"{encoding} image has invalid size {width}x{height}"
            + (" (4:2:2 needs an even width)" if layout.packed_yuv else "")
        )
    row_bytes = width * layout.channels * layout.dtype.itemsize
    if step < row_bytes or len(data) < step * height:
        raise InvalidInput(
            f"{encoding} image {width}x{height} needs step >= {row_bytes} and {row_bytes * height} bytes; "
            f"got step {step} and {len(data)} bytes"
        )
    rows = np.frombuffer(data, dtype=np.uint8, count=step * height).reshape(height, step)
    pixels = np.ascontiguousarray(rows[:, :row_bytes]).view(
        layout.dtype.newbyteorder(">" if is_bigendian else "<")
    )
    pixels = pixels.reshape(
        (height, width, layout.channels) if layout.channels > 1 else (height, width)
    )
    if layout.packed_yuv:
        return geometry(cv2.cvtColor(pixels, layout.to_rgb))
    if pixels.dtype.byteorder == ">":
        pixels = pixels.astype(layout.dtype)  # OpenCV reads native byte order only
    return rgb_from_pixels(geometry(pixels), layout.to_rgb)
