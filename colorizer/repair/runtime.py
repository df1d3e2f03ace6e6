"""The defect detector on ONNX Runtime: on a 2-core CPU without AVX-512 it reads a 384 x 512 view about 2.5x faster
than PyTorch does (0.28 against 0.7 s with training beside it; benchmarks/repair.py's speed), which is what lets a
detector read a scan at the damage's own scale (384 px) within 0.25 s a megapixel. Exported in its fast form
(fast_form: the same weights without run-time padding or concatenation, a quarter faster again) once per checkpoint
into the colorizer's cache (colorizer.onnx_backend.cached_export) and checked against PyTorch at a size other than
the traced one; the .safetensors stays the one source of truth."""
from __future__ import annotations

import logging
import os
from pathlib import Path

import torch

from ..errors import ColorizerError
from ..onnx_backend import OnnxModel, write_onnx
from .fast_form import fast_form

TOLERANCE = 1e-3  # logits: far below what moves a pixel across the threshold
FORM = "form2"  # the exported graph's form (fast_form), in the cache's key: a changed form is exported afresh
log = logging.getLogger("colorizer.repair")


class OnnxDetector(OnnxModel):
    """A DefectNet's (or a RefineNet's) forward on ONNX Runtime: (B, C, H, W) -> its one output, as the network's.
    The colour models' loader (one input "l", the metadata embedded), its output the logits rather than ab."""

    def __call__(self, l01: torch.Tensor) -> torch.Tensor:
        return super().__call__(l01)[self.key]


def export_detector(net: torch.nn.Module, meta: dict, out: str | os.PathLike) -> None:
    """Write `net` (a DefectNet or a RefineNet) to `out`, in its fast form, and check it against the network as trained
    on a view it was not traced at."""
    net = net.eval()
    m, c = net.MULTIPLE, getattr(net, "in_channels", 1)
    write_onnx(fast_form(net), (torch.zeros(1, c, 16 * m, 16 * m),), ["l"], out, dict(meta, onnx_output="logits"))
    x = torch.rand(1, c, 13 * m, 21 * m, generator=torch.Generator().manual_seed(0))
    with torch.inference_mode():
        worst = float((OnnxDetector(out)(x) - net(x)).abs().max())
    if worst > TOLERANCE:
        Path(out).unlink(missing_ok=True)
        raise ColorizerError(f"{out}: the detector on ONNX Runtime differs from PyTorch by {worst:.4f} (logits)")


def onnx_runner(path: str | os.PathLike, net: torch.nn.Module, meta: dict, backend: str):
    """`net`'s ONNX Runtime export (made once into the cache), or None: backend "torch", or "auto" where ONNX
    Runtime cannot run it (a warning; PyTorch then reads). backend "onnx" raises instead."""
    if backend == "torch":
        return None
    try:
        from ..onnx_backend import cached_export
        return cached_export(path, lambda ckpt, target: export_detector(net, meta, target), OnnxDetector, FORM)
    except (ColorizerError, ImportError) as exc:
        if backend == "onnx":
            raise ColorizerError(f"{path}: the network cannot run on ONNX Runtime ({exc})") from None
        log.warning("%s: running with PyTorch, ONNX Runtime is unavailable (%s)", Path(path).name, exc)
        return None


__all__ = ["OnnxDetector", "export_detector", "onnx_runner"]
