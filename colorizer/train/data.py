"""Training data: any folder of color images, read safely, cropped and flipped as uint8; the split into
training and validation files, the crop-size schedule, and the resumable sampler and loader.

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

from ..errors import ColorizerError
from ..imageio import find_images, load_image, with_min_side

log = logging.getLogger("colorizer.train.data")


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


def split_files(data: str, val_data: str | None, val_split: float, seed: int,
                min_side: int = 0) -> tuple[list[Path], list[Path]]:
    """(training files, validation files): val_data's when given, else a seeded share of data's. With
    min_side, the training files are only those stored with a short side of at least min_side pixels."""
    files = find_images(data)
    if not files:
        raise ColorizerError(f"{data}: no images found")
    if val_data:
        train, val = files, find_images(val_data)
    else:
        rng = random.Random(seed)
        shuffled = files[:]
        rng.shuffle(shuffled)
        k = max(1, int(len(files) * val_split))
        train, val = sorted(shuffled[k:]), sorted(shuffled[:k])
    kept = with_min_side(train, min_side)
    if not kept:
        raise ColorizerError(f"{data}: no training photo has a short side of {min_side} px or more")
    if len(kept) < len(train):
        log.info("training on %d of %d photos: those with a short side of at least %d px", len(kept), len(train),
                 min_side)
    return kept, val


def _source(f: Path, root: Path) -> str:
    """The top-level folder of a file under root (its source), "" for a loose file."""
    try:
        parts = Path(f).relative_to(root).parts
    except ValueError:
        return ""
    return parts[0] if len(parts) > 1 else ""


def _source_numbers(spec: str, flag: str) -> dict[str, float]:
    """"historical:8,faces:2" -> {"historical": 8.0, "faces": 2.0}."""
    out = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, _, value = part.partition(":")
        try:
            out[name] = float(value)
        except ValueError:
            raise ColorizerError(f"{flag}: {part!r} is not SOURCE:NUMBER (e.g. historical:8)") from None
        if out[name] <= 0:
            raise ColorizerError(f"{flag}: {part!r} needs a number above 0")
    return out


def _natural(f: Path) -> list:
    """Sort key that puts img9 before img10: plate and frame numbers run in files' names."""
    import re
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", Path(f).name)]


def oversample(files: list[Path], root: str | Path, spec: str) -> list[Path]:
    """Each file of a named source repeated k times ("historical:8"): a small source counts in the mix without
    changing the others. A fraction of a repeat is drawn per file, seeded by its name."""
    counts = _source_numbers(spec, "--oversample")
    if not counts:
        return files
    import zlib
    out = []
    for f in files:
        k = counts.get(_source(f, Path(root)), 1.0)
        extra = (zlib.crc32(Path(f).name.encode()) % 1000) / 1000 < k - int(k)
        out += [f] * (int(k) + int(extra))
    return out


HOLDOUT_BLOCK = 20  # consecutive files of a source, as its photos of one place sit together (plate numbers)


def hold_out(files: list[Path], root: str | Path, spec: str) -> tuple[list[Path], list[Path]]:
    """(kept, held out): of each named source ("historical:5"), every 5th block of HOLDOUT_BLOCK files in
    natural name order leaves training. Whole blocks, so a place held out is unseen, as the unseen-kinds
    yardstick is: what the run is judged on while it trains, never a set it tunes or ships on."""
    every = {k: int(v) for k, v in _source_numbers(spec, "--holdout").items()}
    if not every:
        return files, []
    held = set()
    for source, k in every.items():
        mine = sorted((f for f in files if _source(f, Path(root)) == source), key=_natural)
        if not mine:
            raise ColorizerError(f"--holdout: no training photos under {Path(root) / source}")
        held |= {f for i, f in enumerate(mine) if (i // HOLDOUT_BLOCK) % k == k - 1}
    return [f for f in files if f not in held], sorted(held, key=_natural)


def parse_size_schedule(spec: str, final: int) -> list[tuple[float, int]]:
    """"96:0.3,112:0.6" -> [(0.3, 96), (0.6, 112), (1.0, final)]: crop size until each fraction of the run."""
    plan = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        try:
            size, until = part.split(":")
            plan.append((float(until), int(size)))
        except ValueError:
            raise ColorizerError(f"--size-schedule: {part!r} is not SIZE:FRACTION (e.g. 96:0.5)") from None
    if any(not 0 < f < 1 for f, _ in plan) or [f for f, _ in plan] != sorted(f for f, _ in plan):
        raise ColorizerError(f"--size-schedule {spec!r}: fractions must rise and lie between 0 and 1")
    return plan + [(1.0, final)]


def crop_size_at(plan: list[tuple[float, int]], progress: float) -> int:
    return next(size for until, size in plan if progress < until or until >= 1.0)


def training_loader(dataset: ImageFolderDataset, sampler: ResumableSampler, batch_size: int, workers: int,
                    world: int, pin_memory: bool):
    """A loader over the sampler's remaining positions. Made anew at each epoch and crop size: its workers
    hold a copy of the dataset, crop size included."""
    from torch.utils.data import DataLoader
    kwargs = dict(batch_size=batch_size, num_workers=workers, collate_fn=collate, pin_memory=pin_memory,
                  drop_last=len(dataset) >= batch_size * world)  # one batch shape
    if workers > 0:
        kwargs.update(persistent_workers=False, prefetch_factor=4)
    return DataLoader(dataset, sampler=sampler, **kwargs)
