"""Short real training runs on a tiny synthetic folder (made by conftest.image_folder)."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest
import torch

from colorizer import ColorizerError, create_model, list_models
from colorizer.checkpoints import load_checkpoint
from colorizer.inference import Colorizer
from colorizer.train.trainer import TrainConfig, config_from_args, train

from conftest import ROOT, small_kwargs

LR = {"resnet-mid": 3e-3, "gray2rgb-cnn": 1e-3, "conv-autoencoder": 3e-3, "inception-fusion": 3e-3, "effnet-unet": 3e-3,
      "ensemble": 3e-3}


def _cfg(folder, tmp_path, arch, **kw) -> TrainConfig:
    base = dict(data=str(folder), out=str(tmp_path / f"{arch}.safetensors"), arch=arch, arch_kwargs=small_kwargs(arch),
                run_dir=str(tmp_path / "run"), size=32, batch_size=6, steps=24, val_split=0.2, val_images=4,
                objective="bins" if arch in ("effnet-unet", "ensemble") else "mse", lr=LR[arch], lr_encoder=LR[arch],
                warmup_steps=1, schedule="constant", workers=0, log_every=1, val_every=1000, checkpoint_every=10,
                pretrained=False, working_size=48, half=False, threads=1)
    base.update(kw)
    return TrainConfig(**base)


def _train_losses(run_dir):
    rows = [json.loads(x) for x in (run_dir / "metrics.jsonl").read_text().splitlines()]
    return [r["loss"] for r in rows if r["kind"] == "train"], rows


@pytest.mark.parametrize("arch", list_models())
def test_each_architecture_learns_and_writes_a_loadable_checkpoint(image_folder, tmp_path, arch):
    torch.manual_seed(0)
    cfg = _cfg(image_folder, tmp_path, arch)
    final = train(cfg)
    losses, rows = _train_losses(tmp_path / "run")
    assert len(losses) == cfg.steps
    assert sum(losses[-4:]) / 4 < sum(losses[:4]) / 4, losses  # the loss went down
    assert {"psnr", "ssim", "ciede2000", "cf_pred", "cf_true", "dcf", "val_loss"} <= set(final)
    assert list((tmp_path / "run").glob("samples_step*.png"))
    model, meta = load_checkpoint(cfg.out)
    assert meta["arch"] == arch and meta["objective"] == cfg.objective
    assert meta["training"]["config"]["lr"] == cfg.lr and meta["training"]["train_images"] > 0
    assert meta["val_metrics"]["images"] > 0 and "git_commit" in meta
    if arch == "inception-fusion":
        assert meta["classes"] == ["src/a", "src/b"] and any("class" in r for r in rows if r["kind"] == "train")
    out = Colorizer.load(cfg.out).colorize(torch.rand(30, 20, 3).numpy())
    assert out.size == (20, 30)


def test_bad_and_colorless_files_are_skipped(image_folder, tmp_path, caplog):
    cfg = _cfg(image_folder, tmp_path, "conv-autoencoder", steps=6, val_split=0.0001)
    with caplog.at_level("WARNING"):
        train(cfg)
    assert any("broken.jpg" in r.message for r in caplog.records)


def test_config_from_args_round_trip(tmp_path):
    cfg = config_from_args(["--data", "d", "--out", "o.safetensors", "--arch", "resnet-mid", "--batch-size", "7",
                            "--lr", "1e-5", "--no-pretrained", "--arch-kwargs", '{"midlevel": 128}', "--max-minutes", "2.5"])
    assert cfg.batch_size == 7 and cfg.lr == 1e-5 and cfg.pretrained is False
    assert cfg.arch_kwargs == {"midlevel": 128} and cfg.max_minutes == 2.5


def test_min_side_trains_only_on_photos_stored_large_enough(tmp_path):
    from PIL import Image
    from colorizer.train.data import split_files
    for i, side in enumerate([64, 84, 128, 150, 200]):  # like Tiny ImageNet, mini-ImageNet and full-size sources
        (tmp_path / "d" / f"s{i}").mkdir(parents=True)
        Image.new("RGB", (side + 10, side), (200, 50, 20)).save(tmp_path / "d" / f"s{i}" / "p.png")
    (tmp_path / "v").mkdir()
    Image.new("RGB", (64, 64), (0, 90, 200)).save(tmp_path / "v" / "small.png")
    train_files, val_files = split_files(str(tmp_path / "d"), str(tmp_path / "v"), 0.1, 0, min_side=128)
    assert [f.parent.name for f in train_files] == ["s2", "s3", "s4"]
    assert [f.name for f in val_files] == ["small.png"]                    # validation is left as it is
    assert len(split_files(str(tmp_path / "d"), str(tmp_path / "v"), 0.1, 0)[0]) == 5
    with pytest.raises(ColorizerError, match="short side of 512 px"):
        split_files(str(tmp_path / "d"), str(tmp_path / "v"), 0.1, 0, min_side=512)


def _train_cmd(folder, tmp_path, steps, extra=()):
    return [sys.executable, str(ROOT / "train.py"), "--data", str(folder), "--out", str(tmp_path / "m.safetensors"),
            "--run-dir", str(tmp_path / "run"), "--arch", "conv-autoencoder", "--arch-kwargs", '{"width": 8}',
            "--objective", "mse", "--size", "32", "--batch-size", "4", "--steps", str(steps), "--workers", "0",
            "--checkpoint-every", "2", "--val-every", "1000", "--val-images", "4", "--log-every", "1",
            "--threads", "1", "--warmup-steps", "1", *extra]


def test_resume_after_sigkill_never_leaves_a_corrupt_checkpoint(image_folder, tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    state = tmp_path / "run" / "last.pt"
    rng = __import__("random").Random(7)
    for attempt in range(3):  # kill three times, at seeded random moments
        proc = subprocess.Popen(_train_cmd(image_folder, tmp_path, 400, ["--resume"] if attempt else []), env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 120
        start = torch.load(state, weights_only=True)["step"] if state.exists() else 0
        while time.time() < deadline:
            if state.exists():
                try:
                    if torch.load(state, weights_only=True)["step"] >= start + 4 + 3 * attempt:
                        break
                except Exception:  # noqa: BLE001 - a torn read here would itself be the bug
                    raise AssertionError("resume state was unreadable while training")
            time.sleep(0.2)
        time.sleep(rng.uniform(0.0, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        s = torch.load(state, weights_only=True)  # intact after the kill
        assert s["step"] >= start + 4
    killed_at = s["step"]
    r = subprocess.run(_train_cmd(image_folder, tmp_path, killed_at + 4, ["--resume"]), env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert f"resumed from {state} at step {killed_at}" in r.stderr
    assert torch.load(state, weights_only=True)["step"] == killed_at + 4
    load_checkpoint(tmp_path / "m.safetensors")
    assert not list((tmp_path / "run").glob("*.tmp"))


def test_torchrun_two_processes_on_cpu(image_folder, tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
           *_train_cmd(image_folder, tmp_path, 4, ["--device", "cpu"])[1:]]  # on CPU also where a GPU is
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    _, meta = load_checkpoint(tmp_path / "m.safetensors")
    assert meta["training"]["world_size"] == 2 and meta["training"]["steps"] == 4
    losses, _ = _train_losses(tmp_path / "run")
    assert len(losses) == 4  # one writer: rank 0 logs each step once


@pytest.mark.parametrize("gpus, local_rank, words", [(0, "0", "no CUDA GPU"), (1, "1", "--nproc_per_node=1")])
def test_a_launch_with_more_processes_than_gpus_says_so(monkeypatch, gpus, local_rank, words):
    from colorizer.train.trainer import _setup_distributed
    monkeypatch.setattr(torch.cuda, "is_available", lambda: gpus > 0)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: gpus)
    monkeypatch.setenv("LOCAL_RANK", local_rank)
    with pytest.raises(ColorizerError, match=words):
        _setup_distributed(TrainConfig(data="d", out="o.safetensors", device="cuda"))


def test_warm_start_ema_and_crop_schedule(image_folder, tmp_path):
    """--init-from copies a checkpoint's weights (a new head keeps its fresh init, by name); --ema ships
    the averaged weights; --size-schedule trains small crops first."""
    from colorizer.checkpoints import warm_start
    from colorizer.train.trainer import crop_size_at, parse_size_schedule
    first = _cfg(image_folder, tmp_path, "effnet-unet", steps=4, out=str(tmp_path / "a.safetensors"), run_dir=str(tmp_path / "r1"))
    train(first)
    model = create_model("effnet-unet", head="both", **small_kwargs("effnet-unet"))
    info = warm_start(model, first.out)
    assert info["new_tensors"] == ["ab_head.weight", "ab_head.bias"]
    old, _ = load_checkpoint(first.out)
    assert torch.equal(model.state_dict()["up1.conv.0.0.weight"], old.state_dict()["up1.conv.0.0.weight"])
    with pytest.raises(ColorizerError, match="warm start needs"):
        warm_start(create_model("resnet-mid"), first.out)
    cfg = _cfg(image_folder, tmp_path, "effnet-unet", steps=6, arch_kwargs={**small_kwargs("effnet-unet"), "head": "both"},
               objective="bins+huber", init_from=first.out, ema=0.9, size_schedule="24:0.5",
               out=str(tmp_path / "b.safetensors"), run_dir=str(tmp_path / "r2"))
    train(cfg)
    _, meta = load_checkpoint(cfg.out)
    assert meta["training"]["warm_start"]["new_tensors"] == ["ab_head.weight", "ab_head.bias"]
    plan = parse_size_schedule("24:0.5", 32)
    assert [crop_size_at(plan, p) for p in (0.0, 0.49, 0.5, 0.99)] == [24, 24, 32, 32]
    with pytest.raises(ColorizerError):
        parse_size_schedule("big:0.5", 32)


def test_hint_only_training_moves_the_hint_weights_and_nothing_else(image_folder, tmp_path):
    """--hint-only: from a hint model, only the weights that read the hint planes change (BatchNorm
    statistics included), so the automatic colors (no hints) are exactly those of the starting checkpoint."""
    torch.manual_seed(0)
    start = tmp_path / "start.safetensors"
    train(_cfg(image_folder, tmp_path, "effnet-unet", steps=3, out=str(start), run_dir=str(tmp_path / "r0")))
    cfg = _cfg(image_folder, tmp_path, "effnet-unet", steps=6, init_from=str(start), hint_only=True, hint_p_none=0.0,
               run_dir=str(tmp_path / "r1"), ema=0.0)
    train(cfg)
    before, _ = load_checkpoint(start)
    after, _ = load_checkpoint(cfg.out)
    a, b = before.state_dict(), after.state_dict()
    sliced = {"encoder.conv_stem.weight", "up3.conv.0.0.weight"}
    for k in a:
        if k in sliced:
            assert torch.equal(a[k][:, :-3], b[k][:, :-3]), k       # the photo's channels: untouched
            assert not torch.equal(a[k][:, -3:], b[k][:, -3:]), k   # the hint channels: learned
        else:
            assert torch.equal(a[k], b[k]), k
    l = torch.rand(1, 1, 40, 40) - 0.5
    with torch.no_grad():
        assert torch.equal(before.eval()(l)["logits"], after.eval()(l)["logits"])


def test_a_run_continues_from_its_committed_state_without_runs(image_folder, tmp_path):
    """--state-dir: the weights, their average and the schedule's position are written to a folder meant to
    be committed; with runs/ gone the same command continues from it (warm-up again, no optimizer moments),
    to the planned step count, and every stretch is recorded in the checkpoint."""
    import shutil
    from colorizer.train.step import lr_factor
    state = tmp_path / "state"
    kw = dict(steps=8, state_dir=str(state), ema=0.9, schedule="wsd", decay_fraction=0.25, rewarm_steps=2,
              aged_p=0.5, checkpoint_every=2)
    train(_cfg(image_folder, tmp_path, "effnet-unet", max_minutes=0.0, **kw))  # stops after its first step
    pos = json.loads((state / "position.json").read_text())
    assert pos["step"] == 1 and pos["total_steps"] == 8 and len(pos["stretches"]) == 1
    shutil.rmtree(tmp_path / "run")
    train(_cfg(image_folder, tmp_path, "effnet-unet", resume=True, **kw))
    pos = json.loads((state / "position.json").read_text())
    assert pos["step"] == 8 and [(s["start_step"], s["end_step"]) for s in pos["stretches"]] == [(0, 1), (1, 8)]
    _, meta = load_checkpoint(state / "ema.safetensors")
    assert meta["training"]["steps"] == 8 and len(meta["training"]["stretches"]) == 2
    load_checkpoint(state / "model.safetensors")
    cfg = _cfg(image_folder, tmp_path, "effnet-unet", **kw)
    assert [round(lr_factor(cfg, s, 8), 2) for s in (0, 3, 5, 6, 7, 8)] == [1.0, 1.0, 1.0, 1.0, 0.51, 0.02]


def test_restore_with_trains_on_the_tone_the_pipeline_gives(image_folder, tmp_path):
    """--restore-with: every photo's L goes through the tone model before the colorizer reads it (as the shipped
    pipeline's does): a tone model that brightens everything shows in the L the step hands the model."""
    from colorizer.restore import ToneNet, save_tone
    from colorizer.train.step import Optimization
    tone = ToneNet()
    with torch.no_grad():
        tone.head.bias.copy_(torch.tensor([0.0, 0.5]))  # gain 1, offset +40 tanh(0.5): every L 18.5 brighter
    save_tone(tmp_path / "tone.safetensors", tone, {"task": "tone restoration"})
    batch = (torch.randint(40, 160, (2, 3, 32, 32), dtype=torch.uint8), torch.zeros(2, dtype=torch.long))
    ls = []
    for restore_with in (None, str(tmp_path / "tone.safetensors")):
        cfg = _cfg(image_folder, tmp_path, "effnet-unet", restore_with=restore_with, min_chroma=0.0)
        model = create_model("effnet-unet", **small_kwargs("effnet-unet"))
        ls.append(Optimization(cfg, model, torch.device("cpu"))._inputs(batch, 0, 0)[1])
    shift = (ls[1] - ls[0]) * 100  # normalized L back to L units
    assert float(shift.min()) > 18.0 and float(shift.max()) < 19.0
    model = create_model("effnet-unet", **small_kwargs("effnet-unet"))  # and a step learns through it
    opt = Optimization(_cfg(image_folder, tmp_path, "effnet-unet", restore_with=str(tmp_path / "tone.safetensors"),
                            min_chroma=0.0), model, torch.device("cpu"))
    parts, _ = opt.step(batch, 0, 4)
    assert parts["loss"] > 0


def _historical_folder(tmp_path, n_old: int = 60):
    """A training folder with a modern source and a `historical` one of n_old consecutive plates."""
    from PIL import Image

    from conftest import synthetic_photo
    root = tmp_path / "train"
    for i in range(8):
        (root / "modern" / "a").mkdir(parents=True, exist_ok=True)
        Image.fromarray(synthetic_photo(40, 48, seed=i)).save(root / "modern" / "a" / f"m{i}.png")
    (root / "historical" / "plates").mkdir(parents=True)
    for i in range(n_old):
        Image.fromarray(synthetic_photo(40, 48, seed=100 + i)).save(root / "historical" / "plates" / f"pg_img{i + 1}.png")
    return root


def test_holdout_keeps_whole_blocks_of_a_source_out_and_oversample_repeats_the_rest(tmp_path):
    """--holdout historical:3: every 3rd block of 20 consecutive plates (in the plates' own number order, so
    img9 before img10) leaves training; --oversample historical:2.5 repeats each plate kept 2 or 3 times."""
    from colorizer.imageio import find_images
    from colorizer.train.data import hold_out, oversample
    root = _historical_folder(tmp_path)
    files = find_images(root)
    kept, held = hold_out(files, root, "historical:3")
    assert [f.name for f in held] == [f"pg_img{i}.png" for i in range(41, 61)]
    assert set(kept) | set(held) == set(files) and not set(kept) & set(held)
    more = oversample(kept, root, "historical:2.5")
    counts = {f: more.count(f) for f in kept}
    assert all(counts[f] == 1 for f in kept if "modern" in f.parts)
    old = [counts[f] for f in kept if "historical" in f.parts]
    assert set(old) == {2, 3} and 2.2 < sum(old) / len(old) < 2.8
    assert oversample(kept, root, "historical:2.5") == more  # seeded by the files' names
    for bad in ("historical", "historical:x", "historical:0"):
        with pytest.raises(ColorizerError):
            oversample(kept, root, bad)
    with pytest.raises(ColorizerError, match="no training photos"):
        hold_out(files, root, "nowhere:5")


def test_real_old_photos_are_never_aged_again_and_the_holdout_is_validated(tmp_path):
    """--unaged historical: with every photo aged (aged_p 1), the photos of that source reach the model as they
    are; a run with --holdout validates the held-out plates beside val and logs them as their own kind."""
    from colorizer.evaluation import aging
    from colorizer.train.step import Optimization
    from colorizer.train.trainer import Trainer
    root = _historical_folder(tmp_path, n_old=40)
    cfg = _cfg(root, tmp_path, "effnet-unet", aged_p=1.0, unaged="historical", holdout="historical:2",
               oversample="historical:2", min_chroma=0.0, steps=4, val_every=2, val_data=str(root / "modern"))
    t = Trainer(cfg)
    assert len(t.holdout_set) == 20 and len(t.train_set) == 8 + 20 * 2  # 8 modern + the 20 plates kept, twice
    old = t.train_set.classes.index("historical/plates")
    batch = (torch.randint(40, 160, (2, 3, 32, 32), dtype=torch.uint8), torch.tensor([old, 1 - old]))
    model = create_model("effnet-unet", **small_kwargs("effnet-unet"))
    opt = Optimization(cfg, model, torch.device("cpu"), unaged=[c.startswith("historical") for c in t.train_set.classes])
    plain = Optimization(_cfg(root, tmp_path, "effnet-unet", min_chroma=0.0), model, torch.device("cpu"))
    l_aged, l_plain = opt._inputs(batch, 0, 0)[1], plain._inputs(batch, 0, 0)[1]
    assert torch.equal(l_aged[0], l_plain[0]) and not torch.equal(l_aged[1], l_plain[1])
    lum = torch.rand(3, 1, 16, 16) * 100
    skip = torch.tensor([True, False, True])
    out = aging.age(lum, aging.seeded_generator("t"), p=1.0, skip=skip)
    assert torch.equal(out[0], lum[0]) and torch.equal(out[2], lum[2]) and not torch.equal(out[1], lum[1])
    t.fit()
    _, rows = _train_losses(tmp_path / "run")
    held = [r for r in rows if r["kind"] == "holdout"]
    assert held and held[-1]["images"] == 20 and 0 <= held[-1]["wash"] <= 1
