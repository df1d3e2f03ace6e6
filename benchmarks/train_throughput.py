"""Training throughput: our loop against a faithful re-creation of the seeds' loop, same run.

Both train the same architecture with the same batch, crop size, optimizer, loss and DataLoader
workers, on the same images. The seeds' loop (the Places-tutorial pattern of seeds 000/004) converts
every image with `skimage.color.rgb2lab` and `rgb2gray` inside the Dataset (float64, per image, in
Python), trains in float32 with the default memory format. Ours is colorizer.train.trainer.Trainer's real
train_step: uint8 batches, one batched Lab conversion in torch, channels_last, and autocast (bf16 on
CPUs that have it, fp16 on CUDA).

    python benchmarks/train_throughput.py --data ../shared/data/train --arch resnet-mid --size 128

Prints images/s for both (median of alternating rounds) and ends with `ratio: N.NN` (ours / seeds').
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from skimage.color import rgb2gray, rgb2lab
from torch.utils.data import DataLoader, Dataset

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from colorizer import create_model  # noqa: E402
from colorizer.train.data import collate  # noqa: E402
from colorizer.imageio import find_images  # noqa: E402
from colorizer.train.trainer import TrainConfig, Trainer  # noqa: E402


class SeedDataset(Dataset):
    """As the seeds did it: PIL crop and flip, then per-image scikit-image conversions to float tensors."""

    def __init__(self, files, size):
        self.files, self.size = files, size

    def __len__(self):
        return len(self.files)

    def __getitem__(self, i):
        img = Image.open(self.files[i]).convert("RGB")
        w, h = img.size
        k = self.size / min(w, h)
        img = img.resize((max(self.size, round(w * k)), max(self.size, round(h * k))))
        x = random.randint(0, img.width - self.size)
        y = random.randint(0, img.height - self.size)
        img = img.crop((x, y, x + self.size, y + self.size))
        if random.random() < 0.5:
            img = img.transpose(Image.FLIP_LEFT_RIGHT)
        arr = np.asarray(img)
        lab = rgb2lab(arr)
        lab = (lab + 128) / 255
        ab = torch.from_numpy(lab[:, :, 1:3].transpose((2, 0, 1))).float()
        gray = torch.from_numpy(rgb2gray(arr)).unsqueeze(0).float()
        return gray, ab


def seeds_loop(files, arch, size, batch, steps, warmup, workers, lr) -> float:
    model = create_model(arch)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    crit = torch.nn.MSELoss()
    loader = DataLoader(SeedDataset(files, size), batch_size=batch, shuffle=True, num_workers=workers)
    n, t0 = 0, None
    for i, (gray, ab) in enumerate(loader):
        if i == warmup:
            t0, n = time.perf_counter(), 0
        out = model(gray)["ab"]
        if out.shape[-2:] != ab.shape[-2:]:
            out = torch.nn.functional.interpolate(out, size=ab.shape[-2:])
        loss = crit(out, ab)
        opt.zero_grad()
        loss.backward()
        opt.step()
        n += gray.shape[0]
        if i + 1 == warmup + steps:
            break
    return n / (time.perf_counter() - t0)


def our_loop(data, files, arch, size, batch, steps, warmup, workers, lr, amp) -> tuple[float, bool]:
    cfg = TrainConfig(data=str(data), out=str(Path(tempfile.mkdtemp()) / "bench.safetensors"), arch=arch, size=size,
                      batch_size=batch, lr=lr, objective="mse", optimizer="adam", workers=workers, pretrained=False,
                      val_split=0.0001, val_images=1, amp=amp, run_dir=tempfile.mkdtemp(), warmup_steps=0)
    tr = Trainer(cfg)
    loader = DataLoader(tr.train_set, batch_size=batch, shuffle=True, num_workers=workers, collate_fn=collate)
    n, t0 = 0, None
    for i, b in enumerate(loader):
        if i == warmup:
            t0, n = time.perf_counter(), 0
        if b is None:
            continue
        tr.train_step(b)
        n += b[0].shape[0]
        if i + 1 == warmup + steps:
            break
    return n / (time.perf_counter() - t0), tr.amp


def synthetic_folder(n: int = 256) -> Path:
    root = Path(tempfile.mkdtemp()) / "synthetic"
    root.mkdir()
    rng = np.random.default_rng(0)
    for i in range(n):
        base = rng.integers(0, 256, (9, 12, 3)).astype(np.uint8)
        Image.fromarray(base).resize((192, 144), Image.BICUBIC).save(root / f"{i}.jpg", quality=85)
    return root


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=None, help="image folder (default: a synthetic one)")
    ap.add_argument("--arch", default="resnet-mid")
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--steps", type=int, default=15)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds; the median is reported")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--amp", default="auto", help="our loop's autocast: auto | on | off")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    data = Path(args.data) if args.data else synthetic_folder()
    files = find_images(data)
    random.Random(0).shuffle(files)
    files = files[: args.batch_size * (args.steps + args.warmup) * 2]
    for f in files:  # into the page cache, so neither loop pays for cold disk reads
        f.read_bytes()
    sub = Path(tempfile.mkdtemp()) / "subset"  # both loops read the very same files
    sub.mkdir()
    for i, f in enumerate(files):
        (sub / f"{i}{f.suffix}").symlink_to(f.resolve())
    # The loops alternate (seeds, ours, seeds, ours...) so a machine that speeds up or slows down during
    # the run (shared cloud CPUs do) affects both alike; each side reports its median round.
    theirs, ours = [], []
    for r in range(args.rounds):
        torch.manual_seed(r)
        theirs.append(seeds_loop(files, args.arch, args.size, args.batch_size, args.steps, args.warmup,
                                 args.workers, 1e-5))
        torch.manual_seed(r)
        speed, amp = our_loop(sub, files, args.arch, args.size, args.batch_size, args.steps, args.warmup,
                              args.workers, 1e-5, args.amp)
        ours.append(speed)
        print(f"round {r + 1}: seeds {theirs[-1]:.1f} images/s, ours {ours[-1]:.1f} images/s", flush=True)
    theirs_m, ours_m = statistics.median(theirs), statistics.median(ours)
    print(f"arch {args.arch}, {args.size}px, batch {args.batch_size}, {args.steps} timed steps x {args.rounds} "
          f"rounds, {torch.get_num_threads()} threads, workers {args.workers}")
    print(f"seeds' loop (per-image skimage rgb2lab, float32, NCHW): {theirs_m:8.1f} images/s")
    print(f"our loop (batched torch Lab, channels_last, autocast={'bf16/fp16' if amp else 'off'}): "
          f"{ours_m:8.1f} images/s")
    print(f"ratio: {ours_m / theirs_m:.2f}")


if __name__ == "__main__":
    main()
