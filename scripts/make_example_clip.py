"""The example clip (examples/film.mp4): a short black-and-white "film" made from the project's own example
photos (scikit-image's, free to redistribute: examples/README.md), with the motions a film has: a pan across
the astronaut, a cut, a slow zoom into the cat, a cut, a tilt over the coffee; light film grain.

    python scripts/make_example_clip.py [-o examples/film.mp4]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from colorizer.video.stream import write_video  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
W, H, FPS = 640, 360, 24


def shot(photo: str, frames: int, box0: tuple, box1: tuple, seed: int):
    """Frames of one shot: the window (x, y, w, h, in the photo's pixels) moving from box0 to box1, in gray,
    with grain that changes every frame as film's does."""
    img = Image.open(ROOT / "examples" / photo).convert("L")
    rng = np.random.default_rng(seed)
    for i in range(frames):
        t = i / max(1, frames - 1)
        x, y, w, h = (a + (b - a) * t for a, b in zip(box0, box1))
        frame = np.asarray(img.resize((W, H), Image.BICUBIC, box=(x, y, x + w, y + h)), dtype=np.float32)
        frame += rng.normal(0, 3, frame.shape)
        yield frame.clip(0, 255).astype(np.uint8)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-o", "--output", default=str(ROOT / "examples" / "film.mp4"))
    args = ap.parse_args()
    frames = [*shot("astronaut.jpg", 36, (0, 60, 400, 225), (112, 60, 400, 225), 1),
              *shot("chelsea.jpg", 36, (0, 0, 451, 254), (90, 40, 270, 152), 2),
              *shot("coffee.jpg", 30, (0, 0, 600, 338), (0, 62, 600, 338), 3)]
    n = write_video(frames, args.output, FPS, crf=26)  # small enough to ship
    print(f"wrote {args.output}: {n} frames, {n / FPS:.1f} s at {W}x{H}")


if __name__ == "__main__":
    main()
