"""`conv-autoencoder`: seed 002's plain encoder-decoder (its `ConvAE`): strided convs down to 1/8,
transposed convs back up, tanh ab out. No skips, no pretrained parts: the seeds' baseline.
"""
from __future__ import annotations

import torch
import torch.nn as nn

from .base import ColorModel
from .registry import register_model


class ConvAutoencoder(ColorModel):
    exports_to_onnx = False  # its graph fixes the input size when traced (see onnx_backend.verify)
    def __init__(self, width: int = 64):
        super().__init__()
        w = width
        self.encoder = nn.Sequential(
            nn.Conv2d(1, w, 3, 2, 1), nn.ReLU(),
            nn.Conv2d(w, 2 * w, 3, 2, 1), nn.ReLU(),
            nn.Conv2d(2 * w, 4 * w, 3, 2, 1), nn.ReLU(),
        )
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(4 * w, 2 * w, 4, 2, 1), nn.ReLU(),
            nn.ConvTranspose2d(2 * w, w, 4, 2, 1), nn.ReLU(),
            nn.ConvTranspose2d(w, w, 4, 2, 1), nn.ReLU(),
            nn.Conv2d(w, 2, 3, padding=1), nn.Tanh(),
        )

    def forward(self, l: torch.Tensor) -> dict:
        h, w = l.shape[-2:]
        # the strided stack needs sides divisible by 8: pad, then crop back
        ph, pw = (-h) % 8, (-w) % 8
        x = nn.functional.pad(l, (0, pw, 0, ph), mode="replicate") if ph or pw else l
        return {"ab": self.decoder(self.encoder(x))[..., :h, :w]}


@register_model("conv-autoencoder")
def conv_autoencoder(**kwargs) -> ConvAutoencoder:
    return ConvAutoencoder(**kwargs)
