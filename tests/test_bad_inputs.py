"""Every kind of bad or unusual input gives a correct result or one clear ColorizerError."""
import io

import numpy as np
import pytest
from PIL import Image

from colorizer import ColorizerError
from colorizer.imageio import load_image
from colorizer.inference import Colorizer

from conftest import synthetic_photo


@pytest.fixture
def colorizer(colorizer_weights):
    return Colorizer.load("conv-autoencoder")


def _save(img: Image.Image, path, **kw):
    img.save(path, **kw)
    return path


def test_corrupt_truncated_empty_and_non_image_files(colorizer, tmp_path):
    jpg = _save(Image.fromarray(synthetic_photo(64, 64)), tmp_path / "ok.jpg", quality=90)
    raw = jpg.read_bytes()
    (tmp_path / "truncated.jpg").write_bytes(raw[: len(raw) // 3])
    (tmp_path / "corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50)
    (tmp_path / "empty.jpg").write_bytes(b"")
    (tmp_path / "text.jpg").write_text("hello, not an image")
    for name, msg in [("truncated.jpg", "damaged or truncated"), ("corrupt.png", "not a recognised|damaged|cannot open"),
                      ("empty.jpg", "empty"), ("text.jpg", "not a recognised"), ("nope.jpg", "no such file")]:
        with pytest.raises(ColorizerError, match=msg) as info:
            colorizer.colorize(tmp_path / name)
        assert name in str(info.value)
    with pytest.raises(ColorizerError, match="empty"):
        colorizer.colorize(b"")


def test_pixel_limit_is_checked_before_decoding(colorizer, tmp_path):
    # a 20000x20000 PNG of one color: a few KB on disk, 400 megapixels (1.2 GB) if decoded
    buf = io.BytesIO()
    Image.new("L", (20000, 20000)).save(buf, format="PNG")
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(buf.getvalue())
    with pytest.raises(ColorizerError, match="megapixels"):
        colorizer.colorize(bomb)
    with pytest.raises(ColorizerError, match="megapixels"):
        colorizer.colorize(Image.fromarray(synthetic_photo(100, 100)), max_pixels=5000)


def test_tiny_images(colorizer):
    for shape in [(1, 1, 3), (1, 7, 3), (2, 2)]:
        arr = np.full(shape, 90, np.uint8)
        out = colorizer.colorize(arr)
        assert out.size == (shape[1], shape[0])


def test_16_bit_png(colorizer, tmp_path):
    ramp = (np.linspace(0, 65535, 40 * 50).reshape(40, 50)).astype(np.uint16)
    path = _save(Image.fromarray(ramp), tmp_path / "deep.png")
    loaded = load_image(path)
    assert loaded.rgb.dtype == np.uint8 and loaded.rgb.max() >= 250 and not loaded.is_color  # scaled, not clipped
    assert colorizer.colorize(path).size == (50, 40)


def test_cmyk_jpeg(colorizer, tmp_path):
    path = _save(Image.fromarray(synthetic_photo(40, 40)).convert("CMYK"), tmp_path / "cmyk.jpg")
    assert Image.open(path).mode == "CMYK"
    out = colorizer.colorize(path)
    assert out.mode == "RGB" and out.size == (40, 40)


def test_palette_with_transparency(colorizer, tmp_path):
    p = Image.fromarray(synthetic_photo(30, 30)).convert("P", palette=Image.ADAPTIVE, colors=16)
    p.info["transparency"] = 0
    path = _save(p, tmp_path / "pal.png", transparency=0)
    out = colorizer.colorize(path)
    assert out.mode == "RGBA" and out.size == (30, 30)


def test_animated_gif_uses_first_frame(colorizer, tmp_path):
    frames = [Image.new("RGB", (20, 16), c) for c in ((255, 0, 0), (0, 0, 255))]
    path = tmp_path / "anim.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert load_image(path).rgb[0, 0, 0] > 200  # red: frame one
    assert colorizer.colorize(path).size == (20, 16)


def test_exif_orientation_is_applied(colorizer, tmp_path):
    img = Image.fromarray(synthetic_photo(20, 40))  # landscape pixels
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees on display
    path = _save(img, tmp_path / "rot.jpg", exif=exif.tobytes())
    assert colorizer.colorize(path).size == (20, 40)  # shown as portrait


def test_grayscale_input_modes(colorizer, tmp_path):
    for mode in ("L", "1", "LA", "I", "F"):
        img = Image.fromarray(synthetic_photo(24, 24)).convert("L").convert(mode)
        loaded = load_image(img)
        assert not loaded.is_color, mode
        assert colorizer.colorize(img).size == (24, 24)
    assert load_image(synthetic_photo(24, 24)).is_color


def test_bad_arrays(colorizer):
    with pytest.raises(ColorizerError, match="shape"):
        colorizer.colorize(np.zeros((4, 4, 5), np.uint8))
    with pytest.raises(ColorizerError, match="empty"):
        colorizer.colorize(np.zeros((0, 4, 3), np.uint8))
    with pytest.raises(ColorizerError, match="NaN"):
        colorizer.colorize(np.full((4, 4), np.nan))
    with pytest.raises(ColorizerError, match="cannot read"):
        colorizer.colorize(12345)
    out = colorizer.colorize(np.random.default_rng(0).random((8, 8, 3)))  # float [0,1]
    assert out.size == (8, 8)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_jpeg_fast_path_matches_pillow_for_every_exif_orientation(tmp_path, orientation):
    """JPEGs are decoded by simplejpeg, orientation undone with numpy: the same pixels as Pillow's
    decode + ImageOps.exif_transpose, with and without a background decode behind a reduced preview."""
    from PIL import ImageOps
    exif = Image.Exif()
    exif[0x0112] = orientation
    for mode in ("RGB", "L"):
        path = _save(Image.fromarray(synthetic_photo(48, 80)).convert(mode), tmp_path / f"o{orientation}{mode}.jpg",
                     quality=90, exif=exif.tobytes())
        expected = np.asarray(ImageOps.exif_transpose(Image.open(path)))
        plain = load_image(path)
        assert plain.preview is None and plain.pixels.shape == expected.shape
        assert np.abs(plain.pixels.astype(int) - expected).max() <= 1
        staged = load_image(path.read_bytes(), preview_side=8)  # 48x80 >= 16 * 8^2: a preview is made
        assert staged.shape == expected.shape[:2] and staged.preview is not None
        ph, pw = staged.preview.shape[:2]
        assert ph * pw >= 64 and abs(ph / pw - expected.shape[0] / expected.shape[1]) < 0.1
        assert np.array_equal(staged.pixels, plain.pixels)


def test_damaged_jpeg_behind_a_preview_still_gives_a_clear_error(tmp_path):
    raw = _save(Image.fromarray(synthetic_photo(256, 256)), tmp_path / "ok.jpg", quality=90).read_bytes()
    with pytest.raises(ColorizerError, match="damaged or truncated"):
        load_image(raw[: len(raw) // 2], preview_side=16).pixels
    rng = np.random.default_rng(0)
    for _ in range(20):  # garbage in the compressed data: an image of the right size, or a clear error
        data = bytearray(raw)
        data[len(raw) // 2: len(raw) // 2 + 64] = rng.integers(0, 256, 64, dtype=np.uint8).tobytes()
        try:
            assert load_image(bytes(data), preview_side=16).pixels.shape == (256, 256, 3)
        except ColorizerError as exc:
            assert "damaged or truncated" in str(exc)


def test_jpeg_outputs_from_arrays_and_pil_images_decode_back(tmp_path):
    from colorizer.imageio import encode_image
    rgb = synthetic_photo(40, 56)
    for img in (rgb, Image.fromarray(rgb), rgb[:, :, 0], Image.fromarray(rgb).convert("RGBA")):
        path = tmp_path / "out.jpg"
        encode_image(img, path, "JPEG")
        back = Image.open(path)
        assert back.format == "JPEG" and back.size == (56, 40)
        assert back.mode == ("L" if np.ndim(img) == 2 else "RGB")
        assert np.abs(np.asarray(back.convert("RGB")).astype(int) - rgb[:, :, :1 if np.ndim(img) == 2 else 3]).mean() < 4


def test_a_toned_print_counts_as_no_color_and_a_colored_photo_does():
    """A sepia or cyanotype print (one hue over a gray photo) is a black-and-white photo to colorize: the app
    must not score the result against its tone. scikit-image's color photos stay color photos, the cat's
    mostly orange fur included."""
    from skimage import data
    gray = data.camera().astype(np.float32) / 255
    sepia = np.stack([np.clip(gray * 1.07 + 0.03, 0, 1), np.clip(gray * 0.95 + 0.02, 0, 1), gray * 0.78], -1)
    cyan = np.stack([gray * 0.8, gray * 0.95, gray], -1)
    for toned in (sepia, cyan):
        loaded = load_image((toned * 255).astype(np.uint8))
        assert not loaded.is_color
    for photo in (data.astronaut(), data.chelsea(), data.coffee()):
        assert load_image(photo).is_color
