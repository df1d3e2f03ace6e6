"""Training the learned fill of colorizer.repair.fill (`python train.py inpaint`).

The photos are the repair detector's (colorizer.train.repair.training_files: no historical plates), shrunk or
enlarged to a short side between `crop` and `max_side` and cut to a random crop, their lightness aged as a scan
half of the time. The holes are the real crack shapes of repair/cracks/train at a width of 3 to 16 px (at most
the mask's own: the damage of a print that Telea smears), with flakes beside them, grown by a pixel as the repair grows its map.
Loss: L1 inside the hole (what is filled), plus a tenth of it on the hole's one-pixel rim of the output's gradient,
so the fill meets its surroundings without a seam. The figure that matters, the fill's PSNR inside the mask by the
damage's width against Telea's, is benchmarks/repair.py's. It runs in stretches (state_dir), as the detector does.

With --refine (fill v4 on) the network is a RefineNet (colorizer.repair.refine) that corrects the relaxed fill
(colorizer.repair.fill_defects, as the repair makes it) read at half scale, on cracked prints; its loss is the squared
error inside the hole, the damage 5 px wide or more weighted three times (PSNR is what the benchmark reads). A print
takes about ten times as long to render as a step takes, so --pool prints are rendered once, seeded, and every step
draws its batch from them.

    python train.py inpaint --cracks ../shared/data/repair/cracks --state-dir recipes/fill-v1 --out runs/fill-v1.safetensors
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
from torch.utils.data import DataLoader

from ..checkpoints import load_checkpoint
from ..color import photo_l
from ..evaluation.aging import age_one, seeded_generator
from ..evaluation.defects import SCAN_ONLY, _crack_cover, _discs, _u, crack_shapes, cracked_print
from ..repair.detect import fill_defects
from ..repair.fill import FillNet, _build, local_width, save_fill
from ..repair.refine import RefineNet, build as refine_build, depth_of, refined
from .repair import PhotoSet, training_files
from .stretches import Stretches

log = logging.getLogger("colorizer.fill")


@dataclass
class FillTrainConfig:
    data: str = "../shared/data/train"
    cracks: str = "../shared/data/repair/cracks"
    out: str = "runs/fill.safetensors"
    state_dir: str = ""
    steps: int = 1500
    batch_size: int = 16
    crop: int = 96
    max_side: int = 512
    width: int = 16
    lr: float = 2e-3
    hole_width: tuple = (3.0, 16.0)  # px, at most each mask's own width (its wide, spalled parts stay wide)
    residual: bool = False  # the network corrects Telea's fill (FillNet's residual) instead of painting the hole
    prints: bool = False    # the holes are a cracked print's damage as the benchmark renders it (cracked_print: the
                            # paper's white, its darker rim, the scan's blur and grain), the truth its undamaged scan
    refine: bool = False    # a RefineNet correcting the relaxed fill at half scale (fill v4 on); implies prints
    pool: int = 0           # with refine: prints rendered once and drawn from at every step (0: the batch's own)
    init_from: str = ""     # start from this fill's weights (same width and kind) with a fresh schedule
    checkpoint_every: int = 100
    seed: int = 0
    threads: int = 2
    workers: int = 1


class HoleSet(PhotoSet):
    """(L in [0, 1], hole mask) of a photo cut at random, the hole a real crack shape at a random width."""

    def __getitem__(self, i: int):
        cfg = self.cfg
        g = seeded_generator("fill", self.epoch_seed, i)
        img = self.photo(i)
        if img is None:
            return None
        own = min(img.size)
        side = int(_u(g, cfg.crop, max(cfg.crop + 1, min(cfg.max_side, 2 * own))))
        k = side / own
        img = img.resize((max(cfg.crop, round(img.width * k)), max(cfg.crop, round(img.height * k))),
                         Image.BICUBIC if k > 1 else Image.BOX)
        y, x = int(_u(g, 0, img.height - cfg.crop + 1)), int(_u(g, 0, img.width - cfg.crop + 1))
        lum = photo_l(np.asarray(img)[y:y + cfg.crop, x:x + cfg.crop])
        if cfg.prints or cfg.refine:
            return self._print(lum, g)
        if _u(g) < 0.5:
            lum = age_one(lum, g, SCAN_ONLY)[0]
        shapes = crack_shapes(str(Path(cfg.cracks) / "train"))
        cover = torch.zeros(cfg.crop, cfg.crop)
        for _ in range(int(_u(g, 1, 2.5))):
            shape = shapes[int(torch.randint(len(shapes), (), generator=g))]
            cover = torch.maximum(cover, _crack_cover(shape, g, cfg.crop, cfg.crop, width=_u(g, *cfg.hole_width)))
        yy, xx = torch.meshgrid(torch.arange(cfg.crop) + 0.5, torch.arange(cfg.crop) + 0.5, indexing="ij")
        for _ in range(int(_u(g, 0, 3))):  # flakes: patches of emulsion lost, 3 to 14 px across
            c = torch.rand(1, 2, generator=g) * cfg.crop + torch.randn(int(_u(g, 1, 4)), 2, generator=g) * _u(g, 1, 3)
            cover = torch.maximum(cover, _discs(yy, xx, c, _u(g, 1.5, 6) * torch.rand(len(c), generator=g) + 1.5, 1.0))
        hole = F.max_pool2d((cover >= 0.5).float()[None, None], 3, 1, 1)[0]  # grown by a pixel, as the repair grows it
        l01 = (lum / 100)[None].float()
        if not cfg.residual:
            return l01, hole, l01
        return l01, hole, _telea(lum, hole)

    def _print(self, lum: torch.Tensor, g: torch.Generator):
        """The crop made a cracked print (the benchmark's rendering with the training shapes): (its undamaged scan,
        the mask grown by a pixel as the repair grows it, Telea's fill of the damaged scan)."""
        damaged, mask, clean = cracked_print(lum, g, crack_shapes(str(Path(self.cfg.cracks) / "train")))
        hole = F.max_pool2d(mask.float()[None, None], 3, 1, 1)[0]
        if not self.cfg.refine:
            return (clean / 100)[None].float(), hole, _telea(damaged, hole)
        relaxed = fill_defects(damaged.numpy().astype(np.float32), mask.numpy())  # grown as `hole` at this size
        weight = hole * (1 + 2 * torch.from_numpy(local_width(mask.numpy()) >= WIDE_WEIGHTED)[None].float())
        depth = torch.from_numpy(depth_of(hole[0].numpy() > 0, tuple(hole.shape[-2:])))[None]
        return (clean / 100)[None].float(), hole, torch.from_numpy(relaxed / 100)[None].float(), depth, weight


def _telea(lum: torch.Tensor, hole: torch.Tensor) -> torch.Tensor:
    """Telea's fill as colorizer.repair.Repairer.fill makes it (radius 3 at the sizes of a scan), in [0, 1]. On L in
    [0, 100]: OpenCV's float Telea is wrong on a plane in [0, 1] (its fill leaves the range)."""
    import cv2
    telea = cv2.inpaint(np.ascontiguousarray(lum.numpy(), dtype=np.float32), hole[0].numpy().astype(np.uint8), 3,
                        cv2.INPAINT_TELEA)
    return torch.from_numpy(telea / 100)[None].float()


def _collate(batch):
    batch = [b for b in batch if b is not None]
    return tuple(torch.stack(t) for t in zip(*batch)) if batch else None


WIDE_WEIGHTED = 5.0  # px: damage this wide weighs three times in the refining loss (the relaxed fill's worst)


def _batches(cfg: FillTrainConfig, files: list, epoch: int):
    """Batches without end: each epoch's loader afresh, or (--pool) batches drawn from `pool` prints rendered once."""
    def loader(seed: int, shuffle: bool = True):
        return DataLoader(HoleSet(files, cfg, seed), batch_size=cfg.batch_size, shuffle=shuffle, num_workers=cfg.workers,
                          collate_fn=_collate, generator=torch.Generator().manual_seed(seed))
    if not (cfg.refine and cfg.pool):
        while True:
            yield from (b for b in loader(cfg.seed * 1000 + epoch) if b is not None)
            epoch += 1
    pool, k = [], 0
    while sum(len(b[0]) for b in pool) < cfg.pool:
        for b in loader(cfg.seed * 1000 + k):
            pool += [b] if b is not None else []
            if sum(len(b[0]) for b in pool) >= cfg.pool:
                break
        k += 1
    pool = [torch.cat(t)[:cfg.pool] for t in zip(*pool)]
    log.info("%d prints rendered", len(pool[0]))
    g = torch.Generator().manual_seed(cfg.seed)
    while True:
        idx = torch.randint(len(pool[0]), (cfg.batch_size,), generator=g)
        yield tuple(t[idx] for t in pool)


def refine_loss(net, batch) -> torch.Tensor:
    """The squared error of the corrected fill (read at half scale, as the repair reads a 384 px print) inside the hole."""
    clean, hole, relaxed, depth, weight = batch
    pred = refined(net, relaxed, hole, depth)
    return (((pred - clean) ** 2) * weight).sum() / weight.sum().clamp(min=1)


def loss_fn(pred: torch.Tensor, truth: torch.Tensor, hole: torch.Tensor) -> torch.Tensor:
    inside = ((pred - truth).abs() * hole).sum() / hole.sum().clamp(min=1)
    gy = lambda t: t[..., 1:, :] - t[..., :-1, :]  # noqa: E731
    gx = lambda t: t[..., :, 1:] - t[..., :, :-1]  # noqa: E731
    near = F.max_pool2d(hole, 3, 1, 1)
    edges = ((gy(pred) - gy(truth)).abs() * near[..., 1:, :]).mean() + ((gx(pred) - gx(truth)).abs() * near[..., :, 1:]).mean()
    return inside + 0.1 * edges


def train(cfg: FillTrainConfig) -> dict:
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    files = training_files(cfg.data, cfg.crop)
    net = RefineNet(cfg.width) if cfg.refine else FillNet(cfg.width, cfg.residual)
    build = refine_build if cfg.refine else _build
    opt = torch.optim.AdamW(net.parameters(), lr=cfg.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, cfg.lr, total_steps=cfg.steps, pct_start=0.05)
    stretch = Stretches(Path(cfg.state_dir) if cfg.state_dir else None, cfg.steps, cfg.checkpoint_every, log)
    if cfg.init_from:
        net.load_state_dict(load_checkpoint(cfg.init_from, build=build)[0].state_dict())
    stretch.resume(net, sched, build)
    log.info("%d training photos, %d steps of %d", len(files), cfg.steps, cfg.batch_size)
    epoch = stretch.step // max(1, len(files) // cfg.batch_size)
    for batch in _batches(cfg, files, epoch):
        if stretch.done:
            break
        net.train()
        if cfg.refine:
            loss = refine_loss(net, batch)
        else:
            lum, hole, start = batch  # start: the photo (the hole is zeroed inside), or Telea's fill of it
            loss = loss_fn(net(start, hole), lum, hole)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if stretch.after(loss.item(), net, save_fill, {"kind": "fill", "training": asdict(cfg)}):
            break
    meta = {"kind": "fill", "training": asdict(cfg), "history": stretch.history, "date": datetime.date.today().isoformat()}
    save_fill(cfg.out, net.eval(), meta)
    return {"out": cfg.out, "steps": stretch.step, "loss": stretch.history[-1]["loss"] if stretch.history else None}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="train.py inpaint", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for f in fields(FillTrainConfig):
        if isinstance(f.default, bool):
            p.add_argument("--" + f.name.replace("_", "-"), action="store_true")
            continue
        kind = float if isinstance(f.default, tuple) else type(f.default)
        p.add_argument("--" + f.name.replace("_", "-"), type=kind, default=f.default, nargs=2 if isinstance(f.default, tuple) else None)
    args = vars(p.parse_args(argv))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    cfg = FillTrainConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in args.items()})
    print(json.dumps(train(cfg)))
    return 0
