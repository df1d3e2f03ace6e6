"""Training any registered architecture on any folder of color images.

One typed config (TrainConfig); one loop that runs alone or under torchrun (DDP, gloo on CPU, nccl on
GPU); rank 0 is the only writer. Batches arrive as uint8 and are converted to Lab on the device in one
batched call. Resumable: `<run_dir>/last.pt` holds model, optimizer, step, sampler position and RNG
states and is written atomically every `checkpoint_every` steps; `--resume` continues from it.
"""
from __future__ import annotations

import copy
import dataclasses
import json
import logging
import math
import os
import random
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from PIL import Image
from torch.utils.data import DataLoader

from . import __version__, aging, bins
from .checkpoints import atomic_write, save_checkpoint, warm_start, warm_start_record
from .color import AB_SCALE, L_CENTER, L_SCALE, denormalize_l, join_l_ab, normalize_l, rgb_to_model_input
from .data import ImageFolderDataset, ResumableSampler, collate
from .errors import ColorizerError
from .hints import simulate
from .imageio import find_images
from .losses import ColorLoss
from .metrics import image_metrics, summarize
from .run_state import RunState, new_stretch
from .models import create_model, decode_ab

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
    resume: bool = False
    init_from: str | None = None   # warm start: weights of a shipped .safetensors checkpoint (same architecture)
    hint_p_none: float = 0.5       # models with a hint input: share of photos trained with no hint (automatic mode)
    hint_only: bool = False        # train only the weights that read the hints (BatchNorm statistics frozen too):
                                   # the automatic colors stay exactly those of --init-from
    aged_p: float = 0.0            # share of photos whose L is aged (colorizer.aging) before the model reads it;
                                   # the target ab stays the clean photo's
    state_dir: str | None = None   # a folder to commit: raw and EMA weights plus the schedule's position, written
                                   # every checkpoint_every steps; a run given one continues from it when present
    rewarm_steps: int = 100        # after continuing from state_dir (no optimizer state kept): lr ramps up again
    ema: float = 0.0               # decay of an exponential moving average of the weights (0 = off); validated and shipped
    notes: str = ""


def _git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=Path(__file__).parent, timeout=5).stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _setup_distributed(cfg: TrainConfig) -> tuple[int, int, torch.device]:
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    if cfg.device == "auto":
        dev = "cuda" if torch.cuda.is_available() else "cpu"
    else:
        dev = cfg.device
    if world > 1 and not dist.is_initialized():
        dist.init_process_group(backend="nccl" if dev.startswith("cuda") else "gloo")
    if dev == "cuda":
        dev = f"cuda:{int(os.environ.get('LOCAL_RANK', '0'))}"
        torch.cuda.set_device(dev)
    return rank, world, torch.device(dev)


def _rng_state() -> dict:
    state = {"torch": torch.get_rng_state(), "python": list(random.getstate()[1]),
             "python_pos": random.getstate()[2], "numpy": torch.from_numpy(np.random.get_state()[1].astype(np.int64)),
             "numpy_pos": int(np.random.get_state()[2])}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def _set_rng_state(s: dict) -> None:
    torch.set_rng_state(s["torch"])
    random.setstate((3, tuple(s["python"]), s["python_pos"]))
    np.random.set_state(("MT19937", s["numpy"].numpy().astype(np.uint32), s["numpy_pos"], 0, 0.0))
    if "cuda" in s and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(s["cuda"])


def _cpu_has_bf16() -> bool:
    """Native bf16 arithmetic (AVX512-BF16 or AMX). oneDNN also reports bf16 "supported" on plain
    AVX-512, where it is emulated and a training step runs 2.5x slower than fp32: check the flags."""
    try:
        if not (torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported()):
            return False
    except (AttributeError, RuntimeError):
        return False
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return True  # not Linux: trust oneDNN
    return "avx512_bf16" in flags or "amx_bf16" in flags


def _lr_factor(cfg: TrainConfig, step: int, total: int) -> float:
    if step < cfg.warmup_steps:
        return (step + 1) / cfg.warmup_steps
    if cfg.schedule == "constant":
        return 1.0
    if cfg.schedule == "wsd":  # constant until the last decay_fraction of the run, then linear to 2%
        start = total * (1 - cfg.decay_fraction)
        return 1.0 if step < start else 0.02 + 0.98 * max(0.0, total - step) / max(1.0, total - start)
    p = min(1.0, (step - cfg.warmup_steps) / max(1, total - cfg.warmup_steps))
    return 0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * p))


def parse_size_schedule(spec: str, final: int) -> list[tuple[float, int]]:
    """"96:0.3,112:0.6" -> [(0.3, 96), (0.6, 112), (1.0, final)]: crop size until each fraction of the run."""
    plan = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        try:
            size, until = part.split(":")
            plan.append((float(until), int(size)))
        except ValueError:
            raise ColorizerError(f"--size-schedule: {part!r} is not SIZE:FRACTION (e.g. 96:0.5)") from None
    if any(not 0 < f < 1 for f, _ in plan) or [f for f, _ in plan] != sorted(f for f, _ in plan):
        raise ColorizerError(f"--size-schedule {spec!r}: fractions must rise and lie between 0 and 1")
    return plan + [(1.0, final)]


def crop_size_at(plan: list[tuple[float, int]], progress: float) -> int:
    return next(size for until, size in plan if progress < until or until >= 1.0)


def split_files(cfg: TrainConfig) -> tuple[list[Path], list[Path]]:
    files = find_images(cfg.data)
    if not files:
        raise ColorizerError(f"{cfg.data}: no images found")
    if cfg.val_data:
        return files, find_images(cfg.val_data)
    rng = random.Random(cfg.seed)
    shuffled = files[:]
    rng.shuffle(shuffled)
    k = max(1, int(len(files) * cfg.val_split))
    return sorted(shuffled[k:]), sorted(shuffled[:k])


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
            for d in (self.run_dir, Path(cfg.out).parent):  # fail now, clearly, not after an hour of training
                try:
                    d.mkdir(parents=True, exist_ok=True)
                    probe = d / f".write-test-{os.getpid()}"
                    probe.write_bytes(b"")
                    probe.unlink()
                except OSError as exc:
                    raise ColorizerError(f"{d}: cannot write there ({exc.strerror or exc})") from None
            # a run killed mid-write leaves its temp file behind (the real file is intact): tidy up
            out = Path(cfg.out)
            for stale in [*self.run_dir.glob(".last.pt.*.tmp"), *out.parent.glob(f".{out.name}.*.tmp")]:
                stale.unlink(missing_ok=True)

        train_files, val_files = split_files(cfg)
        self.train_set = ImageFolderDataset(cfg.data, cfg.size, train=True, files=train_files)
        val_root = cfg.val_data or cfg.data
        self.val_set = ImageFolderDataset(val_root, cfg.size, train=False, files=val_files[: cfg.val_images],
                                          classes=self.train_set.classes)
        self.n_val_total = len(val_files)

        kwargs = dict(cfg.arch_kwargs)
        probe = create_model(cfg.arch, **kwargs)
        if getattr(probe, "uses_class_labels", False) and "num_classes" not in kwargs:
            kwargs["num_classes"] = len(self.train_set.classes)
            probe = create_model(cfg.arch, **kwargs)
        self.arch_kwargs = kwargs
        self.model = probe
        self.warm_start = None
        self.run_state = RunState(cfg.state_dir) if cfg.state_dir else None
        committed = self.run_state is not None and self.run_state.exists()
        if cfg.init_from and not (cfg.resume or committed):
            self.warm_start = warm_start(self.model, cfg.init_from)
        elif cfg.pretrained and hasattr(self.model, "load_pretrained_encoder") and not (cfg.resume or committed):
            self.model.load_pretrained_encoder()
        self.model.to(self.device)
        if cfg.channels_last:
            self.model.to(memory_format=torch.channels_last)
        self._init_ema()
        self.amp = self._amp_enabled()
        self.scaler = torch.amp.GradScaler("cuda", enabled=self.amp and self.device.type == "cuda")
        self.loss_fn = ColorLoss(cfg.objective, cfg.rebalance_lambda, cfg.class_weight).to(self.device)

        enc = set(map(id, self.model.encoder_parameters())) if hasattr(self.model, "encoder_parameters") else set()
        if cfg.hint_only:  # one group: only the hint-reading slices train, at --lr
            self._freeze_all_but_hint_weights()
            enc = set()
        groups = [{"params": [p for p in self.model.parameters() if id(p) not in enc and p.requires_grad], "name": "decoder",
                   "base_lr": cfg.lr}]
        if enc:
            groups.append({"params": [p for p in self.model.parameters() if id(p) in enc], "name": "encoder",
                           "base_lr": cfg.lr_encoder if cfg.lr_encoder is not None else cfg.lr / 10})
        if cfg.optimizer == "adam":
            self.opt = torch.optim.Adam(groups, lr=cfg.lr)
        else:
            self.opt = torch.optim.AdamW(groups, lr=cfg.lr, weight_decay=0.0 if cfg.hint_only else cfg.weight_decay)
        self.ddp = self.model
        if self.world > 1:
            self.ddp = torch.nn.parallel.DistributedDataParallel(
                self.model, device_ids=[self.device.index] if self.device.type == "cuda" else None)

        self.global_batch = cfg.batch_size * self.world
        self.steps_per_epoch = max(1, math.ceil(len(self.train_set) / self.global_batch))
        self.total_steps = cfg.steps or max(1, int(cfg.epochs * self.steps_per_epoch))
        self.sampler = ResumableSampler(len(self.train_set), cfg.seed, self.rank, self.world)
        self.size_plan = parse_size_schedule(cfg.size_schedule, cfg.size)
        self.step, self.epoch, self.pos = 0, 0, 0
        self.best, self.history, self.elapsed = None, [], 0.0
        self.skipped_colorless = 0
        self.resumed_at = None  # the step a run continued from its committed state (no optimizer moments)
        self.stretches = self.run_state.position().get("stretches", []) if committed else []
        if cfg.resume:
            self._load_state()
        elif committed:
            self._load_run_state()
        self.stretches.append(new_stretch(self.step, _git_commit()))

    # ---------------------------------------------------------------- EMA
    def _freeze_all_but_hint_weights(self) -> None:
        """--hint-only: every weight frozen but the hint-reading slices (gradients masked to them)."""
        pairs = self.model.hint_weights() if hasattr(self.model, "hint_weights") else []
        if not pairs:
            raise ColorizerError("--hint-only needs a model with a hint input (e.g. --arch-kwargs '{\"hints\": true}')")
        keep = {id(p) for p, _ in pairs}
        for p in self.model.parameters():
            p.requires_grad_(id(p) in keep)
        for p, sl in pairs:
            mask = torch.zeros_like(p)
            mask[:, sl] = 1.0
            p.register_hook(lambda g, m=mask: g * m)

    def _init_ema(self) -> None:
        """A moving average of the weights: on a short CPU budget it generalizes better than the last step."""
        self.ema_model = None
        if self.cfg.ema > 0:
            self.ema_model = copy.deepcopy(self.model).eval()
            for p in self.ema_model.parameters():
                p.requires_grad_(False)

    @torch.no_grad()
    def _update_ema(self) -> None:
        if self.ema_model is None:
            return
        decay = min(self.cfg.ema, (1 + self.step) / (10 + self.step))  # short memory while the run is young
        torch._foreach_lerp_(list(self.ema_model.parameters()), list(self.model.parameters()), 1.0 - decay)
        for e, b in zip(self.ema_model.buffers(), self.model.buffers()):
            e.copy_(b)

    @property
    def eval_model(self) -> torch.nn.Module:
        """What validation measures and the checkpoint ships: the EMA weights when kept."""
        return self.ema_model if self.ema_model is not None else self.model

    # ---------------------------------------------------------------- state
    def _state_path(self) -> Path:
        return self.run_dir / "last.pt"

    def _save_state(self) -> None:
        if not self.main:
            return
        state = {"model": self.model.state_dict(), "opt": self.opt.state_dict(), "step": self.step,
                 "epoch": self.epoch, "pos": self.pos, "best": self.best, "elapsed": self.elapsed,
                 "rng": _rng_state(), "config": json.dumps(asdict(self.cfg)), "history": json.dumps(self.history),
                 "skipped": self.skipped_colorless, "warm_start": json.dumps(self.warm_start)}
        if self.ema_model is not None:
            state["ema"] = self.ema_model.state_dict()
        # our own file, read back with weights_only=True: tensors and plain values only
        atomic_write(self._state_path(), lambda tmp: torch.save(state, tmp))

    def _load_state(self) -> None:
        path = self._state_path()
        if not path.is_file() and self.run_state is not None and self.run_state.exists():
            log.warning("--resume: no %s, continuing from %s", path, self.run_state.folder)
            self._load_run_state()
            return
        if not path.is_file():
            log.warning("--resume: no %s yet, starting fresh", path)
            if self.cfg.init_from:
                self.warm_start = warm_start(self.model, self.cfg.init_from)
            elif self.cfg.pretrained and hasattr(self.model, "load_pretrained_encoder"):
                self.model.load_pretrained_encoder()
            self._init_ema()
            return
        try:
            s = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as exc:  # noqa: BLE001 - report any unreadable state file the same way
            raise ColorizerError(f"{path}: cannot resume from this state file ({exc})") from None
        self.model.load_state_dict(s["model"], strict=True)
        if self.ema_model is not None:
            self.ema_model.load_state_dict(s["ema"] if "ema" in s else s["model"], strict=True)
        self.opt.load_state_dict(s["opt"])
        self.step, self.epoch, self.pos = s["step"], s["epoch"], s["pos"]
        self.best, self.elapsed = s["best"], s["elapsed"]
        self.history = json.loads(s["history"])
        self.skipped_colorless = s.get("skipped", 0)
        self.warm_start = json.loads(s["warm_start"]) if "warm_start" in s else \
            (warm_start_record(self.cfg.init_from) if self.cfg.init_from else None)  # older state files
        _set_rng_state(s["rng"])
        if self.main:
            log.info("resumed from %s at step %d (epoch %d, batch %d)", path, self.step, self.epoch, self.pos)

    def _load_run_state(self) -> None:
        pos = self.run_state.load(self.model, self.ema_model)
        self.step, self.epoch, self.pos = pos["step"], pos["epoch"], pos["pos"]
        self.elapsed, self.skipped_colorless = pos["elapsed"], pos.get("skipped", 0)
        self.best, self.history = pos.get("best"), pos.get("history", [])
        self.warm_start = pos.get("warm_start")
        self.resumed_at = self.step
        if self.main:
            log.info("continuing from %s at step %d (epoch %d, batch %d)", self.run_state.folder, self.step,
                     self.epoch, self.pos)

    def _save_run_state(self) -> None:
        if not self.main or self.run_state is None:
            return
        st = self.stretches[-1]
        st["end_step"], st["minutes"] = self.step, round((time.time() - self._stretch_t0) / 60, 2)
        position = {"step": self.step, "epoch": self.epoch, "pos": self.pos, "elapsed": self.elapsed,
                    "total_steps": self.total_steps, "skipped": self.skipped_colorless, "best": self.best,
                    "history": [h for h in self.history if h.get("kind") == "val"], "warm_start": self.warm_start,
                    "stretches": self.stretches, "config": asdict(self.cfg)}
        self.run_state.save(self.model, self.ema_model, self.metadata(self.best or {}), position)

    # ---------------------------------------------------------------- steps
    def _amp_enabled(self) -> bool:
        if self.cfg.amp not in ("auto", "on", "off"):
            raise ColorizerError(f"--amp must be auto, on or off, not {self.cfg.amp!r}")
        if self.cfg.amp != "auto":
            return self.cfg.amp == "on"
        return self.device.type == "cuda" or _cpu_has_bf16()

    def _autocast(self):
        if not self.amp:
            return torch.autocast(self.device.type, enabled=False)
        dtype = torch.float16 if self.device.type == "cuda" else torch.bfloat16
        return torch.autocast(self.device.type, dtype=dtype)

    def _prepare(self, rgb_u8: torch.Tensor):
        rgb_u8 = rgb_u8.to(self.device, non_blocking=True)
        l, ab = rgb_to_model_input(rgb_u8)  # table lookup for the gamma: cheaper than a power per value
        return rgb_u8.float().div_(255.0), l, ab

    def train_step(self, batch) -> dict | None:
        rgb_u8, labels = batch
        rgb, l, ab = self._prepare(rgb_u8)
        if self.cfg.aged_p > 0:  # seeded by the step, so a continued run ages its photos as an unbroken one would
            g = aging.seeded_generator(self.cfg.seed, self.rank, self.step)
            l = normalize_l(aging.age(denormalize_l(l).cpu(), g, p=self.cfg.aged_p)).to(l.device)
        # mean chroma per photo; hypot of the two planes, since norm(dim=1) over a 2-long axis is ~100x slower
        keep = torch.hypot(ab[:, 0], ab[:, 1]).mean(dim=(1, 2)) * AB_SCALE >= self.cfg.min_chroma
        self.skipped_colorless += int((~keep).sum())
        if not keep.all():
            # Replace colorless photos by repeats of the colorful ones rather than dropping them: the batch
            # keeps its shape (no kernel re-creation for a new shape), and every DDP rank still steps.
            idx = keep.nonzero().flatten() if keep.any() else torch.arange(len(keep), device=keep.device)
            sel = idx[torch.arange(len(keep), device=keep.device) % len(idx)]
            rgb, l, ab, labels = rgb[sel], l[sel], ab[sel], labels[sel.cpu()]
        labels = labels.to(self.device)
        if self.cfg.channels_last:
            l = l.contiguous(memory_format=torch.channels_last)
        factor = _lr_factor(self.cfg, self.step, self.total_steps)
        if self.resumed_at is not None:
            factor *= min(1.0, (self.step - self.resumed_at + 1) / max(1, self.cfg.rewarm_steps))
        for g in self.opt.param_groups:
            frozen = g["name"] == "encoder" and self.step < self.cfg.freeze_encoder_steps
            g["lr"] = 0.0 if frozen else g["base_lr"] * factor
        self.ddp.train()
        if self.cfg.hint_only:  # BatchNorm keeps its statistics: the automatic path must not move
            for m in self.model.modules():
                if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                    m.eval()
        hints = None
        if getattr(self.model, "accepts_hints", False):  # Zhang et al. 2017: hints drawn from the truth
            hints = simulate(ab, p_none=self.cfg.hint_p_none)
            if self.cfg.channels_last:
                hints = hints.contiguous(memory_format=torch.channels_last)
        with self._autocast():
            out = self.ddp(l) if hints is None else self.ddp(l, hints)
        parts = self.loss_fn(out, ab, rgb, labels)
        self.opt.zero_grad(set_to_none=True)
        self.scaler.scale(parts["loss"]).backward()  # a no-op scaler unless fp16 on CUDA
        self.scaler.step(self.opt)
        self.scaler.update()
        self._update_ema()
        return {k: float(v.detach()) for k, v in parts.items()}

    @torch.inference_mode()
    def validate(self) -> dict:
        model = self.eval_model
        model.eval()
        loader = DataLoader(self.val_set, batch_size=self.cfg.batch_size, num_workers=0, collate_fn=collate)
        rows, losses, grid = [], [], []
        for batch in loader:
            if batch is None:
                continue
            rgb_u8, labels = batch
            rgb, l, ab = self._prepare(rgb_u8)
            out = model(l)
            losses.append(float(self.loss_fn(out, ab, rgb, labels.to(self.device))["loss"]))
            pred_ab = decode_ab(out, l.shape[-2:], self.cfg.temperature)
            pred = (join_l_ab(l, pred_ab) * 255).round().byte().permute(0, 2, 3, 1).cpu().numpy()
            truth = rgb_u8.permute(0, 2, 3, 1).numpy()
            gray = (join_l_ab(l, torch.zeros_like(pred_ab)) * 255).round().byte().permute(0, 2, 3, 1).cpu().numpy()
            for p, t, g in zip(pred, truth, gray):
                rows.append(image_metrics(p, t))
                if len(grid) < 8:
                    grid.append(np.concatenate([g, p, t], axis=1))
        result = summarize(rows)
        result["val_loss"] = float(np.mean(losses)) if losses else float("nan")
        if grid:
            Image.fromarray(np.concatenate(grid, axis=0)).save(self.run_dir / f"samples_step{self.step:06d}.png")
        return result

    def _is_better(self, m: dict) -> bool:
        key = self.cfg.best_metric
        if self.best is None:
            return True
        return m[key] > self.best[key] if key in ("psnr", "ssim") else m[key] < self.best[key]

    def metadata(self, metrics: dict) -> dict:
        c = self.cfg
        return {
            "arch": c.arch, "arch_kwargs": self.arch_kwargs, "objective": c.objective,
            "working_size": c.working_size, "temperature": c.temperature,
            "output_kind": getattr(self.model, "output_kind", "regression"),
            "accepts_hints": bool(getattr(self.model, "accepts_hints", False)),
            "normalization": {"l_center": L_CENTER, "l_scale": L_SCALE, "ab_scale": AB_SCALE},
            "classes": self.train_set.classes if getattr(self.model, "uses_class_labels", False) else [],
            "training": {"config": asdict(c), "amp": self.amp, "train_images": len(self.train_set), "val_images": self.n_val_total,
                         "val_subset": len(self.val_set), "steps": self.step, "epochs": round(self.step / self.steps_per_epoch, 3),
                         "world_size": self.world, "device": str(self.device), "wall_minutes": round(self.elapsed / 60, 2),
                         "skipped_colorless": self.skipped_colorless, "data": str(c.data),
                         "warm_start": self.warm_start, "stretches": self.stretches},
            "val_metrics": metrics, "val_metric_note": f"{len(self.val_set)} val images at {c.size}px center crops",
            "code_version": __version__, "git_commit": _git_commit(),
        }

    def _log(self, record: dict, tb) -> None:
        self.history.append(record)
        with open(self.run_dir / "metrics.jsonl", "a") as fh:
            fh.write(json.dumps(record) + "\n")
        if tb is not None:
            for k, v in record.items():
                if isinstance(v, (int, float)) and k != "step":
                    tb.add_scalar(k, v, record["step"])

    def _validate_and_save(self, tb) -> dict:
        m = self.validate()
        m["step"] = self.step
        self._log({"kind": "val", **m}, tb)
        better = self._is_better(m)
        if better:
            self.best = m
        best_path = Path(self.cfg.out)
        if better:
            save_checkpoint(best_path, self.eval_model, self.metadata(m), half=self.cfg.half)
        log.info("step %d val: %s%s", self.step,
                 " ".join(f"{k}={v:.4g}" for k, v in m.items() if isinstance(v, float)), " (best, saved)" if better else "")
        return m

    # ---------------------------------------------------------------- loop
    def fit(self) -> dict:
        from tqdm import tqdm
        cfg = self.cfg
        tb = None
        if self.main:
            try:
                from torch.utils.tensorboard import SummaryWriter
                tb = SummaryWriter(str(self.run_dir / "tb"))
            except ImportError:
                tb = None
        loader_kwargs = dict(batch_size=cfg.batch_size, num_workers=cfg.workers, collate_fn=collate,
                             pin_memory=self.device.type == "cuda",
                             drop_last=len(self.train_set) >= cfg.batch_size * self.world)  # one batch shape
        if cfg.workers > 0:
            loader_kwargs.update(persistent_workers=False, prefetch_factor=4)
        bar = tqdm(total=self.total_steps, initial=self.step, disable=not self.main, dynamic_ncols=True,
                   desc=cfg.arch, mininterval=2.0)
        t0 = time.time() - self.elapsed
        self._stretch_t0 = time.time()
        seen, t_rate = 0, time.time()
        stop = False
        while self.step < self.total_steps and not stop:
            self.train_set.size = crop_size_at(self.size_plan, self.step / self.total_steps)
            self.sampler.set_position(self.epoch, self.pos * cfg.batch_size)
            loader = DataLoader(self.train_set, sampler=self.sampler, **loader_kwargs)
            for batch in loader:
                if batch is None:
                    self.pos += 1
                    continue
                parts = self.train_step(batch)
                self.step += 1
                self.pos += 1
                seen += batch[0].shape[0] * self.world
                self.elapsed = time.time() - t0
                if self.main:
                    rate = seen / max(1e-6, time.time() - t_rate)
                    bar.set_postfix(loss=f"{parts['loss']:.4f}", img_s=f"{rate:.1f}", refresh=False)
                    bar.update(1)
                    if self.step % cfg.log_every == 0:
                        self._log({"kind": "train", "step": self.step, "epoch": self.epoch, "img_per_s": rate,
                                   "lr": self.opt.param_groups[0]["lr"], **parts}, tb)
                        seen, t_rate = 0, time.time()
                out_of_time = cfg.max_minutes is not None and time.time() - self._stretch_t0 > cfg.max_minutes * 60
                if cfg.max_minutes is not None and self.world > 1:  # all ranks agree to stop on the same step
                    flag = torch.tensor([1.0 if out_of_time else 0.0], device=self.device)
                    dist.all_reduce(flag, op=dist.ReduceOp.MAX)
                    out_of_time = bool(flag.item())
                if self.step % cfg.val_every == 0 and self.step < self.total_steps and self.main:
                    self._validate_and_save(tb)
                if self.step % cfg.checkpoint_every == 0 or self.step >= self.total_steps or out_of_time:
                    self._save_state()
                    self._save_run_state()
                if self.world > 1 and self.step % cfg.val_every == 0:
                    dist.barrier()
                if self.step >= self.total_steps or out_of_time:
                    stop = True
                    break
                if crop_size_at(self.size_plan, self.step / self.total_steps) != self.train_set.size:
                    break  # the next crop size: a new loader (its workers hold a copy of the dataset)
            else:
                self.epoch += 1
                self.pos = 0
        bar.close()
        final = {}
        if self.main:
            final = self._validate_and_save(tb)
            self._save_state()
            self._save_run_state()
            if tb is not None:
                tb.close()
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
