"""A leave-kinds-out split of the training data: a yardstick for generalization that is not val-ood.

`val` is the training mix, so a recipe that learns the training kinds' palettes better wins there and may lose
on kinds it never saw (v2.1 and v3 did: docs/experiments.md). val-ood measures that but must not choose
anything. This builds, from `train/` alone, two folders of symbolic links (nothing is copied):

  OUT/train/    train/ without the held-out classes
  OUT/heldout/  the held-out classes' photos: kinds the runs trained on OUT/train never see

The held-out classes stand for what users bring and the training mix has little of: roads and vehicles,
shops and clothes, food, rooms, sports grounds. Recipes compared on OUT/heldout (trained on OUT/train) and on
`val` side by side show which choices carry over to unseen kinds.

    python experiments/heldout_kinds.py ../shared/data/train /tmp/lko
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

HELD_OUT = {
    "places": ["highway", "parking_lot", "gas_station", "driveway", "clothing_store", "beauty_salon", "bakery",
               "food_court", "coffee_shop", "restaurant", "living_room", "bedroom", "dining_room", "stadium",
               "baseball_field", "track", "supermarket", "market"],
    "intel-scenes": ["street"],
    "sun-scenes": ["campus", "football_field"],
    "caltech101": ["Motorbikes", "airplanes"],
}


def build(train: Path, out: Path) -> dict[str, int]:
    counts = {"train": 0, "heldout": 0}
    for src in sorted(p for p in train.iterdir() if p.is_dir()):
        for cls in sorted(p for p in src.iterdir() if p.is_dir()):
            split = "heldout" if cls.name in HELD_OUT.get(src.name, []) else "train"
            dest = out / split / src.name / cls.name
            dest.mkdir(parents=True, exist_ok=True)
            for f in sorted(cls.iterdir()):
                link = dest / f.name
                if not link.exists():
                    os.symlink(f.resolve(), link)
                counts[split] += 1
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("train", type=Path, help="the training split (not val-ood)")
    ap.add_argument("out", type=Path, help="where the two folders of links go (outside the repository)")
    a = ap.parse_args()
    missing = [f"{s}/{c}" for s, cs in HELD_OUT.items() for c in cs if not (a.train / s / c).is_dir()]
    if missing:
        raise SystemExit(f"heldout_kinds: not in {a.train}: {', '.join(missing)}")
    print(build(a.train, a.out))


if __name__ == "__main__":
    main()
