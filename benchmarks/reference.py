"""Reference photo: what it costs on a 1 MP photo, and whether a clip stays steady with one.

  speed    a 1 MP photo (1155x866, a val-ood photo enlarged) colorized alone and with a 1 MP reference (the left 60%
           of the same photo, enlarged to 1 MP), median of 5 after a warm-up; the ratio (bar: at most 3x)
  flicker  a 20 s clip at 640x360 and 24 fps (480 frames): a window panning 1 px a frame across a val-ood photo, with
           sensor noise (sigma 6 of 255) and exposure changing frame to frame (gain 0.9-1.1), colorized steady
           (colorize_video's path) alone and with one reference (the photo's left 60%). Flicker: mean |delta ab|
           (CIELAB) between consecutive frames on the pixels both see (frame t moved back 1 px); the truth's is the
           floor. Bar: with the reference at most 1.1x the automatic figure.

    python benchmarks/reference.py --data ../shared/data/val-ood
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from colorizer import Colorizer  # noqa: E402
from colorizer.evaluation.metrics import to_lab  # noqa: E402
from colorizer.imageio import find_images, load_image  # noqa: E402
from colorizer.join import join  # noqa: E402
from colorizer.reference import Reference  # noqa: E402
from colorizer.video.stream import _colorized  # noqa: E402
from colorizer.video.temporal import TemporalSettings  # noqa: E402

W, H, FRAMES = 640, 360, 480


def enlarge(rgb: np.ndarray, w: int, h: int) -> np.ndarray:
    return np.asarray(Image.fromarray(rgb).resize((w, h), Image.BICUBIC))


def left(rgb: np.ndarray, share: float = 0.6) -> np.ndarray:
    return np.ascontiguousarray(rgb[:, : round(rgb.shape[1] * share)])


def speed(c: Colorizer, rgb: np.ndarray, repeats: int = 5) -> tuple[float, float]:
    photo = enlarge(rgb, 1155, 866)
    gray = join(photo, np.zeros((2, 1, 1), np.float32))
    ref = enlarge(left(rgb), 1155, 866)
    c.colorize(gray), c.colorize(gray, reference=ref)  # first-call costs out of the timing
    times = {}
    for name, kw in (("automatic", {}), ("referenced", {"reference": ref})):
        runs = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            c.colorize(gray, **kw)  # the reference read from its pixels each time, as a request does
            runs.append(time.perf_counter() - t0)
        times[name] = statistics.median(runs)
    return times["automatic"], times["referenced"]


def clip(rgb: np.ndarray, seed: int = 0) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(truth frames, gray frames given): the pan, 1 px a frame."""
    k = H / rgb.shape[0]
    big = enlarge(rgb, max(W + FRAMES, round(rgb.shape[1] * k)), H)
    rng = np.random.default_rng(seed)
    truth = [big[:, t:t + W] for t in range(FRAMES)]
    given = []
    for f in truth:
        g = join(f, np.zeros((2, 1, 1), np.float32))[..., 0].astype(np.float64)
        given.append((g * rng.uniform(0.9, 1.1) + rng.normal(0, 6, g.shape)).clip(0, 255).astype(np.uint8))
    return truth, given


def flicker(frames: list[np.ndarray]) -> float:
    """Mean |delta ab| between consecutive frames, frame t moved back the pan's 1 px."""
    ab = [to_lab(f)[..., 1:] for f in frames]
    return float(np.mean([np.linalg.norm(ab[t][:, :-1] - ab[t - 1][:, 1:], axis=-1).mean() for t in range(1, len(ab))]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="../shared/data/val-ood")
    ap.add_argument("--photo", type=int, default=0, help="which photo of the folder (sorted)")
    ap.add_argument("--checkpoint", default=None)
    args = ap.parse_args()
    files = find_images(args.data)
    rgb = load_image(files[args.photo]).rgb if files else None
    if rgb is None:
        from skimage import data
        rgb = data.astronaut()
    c = Colorizer.load(args.checkpoint)
    auto, refd = speed(c, rgb)
    print(f"1 MP photo, 1 MP reference ({c.name}): automatic {auto:.3f} s, with the reference {refd:.3f} s "
          f"({refd / auto:.2f}x; bar <= 3x)", flush=True)
    truth, given = clip(rgb)
    ref = Reference.load(left(rgb))
    t0 = time.perf_counter()
    plain = [out for _, out in _colorized(c, iter(given), None, None, TemporalSettings())]
    t1 = time.perf_counter()
    refd_frames = [out for _, out in _colorized(c, iter(given), None, None, TemporalSettings(), ref)]
    t2 = time.perf_counter()
    f_truth, f_auto, f_ref = flicker(truth), flicker(plain), flicker(refd_frames)
    print(f"20 s clip at {W}x{H} ({FRAMES} frames): flicker truth {f_truth:.3f}, automatic {f_auto:.3f}, "
          f"with the reference {f_ref:.3f} ({f_ref / f_auto:.2f}x; bar <= 1.1x); colorizing {t1 - t0:.1f} s and "
          f"{t2 - t1:.1f} s", flush=True)


if __name__ == "__main__":
    main()
