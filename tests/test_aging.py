"""colorizer.evaluation.aging: shape, range, determinism, and each effect visibly there at full strength."""
import numpy as np
import pytest
import torch
from skimage import data

from colorizer.evaluation import aging
from colorizer.color import srgb_u8_to_l


@pytest.fixture(scope="module")
def lum():
    rgb = data.astronaut()[::4, ::4]  # 128 x 128
    return srgb_u8_to_l(torch.from_numpy(rgb.copy()).permute(2, 0, 1))[0]


def _high_freq(x: torch.Tensor) -> float:
    return float((x[1:, :] - x[:-1, :]).abs().mean() + (x[:, 1:] - x[:, :-1]).abs().mean())


def test_aging_keeps_shape_and_range_and_repeats_for_a_seed(lum):
    for i in range(12):
        out, applied = aging.age_one(lum, aging.seeded_generator("t", i))
        assert out.shape == lum.shape and out.dtype == torch.float32
        assert float(out.min()) >= 0 and float(out.max()) <= 100
        again, applied2 = aging.age_one(lum, aging.seeded_generator("t", i))
        assert torch.equal(out, again) and applied == applied2
    a, _ = aging.age_one(lum, aging.seeded_generator("t", 0))
    b, _ = aging.age_one(lum, aging.seeded_generator("t", 1))
    assert not torch.equal(a, b)


def test_switching_one_effect_off_leaves_the_others_draws_alone(lum):
    full, applied = aging.age_one(lum, aging.seeded_generator("x", 3), aging.AgingConfig())
    name = next(iter(applied))
    cfg = aging.AgingConfig(**{name: aging.Effect(0.0, 0.0, 0.0)})
    _, fewer = aging.age_one(lum, aging.seeded_generator("x", 3), cfg)
    assert fewer == {k: v for k, v in applied.items() if k != name}


@pytest.mark.parametrize("name", aging.EFFECTS)
def test_each_effect_is_visibly_there_at_full_strength(lum, name):
    out, applied = aging.age_one(lum, aging.seeded_generator("only", name), aging.DEFAULT.only(name))
    assert list(applied) == [name]
    diff = (out - lum).abs()
    strokes = name in ("scratches", "dust", "cracks")
    if not strokes:
        assert float(diff.mean()) > 0.5, f"{name} changed the photo by only {float(diff.mean()):.2f} L on average"
    if name == "fade":  # contrast lost
        assert float(out.max() - out.min()) < float(lum.max() - lum.min()) - 10
    if name in ("grain", "halftone"):  # texture added
        assert _high_freq(out) > 1.15 * _high_freq(lum)
    if name == "blur":  # detail lost
        assert _high_freq(out) < 0.8 * _high_freq(lum)
    if strokes:  # thin strokes: few pixels, changed a lot
        changed = diff > 15
        assert 0.0005 < float(changed.float().mean()) < 0.2


def test_batch_aging_touches_about_the_asked_share(lum):
    batch = lum.expand(40, 1, *lum.shape).clone()
    out = aging.age(batch, aging.seeded_generator("batch"), p=0.5)
    touched = [(o - b).abs().max() > 0 for o, b in zip(out, batch)]
    assert 8 <= sum(touched) <= 32 and out.shape == batch.shape
    assert torch.equal(aging.age(batch, aging.seeded_generator("none"), p=0.0), batch)


def test_age_photo_gives_a_gray_photo_of_the_same_size():
    rgb = data.chelsea()[::3, ::3]
    out = aging.age_photo(rgb, aging.seeded_generator("cat"))
    assert out.shape == rgb.shape and out.dtype == np.uint8
    assert np.abs(out[..., 0].astype(int) - out[..., 2]).max() <= 1  # no color left
    assert not np.array_equal(out, aging.age_photo(rgb, aging.seeded_generator("dog")))


def test_old_photo_figure_shows_aged_input_before_after_and_original(colorizer_weights, tmp_path):
    """scripts/make_old_photo_figure.py: one line per photo (a color photo aged as `evaluate --aged` ages it,
    a gray one as it is), columns aged input | before | after | original, cropped where asked."""
    import subprocess
    import sys
    from pathlib import Path

    from PIL import Image

    from conftest import synthetic_photo
    root = tmp_path / "photos"
    (root / "street").mkdir(parents=True)
    Image.fromarray(synthetic_photo(64, 96, 1)).save(root / "street" / "a.png")
    Image.fromarray(synthetic_photo(64, 64, 2)).convert("L").save(root / "print.png")
    out = tmp_path / "fig.jpg"
    r = subprocess.run([sys.executable, str(Path(__file__).resolve().parents[1] / "scripts/make_old_photo_figure.py"),
                        "--root", str(root), "street/a.png", "print.png", "--before", "conv-autoencoder",
                        "--after", "effnet-unet", "--size", "64", "--crop", "0,0,0.5,0.5", "-", "-o", str(out)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    fig = Image.open(out)
    assert fig.height > 2 * 180 and fig.width > 4 * 180 * 0.9   # two lines of four tiles, each 180 px high


def test_old_photo_figure_for_photos_as_users_bring_them(colorizer_weights, tmp_path):
    """--keep-aspect, --frame and --before-legacy-input: non-square photos on a paper frame, the before column
    with the input handling of releases before 2026-11-24; the input column shows what the model sees (no color)."""
    import subprocess
    import sys
    from pathlib import Path

    from PIL import Image

    from conftest import synthetic_photo
    root = tmp_path / "photos"
    root.mkdir()
    Image.fromarray(synthetic_photo(64, 128, 1)).save(root / "wide.png")
    out = tmp_path / "fig.png"
    r = subprocess.run([sys.executable, str(Path(__file__).resolve().parents[1] / "scripts/make_old_photo_figure.py"),
                        "--root", str(root), "wide.png", "--before", "effnet-unet", "--before-legacy-input", "--clean",
                        "--keep-aspect", "--frame", "230", "--size", "64", "-o", str(out)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    fig = np.asarray(Image.open(out).convert("RGB")).astype(int)
    first = fig[60:170, 10:200]  # inside the first tile (the input): gray, whatever the photo's colors
    assert np.abs(first[..., 0] - first[..., 2]).max() <= 2
