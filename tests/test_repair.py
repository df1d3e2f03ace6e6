"""colorizer.repair: the defect map and its repair, the shipped network on drawn defects, every kind of input,
the pipeline's switch, and the trainer end to end on a tiny folder."""
from __future__ import annotations

import importlib.util
import io
import sys

import numpy as np
import pytest
import torch
from PIL import Image
from skimage import data as skdata

from colorizer.color import photo_l
from colorizer.errors import ColorizerError
from colorizer.evaluation.aging import seeded_generator
from colorizer.evaluation.defects import DefectConfig, KINDS, draw_defects
from colorizer.repair import REPAIR_CHECKPOINT, DefectNet, Repairer, find_defects, repair_photo, save_repairer
from conftest import ROOT


@pytest.fixture(scope="module")
def shipped() -> Repairer:
    return Repairer.load(REPAIR_CHECKPOINT)


def photo() -> np.ndarray:
    """A real photo (gray, 256 x 256): skimage's camera man, a clean studio print."""
    return np.asarray(Image.fromarray(skdata.camera()).resize((256, 256), Image.BOX))


def scratched(px: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The photo with a bright scratch drawn across it, and the scratch's mask."""
    out, mask = px.copy(), np.zeros(px.shape[:2], bool)
    for x in range(30, min(230, px.shape[1] - 2)):
        y = 60 + (x - 30) // 3
        mask[y, x] = True
    out[mask] = 250
    return out, mask


def test_a_drawn_scratch_is_found_and_removed(shipped):
    clean = photo()
    damaged, mask = scratched(clean)
    found = find_defects(damaged, shipped)
    assert found.shape == mask.shape and found.dtype == bool
    assert (found & mask).sum() >= 0.8 * mask.sum()  # the scratch is found
    assert (found & ~mask).sum() <= 2 * mask.sum()  # and not much else
    fixed = np.asarray(repair_photo(damaged, shipped)).astype(float)
    err_before = np.abs(damaged[mask].astype(float) - clean[mask]).mean()
    err_after = np.abs(fixed[mask] - clean[mask]).mean()
    assert err_after < 0.35 * err_before


def test_a_clean_photo_comes_back_unchanged_but_where_it_finds_a_defect(shipped):
    """Only flagged pixels (and the pixel around them) change; on this clean studio print that is a fraction of a
    percent (the camera's tripod legs and the grass; benchmarks/repair.py measures the share on val and val-ood)."""
    import cv2
    clean = photo()
    found = find_defects(clean, shipped)
    assert found.mean() < 0.005
    out = np.asarray(repair_photo(clean, shipped))
    near = cv2.dilate(found.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    assert out.shape == clean.shape and np.array_equal(out[~near], clean[~near])


def test_the_same_photo_gives_the_same_map_and_repair(shipped):
    damaged, _ = scratched(photo())
    assert np.array_equal(find_defects(damaged, shipped), find_defects(damaged.copy(), shipped))
    assert np.array_equal(np.asarray(repair_photo(damaged, shipped)), np.asarray(repair_photo(damaged.copy(), shipped)))


@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA", "LA", "I;16", "P"])
def test_every_mode_comes_back_in_its_own_mode_and_size(shipped, mode):
    damaged, mask = scratched(photo()[:201, :147])  # odd sizes
    img = Image.fromarray(damaged)
    if mode == "I;16":
        img = Image.fromarray(damaged.astype(np.uint16) * 257, "I;16")
    elif mode != "L":
        img = img.convert(mode)
    out = repair_photo(img, shipped)
    assert out.mode == mode and out.size == img.size
    if mode == "I;16":  # 16-bit stays 16-bit: the fill is done at full depth
        arr = np.asarray(out)
        assert arr.dtype == np.uint16 and arr[mask].mean() < 250 * 257 - 2000
    if mode in ("RGBA", "LA"):  # alpha kept as it was
        assert np.array_equal(np.asarray(out)[..., -1], np.asarray(img)[..., -1])


def test_paths_bytes_and_arrays_are_read_as_anywhere(shipped, tmp_path):
    damaged, _ = scratched(photo())
    Image.fromarray(damaged).save(tmp_path / "p.png")
    want = find_defects(damaged, shipped)
    buf = io.BytesIO()
    Image.fromarray(damaged).save(buf, "PNG")
    for src in (tmp_path / "p.png", str(tmp_path / "p.png"), buf.getvalue(), Image.fromarray(damaged),
                np.repeat(damaged[..., None], 3, axis=2), damaged.astype(np.float32) / 255):
        assert np.array_equal(find_defects(src, shipped), want)
    sixteen = damaged.astype(np.uint16) * 257
    assert np.asarray(repair_photo(sixteen, shipped)).dtype == np.uint16


@pytest.mark.parametrize("bad", [b"", b"not an image", "missing.png", np.zeros((0, 4), np.uint8)])
def test_hostile_inputs_get_a_clear_error(shipped, bad, tmp_path):
    src = str(tmp_path / bad) if isinstance(bad, str) else bad
    with pytest.raises(ColorizerError):
        find_defects(src, shipped)
    with pytest.raises(ColorizerError):
        repair_photo(src, shipped)


def test_tiny_photos_work(shipped):
    for shape in ((1, 1), (3, 7), (9, 600)):
        px = np.full(shape, 120, np.uint8)
        assert find_defects(px, shipped).shape == shape
        assert repair_photo(px, shipped).size == (shape[1], shape[0])


def test_a_threshold_out_of_range_and_a_wrong_file_are_refused(tmp_path, weights_dir):
    with pytest.raises(ColorizerError, match="threshold"):
        Repairer(DefectNet(4), 1.5)
    with pytest.raises(ColorizerError, match="not a defect detector"):
        Repairer.load(weights_dir / "effnet-unet.safetensors")


def test_defects_are_drawn_with_exact_masks_and_seeded():
    lum = torch.full((96, 128), 50.0)
    every = DefectConfig(**{k: (1.0, *getattr(DefectConfig(), k)[1:]) for k in KINDS})
    a, ma, drawn = draw_defects(lum, seeded_generator("t", 1), every)
    b, mb, _ = draw_defects(lum, seeded_generator("t", 1), every)
    assert torch.equal(a, b) and torch.equal(ma, mb)
    assert set(drawn) == set(KINDS) - {"print_cracks"}  # the real crack shapes are drawn only when given
    moved = (a - lum).abs()[ma]
    assert float((moved >= 8.0 - 1e-4).float().mean()) > 0.95  # masked pixels visibly moved (a later layer may cover a few)
    assert 0.0 < ma.float().mean() < 0.5 and 0.0 <= float(a.min()) and float(a.max()) <= 100.0
    none = DefectConfig(**{k: (0.0, *getattr(DefectConfig(), k)[1:]) for k in KINDS})
    c, mc, _ = draw_defects(lum, seeded_generator("t", 1), none)
    assert torch.equal(c, lum) and not mc.any()


def test_the_pipeline_repairs_when_asked_and_says_so(colorizer_weights, shipped, monkeypatch):
    import colorizer.inference as inf
    from colorizer import Colorizer
    monkeypatch.setattr(inf, "default_repairer", lambda: shipped)
    damaged, mask = scratched(photo())
    c = Colorizer.load("effnet-unet", backend="torch")
    on, off = c.run(damaged, repair=True), c.run(damaged, repair=False)
    assert on.repaired is not None and on.repaired > 0 and off.repaired is None
    lum_on = np.asarray(on.color.convert("L")).astype(float)
    lum_off = np.asarray(off.color.convert("L")).astype(float)
    assert lum_on[mask].mean() < lum_off[mask].mean() - 30  # the scratch is gone from the colorized photo
    assert c.run(damaged).repaired is None  # no old-photo judgement in this checkpoint: not judged old, not repaired


def test_training_the_detector_learns_and_writes_a_checkpoint_that_loads(tmp_path):
    from colorizer.train.repair import RepairTrainConfig, train
    root = tmp_path / "photos" / "a"
    root.mkdir(parents=True)
    for i, im in enumerate((skdata.astronaut(), skdata.coffee(), skdata.chelsea(), skdata.rocket())):
        Image.fromarray(im).save(root / f"{i}.png")
    out = tmp_path / "repair.safetensors"
    chosen = train(RepairTrainConfig(data=str(root.parent), val_data=str(root.parent), out=str(out), steps=6, batch_size=2,
                                     crop=96, width=4, val_images=4, workers=0, state_dir=str(tmp_path / "state")))
    assert 0.0 < chosen["threshold"] < 1.0 and 0.0 <= chosen["f1"] <= 1.0
    r = Repairer.load(out)
    assert r.threshold == chosen["threshold"] and r.metadata["val"] == chosen
    assert (tmp_path / "state" / "position.json").is_file()
    save_repairer(tmp_path / "again.safetensors", r.net, {"threshold": 0.5})
    assert Repairer.load(tmp_path / "again.safetensors").threshold == 0.5


def test_training_on_a_gpu_where_there_is_none_says_so_before_building_anything(monkeypatch):
    from colorizer.train.repair import RepairTrainConfig, train
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ColorizerError, match="no CUDA GPU"):
        train(RepairTrainConfig(data="no-such-folder", device="cuda"))


def test_training_can_start_from_a_detector_and_enlarge_small_photos(tmp_path):
    from colorizer.train.repair import RepairTrainConfig, train
    root = tmp_path / "photos" / "a"
    root.mkdir(parents=True)
    for i, im in enumerate((skdata.astronaut(), skdata.coffee())):
        Image.fromarray(im).resize((128, 128)).save(root / f"{i}.png")  # smaller than max_side: enlarged
    start = DefectNet(4)
    torch.nn.init.normal_(start.head.weight, 0.0, 3.0)  # a start no fresh network has
    save_repairer(tmp_path / "start.safetensors", start, {"threshold": 0.5})
    out = tmp_path / "repair.safetensors"
    train(RepairTrainConfig(data=str(root.parent), val_data=str(root.parent), out=str(out), steps=1, batch_size=2,
                            crop=96, max_side=200, width=4, val_images=2, workers=0, lr=1e-9, enlarge_p=1.0,
                            init_from=str(tmp_path / "start.safetensors")))
    assert torch.allclose(Repairer.load(out).net.head.weight, start.head.weight, atol=1e-6)


def test_the_same_print_scanned_at_twice_the_resolution_gets_the_same_scratch(shipped):
    """The detector reads every photo at the same short sides (DETECT_SIDES): a defect's width is a share of the
    print, so a scan at 512 px is read as the one at 256 and its scratch is found where it is in the other."""
    import cv2
    damaged, mask = scratched(photo())
    small = find_defects(damaged, shipped)
    big = find_defects(np.asarray(Image.fromarray(damaged).resize((512, 512), Image.BICUBIC)), shipped)
    back = np.asarray(Image.fromarray(big.astype(np.uint8) * 255).resize((256, 256), Image.BOX)) >= 128
    near = lambda m, k=3: cv2.dilate(m.astype(np.uint8), np.ones((k, k), np.uint8)).astype(bool)  # noqa: E731
    assert (small & mask).sum() >= 0.8 * mask.sum() and (back & mask).sum() >= 0.8 * mask.sum()
    # around the scratch the two maps agree within a pixel (resampling a 1 px line moves its edge by up to one)
    zone = near(mask, 7)
    assert (back & zone & near(small)).sum() >= 0.85 * (back & zone).sum()
    assert (small & zone & near(back)).sum() >= 0.85 * (small & zone).sum()


def test_the_threshold_can_be_chosen_again_with_the_weights_kept(tmp_path):
    from colorizer.train.repair import main
    root = tmp_path / "photos" / "a"
    root.mkdir(parents=True)
    for i, im in enumerate((skdata.astronaut(), skdata.coffee())):
        Image.fromarray(im).save(root / f"{i}.png")
    net = DefectNet(4)
    save_repairer(tmp_path / "d.safetensors", net, {"threshold": 0.5, "training": {"steps": 1}})
    assert main(["--rethreshold", str(tmp_path / "d.safetensors"), "--val-data", str(root.parent), "--val-images", "2"]) == 0
    again = Repairer.load(tmp_path / "d.safetensors")
    assert again.metadata["threshold_chosen"]["was"] == 0.5 and again.metadata["training"] == {"steps": 1}
    assert again.threshold == again.metadata["val"]["threshold"]
    assert again.peak_share == again.metadata["val"]["peak_share"] in (0.0, 0.5, 0.6, 0.7)  # chosen with it
    assert all(torch.equal(a, b) for a, b in zip(again.net.state_dict().values(), net.state_dict().values()))


def test_thinning_to_peaks_keeps_a_lines_ridge_and_a_flakes_plateau_and_drops_the_halo():
    """colorizer.repair.thin_to_peaks: a pixel under the share of its 3 x 3 neighbourhood's highest goes to 0."""
    from colorizer.repair import thin_to_peaks
    p = torch.zeros(20, 20)
    p[5, 2:18] = 0.9                      # a thin line's ridge...
    p[4, 2:18] = p[6, 2:18] = 0.45        # ...and the halo the enlarged coarse reading leaves beside it
    p[10:16, 4:10] = 0.8                  # a flake: a plateau
    p[10:16, 3] = 0.7                     # its soft edge, near the plateau's height
    thin = thin_to_peaks(p, 0.6)
    assert torch.equal(thin[5], p[5]) and not thin[[4, 6]].any()
    assert torch.equal(thin[10:16, 3:10], p[10:16, 3:10])
    assert torch.equal(thin_to_peaks(p, 0.0), p) and thin_to_peaks(p[None, None], 0.6).shape == (1, 1, 20, 20)


@pytest.mark.parametrize("kwargs", [{"width": 4}, {"width": 4, "encoder": "lite0"}])
def test_both_kinds_of_detector_read_any_size_and_round_trip(kwargs, tmp_path):
    """The plain U-Net pads to a multiple of 8, the one over EfficientNet-Lite0's stages to 16: odd and tiny sizes
    come back at their own shape from either, and a saved detector rebuilds as it was."""
    torch.manual_seed(0)
    net = DefectNet(**kwargs).eval()
    save_repairer(tmp_path / "d.safetensors", net, {"threshold": 0.5})
    again = Repairer.load(tmp_path / "d.safetensors", backend="torch")  # bit for bit (ONNX Runtime: its own test)
    assert again.net.arch_kwargs == net.arch_kwargs and again.net.MULTIPLE == net.MULTIPLE
    for shape in ((1, 1), (37, 53), (250, 17)):
        lum = np.random.default_rng(1).uniform(0, 100, shape).astype(np.float32)
        p = again.probabilities(lum)
        assert tuple(p.shape) == shape and torch.equal(p, Repairer(net, 0.5).probabilities(lum))
    with pytest.raises(ValueError, match="encoder"):
        DefectNet(4, encoder="resnet")


def test_training_over_the_pretrained_encoder_starts_from_its_imagenet_weights(tmp_path):
    from colorizer.models.pretrained import lite_state_dict
    from colorizer.train.repair import RepairTrainConfig, train
    root = tmp_path / "photos" / "a"
    root.mkdir(parents=True)
    for i, im in enumerate((skdata.astronaut(), skdata.coffee())):
        Image.fromarray(im).save(root / f"{i}.png")
    out = tmp_path / "repair.safetensors"
    train(RepairTrainConfig(data=str(root.parent), val_data=str(root.parent), out=str(out), steps=1, batch_size=2,
                            crop=96, width=4, encoder="lite0", val_images=2, workers=0, lr=1e-9))
    net = Repairer.load(out).net
    named = lite_state_dict(0)
    w = net.encoder.state_dict()["blocks.2.0.conv_pw.weight"]
    assert net.arch_kwargs["encoder"] == "lite0" and torch.allclose(w, named["blocks.2.0.conv_pw.weight"], atol=1e-6)


def test_the_default_repairs_photos_it_judges_old_and_the_switch_turns_it_off(shipped, monkeypatch):
    """The shipped default's release (its "old_photo" entry) repairs the photos judged old; others only on request."""
    import colorizer.inference as inf
    from colorizer import Colorizer
    monkeypatch.setattr(inf, "default_repairer", lambda: shipped)
    c = Colorizer.load("effnet-unet", backend="torch")
    assert c.repair_old
    damaged, _ = scratched(photo())
    monkeypatch.setattr(c, "kind_of", lambda im: (c.old_decoding, "old photo", "judged old"))
    assert c.run(damaged).repaired > 0 and c.run(damaged, repair=False).repaired is None
    monkeypatch.setattr(c, "kind_of", lambda im: (c.decoding, "photo", "judged modern"))
    assert c.run(damaged).repaired is None and c.run(damaged, repair=True).repaired > 0


def test_the_gray_subset_keeps_each_photos_lightness_and_only_what_the_trainer_reads(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("gray_subset", ROOT / "scripts/gray_subset.py")
    gray_subset = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gray_subset)
    src = tmp_path / "train"
    for folder, name, im in (("a", "coffee.png", skdata.coffee()), ("a", "small.png", skdata.chelsea()[:100, :100]),
                             ("historical/plates", "plate.png", skdata.astronaut())):
        (src / folder).mkdir(parents=True, exist_ok=True)
        Image.fromarray(im).save(src / folder / name)
    out = tmp_path / "gray"
    monkeypatch.setattr(sys, "argv", ["gray_subset.py", str(src), str(out), "--quality", "95"])
    gray_subset.main()
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.jpg")) == ["a/coffee.jpg"]
    kept = np.asarray(Image.open(out / "a" / "coffee.jpg"))
    assert kept.ndim == 2  # stored gray
    diff = (photo_l(np.repeat(kept[..., None], 3, -1)) - photo_l(skdata.coffee())).abs()
    assert float(diff.mean()) < 1.0  # the photo's CIELAB lightness, up to the JPEG's rounding


def test_a_person_corrects_the_map_add_remove_or_replace(shipped):
    """repair_photo's mask / add / remove: what is added is filled, what is removed is left as it was, and a whole
    mask replaces the map found; a wrong mask is a clear error."""
    damaged, mask = scratched(photo())
    missed = np.zeros_like(mask)
    missed[150:154, 40:200] = True  # a band the detector has no reason to flag
    added = np.asarray(repair_photo(damaged, shipped, add=missed)).astype(int)
    assert np.abs(added[missed] - damaged[missed]).mean() > 3  # filled from around it
    kept = np.asarray(repair_photo(damaged, shipped, remove=mask)).astype(int)
    assert np.array_equal(kept[mask], damaged[mask])  # the scratch stays: the person said it is the photo's own
    only = np.asarray(repair_photo(damaged, shipped, mask=missed)).astype(int)
    assert np.array_equal(only[mask], damaged[mask]) and not np.array_equal(only[missed], damaged[missed])
    small = np.asarray(repair_photo(damaged, shipped, mask=missed[::2, ::2])).astype(int)  # any size: enlarged to the photo
    assert np.array_equal(small, only)
    with pytest.raises(ColorizerError, match="2-D array"):
        repair_photo(damaged, shipped, mask=np.zeros((2, 2, 2, 2)))


def test_the_map_the_repair_used_comes_back_with_the_result(colorizer_weights, shipped, monkeypatch):
    import colorizer.inference as inf
    from colorizer import Colorizer
    from colorizer.repair import DefectEdit
    monkeypatch.setattr(inf, "default_repairer", lambda: shipped)
    damaged, mask = scratched(photo())
    c = Colorizer.load("effnet-unet", backend="torch")
    auto = c.run(damaged, repair=True)
    assert auto.defects is not None and auto.defects.shape == mask.shape
    assert auto.repaired == pytest.approx(auto.defects.mean())
    assert np.array_equal(auto.defects, find_defects(damaged, shipped))
    assert c.run(damaged, repair=False).defects is None
    assert auto.repair_release == "repair v10" == shipped.metadata["release"]  # the summary says which repair ran
    assert c.run(damaged, repair=False).repair_release == ""
    edited = c.run(damaged, repair_mask=DefectEdit(remove=np.ones_like(mask)))  # a mask asks for the repair
    assert edited.repaired == 0.0 and not edited.defects.any()
    with pytest.raises(ColorizerError, match="repair=False"):
        c.run(damaged, repair=False, repair_mask=mask)


def test_print_cracks_are_real_shapes_thin_exact_and_seeded():
    """The print cracks: drawn from the given shapes only, 1-6 px wide whatever the photo's size, with exact masks,
    the same seed giving the same print; without shapes (or in the default config) nothing of them is drawn."""
    from colorizer.evaluation.defects import (DEFAULT_DEFECTS, PRINT_DEFECTS, cracked_print, local_width)
    from dataclasses import replace
    yy, xx = np.mgrid[0:300, 0:400]
    shape = (np.abs(yy - 150 - 20 * np.sin(xx / 30)) < 6)  # one wavy crack, 11 px wide, as the masks are drawn
    only = replace(PRINT_DEFECTS, **{k: (0.0, 1, 1) for k in KINDS if k != "print_cracks"}, print_cracks=(1.0, 1, 1))
    lum = photo_l(np.stack([np.asarray(Image.fromarray(skdata.camera()).resize((256, 192)))] * 3, axis=2))
    for i in range(4):
        damaged, mask, drawn = draw_defects(lum, seeded_generator("print", i), only, shapes=(shape,))
        assert drawn == {"print_cracks": 1} and mask.any()
        assert float((damaged - lum)[mask].mean()) > 10  # the paper showing through: lighter
        w = local_width(mask.numpy())
        assert np.median(w[mask.numpy()]) <= 8  # a thin line, not the mask's own 11 px
        again, mask2, _ = draw_defects(lum, seeded_generator("print", i), only, shapes=(shape,))
        assert torch.equal(again, damaged) and torch.equal(mask2, mask)
    assert "print_cracks" not in draw_defects(lum, seeded_generator("print", 0), only)[2]  # no shapes: none
    assert DEFAULT_DEFECTS.print_cracks[0] == 0.0
    scan, mask, truth = cracked_print(lum, seeded_generator("print", 1), (shape,), only)
    assert (scan - truth)[mask].mean() > 5 and float((scan - truth)[~mask].abs().median()) < 1.0  # the same scan


def test_counts_with_a_tolerance_forgive_an_edge_a_pixel_off():
    from colorizer.evaluation.defects import MaskCounts
    truth = np.zeros((20, 20), bool)
    truth[10, 2:18] = True
    found = np.roll(truth, 1, axis=0)  # the line found one row lower
    assert MaskCounts().add(found, truth).scores()["f1"] == 0.0
    assert MaskCounts(tolerance=2).add(found, truth).scores()["f1"] == pytest.approx(1.0)


def test_a_detector_reads_a_large_scan_finer_when_its_checkpoint_says_so():
    from colorizer.repair import reading_sides
    assert reading_sides(600) == (256, 128) == reading_sides(100)  # repair v2-v5: every photo at 256 and 128
    assert reading_sides(600, 512) == (512, 256) and reading_sides(384, 512) == (384, 192)
    assert reading_sides(200, 512) == (256, 128)


def test_training_on_cracked_prints_reads_the_crack_shapes(tmp_path):
    from colorizer.train.repair import RepairTrainConfig, train
    root = tmp_path / "photos" / "a"
    root.mkdir(parents=True)
    for i, im in enumerate((skdata.astronaut(), skdata.coffee())):
        Image.fromarray(im).resize((160, 160)).save(root / f"{i}.png")
    cracks = tmp_path / "cracks"
    for split in ("train", "val"):
        (cracks / split).mkdir(parents=True)
        m = np.zeros((120, 160), np.uint8)
        m[50:58, 10:150] = 255
        Image.fromarray(m).convert("1").save(cracks / split / "c.png")
    out = tmp_path / "repair.safetensors"
    chosen = train(RepairTrainConfig(data=str(root.parent), val_data=str(root.parent), out=str(out), steps=2, batch_size=2,
                                     crop=96, max_side=320, width=4, val_images=2, workers=0, cracks=str(cracks),
                                     print_p=1.0, max_detect_side=320))
    r = Repairer.load(out)
    assert r.max_side == 320 and r.metadata["max_detect_side"] == 320 and 0 < chosen["threshold"] < 1


def fill_training_data(tmp_path, *bands) -> tuple[str, str]:
    """Two photos (160 px) and one crack shape of `bands` (rows, columns) in 160 x 120: the fill trainer's data and
    cracks folders."""
    root = tmp_path / "photos" / "a"
    root.mkdir(parents=True)
    for i, im in enumerate((skdata.astronaut(), skdata.coffee())):
        Image.fromarray(im).resize((160, 160)).save(root / f"{i}.png")
    (tmp_path / "cracks" / "train").mkdir(parents=True)
    m = np.zeros((120, 160), np.uint8)
    for rows, cols in bands:
        m[rows, cols] = 255
    Image.fromarray(m).convert("1").save(tmp_path / "cracks" / "train" / "c.png")
    return str(root.parent), str(tmp_path / "cracks")


def test_the_learned_fill_trains_resumes_and_fills_only_the_wide_damage(tmp_path, shipped):
    from colorizer.repair.fill import LearnedFill, local_width
    from colorizer.train.inpaint import FillTrainConfig, train
    data, cracks = fill_training_data(tmp_path, (slice(50, 62), slice(10, 150)))
    cfg = FillTrainConfig(data=data, cracks=cracks, out=str(tmp_path / "fill.safetensors"),
                          state_dir=str(tmp_path / "state"), steps=2, batch_size=2, crop=64, workers=0, checkpoint_every=1)
    train(cfg)
    assert '"step": 2' in (tmp_path / "state" / "position.json").read_text()
    train(FillTrainConfig(**{**cfg.__dict__, "steps": 3}))  # the same command, one step further: it continues
    assert '"step": 3' in (tmp_path / "state" / "position.json").read_text()
    r = Repairer(shipped.net, shipped.threshold, shipped.metadata, LearnedFill.load(cfg.out))
    damaged, thin = scratched(photo())
    wide = np.zeros_like(thin)
    wide[150:162, 40:200] = True  # 12 px wide: the network's
    mask = thin | wide
    telea = r.fill(damaged, mask, telea_only=True)
    learned = r.fill(damaged, mask)
    changed = learned != telea
    from colorizer.evaluation.defects import dilate
    assert changed.any() and not changed[~dilate(torch.from_numpy(mask), 1).numpy()].any()  # the grown mask only
    assert not changed[thin & (local_width(mask) < 5)].any()  # a thin line stays Telea's


def test_a_residual_fill_starts_as_telea_exactly():
    """fill v2 on: the network corrects Telea's fill, its last layer at zero, so untrained it is Telea."""
    from colorizer.repair.fill import FillNet, LearnedFill
    r = Repairer(DefectNet(4), 0.5, learned=LearnedFill(FillNet(8, residual=True)))
    damaged, thin = scratched(photo())
    mask = thin.copy()
    mask[150:162, 40:200] = True  # 12 px wide: the network's part
    assert np.array_equal(r.fill(damaged, mask), r.fill(damaged, mask, telea_only=True))
    with pytest.raises(TypeError):
        FillNet(8, residual=True, colour=True)


def test_the_fill_trains_on_a_prints_damage_from_another_fills_weights(tmp_path, monkeypatch):
    """fill v3 on: the holes are cracked_print's damage (its rim and the scan's blur around them), the truth the
    undamaged scan, the start Telea's fill of the damaged one; --init-from starts from a saved fill."""
    from colorizer.repair.fill import FillNet, LearnedFill, save_fill
    from colorizer.train.inpaint import FillTrainConfig, HoleSet, train
    root = tmp_path / "photos" / "a"
    root.mkdir(parents=True)
    Image.fromarray(skdata.astronaut()).resize((160, 160)).save(root / "0.png")
    (tmp_path / "cracks" / "train").mkdir(parents=True)
    m = np.zeros((120, 160), np.uint8)
    m[50:54, 10:150] = 255
    m[20:100, 70:73] = 255
    Image.fromarray(m).convert("1").save(tmp_path / "cracks" / "train" / "c.png")
    cfg = FillTrainConfig(data=str(root.parent), cracks=str(tmp_path / "cracks"), out=str(tmp_path / "fill.safetensors"),
                          steps=1, batch_size=1, crop=64, workers=0, residual=True, prints=True)
    files = sorted(root.glob("*.png"))
    truth, hole, start = next(x for x in (HoleSet(files, cfg, e)[0] for e in range(20)) if x[1].any())
    assert truth.shape == hole.shape == start.shape == (1, 64, 64)
    assert (start - truth).abs()[hole > 0].mean() > (start - truth).abs()[hole == 0].mean()  # the damage is in the hole
    start_from = tmp_path / "v2.safetensors"
    net = FillNet(16, residual=True)
    torch.nn.init.constant_(net.head.bias, 0.05)
    save_fill(start_from, net, {"kind": "fill"})
    train(FillTrainConfig(**{**cfg.__dict__, "init_from": str(start_from)}))
    trained = LearnedFill.load(cfg.out).net
    assert float(trained.head.bias.detach()) > 0.03  # one step from the saved fill's weights, not from zero


def test_a_refined_fill_starts_as_the_relaxed_fill_and_reads_a_large_photo_at_half_a_prints_scale():
    """fill v4 on: a RefineNet adds its correction to the relaxed fill and nothing else (with its last layer at zero
    the result is the relaxed fill); a megapixel's correction is read at a short side of 192 px (half a 384 px
    print), a small photo's at half its size, and the depth it reads is counted at a 384 px print's scale."""
    from colorizer.repair.refine import RefinedFill, RefineNet, depth_of, reading_size
    damaged, thin = scratched(photo())
    mask = thin.copy()
    mask[150:162, 40:200] = True
    relaxed = Repairer(DefectNet(4), 0.5).fill(damaged, mask)
    net = RefineNet(8)
    torch.nn.init.zeros_(net.head.weight)
    assert np.array_equal(Repairer(DefectNet(4), 0.5, learned=RefinedFill(net)).fill(damaged, mask), relaxed)
    assert reading_size((866, 1155)) == (192, 256) and reading_size((256, 300)) == (128, 150)
    hole = np.zeros((768, 1024), bool)
    hole[100:140, 100:900] = True  # 40 px wide at twice a print's scale: 10 px deep there, at a print's scale
    assert depth_of(hole, hole.shape).max() == pytest.approx(10.0, abs=0.6)


def test_the_refining_fill_trains_from_rendered_prints_and_runs_on_onnx_runtime_as_on_pytorch(tmp_path):
    """`train.py inpaint --refine --pool`: prints rendered once and drawn from; the saved RefineNet loads by its
    architecture (load_fill), moves only the grown mask's pixels, and its ONNX Runtime export reads as PyTorch does."""
    from colorizer.evaluation.defects import dilate
    from colorizer.repair.fill import load_fill
    from colorizer.train.inpaint import FillTrainConfig, train
    data, cracks = fill_training_data(tmp_path, (slice(50, 62), slice(10, 150)), (slice(20, 100), slice(70, 74)))
    cfg = FillTrainConfig(data=data, cracks=cracks, out=str(tmp_path / "fill.safetensors"),
                          state_dir=str(tmp_path / "state"), steps=3, batch_size=2, crop=64, width=8, workers=0,
                          refine=True, pool=4, lr=0.05)
    train(cfg)
    assert '"step": 3' in (tmp_path / "state" / "position.json").read_text()
    torch_fill, onnx_fill = load_fill(cfg.out, "torch"), load_fill(cfg.out, "onnx")
    assert torch_fill.runner is torch_fill.net and onnx_fill.runner is not onnx_fill.net
    damaged, thin = scratched(photo())
    mask = thin.copy()
    mask[150:162, 40:200] = True
    relaxed = Repairer(DefectNet(4), 0.5).fill(damaged, mask)
    a, b = (Repairer(DefectNet(4), 0.5, learned=f).fill(damaged, mask) for f in (torch_fill, onnx_fill))
    moved = ~np.isclose(a, relaxed, atol=1e-4)
    assert moved.any() and not moved[~dilate(torch.from_numpy(mask), 1).numpy()].any()
    assert np.abs(a - b).max() < 0.05  # L units


def test_the_fill_batches_its_tiles_as_it_fills_them_one_by_one(monkeypatch):
    from colorizer.repair import fill
    torch.manual_seed(0)
    net = fill.FillNet(8, residual=True)
    torch.nn.init.normal_(net.head.weight, std=0.05)
    learned = fill.LearnedFill(net)
    rng = np.random.default_rng(0)
    plane = (rng.random((300, 410)) * 100).astype(np.float32)
    mask = np.zeros(plane.shape, bool)
    mask[50:60, 20:400] = True  # tiles of a full size and the edge's narrower ones
    mask[100:290, 200:208] = True
    import cv2
    filled = cv2.inpaint(plane, mask.astype(np.uint8), 3, cv2.INPAINT_TELEA)
    batched = learned.fill(plane, mask, filled, 100.0)
    monkeypatch.setattr(fill, "BATCH", 1)
    alone = learned.fill(plane, mask, filled, 100.0)
    assert (batched != filled).sum() > 1000 and np.abs(batched - alone).max() < 1e-3


def test_telea_in_bands_on_threads_fills_the_same_pixels_as_one_call(monkeypatch):
    import cv2
    from colorizer.repair import detect
    monkeypatch.setattr(detect, "cpu_workers", lambda: 3)
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:800, 0:640]
    photo = (120 + 60 * np.sin(x / 23) * np.cos(y / 31) + rng.normal(0, 8, x.shape)).clip(0, 255).astype(np.uint8)
    mask = np.zeros(photo.shape, np.uint8)
    mask[:, 300:304] = 1  # a crack across every band's edge, and one along a row
    mask[266:268, :] = 1
    mask[rng.random(photo.shape) < 0.002] = 1
    mask = cv2.dilate(mask, np.ones((3, 3), np.uint8))
    calls = []
    real = cv2.inpaint
    monkeypatch.setattr(cv2, "inpaint", lambda *a: calls.append(a[0].shape) or real(*a))
    for img in (np.dstack([photo, photo // 2, 255 - photo]), photo.astype(np.float32)):
        whole = real(img, mask, 4, cv2.INPAINT_TELEA)
        calls.clear()
        banded = detect._telea(img, mask, 4)
        assert len(calls) == 3 and banded.shape == whole.shape
        assert np.abs(banded.astype(np.float64) - whole).max() < 1e-3


def test_the_detector_on_onnx_runtime_finds_what_pytorch_finds(shipped, tmp_path, monkeypatch):
    monkeypatch.setenv("COLORIZER_CACHE", str(tmp_path / "cache"))
    fast = Repairer.load(REPAIR_CHECKPOINT, backend="onnx")
    slow = Repairer.load(REPAIR_CHECKPOINT, backend="torch")
    assert (fast.backend, slow.backend) == ("onnxruntime", "pytorch")
    assert list((tmp_path / "cache").glob("repair-*.onnx"))  # exported once, into the cache
    damaged, _ = scratched(np.asarray(Image.fromarray(skdata.camera()).resize((300, 260), Image.BOX)))
    lum = photo_l(np.repeat(damaged[..., None], 3, -1)).numpy()
    p, q = fast.probabilities(lum), slow.probabilities(lum)
    assert float((p - q).abs().max()) < 1e-4
    assert (fast.find(lum) != slow.find(lum)).mean() < 1e-4
    with pytest.raises(ColorizerError, match="backend must be one of"):
        Repairer.load(REPAIR_CHECKPOINT, backend="tpu")


def test_the_detectors_fast_form_is_the_same_function_without_run_time_padding_or_concatenation():
    """fast_form rewrites timm's "same" padding as shifted kernels and the decoder's concatenation as two summed
    convolutions with the BatchNorm folded: the logits stay the network's on any side that is a multiple of 16, and
    the graph keeps no Pad and no Concat (what ONNX Runtime's blocked kernels could not take)."""
    from timm.layers import Conv2dSame
    from colorizer.repair.fast_form import FastDefectNet, fast_form
    torch.manual_seed(0)
    net = DefectNet(8, encoder="lite0")
    for bn in (m for m in net.modules() if isinstance(m, torch.nn.BatchNorm2d)):  # statistics a trained net has
        bn.running_mean.uniform_(-0.5, 0.5), bn.running_var.uniform_(0.5, 2.0), bn.weight.data.uniform_(0.5, 1.5)
    net.eval()
    fast = fast_form(net)
    assert isinstance(fast, FastDefectNet) and not any(isinstance(m, Conv2dSame) for m in fast.modules())
    with torch.inference_mode():
        for shape in ((16, 16), (48, 80), (208, 336)):
            x = torch.rand(2, 1, *shape, generator=torch.Generator().manual_seed(shape[1]))
            assert float((fast(x) - net(x)).abs().max()) < 1e-4
    assert any(isinstance(m, Conv2dSame) for m in net.modules())  # the network itself is left as it was
    plain = DefectNet(4)
    assert fast_form(plain) is plain  # the plain U-Net is exported as it is


def test_a_gray_scan_stored_as_rgb_is_filled_once_and_its_filled_pixels_alike_in_all_three_channels():
    """Channels within GRAY_TOLERANCE: the green channel is filled and written into all three inside the grown mask;
    outside it every channel stays as it was, the scan's small tints included."""
    from colorizer.evaluation.defects import dilate
    from colorizer.repair.detect import fill_defects
    damaged, mask = scratched(photo())
    scan = np.repeat(damaged[..., None], 3, -1).astype(np.int16)
    scan[..., 0] += 2 * (np.arange(scan.shape[1]) % 2)  # a scanner's tint, within the tolerance
    scan = np.clip(scan, 0, 255).astype(np.uint8)
    out = fill_defects(scan, mask)
    grown = dilate(torch.from_numpy(mask), 1).numpy()
    assert np.array_equal(out[~grown], scan[~grown])
    assert np.array_equal(out[grown], np.repeat(fill_defects(np.ascontiguousarray(scan[..., 1]), mask)[grown][:, None], 3, -1))
    assert not np.array_equal(out[mask], scan[mask])


def test_telea_relaxed_is_closer_on_wide_damage_and_touches_only_the_grown_mask():
    """With no learned fill, Telea's fill is relaxed to the smooth surface its rim implies (colorizer.repair.fill.relax):
    a wide hole in a smooth shading comes back nearer the photo than Telea leaves it, and no pixel off the grown
    mask moves."""
    from colorizer.evaluation.defects import dilate
    y, x = np.mgrid[0:128, 0:160]
    clean = (60 + 0.8 * x + 40 * np.sin(y / 20.0)).astype(np.float32)  # L-like smooth shading
    hole = np.zeros(clean.shape, bool)
    hole[50:66, 20:140] = True  # 16 px wide
    hole[20, 10:150] = True     # and a thin line
    damaged = np.where(hole, 99.0, clean).astype(np.float32)
    r = Repairer(DefectNet(4), 0.5)
    telea, relaxed = r.fill(damaged, hole, telea_only=True), r.fill(damaged, hole)
    err = lambda f: float(np.abs(f - clean)[hole].mean())  # noqa: E731
    assert err(relaxed) < 0.8 * err(telea)
    moved = relaxed != telea
    assert moved.any() and not moved[~dilate(torch.from_numpy(hole), 1).numpy()].any()
    u8 = r.fill(np.clip(damaged * 2.55, 0, 255).astype(np.uint8), hole)  # 8-bit pixels: relaxed too, still 8-bit
    assert u8.dtype == np.uint8 and u8.shape == hole.shape


def test_a_refined_fill_corrects_a_colour_photo_once_for_all_its_channels():
    """The correction is read once, from the channels' mean, and added to each channel inside the grown mask: a
    colour photo's channels move by the same amount there, and nothing outside it moves."""
    from colorizer.evaluation.defects import dilate
    from colorizer.repair.refine import RefinedFill, RefineNet
    net = RefineNet(8)
    torch.nn.init.constant_(net.head.bias, 0.02)  # a correction of +0.02 of the range everywhere
    rgb = np.stack([photo(), photo() // 2, 255 - photo()], axis=-1)
    _, mask = scratched(photo())
    mask[150:162, 40:200] = True
    relaxed = Repairer(DefectNet(4), 0.5).fill(rgb, mask).astype(int)
    refined = Repairer(DefectNet(4), 0.5, learned=RefinedFill(net)).fill(rgb, mask).astype(int)
    moved = refined - relaxed
    grown = dilate(torch.from_numpy(mask), 1).numpy()
    assert not moved[~grown].any()
    inside = moved[grown & (relaxed.max(-1) < 240)]  # away from the top of the range, where the clip holds it
    assert np.abs(inside - 5).max() <= 1  # 0.02 x 255, in each channel
