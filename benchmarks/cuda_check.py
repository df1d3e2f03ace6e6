"""The shipped pipeline on a CUDA GPU: the same photo on the GPU and on the CPU, latency, training throughput.

Needs nothing from ../shared (a GPU machine may not have the data): the photo and the training folder are
made from scikit-image's bundled samples. Where PyTorch sees no GPU only the CPU rows run.

    python benchmarks/cuda_check.py            # --side 1024 --steps 80 --batch-size 64 --workers 12

Prints, per row, the backend and the p50 latency of `Colorizer.colorize` on a SIDE x SIDE gray photo; the
largest and mean difference of each row's output from the CPU PyTorch row (uint8 RGB levels); then the
flagship's recipe (hints, bins, half of the photos aged) trained for STEPS steps with mixed precision on and off,
in images/s as train.py reports them.
"""
from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from skimage import data

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from colorizer import Colorizer  # noqa: E402


def _p50(fn, repeats: int, cuda: bool) -> float:
    times = []
    for _ in range(repeats):
        if cuda:
            torch.cuda.synchronize()
        t = time.perf_counter()
        fn()
        if cuda:
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def inference(side: int) -> None:
    photo = np.array(Image.fromarray(data.astronaut()).convert("L").resize((side, side)))
    cuda = torch.cuda.is_available()
    rows = ((("cuda", "torch"),) if cuda else ()) + (("cpu", "torch"), ("cpu", "auto"))
    outputs = {}
    for device, backend in rows:
        c = Colorizer.load(device=device, backend=backend)
        outputs[device, backend] = np.asarray(c.colorize(photo).convert("RGB"), dtype=np.float32)
        p50 = _p50(lambda: c.colorize(photo), 10 if device == "cuda" else 3, device == "cuda")
        print(f"{device:4s} {c.backend:11s} restore={c.restore_default}  {side}x{side} p50 {1000 * p50:.1f} ms")
    ref = outputs["cpu", "torch"]
    for (device, backend), out in outputs.items():
        diff = np.abs(out - ref)
        print(f"{device}/{backend} against cpu/torch: max {diff.max():.0f}, mean {diff.mean():.4f} levels")


def training(steps: int, batch: int, workers: int) -> None:
    with tempfile.TemporaryDirectory(prefix="cuda-check-") as tmp:
        folder = Path(tmp) / "photos"
        folder.mkdir()
        rng = np.random.default_rng(0)
        sources = [data.astronaut(), data.chelsea(), data.coffee(), data.rocket()]
        for i in range(512):  # 160 px crops, so 128 px training crops still move around
            s = sources[i % len(sources)]
            y, x = rng.integers(0, s.shape[0] - 160), rng.integers(0, s.shape[1] - 160)
            Image.fromarray(s[y:y + 160, x:x + 160]).save(folder / f"{i:04d}.jpg", quality=90)
        for amp in ("on", "off"):
            cmd = [sys.executable, str(ROOT / "train.py"), "--data", str(folder), "--out", f"{tmp}/m-{amp}.safetensors",
                   "--run-dir", f"{tmp}/run-{amp}", "--arch", "effnet-unet", "--arch-kwargs", '{"hints": true}',
                   "--objective", "bins", "--batch-size", str(batch), "--size", "128", "--steps", str(steps),
                   "--aged-p", "0.5", "--amp", amp, "--workers", str(workers), "--val-every", "100000",
                   "--checkpoint-every", "100000", "--log-every", "20"]
            t = time.perf_counter()
            r = subprocess.run(cmd, capture_output=True, text=True)
            rates = [float(x) for x in re.findall(r"img_s=([\d.]+)", r.stderr)]
            late = rates[len(rates) // 2:] or [0.0]  # past start-up
            print(f"train --amp {amp}: rc {r.returncode}, {time.perf_counter() - t:.1f} s for {steps} steps of {batch}, "
                  f"{statistics.median(late):.0f} images/s after start-up")
            if r.returncode:
                print(r.stderr[-2000:])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--side", type=int, default=1024)
    ap.add_argument("--steps", type=int, default=80)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--workers", type=int, default=12)
    ap.add_argument("--no-training", action="store_true")
    a = ap.parse_args()
    print("torch", torch.__version__, "| GPU:", torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none")
    inference(a.side)
    if not a.no_training:
        training(a.steps, a.batch_size, a.workers)


if __name__ == "__main__":
    main()
