"""A shoebox of prints, timed: N photos of about 1 MP through the command line and through the app's Batch tab
(its /colorize_batch endpoint, as the page calls it: upload, colorize, zip, download), the same photos and
settings (the default checkpoint, strength auto, repair as released).

  cli        `python -m colorizer colorize DIR -o OUT --quiet`: the whole command (the model's load included)
             and the photos alone (the manifest's seconds, summed)
  app        the request's round trip, the app started and its model loaded before (as on a Space)
  ratio      app / cli (the issue's bar: at most 1.5)

Photos: val-ood's first N (every kind in turn) enlarged to 1155 x 866 (1 MP) as JPEG, or synthetic ones when
the data is absent.

    python benchmarks/batch.py [--data ../shared/data] [--n 50]
"""
from __future__ import annotations

import argparse
import csv
import itertools
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from colorizer.imageio import find_images, load_image  # noqa: E402

SIZE = (1155, 866)


def photos(data: Path, n: int, into: Path) -> list[Path]:
    ood = data / "val-ood"
    if ood.is_dir():
        kinds = [sorted(find_images(k)) for k in sorted(p for p in ood.iterdir() if p.is_dir())]
        files = [f for f in itertools.chain.from_iterable(itertools.zip_longest(*kinds)) if f][:n]
        sources = [Image.fromarray(load_image(f).rgb) for f in files]
    else:
        rng = np.random.default_rng(0)
        sources = [Image.fromarray((rng.random((48, 64, 3)) * 255).astype(np.uint8)) for _ in range(n)]
    out = []
    for i, im in enumerate(sources):
        out.append(into / f"{i:03d}.jpg")
        im.resize(SIZE, Image.BICUBIC).save(out[-1], quality=92)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--n", type=int, default=50)
    args = ap.parse_args()
    from gradio_client import Client, handle_file
    from test_app import start_app, stop_app
    work = Path(tempfile.mkdtemp(prefix="batch-bench-"))
    (work / "in").mkdir()
    files = photos(Path(args.data), args.n, work / "in")
    env = dict(os.environ, PYTHONPATH=str(ROOT))

    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "colorizer", "colorize", str(work / "in"), "-o", str(work / "cli"), "--quiet"],
                   check=True, env=env, cwd=work)
    cli = time.perf_counter() - t0
    with open(work / "cli" / "colorize.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    photos_alone = sum(float(r["seconds"]) for r in rows if r["seconds"])

    (work / "cwd").mkdir()
    server = start_app(ROOT / "weights", work / "cwd", COLORIZER_MAX_UPLOAD="25mb")
    try:
        client = Client(server["url"], verbose=False)
        t0 = time.perf_counter()
        archive, text = client.predict([handle_file(str(f)) for f in files], "effnet-unet", 1.0, True,
                                       api_name="/colorize_batch")
        app = time.perf_counter() - t0
    finally:
        stop_app(server)
    written = sum(r["status"] == "written" for r in rows)
    print(f"{len(files)} photos of {SIZE[0]}x{SIZE[1]} ({'val-ood' if (Path(args.data) / 'val-ood').is_dir() else 'synthetic'})")
    print(f"{'cli':<6}{cli:>8.1f} s  (the photos alone {photos_alone:.1f} s; {written} written)")
    print(f"{'app':<6}{app:>8.1f} s  ({text.splitlines()[0]})")
    print(f"{'ratio':<6}{app / cli:>8.2f}  (app / cli; the bar: at most 1.50)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
