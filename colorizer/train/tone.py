"""Training the tone-restoration network (colorizer.restore) on photos aged by colorizer.evaluation.aging.

Each batch: square crops of training photos, their L aged with probability `aged_p` (the rest clean, so the
network learns to leave a clean photo's tone alone), the network's curves applied to the aged L, and the L1
distance to the clean L as the loss. Like the colorizers' long runs it goes in stretches: every
`checkpoint_every` steps the weights, their moving average and the position are written to `state_dir`
(colorizer.train.state.RunState: commit that folder), and the same command continues from there.

    python train.py tone --data ../shared/data/train --val-data ../shared/data/val \
        --state-dir recipes/tone-v1 --out weights/tone.safetensors --steps 4000

Validation scores the gray row of `evaluate --aged`'s photos (the same seeded aging) with and without the
restoration, aged and clean: how far the tone moves toward the truth, and how little a clean photo changes.
"""
from __future__ import annotations

import argparse
import logging
import math
import time
from dataclasses import asdict, dataclass, fields

import numpy as np
import torch

from ..evaluation import aging
from ..color import normalize_l, srgb_u8_to_l
from ..checkpoints import warm_start
from .data import ImageFolderDataset, ResumableSampler, training_loader
from ..evaluation.evaluate import constant_predictions, load_eval_set
from ..evaluation.metrics import image_metrics, summarize
from ..restore import Restorer, ToneNet, _build, apply_tone, save_tone
from .state import Progress, RunState, git_commit
from .step import scheduled_factor, update_ema

log = logging.getLogger("colorizer.restore")


@dataclass
class ToneTrainConfig:
    data: str = "../shared/data/train"
    val_data: str = "../shared/data/val"
    state_dir: str = "recipes/tone-v1"
    out: str = ""                   # where the moving average goes at the end of the schedule ("" for nowhere)
    init_from: str = ""             # a tone checkpoint to start from instead of ImageNet's encoder (a new schedule)
    steps: int = 4000               # the whole schedule, all stretches together
    batch_size: int = 32
    size: int = 128
    lr: float = 1e-3                # decoder; the pretrained encoder at lr_encoder
    lr_encoder: float = 2e-4
    weight_decay: float = 1e-4
    schedule: str = "wsd"           # warmup, constant, linear decay over the last decay_fraction
    warmup_steps: int = 200
    decay_fraction: float = 0.25
    aged_p: float = 0.75
    ema: float = 0.998
    val_images: int = 150
    val_every: int = 500
    checkpoint_every: int = 100
    max_minutes: float = 0.0        # one stretch's bound (0: none)
    rewarm_steps: int = 100         # after continuing from state_dir: the learning rate ramps up again
    seed: int = 5
    threads: int = 2
    workers: int = 1


@torch.inference_mode()
def validate(model: ToneNet, data) -> dict:
    """Gray-row scores of the aged and the clean photos, as given and restored (evaluate --aged's aging)."""
    r = Restorer(model)
    out = {}
    for kind, inputs in (("aged", data.inputs), ("clean", data.images)):
        given = constant_predictions(inputs, (0.0, 0.0))
        restored = [np.repeat(r.restore_pixels(x)[:, :, None], 3, axis=2) for x in inputs]
        for name, preds in (("given", given), ("restored", restored)):
            s = summarize([image_metrics(p, t) for p, t in zip(preds, data.images)])
            out[f"{kind}_{name}_psnr"], out[f"{kind}_{name}_ciede2000"] = s["psnr"], s["ciede2000"]
    return out


def train(cfg: ToneTrainConfig) -> int:
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    model = ToneNet()
    state = RunState(cfg.state_dir, build=_build)
    progress, ema = Progress(), ToneNet()
    if state.exists():
        state.load(model, ema, progress)
        log.info("continuing %s at step %d of %d", cfg.state_dir, progress.step, cfg.steps)
    else:
        if cfg.init_from:  # a new schedule on trained weights: the record keeps what it started from
            progress.warm_start = warm_start(model, cfg.init_from)
        else:
            model.load_pretrained_encoder()
        ema.load_state_dict(model.state_dict())
    ema.eval().requires_grad_(False)
    enc = {id(p) for p in model.encoder.parameters()}
    groups = [{"params": [p for p in model.parameters() if id(p) not in enc], "base_lr": cfg.lr},
              {"params": list(model.encoder.parameters()), "base_lr": cfg.lr_encoder}]
    opt = torch.optim.AdamW(groups, lr=cfg.lr, weight_decay=cfg.weight_decay)
    dataset = ImageFolderDataset(cfg.data, cfg.size, train=True, scale=(1.0, 1.25))
    sampler = ResumableSampler(len(dataset), cfg.seed)
    val = load_eval_set(cfg.val_data, 256, cfg.val_images).age() if cfg.val_data else None
    if progress.step < cfg.steps:
        progress.open_stretch(git_commit())
    t0 = last = saved = time.time()
    model.train()
    resumed_at = progress.step if progress.step else None

    def save() -> None:
        nonlocal saved
        progress.elapsed, saved = progress.elapsed + time.time() - saved, time.time()
        progress.close_stretch(time.time() - t0)
        meta = {"arch": model.arch_name, "arch_kwargs": model.arch_kwargs, "task": "tone restoration",
                "training": {"config": asdict(cfg), "steps": progress.step, "stretches": progress.stretches,
                             "wall_minutes": round(progress.elapsed / 60, 1), "warm_start": progress.warm_start},
                "val_metrics": progress.best or {}}
        state.save(model, ema, meta, progress, cfg.steps, asdict(cfg))

    while progress.step < cfg.steps:
        sampler.set_position(progress.epoch, progress.pos * cfg.batch_size)
        for batch in training_loader(dataset, sampler, cfg.batch_size, cfg.workers, 1, False):
            if batch is None:
                continue
            step = progress.step
            factor = scheduled_factor(cfg, step, cfg.steps, resumed_at)
            for g in opt.param_groups:
                g["lr"] = g["base_lr"] * factor
            clean = srgb_u8_to_l(batch[0])
            aged = aging.age(clean, aging.seeded_generator(cfg.seed, "tone", step), p=cfg.aged_p)
            restored = apply_tone(aged, model(normalize_l(aged)))
            loss = (restored - clean).abs().mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            update_ema(ema, model, step, cfg.ema)
            progress.step, progress.pos = step + 1, progress.pos + 1
            if progress.step % 20 == 0:
                log.info("step %d loss %.3f lr %.2e %.1f img/s", progress.step, float(loss.detach()), factor * cfg.lr,
                         20 * cfg.batch_size / (time.time() - last))
                last = time.time()
            if val is not None and (progress.step % cfg.val_every == 0 or progress.step == cfg.steps):
                m = {"kind": "val", "step": progress.step, **validate(ema, val)}
                progress.history.append(m)
                if progress.best is None or m["aged_restored_ciede2000"] < progress.best["aged_restored_ciede2000"]:
                    progress.best = m
                log.info("val %s", {k: round(v, 3) if isinstance(v, float) else v for k, v in m.items()})
            stop = cfg.max_minutes and time.time() - t0 > cfg.max_minutes * 60
            if progress.step % cfg.checkpoint_every == 0 or progress.step >= cfg.steps or stop:
                save()
            if progress.step >= cfg.steps or stop:
                break
        else:
            progress.epoch, progress.pos = progress.epoch + 1, 0
            continue
        break
    if progress.step >= cfg.steps and cfg.out:  # the schedule is over (now or before): the release file
        save_tone(cfg.out, ema, {"task": "tone restoration",
                                 "training": {"config": asdict(cfg), "steps": progress.step, "epoch": progress.epoch,
                                              "warm_start": progress.warm_start,
                                              "stretches": progress.stretches, "history": progress.history,
                                              "wall_minutes": round(sum(x["minutes"] for x in progress.stretches), 1)},
                                 "val_metrics": progress.history[-1] if progress.history else {}})
        log.info("wrote %s", cfg.out)
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="train.py tone", description=__doc__.splitlines()[0])
    for f in fields(ToneTrainConfig):
        p.add_argument("--" + f.name.replace("_", "-"), type=type(f.default), default=f.default)
    cfg = ToneTrainConfig(**vars(p.parse_args(argv)))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    if not math.isfinite(cfg.max_minutes):
        p.error("--max-minutes must be finite")
    return train(cfg)
