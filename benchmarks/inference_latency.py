"""End-to-end colorization latency on a 1-megapixel and a 12-megapixel photo, every shipped checkpoint,
against a faithful re-creation of the seeds' inference path, in one run.

Two photos at each size: the example as a color JPEG, and as a one-channel (grayscale) JPEG, what a
scan of a black-and-white print usually is and what a colorizer mostly gets. End to end = decode the
JPEG, convert, predict, upsample, join, encode, as the CLI does it (Colorizer.colorize_arrays, then
JPEG quality 95: colorizer.imageio.output_format). The seeds' path (the Places-tutorial pattern):
`skimage.color.rgb2lab` on the full-resolution photo (float64), the L channel resized to 224x224 with
`skimage.transform.resize`, their model (`resnet-mid`) at 224, the ab resized back to full resolution
with `skimage.transform.resize`, `lab2rgb` at full resolution.

Each checkpoint runs on the backend Colorizer.load picks (ONNX Runtime on CPU where the architecture
exports, else PyTorch); the flagship also runs forced onto PyTorch, to compare the two. A breakdown of
the flagship's time per stage follows (the profile). The photos are timed in turn, round after round,
so the drift of a shared CPU does not favour one size.

    python benchmarks/inference_latency.py [--repeats 5] [--checkpoint NAME ...]

Ends with `ratio: N.NN`: the seeds' 1 MP time over our flagship's, on the color photo.
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
from colorizer.imageio import decode_jpeg, encode_image, load_image  # noqa: E402
from colorizer.inference import DEFAULT_CHECKPOINT, Colorizer, model_input  # noqa: E402
from colorizer.join import join  # noqa: E402


def make_photo(megapixels: float, folder: Path, gray: bool = False) -> Path:
    """The example photo at this size, as a color JPEG or as the one-channel JPEG a scan of a
    black-and-white print usually is."""
    src = Image.open(ROOT / "examples" / "coffee.jpg").convert("RGB")
    w = int((megapixels * 1e6 * 4 / 3) ** 0.5)
    h = int(w * 3 / 4)
    path = folder / f"photo_{megapixels:g}mp{'_gray' if gray else ''}.jpg"
    img = src.resize((w, h), Image.BICUBIC)
    (img.convert("L") if gray else img).save(path, quality=90)
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


def ours(c: Colorizer, path: Path, restore: bool | None = None) -> bytes:
    buf = io.BytesIO()
    encode_image(c.colorize_arrays([path], restore=restore)[0], buf, "JPEG")  # as the CLI does
    return buf.getvalue()


def stages(c: Colorizer, path: Path, repeats: int) -> dict:
    """Median ms of each stage of colorizing one photo, each run alone. In Colorizer.colorize the full
    decode runs on a background thread while the preview is decoded and the model runs."""
    size = c.working_size
    data = path.read_bytes()
    img = load_image(path)
    preview = load_image(path, preview_side=size)
    gray = img.pixels.ndim == 2
    x = model_input(preview.preview, size, img.shape)
    ab = c.predict_ab(x)
    out = join(img.pixels, ab)
    return timed({
        "full decode": lambda: load_image(path),
        "preview decode": lambda: decode_jpeg(data, gray, 1, size),  # what load_image(preview_side=) runs
        "model input": lambda: model_input(preview.preview, size, img.shape),
        "model": lambda: c.predict_ab(x),
        "join": lambda: join(img.pixels, ab),
        "encode": lambda: encode_image(out, io.BytesIO(), "JPEG")}, repeats)


def timed(fns: dict, repeats: int) -> dict:
    """Median seconds of each function, the functions taken in turn round after round, so that the
    drift of a shared CPU (+-20% within minutes) spreads over all of them alike."""
    for fn in fns.values():
        fn()  # warm-up (allocations, kernels, the ONNX export)
    times = {key: [] for key in fns}
    for _ in range(repeats):
        for key, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[key].append(time.perf_counter() - t0)
    return {key: statistics.median(v) for key, v in times.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--checkpoint", action="append", help="default: every shipped checkpoint")
    ap.add_argument("--sizes", default="1,12", help="megapixels, comma-separated")
    ap.add_argument("--no-torch-row", action="store_true", help="skip the flagship-on-PyTorch row")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp())
    mps = sorted(float(mp) for mp in args.sizes.split(","))
    photos = {(mp, gray): make_photo(mp, folder, gray) for gray in (False, True) for mp in mps}
    names = args.checkpoint or [e["name"] for e in Colorizer.available()]
    print(f"torch threads: {torch.get_num_threads()}; median of {args.repeats} rounds after one warm-up, "
          "sizes taken in turn; seconds")
    print(f"{'path':<34}" + "".join(f"{f'{mp:g} MP' + (' gray' if g else ''):>13}" for mp, g in photos))

    def row(label: str, fn) -> dict:
        t = timed({key: (lambda p=p: fn(p)) for key, p in photos.items()}, args.repeats)
        print(f"{label:<34}" + "".join(f"{v:>13.3f}" for v in t.values()), flush=True)
        return t

    seeds_model = Colorizer.load("resnet-mid", backend="torch").model  # their model, their framework
    seed_t = row("seeds (skimage full-res, 224 px)", lambda p: seeds_path(seeds_model, p))
    ours_t = {}
    for name in names:
        c = Colorizer.load(name)
        ours_t[name] = row(f"{name} ({c.backend})", lambda p, c=c: ours(c, p))
    flagship = Colorizer.load(DEFAULT_CHECKPOINT)
    if flagship.restore_default:  # what restoring the tone first (colorizer.restore) costs
        row(f"{DEFAULT_CHECKPOINT}, tone as given", lambda p: ours(flagship, p, restore=False))
    if not args.no_torch_row:  # the flagship forced onto PyTorch
        ct = Colorizer.load(DEFAULT_CHECKPOINT, backend="torch")
        row(f"{DEFAULT_CHECKPOINT} (pytorch)", lambda p: ours(ct, p))
        x = torch.rand(1, 1, 224, 224) - 0.5
        t = timed({"pytorch": lambda: ct.predict_ab(x), flagship.backend: lambda: flagship.predict_ab(x)},
                  args.repeats * 3)
        print("model only at 224x224: " + ", ".join(f"{k} {v * 1000:.1f} ms" for k, v in t.items()))
    print(f"where the flagship's time goes ({flagship.backend}; each stage alone), ms:")
    for (mp, gray), p in photos.items():
        st = stages(flagship, p, args.repeats)
        print(f"  {mp:g} MP{' gray' if gray else ''}: " + ", ".join(f"{k} {v * 1000:.1f}" for k, v in st.items())
              + f" (sum {sum(st.values()) * 1000:.0f}; end to end {ours_t.get(DEFAULT_CHECKPOINT, {}).get((mp, gray), 0) * 1000:.0f})")
    if DEFAULT_CHECKPOINT in ours_t and len(mps) >= 2:
        flag = ours_t[DEFAULT_CHECKPOINT]
        for gray in (False, True):
            print(f"flagship {mps[-1]:g} MP / {mps[0]:g} MP, {'gray' if gray else 'color'} photo: "
                  f"{flag[mps[-1], gray] / flag[mps[0], gray]:.2f}x")
        print(f"ratio: {seed_t[mps[0], False] / flag[mps[0], False]:.2f}")


if __name__ == "__main__":
    main()
