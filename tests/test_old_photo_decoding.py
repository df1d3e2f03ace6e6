"""One checkpoint, two decodings: photos judged old (a toned print, or the old-print judgement at or above its
threshold) are decoded with the settings the checkpoint's "old_photo" entry names; every other photo keeps the
checkpoint's own. The library, the page and the evaluation say which was used and why."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from colorizer import Colorizer
from colorizer.checkpoints import update_metadata
from colorizer.decoding import DecodeSettings
from colorizer.errors import ColorizerError
from colorizer.imageio import load_image
from tests.conftest import synthetic_photo
from tests.test_routing import constant_detector


@pytest.fixture
def two_decodings(weights_dir, tmp_path, monkeypatch):
    """effnet-unet whose old-photo decoding has gain 0 (old photos come out gray: easy to tell apart), judged
    by a detector that calls every photo old, or none."""
    import colorizer.inference as inf
    d = tmp_path / "weights"
    d.mkdir()
    shutil.copy(weights_dir / "effnet-unet.safetensors", d / "effnet-unet.safetensors")
    monkeypatch.setattr(inf, "WEIGHTS_DIR", d)

    def judge(old: bool, threshold: float = 0.5):
        constant_detector(d / "old-print.safetensors", old)
        update_metadata(d / "effnet-unet.safetensors", {"old_photo": {
            "decode": {**DecodeSettings().as_dict(), "gain": 0.0}, "detector": "old-print", "threshold": threshold}})
    return d, judge


def chroma(rgb) -> float:
    a = np.asarray(rgb, dtype=np.int16)
    return float(np.abs(a - a.mean(axis=2, keepdims=True)).max())


@pytest.mark.parametrize("old", [True, False])
def test_a_photo_gets_the_decoding_its_look_calls_for(two_decodings, old):
    _, judge = two_decodings
    judge(old)
    gray = synthetic_photo(48, 64, seed=3).mean(axis=2).astype(np.uint8)
    c = Colorizer.load("effnet-unet", backend="torch")
    r = c.run(gray)
    assert r.decoded_as == ("old photo" if old else "photo")
    assert ("old-print score 1.00 >= 0.5" if old else "old-print score 0.00 < 0.5") in r.why
    assert (chroma(r.color) <= 1) == old  # gain 0: an old photo stays gray; the random network colours the rest
    own = Colorizer.load("effnet-unet", backend="torch", route=False)  # no judgement: the checkpoint's own decoding
    assert own.old_decoding is None and own.run(gray).decoded_as == "photo"
    if not old:
        assert np.array_equal(np.asarray(r.color), np.asarray(own.run(gray).color))


def test_a_toned_print_is_an_old_photo_whatever_the_judgement_says(two_decodings):
    _, judge = two_decodings
    judge(False)
    gray = synthetic_photo(48, 64, seed=5).mean(axis=2, keepdims=True)
    sepia = (gray * np.array([1.0, 0.85, 0.65])).clip(0, 255).astype(np.uint8)
    r = Colorizer.load("effnet-unet", backend="torch").run(sepia)
    assert r.decoded_as == "old photo" and r.why == "a toned print" and r.original is None


def test_a_batch_mixes_the_two_decodings_and_keeps_its_order(two_decodings):
    _, judge = two_decodings
    judge(False)
    c = Colorizer.load("effnet-unet", backend="torch")
    photos = [load_image(synthetic_photo(48, 64, seed=s).mean(axis=2).astype(np.uint8)) for s in range(3)]
    photos[1].memo["old_print"] = 0.9  # the second one reads as an old print
    out = c.colorize_arrays(photos)
    assert chroma(out[1]) <= 1 and chroma(out[0]) > 1 and chroma(out[2]) > 1
    alone = Colorizer.load("effnet-unet", backend="torch", route=False)
    for i in (0, 2):
        assert np.array_equal(out[i], alone.colorize_arrays([photos[i].pixels])[0])


def test_the_page_and_the_evaluation_say_which_decoding(two_decodings, tmp_path):
    from colorizer.demo.page import summary
    from colorizer.evaluation.evaluate import evaluate, format_table
    _, judge = two_decodings
    judge(True)
    base = {"name": "effnet-unet", "arch": "effnet-unet", "backend": "pytorch", "full_size": (64, 48),
            "working_size": 192, "seconds": 0.1, "hints": [], "metrics": {}, "original": None, "model": "effnet-unet"}
    assert "decoded as an old photo (a toned print)" in summary({**base, "decoded_as": "old photo", "why": "a toned print"})
    assert "decoded as a modern photo (old-print score 0.12 < 0.5)" in summary(
        {**base, "decoded_as": "photo", "why": "old-print score 0.12 < 0.5", "old_print": 0.12})
    folder = tmp_path / "photos" / "a"
    folder.mkdir(parents=True)
    for s in range(2):
        from PIL import Image
        Image.fromarray(synthetic_photo(64, 64, seed=s)).save(folder / f"{s}.png")
    res = evaluate(str(tmp_path / "photos"), ["effnet-unet"], size=64, semantic=False, progress=False)
    assert res["results"]["effnet-unet"]["old_photo_share"] == 1.0
    assert "decoded as old photos: effnet-unet 100%" in format_table(res["results"])


def test_a_missing_or_unreadable_judgement_is_named(two_decodings):
    d, judge = two_decodings
    judge(True)
    (d / "old-print.safetensors").unlink()
    with pytest.raises(ColorizerError, match="judges old photos with 'old-print'"):
        Colorizer.load("effnet-unet", backend="torch")
    update_metadata(d / "effnet-unet.safetensors", {"old_photo": {"decode": {}}})
    with pytest.raises(ColorizerError, match="unreadable old_photo settings"):
        Colorizer.load("effnet-unet", backend="torch")


def test_gain_scales_the_decoded_chroma():
    import torch
    from colorizer.decoding import bins_to_ab
    from colorizer import bins
    logits = torch.randn(1, len(bins.load_bins()["centers"]), 4, 4)
    one = bins_to_ab(logits, DecodeSettings())
    assert torch.allclose(bins_to_ab(logits, DecodeSettings(gain=1.3)), one * 1.3)
    assert DecodeSettings.from_metadata({"decode": {"gain": 1.15}}).gain == 1.15
    assert DecodeSettings.from_metadata({}).gain == 1.0


def test_the_content_judgement_reads_any_size_and_trains_from_real_old_photos(tmp_path):
    """old-photo-net: ImageNet features and a fitted head (`train.py old-print --arch old-photo-net`): its
    threshold chosen on val's clean photos, its shares reported, saved in float16 and loaded strictly."""
    from PIL import Image
    from skimage import data as skdata
    from colorizer.routing import ContentNet, OldPrintDetector
    from colorizer.train.old_print import PrintTrainConfig, train
    root, real = tmp_path / "photos" / "a", tmp_path / "historical" / "plates"
    root.mkdir(parents=True)
    real.mkdir(parents=True)
    for i, im in enumerate((skdata.astronaut(), skdata.coffee(), skdata.chelsea(), skdata.rocket())):
        Image.fromarray(im[:256, :256]).save(root / f"{i}.png")
        old = np.asarray(Image.fromarray(im).convert("L").resize((300, 259))).astype(float)
        grain = np.random.default_rng(i).normal(0, 10, old.shape)
        Image.fromarray((old * 0.8 + 30 + grain).clip(0, 255).astype(np.uint8)).convert("RGB").save(real / f"pg_img{i}.png")
    out = tmp_path / "old-photo.safetensors"
    report = train(PrintTrainConfig(arch="old-photo-net", data=str(root.parent), val_data=str(root.parent), out=str(out),
                                    photos=4, val_images=4, real_old=str(real.parent), real_val=str(real.parent),
                                    clean_val=str(root.parent), analysis_side=96, clean_share=0.25))
    judge = OldPrintDetector.load(out, threshold=report["threshold"])
    assert isinstance(judge.net, ContentNet) and judge.side == 96 and judge.metadata["dtype"] == "float16"
    assert report["real_old_images"] == 4 and report["clean_to_old_print"] <= 0.25
    for shape in ((40, 50), (9, 300), (700, 500)):
        assert 0.0 <= judge.probability(np.random.default_rng(0).random(shape) * 100) <= 1.0
    with pytest.raises(ValueError, match="real-old"):
        train(PrintTrainConfig(arch="old-photo-net", data=str(root.parent), out=str(tmp_path / "x.safetensors")))
