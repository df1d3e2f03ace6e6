"""Before / after on old-print-like photos: each color photo aged as `evaluate --aged` ages it (the same
seeded colorizer.evaluation.aging of the same file), colorized by two checkpoints through the same Colorizer the app
uses, beside the original (--clean: the photo's own L, not aged). Photos that are already gray (real old
prints) get no original column.

    python scripts/make_old_photo_figure.py --before v2.safetensors --after effnet-unet \\
        --root DIR PHOTO [PHOTO ...] -o docs/images/old-photos.jpg

PHOTO paths are taken under --root (their path under it seeds the aging, as in `evaluate --aged DIR`), so a
photo of val-ood shows here exactly what the aged table scored. --crop X,Y,W,H (fractions) per photo, in
order, picks the region worth looking at ("-" for the whole photo).

Photos as users bring them: --keep-aspect keeps each photo's aspect ratio (as `evaluate --keep-aspect`),
--frame TONE sets the input (and the original) on a scanned print's frame of that gray tone, and
--before-legacy-input gives the before column the input handling of the releases before 2026-11-24 (the
working shape off the network's grid of 16, a frame colorized with the photo):

    python scripts/make_old_photo_figure.py --before effnet-unet --before-legacy-input --keep-aspect \
        --root DIR PHOTO [PHOTO ...] -o docs/images/photo-shapes.jpg

--before-restore / --after-restore (on, off; default: as each checkpoint's release chose) compare the same
checkpoint with and without its tone restored first (colorizer.restore):

    python scripts/make_old_photo_figure.py --before effnet-unet --before-restore off --after-restore on \
        --root DIR PHOTO [PHOTO ...] -o docs/images/tone-restoration.jpg
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

import colorizer.decoding as decoding  # noqa: E402
from colorizer import Colorizer  # noqa: E402
from colorizer.evaluation.aging import age_photo, seeded_generator  # noqa: E402
from colorizer.evaluation.evaluate import squash  # noqa: E402
from colorizer.imageio import load_image  # noqa: E402
from colorizer.join import join  # noqa: E402
from colorizer.evaluation.figures import grid  # noqa: E402


def crop(img: Image.Image, box: str) -> Image.Image:
    if box == "-":
        return img
    x, y, w, h = (float(v) for v in box.split(","))
    W, H = img.size
    return img.crop((round(x * W), round(y * H), round((x + w) * W), round((y + h) * H)))


def on_frame(rgb: np.ndarray, tone: int, seed: int) -> np.ndarray:
    """rgb on a noisy paper-like frame of one gray tone, 6% of the short side wide."""
    h, w = rgb.shape[:2]
    b = max(2, round(0.06 * min(h, w)))
    paper = np.random.default_rng(seed).normal(tone, 2.5, (h + 2 * b, w + 2 * b))
    out = np.repeat(np.clip(paper, 0, 255).astype(np.uint8)[..., None], 3, axis=2)
    out[b:b + h, b:b + w] = rgb
    return out


def legacy_input(c: Colorizer, given: np.ndarray) -> np.ndarray:
    """c's colorization with the input handling of releases before 2026-11-24."""
    multiple, decoding.SHAPE_MULTIPLE, c.find_frames = decoding.SHAPE_MULTIPLE, 1, False
    try:
        return c.colorize_arrays([given])[0]
    finally:
        decoding.SHAPE_MULTIPLE, c.find_frames = multiple, True


def padded(img: Image.Image, aspect: float) -> Image.Image:
    """img centred on white at width / height = aspect (the grid scales every tile to one shape)."""
    w, h = img.size
    W, H = max(w, round(h * aspect)), max(h, round(w / aspect))
    out = Image.new("RGB", (W, H), "white")
    out.paste(img, ((W - w) // 2, (H - h) // 2))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("photos", nargs="+")
    ap.add_argument("--root", default=".", help="the folder the photo paths are under (seeds the aging)")
    ap.add_argument("--before", required=True, help="checkpoint name or path")
    ap.add_argument("--after", default=None, help="default: the flagship")
    ap.add_argument("--before-label", default=None)
    ap.add_argument("--after-label", default=None)
    ap.add_argument("--crop", nargs="*", default=[], help="X,Y,W,H fractions per photo, '-' for none")
    ap.add_argument("--size", type=int, default=256, help="evaluation size (squash), as in evaluate")
    ap.add_argument("--clean", action="store_true", help="give the models each photo's own L, not its aging")
    ap.add_argument("--keep-aspect", action="store_true", help="each photo at its own aspect ratio")
    ap.add_argument("--frame", type=int, default=None, help="set each input on a scan's frame of this gray tone")
    ap.add_argument("--before-legacy-input", action="store_true",
                    help="the before column with the input handling of releases before 2026-11-24")
    for side in ("before", "after"):
        ap.add_argument(f"--{side}-restore", choices=("on", "off"), default=None,
                        help=f"the {side} column with (on) or without (off) tone restoration")
    ap.add_argument("-o", "--output", default="old-photos.jpg")
    args = ap.parse_args()
    root = Path(args.root)
    flag = {None: None, "on": True, "off": False}
    before = Colorizer.load(args.before, restore=flag[args.before_restore])
    after = Colorizer.load(args.after, restore=flag[args.after_restore])
    run_before = (lambda g: legacy_input(before, g)) if args.before_legacy_input else (lambda g: before.colorize_arrays([g])[0])
    boxes = args.crop + ["-"] * (len(args.photos) - len(args.crop))
    rows = []
    for i, (photo, box) in enumerate(zip(args.photos, boxes)):
        loaded = load_image(root / photo)
        truth, colored = squash(loaded.rgb, args.size, args.keep_aspect), loaded.is_color   # as `evaluate` sees it
        given = (age_photo(truth, seeded_generator("evaluate-aged", Path(photo).as_posix()))
                 if colored and not args.clean else truth)   # what both models are given
        if args.frame is not None:
            given, truth = on_frame(given, args.frame, i), on_frame(truth, args.frame, i)
        shown = join(given, np.zeros((2, 1, 1), np.float32))  # what the models see: its L, no color
        tiles = [shown, run_before(given)[..., :3], after.colorize_arrays([given])[0][..., :3]]
        tiles += [truth] if colored else [np.full_like(truth, 255)]
        rows.append([crop(Image.fromarray(t), box) for t in tiles])
    if args.keep_aspect:
        rows = [[padded(t, 4 / 3) for t in row] for row in rows]
    captions = ["input" if args.clean else "aged input", args.before_label or f"before\n{before.name}",
                args.after_label or f"after\n{after.name}", "original"]
    grid(rows, captions, tile=180).save(args.output, quality=90)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
