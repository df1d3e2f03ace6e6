"""Tone restoration: a faded, unevenly lit print's lightness brought back toward the photo it was.

Most of what age does to a print's lightness is low-frequency: fading lifts the black point and lowers the
white, vignetting and uneven light darken corners and sides. Every colorizer keeps the input's L, so on an
aged photo that error stays whatever the colors are: with the truth's own colors joined to the aged L, the
evaluation's aged photos score 22.3 dB, not infinity, and the gray row loses 4 dB to the same photos clean.
A global stretch of the tones cannot undo it (a photo's own black point is too varied to guess from its
histogram, docs/experiments.md "Restoring a faded print's tone"); a network that sees what the photo
shows can: a sky is bright, a coat in shadow is dark.

`ToneNet` reads a small view of the photo (short side `view_side`) through the ImageNet-pretrained
EfficientNet-Lite0 encoder and predicts, on a coarse grid (every `stride` pixels of that view), a local
affine tone curve: L' = 50 + exp(g) (L - 50) + o. The maps are upsampled bilinearly to the photo's full
resolution and applied per pixel, so detail, grain and edges stay the photo's own and only the tone moves
(the bilateral-grid idea of Gharbi et al. 2017's HDRNet, reduced to a plain grid). The last layer starts at
zero, so an untrained model is the identity; trained on a mix of aged and clean photos
(`colorizer.train.tone`) it learns to leave a clean photo alone.

`Restorer` is what the library, the CLI, the app and the evaluation use: `restore_lum` on L planes, and
`restore_pixels` on a uint8 photo (a gray photo out). Applied before colorization, so the colorizer also
reads the restored tone.
"""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass

import numpy as np
import timm
import torch
import torch.nn as nn
import torch.nn.functional as F

from .checkpoints import load_checkpoint, save_checkpoint
from .color import L_CENTER, denormalize_l, normalize_l
from .errors import ColorizerError
from .imageio import LoadedImage
from .join import luminance, tone_gray
from .models.base import conv_bn_relu
from .models.pretrained import load_lite_encoder, to_lite_input

ARCH = "tone-net"


@dataclass(frozen=True)
class ToneConfig:
    view_side: int = 128       # the short side of the view the network reads (the rest follows the aspect)
    max_side: int = 512        # the view's long side at most (a panorama is squeezed, not enlarged)
    stride: int = 8            # one affine curve per stride x stride pixels of the view
    max_log_gain: float = 1.0  # the contrast factor lies in [1/e, e]
    max_offset: float = 40.0   # the shift, in L units


class ToneNet(nn.Module):
    """L view (B, 1, h, w), normalized as the colorizers' input -> (B, 2, h/8, w/8): log gain, offset."""

    def __init__(self, **kwargs):
        super().__init__()
        self.cfg = ToneConfig(**kwargs)
        self.arch_name, self.arch_kwargs = ARCH, asdict(self.cfg)
        self.encoder = timm.create_model("tf_efficientnet_lite0", features_only=True, pretrained=False,
                                         out_indices=(2, 3, 4))  # strides 8, 16, 32: 40, 112, 320 channels
        c8, c16, c32 = self.encoder.feature_info.channels()
        self.up32 = conv_bn_relu(c32 + c16, 96)
        self.up16 = conv_bn_relu(96 + c8, 64)
        self.head = nn.Conv2d(64, 2, 3, padding=1)
        nn.init.zeros_(self.head.weight)  # the identity until trained
        nn.init.zeros_(self.head.bias)

    def load_pretrained_encoder(self) -> None:
        load_lite_encoder(self.encoder)

    def forward(self, l_norm: torch.Tensor) -> torch.Tensor:
        f8, f16, f32 = self.encoder(to_lite_input(l_norm + 0.5).expand(-1, 3, -1, -1))
        y = self.up32(torch.cat([F.interpolate(f32, size=f16.shape[-2:], mode="bilinear", align_corners=False), f16], 1))
        y = self.up16(torch.cat([F.interpolate(y, size=f8.shape[-2:], mode="bilinear", align_corners=False), f8], 1))
        raw = self.head(y)
        return torch.cat([self.cfg.max_log_gain * torch.tanh(raw[:, :1]), self.cfg.max_offset * torch.tanh(raw[:, 1:])], 1)


def apply_tone(lum: torch.Tensor, params: torch.Tensor) -> torch.Tensor:
    """L (B, 1, H, W) in [0, 100] and the curves (B, 2, h, w) on any grid -> the restored L, same shape."""
    p = F.interpolate(params, size=lum.shape[-2:], mode="bilinear", align_corners=False)
    return (L_CENTER + torch.exp(p[:, :1]) * (lum - L_CENTER) + p[:, 1:]).clamp(0.0, 100.0)


def view_shape(h: int, w: int, cfg: ToneConfig) -> tuple[int, int]:
    """The network's view of an (h, w) photo: short side view_side, long side at most max_side, both sides
    multiples of 32 (the encoder's deepest stride)."""
    k = cfg.view_side / min(h, w)
    vh, vw = min(cfg.max_side, h * k), min(cfg.max_side, w * k)
    return max(32, int(round(vh / 32)) * 32), max(32, int(round(vw / 32)) * 32)


class Restorer:
    """A loaded tone model. Stateless per call; safe to share between requests."""

    def __init__(self, model: ToneNet, metadata: dict | None = None):
        self.model, self.metadata = model.eval(), metadata or {}

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Restorer":
        """A tone checkpoint (the shipped one: weights/tone.safetensors, which Colorizer finds by itself)."""
        model, meta = load_checkpoint(path, build=_build)
        return cls(model, meta)

    @torch.inference_mode()
    def params(self, lum: torch.Tensor) -> torch.Tensor:
        """L (B, 1, H, W) in [0, 100] -> its tone curves on the view's grid."""
        vh, vw = view_shape(*lum.shape[-2:], self.model.cfg)
        view = F.interpolate(lum, size=(vh, vw), mode="bilinear", antialias=True, align_corners=False)
        return self.model(normalize_l(view))

    @torch.inference_mode()
    def restore_lum(self, lum: torch.Tensor) -> torch.Tensor:
        """L (B, 1, H, W) in [0, 100] -> restored L, same shape."""
        return apply_tone(lum, self.params(lum))

    def restore_pixels(self, pixels: np.ndarray, view: np.ndarray | None = None) -> np.ndarray:
        """A uint8 photo, (H, W) gray or (H, W, 3) -> the gray (H, W) uint8 photo of its restored lightness.
        view: the same photo reduced (LoadedImage.preview), enough to choose the curves from."""
        for a in (pixels, view):
            if a is not None and (a.dtype != np.uint8 or a.ndim not in (2, 3)):
                raise ColorizerError(f"tone restoration takes a uint8 (H, W) or (H, W, 3) photo, not {a.dtype} {a.shape}")
        src = view if view is not None else pixels
        vh, vw = view_shape(*src.shape[:2], self.model.cfg)
        k = max(1, min(src.shape[0] // vh, src.shape[1] // vw) // 2)  # L averaged while read: no full float plane
        return tone_gray(pixels, self.params(_lum(luminance(src, k))))  # one compiled pass at full resolution

    def restore_image(self, im: LoadedImage) -> LoadedImage:
        """A loaded photo -> the gray photo of its restored lightness, alpha and name kept; kept with the
        photo so that a re-run (a hint placed) restores it once."""
        if "restored" not in im.memo:
            px = self.restore_pixels(im.pixels, im.preview)
            im.memo["restored"] = LoadedImage(px, im.alpha, im.name)
        return im.memo["restored"]


def _lum(l_norm: np.ndarray) -> torch.Tensor:
    """colorizer.join.luminance's normalized L (H, W) -> L in [0, 100], (1, 1, H, W)."""
    return denormalize_l(torch.from_numpy(l_norm)[None, None])


def _build(arch: str, **kwargs) -> ToneNet:
    if arch != ARCH:
        raise ColorizerError(f"not a tone-restoration checkpoint (its architecture is {arch!r}, not {ARCH!r})")
    return ToneNet(**kwargs)


def save_tone(path: str | os.PathLike, model: ToneNet, metadata: dict) -> None:
    """Stored in float16 (6.9 MB, a plain git file on a Space): the rounding moves L by far less than a level."""
    save_checkpoint(path, model, metadata, half=True)
