"""`gray2rgb-cnn`: seed 001. A small conv encoder (2x[conv, ReLU] + pool, twice, + conv) and a fully
connected decoder that outputs RGB directly at 32x32 from gray.

Used as a colorizer by keeping the original L and taking only the chroma (ab) of its RGB, upsampled.
The RGB -> Lab step uses colorizer.color, so it stays differentiable.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..color import normalize_ab, rgb_to_lab
from .base import ColorModel
from .registry import register_model


class Gray2RGBCNN(ColorModel):
    exports_to_onnx = False  # its graph fixes the input size when traced (see onnx_backend.verify)
    def __init__(self, size: int = 32, channels: int = 32, hidden: int = 1024):
        super().__init__()
        self.size = size
        c = channels
        self.encoder = nn.Sequential(
            nn.Conv2d(1, c, 3, padding=1), nn.ReLU(), nn.Conv2d(c, c, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(c, 2 * c, 3, padding=1), nn.ReLU(), nn.Conv2d(2 * c, 2 * c, 3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(2 * c, c, 3, padding=1), nn.ReLU(),
        )
        self.decoder = nn.Sequential(
            nn.Flatten(), nn.Linear(c * (size // 4) ** 2, hidden), nn.ReLU(), nn.Linear(hidden, 3 * size * size))

    def forward(self, l: torch.Tensor) -> dict:
        small = F.interpolate(l, size=(self.size, self.size), mode="bilinear", antialias=True, align_corners=False)
        rgb = torch.sigmoid(self.decoder(self.encoder(small))).view(-1, 3, self.size, self.size)
        return {"rgb": rgb, "ab": normalize_ab(rgb_to_lab(rgb)[:, 1:])}


@register_model("gray2rgb-cnn")
def gray2rgb_cnn(**kwargs) -> Gray2RGBCNN:
    return Gray2RGBCNN(**kwargs)
