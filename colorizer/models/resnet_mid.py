"""`resnet-mid`: seeds 000 and 004 (the Places tutorial design).

ResNet18 cut after its 6th child (conv1, bn1, relu, maxpool, layer1, layer2: 128 channels at 1/8
resolution), its first conv averaged to take one channel, then three conv + 2x upsample stages that
regress ab. Random init: the seeds' torchvision ImageNet weights cannot be downloaded here.
"""
from __future__ import annotations

import torch
import torch.nn as nn
from torchvision.models import resnet18

from .base import ColorModel
from .registry import register_model


class ResNetMid(ColorModel):
    def __init__(self, midlevel: int = 128):
        super().__init__()
        net = resnet18(weights=None, num_classes=365)
        net.conv1.weight = nn.Parameter(net.conv1.weight.sum(dim=1, keepdim=True))
        self.encoder = nn.Sequential(*list(net.children())[:6])
        c = midlevel
        self.decoder = nn.Sequential(
            nn.Conv2d(c, 128, 3, padding=1), nn.BatchNorm2d(128), nn.ReLU(),
            nn.Upsample(scale_factor=2),
            nn.Conv2d(128, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
            nn.Conv2d(64, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
            nn.Upsample(scale_factor=2),
            nn.Conv2d(64, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.Conv2d(32, 2, 3, padding=1),
            nn.Upsample(scale_factor=2),
        )

    def forward(self, l: torch.Tensor) -> dict:
        return {"ab": self.decoder(self.encoder(l))}


@register_model("resnet-mid")
def resnet_mid(**kwargs) -> ResNetMid:
    return ResNetMid(**kwargs)
