"""colorizer.hints: parsing and validation, rasterising, simulation from the ground truth."""
import json

import pytest
import torch

from colorizer import ColorizerError
from colorizer.color import rgb_to_model_input
from colorizer.hints import MAX_HINTS, Hint, hint_ab, parse_hints, rasterize, simulate


def test_parse_accepts_lists_dicts_json_and_hex():
    hints = parse_hints(json.dumps([[10, 5, [0, 0, 255]], {"x": 3.5, "y": 0, "color": "#ff0000", "radius": 2}]), 20, 10)
    assert hints == [Hint(10.0, 5.0, (0, 0, 255), 0), Hint(3.5, 0.0, (255, 0, 0), 2)]
    assert parse_hints(None, 5, 5) == [] and parse_hints("", 5, 5) == []


@pytest.mark.parametrize("raw, message", [
    ([[20, 5, [0, 0, 255]]], "outside the image"),
    ([[-1, 5, [0, 0, 255]]], "outside the image"),
    ([[1, 5, [0, 0, 256]]], "0 to 255"),
    ([[1, 5, [0, 0]]], "0 to 255"),
    ([[1, 5, "#12345"]], "#rrggbb"),
    ([[1, "a", [0, 0, 0]]], "must be a number"),
    ([[1, 2, [0, 0, 0], 999]], "radius"),
    ("[[1, 2,", "not valid JSON"),
    ({"x": 1}, "must be a list"),
    ([[1, 1, [0, 0, 0]]] * (MAX_HINTS + 1), f"at most {MAX_HINTS}"),
])
def test_bad_hints_raise_one_clear_error(raw, message):
    with pytest.raises(ColorizerError, match=message):
        parse_hints(raw, 20, 10)


def test_only_the_chroma_of_a_hint_is_used():
    dark, light = hint_ab([Hint(0, 0, (0, 0, 128)), Hint(0, 0, (0, 0, 255))])
    assert dark[1] < -0.3 and light[1] < -0.3  # both strongly blue (negative b)
    gray = hint_ab([Hint(0, 0, (90, 90, 90))])[0]
    assert gray.abs().max() < 0.01


def test_rasterize_maps_full_resolution_points_to_working_pixels():
    x = rasterize([Hint(999, 0, (255, 0, 0), 1)], (1000, 500), (50, 100))
    assert x.shape == (1, 3, 50, 100)
    assert x[0, 2].sum() == 4  # a 3x3 square cut to 2x2 by the image's top and right edges
    assert x[0, 2, 0, 99] == 1 and x[0, 0, 0, 99] > 0.3  # red: positive a


def test_simulated_hints_carry_the_true_color_and_are_often_absent():
    g = torch.Generator().manual_seed(0)
    rgb = torch.randint(0, 256, (64, 3, 1, 1), generator=g, dtype=torch.uint8).expand(64, 3, 16, 16).contiguous()
    _, ab = rgb_to_model_input(rgb)  # one color per photo: every patch average is that color
    h = simulate(ab, g)
    has = h[:, 2].flatten(1).amax(1) > 0
    assert 10 < int(has.sum()) < 54  # about half of the photos get none
    m = h[:, 2] > 0
    assert float((h[:, :2] - ab).abs().amax(1)[m].max()) < 1e-5


def test_simulated_hints_can_favour_where_color_changes():
    rgb = torch.zeros(32, 3, 16, 32, dtype=torch.uint8)
    rgb[:, 2] = 200
    rgb[:, :, :, 16:] = torch.tensor([200, 30, 30], dtype=torch.uint8).view(1, 3, 1, 1)  # blue | red
    _, ab = rgb_to_model_input(rgb)
    h = simulate(ab, torch.Generator().manual_seed(1), p_none=0.0, p_edge=1.0, max_patch=1)
    cols = h[:, 2].nonzero()[:, 2]
    assert float(((cols - 15.5).abs() < 2).float().mean()) > 0.9  # nearly all on the edge
