"""A schedule that runs in stretches, for the small networks' trainers (repair detector, learned fill): every
`every` steps the weights and the position (step, loss history) go to a folder that is committed, and the same
command continues from there, with its one-cycle schedule stepped to where it was (the optimizer's moments start
afresh). The colour networks' trainer keeps a fuller state (colorizer.train.state)."""
from __future__ import annotations

import json
import logging
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from ..checkpoints import load_checkpoint


@dataclass
class Stretches:
    folder: Path | None           # None: one stretch, nothing kept
    total: int                    # the schedule's steps
    every: int = 100              # weights and position kept every this many steps
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("colorizer.train"))
    step: int = 0
    history: list = field(default_factory=list)
    _run: list = field(default_factory=list)
    _t0: float = field(default_factory=time.time)

    def resume(self, net: torch.nn.Module, sched, build: Callable) -> None:
        """Continue where the committed folder left off: its weights into `net`, `sched` stepped to its position."""
        if not self.folder or not (self.folder / "position.json").is_file():
            return
        pos = json.loads((self.folder / "position.json").read_text())
        net.load_state_dict(load_checkpoint(self.folder / "model.safetensors", build=build)[0].state_dict())
        self.step, self.history = int(pos["step"]), pos.get("history", [])
        with warnings.catch_warnings():  # stepping the schedule alone is the point here, not a misordered loop
            warnings.filterwarnings("ignore", message=r"Detected call of `lr_scheduler\.step\(\)`")
            for _ in range(self.step):
                sched.step()
        self.log.info("continuing from %s at step %d", self.folder, self.step)

    @property
    def done(self) -> bool:
        return self.step >= self.total

    def after(self, loss: float, net: torch.nn.Module, save: Callable, metadata: dict) -> bool:
        """One step taken with this loss: logged every 50, kept every `every` (save(path, net, metadata)). True when
        the schedule is done."""
        self.step += 1
        self._run.append(loss)
        if self.step % 50 == 0:
            self.history.append({"step": self.step, "loss": round(float(np.mean(self._run)), 5),
                                 "minutes": round((time.time() - self._t0) / 60, 1)})
            self.log.info("step %d: loss %.5f (%.0f s)", self.step, np.mean(self._run), time.time() - self._t0)
            self._run = []
        if self.folder and (self.step % self.every == 0 or self.done):
            self.folder.mkdir(parents=True, exist_ok=True)
            save(self.folder / "model.safetensors", net, metadata)
            (self.folder / "position.json").write_text(json.dumps({"step": self.step, "of": self.total,
                                                                   "history": self.history}, indent=1))
        return self.done
