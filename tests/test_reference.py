"""Colours from a reference photo (colorizer.reference): a reference that shows the scene gives its colours, one
that does not changes nothing, a gray one is refused, the user's hints win, and the CLI, the evaluation's yardstick
and video take it. The shipped flagship colours; the photos are skimage's."""
import json
import subprocess
import sys

import numpy as np
import pytest
import torch
from PIL import Image
from skimage import data

from colorizer import ColorizerError
from colorizer.evaluation.metrics import psnr, to_lab
from colorizer.inference import Colorizer
from colorizer.reference import MatchSettings, Reference, with_user_hints
from conftest import ROOT


@pytest.fixture(scope="module")
def flagship():
    return Colorizer.load(ROOT / "weights" / "effnet-unet.safetensors")


def halves(photo: np.ndarray):
    """The yardstick's split: the right 5/8 of the photo as the input, the left 5/8 as its reference."""
    w = photo.shape[1]
    return np.ascontiguousarray(photo[:, 3 * w // 8:]), np.ascontiguousarray(photo[:, :5 * w // 8])


def test_a_gray_or_toned_reference_is_refused_with_a_reason(flagship):
    photo = data.chelsea()
    with pytest.raises(ColorizerError, match="reference photo is gray"):
        flagship.colorize(photo, reference=data.camera())
    sepia = (np.stack([photo.mean(2) * k for k in (1.0, 0.85, 0.65)], axis=2)).astype(np.uint8)
    with pytest.raises(ColorizerError, match="one tone"):
        flagship.colorize(photo, reference=sepia)
    with pytest.raises(ColorizerError, match="reference photo: "):
        flagship.colorize(photo, reference=b"not an image")


def test_a_reference_of_the_scene_gives_its_colours(flagship):
    inp, ref = halves(data.astronaut())
    auto = flagship.run(inp)
    refd = flagship.run(inp, reference=ref)
    assert auto.reference_taken is None and refd.reference_taken > 0.3
    assert psnr(np.asarray(refd.color), inp) > psnr(np.asarray(auto.color), inp) + 1.0
    # the part the reference shows comes out close to the truth
    seen = slice(0, inp.shape[1] // 3)
    err = [np.abs(to_lab(np.asarray(r.color)[:, seen])[..., 1:] - to_lab(inp[:, seen])[..., 1:]).mean() for r in (auto, refd)]
    assert err[1] < 0.6 * err[0]  # 8.3 against 15.9 (ab units) when written


def test_an_unrelated_reference_changes_nothing(flagship):
    inp = halves(data.astronaut())[0]
    rng = np.random.default_rng(0)
    for other in (data.coffee(), (rng.random((200, 300, 3)) * 255).astype(np.uint8)):
        r = flagship.run(inp, reference=other)
        assert r.reference_taken == 0.0
        assert np.array_equal(np.asarray(r.color), np.asarray(flagship.run(inp).color))


def test_a_hint_wins_over_the_reference_where_it_is(flagship):
    inp, ref = halves(data.astronaut())
    h, w = inp.shape[:2]
    x, y = w // 6, h // 2  # inside the part the reference shows
    hinted = flagship.run(inp, reference=ref, hints=[[x, y, [0, 200, 0]]])
    plain = flagship.run(inp, reference=ref)
    a_hint = to_lab(np.asarray(hinted.color)[y - 2:y + 3, x - 2:x + 3])[..., 1].mean()
    a_plain = to_lab(np.asarray(plain.color)[y - 2:y + 3, x - 2:x + 3])[..., 1].mean()
    assert a_hint < a_plain - 10  # greener (a lower) where the green hint is


def test_user_hints_clear_the_reference_around_them():
    ref = torch.zeros(1, 3, 32, 32)
    ref[:, 2] = 1.0
    user = torch.zeros(1, 3, 32, 32)
    user[0, :, 16, 16] = torch.tensor([0.5, -0.5, 1.0])
    both = with_user_hints(ref, user, MatchSettings(hint_clearance=1 / 8))
    assert both[0, 2, 16, 16] == 1 and both[0, 0, 16, 16] == 0.5
    assert both[0, 2, 14, 14] == 0 and both[0, 2, 0, 0] == 1
    assert with_user_hints(None, user, MatchSettings()) is user and with_user_hints(ref, None, MatchSettings()) is ref


def test_one_reference_serves_many_photos_and_keeps_its_features(flagship):
    inp, ref = halves(data.astronaut())
    r = Reference.load(ref)
    outs = flagship.colorize_arrays([inp, inp[:, ::-1].copy()], reference=r)
    assert len(outs) == 2 and len(r._at) == 1


def test_video_takes_one_reference_for_a_clip(flagship):
    from colorizer.video.stream import _colorized, references
    from colorizer.video.temporal import TemporalSettings
    photo = data.astronaut()
    frames = [np.ascontiguousarray(photo[100 + 2 * i:196 + 2 * i, 150:278].mean(2).astype(np.uint8)) for i in range(4)]
    ref = np.ascontiguousarray(photo[60:260, 60:330])
    plain = [c for _, c in _colorized(flagship, iter(frames), None, None, TemporalSettings())]
    refd = [c for _, c in _colorized(flagship, iter(frames), None, None, TemporalSettings(), ref)]
    truth = [photo[100 + 2 * i:196 + 2 * i, 150:278] for i in range(4)]
    assert np.mean([psnr(a, t) for a, t in zip(refd, truth)]) > np.mean([psnr(a, t) for a, t in zip(plain, truth)]) + 0.5
    assert sorted(references({5: ref, "0": ref})) == [0, 5]
    with pytest.raises(ColorizerError, match="frame index"):
        references({"first": ref})


def test_command_line_reference(tmp_path):
    inp, ref = halves(data.astronaut())
    Image.fromarray(inp.mean(2).astype(np.uint8)).save(tmp_path / "old.png")
    Image.fromarray(ref).save(tmp_path / "ref.jpg")
    Image.fromarray(data.camera()).save(tmp_path / "gray_ref.png")
    cmd = [sys.executable, "-m", "colorizer", "colorize", str(tmp_path / "old.png"), "-o", str(tmp_path / "out")]
    missing = subprocess.run(cmd + ["--reference", str(tmp_path / "nope.jpg")], capture_output=True, text=True, cwd=ROOT)
    assert missing.returncode == 2 and "--reference" in missing.stderr and "no such file" in missing.stderr
    gray = subprocess.run(cmd + ["--reference", str(tmp_path / "gray_ref.png")], capture_output=True, text=True, cwd=ROOT)
    assert gray.returncode == 2 and "reference photo is gray" in gray.stderr
    ok = subprocess.run(cmd + ["--reference", str(tmp_path / "ref.jpg")], capture_output=True, text=True, cwd=ROOT)
    assert ok.returncode == 0, ok.stderr
    out = np.asarray(Image.open(tmp_path / "out" / "old_colorized.png").convert("RGB"))
    auto = np.asarray(Colorizer.load(ROOT / "weights" / "effnet-unet.safetensors").colorize(tmp_path / "old.png"))
    assert psnr(out, inp) > psnr(auto, inp) + 1.0


def test_evaluate_reference_crops_prints_the_rows(tmp_path):
    for i, photo in enumerate((data.astronaut(), data.coffee(), data.chelsea())):
        Image.fromarray(photo).save(tmp_path / f"{i}.png")
    r = subprocess.run([sys.executable, "-m", "colorizer", "evaluate", str(tmp_path), "--reference", "crops",
                        "--json", str(tmp_path / "r.json")], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    for row in ("gray", "automatic", "referenced", "unrelated", "referenced - automatic", "unrelated - automatic"):
        assert row in r.stdout
    res = next(iter(json.loads((tmp_path / "r.json").read_text())["results"].values()))
    assert res["referenced"]["psnr"] > res["automatic"]["psnr"] and res["referenced"]["images"] == 3
