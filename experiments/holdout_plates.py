"""Any checkpoint read as training reads its held-out places: the in-run validator (plain annealed-mean decoding at
the training crop size) over the plates that `--holdout historical:5` keeps out of training, and over val's first
300 photos. It puts a network trained without the plates (v5, v7) beside one trained with them (v11, v12, v13)
on the same photos, read the same way.

    python experiments/holdout_plates.py CKPT [CKPT ...] [--data ../shared/data] [--size 128]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import torch  # noqa: E402

from colorizer.checkpoints import load_checkpoint  # noqa: E402
from colorizer.evaluation.metrics import one_line  # noqa: E402
from colorizer.imageio import find_images  # noqa: E402
from colorizer.train.data import ImageFolderDataset, hold_out  # noqa: E402
from colorizer.train.losses import ColorLoss  # noqa: E402
from colorizer.train.validation import validate  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("checkpoints", nargs="+")
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--holdout", default="historical:5")
    ap.add_argument("--val-images", type=int, default=300)
    ap.add_argument("--temperature", type=float, default=0.38)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    root = Path(args.data)
    val = find_images(root / "val")  # what the trainer validates on, in its order (--val-data, the first 300)
    _, held = hold_out(find_images(root / "train"), root / "train", args.holdout)
    sets = {"holdout": ImageFolderDataset(root / "train", args.size, train=False, files=held),
            "val": ImageFolderDataset(root / "val", args.size, train=False, files=val[: args.val_images])}
    print(f"held-out plates: {len(held)}; val photos: {len(sets['val'])}")
    device = torch.device("cpu")
    for ckpt in args.checkpoints:
        model, meta = load_checkpoint(ckpt)
        loss = ColorLoss(meta.get("objective", "bins"), 0.5)  # the loss is not read below; metrics are
        for name, ds in sets.items():
            m = validate(model, ds, loss, 32, args.temperature, device)
            print(f"{ckpt}  {name:8s} {one_line(m)}", flush=True)


if __name__ == "__main__":
    main()
