"""What every colorization model shares: the input/output contract and ab decoding.

Contract: `forward(l)` takes normalized L (B,1,H,W) (see colorizer.color) and returns a dict with
  - "ab":     normalized ab (B,2,h,w) for regression models, and/or
  - "logits": (B,Q,h,w) scores over the Q quantized ab bins of colorizer.bins, and optionally
  - "rgb":    (B,3,h,w) in [0,1] for models that predict RGB directly (gray2rgb-cnn), and
  - "class_logits": (B,C) for models with a classifier branch (inception-fusion).
h, w may be smaller than H, W; `predict_ab` decodes and upsamples to (H, W).
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from .. import bins
from ..color import normalize_ab


class ColorModel(nn.Module):
    #: "regression" (ab or rgb out) or "classification" (logits over ab bins)
    output_kind = "regression"
    #: architectures that train with a class label per image (folder names)
    uses_class_labels = False
    #: False where the ONNX graph traces input sizes as constants (works only at the export size);
    #: such models stay on PyTorch (colorizer.onnx_backend.export_onnx would refuse them anyway)
    exports_to_onnx = True

    def predict_ab(self, l_norm: torch.Tensor, temperature: float = bins.DEFAULT_TEMPERATURE,
                   decode: str = "auto", shift: torch.Tensor | None = None) -> torch.Tensor:
        """Normalized L (B,1,H,W) -> normalized ab (B,2,H,W)."""
        out = self(l_norm)
        return decode_ab(out, l_norm.shape[-2:], temperature, decode, shift)


def decode_ab(out: dict, size, temperature: float = bins.DEFAULT_TEMPERATURE, decode: str = "auto",
              shift: torch.Tensor | None = None) -> torch.Tensor:
    """Model output dict -> normalized ab at `size`: annealed mean of the logits when present
    (decode='auto' or 'bins'; `shift` is bins.prior_correction), else the regressed ab ('regression')."""
    if "logits" in out and decode in ("auto", "bins"):
        ab = normalize_ab(bins.annealed_mean(out["logits"], bins.load_bins()["centers"], temperature, shift))
    elif "ab" in out:
        ab = out["ab"].float().clamp(-1.0, 1.0)  # unbounded regressors (resnet-mid): beyond +-110 is out of gamut
    else:
        raise ValueError("model output has neither 'logits' nor 'ab'")
    if tuple(ab.shape[-2:]) != tuple(size):
        ab = F.interpolate(ab, size=tuple(size), mode="bilinear", align_corners=False)
    return ab


def conv_bn_relu(cin: int, cout: int, k: int = 3, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, k // 2, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))
