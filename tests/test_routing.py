"""colorizer.routing: the old-print judgement, its training, and a checkpoint that sends photos which do not
look like old prints to its clean-photo partner."""
from __future__ import annotations

import shutil

import numpy as np
import pytest
import torch
from skimage import data as skdata

from PIL import Image

from colorizer import Colorizer
from colorizer.checkpoints import update_metadata
from colorizer.errors import ColorizerError
from colorizer.routing import ANALYSIS_SIDE, OldPrintDetector, PrintNet, analysis_view, save_detector
from tests.conftest import synthetic_photo


def constant_detector(path, old: bool) -> None:
    """A detector whose answer its head's bias fixes: every photo an old print, or none."""
    torch.manual_seed(0)
    net = PrintNet(width=4)
    with torch.no_grad():
        net.head.weight.zero_()
        net.head.bias.fill_(30.0 if old else -30.0)
    save_detector(path, net, {"kind": "old-print detector"})


def test_the_judgement_reads_any_photo_size_and_refuses_a_bad_threshold(tmp_path):
    constant_detector(tmp_path / "d.safetensors", old=True)
    det = OldPrintDetector.load(tmp_path / "d.safetensors")
    for lum in (torch.full((40, 50), 37.0), torch.rand(9, 300) * 100, torch.rand(700, 500) * 100):
        assert det.probability(lum) == pytest.approx(1.0)
    assert tuple(analysis_view(torch.rand(700, 500) * 100).shape[-2:]) == (round(700 * ANALYSIS_SIDE / 500), ANALYSIS_SIDE)
    with pytest.raises(ColorizerError, match="threshold"):
        OldPrintDetector.load(tmp_path / "d.safetensors", threshold=1.5)


def test_a_colorizer_checkpoint_is_not_taken_for_a_detector(weights_dir):
    with pytest.raises(ColorizerError, match="not an old-print detector"):
        OldPrintDetector.load(weights_dir / "effnet-unet.safetensors")


def test_training_the_judgement_learns_and_writes_a_checkpoint_that_loads(tmp_path):
    """`python train.py old-print` end to end on a tiny folder: the loss falls, the photos it learned from
    score higher aged than clean, and the checkpoint carries its own validation."""
    from colorizer.train.old_print import PrintTrainConfig, train
    root = tmp_path / "photos"
    (root / "a").mkdir(parents=True)
    for i, im in enumerate((skdata.astronaut(), skdata.coffee(), skdata.chelsea(), skdata.rocket())):
        for j, (y, x) in enumerate(((0, 0), (100, 100))):
            Image.fromarray(im[y:y + 256, x:x + 256]).save(root / "a" / f"{i}-{j}.png")
    out = tmp_path / "judge.safetensors"
    report = train(PrintTrainConfig(data=str(root), val_data=str(root), out=str(out), photos=8, epochs=12,
                                    batch_size=8, crop=96, width=8, lr=5e-3, val_images=8))
    assert report["images"] == 8 and 0.0 <= report["clean_to_old_print"] <= 1.0
    assert report["loss_last_epoch"] < report["loss_first_epoch"]
    assert report["auc"] > 0.5
    assert OldPrintDetector.load(out).metadata["val"] == report


def test_real_old_photographs_join_the_judgements_positives_and_its_validation(tmp_path):
    """--real-old: real old photographs (any size and aspect) are positives as they are; --real-val and
    --clean-val report the share of each called old."""
    from colorizer.train.old_print import PrintTrainConfig, train
    root, real = tmp_path / "photos", tmp_path / "historical"
    (root / "a").mkdir(parents=True)
    (real / "plates").mkdir(parents=True)
    for i, im in enumerate((skdata.astronaut(), skdata.coffee(), skdata.chelsea(), skdata.rocket())):
        Image.fromarray(im[:256, :256]).save(root / "a" / f"{i}.png")
        grainy = (im[:240, :300].astype(float) + np.random.default_rng(i).normal(0, 12, im[:240, :300].shape))
        Image.fromarray(grainy.clip(0, 255).astype(np.uint8)).save(real / "plates" / f"pg_img{i}.png")
    out = tmp_path / "judge.safetensors"
    report = train(PrintTrainConfig(data=str(root), val_data=str(root), out=str(out), photos=4, epochs=8, batch_size=8,
                                    crop=96, width=8, lr=5e-3, val_images=4, real_old=str(real), real_val=str(real),
                                    clean_val=str(root), analysis_side=128, clean_share=0.25))
    assert report["real_old_images"] == 4 and report["clean_unseen_images"] == 4
    assert 0.0 <= report["real_old_to_old_print"] <= 1.0 and 0.0 <= report["auc_real_vs_clean"] <= 1.0
    judge = OldPrintDetector.load(out)
    assert judge.metadata["training"]["real_old"] == str(real)
    assert judge.side == 128 and report["threshold"] == pytest.approx(judge.metadata["threshold"])  # read at its own scale
    assert report["clean_to_old_print"] <= 0.25  # the threshold chosen on val's clean photos holds there


@pytest.fixture
def routed_weights(weights_dir, tmp_path, monkeypatch):
    """effnet-unet naming a partner, 'clean-partner' (another effnet-unet), and a judgement, 'old-print',
    in a weights folder of its own."""
    import colorizer.inference as inf
    d = tmp_path / "weights"
    d.mkdir()
    shutil.copy(weights_dir / "effnet-unet.safetensors", d / "effnet-unet.safetensors")
    shutil.copy(weights_dir / "ensemble.safetensors", d / "clean-partner.safetensors")
    monkeypatch.setattr(inf, "WEIGHTS_DIR", d)

    def route(old: bool):
        constant_detector(d / "old-print.safetensors", old)
        update_metadata(d / "effnet-unet.safetensors",
                        {"clean_partner": {"checkpoint": "clean-partner", "detector": "old-print", "threshold": 0.5}})
    return d, route


@pytest.mark.parametrize("old", [True, False])
def test_a_photo_goes_to_the_network_its_look_calls_for(routed_weights, old):
    d, route = routed_weights
    route(old)
    photo = synthetic_photo(48, 64, seed=3)
    c = Colorizer.load("effnet-unet", backend="torch")
    r = c.run(photo)
    want = "effnet-unet" if old else "clean-partner"
    assert r.model == want and (r.old_print > 0.5) == old
    alone = Colorizer.load(d / f"{want}.safetensors", backend="torch", route=False)
    assert np.array_equal(np.asarray(r.color), alone.colorize_arrays([photo])[0])
    assert Colorizer.load("effnet-unet", backend="torch", route=False).run(photo).model == "effnet-unet"


def test_a_batch_is_split_between_the_networks_and_kept_in_order(routed_weights):
    from colorizer.imageio import load_image
    d, route = routed_weights
    route(False)
    c = Colorizer.load("effnet-unet", backend="torch")
    photos = [synthetic_photo(48, 64, seed=s) for s in range(3)]
    loaded = [load_image(p) for p in photos]
    for i, im in enumerate(loaded):
        im.name = str(i)
    c.route_for = lambda im: (c if im.name == "1" else c.partner, 0.0)  # the second photo reads as an old print
    out = c.colorize_arrays(loaded)
    alone = Colorizer.load("effnet-unet", backend="torch", route=False)
    partner = Colorizer.load(d / "clean-partner.safetensors", backend="torch")
    assert np.array_equal(out[1], alone.colorize_arrays([photos[1]])[0])
    for i in (0, 2):
        assert np.array_equal(out[i], partner.colorize_arrays([photos[i]])[0])


def test_a_missing_partner_is_named(routed_weights):
    d, route = routed_weights
    route(False)
    (d / "clean-partner.safetensors").unlink()
    with pytest.raises(ColorizerError, match="clean-partner"):
        Colorizer.load("effnet-unet", backend="torch")


def test_a_toned_print_counts_as_an_old_print_outright(routed_weights):
    d, route = routed_weights
    route(False)  # the detector would call every photo clean
    gray = synthetic_photo(48, 64, seed=5).mean(axis=2, keepdims=True)
    sepia = (gray * np.array([1.0, 0.85, 0.65])).clip(0, 255).astype(np.uint8)
    c = Colorizer.load("effnet-unet", backend="torch")
    r = c.run(sepia)
    assert r.model == "effnet-unet" and r.old_print == 1.0
    assert c.run(gray.repeat(3, axis=2).astype(np.uint8)).model == "clean-partner"


def test_the_page_says_which_network_colorized_a_routed_photo():
    from colorizer.demo.page import summary
    base = {"name": "effnet-unet", "arch": "effnet-unet", "backend": "onnxruntime", "full_size": (64, 48),
            "working_size": 192, "seconds": 0.1, "hints": [], "metrics": {}, "original": None}
    assert "read as" not in summary({**base, "model": "effnet-unet", "old_print": None})
    assert "read as an old print (old-print score 0.91)" in summary({**base, "model": "effnet-unet", "old_print": 0.91})
    assert "a clean photo, colorized by partner (old-print score 0.12)" in summary(
        {**base, "model": "partner", "old_print": 0.12})


def test_a_clip_goes_to_one_network_judged_on_its_first_frame(routed_weights):
    from colorizer.video.stream import _colorized
    d, route = routed_weights
    route(False)
    frames = [synthetic_photo(48, 64, seed=s).mean(axis=2).astype(np.uint8) for s in range(3)]
    routed = [out for _, out in _colorized(Colorizer.load("effnet-unet", backend="torch"), iter(frames), None, None, None)]
    partner = Colorizer.load(d / "clean-partner.safetensors", backend="torch")
    alone = [out for _, out in _colorized(partner, iter(frames), None, None, None)]
    assert all(np.array_equal(a, b) for a, b in zip(routed, alone))


def test_a_partner_is_part_of_its_release_not_a_choice_of_its_own(routed_weights):
    d, route = routed_weights
    route(False)
    names = [e["name"] for e in Colorizer.available()]
    assert names[0] == "effnet-unet" and "clean-partner" not in names and "old-print" not in names
    assert Colorizer.load("clean-partner", backend="torch").name == "clean-partner"  # still loads by name

