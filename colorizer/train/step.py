"""One optimisation step of training: the optimizer and its parameter groups, the learning-rate schedule,
the precision (autocast), the moving average of the weights, and the step itself (aging, hints, loss).

Batches arrive as uint8 RGB and are converted to Lab here, on the training device, in one batched call.
"""
from __future__ import annotations

import copy
import math
from pathlib import Path

import torch

from ..evaluation import aging
from ..color import AB_SCALE, denormalize_l, normalize_l, rgb_to_model_input
from ..errors import ColorizerError
from ..hints import simulate
from .losses import ColorLoss
from ..restore import Restorer


def cpu_has_bf16() -> bool:
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


def training_device(name: str) -> str:
    """--device: "auto" is a CUDA GPU where PyTorch sees one, else the CPU; asking for CUDA where there is none
    says so, before anything is built."""
    dev = ("cuda" if torch.cuda.is_available() else "cpu") if name == "auto" else name
    if dev.startswith("cuda") and not (torch.cuda.is_available() and torch.cuda.device_count()):
        raise ColorizerError(f"--device {dev}, but PyTorch sees no CUDA GPU on this machine (use --device cpu)")
    return dev


def amp_enabled(amp: str, device: torch.device) -> bool:
    """--amp auto: fp16 on CUDA, bf16 only on CPUs that compute it natively; on | off force it."""
    if amp not in ("auto", "on", "off"):
        raise ColorizerError(f"--amp must be auto, on or off, not {amp!r}")
    if amp != "auto":
        return amp == "on"
    return device.type == "cuda" or cpu_has_bf16()


def lr_factor(cfg, step: int, total: int) -> float:
    if step < cfg.warmup_steps:
        return (step + 1) / cfg.warmup_steps
    if cfg.schedule == "constant":
        return 1.0
    if cfg.schedule == "wsd":  # constant until the last decay_fraction of the run, then linear to 2%
        start = total * (1 - cfg.decay_fraction)
        return 1.0 if step < start else 0.02 + 0.98 * max(0.0, total - step) / max(1.0, total - start)
    p = min(1.0, (step - cfg.warmup_steps) / max(1, total - cfg.warmup_steps))
    return 0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * p))


def scheduled_factor(cfg, step: int, total: int, resumed_at: int | None) -> float:
    """lr_factor, and after a continuation from a committed state (no optimizer moments kept) a ramp up again
    over cfg.rewarm_steps while Adam re-estimates them."""
    factor = lr_factor(cfg, step, total)
    if resumed_at is not None:
        factor *= min(1.0, (step - resumed_at + 1) / max(1, cfg.rewarm_steps))
    return factor


@torch.no_grad()
def update_ema(ema_model: torch.nn.Module, model: torch.nn.Module, step: int, ema: float) -> None:
    """One step of the weights' moving average (buffers copied as they are)."""
    decay = min(ema, (1 + step) / (10 + step))  # short memory while the run is young
    torch._foreach_lerp_(list(ema_model.parameters()), list(model.parameters()), 1.0 - decay)
    for e, b in zip(ema_model.buffers(), model.buffers()):
        e.copy_(b)


def prepare(rgb_u8: torch.Tensor, device: torch.device):
    """uint8 RGB batch -> (RGB in [0, 1], normalized L, normalized ab) on the device."""
    rgb_u8 = rgb_u8.to(device, non_blocking=True)
    l, ab = rgb_to_model_input(rgb_u8)  # table lookup for the gamma: cheaper than a power per value
    return rgb_u8.float().div_(255.0), l, ab


class Optimization:
    """Everything that changes the weights: built once per run, `step(batch, ...)` per batch."""

    def __init__(self, cfg, model: torch.nn.Module, device: torch.device, ddp: torch.nn.Module | None = None,
                 unaged: list[bool] | None = None):
        self.cfg, self.model, self.device = cfg, model, device
        # per class (a label): True where the photos are already old prints, which aging must leave as they are
        self.unaged = torch.tensor(unaged, dtype=torch.bool) if unaged and any(unaged) else None
        self.ema_model = None
        self.init_ema()
        self.amp = amp_enabled(cfg.amp, device)
        self.scaler = torch.amp.GradScaler("cuda", enabled=self.amp and device.type == "cuda")
        self.loss_fn = ColorLoss(cfg.objective, cfg.rebalance_lambda, cfg.class_weight).to(device)
        enc = set(map(id, model.encoder_parameters())) if hasattr(model, "encoder_parameters") else set()
        if cfg.hint_only:  # one group: only the hint-reading slices train, at --lr
            self._freeze_all_but_hint_weights()
            enc = set()
        groups = [{"params": [p for p in model.parameters() if id(p) not in enc and p.requires_grad], "name": "decoder",
                   "base_lr": cfg.lr}]
        if enc:
            groups.append({"params": [p for p in model.parameters() if id(p) in enc], "name": "encoder",
                           "base_lr": cfg.lr_encoder if cfg.lr_encoder is not None else cfg.lr / 10})
        if cfg.optimizer == "adam":
            self.opt = torch.optim.Adam(groups, lr=cfg.lr)
        else:
            self.opt = torch.optim.AdamW(groups, lr=cfg.lr, weight_decay=0.0 if cfg.hint_only else cfg.weight_decay)
        self.ddp = ddp or model
        # The pipeline restores every photo's tone before colorizing it (Colorizer's restore=True): a model
        # trained for that pipeline reads the restored L, aged or clean, not the L as aged.
        self.restorer = Restorer.load(cfg.restore_with) if cfg.restore_with else None

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

    def init_ema(self) -> None:
        """A moving average of the weights: on a short CPU budget it generalizes better than the last step."""
        self.ema_model = None
        if self.cfg.ema > 0:
            self.ema_model = copy.deepcopy(self.model).eval()
            for p in self.ema_model.parameters():
                p.requires_grad_(False)

    def update_ema(self, step: int) -> None:
        if self.ema_model is not None:
            update_ema(self.ema_model, self.model, step, self.cfg.ema)

    @property
    def eval_model(self) -> torch.nn.Module:
        """What validation measures and the checkpoint ships: the EMA weights when kept."""
        return self.ema_model if self.ema_model is not None else self.model

    def autocast(self):
        if not self.amp:
            return torch.autocast(self.device.type, enabled=False)
        dtype = torch.float16 if self.device.type == "cuda" else torch.bfloat16
        return torch.autocast(self.device.type, dtype=dtype)

    def set_lr(self, step: int, total: int, resumed_at: int | None) -> None:
        factor = scheduled_factor(self.cfg, step, total, resumed_at)
        for g in self.opt.param_groups:
            frozen = g["name"] == "encoder" and step < self.cfg.freeze_encoder_steps
            g["lr"] = 0.0 if frozen else g["base_lr"] * factor

    def _inputs(self, batch, step: int, rank: int):
        """The step's tensors; colorless photos replaced by repeats of colorful ones. Returns the photos'
        RGB, the L the model reads (aged for a share of them), the true ab, labels and the count replaced."""
        rgb_u8, labels = batch
        rgb, l, ab = prepare(rgb_u8, self.device)
        if self.cfg.aged_p > 0 or self.restorer is not None:  # both work on L in [0, 100], on the CPU
            lum = denormalize_l(l).cpu()
            if self.cfg.aged_p > 0:  # seeded by the step, so a continued run ages its photos as an unbroken one would
                old = None if self.unaged is None else self.unaged[labels.clamp(min=0)]
                lum = aging.age(lum, aging.seeded_generator(self.cfg.seed, rank, step), p=self.cfg.aged_p, skip=old)
            if self.restorer is not None:  # clone: out of inference mode, so the model may keep it for backward
                lum = self.restorer.restore_lum(lum).clone()
            l = normalize_l(lum).to(l.device)
        # mean chroma per photo; hypot of the two planes, since norm(dim=1) over a 2-long axis is ~100x slower
        keep = torch.hypot(ab[:, 0], ab[:, 1]).mean(dim=(1, 2)) * AB_SCALE >= self.cfg.min_chroma
        if not keep.all():
            # Replace colorless photos by repeats of the colorful ones rather than dropping them: the batch
            # keeps its shape (no kernel re-creation for a new shape), and every DDP rank still steps.
            idx = keep.nonzero().flatten() if keep.any() else torch.arange(len(keep), device=keep.device)
            sel = idx[torch.arange(len(keep), device=keep.device) % len(idx)]
            rgb, l, ab, labels = rgb[sel], l[sel], ab[sel], labels[sel.cpu()]
        if self.cfg.channels_last:
            l = l.contiguous(memory_format=torch.channels_last)
        return rgb, l, ab, labels.to(self.device), int((~keep).sum())

    def step(self, batch, step: int, total: int, rank: int = 0, resumed_at: int | None = None) -> tuple[dict, int]:
        """One optimizer step. Returns the loss parts and how many colorless photos were replaced."""
        rgb, l, ab, labels, skipped = self._inputs(batch, step, rank)
        self.set_lr(step, total, resumed_at)
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
        with self.autocast():
            out = self.ddp(l) if hints is None else self.ddp(l, hints)
        parts = self.loss_fn(out, ab, rgb, labels)
        self.opt.zero_grad(set_to_none=True)
        self.scaler.scale(parts["loss"]).backward()  # a no-op scaler unless fp16 on CUDA
        self.scaler.step(self.opt)
        self.scaler.update()
        self.update_ema(step)
        return {k: float(v.detach()) for k, v in parts.items()}, skipped
