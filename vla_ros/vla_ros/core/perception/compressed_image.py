"""sensor_msgs/CompressedImage payloads (JPEG, PNG) decoded to RGB, cropped and downscaled.

Formats as image_transport's compressed plugin writes them: "<source encoding>; <codec> compressed
<target>" ("rgb8; jpeg compressed bgr8", "bgr8; jpeg compressed bgr8", "mono8; jpeg compressed ",
"16UC1; png compressed "), and the bare "jpeg" / "png" of cv_bridge and camera drivers. The plugin
encodes colour as BGR, which is what cv2.imdecode hands back, so colour is BGR -> RGB for every one.
A JPEG is decoded at 1/2, 1/4 or 1/8 scale (libjpeg's DCT scaling: a fraction of the work) when the
requested size leaves that many pixels to spare.
"""

from __future__ import annotations

import cv2
import numpy as np

from vla_ros.core.perception.image import FrameGeometry, rgb_from_pixels
from vla_ros.core.types import InvalidInput

SUPPORTED_CODECS = ("jpeg", "png")
_CODEC_NAMES = {"jpeg": "jpeg", "jpg": "jpeg", "png": "png"}
_JPEG_READ_FLAGS = {
    1: cv2.IMREAD_COLOR,
    2: cv2.IMREAD_REDUCED_COLOR_2,
    4: cv2.IMREAD_REDUCED_COLOR_4,
    8: cv2.IMREAD_REDUCED_COLOR_8,
}
_TO_RGB = {1: cv2.COLOR_GRAY2RGB, 3: cv2.COLOR_BGR2RGB, 4: cv2.COLOR_BGRA2RGB}
# Start-of-frame markers (baseline, extended, progressive, lossless; Huffman and arithmetic): the
# frame size follows them. C4 (DHT), C8 (JPG) and CC (DAC) share the range but are not frames.
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def compressed_codec(format_: str) -> str:
    """'jpeg' or 'png' from a CompressedImage format string; InvalidInput for anything else."""
    words = format_.replace(";", " ").lower().split()
    codecs = {_CODEC_NAMES[w] for w in words if w in _CODEC_NAMES}
    if len(codecs) != 1 or "compresseddepth" in words:
        raise InvalidInput(
            f"unsupported compressed image format '{format_}'; supported: {list(SUPPORTED_CODECS)} "
            "(image_transport 'compressed', not 'compressedDepth')"
        )
    return codecs.pop()


def jpeg_size(data: bytes) -> tuple[int, int]:
    """(height, width) from a JPEG's start-of-frame header, read without decoding any pixels."""
    if data[:2] != b"\xff\xd8":
        raise InvalidInput(f"not a JPEG: no start-of-image marker ({len(data)} bytes)")
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            break
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        if marker in _JPEG_SOF and position + 9 <= len(data):
            height = int.from_bytes(data[position + 5 : position + 7], "big")
            width = int.from_bytes(data[position + 7 : position + 9], "big")
            if height and width:
                return height, width
            break
        position += 2 + length
    raise InvalidInput(f"JPEG has no readable frame header ({len(data)} bytes)")


def rgb_image_from_compressed(
    data: bytes, format_: str, geometry: FrameGeometry = FrameGeometry()
) -> np.ndarray:
    """HxWx3 uint8 RGB from a CompressedImage payload; InvalidInput names the format and the fault."""
    codec = compressed_codec(format_)
    buffer = np.frombuffer(data, np.uint8)
    reduction = 1
    if codec == "jpeg":
        if geometry.size is not None:
            reduction = geometry.decode_reduction(*jpeg_size(data))
        pixels = cv2.imdecode(buffer, _JPEG_READ_FLAGS[reduction]) if len(buffer) else None
    else:
        # Unchanged: 16-bit depth PNGs stay 16-bit (then scaled like raw 16UC1), alpha is dropped later.
        pixels = cv2.imdecode(buffer, cv2.IMREAD_UNCHANGED) if len(buffer) else None
    if pixels is None:
        raise InvalidInput(
            f"could not decode {codec} data ({len(data)} bytes, format '{format_}')"
        )
    channels = 1 if pixels.ndim == 2 else pixels.shape[2]
    if channels not in _TO_RGB or pixels.dtype not in (np.uint8, np.uint16):
        raise InvalidInput(
            f"{codec} image decodes to {channels} channels of {pixels.dtype}; expected 1, 3 or 4 "
            "channels of 8 or 16 bits"
        )
    return rgb_from_pixels(geometry(pixels, reduction), _TO_RGB[channels])
