import cv2
import numpy as np
import pytest

from vla_ros.core.perception.image import (
    SUPPORTED_ENCODINGS,
    FrameGeometry,
    ImageCrop,
    rgb_image_from_buffer,
    shrink,
)
from vla_ros.core.types import InvalidInput

RGB = np.arange(4 * 6 * 3, dtype=np.uint8).reshape(4, 6, 3)


@pytest.mark.parametrize(
    "encoding, raw",
    [
        ("rgb8", RGB),
        ("bgr8", RGB[..., ::-1]),
        ("rgba8", np.dstack([RGB, np.full((4, 6), 255, np.uint8)])),
        ("bgra8", np.dstack([RGB[..., ::-1], np.zeros((4, 6), np.uint8)])),
    ],
)
def test_colour_encodings_decode_to_rgb(encoding, raw):
    raw = np.ascontiguousarray(raw)
    decoded = rgb_image_from_buffer(raw.tobytes(), encoding, 4, 6, raw.shape[1] * raw.shape[2])
    np.testing.assert_array_equal(decoded, RGB)


def test_row_padding_is_skipped():
    padded = np.zeros((4, 6 * 3 + 5), np.uint8)
    padded[:, : 6 * 3] = RGB.reshape(4, -1)
    decoded = rgb_image_from_buffer(padded.tobytes(), "rgb8", 4, 6, padded.shape[1])
    np.testing.assert_array_equal(decoded, RGB)


def test_mono16_big_endian_scales_to_8_bit():
    depth = np.array([[0, 1000], [2000, 4000]], dtype=">u2")
    decoded = rgb_image_from_buffer(depth.tobytes(), "mono16", 2, 2, 4, is_bigendian=1)
    assert decoded.shape == (2, 2, 3)
    assert decoded[1, 1, 0] == 255 and decoded[0, 0, 0] == 0 and decoded[0, 1, 0] == 63


def test_unknown_encoding_names_the_supported_ones():
    with pytest.raises(
        InvalidInput, match="unsupported image encoding 'bayer_rggb8'.*rgb8.*yuv422"
    ):
        rgb_image_from_buffer(b"\0" * 24, "bayer_rggb8", 4, 6, 6)
    assert "bgr8" in SUPPORTED_ENCODINGS


def test_short_buffer_is_rejected_with_sizes():
    with pytest.raises(
        InvalidInput, match=r"needs step >= 18 and 72 bytes; got step 18 and 10 bytes"
    ):
        rgb_image_from_buffer(b"\0" * 10, "rgb8", 4, 6, 18)


def test_crop_keeps_the_region():
    image = np.zeros((100, 200, 3), np.uint8)
    image[10:60, 20:120] = 255
    out = ImageCrop((10, 20, 50, 100))(image)
    assert out.shape == (50, 100, 3) and out.min() == 255 and out.flags.c_contiguous
    assert ImageCrop()(image) is image, "no crop: the frame passes at its own size"


def test_crop_outside_the_image_or_of_no_size_is_rejected():
    with pytest.raises(InvalidInput, match=r"crop \(0, 0, 50, 50\) exceeds the 20x20 image"):
        ImageCrop((0, 0, 50, 50))(np.zeros((20, 20, 3), np.uint8))
    with pytest.raises(InvalidInput, match="positive size, got \\(0, 0, 0, 10\\)"):
        ImageCrop((0, 0, 0, 10))


# A 720p frame with structure at every scale: smooth gradients plus fine noise.
_Y, _X = np.mgrid[0:720, 0:1280]
FRAME = np.dstack([_X * 255 // 1279, _Y * 255 // 719, (_X + _Y) % 256]).astype(np.uint8)
FRAME[::7, ::5] = 255 - FRAME[::7, ::5]


def reference_shrink(rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    return cv2.resize(rgb, (size[1], size[0]), interpolation=cv2.INTER_AREA)


@pytest.mark.parametrize("size", [(180, 270), (224, 224), (90, 160), (480, 640), (719, 1279)])
def test_shrink_is_an_area_average_like_one_opencv_resize(size):
    shrunk = shrink(FRAME, size)
    difference = np.abs(shrunk.astype(int) - reference_shrink(FRAME, size))
    assert shrunk.shape == (*size, 3)
    # Box edges snap to the halving grid: FRAME's pixel-wide detail shows it, by little.
    assert difference.mean() < 2 and np.percentile(difference, 99) <= 10


@pytest.mark.parametrize(
    "encoding, to_source",
    [
        ("bgra8", cv2.COLOR_RGB2BGRA),
        ("bgr8", cv2.COLOR_RGB2BGR),
        ("rgba8", cv2.COLOR_RGB2RGBA),
        ("mono8", cv2.COLOR_RGB2GRAY),
    ],
)
def test_downscale_after_crop_matches_opencv_on_the_rgb_frame(encoding, to_source):
    source = cv2.cvtColor(FRAME, to_source)
    channels = 1 if source.ndim == 2 else source.shape[2]
    geometry = FrameGeometry(ImageCrop((40, 160, 640, 960)), (180, 270))
    decoded = rgb_image_from_buffer(
        source.tobytes(), encoding, 720, 1280, 1280 * channels, geometry=geometry
    )
    expected_rgb = FRAME if channels > 1 else cv2.cvtColor(source, cv2.COLOR_GRAY2RGB)
    expected = shrink(expected_rgb[40:680, 160:1120], (180, 270))
    assert decoded.shape == (180, 270, 3)
    # Shrinking before the colour conversion differs from after it by rounding only.
    assert np.abs(decoded.astype(int) - expected).max() <= 1


def test_frames_no_larger_than_image_size_pass_unchanged():
    small = np.ascontiguousarray(FRAME[:100, :120])
    geometry = FrameGeometry(size=(224, 224))
    decoded = rgb_image_from_buffer(small.tobytes(), "rgb8", 100, 120, 360, geometry=geometry)
    np.testing.assert_array_equal(decoded, small)


def test_image_size_must_be_positive():
    with pytest.raises(
        InvalidInput, match=r"image_size must be \[height, width\] > 0, got \[0, 5\]"
    ):
        FrameGeometry(size=(0, 5))


@pytest.mark.parametrize(
    "encoding, from_rgb",
    [
        ("yuv422", cv2.COLOR_RGB2YUV_UYVY),
        ("uyvy", cv2.COLOR_RGB2YUV_UYVY),
        ("yuv422_yuy2", cv2.COLOR_RGB2YUV_YUY2),
        ("yuyv", cv2.COLOR_RGB2YUV_YUYV),
    ],
)
def test_yuv422_encodings_decode_like_opencv_and_downscale(encoding, from_rgb):
    packed = cv2.cvtColor(FRAME, from_rgb)
    full = rgb_image_from_buffer(packed.tobytes(), encoding, 720, 1280, 2560)
    # 4:2:2 shares chroma between pixel pairs and rounds through YUV: close, not equal.
    assert np.abs(full.astype(int) - FRAME).mean() < 6
    shrunk = rgb_image_from_buffer(
        packed.tobytes(), encoding, 720, 1280, 2560, geometry=FrameGeometry(size=(90, 160))
    )
    np.testing.assert_array_equal(shrunk, shrink(full, (90, 160)))


def test_yuv422_is_uyvy_and_yuv422_yuy2_is_yuyv():
    """The byte order image_encodings.hpp defines, checked on a pure red pair of pixels (BT.601
    studio range: Y 81, U 90, V 240), independent of OpenCV's encoder."""
    y, u, v = 81, 90, 240
    for encoding, pair in (("yuv422", [u, y, v, y]), ("yuv422_yuy2", [y, u, y, v])):
        rgb = rgb_image_from_buffer(bytes(pair), encoding, 1, 2, 4)
        assert rgb[0, 0, 0] > 230 and rgb[0, 0, 1:].max() < 25, (encoding, rgb)


def test_yuv422_with_an_odd_width_is_rejected():
    with pytest.raises(
        InvalidInput, match=r"yuv422 image has invalid size 3x2 \(4:2:2 needs an even"
    ):
        rgb_image_from_buffer(b"\0" * 12, "yuv422", 2, 3, 6)


def test_16uc1_depth_is_cropped_then_scaled_by_what_is_kept():
    depth = np.zeros((4, 4), np.uint16)
    depth[0, 0] = 60000  # outside the crop: must not dim what is kept
    depth[2:, 2:] = [[0, 500], [1000, 2000]]
    geometry = FrameGeometry(ImageCrop((2, 2, 2, 2)))
    decoded = rgb_image_from_buffer(depth.tobytes(), "16UC1", 4, 4, 8, geometry=geometry)
    np.testing.assert_array_equal(decoded[..., 0], [[0, 63], [127, 255]])
