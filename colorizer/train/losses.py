"""Training objectives. Every one takes the model's output dict and the batch targets.

  mse        the seeds' regression (ab, or RGB for models that output RGB)
  huber      robust regression (smooth L1 on normalized ab)
  l1         robust regression
  bins       Zhang et al.: cross-entropy against soft-encoded ab bins, class-rebalanced
  bins+huber both heads (effnet-unet head="both")
A classifier branch (class_logits) adds `class_weight` x cross-entropy on folder labels.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .. import bins
from ..color import denormalize_ab

OBJECTIVES = ("mse", "huber", "l1", "bins", "bins+huber")


def _resize(x: torch.Tensor, size) -> torch.Tensor:
    if tuple(x.shape[-2:]) == tuple(size):
        return x
    return F.interpolate(x, size=tuple(size), mode="area" if x.shape[-1] > size[-1] else "bilinear")


def _regression(pred: torch.Tensor, target: torch.Tensor, kind: str) -> torch.Tensor:
    target = _resize(target, pred.shape[-2:])
    if kind == "mse":
        return F.mse_loss(pred.float(), target)
    if kind == "l1":
        return F.l1_loss(pred.float(), target)
    return F.smooth_l1_loss(pred.float(), target, beta=0.1)


class ColorLoss(torch.nn.Module):
    def __init__(self, objective: str, rebalance_lambda: float = 0.5, class_weight: float = 1.0):
        super().__init__()
        if objective not in OBJECTIVES:
            raise ValueError(f"objective must be one of {OBJECTIVES}, not {objective!r}")
        self.objective, self.class_weight = objective, class_weight
        b = bins.load_bins()
        self.register_buffer("centers", b["centers"], persistent=False)
        self.register_buffer("weights", bins.rebalance_weights(b["prior"], rebalance_lambda), persistent=False)

    def bins_loss(self, logits: torch.Tensor, ab_norm: torch.Tensor) -> torch.Tensor:
        ab = denormalize_ab(_resize(ab_norm, logits.shape[-2:]))
        idx, wts = bins.soft_encode_sparse(ab, self.centers)
        w = self.weights[idx[:, 0]]  # the rebalancing weight of each pixel's nearest bin
        ce = -(wts * F.log_softmax(logits.float(), dim=1).gather(1, idx)).sum(dim=1)
        return (ce * w).mean()

    def forward(self, out: dict, ab_norm: torch.Tensor, rgb: torch.Tensor, labels: torch.Tensor | None = None) -> dict:
        parts = {}
        if self.objective.startswith("bins"):
            parts["bins"] = self.bins_loss(out["logits"], ab_norm)
        reg = {"bins+huber": "huber"}.get(self.objective, self.objective)
        if reg in ("mse", "huber", "l1"):
            if "rgb" in out:  # models that predict RGB are trained on RGB, as their seed was
                parts[reg] = _regression(out["rgb"], rgb, reg)
            else:
                parts[reg] = _regression(out["ab"], ab_norm, reg)
        if "class_logits" in out and labels is not None and (labels >= 0).any() and self.class_weight > 0:
            ok = labels >= 0
            parts["class"] = self.class_weight * F.cross_entropy(out["class_logits"][ok].float(), labels[ok])
        parts["loss"] = sum(parts.values())
        return parts
