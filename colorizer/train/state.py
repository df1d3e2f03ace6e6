"""Where a training run stands, and the two ways it is kept so that it can go on.

`Progress`: step, epoch, batch within the epoch, wall time, best validation, history, every stretch of the run.

`runs/NAME/last.pt` (LocalState): everything, optimizer moments and RNG states included, written atomically
every `checkpoint_every` steps; `--resume` continues bit for bit on the machine that wrote it. Our own file,
read back with `weights_only=True`: tensors and plain values only.

`--state-dir` (RunState): a long planned schedule runs in stretches (a machine is lent for hours, not days)
and the scratch folder of one stretch may be gone when the next starts. So the run also writes a small
folder meant to be committed:
  model.safetensors   the weights being trained (float16: the rounding is smaller than one step's update)
  ema.safetensors     the moving average that validation measures and a release ships (a plain checkpoint)
  position.json       the Progress, the schedule's length and the config
The optimizer's moments are not kept there (they would triple the size); a run continued from it ramps its
learning rate up again over `rewarm_steps` while Adam re-estimates them.
"""
from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from .. import __version__
from ..checkpoints import atomic_write, load_checkpoint, save_checkpoint
from ..color import AB_SCALE, L_CENTER, L_SCALE
from ..errors import ColorizerError
from ..models import create_model


@dataclass
class Progress:
    step: int = 0
    epoch: int = 0
    pos: int = 0                      # batches of the current epoch already seen
    elapsed: float = 0.0              # seconds of training, all stretches together
    best: dict | None = None          # the best validation so far (by --best-metric)
    history: list = field(default_factory=list)
    skipped: int = 0                  # colorless photos replaced in batches
    warm_start: dict | None = None    # what the run started from (checkpoints.warm_start_record)
    stretches: list = field(default_factory=list)
    resumed_at: int | None = None     # the step a run continued from its committed state (no optimizer moments)

    def open_stretch(self, git: str) -> None:
        self.stretches.append({"start_step": self.step, "end_step": self.step, "minutes": 0.0, "git": git,
                               "started": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
                               "command": " ".join(sys.argv)})

    def close_stretch(self, seconds: float) -> None:
        self.stretches[-1].update(end_step=self.step, minutes=round(seconds / 60, 2))


def git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=Path(__file__).parent, timeout=5).stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def checkpoint_metadata(cfg, model, arch_kwargs: dict, progress: Progress, metrics: dict, run: dict,
                        classes: list[str]) -> dict:
    """What a checkpoint carries besides its tensors: what rebuilds the model, how it decodes, and the whole
    record of its training (config, data, length, stretches, warm start) and validation."""
    p = progress
    return {
        "arch": cfg.arch, "arch_kwargs": arch_kwargs, "objective": cfg.objective,
        "working_size": cfg.working_size, "temperature": cfg.temperature,
        "output_kind": getattr(model, "output_kind", "regression"),
        "accepts_hints": bool(getattr(model, "accepts_hints", False)),
        "normalization": {"l_center": L_CENTER, "l_scale": L_SCALE, "ab_scale": AB_SCALE},
        "classes": classes if getattr(model, "uses_class_labels", False) else [],
        "training": {"config": asdict(cfg), **run, "steps": p.step, "wall_minutes": round(p.elapsed / 60, 2),
                     "skipped_colorless": p.skipped, "data": str(cfg.data), "warm_start": p.warm_start,
                     "stretches": p.stretches},
        "val_metrics": metrics, "val_metric_note": f"{run['val_subset']} val images at {cfg.size}px center crops",
        "code_version": __version__, "git_commit": git_commit(),
    }


def rng_state() -> dict:
    state = {"torch": torch.get_rng_state(), "python": list(random.getstate()[1]),
             "python_pos": random.getstate()[2], "numpy": torch.from_numpy(np.random.get_state()[1].astype(np.int64)),
             "numpy_pos": int(np.random.get_state()[2])}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(s: dict) -> None:
    torch.set_rng_state(s["torch"])
    random.setstate((3, tuple(s["python"]), s["python_pos"]))
    np.random.set_state(("MT19937", s["numpy"].numpy().astype(np.uint32), s["numpy_pos"], 0, 0.0))
    if "cuda" in s and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(s["cuda"])


class LocalState:
    def __init__(self, path: str | Path):
        self.path = Path(path)

    def exists(self) -> bool:
        return self.path.is_file()

    def save(self, model, ema_model, opt, progress: Progress, config: dict) -> None:
        p = progress
        state = {"model": model.state_dict(), "opt": opt.state_dict(), "step": p.step, "epoch": p.epoch, "pos": p.pos,
                 "best": p.best, "elapsed": p.elapsed, "rng": rng_state(), "config": json.dumps(config),
                 "history": json.dumps(p.history), "skipped": p.skipped, "warm_start": json.dumps(p.warm_start),
                 "stretches": json.dumps(p.stretches)}
        if ema_model is not None:
            state["ema"] = ema_model.state_dict()
        atomic_write(self.path, lambda tmp: torch.save(state, tmp))

    def load(self, model, ema_model, opt, progress: Progress) -> None:
        try:
            s = torch.load(self.path, map_location="cpu", weights_only=True)
        except Exception as exc:  # noqa: BLE001 - report any unreadable state file the same way
            raise ColorizerError(f"{self.path}: cannot resume from this state file ({exc})") from None
        model.load_state_dict(s["model"], strict=True)
        if ema_model is not None:
            ema_model.load_state_dict(s["ema"] if "ema" in s else s["model"], strict=True)
        opt.load_state_dict(s["opt"])
        p = progress
        p.step, p.epoch, p.pos, p.best, p.elapsed = s["step"], s["epoch"], s["pos"], s["best"], s["elapsed"]
        p.history, p.skipped = json.loads(s["history"]), s.get("skipped", 0)
        if "warm_start" in s:
            p.warm_start = json.loads(s["warm_start"])
        if "stretches" in s:
            p.stretches = json.loads(s["stretches"])
        set_rng_state(s["rng"])


class RunState:
    def __init__(self, folder: str | Path, build=create_model):
        self.folder = Path(folder)
        self.build = build  # how a checkpoint's model is rebuilt: the colorizers' registry, or another family's
        self.model_path = self.folder / "model.safetensors"
        self.ema_path = self.folder / "ema.safetensors"
        self.position_path = self.folder / "position.json"

    def exists(self) -> bool:
        return self.position_path.is_file()

    def position(self) -> dict:
        if not self.exists():
            return {}
        try:
            return json.loads(self.position_path.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise ColorizerError(f"{self.position_path}: cannot read the run's position ({exc})") from None

    def load(self, model, ema_model, progress: Progress) -> None:
        """Load the weights (strictly: the same architecture and settings) and the position."""
        pos = self.position()
        for path, target in ((self.model_path, model), (self.ema_path, ema_model)):
            if target is None:
                continue
            if not path.is_file():  # a run without EMA continued with EMA: start the average at the weights
                path = self.model_path
            loaded, _ = load_checkpoint(path, build=self.build)
            try:
                target.load_state_dict(loaded.state_dict(), strict=True)
            except RuntimeError as exc:
                raise ColorizerError(f"{path}: does not fit this model ({exc})") from None
        p = progress
        p.step, p.epoch, p.pos, p.elapsed = pos["step"], pos["epoch"], pos["pos"], pos["elapsed"]
        p.skipped, p.best, p.history = pos.get("skipped", 0), pos.get("best"), pos.get("history", [])
        p.warm_start, p.stretches, p.resumed_at = pos.get("warm_start"), pos.get("stretches", []), p.step

    def save(self, model, ema_model, metadata: dict, progress: Progress, total_steps: int, config: dict) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        save_checkpoint(self.model_path, model, metadata, half=True)
        if ema_model is not None:
            save_checkpoint(self.ema_path, ema_model, metadata, half=True)
        p = progress
        position = {"step": p.step, "epoch": p.epoch, "pos": p.pos, "elapsed": p.elapsed, "total_steps": total_steps,
                    "skipped": p.skipped, "best": p.best, "history": [h for h in p.history if h.get("kind") == "val"],
                    "warm_start": p.warm_start, "stretches": p.stretches, "config": config}
        text = json.dumps(position, indent=1)
        atomic_write(self.position_path, lambda tmp: Path(tmp).write_text(text))
