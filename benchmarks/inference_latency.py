"""End-to-end colorization latency on a 1-megapixel and a 12-megapixel photo, every shipped checkpoint,
against a faithful re-creation of the seeds' inference path, in one run.

End to end = decode the JPEG, convert, predict, upsample, join, encode. Both paths encode the result
as the product does for a JPEG photo (JPEG, quality 95: colorizer.imageio.output_format). The seeds'
path (the Places-tutorial pattern): `skimage.color.rgb2lab` on the full-resolution photo (float64),
the L channel resized to 224x224 with `skimage.transform.resize`, their model (`resnet-mid`) at 224,
the ab resized back to full resolution with `skimage.transform.resize`, `lab2rgb` at full resolution.

Each checkpoint runs on the backend Colorizer.load picks (ONNX Runtime on CPU where the architecture
exports, else PyTorch); the flagship also runs forced onto PyTorch, to compare the two. A breakdown of
the flagship's time per stage follows (the profile).

    python benchmarks/inference_latency.py [--repeats 3] [--checkpoint NAME ...]

Ends with `ratio: N.NN`: the seeds' 1 MP time over our flagship's.
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from colorizer.imageio import encode_image, load_image  # noqa: E402
from colorizer.inference import DEFAULT_CHECKPOINT, Colorizer, model_input  # noqa: E402
from colorizer.join import join  # noqa: E402


def make_photo(megapixels: float, folder: Path) -> Path:
    src = Image.open(ROOT / "examples" / "coffee.jpg").convert("RGB")
    w = int((megapixels * 1e6 * 4 / 3) ** 0.5)
    h = int(w * 3 / 4)
    path = folder / f"photo_{megapixels:g}mp.jpg"
    src.resize((w, h), Image.BICUBIC).save(path, quality=90)
    return path


def seeds_path(model: torch.nn.Module, path: Path) -> bytes:
    from skimage.color import lab2rgb, rgb2lab
    from skimage.transform import resize
    rgb = np.asarray(Image.open(path).convert("RGB"))
    lab = rgb2lab(rgb)
    l_small = resize(lab[:, :, 0], (224, 224))
    with torch.no_grad():
        x = torch.from_numpy((l_small - 50.0) / 100.0).float()[None, None]
        ab = model(x)["ab"][0].numpy().transpose(1, 2, 0) * 110.0
    ab_full = resize(ab, rgb.shape[:2] + (2,))
    out = lab2rgb(np.dstack([lab[:, :, :1], ab_full]))
    buf = io.BytesIO()
    encode_image(Image.fromarray((out * 255).round().astype(np.uint8)), buf, "JPEG")
    return buf.getvalue()


def ours(c: Colorizer, path: Path) -> bytes:
    buf = io.BytesIO()
    encode_image(c.colorize(path), buf, "JPEG")
    return buf.getvalue()


def stages(c: Colorizer, path: Path, repeats: int) -> dict:
    """Median seconds of each stage of Colorizer.colorize + encoding, run separately."""
    img = load_image(path)
    l_small = model_input(img.rgb, c.working_size)
    ab = c.predict_ab(l_small)
    out = Image.fromarray(join(img.rgb, ab))
    return {"decode": median_time(lambda: load_image(path), repeats),
            "L + shrink": median_time(lambda: model_input(img.rgb, c.working_size), repeats),
            "model": median_time(lambda: c.predict_ab(l_small), repeats),
            "join": median_time(lambda: join(img.rgb, ab), repeats),
            "encode": median_time(lambda: encode_image(out, io.BytesIO(), "JPEG"), repeats)}


def median_time(fn, repeats: int) -> float:
    fn()  # warm-up (allocations, kernels)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--checkpoint", action="append", help="default: every shipped checkpoint")
    ap.add_argument("--sizes", default="1,12", help="megapixels, comma-separated")
    ap.add_argument("--no-torch-row", action="store_true", help="skip the flagship-on-PyTorch row")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp())
    photos = {float(mp): make_photo(float(mp), folder) for mp in args.sizes.split(",")}
    names = args.checkpoint or [e["name"] for e in Colorizer.available()]
    print(f"torch threads: {torch.get_num_threads()}; median of {args.repeats} runs after one warm-up; seconds")
    print(f"{'path':<34}" + "".join(f"{f'{mp:g} MP':>10}" for mp in photos))
    seeds_model = Colorizer.load("resnet-mid", backend="torch").model  # their model, their framework
    seed_t = {mp: median_time(lambda p=p: seeds_path(seeds_model, p), args.repeats) for mp, p in photos.items()}
    print(f"{'seeds (skimage full-res, 224 px)':<34}" + "".join(f"{t:>10.3f}" for t in seed_t.values()))
    ours_t = {}
    for name in names:
        c = Colorizer.load(name)
        ours_t[name] = {mp: median_time(lambda p=p: ours(c, p), args.repeats) for mp, p in photos.items()}
        print(f"{f'{name} ({c.backend})':<34}" + "".join(f"{t:>10.3f}" for t in ours_t[name].values()))
    flagship = Colorizer.load(DEFAULT_CHECKPOINT)
    if not args.no_torch_row:  # the flagship forced onto PyTorch
        ct = Colorizer.load(DEFAULT_CHECKPOINT, backend="torch")
        t = {mp: median_time(lambda p=p: ours(ct, p), args.repeats) for mp, p in photos.items()}
        print(f"{DEFAULT_CHECKPOINT + ' (pytorch)':<34}" + "".join(f"{v:>10.3f}" for v in t.values()))
        x = torch.rand(1, 1, 224, 224) - 0.5
        tm = median_time(lambda: ct.predict_ab(x), args.repeats * 3)
        to = median_time(lambda: flagship.predict_ab(x), args.repeats * 3)
        print(f"model only at 224x224: pytorch {tm * 1000:.1f} ms, {flagship.backend} {to * 1000:.1f} ms")
    print(f"where the flagship's time goes ({flagship.backend}), ms:")
    for mp, p in photos.items():
        st = stages(flagship, p, args.repeats)
        print(f"  {mp:g} MP: " + ", ".join(f"{k} {v * 1000:.1f}" for k, v in st.items())
              + f" (sum {sum(st.values()) * 1000:.0f})")
    if DEFAULT_CHECKPOINT in ours_t and len(photos) >= 2:
        mps = sorted(photos)
        flag = ours_t[DEFAULT_CHECKPOINT]
        print(f"flagship {mps[-1]:g} MP / {mps[0]:g} MP: {flag[mps[-1]] / flag[mps[0]]:.2f}x")
        print(f"ratio: {seed_t[mps[0]] / flag[mps[0]]:.2f}")


if __name__ == "__main__":
    main()
