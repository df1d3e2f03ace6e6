import numpy as np
import pytest
import torch
from skimage import color as skcolor

from colorizer.color import (denormalize_ab, denormalize_l, join_l_ab, lab_to_rgb, normalize_ab, normalize_l,
                             rgb_to_lab, rgb_to_model_input)


def _edge_colors() -> np.ndarray:
    corners = np.array([[r, g, b] for r in (0, 1) for g in (0, 1) for b in (0, 1)], dtype=np.float64)
    near_knee = np.array([[0.04045] * 3, [0.0404] * 3, [0.0405] * 3, [0.003] * 3, [1e-6] * 3, [0.5, 0.5, 0.5]])
    return np.concatenate([corners, near_knee])


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_rgb_to_lab_matches_skimage(dtype):
    rng = np.random.default_rng(0)
    rgb = np.concatenate([rng.random((500, 3)), _edge_colors()])[None]  # (1, N, 3)
    ours = rgb_to_lab(torch.tensor(rgb, dtype=dtype).permute(2, 0, 1)).permute(1, 2, 0).double().numpy()
    err = np.abs(ours - skcolor.rgb2lab(rgb))
    assert err.max() < 0.05, err.max(axis=(0, 1))


def test_lab_to_rgb_matches_skimage_including_out_of_gamut():
    rng = np.random.default_rng(1)
    lab = np.stack([rng.uniform(0, 100, 800), rng.uniform(-110, 110, 800), rng.uniform(-110, 110, 800)], -1)[None]
    lab[0, :3] = [[0, 0, 0], [100, 0, 0], [50, 127, -128]]
    ours = lab_to_rgb(torch.tensor(lab).permute(2, 0, 1)).permute(1, 2, 0).numpy()
    with np.errstate(all="ignore"):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = skcolor.lab2rgb(lab)
    # compare in Lab units, as the issue states the tolerance
    assert np.abs(skcolor.rgb2lab(ours) - skcolor.rgb2lab(ref)).max() < 0.05


def test_round_trip_and_batching():
    rgb = torch.rand(4, 3, 9, 7, dtype=torch.float64)
    back = lab_to_rgb(rgb_to_lab(rgb))
    assert torch.allclose(back, rgb, atol=1e-6)
    assert rgb_to_lab(rgb).shape == (4, 3, 9, 7)


def test_differentiable():
    rgb = torch.rand(2, 3, 5, 5, dtype=torch.float64, requires_grad=True)
    lab = rgb_to_lab(rgb)
    lab.sum().backward()
    assert torch.isfinite(rgb.grad).all()
    ab = torch.zeros(1, 2, 4, 4, requires_grad=True)
    join_l_ab(torch.zeros(1, 1, 4, 4), ab).sum().backward()
    assert torch.isfinite(ab.grad).all()


def test_normalization_is_inverse_and_in_range():
    lab = rgb_to_lab(torch.rand(1, 3, 16, 16))
    assert torch.allclose(denormalize_l(normalize_l(lab[:, :1])), lab[:, :1])
    assert torch.allclose(denormalize_ab(normalize_ab(lab[:, 1:])), lab[:, 1:])
    l, ab = rgb_to_model_input(torch.rand(2, 3, 8, 8))
    assert l.min() >= -0.5 and l.max() <= 0.5 and ab.abs().max() <= 1.0


def test_fast_l_from_uint8_equals_full_conversion():
    from colorizer.color import srgb_u8_to_l
    rgb = torch.randint(0, 256, (2, 3, 17, 13), dtype=torch.uint8)
    rgb[0, :, 0, :4] = torch.tensor([[0, 255, 10, 11]] * 3)
    exact = rgb_to_lab(rgb.double() / 255)[:, :1]
    assert (srgb_u8_to_l(rgb).double() - exact).abs().max() < 1e-3
