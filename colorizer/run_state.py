"""A training run's committed state: what continues a long planned schedule when only the repository survives.

A schedule of many CPU-hours runs in stretches (a machine is lent for hours, not days), and the scratch folder
of a stretch (`runs/`) may be gone when the next one starts. So a run given `--state-dir` writes, every
`checkpoint_every` steps, a small folder meant to be committed:

  model.safetensors   the weights being trained (float16: the rounding is smaller than one step's update)
  ema.safetensors     the moving average that validation measures and a release ships (also a plain checkpoint)
  position.json       step, epoch, batch within the epoch, wall time, the validation history and every stretch
                      of the run so far (steps, minutes, date, command, code version)

The optimizer's moments are not kept (they would triple the size); a continued run ramps its learning rate up
again over `rewarm_steps` while Adam re-estimates them.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import torch

from .checkpoints import atomic_write, load_checkpoint, save_checkpoint
from .errors import ColorizerError


class RunState:
    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
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

    def load(self, model: torch.nn.Module, ema_model: torch.nn.Module | None) -> dict:
        """Load the weights (strictly: the same architecture and settings) and return the position."""
        pos = self.position()
        for path, target in ((self.model_path, model), (self.ema_path, ema_model)):
            if target is None:
                continue
            if not path.is_file():  # a run without EMA continued with EMA: start the average at the weights
                path = self.model_path
            loaded, _ = load_checkpoint(path)
            try:
                target.load_state_dict(loaded.state_dict(), strict=True)
            except RuntimeError as exc:
                raise ColorizerError(f"{path}: does not fit this model ({exc})") from None
        return pos

    def save(self, model: torch.nn.Module, ema_model: torch.nn.Module | None, metadata: dict, position: dict) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        save_checkpoint(self.model_path, model, metadata, half=True)
        if ema_model is not None:
            save_checkpoint(self.ema_path, ema_model, metadata, half=True)
        text = json.dumps(position, indent=1)
        atomic_write(self.position_path, lambda tmp: Path(tmp).write_text(text))


def new_stretch(step: int, git: str) -> dict:
    """The record of one stretch of a run, opened when it starts and brought up to date at every save."""
    return {"start_step": step, "end_step": step, "minutes": 0.0, "git": git,
            "started": time.strftime("%Y-%m-%d %H:%M", time.gmtime()), "command": " ".join(sys.argv)}
