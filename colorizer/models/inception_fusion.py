"""`inception-fusion`: seed 003. A U-Net-like net of Inception blocks with skip connections, plus a
classifier branch whose global 512-d vector goes through a fully connected "transformer" layer and is
fused into every decoder level. ab out through tanh, as in the seed. The classifier head can be
trained on class labels from folder names (uses_class_labels).

Deviation, stated: the seed's classifier branch was a ResNet50; we use a ResNet18 (same 512-d fused
vector after its own projection) to keep the shipped weights small; `classifier="resnet50"` restores it.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.models import resnet18, resnet50

from .base import ColorModel, conv_bn_relu
from .registry import register_model


class Inception(nn.Module):
    """1x1, 1x1->3x3, 1x1->3x3->3x3 (a 5x5 field), and pool->1x1 branches, concatenated."""

    def __init__(self, cin: int, cout: int):
        super().__init__()
        b = cout // 4
        self.b1 = conv_bn_relu(cin, b, 1)
        self.b3 = nn.Sequential(conv_bn_relu(cin, b, 1), conv_bn_relu(b, b, 3))
        self.b5 = nn.Sequential(conv_bn_relu(cin, b, 1), conv_bn_relu(b, b, 3), conv_bn_relu(b, b, 3))
        self.bp = nn.Sequential(nn.MaxPool2d(3, 1, 1), conv_bn_relu(cin, cout - 3 * b, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.b1(x), self.b3(x), self.b5(x), self.bp(x)], dim=1)


class InceptionFusion(ColorModel):
    exports_to_onnx = False  # its graph fixes the input size when traced (see onnx_backend.verify)
    uses_class_labels = True

    def __init__(self, num_classes: int = 128, width: int = 32, classifier: str = "resnet18", fusion_dim: int = 512):
        super().__init__()
        w = width
        self.enc = nn.ModuleList([Inception(1, w), Inception(w, 2 * w), Inception(2 * w, 4 * w), Inception(4 * w, 8 * w)])
        net = {"resnet18": resnet18, "resnet50": resnet50}[classifier](weights=None)
        net.conv1 = nn.Conv2d(1, 64, 7, 2, 3, bias=False)
        feat = net.fc.in_features
        net.fc = nn.Identity()
        self.classifier = net
        self.class_head = nn.Linear(feat, num_classes)
        self.fusion = nn.Sequential(nn.Linear(feat, fusion_dim), nn.ReLU())
        f = 16  # channels of the fused vector at each decoder level
        self.fuse_proj = nn.ModuleList([nn.Conv2d(fusion_dim, f, 1) for _ in range(3)])
        self.dec = nn.ModuleList([
            Inception(8 * w + 4 * w + f, 4 * w), Inception(4 * w + 2 * w + f, 2 * w), Inception(2 * w + w + f, w)])
        self.head = nn.Conv2d(w, 2, 3, padding=1)

    def forward(self, l: torch.Tensor) -> dict:
        h, w = l.shape[-2:]
        ph, pw = (-h) % 8, (-w) % 8
        x = F.pad(l, (0, pw, 0, ph), mode="replicate") if ph or pw else l
        skips = []
        for i, block in enumerate(self.enc):
            x = block(x)
            if i < 3:
                skips.append(x)
                x = F.max_pool2d(x, 2)
        g = self.classifier(l * 4.0)  # the seed fed the classifier a wider-range L than the colorizer
        fused = self.fusion(g)[:, :, None, None]
        for block, proj, skip in zip(self.dec, self.fuse_proj, reversed(skips)):
            x = F.interpolate(x, size=skip.shape[-2:], mode="nearest")
            v = proj(fused).expand(-1, -1, *skip.shape[-2:])
            x = block(torch.cat([x, skip, v], dim=1))
        ab = torch.tanh(self.head(x))[..., :h, :w]
        return {"ab": ab, "class_logits": self.class_head(g)}


@register_model("inception-fusion")
def inception_fusion(**kwargs) -> InceptionFusion:
    return InceptionFusion(**kwargs)
