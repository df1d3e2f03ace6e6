"""Training any registered architecture on any folder of color images.

One typed config (TrainConfig); one loop (Trainer.fit) that runs alone or under torchrun (DDP, gloo on CPU,
nccl on GPU); rank 0 is the only writer. Its parts live beside it: the data pipeline in colorizer.train.data, the
step (loss, precision, EMA, schedule) in colorizer.train.step, validation in colorizer.train.validation, and what is
kept so a run can go on (`--resume` from runs/, `--state-dir` from a committed folder) in colorizer.train.state.
"""
from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
import random
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist

from .. import bins
from ..checkpoints import save_checkpoint, warm_start
from .data import (ImageFolderDataset, ResumableSampler, crop_size_at, hold_out, oversample,  # noqa: F401
                   parse_size_schedule, split_files, training_loader)
from ..errors import ColorizerError
from ..models import create_model
from .state import LocalState, Progress, RunState, checkpoint_metadata, git_commit
from .step import Optimization, training_device
from .validation import RunLog, validate

log = logging.getLogger("colorizer.train")


@dataclass
class TrainConfig:
    data: str
    out: str
    arch: str = "effnet-unet"
    arch_kwargs: dict = field(default_factory=dict)
    val_data: str | None = None
    val_split: float = 0.05
    val_images: int = 200          # validation subset size (fixed, first N of the sorted val files)
    run_dir: str | None = None     # logs, grids, resume state; default runs/<out stem>
    size: int = 128                # training crop (the final one when size_schedule is set)
    size_schedule: str = ""        # smaller crops early: "96:0.55" = 96 px for the first 55% of steps, then `size`
    batch_size: int = 32
    epochs: float = 1.0
    steps: int | None = None       # overrides epochs
    max_minutes: float | None = None  # stop cleanly (and save) after this wall time (of this stretch, not the run)
    objective: str = "bins"
    lr: float = 1e-3
    lr_encoder: float | None = None  # pretrained encoder lr after the freeze (default lr / 10)
    freeze_encoder_steps: int = 0
    optimizer: str = "adamw"       # adamw | adam (the seeds used plain Adam)
    weight_decay: float = 1e-4
    schedule: str = "cosine"       # cosine | constant | wsd (warmup, stable, then a linear decay over decay_fraction)
    decay_fraction: float = 0.2    # wsd: the share of steps, at the end, over which the lr decays
    warmup_steps: int = 100
    rebalance_lambda: float = 0.5
    class_weight: float = 1.0
    min_chroma: float = 4.0        # skip nearly colorless photos (mean chroma in Lab units)
    min_side: int = 0              # train only on photos stored with a short side of at least this many pixels
                                   # (0: all); validation photos are kept as they are
    pretrained: bool = True
    temperature: float = bins.DEFAULT_TEMPERATURE
    working_size: int = 256        # the inference size written into the checkpoint
    seed: int = 0
    workers: int = 2
    device: str = "auto"
    amp: str = "auto"              # auto: fp16 on CUDA, bf16 on CPUs with native bf16 (AMX/AVX512-BF16); on | off
    channels_last: bool = True
    threads: int | None = None
    half: bool = True              # ship fp16 weights
    log_every: int = 20
    val_every: int = 500
    checkpoint_every: int = 100
    best_metric: str = "ciede2000"  # lower is better; 'psnr' and 'ssim' are maximised
    best_on: str = "val"           # val | holdout: which validation picks the saved best (holdout: early stopping
                                   # on the held-out places of --holdout, for a run that learns a small source)
    resume: bool = False
    init_from: str | None = None   # warm start: weights of a shipped .safetensors checkpoint (same architecture)
    hint_p_none: float = 0.5       # models with a hint input: share of photos trained with no hint (automatic mode)
    hint_only: bool = False        # train only the weights that read the hints (BatchNorm statistics frozen too):
                                   # the automatic colors stay exactly those of --init-from
    aged_p: float = 0.0            # share of photos whose L is aged (colorizer.evaluation.aging) before the model reads it;
                                   # the target ab stays the clean photo's
    oversample: str = ""           # "historical:8": every photo of that top-level source folder 8 times an epoch
    unaged: str = ""               # "historical": sources whose gray is already an old print; aged_p never ages them
    holdout: str = ""              # "historical:5": every 5th block of 20 consecutive files of that source leaves
                                   # training and is validated on beside val (kind "holdout"): unseen places
    restore_with: str | None = None  # a tone checkpoint (colorizer.restore): every photo's L, aged or not, goes
                                   # through it before the model reads it, as the shipped pipeline's input does
    state_dir: str | None = None   # a folder to commit: raw and EMA weights plus the schedule's position, written
                                   # every checkpoint_every steps; a run given one continues from it when present
    rewarm_steps: int = 100        # after continuing from state_dir (no optimizer state kept): lr ramps up again
    ema: float = 0.0               # decay of an exponential moving average of the weights (0 = off); validated and shipped
    notes: str = ""


def _setup_distributed(cfg: TrainConfig) -> tuple[int, int, torch.device]:
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    # Checked before the process group forms, so a wrong launch says why instead of a CUDA stack trace
    # (or, for torchrun, a rank waiting for a partner that died).
    dev = training_device(cfg.device)
    local = int(os.environ.get("LOCAL_RANK", "0"))
    if dev.startswith("cuda"):
        gpus = torch.cuda.device_count()
        if dev == "cuda" and local >= gpus:
            raise ColorizerError(f"this process is local rank {local} but the machine has {gpus} GPU(s): start at "
                                 f"most {gpus} processes per node (torchrun --nproc_per_node={gpus}), or train "
                                 "with --device cpu")
    if world > 1 and not dist.is_initialized():
        dist.init_process_group(backend="nccl" if dev.startswith("cuda") else "gloo")
    if dev == "cuda":
        dev = f"cuda:{local}"
        torch.cuda.set_device(dev)
    return rank, world, torch.device(dev)


def _check_writable(cfg: TrainConfig, run_dir: Path) -> None:
    """Fail now, clearly, not after an hour of training; and tidy what a killed run left mid-write."""
    for d in (run_dir, Path(cfg.out).parent):
        try:
            d.mkdir(parents=True, exist_ok=True)
            probe = d / f".write-test-{os.getpid()}"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise ColorizerError(f"{d}: cannot write there ({exc.strerror or exc})") from None
    out = Path(cfg.out)  # the real files are intact: a temp file is only renamed over them when complete
    for stale in [*run_dir.glob(".last.pt.*.tmp"), *out.parent.glob(f".{out.name}.*.tmp")]:
        stale.unlink(missing_ok=True)


class Trainer:
    def __init__(self, cfg: TrainConfig):
        self.cfg = cfg
        self.rank, self.world, self.device = _setup_distributed(cfg)
        self.main = self.rank == 0
        if cfg.threads:
            torch.set_num_threads(cfg.threads)
        torch.manual_seed(cfg.seed + self.rank)
        random.seed(cfg.seed + self.rank)
        np.random.seed(cfg.seed + self.rank)
        self.run_dir = Path(cfg.run_dir or Path("runs") / Path(cfg.out).stem)
        if self.main:
            _check_writable(cfg, self.run_dir)
        train_files, val_files = split_files(cfg.data, cfg.val_data, cfg.val_split, cfg.seed, cfg.min_side)
        train_files, held = hold_out(train_files, cfg.data, cfg.holdout)
        train_files = oversample(train_files, cfg.data, cfg.oversample)
        self.train_set = ImageFolderDataset(cfg.data, cfg.size, train=True, files=train_files)
        self.val_set = ImageFolderDataset(cfg.val_data or cfg.data, cfg.size, train=False,
                                          files=val_files[: cfg.val_images], classes=self.train_set.classes)
        self.holdout_set = ImageFolderDataset(cfg.data, cfg.size, train=False, files=held,
                                              classes=self.train_set.classes) if held else None
        if cfg.best_on not in ("val", "holdout") or (cfg.best_on == "holdout" and self.holdout_set is None):
            raise ColorizerError(f"--best-on {cfg.best_on!r}: 'val', or 'holdout' together with --holdout SRC:K")
        self.n_val_total = len(val_files)
        self.progress = Progress()
        self.local_state = LocalState(self.run_dir / "last.pt")
        self.run_state = RunState(cfg.state_dir) if cfg.state_dir else None
        self.model = self._build_model()
        ddp = None
        if self.world > 1:
            ddp = torch.nn.parallel.DistributedDataParallel(
                self.model, device_ids=[self.device.index] if self.device.type == "cuda" else None)
        unaged = set(filter(None, (s.strip() for s in cfg.unaged.split(","))))
        self.optim = Optimization(cfg, self.model, self.device, ddp,
                                  unaged=[c.split("/")[0] in unaged for c in self.train_set.classes])
        self.amp = self.optim.amp
        self.global_batch = cfg.batch_size * self.world
        self.steps_per_epoch = max(1, math.ceil(len(self.train_set) / self.global_batch))
        self.total_steps = cfg.steps or max(1, int(cfg.epochs * self.steps_per_epoch))
        self.sampler = ResumableSampler(len(self.train_set), cfg.seed, self.rank, self.world)
        self.size_plan = parse_size_schedule(cfg.size_schedule, cfg.size)
        if cfg.resume or self._committed():
            self._continue()
        self.progress.open_stretch(git_commit())

    def _committed(self) -> bool:
        return self.run_state is not None and self.run_state.exists()

    def _build_model(self) -> torch.nn.Module:
        """The architecture (with as many classes as folders when it reads labels), started from a warm-start
        checkpoint, the encoder's ImageNet weights, or nothing: unless the run is continuing."""
        cfg = self.cfg
        kwargs = dict(cfg.arch_kwargs)
        model = create_model(cfg.arch, **kwargs)
        if getattr(model, "uses_class_labels", False) and "num_classes" not in kwargs:
            kwargs["num_classes"] = len(self.train_set.classes)
            model = create_model(cfg.arch, **kwargs)
        self.arch_kwargs = kwargs
        continuing = (cfg.resume and self.local_state.exists()) or self._committed()
        if cfg.resume and not continuing:
            log.warning("--resume: no %s yet, starting fresh", self.local_state.path)
        if not continuing:
            self._initialise(model)
        model.to(self.device)
        if cfg.channels_last:
            model.to(memory_format=torch.channels_last)
        return model

    def _initialise(self, model: torch.nn.Module) -> None:
        if self.cfg.init_from:
            self.progress.warm_start = warm_start(model, self.cfg.init_from)
        elif self.cfg.pretrained and hasattr(model, "load_pretrained_encoder"):
            model.load_pretrained_encoder()

    def _continue(self) -> None:
        """From runs/ when it is there (optimizer and RNG included), else from the committed state."""
        o = self.optim
        if self.cfg.resume and self.local_state.exists():
            self.local_state.load(self.model, o.ema_model, o.opt, self.progress)
            where = self.local_state.path
            if not self.progress.stretches and self._committed():  # a state file from before stretches were kept
                self.progress.stretches = self.run_state.position().get("stretches", [])
        elif self._committed():
            self.run_state.load(self.model, o.ema_model, self.progress)
            where = self.run_state.folder
        else:
            return
        if self.main:
            p = self.progress
            log.info("resumed from %s at step %d (epoch %d, batch %d)", where, p.step, p.epoch, p.pos)

    def train_step(self, batch) -> dict:
        """One optimizer step on a batch (uint8 RGB, labels); the loss parts."""
        p = self.progress
        parts, skipped = self.optim.step(batch, p.step, self.total_steps, self.rank, p.resumed_at)
        p.skipped += skipped
        return parts

    def metadata(self, metrics: dict) -> dict:
        return checkpoint_metadata(self.cfg, self.model, self.arch_kwargs, self.progress, metrics, {
            "amp": self.amp, "train_images": len(self.train_set), "val_images": self.n_val_total,
            "val_subset": len(self.val_set), "epochs": round(self.progress.step / self.steps_per_epoch, 3),
            "world_size": self.world, "device": str(self.device)}, self.train_set.classes)

    def _is_better(self, m: dict) -> bool:
        key, best = self.cfg.best_metric, self.progress.best
        if best is None:
            return True
        return m[key] > best[key] if key in ("psnr", "ssim") else m[key] < best[key]

    def _validate_and_save(self, log_: RunLog) -> dict:
        p, o = self.progress, self.optim
        m = validate(o.eval_model, self.val_set, o.loss_fn, self.cfg.batch_size, self.cfg.temperature, self.device,
                     self.run_dir / f"samples_step{p.step:06d}.png")
        m["step"] = p.step
        log_.write({"kind": "val", **m})
        if self.holdout_set is not None:  # read beside val, never chosen on
            h = validate(o.eval_model, self.holdout_set, o.loss_fn, self.cfg.batch_size, self.cfg.temperature,
                         self.device, self.run_dir / f"holdout_step{p.step:06d}.png")
            log_.write({"kind": "holdout", **h, "step": p.step})
            log.info("step %d holdout: %s", p.step, " ".join(f"{k}={v:.4g}" for k, v in h.items() if isinstance(v, float)))
            if self.cfg.best_on == "holdout":
                m = {**{f"val_{k}": v for k, v in m.items() if k != "step"}, **h, "step": p.step}
        better = self._is_better(m)
        if better:
            p.best = m
            save_checkpoint(Path(self.cfg.out), o.eval_model, self.metadata(m), half=self.cfg.half)
        log.info("step %d val: %s%s", p.step,
                 " ".join(f"{k}={v:.4g}" for k, v in m.items() if isinstance(v, float)), " (best, saved)" if better else "")
        return m

    def _save(self) -> None:
        """Both kinds of state (rank 0 only): runs/NAME/last.pt, and the committed folder when asked for."""
        if not self.main:
            return
        p, o, config = self.progress, self.optim, asdict(self.cfg)
        p.close_stretch(time.time() - self._stretch_t0)
        self.local_state.save(self.model, o.ema_model, o.opt, p, config)
        if self.run_state is not None:
            self.run_state.save(self.model, o.ema_model, self.metadata(p.best or {}), p, self.total_steps, config)

    def _out_of_time(self) -> bool:
        """--max-minutes bounds this stretch; every rank agrees to stop on the same step."""
        cfg = self.cfg
        out = cfg.max_minutes is not None and time.time() - self._stretch_t0 > cfg.max_minutes * 60
        if cfg.max_minutes is not None and self.world > 1:
            flag = torch.tensor([1.0 if out else 0.0], device=self.device)
            dist.all_reduce(flag, op=dist.ReduceOp.MAX)
            out = bool(flag.item())
        return out

    def fit(self) -> dict:
        from tqdm import tqdm
        cfg, p = self.cfg, self.progress
        run_log = RunLog(self.run_dir, p.history, tensorboard=self.main)
        bar = tqdm(total=self.total_steps, initial=p.step, disable=not self.main, dynamic_ncols=True,
                   desc=cfg.arch, mininterval=2.0)
        t0 = time.time() - p.elapsed
        self._stretch_t0 = time.time()
        seen, t_rate = 0, time.time()
        stop = False
        while p.step < self.total_steps and not stop:
            self.train_set.size = crop_size_at(self.size_plan, p.step / self.total_steps)
            self.sampler.set_position(p.epoch, p.pos * cfg.batch_size)
            loader = training_loader(self.train_set, self.sampler, cfg.batch_size, cfg.workers, self.world,
                                     self.device.type == "cuda")
            for batch in loader:
                p.pos += 1
                if batch is None:
                    continue
                parts = self.train_step(batch)
                p.step += 1
                seen += batch[0].shape[0] * self.world
                p.elapsed = time.time() - t0
                if self.main:
                    rate = seen / max(1e-6, time.time() - t_rate)
                    bar.set_postfix(loss=f"{parts['loss']:.4f}", img_s=f"{rate:.1f}", refresh=False)
                    bar.update(1)
                    if p.step % cfg.log_every == 0:
                        run_log.write({"kind": "train", "step": p.step, "epoch": p.epoch, "img_per_s": rate,
                                       "lr": self.optim.opt.param_groups[0]["lr"], **parts})
                        seen, t_rate = 0, time.time()
                out_of_time = self._out_of_time()
                if p.step % cfg.val_every == 0 and p.step < self.total_steps and self.main:
                    self._validate_and_save(run_log)
                if p.step % cfg.checkpoint_every == 0 or p.step >= self.total_steps or out_of_time:
                    self._save()
                if self.world > 1 and p.step % cfg.val_every == 0:
                    dist.barrier()
                if p.step >= self.total_steps or out_of_time:
                    stop = True
                    break
                if crop_size_at(self.size_plan, p.step / self.total_steps) != self.train_set.size:
                    break  # the next crop size: a new loader (its workers hold a copy of the dataset)
            else:
                p.epoch += 1
                p.pos = 0
        bar.close()
        final = {}
        if self.main:
            final = self._validate_and_save(run_log)
            self._save()
            run_log.close()
        if self.world > 1:
            dist.barrier()
        return final


def train(cfg: TrainConfig) -> dict:
    """Run a training job; returns the final validation metrics (on rank 0)."""
    trainer = Trainer(cfg)
    try:
        return trainer.fit()
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()


def config_from_args(argv: list[str] | None = None) -> TrainConfig:
    """Build TrainConfig from the command line: one flag per field (--batch-size, --no-amp, ...)."""
    import argparse
    ap = argparse.ArgumentParser(prog="train.py", description="Train a colorization model on a folder of color images.")
    for f in dataclasses.fields(TrainConfig):
        flag = "--" + f.name.replace("_", "-")
        default = f.default if f.default is not dataclasses.MISSING else None
        if f.name == "arch_kwargs":
            ap.add_argument(flag, type=json.loads, default={}, help="JSON dict of architecture settings")
        elif f.type in ("bool", bool):
            ap.add_argument(flag, action=argparse.BooleanOptionalAction, default=default)
        else:
            typ = {"int": int, "float": float, "str": str}.get(str(f.type).split(" ")[0], str)
            if "float" in str(f.type):
                typ = float
            elif "int" in str(f.type):
                typ = int
            ap.add_argument(flag, type=typ, default=default, required=f.name in ("data", "out"))
    ns = ap.parse_args(argv)
    cfg = TrainConfig(**vars(ns))
    return cfg


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    cfg = config_from_args(argv)
    try:
        m = train(cfg)
    except ColorizerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if m:
        print(json.dumps({k: v for k, v in m.items() if isinstance(v, (int, float))}))
    return 0
