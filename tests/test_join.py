"""The compiled full-resolution pixel work (colorizer.join) against the float reference (colorizer.color)."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from skimage import data

from colorizer.color import join_l_ab, normalize_l, srgb_u8_to_l
from colorizer.join import join, luminance

from conftest import synthetic_photo


def _reference(rgb: np.ndarray, ab: torch.Tensor) -> np.ndarray:
    """The float32 torch path: L from the photo, ab upsampled by F.interpolate, Lab -> sRGB, rounded."""
    t = torch.from_numpy(rgb).permute(2, 0, 1)[None]
    l_norm = normalize_l(srgb_u8_to_l(t))
    ab_up = F.interpolate(ab, size=rgb.shape[:2], mode="bilinear", align_corners=False)
    return (join_l_ab(l_norm, ab_up)[0] * 255).round().byte().permute(1, 2, 0).numpy()


@pytest.mark.parametrize("shape,small", [((90, 70), (9, 7)), ((300, 451), (31, 47)), ((5, 3), (1, 1)),
                                         ((257, 129), (257, 129))])
def test_join_matches_the_float_reference(shape, small):
    rng = np.random.default_rng(sum(shape))
    rgb = rng.integers(0, 256, shape + (3,), dtype=np.uint8)
    ab = torch.from_numpy(rng.uniform(-0.9, 0.9, (1, 2) + small).astype(np.float32))  # far out of gamut too
    ours, ref = join(rgb, ab).astype(int), _reference(rgb, ab).astype(int)
    diff = np.abs(ours - ref)
    assert diff.max() <= 1 and (diff > 0).sum() <= max(2, 0.01 * diff.size)


def test_join_on_a_photo_and_zero_ab_gives_the_photos_gray():
    rgb = data.astronaut()
    gray = join(rgb, np.zeros((2, 1, 1), np.float32))
    assert (gray.max(axis=2).astype(int) - gray.min(axis=2)).max() <= 1  # neutral, up to 8-bit rounding
    assert np.abs(gray.astype(int) - _reference(rgb, torch.zeros(1, 2, 1, 1)).astype(int)).max() <= 1
    # a gray photo comes back unchanged
    g = np.repeat(rgb[..., :1], 3, axis=2)
    assert np.abs(join(g, np.zeros((2, 1, 1), np.float32)).astype(int) - g).max() <= 1


def test_luminance_matches_the_float_reference_and_takes_read_only_arrays():
    rgb = synthetic_photo(123, 77)
    rgb.flags.writeable = False  # np.asarray(PIL image) is read-only
    ref = normalize_l(srgb_u8_to_l(torch.from_numpy(np.array(rgb)).permute(2, 0, 1)))[0].numpy()
    assert np.abs(luminance(rgb) - ref).max() < 1e-3  # 0.1 L units


def test_join_rejects_wrong_arrays():
    with pytest.raises(ValueError, match="uint8"):
        join(np.zeros((4, 4, 3), np.float32), np.zeros((2, 1, 1), np.float32))


def test_a_gray_photo_takes_the_one_channel_kernels_with_the_same_result():
    rng = np.random.default_rng(3)
    gray = rng.integers(0, 256, (61, 47), dtype=np.uint8)
    rgb = np.repeat(gray[:, :, None], 3, axis=2)
    ab = rng.uniform(-0.9, 0.9, (2, 7, 5)).astype(np.float32)
    assert np.abs(join(gray, ab).astype(int) - join(rgb, ab)).max() <= 1
    assert np.abs(luminance(gray) - luminance(rgb)).max() < 1e-3


@pytest.mark.parametrize("k", [2, 3, 8])
def test_luminance_averaged_over_blocks_is_the_mean_of_the_full_plane(k):
    rgb = synthetic_photo(50, 37)
    full = luminance(rgb).astype(np.float64)
    h, w = full.shape
    expected = np.array([[full[r * k:(r + 1) * k, c * k:(c + 1) * k].mean() for c in range(-(-w // k))]
                         for r in range(-(-h // k))])  # partial blocks at the edges average what they hold
    assert np.abs(luminance(rgb, k) - expected).max() < 1e-4


def test_a_new_process_loads_the_compiled_kernels_from_numbas_cache(tmp_path):
    """Every CLI call and every worker of a Space is a new process: its kernels must come from numba's cache (a
    fraction of a second), not be compiled again (ten seconds). A kernel that takes a function as an argument, or
    anything else numba cannot key its cache by, would compile in every process and pass every other test."""
    import os
    import subprocess
    import sys
    from pathlib import Path
    code = ("import colorizer.join as j; j.warm_up(); "
            "print(sum(sum(k.stats.cache_hits.values()) for k in (j._join_rows, j._l_rows, j._tone_rows)), "
            "sum(sum(k.stats.cache_misses.values()) for k in (j._join_rows, j._l_rows, j._tone_rows)))")
    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path), PYTHONPATH=str(root))
    said = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path,
                           timeout=300).stdout.split() for _ in range(2)]
    assert said[0] == ["0", "12"], said  # the first compiles all twelve (three kernels, gray / RGB, writable or not)
    assert said[1] == ["12", "0"], said  # the second compiles none
