"""A scan's frame (colorizer.frame): found where there is one, not in ordinary photos, left without color,
and the photo inside colorized exactly as if it had been cropped."""
import io

import numpy as np
import pytest
from PIL import Image
from skimage import color, data

from colorizer.frame import Frame, find_frame
from colorizer.inference import Colorizer
from colorizer.evaluation.metrics import to_lab


def _gray(rgb: np.ndarray) -> np.ndarray:
    return (color.rgb2gray(rgb) * 255).round().astype(np.uint8)


def _framed(photo: np.ndarray, widths=(30, 24, 18, 40), tone=236, noise=3.0, seed=0) -> np.ndarray:
    """photo (gray or RGB) on a noisy paper-like frame of the given top, bottom, left, right widths."""
    t, b, l, r = widths
    h, w = photo.shape[:2]
    rng = np.random.default_rng(seed)
    shape = (h + t + b, w + l + r) + photo.shape[2:]
    out = np.clip(rng.normal(tone, noise, shape[:2]), 0, 255).astype(np.uint8)
    if photo.ndim == 3:
        out = np.repeat(out[..., None], 3, axis=2)
    out[t:t + h, l:l + w] = photo
    return out


@pytest.mark.parametrize("tone", [236, 20, 170])
def test_a_frame_is_found_on_every_side(tone):
    photo = _gray(data.astronaut())[::2, ::2]
    found = find_frame(_framed(photo, tone=tone))
    assert found is not None
    assert all(abs(a - b) <= 1 for a, b in zip((found.top, found.bottom, found.left, found.right), (30, 24, 18, 40)))


def test_a_frame_cut_on_one_side_and_a_colour_scan():
    photo = data.coffee()[::2, ::2]
    found = find_frame(_framed(photo, widths=(0, 20, 20, 20), tone=225))
    assert found == Frame(0, 20, 20, 20) or (found.top == 0 and all(abs(v - 20) <= 1 for v in (found.bottom, found.left, found.right)))


def test_letterbox_bars():
    photo = _gray(data.chelsea())
    found = find_frame(_framed(photo, widths=(40, 40, 0, 0), tone=4, noise=1.0))
    assert found is not None and (found.left, found.right) == (0, 0) and abs(found.top - 40) <= 1


@pytest.mark.parametrize("name", ["camera", "astronaut", "coffee", "chelsea", "rocket", "immunohistochemistry"])
def test_ordinary_photos_have_no_frame(name):
    img = getattr(data, name)()
    assert find_frame(img) is None


def test_a_plain_sky_or_backdrop_on_one_or_two_sides_is_not_a_frame():
    photo = _gray(data.astronaut())
    sky = photo.copy()
    sky[:200] = 200  # a blank sky over the top 40%
    assert find_frame(sky) is None
    both = sky.copy()
    both[-120:] = 200  # and a blank bright floor: two opposite sides, but not dark bars
    assert find_frame(both) is None


def test_the_frame_stays_without_color_and_the_photo_is_colorized_as_if_cropped(colorizer_weights):
    c = Colorizer.load("effnet-unet", backend="torch")
    photo = _gray(data.astronaut())[::2, ::2]
    scan = _framed(photo, tone=180)
    out = c.colorize_arrays([scan])[0]
    t, b, l, r = 30, 24, 18, 40
    frame = np.ones(scan.shape, bool)
    frame[t:-b, l:-r] = False
    chroma = np.hypot(*to_lab(out)[..., 1:].transpose(2, 0, 1))
    assert chroma[frame].max() < 1.5  # the paper keeps its tone (8-bit rounding only)
    np.testing.assert_array_equal(out[t:-b, l:-r], c.colorize_arrays([photo])[0])
    np.testing.assert_allclose(to_lab(out)[..., 0][frame], to_lab(np.repeat(scan[..., None], 3, 2))[..., 0][frame], atol=0.5)
    c.find_frames = False  # the whole image as one photo: the frame is colorized with it
    whole = c.colorize_arrays([scan])[0]
    assert whole.shape == out.shape and np.hypot(*to_lab(whole)[..., 1:].transpose(2, 0, 1))[frame].max() > 1.5


def test_hints_move_with_the_photo_and_a_hint_on_the_frame_colors_it(colorizer_weights):
    c = Colorizer.load("effnet-unet", backend="torch")
    photo = _gray(data.astronaut())[::2, ::2]
    scan = _framed(photo)
    t, l = 30, 18
    inside = c.colorize_arrays([scan], hints=[[[l + 100, t + 80, "#2040d0"]]])[0]
    np.testing.assert_array_equal(inside[t:-24, l:-40], c.colorize_arrays([photo], hints=[[[100, 80, "#2040d0"]]])[0])
    on_frame = c.colorize_arrays([scan], hints=[[[5, 5, "#d02020"]]])[0]
    assert np.hypot(*to_lab(on_frame[:t])[..., 1:].transpose(2, 0, 1)).max() > 1.5  # the whole image colorized
    suggested = c.suggest(scan, x=l + 100, y=t + 80, k=3)
    assert suggested == c.suggest(photo, x=100, y=80, k=3)


def test_a_large_framed_jpeg_read_from_its_preview(colorizer_weights):
    """A photo big enough to be read from a reduced preview while the full decode runs: the frame is found
    on the preview and the result is the full size, its frame without color."""
    c = Colorizer.load("effnet-unet", backend="torch")
    photo = np.asarray(Image.fromarray(_gray(data.astronaut())).resize((1400, 1000)))
    scan = _framed(photo, widths=(80, 80, 80, 80), tone=230, noise=2.0)
    buf = io.BytesIO()
    Image.fromarray(scan).save(buf, "JPEG", quality=92)
    out = c.colorize_arrays([buf.getvalue()], size=64)[0]
    assert out.shape[:2] == scan.shape
    chroma = np.hypot(*to_lab(out[:70])[..., 1:].transpose(2, 0, 1))
    assert chroma.max() < 1.5
