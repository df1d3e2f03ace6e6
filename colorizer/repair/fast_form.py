"""The defect detector rewritten, weight for weight, into a graph ONNX Runtime reads faster (the export's form).

A DefectNet with the EfficientNet-Lite0 encoder as trained spends a quarter of a megapixel's reading on two things
that are not convolution (ONNX Runtime 1.31's profile of a 384 x 512 reading, 2 cores):
- TensorFlow's "same" padding. timm's Conv2dSame pads each stride-2 convolution by a size worked out at run time,
  and each Pad, which ONNX Runtime's blocked (NCHWc) kernels do not take, is a copy and two layout changes;
- the decoder's Concat of the enlarged coarse level with the skip, again a copy and two layout changes.
Both are rewritten exactly:
- On an even side (every stride-2 input is: the detector pads its input to a multiple of 16), "same" padding of a
  k x k kernel at stride 2 is (k - 2) // 2 pixels before and the rest after. That is the kernel moved one pixel
  down and right inside a (k + 1) x (k + 1) kernel whose first row and column are zero, padded alike on both sides.
- A convolution of the channels [a, b] is the convolution of a with its weights' first part plus that of b with
  the rest; the BatchNorm after it is folded into the weights.
The 384 x 512 reading fell from 74 to 57 ms and the 192 x 256 from 20 to 15 ms (2 cores, AVX-512). Its logits are
the network's within 2e-5; runtime.export_detector checks them against the network as trained.
"""
from __future__ import annotations

import copy

import torch
import torch.nn as nn
import torch.nn.functional as F
from timm.layers import Conv2dSame

from ..models.pretrained import to_lite_input


def _shifted(conv: Conv2dSame) -> nn.Conv2d:
    """A stride-2 Conv2dSame as a plain convolution, exact on an even side."""
    k = conv.kernel_size[0]
    out = nn.Conv2d(conv.in_channels, conv.out_channels, k + 1, 2, (k - 2) // 2 + 1, groups=conv.groups,
                    bias=conv.bias is not None)
    with torch.no_grad():
        out.weight.zero_()
        out.weight[:, :, 1:, 1:] = conv.weight
        if conv.bias is not None:
            out.bias.copy_(conv.bias)
    return out


def _plain_padding(module: nn.Module) -> None:
    for name, child in module.named_children():
        if isinstance(child, Conv2dSame) and child.stride == (2, 2) and child.dilation == (1, 1) \
                and child.kernel_size[0] == child.kernel_size[1] and child.kernel_size[0] % 2:
            setattr(module, name, _shifted(child))
        elif isinstance(child, Conv2dSame):
            raise ValueError(f"no exact plain form of {child}")
        else:
            _plain_padding(child)


class SplitDecoder(nn.Module):
    """ReLU(BN(conv(cat(enlarge(x), skip)))) as ReLU(conv_a(enlarge(x)) + conv_b(skip)), the BatchNorm folded."""

    def __init__(self, block: nn.Sequential, x_channels: int):
        super().__init__()
        conv, bn = block[0], block[1]
        if len(block) != 3 or conv.bias is not None:
            raise ValueError("a decoder block is one convolution without bias, a BatchNorm and a ReLU")
        scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
        w = conv.weight * scale[:, None, None, None]
        self.a = nn.Conv2d(x_channels, conv.out_channels, 3, padding=1)
        self.b = nn.Conv2d(conv.in_channels - x_channels, conv.out_channels, 3, padding=1, bias=False)
        with torch.no_grad():
            self.a.weight.copy_(w[:, :x_channels])
            self.a.bias.copy_(bn.bias - bn.running_mean * scale)
            self.b.weight.copy_(w[:, x_channels:])

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        return F.relu(self.a(F.interpolate(x, scale_factor=2.0, mode="nearest")) + self.b(skip))


class FastDefectNet(nn.Module):
    """A DefectNet with a Lite0 encoder, the same function on inputs whose sides are multiples of its MULTIPLE (16)."""

    def __init__(self, net: nn.Module):
        super().__init__()
        net = copy.deepcopy(net).eval()
        _plain_padding(net.encoder)
        self.encoder, self.enc0, self.head = net.encoder, net.enc[0], net.head
        # what comes up from below into each decoder block: the encoder's deepest level, then each block's output
        below = [net.encoder.feature_info.channels()[-1]] + [dec[0].out_channels for dec in net.dec[:-1]]
        self.dec = nn.ModuleList([SplitDecoder(dec, c) for dec, c in zip(net.dec, below)])

    def forward(self, l01: torch.Tensor) -> torch.Tensor:
        *feats, x = self.encoder(to_lite_input(l01).expand(-1, 3, -1, -1))
        for dec, skip in zip(self.dec, reversed([self.enc0(l01 * 2 - 1), *feats])):
            x = dec(x, skip)
        return self.head(x)


def fast_form(net: nn.Module) -> nn.Module:
    """`net` in the form its export takes: a DefectNet with a Lite0 encoder as FastDefectNet, any other (the plain
    U-Net of repair v2-v4, the fill's RefineNet) as it is."""
    return FastDefectNet(net) if getattr(net, "encoder", None) is not None else net


__all__ = ["FastDefectNet", "SplitDecoder", "fast_form"]
