import numpy as np
import pytest
import torch
from PIL import Image
from skimage import data

from colorizer import ColorizerError, list_models
from colorizer.decoding import SHAPE_MULTIPLE
from colorizer.inference import Colorizer, working_shape
from colorizer.join import join
from colorizer.evaluation.metrics import to_lab

from conftest import synthetic_photo


def _l(img: Image.Image) -> np.ndarray:
    return to_lab(np.asarray(img.convert("RGB")))[..., 0]


def test_available_lists_every_checkpoint_default_first(colorizer_weights):
    entries = Colorizer.available()
    assert [e["name"] for e in entries][0] == "effnet-unet"
    assert {e["name"] for e in entries} == set(list_models())
    assert all("arch" in e["metadata"] for e in entries)


@pytest.mark.parametrize("name", list_models())
def test_full_resolution_output_keeps_the_input_l(colorizer_weights, name):
    c = Colorizer.load(name)
    assert c.metadata["arch"] == name
    src = synthetic_photo(123, 77)
    out = c.colorize(src)
    assert out.size == (77, 123) and out.mode == "RGB"
    # L of the result equals L of the input, up to gamut clipping and 8-bit rounding
    assert np.abs(_l(out) - _l(Image.fromarray(src))).mean() < 1.0


def test_default_load_and_size_controls(colorizer_weights):
    c = Colorizer.load()
    assert c.name == "effnet-unet" and c.working_size == 64
    img = Image.fromarray(data.astronaut())
    for size in (32, 128):
        assert c.colorize(img, size=size, temperature=0.1).size == img.size
    with pytest.raises(ColorizerError, match="working size"):
        c.colorize(img, size=4)
    with pytest.raises(ColorizerError, match="no checkpoint named"):
        Colorizer.load("does-not-exist")


def test_batch_api_matches_single_calls(colorizer_weights):
    c = Colorizer.load("resnet-mid")
    imgs = [synthetic_photo(40, 60, s) for s in range(3)] + [synthetic_photo(50, 50, 9)]
    batch = c.colorize_batch(imgs)
    for img, out in zip(imgs, batch):
        single = np.asarray(c.colorize(img)).astype(int)
        assert np.abs(np.asarray(out).astype(int) - single).max() <= 1


def test_color_input_is_reduced_to_its_l(colorizer_weights):
    c = Colorizer.load("conv-autoencoder")
    rgb = synthetic_photo(64, 64)
    # the same photo with its color removed (a = b = 0, same L): the prediction must not change
    gray = join(rgb, torch.zeros(1, 2, 1, 1))
    a = np.asarray(c.colorize(rgb)).astype(int)
    b = np.asarray(c.colorize(gray)).astype(int)
    assert np.abs(a - b).mean() < 1.0


def test_alpha_is_kept(colorizer_weights, tmp_path):
    rgba = np.dstack([synthetic_photo(30, 40), np.linspace(0, 255, 30 * 40).reshape(30, 40).astype(np.uint8)])
    out = Colorizer.load().colorize(Image.fromarray(rgba, "RGBA"))
    assert out.mode == "RGBA" and np.array_equal(np.asarray(out)[..., 3], rgba[..., 3])


def test_working_shape_keeps_aspect_and_area_on_the_networks_grid():
    for (H, W), size in (((3000, 4000), 256), ((480, 1920), 192), ((517, 389), 200), ((1, 1), 256), ((20, 4000), 64)):
        h, w = working_shape(H, W, size)
        assert h % SHAPE_MULTIPLE == 0 and w % SHAPE_MULTIPLE == 0 and min(h, w) >= SHAPE_MULTIPLE
        if min(H * size / (H * W) ** 0.5, W * size / (H * W) ** 0.5) >= SHAPE_MULTIPLE:  # not clamped
            assert abs(h - H * size / (H * W) ** 0.5) <= SHAPE_MULTIPLE / 2
            assert abs(w - W * size / (H * W) ** 0.5) <= SHAPE_MULTIPLE / 2
    assert working_shape(256, 256, 192) == (192, 192)


def test_model_input_from_a_jpeg_preview_matches_the_full_decode(tmp_path):
    """A large JPEG's model input comes from a DCT-scaled preview while the full photo decodes in the
    background: the same working shape, and nearly the same L, as from the full pixels."""
    import torch.nn.functional as F

    from colorizer.imageio import load_image
    from colorizer.inference import _model_input, model_input
    from colorizer.join import luminance
    path = tmp_path / "big.jpg"
    Image.fromarray(data.astronaut()).resize((1536, 1024)).save(path, quality=92)
    staged, plain = load_image(path, preview_side=128), load_image(path)
    assert staged.preview is not None and staged.preview.shape[0] < 1024
    full_res = F.interpolate(torch.from_numpy(luminance(plain.pixels))[None, None], size=working_shape(1024, 1536, 128),
                             mode="bilinear", antialias=True)  # L at full resolution, then one resize
    for x in (_model_input(staged, 128), model_input(plain.pixels, 128)):
        assert x.shape == full_res.shape == (1, 1, 112, 160)
        assert (x - full_res).abs().mean() < 0.01  # one L unit
