"""Checkpoints as `.safetensors`: tensors plus JSON metadata that rebuilds the model.

Nothing is unpickled, ever. Loading is strict: a file that is not safetensors, is truncated, names an
unknown architecture, or whose tensors do not match the architecture exactly, fails with a
ColorizerError naming the file. Writes are atomic (temp file in the same folder, fsync, rename), so a
killed process never leaves a half-written checkpoint under the real name.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Callable

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file

from .errors import ColorizerError
from .models import create_model

FORMAT = "colorizer-checkpoint/1"
META_KEY = "colorizer"


def atomic_write(path: str | os.PathLike, write: Callable[[str], None]) -> None:
    """Call write(tmp_path), fsync it, then rename it over `path` in one step."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a checkpoint is an ordinary file
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ColorizerError(f"{path}: cannot write ({exc.strerror or exc})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# Where the shipped checkpoints live (the colorizers, the tone, old-photo and repair networks): one folder,
# $COLORIZER_WEIGHTS when set.
SHIPPED_DIR = Path(os.environ.get("COLORIZER_WEIGHTS", Path(__file__).resolve().parents[1] / "weights"))


def save_checkpoint(path: str | os.PathLike, model: torch.nn.Module, metadata: dict, half: bool = False) -> None:
    """Write model weights and metadata. `metadata` must hold arch/arch_kwargs or they come from the model."""
    meta = dict(metadata)
    meta.setdefault("arch", getattr(model, "arch_name", None))
    meta.setdefault("arch_kwargs", getattr(model, "arch_kwargs", {}))
    meta["format"] = FORMAT
    meta["dtype"] = "float16" if half else "float32"
    if not meta["arch"]:
        raise ValueError("checkpoint metadata needs an 'arch'")
    state = {}
    for k, v in model.state_dict().items():
        v = v.detach().cpu().contiguous()
        state[k] = v.half() if half and v.is_floating_point() else v
    atomic_write(path, lambda tmp: save_file(state, tmp, metadata={META_KEY: json.dumps(meta)}))


def read_metadata(path: str | os.PathLike) -> dict:
    """The checkpoint's metadata dict, validated, without loading its tensors."""
    path = Path(path)
    if not path.is_file():
        raise ColorizerError(f"{path}: no such checkpoint")
    try:
        with safe_open(str(path), framework="pt") as f:
            raw = (f.metadata() or {}).get(META_KEY)
    except (SafetensorError, OSError, ValueError) as exc:
        raise ColorizerError(f"{path}: not a valid .safetensors checkpoint ({exc})") from None
    if raw is None:
        raise ColorizerError(f"{path}: a safetensors file, but not a colorizer checkpoint (no '{META_KEY}' metadata)")
    try:
        meta = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ColorizerError(f"{path}: checkpoint metadata is not valid JSON ({exc})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or not isinstance(meta.get("arch"), str):
        raise ColorizerError(f"{path}: checkpoint metadata lacks format {FORMAT!r} or an architecture name")
    if not isinstance(meta.get("arch_kwargs", {}), dict):
        raise ColorizerError(f"{path}: checkpoint 'arch_kwargs' must be a mapping")
    return meta


def load_checkpoint(path: str | os.PathLike, device: str | torch.device = "cpu",
                    build: Callable[..., torch.nn.Module] = create_model) -> tuple[torch.nn.Module, dict]:
    """Rebuild the model named in the metadata (by `build`: the colorizers' registry, or another family's
    constructor such as colorizer.restore's) and load its tensors strictly. Returns (model, metadata)."""
    meta = read_metadata(path)
    try:
        model = build(meta["arch"], **meta.get("arch_kwargs", {}))
    except ColorizerError as exc:
        raise ColorizerError(f"{path}: {exc}") from None
    expected = model.state_dict()
    try:
        with safe_open(str(path), framework="pt", device="cpu") as f:
            keys = set(f.keys())
            missing, extra = sorted(set(expected) - keys), sorted(keys - set(expected))
            if missing or extra:
                raise ColorizerError(
                    f"{path}: tensors do not match architecture {meta['arch']!r}: "
                    f"{len(missing)} missing (e.g. {missing[:3]}), {len(extra)} unexpected (e.g. {extra[:3]})")
            state = {}
            for k in expected:
                t = f.get_tensor(k)
                if t.shape != expected[k].shape:
                    raise ColorizerError(f"{path}: tensor {k} has shape {tuple(t.shape)}, "
                                         f"architecture expects {tuple(expected[k].shape)}")
                state[k] = t.to(expected[k].dtype)
    except (SafetensorError, OSError, ValueError, RuntimeError) as exc:
        raise ColorizerError(f"{path}: cannot read checkpoint tensors ({exc})") from None
    model.load_state_dict(state, strict=True)
    return model.to(device).eval(), meta


def update_metadata(path: str | os.PathLike, updates: dict) -> dict:
    """Merge `updates` into a checkpoint's metadata (e.g. its evaluation row), rewriting it atomically."""
    from safetensors.torch import load_file
    meta = read_metadata(path)
    meta.update(updates)
    try:
        tensors = load_file(str(path))
    except (SafetensorError, OSError) as exc:
        raise ColorizerError(f"{path}: cannot read checkpoint tensors ({exc})") from None
    atomic_write(path, lambda tmp: save_file(tensors, tmp, metadata={META_KEY: json.dumps(meta)}))
    return meta


def warm_start(model: torch.nn.Module, path: str | os.PathLike) -> dict:
    """Initialise `model` from a checkpoint of the same architecture (training's --init-from).

    Unlike load_checkpoint this tolerates a grown model, explicitly rather than silently: a tensor the
    file lacks keeps its fresh initialisation (a new head), a weight whose input channels grew (dim 1,
    e.g. a hint input) gets the old ones and zeros for the new, so the model starts out computing what
    the checkpoint computed; a model may say how its other new tensors start (`init_grown`: effnet-unet's
    added encoder blocks start as the identity). Anything else (unknown tensors, other shapes, another
    architecture) fails.
    Returns what was done, for the new checkpoint's metadata.
    """
    meta = read_metadata(path)
    arch = getattr(model, "arch_name", None)
    if arch and meta["arch"] != arch:
        raise ColorizerError(f"{path}: warm start needs a {arch!r} checkpoint, this one is {meta['arch']!r}")
    expected = model.state_dict()
    new, grown = [], []
    try:
        with safe_open(str(path), framework="pt", device="cpu") as f:
            extra = sorted(set(f.keys()) - set(expected))
            if extra:
                raise ColorizerError(f"{path}: {len(extra)} tensors have no place in this model (e.g. {extra[:3]})")
            state = {}
            for k, want in expected.items():
                if k not in f.keys():
                    new.append(k)
                    state[k] = want
                    continue
                t = f.get_tensor(k).to(want.dtype)
                if t.shape != want.shape:
                    if t.dim() < 2 or t.shape[0] != want.shape[0] or t.shape[2:] != want.shape[2:] or t.shape[1] > want.shape[1]:
                        raise ColorizerError(f"{path}: tensor {k} has shape {tuple(t.shape)}, the model's is {tuple(want.shape)}")
                    t = torch.cat([t, t.new_zeros(t.shape[0], want.shape[1] - t.shape[1], *t.shape[2:])], dim=1)
                    grown.append(k)
                state[k] = t
    except (SafetensorError, OSError, ValueError, RuntimeError) as exc:
        raise ColorizerError(f"{path}: cannot read checkpoint tensors ({exc})") from None
    model.load_state_dict(state, strict=True)
    if new and hasattr(model, "init_grown"):  # e.g. a deeper encoder: added blocks start as the identity
        try:
            grown = grown + model.init_grown(new)
        except ValueError as exc:
            raise ColorizerError(f"{path}: cannot grow this model from it ({exc})") from None
    return warm_start_record(path, meta, new, grown)


def warm_start_record(path, meta: dict | None = None, new=None, grown=None) -> dict:
    """What a warm start from `path` is recorded as in the new checkpoint (also on --resume, which loads
    the run's own state instead)."""
    meta = meta or read_metadata(path)
    return {"path": str(path), "arch": meta["arch"], "steps": meta.get("training", {}).get("steps"),
            "new_tensors": new or [], "grown_tensors": grown or [], "lineage": lineage(meta)}


def lineage(meta: dict) -> list[dict]:
    """The training runs behind a checkpoint, oldest first, each {steps, epochs, wall_minutes, train_images,
    data, device, git}: what a model card sums into "total steps, epochs and hours". Read from the
    checkpoint's own record of its warm start (or, for one written before that record existed, from the
    file it started from when that is still there)."""
    tr = meta.get("training", {})
    if not tr:
        return []
    ws = tr.get("warm_start") or {}
    before = ws.get("lineage")
    if before is None and ws.get("path") and Path(ws["path"]).is_file():
        try:
            before = lineage(read_metadata(ws["path"]))
        except ColorizerError:
            before = None
    run = {k: tr.get(k) for k in ("steps", "epochs", "wall_minutes", "train_images", "device")}
    run.update(data=tr.get("config", {}).get("data"), git=meta.get("git_commit"))
    return [*(before or []), run]
