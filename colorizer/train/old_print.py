"""Training the old-print judgement of colorizer.routing (`python train.py old-print`).

N training photos at 256 px (the tuning rule's pick, colorizer.evaluation.evaluate.tuning_files, with its own seed), each
seen clean (twice, so the classes balance) and aged by colorizer.evaluation.aging with two seeds; random square crops at
the photo's own scale (grain is not resized away), mirrored at random; binary cross-entropy, AdamW with a
one-cycle schedule. Small enough to hold in memory and train in about 20 minutes on a 2-core CPU.

Validation: the 300 val tuning photos, clean and aged as `evaluate --aged` ages them (the same seeds): the
area under the ROC curve and the share of each sent to the old-print network at the threshold. Whether the
judgement carries over to aging by other code is checked in experiments/old_print_detector.py.

Real old photographs (`--real-old`, a folder of colour photographs whose gray is a real old print, such as
train/historical) join the positives as they are, never aged again: a judgement trained on our aging alone
learns our aging, not old photographs (old-print v2 called 11% of val-historical's real prints old). Each is
shrunk at random to a short side between 128 px and its own first, as the modern photos are stored, so the
judgement cannot tell the two apart by sharpness alone. `--real-val` (val-historical) adds the share of real old
photos it calls old, and `--clean-val` (val-ood) the share of clean photos of unseen kinds.

    python train.py old-print --data ../shared/data/train --val-data ../shared/data/val --out weights/old-print.safetensors
"""
from __future__ import annotations

import argparse
import datetime
import logging
import time
from pathlib import Path
from dataclasses import asdict, dataclass, fields

import numpy as np
import torch
import torch.nn.functional as F

from ..evaluation.aging import age_one, seeded_generator
from ..color import photo_l
from ..evaluation.evaluate import evenly_spaced, load_eval_set, tuning_files, tuning_set
from ..imageio import find_images, load_image
from ..routing import ARCH, CONTENT_ARCH, ContentNet, OldPrintDetector, PrintNet, analysis_view, save_detector

log = logging.getLogger("colorizer.routing")


@dataclass
class PrintTrainConfig:
    arch: str = ARCH          # old-print-net (a texture CNN trained whole) or old-photo-net (ImageNet features, a
                              # fitted head: colorizer.routing.ContentNet)
    data: str = "../shared/data/train"
    val_data: str = "../shared/data/val"
    out: str = "runs/old-print.safetensors"
    photos: int = 1200        # training photos; each is seen clean and aged twice
    epochs: int = 30
    batch_size: int = 64
    crop: int = 128           # pixels of the 256 px analysis view
    width: int = 24
    lr: float = 2e-3
    val_images: int = 300
    threshold: float = 0.5
    seed: int = 0
    threads: int = 1
    real_old: str = ""        # a folder of real old photographs (colour; their gray is the positive), e.g. train/historical
    real_copies: int = 2      # views of each real old photo (shrunk and cropped anew each)
    real_val: str = ""        # real old photographs to validate on (val-historical)
    clean_val: str = ""       # clean photos of kinds training never sees to validate on (val-ood)
    analysis_side: int = 256  # the short side every photo is read at (colorizer.routing.analysis_view)
    clean_share: float = 0.0  # > 0: the threshold becomes the lowest at which at most this share of val's clean
                              # photos count as old (chosen on val, then saved with the judgement)


def auc(pos: np.ndarray, neg: np.ndarray) -> float:
    """P(a positive scores above a negative), ties counted half: the area under the ROC curve."""
    return float((pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean())


def validate(detector: OldPrintDetector, root: str, n: int, real_val: str = "", clean_val: str = "",
             clean_share: float = 0.0) -> dict:
    val = tuning_set(root, n, 256, min_side=128)
    clean = detector.probabilities([photo_l(t) for t in val.images])
    if clean_share > 0:  # the threshold is chosen here, on val's clean photos, before any other photo is read
        detector.threshold = min(1.0, float(np.quantile(clean, 1.0 - clean_share, method="higher")) + 1e-6)
    aged = detector.probabilities([photo_l(t) for t in val.age().model_inputs])
    th = detector.threshold
    out = {"threshold": round(th, 6), "auc": round(auc(aged, clean), 4), "clean_to_old_print": round(float(np.mean(clean >= th)), 4),
           "aged_to_old_print": round(float(np.mean(aged >= th)), 4), "images": len(clean)}
    for key, folder in (("real_old", real_val), ("clean_unseen", clean_val)):
        if folder:  # each photo as a user brings it, at its own size
            p = detector.probabilities([photo_l(load_image(f).rgb) for f in find_images(folder)])
            out[f"{key}_to_old_print"], out[f"{key}_images"] = round(float(np.mean(p >= th)), 4), len(p)
            if key == "real_old":
                out["auc_real_vs_clean"] = round(auc(p, clean), 4)
    return out


def real_old_views(folder: str, copies: int, rng: np.random.Generator, side: int) -> list[torch.Tensor]:
    """Analysis views of real old photographs' gray, each photo `copies` times, shrunk at random to a short side
    between 128 px and its own (area resampling) first."""
    from PIL import Image
    views = []
    for f in find_images(folder):
        gray = Image.fromarray(load_image(f).rgb)
        for _ in range(copies):
            side = int(rng.integers(128, max(129, min(gray.size) + 1)))
            k = side / min(gray.size)
            small = gray.resize((max(1, round(gray.width * k)), max(1, round(gray.height * k))), Image.BOX)
            views.append(analysis_view(photo_l(np.asarray(small)), side)[0])
    return views


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-3, steps: int = 500) -> tuple[torch.Tensor, torch.Tensor]:
    """A logistic regression on features x (N, D), labels y (N,): (weights (D,), bias), on the raw features
    (standardized while fitted, folded back)."""
    mu, sd = x.mean(0), x.std(0) + 1e-6
    xt, yt = torch.tensor((x - mu) / sd, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)
    w = torch.zeros(x.shape[1], requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    opt = torch.optim.LBFGS([w, b], max_iter=steps)

    def closure():
        opt.zero_grad()
        loss = F.binary_cross_entropy_with_logits(xt @ w + b, yt) + l2 * (w ** 2).sum()
        loss.backward()
        return loss
    opt.step(closure)
    w_raw = w.detach() / torch.tensor(sd, dtype=torch.float32)
    return w_raw, b.detach() - (w_raw * torch.tensor(mu, dtype=torch.float32)).sum()


def train_content(cfg: PrintTrainConfig) -> dict:
    """old-photo-net: ImageNet features of the plates (positives) and of clean training photos (negatives), at
    the evaluation's 256 x 256, read at analysis_side; a logistic head fitted on them."""
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    t0 = time.time()
    net = ContentNet.from_imagenet()
    files = tuning_files(cfg.data, 10**9, min_side=128, seed=2)
    real_root = Path(cfg.real_old).resolve()
    files = [f for f in files if real_root not in f.resolve().parents]
    clean = [photo_l(t) for t in load_eval_set(evenly_spaced(files, cfg.photos), 256).images]
    real = [photo_l(t) for t in load_eval_set(cfg.real_old, 256).images]
    with torch.inference_mode():
        feats = np.stack([net.features(analysis_view(l, cfg.analysis_side))[0].numpy() for l in real + clean])
    w, b = fit_logistic(feats, np.r_[np.ones(len(real)), np.zeros(len(clean))])
    with torch.no_grad():
        net.head.weight.copy_(w[None])
        net.head.bias.copy_(b)
    log.info("features of %d real old and %d clean photos, head fitted, in %.0f s", len(real), len(clean), time.time() - t0)
    detector = OldPrintDetector(net, cfg.threshold, {"analysis_side": cfg.analysis_side})
    report = validate(detector, cfg.val_data, cfg.val_images, cfg.real_val, cfg.clean_val, cfg.clean_share)
    log.info("val: %s", report)
    save_detector(cfg.out, net, {"kind": "old-photo judgement", "threshold": detector.threshold, "val": report,
                                 "analysis_side": cfg.analysis_side, "training": asdict(cfg),
                                 "minutes": round((time.time() - t0) / 60, 1), "date": datetime.date.today().isoformat()},
                  half=True)  # 6.9 MB: a plain git file, as the other checkpoints under 10 MB
    return report


def train(cfg: PrintTrainConfig) -> dict:
    if cfg.arch == CONTENT_ARCH:
        if not cfg.real_old:
            raise ValueError("--arch old-photo-net learns from real old photographs: give --real-old DIR")
        return train_content(cfg)
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    rng = np.random.default_rng(cfg.seed)
    t0 = time.time()
    files = tuning_files(cfg.data, 10**9, min_side=128, seed=2)
    if cfg.real_old:  # the real old photographs are positives only, never among the clean ones
        real_root = Path(cfg.real_old).resolve()
        files = [f for f in files if real_root not in f.resolve().parents]
    fit = load_eval_set(evenly_spaced(files, cfg.photos), 256)
    clean = [photo_l(t) for t in fit.images]
    aged = [age_one(l, seeded_generator("old-print-cnn", s, k))[0] for s in (0, 1) for l, k in zip(clean, fit.keys)]
    real = real_old_views(cfg.real_old, cfg.real_copies, rng, cfg.analysis_side) if cfg.real_old else []
    views = [analysis_view(l, cfg.analysis_side)[0] for l in clean] * 2 + [analysis_view(l, cfg.analysis_side)[0] for l in aged]
    if real:  # as many clean views again, so the classes still balance
        views += real + [analysis_view(clean[i], cfg.analysis_side)[0] for i in rng.integers(0, len(clean), len(real))]
    x = torch.stack(_same_shape(views))
    y = torch.cat([torch.zeros(2 * len(clean)), torch.ones(len(aged)), torch.ones(len(real)), torch.zeros(len(real))])
    log.info("%d training views of %d photos in %.0f s", len(x), len(clean), time.time() - t0)
    net = PrintNet(cfg.width)
    opt = torch.optim.AdamW(net.parameters(), lr=cfg.lr, weight_decay=1e-4)
    per_epoch = len(x) // cfg.batch_size
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, cfg.lr, total_steps=cfg.epochs * per_epoch)
    losses = []
    for ep in range(cfg.epochs):
        net.train()
        order, total = torch.randperm(len(x)), 0.0
        for i in range(per_epoch):
            idx = order[i * cfg.batch_size:(i + 1) * cfg.batch_size]
            oy, ox = rng.integers(0, x.shape[-2] - cfg.crop + 1), rng.integers(0, x.shape[-1] - cfg.crop + 1)
            xb = x[idx, :, oy:oy + cfg.crop, ox:ox + cfg.crop]
            xb = torch.where(torch.rand(len(idx), 1, 1, 1) < 0.5, xb, xb.flip(-1))
            loss = F.binary_cross_entropy_with_logits(net(xb), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
        losses.append(total / max(1, per_epoch))
        log.info("epoch %d: loss %.3f (%.0f s)", ep + 1, losses[-1], time.time() - t0)
    detector = OldPrintDetector(net, cfg.threshold, {"analysis_side": cfg.analysis_side})
    report = {**validate(detector, cfg.val_data, cfg.val_images, cfg.real_val, cfg.clean_val, cfg.clean_share),
              "loss_first_epoch": round(losses[0], 4),
              "loss_last_epoch": round(losses[-1], 4)}
    log.info("val: %s", report)
    save_detector(cfg.out, net, {"kind": "old-print detector", "threshold": detector.threshold, "val": report,
                                 "analysis_side": cfg.analysis_side,
                                 "training": asdict(cfg), "minutes": round((time.time() - t0) / 60, 1),
                                 "date": datetime.date.today().isoformat()})
    return report


def _same_shape(views: list[torch.Tensor]) -> list[torch.Tensor]:
    """Views of photos of other aspect ratios, centre-cropped to the smallest height and width among them (the
    training crops are smaller still)."""
    h, w = min(v.shape[-2] for v in views), min(v.shape[-1] for v in views)
    return [v[..., (v.shape[-2] - h) // 2:(v.shape[-2] - h) // 2 + h, (v.shape[-1] - w) // 2:(v.shape[-1] - w) // 2 + w]
            for v in views]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="train.py old-print", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    for f in fields(PrintTrainConfig):
        p.add_argument("--" + f.name.replace("_", "-"), type=type(f.default), default=f.default)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    print(train(PrintTrainConfig(**vars(args))))
    return 0
