"""Training data: any folder of color images, read safely, cropped and flipped as uint8.

Color conversion does NOT happen here: batches stay uint8 RGB and are converted to Lab on the
training device in one batched call (colorizer.color), which is what makes the loop fast.
"""
from __future__ import annotations

import logging
import math
import random
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch.utils.data import Dataset, Sampler

from .errors import ColorizerError
from .imageio import find_images, load_image

log = logging.getLogger("colorizer.data")


class ImageFolderDataset(Dataset):
    """Recursive image folder. Labels are the parent folder relative to the root ("source/class")."""

    def __init__(self, root: str | Path, size: int, train: bool = True, files: list[Path] | None = None,
                 classes: list[str] | None = None, scale: tuple[float, float] = (1.0, 1.5)):
        self.root = Path(root)
        self.files = list(files) if files is not None else find_images(self.root)
        if not self.files:
            raise ColorizerError(f"{root}: no images found (looked for jpg, png, webp, bmp, tif)")
        self.size, self.train, self.scale = size, train, scale
        names = [self._label_name(f) for f in self.files]
        self.classes = classes if classes is not None else sorted(set(names))
        index = {c: i for i, c in enumerate(self.classes)}
        self.labels = [index.get(n, -1) for n in names]
        self._bad: set[Path] = set()

    def _label_name(self, f: Path) -> str:
        try:
            return str(f.parent.relative_to(self.root))
        except ValueError:
            return f.parent.name

    def __len__(self) -> int:
        return len(self.files)

    def _crop(self, img: Image.Image) -> Image.Image:
        """Scale so the short side is size x U(scale), take a random size x size window, maybe flip.

        The window is cut from the source (`resize(box=...)`) so only size^2 output pixels are
        resampled, not the whole rescaled photo: 3-4x less work in the loader at 128 px."""
        s = self.size
        w, h = img.size
        if self.train:
            k = max(s * random.uniform(*self.scale), s) / min(w, h)
        else:
            k = s / min(w, h)
        nw, nh = max(s, round(w * k)), max(s, round(h * k))
        if self.train:
            x, y = random.randint(0, nw - s), random.randint(0, nh - s)
        else:
            x, y = (nw - s) // 2, (nh - s) // 2
        kx, ky = nw / w, nh / h
        img = img.resize((s, s), Image.BILINEAR, box=(x / kx, y / ky, (x + s) / kx, (y + s) / ky), reducing_gap=2.0)
        if self.train and random.random() < 0.5:
            img = img.transpose(Image.FLIP_LEFT_RIGHT)
        return img

    def __getitem__(self, i: int):
        path = self.files[i]
        try:
            rgb = load_image(path).rgb
        except ColorizerError as exc:
            if path not in self._bad:  # log each bad file once per worker, then skip it
                self._bad.add(path)
                log.warning("skipping unreadable training file: %s", exc)
            return None
        arr = np.asarray(self._crop(Image.fromarray(rgb)))
        return torch.from_numpy(arr.copy()).permute(2, 0, 1), self.labels[i]


def collate(items):
    """Drop unreadable files (None); stack the rest. Returns (uint8 (B,3,S,S), labels (B,)) or None."""
    items = [x for x in items if x is not None]
    if not items:
        return None
    return torch.stack([x[0] for x in items]), torch.tensor([x[1] for x in items], dtype=torch.long)


class ResumableSampler(Sampler[int]):
    """A seeded per-epoch permutation, sharded across ranks, that can start mid-epoch.

    Replaces DistributedSampler so a resumed run sees exactly the samples it had not seen yet.
    """

    def __init__(self, n: int, seed: int = 0, rank: int = 0, world: int = 1, shuffle: bool = True):
        self.n, self.seed, self.rank, self.world, self.shuffle = n, seed, rank, world, shuffle
        self.per_rank = math.ceil(n / world)
        self.epoch, self.start = 0, 0

    def set_position(self, epoch: int, start: int) -> None:
        self.epoch, self.start = epoch, start

    def __iter__(self):
        if self.shuffle:
            g = torch.Generator().manual_seed(self.seed + self.epoch)
            order = torch.randperm(self.n, generator=g).tolist()
        else:
            order = list(range(self.n))
        order += order[: self.per_rank * self.world - self.n]  # pad so every rank has the same count
        mine = order[self.rank:: self.world]
        return iter(mine[self.start:])

    def __len__(self) -> int:
        return self.per_rank - self.start
