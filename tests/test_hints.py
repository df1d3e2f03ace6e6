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


# ---------------------------------------------------------------- the model, the library, the CLI
import numpy as np  # noqa: E402

from colorizer import create_model  # noqa: E402
from colorizer.checkpoints import warm_start, save_checkpoint  # noqa: E402
from conftest import synthetic_photo  # noqa: E402


def test_hint_model_warm_started_from_an_automatic_one_starts_identical(tmp_path):
    torch.manual_seed(0)
    auto = create_model("effnet-unet", decoder_channels=[32, 24, 16]).eval()
    save_checkpoint(tmp_path / "auto.safetensors", auto, {"working_size": 64})
    hinted = create_model("effnet-unet", decoder_channels=[32, 24, 16], hints=True).eval()
    done = warm_start(hinted, tmp_path / "auto.safetensors")
    assert set(done["grown_tensors"]) == {"encoder.conv_stem.weight", "up3.conv.0.0.weight"}
    l = torch.rand(1, 1, 37, 53) - 0.5  # odd sizes: the stride-4 hint pooling must match the skip's shape
    h = torch.zeros(1, 3, 37, 53)
    h[0, :, 5:8, 5:8] = torch.tensor([0.4, -0.3, 1.0]).view(3, 1, 1)
    with torch.no_grad():
        ref = auto(l)["logits"]
        assert torch.allclose(hinted(l)["logits"], ref, atol=1e-5)        # no hints: the automatic model
        assert torch.allclose(hinted(l, h)["logits"], ref, atol=1e-5)     # zero-initialised hint weights


def test_automatic_architectures_refuse_a_hint_input():
    with pytest.raises(ValueError, match="without a hint input"):
        create_model("effnet-unet", decoder_channels=[32, 24, 16])(torch.zeros(1, 1, 32, 32), torch.zeros(1, 3, 32, 32))


def test_library_hints_change_the_colors_near_them(colorizer_weights):
    from colorizer import Colorizer
    c = Colorizer.load("effnet-unet", backend="torch")
    assert c.accepts_hints and c.metadata["arch_kwargs"].get("hints")
    photo = synthetic_photo(60, 80)
    plain = np.asarray(c.colorize(photo, size=64)).astype(int)
    hinted = np.asarray(c.colorize(photo, size=64, hints=[[40, 30, [0, 0, 255]], {"x": 5, "y": 5, "color": "#ff0000"}])).astype(int)
    assert hinted.shape == plain.shape and np.abs(hinted - plain).max() > 0
    again = np.asarray(c.colorize(photo, size=64, hints=json.dumps([[40, 30, [0, 0, 255]], [5, 5, "#ff0000"]]))).astype(int)
    assert np.array_equal(again, hinted)  # JSON text and lists mean the same
    assert np.array_equal(np.asarray(c.colorize(photo, size=64, hints=[])).astype(int), plain)
    r = c.run(photo, size=64, hints=[[40, 30, [0, 0, 255]]])
    assert r.color.size == (80, 60)


def test_library_hint_errors_are_clear(colorizer_weights):
    from colorizer import Colorizer
    photo = synthetic_photo(60, 80)
    c = Colorizer.load("effnet-unet", backend="torch")
    with pytest.raises(ColorizerError, match="outside the image"):
        c.colorize(photo, size=64, hints=[[80, 10, [0, 0, 255]]])
    with pytest.raises(ColorizerError, match="at most 256"):
        c.colorize(photo, size=64, hints=[[1, 1, [0, 0, 255]]] * 257)
    seed = Colorizer.load("resnet-mid")
    assert not seed.accepts_hints
    with pytest.raises(ColorizerError, match="does not take color hints"):
        seed.colorize(photo, size=64, hints=[[1, 1, [0, 0, 255]]])
    assert seed.colorize(photo, size=64, hints=[]).size == (80, 60)  # no hints: fine for any model


def test_suggest_returns_distinct_likely_colors_at_the_pixels_lightness(colorizer_weights):
    from colorizer import Colorizer
    from colorizer.color import rgb_to_lab
    c = Colorizer.load("effnet-unet", backend="torch")
    photo = synthetic_photo(60, 80)
    out = c.suggest(photo, 10, 20, k=5, size=64)
    assert len(out) == 5 and all(set(s) == {"rgb", "hex", "p"} for s in out)
    ps = [s["p"] for s in out]
    assert ps == sorted(ps, reverse=True) and all(0 < p <= 1 for p in ps)
    assert len({s["hex"] for s in out}) == 5
    lum = lambda rgb: float(rgb_to_lab(torch.tensor(rgb, dtype=torch.float32).view(3, 1, 1) / 255)[0])  # noqa: E731
    target = lum(tuple(int(v) for v in photo[20, 10]))
    # in-gamut suggestions keep the pixel's lightness (clipping may move saturated ones a little)
    assert min(abs(lum(s["rgb"]) - target) for s in out) < 3
    with pytest.raises(ColorizerError, match="outside the image"):
        c.suggest(photo, 80, 0)
    with pytest.raises(ColorizerError, match="distribution"):
        Colorizer.load("resnet-mid").suggest(photo, 1, 1)


def test_onnx_export_carries_the_hint_input(colorizer_weights):
    from colorizer import Colorizer
    onnx = Colorizer.load("effnet-unet", backend="onnx")
    torch_c = Colorizer.load("effnet-unet", backend="torch")
    assert onnx.backend == "onnxruntime" and onnx.accepts_hints
    photo = synthetic_photo(60, 80)
    hints = [[40, 30, [0, 0, 255]]]
    a = np.asarray(onnx.colorize(photo, size=64, hints=hints)).astype(int)
    b = np.asarray(torch_c.colorize(photo, size=64, hints=hints)).astype(int)
    assert np.abs(a - b).max() <= 3


def test_cli_hints_file(colorizer_weights, tmp_path):
    from test_cli import run
    from PIL import Image
    Image.fromarray(synthetic_photo(30, 40)).save(tmp_path / "a.png")
    (tmp_path / "h.json").write_text(json.dumps([[10, 10, [0, 0, 255]]]))
    out = tmp_path / "out"
    r = run(["colorize", str(tmp_path / "a.png"), "-o", str(out), "--hints", str(tmp_path / "h.json"), "--size", "48"],
            colorizer_weights)
    assert r.returncode == 0, r.stderr
    plain = run(["colorize", str(tmp_path / "a.png"), "-o", str(tmp_path / "plain"), "--size", "48"], colorizer_weights)
    assert plain.returncode == 0
    assert not np.array_equal(np.asarray(Image.open(out / "a_colorized.png")),
                              np.asarray(Image.open(tmp_path / "plain" / "a_colorized.png")))
    (tmp_path / "bad.json").write_text(json.dumps([[99, 10, [0, 0, 255]]]))
    r = run(["colorize", str(tmp_path / "a.png"), "-o", str(out), "--overwrite", "--hints", str(tmp_path / "bad.json")], colorizer_weights)
    assert r.returncode == 1 and "outside the image" in r.stderr
    r = run(["colorize", str(tmp_path / "a.png"), "-o", str(out), "--overwrite", "--hints", str(tmp_path / "h.json"),
             "--checkpoint", "resnet-mid"], colorizer_weights)
    assert r.returncode == 1 and "does not take color hints" in r.stderr
    (tmp_path / "broken.json").write_text("[[1, 2")
    r = run(["colorize", str(tmp_path / "a.png"), "-o", str(out), "--overwrite", "--hints", str(tmp_path / "broken.json")], colorizer_weights)
    assert r.returncode == 2 and "not valid JSON" in r.stderr


def test_evaluate_with_simulated_hints(colorizer_weights, tmp_path):
    from colorizer.evaluation.evaluate import evaluate_hints, hints_table, sample_hints
    truth = synthetic_photo(32, 32)
    a, b = sample_hints(truth, 5, seed=3), sample_hints(truth, 5, seed=3)
    assert a == b and len(a) == 5 and all(0 <= h[0] < 32 and 0 <= h[1] < 32 for h in a)
    folder = tmp_path / "photos"
    folder.mkdir()
    for i in range(3):
        from PIL import Image
        Image.fromarray(synthetic_photo(40, 40, seed=i)).save(folder / f"{i}.png")
    res = evaluate_hints(folder, ["effnet-unet", "resnet-mid"], counts=(0, 2, 10), size=32, progress=False)
    assert set(res["effnet-unet"]) == {0, 2, 10} and set(res["resnet-mid"]) == {0}  # a seed: automatic only
    assert "| effnet-unet | PSNR |" in hints_table(res)
