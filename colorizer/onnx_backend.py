"""ONNX export and an ONNX Runtime inference path that plugs into Colorizer.

    python -m colorizer export --onnx effnet-unet weights/effnet-unet.onnx
    Colorizer.load("weights/effnet-unet.onnx")      # same API, ONNX Runtime underneath

ONNX Runtime runs our models about twice as fast as PyTorch on CPU (benchmarks/inference_latency.py),
so Colorizer.load uses it by default there: `cached_export` exports a shipped .safetensors once, checks
it against PyTorch, and keeps it in a cache folder keyed by the checkpoint's hash (the .safetensors
stays the one source of truth; nothing is shipped twice).

The exported graph maps normalized L (B,1,H,W) (any H, W) to the model's main output: bin logits for
classification models, normalized ab for regression ones. Decoding (annealed mean, upsampling) stays
in torch, in colorizer.models.decode_ab, so both backends share it. The checkpoint's metadata is
embedded in the ONNX file (metadata_props key "colorizer").
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from .checkpoints import META_KEY, atomic_write, load_checkpoint
from .errors import ColorizerError
from .decoding import DecodeSettings, decode, run_model


class _MainOutput(torch.nn.Module):
    def __init__(self, model: torch.nn.Module):
        super().__init__()
        self.model = model
        self.key = "logits" if getattr(model, "output_kind", "regression") == "classification" else "ab"

    def forward(self, l: torch.Tensor, hints: torch.Tensor | None = None) -> torch.Tensor:
        return self.model(l)[self.key] if hints is None else self.model(l, hints)[self.key]


def write_onnx(module: torch.nn.Module, example: tuple, names: list[str], out: str | os.PathLike, meta: dict,
               opset: int = 17) -> None:
    """Export `module` (inputs `names`, one output "out", every axis but the channels dynamic) with `meta`
    embedded under META_KEY, written atomically. Raises ColorizerError when the graph does not export."""
    import onnx
    axes = {n: {0: "batch", 2: "height", 3: "width"} for n in names}

    def write(tmp: str) -> None:
        torch.onnx.export(module, example, tmp, input_names=names, output_names=["out"], opset_version=opset,
                          dynamic_axes={**axes, "out": {0: "batch", 2: "out_height", 3: "out_width"}}, dynamo=False)
        proto = onnx.load(tmp)
        entry = proto.metadata_props.add()
        entry.key, entry.value = META_KEY, json.dumps(meta)
        onnx.save(proto, tmp)

    try:
        atomic_write(out, write)
    except ColorizerError:
        raise
    except Exception as exc:  # noqa: BLE001 - the exporter raises many types for unsupported graphs
        raise ColorizerError(f"cannot export {meta.get('arch', 'this network')} to ONNX ({type(exc).__name__}: "
                             f"{str(exc).splitlines()[0][:200]})") from None


def export_onnx(checkpoint: str | os.PathLike, out: str | os.PathLike, opset: int = 17) -> dict:
    """Export a colour checkpoint to ONNX (dynamic batch and size). Returns the embedded metadata."""
    model, meta = load_checkpoint(checkpoint)
    wrapper = _MainOutput(model).eval()
    meta = dict(meta, onnx_output=wrapper.key, source_checkpoint=Path(checkpoint).name)
    size = int(meta.get("working_size", 224))
    example = (torch.zeros(1, 1, size, size),)
    names = ["l"]
    if getattr(model, "accepts_hints", False):  # a second input: the hint planes (colorizer.hints)
        example += (torch.zeros(1, 3, size, size),)
        names.append("hints")
    try:
        write_onnx(wrapper, example, names, out, meta, opset)
    except ColorizerError as exc:
        raise ColorizerError(f"{checkpoint}: {exc}") from None
    verify(model, out, size)
    return meta


def verify(model: torch.nn.Module, path: str | os.PathLike, size: int, tolerance: float = 0.5) -> float:
    """Compare ONNX Runtime with PyTorch on two input shapes (one unlike the traced one), in ab units.
    Raises ColorizerError (and removes the file) when they disagree: some architectures trace sizes as
    constants and only work at the export size."""
    onnx_model = OnnxModel(path)
    worst = 0.0
    g = torch.Generator().manual_seed(0)
    for h, w in ((size, size), (size * 3 // 4 + 5, size + 17)):
        l = torch.rand(1, 1, h, w, generator=g) - 0.5
        hints = None
        if onnx_model.accepts_hints:  # a few hint patches, so the hint path is checked too
            hints = torch.zeros(1, 3, h, w)
            hints[:, :2, 10:14, 20:24], hints[:, 2, 10:14, 20:24] = 0.3, 1.0
        with torch.inference_mode():
            ref = model.predict_ab(l, hints=hints)
        worst = max(worst, float((onnx_model.predict_ab(l, hints=hints) - ref).abs().max()) * 110.0)
    if worst > tolerance:
        Path(path).unlink(missing_ok=True)
        raise ColorizerError(f"{path}: ONNX output differs from PyTorch by {worst:.2f} ab units at a size other than "
                             f"the export size; this architecture does not export with dynamic shapes")
    return worst


def cache_dir() -> Path:
    """COLORIZER_CACHE, else $XDG_CACHE_HOME/colorizer, else ~/.cache/colorizer (never the working dir)."""
    if os.environ.get("COLORIZER_CACHE"):
        return Path(os.environ["COLORIZER_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "colorizer"


def cached_export(checkpoint: str | os.PathLike, export=None, load=None, form: str = ""):
    """An ONNX Runtime model for a .safetensors checkpoint, exported (and verified) on first use: by default a
    colour model (export_onnx, OnnxModel); `export(checkpoint, out)` and `load(path)` name another kind (the
    repair detector passes its own). form: a name for the exported graph's form, where an export can change it.

    The cache key is the checkpoint's SHA-256 and the torch version, so a retrained or edited checkpoint
    is exported afresh. When the cache folder cannot be written, the export goes to a temporary folder
    that is removed once the session has loaded it."""
    export, load = export or export_onnx, load or OnnxModel
    checkpoint = Path(checkpoint)
    digest = hashlib.sha256(checkpoint.read_bytes()).hexdigest()[:20]
    name = f"{checkpoint.stem}-{digest}{'-' + form if form else ''}-torch{torch.__version__.split('+')[0]}.onnx"
    target = cache_dir() / name
    if target.is_file():
        try:
            return load(target)
        except ColorizerError:
            target.unlink(missing_ok=True)  # a damaged cache entry is rebuilt, not trusted
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        writable = os.access(target.parent, os.W_OK)
    except OSError:
        writable = False
    if writable:
        export(checkpoint, target)  # atomic: a killed export never leaves a half file in the cache
        return load(target)
    tmp = Path(tempfile.mkdtemp(prefix="colorizer-onnx-"))
    try:
        export(checkpoint, tmp / name)
        return load(tmp / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class OnnxModel:
    """Duck-types the part of a ColorModel that Colorizer uses: output_kind and predict_ab."""

    def __init__(self, path: str | os.PathLike, threads: int | None = None):
        import onnxruntime as ort
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or torch.get_num_threads()
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")  # do not starve torch's threads
        try:
            self.session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        except Exception as exc:  # noqa: BLE001 - any load failure is a bad file
            raise ColorizerError(f"{path}: not a loadable ONNX model ({exc})") from None
        raw = self.session.get_modelmeta().custom_metadata_map.get(META_KEY)
        if raw is None:
            raise ColorizerError(f"{path}: an ONNX file without colorizer metadata (export it with `colorizer export`)")
        self.metadata = json.loads(raw)
        self.key = self.metadata.get("onnx_output", "ab")
        self.output_kind = "classification" if self.key == "logits" else "regression"
        self.accepts_hints = any(i.name == "hints" for i in self.session.get_inputs())

    def __call__(self, l_norm: torch.Tensor, hints: torch.Tensor | None = None) -> dict:
        """The model's main output, as the PyTorch model's dict."""
        feed = {"l": np.ascontiguousarray(l_norm.cpu().numpy(), dtype=np.float32)}
        if self.accepts_hints:
            h = hints if hints is not None else torch.zeros(l_norm.shape[0], 3, *l_norm.shape[-2:])
            feed["hints"] = np.ascontiguousarray(h.cpu().numpy(), dtype=np.float32)
        elif hints is not None:
            raise ColorizerError("this model has no hint input")
        return {self.key: torch.from_numpy(self.session.run(None, feed)[0])}

    def predict_ab(self, l_norm: torch.Tensor, settings: DecodeSettings | None = None, lam: float = 0.5,
                   hints: torch.Tensor | None = None, **overrides) -> torch.Tensor:
        s = replace(settings or DecodeSettings(), **overrides)
        return decode(run_model(self, l_norm, hints, s), l_norm, s, lam)

    def eval(self):
        return self
