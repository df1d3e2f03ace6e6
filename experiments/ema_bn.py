"""Do the batch-norm statistics the moving average is validated with explain the swings of validation?

The moving average (EMA) of the weights is validated with the live model's batch-norm running statistics,
which follow only the last few batches. This scores, on the first N val photos as training validates them
(128 px centre crops, plain annealed mean): the live weights, the EMA as stored, and the EMA with its
batch-norm statistics re-estimated on K training batches (half of the photos aged, as in training).
    python experiments/ema_bn.py recipes/effnet-unet-v3 --data ../shared/data --images 150 --batches 30
"""
from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from colorizer.evaluation import aging  # noqa: E402
from colorizer.checkpoints import load_checkpoint  # noqa: E402
from colorizer.color import denormalize_l, normalize_l  # noqa: E402
from colorizer.train.data import ImageFolderDataset, collate  # noqa: E402
from colorizer.imageio import find_images  # noqa: E402
from colorizer.train.losses import ColorLoss  # noqa: E402
from colorizer.train.step import prepare  # noqa: E402
from colorizer.train.validation import validate  # noqa: E402


@torch.inference_mode()
def recalibrate_bn(model: torch.nn.Module, dataset, batches: int, batch_size: int, aged_p: float, seed: int):
    """Fresh batch-norm running statistics: a cumulative average over `batches` training batches."""
    model = copy.deepcopy(model)
    bns = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # cumulative moving average
    model.train()
    g = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(dataset), generator=g)[: batches * batch_size].tolist()
    for b in range(batches):
        items = collate([dataset[i] for i in order[b * batch_size:(b + 1) * batch_size]])
        if items is None:
            continue
        _, l, _ = prepare(items[0], torch.device("cpu"))
        l = normalize_l(aging.age(denormalize_l(l), aging.seeded_generator(seed, 0, b), p=aged_p))
        model(l)
    return model.eval()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("state_dir")
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--images", type=int, default=150)
    ap.add_argument("--batches", type=int, default=40)
    ap.add_argument("--batch-size", type=int, default=32)
    args = ap.parse_args()
    torch.set_num_threads(2)
    live, _ = load_checkpoint(f"{args.state_dir}/model.safetensors")
    ema, _ = load_checkpoint(f"{args.state_dir}/ema.safetensors")
    live, ema = live.float().eval(), ema.float().eval()
    train = ImageFolderDataset(f"{args.data}/train", 128, train=True)
    val = ImageFolderDataset(f"{args.data}/val", 128, train=False, files=find_images(f"{args.data}/val")[: args.images],
                             classes=train.classes)
    loss = ColorLoss("bins", 0.75, 0.0)
    rows = {"live": live, "ema, live BN statistics": ema,
            f"ema, BN re-estimated on {args.batches} batches": recalibrate_bn(ema, train, args.batches,
                                                                             args.batch_size, 0.5, 0)}
    for name, m in rows.items():
        r = validate(m, val, loss, 50, 0.38, torch.device("cpu"))
        print(f"{name:42s} loss {r['val_loss']:.3f} PSNR {r['psnr']:.2f} CIEDE {r['ciede2000']:.2f} "
              f"paint {r['paint']:.3f} CF {r['cf_pred']:.1f} (truth {r['cf_true']:.1f})", flush=True)


if __name__ == "__main__":
    main()
