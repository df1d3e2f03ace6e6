"""Tone restoration (colorizer.restore): the curves' arithmetic, the identity before training, loading, the
pipeline's restore switch, and a short real training run that continues from its committed state."""
import json

import numpy as np
import pytest
import torch

from colorizer import ColorizerError
from colorizer.checkpoints import load_checkpoint
from colorizer.color import l_to_gray_u8, lab_to_rgb
from colorizer.inference import Colorizer
from colorizer.join import luminance, tone_gray
from colorizer.restore import Restorer, ToneConfig, ToneNet, apply_tone, save_tone, view_shape
from colorizer.train.tone import ToneTrainConfig, train

from conftest import synthetic_photo


def test_apply_tone_is_an_affine_curve_around_mid_gray():
    lum = torch.linspace(0, 100, 11).view(1, 1, 1, 11)
    params = torch.tensor([float(np.log(2.0)), 5.0]).view(1, 2, 1, 1)  # contrast doubled, shifted up by 5
    out = apply_tone(lum, params)
    expect = (50 + 2 * (lum - 50) + 5).clamp(0, 100)
    assert torch.allclose(out, expect)
    assert apply_tone(lum, torch.zeros(1, 2, 3, 3)).equal(lum)  # zero curves leave the tone alone


def test_gray_level_of_a_lightness_matches_the_full_conversion():
    lum = torch.linspace(0, 100, 2001)
    lab = torch.stack([lum, torch.zeros_like(lum), torch.zeros_like(lum)])[:, None, :]
    ref = (lab_to_rgb(lab)[0, 0] * 255).round().to(torch.uint8)
    assert (l_to_gray_u8(lum).int() - ref.int()).abs().max() <= 1


@pytest.mark.parametrize("shape", [(37, 53), (40, 30, 3)])
def test_compiled_tone_pass_matches_the_float_reference(shape):
    rng = np.random.default_rng(0)
    px = rng.integers(0, 256, shape, dtype=np.uint8)
    params = torch.stack([torch.randn(5, 7) * 0.4, torch.randn(5, 7) * 15])[None]  # gain and offset, mixed signs
    lum = torch.from_numpy(luminance(px)) * 100 + 50
    expect = l_to_gray_u8(apply_tone(lum[None, None], params)[0, 0]).numpy()
    got = tone_gray(px, params)
    assert got.shape == shape[:2] and got.dtype == np.uint8
    diff = np.abs(got.astype(int) - expect.astype(int))
    assert diff.max() <= 1 and (diff > 0).mean() < 0.01  # float rounding at most one level, rarely
    assert np.array_equal(tone_gray(px, torch.zeros(1, 2, 2, 2)), l_to_gray_u8(lum).numpy())  # no curve: the photo's gray


@pytest.mark.parametrize("h,w", [(48, 64), (1000, 3000), (3000, 200), (20, 20)])
def test_view_shape_follows_the_aspect_on_the_encoders_grid(h, w):
    cfg = ToneConfig()
    vh, vw = view_shape(h, w, cfg)
    assert vh % 32 == 0 and vw % 32 == 0 and max(vh, vw) <= cfg.max_side and min(vh, vw) >= 32
    if max(h, w) / min(h, w) < 3:
        assert abs(vw / vh - w / h) < 0.35 * w / h


def test_an_untrained_tone_model_is_the_identity():
    r = Restorer(ToneNet())
    gray = synthetic_photo(60, 80, seed=3)
    out = r.restore_pixels(gray)
    lum = r.restore_pixels(gray.mean(axis=2).astype(np.uint8))
    assert out.shape == (60, 80) and out.dtype == np.uint8 and lum.shape == (60, 80)
    expect = l_to_gray_u8(torch.from_numpy(luminance(gray)) * 100 + 50).numpy()
    assert np.abs(out.astype(int) - expect).max() <= 1


def test_restore_pixels_refuses_what_is_not_a_photo():
    r = Restorer(ToneNet())
    with pytest.raises(ColorizerError, match="uint8"):
        r.restore_pixels(np.zeros((8, 8), np.float32))


def test_a_colorizer_checkpoint_is_not_a_tone_model(colorizer_weights):
    with pytest.raises(ColorizerError, match="tone-restoration"):
        Restorer.load(colorizer_weights / "effnet-unet.safetensors")


def test_tone_checkpoint_round_trip(tmp_path):
    torch.manual_seed(0)
    m = ToneNet()
    torch.nn.init.normal_(m.head.weight, std=0.05)
    save_tone(tmp_path / "tone.safetensors", m, {"task": "tone restoration"})
    r = Restorer.load(tmp_path / "tone.safetensors")
    x = torch.rand(1, 1, 64, 96) * 100
    assert r.metadata["dtype"] == "float16"  # stored small; the rounding moves L by far less than a gray level
    assert (r.restore_lum(x) - Restorer(m).restore_lum(x)).abs().max() < 0.4  # one 8-bit gray level is about 0.4


def test_colorizer_restores_only_when_asked_or_released_so(colorizer_weights, tmp_path):
    torch.manual_seed(0)
    m = ToneNet()
    torch.nn.init.constant_(m.head.bias, 0.5)  # brightens every photo: a visible, known change
    save_tone(colorizer_weights / "tone.safetensors", m, {"task": "tone restoration"})
    photo = synthetic_photo(64, 80, seed=5)
    try:
        assert "tone" not in [e["name"] for e in Colorizer.available()]  # not a colorizer to list or evaluate
        c = Colorizer.load("effnet-unet", backend="torch")
        assert not c.restore_default
        plain = c.colorize_arrays([photo])[0]
        restored = c.colorize_arrays([photo], restore=True)[0]
        again = c.colorize_arrays([photo])[0]  # asking once does not change the default
        assert np.array_equal(plain, again)
        assert restored.astype(float).mean() > plain.astype(float).mean() + 5
        on = Colorizer.load("effnet-unet", backend="torch", restore=True)
        assert on.restore_default
        assert np.array_equal(on.colorize_arrays([photo])[0], restored)
        assert np.array_equal(on.colorize_arrays([photo], restore=False)[0], plain)
    finally:
        (colorizer_weights / "tone.safetensors").unlink()


def test_restore_without_a_tone_model_says_what_is_missing(colorizer_weights):
    c = Colorizer.load("effnet-unet", backend="torch")
    with pytest.raises(ColorizerError, match="tone.safetensors"):
        c.colorize_arrays([synthetic_photo()], restore=True)


def test_tone_training_learns_and_continues_from_its_committed_state(image_folder, tmp_path):
    state = tmp_path / "state"
    cfg = ToneTrainConfig(data=str(image_folder), val_data="", state_dir=str(state), out="",
                          steps=2, batch_size=4, size=32, warmup_steps=1, checkpoint_every=2, workers=0, threads=1)
    assert train(cfg) == 0  # a first stretch
    pos = json.loads((state / "position.json").read_text())
    assert pos["step"] == 2
    cfg.steps, cfg.out = 4, str(tmp_path / "tone.safetensors")
    assert train(cfg) == 0  # continued from the state folder alone, to the end, where the average is written
    pos = json.loads((state / "position.json").read_text())
    assert pos["step"] == 4 and [s["end_step"] for s in pos["stretches"]] == [2, 4]
    model, meta = load_checkpoint(tmp_path / "tone.safetensors", build=lambda arch, **kw: ToneNet(**kw))
    assert meta["arch"] == "tone-net" and meta["training"]["steps"] == 4
    assert any(float(p.abs().sum()) > 0 for p in (model.head.weight, model.head.bias))  # it moved off the identity


def test_tone_training_can_start_a_new_schedule_from_a_trained_model(image_folder, tmp_path):
    first = tmp_path / "first.safetensors"
    cfg = ToneTrainConfig(data=str(image_folder), val_data="", state_dir=str(tmp_path / "a"), out=str(first),
                          steps=2, batch_size=4, size=32, warmup_steps=1, checkpoint_every=2, workers=0, threads=1)
    assert train(cfg) == 0
    start, _ = load_checkpoint(first, build=lambda arch, **kw: ToneNet(**kw))
    cfg = ToneTrainConfig(**{**vars(cfg), "state_dir": str(tmp_path / "b"), "out": "", "init_from": str(first),
                             "lr": 0.0, "lr_encoder": 0.0, "steps": 1})
    assert train(cfg) == 0  # no learning: the new run's weights are the ones it started from
    model, meta = load_checkpoint(tmp_path / "b" / "model.safetensors", build=lambda arch, **kw: ToneNet(**kw))
    assert torch.allclose(model.head.weight, start.head.weight.to(model.head.weight.dtype))
    assert meta["training"]["warm_start"]["path"] == str(first)
    assert meta["training"]["warm_start"]["lineage"][0]["steps"] == 2  # what it started from stays on record


def test_cli_restore_flags():
    from colorizer.__main__ import build_parser
    p = build_parser()
    assert p.parse_args(["colorize", "a.jpg", "-o", "out"]).restore is None  # as the checkpoint's release chose
    assert p.parse_args(["colorize", "a.jpg", "-o", "out", "--no-restore"]).restore is False
    assert p.parse_args(["evaluate", "dir", "--restore"]).restore is True
    with pytest.raises(SystemExit):
        p.parse_args(["evaluate", "dir", "--restore", "--no-restore"])
