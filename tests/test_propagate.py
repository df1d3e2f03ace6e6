"""colorizer.propagate: a hint's correction spreads over its own region and stops at edges."""
import torch

from colorizer.hints import Hint, hint_ab, rasterize
from colorizer.propagate import PropagationSettings, propagate


def _two_regions(h=60, w=80):
    """Normalized L: a dark left half (L 30) and a bright right half (L 80), with a little texture."""
    g = torch.Generator().manual_seed(0)
    lum = torch.full((1, 1, h, w), 30.0)
    lum[..., w // 2:] = 80.0
    lum += torch.rand(1, 1, h, w, generator=g)  # 0-1 L units of noise, far below sigma
    return (lum - 50.0) / 100.0


def test_a_hint_colors_its_whole_region_and_not_the_other():
    l_norm = _two_regions()
    ab = torch.zeros(1, 2, 60, 80)  # the model said gray everywhere
    blue = Hint(10, 30, (0, 0, 255))
    planes = rasterize([blue], (80, 60), (60, 80))
    out = propagate(ab, l_norm, planes)
    target = hint_ab([blue])[0]
    left_far = out[0, :, 5:15, 28:36].mean(dim=(1, 2))   # same region, 20+ pixels from the hint
    right = out[0, :, :, 44:].abs().amax()
    assert torch.allclose(out[0, :, 30, 10], target, atol=0.05)            # the hint pixel holds its color
    assert torch.dot(left_far, target) / torch.dot(target, target) > 0.4   # well toward blue, 20+ px off
    assert right < 0.02                                                    # the edge stops it


def test_without_hints_the_colors_are_untouched():
    l_norm, ab = _two_regions(), torch.rand(2, 2, 60, 80) - 0.5
    assert torch.equal(propagate(ab, l_norm, torch.zeros(2, 3, 60, 80)), ab)
    assert torch.equal(propagate(ab, l_norm, rasterize([Hint(3, 3, (255, 0, 0))], (80, 60), (60, 80)),
                                 PropagationSettings(enabled=False)), ab)


def test_a_hint_moves_only_its_own_photo_in_a_batch():
    l_norm = _two_regions().repeat(2, 1, 1, 1)
    ab = torch.zeros(2, 2, 60, 80)
    planes = torch.cat([rasterize([Hint(10, 30, (255, 0, 0))], (80, 60), (60, 80)), torch.zeros(1, 3, 60, 80)])
    out = propagate(ab, l_norm, planes)
    assert out[0].abs().amax() > 0.3 and torch.equal(out[1], ab[1])
