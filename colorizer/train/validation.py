"""Validation during training: loss and image metrics of the model on a fixed set of photos, a sample grid
(gray | predicted | truth) for the eye, and the run's log (metrics.jsonl, TensorBoard when installed). The decoding here is the plain annealed mean at the config's
temperature: what the numbers follow is the network, not a decoding tuned afterwards."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch.utils.data import DataLoader

from ..color import join_l_ab
from .data import collate
from ..evaluation.metrics import image_metrics, summarize
from ..models import decode_ab
from .step import prepare


@torch.inference_mode()
def validate(model: torch.nn.Module, val_set, loss_fn, batch_size: int, temperature: float, device: torch.device,
             grid_path: Path | None = None, grid_rows: int = 8) -> dict:
    model.eval()
    loader = DataLoader(val_set, batch_size=batch_size, num_workers=0, collate_fn=collate)
    rows, losses, grid = [], [], []
    for batch in loader:
        if batch is None:
            continue
        rgb_u8, labels = batch
        rgb, l, ab = prepare(rgb_u8, device)
        out = model(l)
        losses.append(float(loss_fn(out, ab, rgb, labels.to(device))["loss"]))
        pred_ab = decode_ab(out, l.shape[-2:], temperature)
        pred = (join_l_ab(l, pred_ab) * 255).round().byte().permute(0, 2, 3, 1).cpu().numpy()
        truth = rgb_u8.permute(0, 2, 3, 1).numpy()
        gray = (join_l_ab(l, torch.zeros_like(pred_ab)) * 255).round().byte().permute(0, 2, 3, 1).cpu().numpy()
        for p, t, g in zip(pred, truth, gray):
            rows.append(image_metrics(p, t))
            if len(grid) < grid_rows:
                grid.append(np.concatenate([g, p, t], axis=1))
    result = summarize(rows)
    result["val_loss"] = float(np.mean(losses)) if losses else float("nan")
    if grid and grid_path is not None:
        Image.fromarray(np.concatenate(grid, axis=0)).save(grid_path)
    return result


class RunLog:
    """Every training and validation record: kept in the run's history, appended to runs/NAME/metrics.jsonl,
    and written to TensorBoard when it is installed."""

    def __init__(self, run_dir: Path, history: list, tensorboard: bool = True):
        self.path, self.history, self.tb = Path(run_dir) / "metrics.jsonl", history, None
        if tensorboard:
            try:
                from torch.utils.tensorboard import SummaryWriter
                self.tb = SummaryWriter(str(Path(run_dir) / "tb"))
            except ImportError:
                pass

    def write(self, record: dict) -> None:
        self.history.append(record)
        with open(self.path, "a") as fh:
            fh.write(json.dumps(record) + "\n")
        if self.tb is not None:
            for k, v in record.items():
                if isinstance(v, (int, float)) and k != "step":
                    self.tb.add_scalar(k, v, record["step"])

    def close(self) -> None:
        if self.tb is not None:
            self.tb.close()
