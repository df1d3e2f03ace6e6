"""Video: steadiness, quality, cuts and speed, on clips whose every frame's truth is known.

Clips are made from color photos (val-ood by default: kinds training never saw) moved by known affine motions:
  pan      the window slides 2 px a frame
  zoom     the window closes in by 1% a frame
  noisy    a pan with sensor noise (sigma 6 of 255) and the exposure changing frame to frame (gain 0.9-1.1)
  aged     a pan whose every frame is aged like a scanned print (colorizer.evaluation.aging, a new seed each frame: grain,
           dust and scratches that change from frame to frame, as film's do)
  cut      12 frames of one photo's pan, then 12 of another's
Each clip is colorized frame by frame (the still-photo path) and with the temporal carry (ours), and scored:
  flicker  mean |delta ab| (CIELAB) between consecutive frames after undoing the known motion (frame t warped
           onto frame t-1), on the pixels both frames see; the truth's own is the floor (interpolation only)
  quality  per-frame PSNR and CIEDE2000 against the clean truth frame
  cuts     on the cut clips, mean |delta ab| between ours on the frames after the cut and ours on a clip that
           begins there: 0 when nothing of the first shot leaks into the second
Speed: frames per second end to end (decode, colorize, encode to H.264 MP4, as `colorize_video` does) on 48-frame
clips at 640x360 and 1280x720.

    python benchmarks/video.py --data ../shared/data/val-ood --photos 30
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from dataclasses import replace  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

from colorizer import Colorizer  # noqa: E402

from colorizer.evaluation import aging  # noqa: E402
from colorizer.color import srgb_u8_to_l  # noqa: E402
from colorizer.evaluation.evaluate import evenly_spaced  # noqa: E402
from colorizer.imageio import find_images, load_image  # noqa: E402
from colorizer.join import join  # noqa: E402
from colorizer.evaluation.metrics import ciede2000, psnr, to_lab  # noqa: E402
from colorizer.video.temporal import TemporalSettings  # noqa: E402
from colorizer.video.stream import _colorized, write_video  # noqa: E402

W, H, N = 192, 144, 24


def affine(scale: float, tx: float, ty: float) -> np.ndarray:
    return np.array([[scale, 0, tx], [0, scale, ty]], np.float64)


def motions(kind: str, photo_shape) -> list[np.ndarray]:
    """Per frame, the affine map from photo pixels to frame pixels."""
    h, w = photo_shape[:2]
    if kind == "zoom":
        out = []
        for t in range(N):
            s = (W / (w * 0.8)) * (1.01 ** t)
            out.append(affine(s, W / 2 - s * w / 2, H / 2 - s * h / 2))
        return out
    s = max(W / (w - 2 * N - 4), H / h)  # room for the pan
    return [affine(s, -s * (2 + 2 * t / s), H / 2 - s * h / 2) for t in range(N)]


def render(photo: np.ndarray, maps: list[np.ndarray]) -> list[np.ndarray]:
    return [cv2.warpAffine(photo, m, (W, H), flags=cv2.INTER_AREA if m[0, 0] < 1 else cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_REFLECT) for m in maps]


SHOT_EFFECTS = ("fade", "illumination", "blur", "halftone", "jpeg")  # one print: the same all through a shot
FRAME_EFFECTS = ("grain", "scratches", "dust", "cracks")               # new in every frame, as film's are


def degrade(frames: list[np.ndarray], kind: str, seed: int) -> list[np.ndarray]:
    """What the colorizer is given: each truth frame's own CIELAB L as a gray frame (so the result's L is the
    truth's), noisy and exposed, or aged, for those kinds."""
    rng = np.random.default_rng(seed)
    shot = aging.AgingConfig(**{e: replace(getattr(aging.DEFAULT, e), p=0.0) for e in FRAME_EFFECTS})
    frame_only = aging.AgingConfig(**{e: replace(getattr(aging.DEFAULT, e), p=0.0) for e in SHOT_EFFECTS})
    out = []
    for i, f in enumerate(frames):
        gray = join(f, np.zeros((2, 1, 1), np.float32))[..., 0]
        if kind == "aged":
            lum = srgb_u8_to_l(torch.from_numpy(np.repeat(gray[None], 3, 0)))[0]
            lum = aging.age_one(lum, aging.seeded_generator("video", seed), shot)[0]
            lum = aging.age_one(lum, aging.seeded_generator("video", seed, i), frame_only)[0]
            gray = aging.gray_photo(lum)[..., 0]
        elif kind == "noisy":
            gray = (gray * rng.uniform(0.9, 1.1) + rng.normal(0, 6, gray.shape)).clip(0, 255).astype(np.uint8)
        out.append(gray)
    return out



def flicker(frames: list[np.ndarray], maps: list[np.ndarray]) -> float:
    vals = []
    for t in range(1, len(frames)):
        prev, cur = np.vstack([maps[t - 1], [0, 0, 1]]), np.vstack([maps[t], [0, 0, 1]])
        m = (prev @ np.linalg.inv(cur))[:2]  # frame t -> frame t-1
        ab = to_lab(frames[t])[..., 1:].astype(np.float32)
        moved = cv2.warpAffine(ab, m, (W, H), flags=cv2.INTER_LINEAR)
        valid = cv2.warpAffine(np.ones((H, W), np.uint8), m, (W, H), flags=cv2.INTER_NEAREST)
        valid = cv2.erode(valid, np.ones((5, 5), np.uint8)) > 0
        diff = np.linalg.norm(moved - to_lab(frames[t - 1])[..., 1:], axis=-1)
        vals.append(float(diff[valid].mean()))
    return float(np.mean(vals))


def colorize(c: Colorizer, frames: list[np.ndarray], steady: bool) -> list[np.ndarray]:
    return [out for _, out in _colorized(c, iter(frames), None, None, TemporalSettings() if steady else None)]


def quality(preds, truth) -> tuple[float, float]:
    return (float(np.mean([psnr(p, t) for p, t in zip(preds, truth)])),
            float(np.mean([ciede2000(p, t) for p, t in zip(preds, truth)])))


def speed(c: Colorizer, photo: Path, w: int, h: int, frames: int = 48) -> float:
    img = np.asarray(Image.open(photo).convert("L"))
    big = cv2.resize(img, (w + 2 * frames, h), interpolation=cv2.INTER_CUBIC)
    folder = Path(tempfile.mkdtemp())
    src = folder / "in.mp4"
    write_video([big[:, 2 * i: 2 * i + w] for i in range(frames)], src, 24)
    c.colorize_video(src, folder / "warm.mp4", end=0.2)  # first-call costs (ONNX load, numba) out of the timing
    t0 = time.perf_counter()
    c.colorize_video(src, folder / "out.mp4")
    return frames / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="../shared/data/val-ood")
    ap.add_argument("--photos", type=int, default=30)
    ap.add_argument("--checkpoint", default=None)
    ap.add_argument("--kinds", default="pan,zoom,noisy,aged,cut")
    ap.add_argument("--no-speed", dest="speed", action="store_false")
    args = ap.parse_args()
    c = Colorizer.load(args.checkpoint)
    files = evenly_spaced(find_images(args.data), args.photos)
    photos = [load_image(f).rgb for f in files]
    print(f"{len(photos)} photos from {args.data}, {N}-frame clips at {W}x{H}, checkpoint {c.name}")
    print(f"{'clip':<8}{'flicker truth':>14}{'per-frame':>11}{'ours':>8}{'ratio':>8}"
          f"{'PSNR frame':>12}{'ours':>8}{'CIEDE frame':>13}{'ours':>8}{'cut leak':>10}")
    for kind in args.kinds.split(","):
        rows = []
        for i, photo in enumerate(photos):
            if kind == "cut":
                other = photos[(i + len(photos) // 2) % len(photos)]
                ma, mb = motions("pan", photo.shape)[: N // 2], motions("pan", other.shape)[: N // 2]
                truth = render(photo, ma) + render(other, mb)
                maps = ma + mb
                given = degrade(truth, "pan", i)
            else:
                maps = motions("zoom" if kind == "zoom" else "pan", photo.shape)
                truth = render(photo, maps)
                given = degrade(truth, kind, i)
            alone, ours = colorize(c, given, False), colorize(c, given, True)
            if kind == "cut":  # flicker within each shot; the cut itself is not flicker
                fl = [np.mean([flicker(x[:N // 2], maps[:N // 2]), flicker(x[N // 2:], maps[N // 2:])])
                      for x in (truth, alone, ours)]
                fresh = colorize(c, given[N // 2:], True)
                leak = float(np.mean([np.abs(to_lab(a)[..., 1:] - to_lab(b)[..., 1:]).mean()
                                      for a, b in zip(ours[N // 2:], fresh)]))
            else:
                fl, leak = [flicker(x, maps) for x in (truth, alone, ours)], float("nan")
            rows.append([*fl, *quality(alone, truth), *quality(ours, truth), leak])
        m = np.nanmean(np.array(rows, dtype=np.float64), axis=0) if kind == "cut" else np.mean(np.array(rows), axis=0)
        print(f"{kind:<8}{m[0]:>14.3f}{m[1]:>11.3f}{m[2]:>8.3f}{m[2] / m[1]:>8.2f}{m[3]:>12.2f}{m[5]:>8.2f}"
              f"{m[4]:>13.2f}{m[6]:>8.2f}{m[7]:>10.3f}", flush=True)
    if args.speed:
        for w, h in ((640, 360), (1280, 720)):
            print(f"speed {w}x{h}: {speed(c, files[0], w, h):.1f} frames/s end to end (decode, colorize, encode)",
                  flush=True)


if __name__ == "__main__":
    main()
