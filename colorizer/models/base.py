"""What every colorization model shares: the input/output contract and ab decoding.

Contract: `forward(l)` takes normalized L (B,1,H,W) (see colorizer.color) and returns a dict with
  - "ab":     normalized ab (B,2,h,w) for regression models, and/or
  - "logits": (B,Q,h,w) scores over the Q quantized ab bins of colorizer.bins, and optionally
  - "rgb":    (B,3,h,w) in [0,1] for models that predict RGB directly (gray2rgb-cnn), and
  - "class_logits": (B,C) for models with a classifier branch (inception-fusion).
h, w may be smaller than H, W; `predict_ab` decodes and upsamples to (H, W).
"""
from __future__ import annotations

from dataclasses import replace

import torch
import torch.nn as nn

from .. import bins
from ..decoding import DecodeSettings, decode, run_model


class ColorModel(nn.Module):
    #: "regression" (ab or rgb out) or "classification" (logits over ab bins)
    output_kind = "regression"
    #: architectures that train with a class label per image (folder names)
    uses_class_labels = False
    #: False where the ONNX graph traces input sizes as constants (works only at the export size);
    #: such models stay on PyTorch (colorizer.onnx_backend.export_onnx would refuse them anyway)
    exports_to_onnx = True
    #: True where forward takes a second input, user color hints (colorizer.hints); the seeds' cannot
    accepts_hints = False

    def predict_ab(self, l_norm: torch.Tensor, settings: DecodeSettings | None = None, lam: float = 0.5,
                   hints: torch.Tensor | None = None, **overrides) -> torch.Tensor:
        """Normalized L (B,1,H,W) -> normalized ab (B,2,H,W), decoded as `settings` (colorizer.decoding)
        say, with any field overridden by keyword (e.g. temperature=0.2); lam: the rebalancing it trained
        with; hints: (B,3,H,W) hint planes (colorizer.hints), only for models that accept them."""
        s = replace(settings or DecodeSettings(), **overrides)
        return decode(run_model(self, l_norm, hints, s), l_norm, s, lam)


def decode_ab(out: dict, size, temperature: float = bins.DEFAULT_TEMPERATURE, mode: str = "auto") -> torch.Tensor:
    """Model output dict -> normalized ab at `size`, plain decoding (annealed mean, bilinear): training's view."""
    return decode(out, size, DecodeSettings(temperature=temperature), mode=mode)


def conv_bn_relu(cin: int, cout: int, k: int = 3, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, k // 2, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))
