"""Choose a checkpoint's decoding settings (annealed-mean temperature, working size) on TRAINING photos,
so the validation split stays untouched: the temperature whose predictions are as colorful as the
photos themselves (smallest |dCF|), among settings that keep PSNR within 0.3 dB of the best one.

    python scripts/tune_decode.py weights/effnet-unet.safetensors --data ../shared/data/train --images 300 --write
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from colorizer.checkpoints import update_metadata  # noqa: E402
from colorizer.imageio import find_images, load_image  # noqa: E402
from colorizer.inference import Colorizer  # noqa: E402
from colorizer.metrics import image_metrics, summarize  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint")
    ap.add_argument("--data", required=True)
    ap.add_argument("--images", type=int, default=300)
    ap.add_argument("--size", type=int, default=256, help="evaluation size (squash), as in evaluate")
    ap.add_argument("--temperatures", default="0.2,0.25,0.3,0.35,0.38,0.45")
    ap.add_argument("--working-sizes", default="192,224,256")
    ap.add_argument("--write", action="store_true", help="store the choice in the checkpoint's metadata")
    args = ap.parse_args()
    files = find_images(args.data)
    random.Random(1).shuffle(files)
    imgs = [np.asarray(Image.fromarray(load_image(f).rgb).resize((args.size, args.size), Image.BICUBIC))
            for f in files[: args.images]]
    c = Colorizer.load(args.checkpoint)
    temps = [float(t) for t in args.temperatures.split(",")] if c.uses_temperature else [c.temperature]
    results = []
    for ws in (int(s) for s in args.working_sizes.split(",")):
        for t in temps:
            m = summarize([image_metrics(np.asarray(c.colorize(x, size=ws, temperature=t)), x) for x in imgs])
            results.append((ws, t, m))
            print(f"working {ws} T {t:.2f}: PSNR {m['psnr']:.2f} CIEDE {m['ciede2000']:.2f} "
                  f"CF {m['cf_pred']:.1f}/{m['cf_true']:.1f} |dCF| {m['dcf']:.1f}", flush=True)
    best_psnr = max(m["psnr"] for _, _, m in results)
    ok = [r for r in results if r[2]["psnr"] >= best_psnr - 0.3]
    ws, t, m = min(ok, key=lambda r: r[2]["dcf"])
    print(f"chosen: working size {ws}, temperature {t} (PSNR {m['psnr']:.2f}, |dCF| {m['dcf']:.1f}) on "
          f"{len(imgs)} training photos")
    if args.write:
        update_metadata(args.checkpoint, {"working_size": ws, "temperature": t,
                                          "decode_tuning": {"images": len(imgs), "data": str(args.data),
                                                            "rule": "min |dCF| within 0.3 dB of best PSNR"}})
        print(f"wrote to {args.checkpoint}")


if __name__ == "__main__":
    main()
