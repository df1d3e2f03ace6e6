"""The defect detector on ONNX Runtime: on a 2-core CPU without AVX-512 it reads a 384 x 512 view about 2.5x faster
than PyTorch does (0.28 against 0.7 s with training beside it; benchmarks/repair.py's speed), which is what lets a
detector read a scan at the damage's own scale (384 px) within 0.25 s a megapixel. Exported once per checkpoint
into the colorizer's cache (colorizer.onnx_backend.cached_export) and checked against PyTorch at a size other than
the traced one; the .safetensors stays the one source of truth."""
from __future__ import annotations

import os
from pathlib import Path

import torch

from ..errors import ColorizerError
from ..onnx_backend import OnnxModel, write_onnx

TOLERANCE = 1e-3  # logits: far below what moves a pixel across the threshold


class OnnxDetector(OnnxModel):
    """A DefectNet's forward on ONNX Runtime: (B, 1, H, W) lightness in [0, 1] -> logits, as DefectNet. The colour
    models' loader (one input "l", the metadata embedded), its output the logits rather than ab."""

    def __call__(self, l01: torch.Tensor) -> torch.Tensor:
        return super().__call__(l01)[self.key]


def export_detector(net: torch.nn.Module, meta: dict, out: str | os.PathLike) -> None:
    """Write `net` (a DefectNet) to `out` and check it against PyTorch on a view it was not traced at."""
    net = net.eval()
    m = net.MULTIPLE
    write_onnx(net, (torch.zeros(1, 1, 16 * m, 16 * m),), ["l"], out, dict(meta, onnx_output="logits"))
    x = torch.rand(1, 1, 13 * m, 21 * m, generator=torch.Generator().manual_seed(0))
    with torch.inference_mode():
        worst = float((OnnxDetector(out)(x) - net(x)).abs().max())
    if worst > TOLERANCE:
        Path(out).unlink(missing_ok=True)
        raise ColorizerError(f"{out}: the detector on ONNX Runtime differs from PyTorch by {worst:.4f} (logits)")


__all__ = ["OnnxDetector", "export_detector"]
