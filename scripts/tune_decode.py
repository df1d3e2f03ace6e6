"""Choose a checkpoint's decoding settings on TRAINING photos, so the validation split stays untouched:
working size, annealed-mean temperature T and prior correction alpha (bins.prior_correction).

Rule: among the settings whose predictions are about as colorful as the photos (|dCF| <= --max-dcf),
take the one with the best PSNR; if none qualifies, the one with the smallest |dCF|.

    python scripts/tune_decode.py weights/effnet-unet.safetensors --data ../shared/data/train --images 300 --write
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import torch  # noqa: E402

from colorizer import bins  # noqa: E402
from colorizer.checkpoints import update_metadata  # noqa: E402
from colorizer.color import normalize_ab  # noqa: E402
from colorizer.evaluate import load_eval_set  # noqa: E402
from colorizer.imageio import find_images  # noqa: E402
from colorizer.inference import Colorizer, model_input  # noqa: E402
from colorizer.join import join  # noqa: E402
from colorizer.metrics import image_metrics, summarize  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint")
    ap.add_argument("--data", required=True)
    ap.add_argument("--images", type=int, default=300)
    ap.add_argument("--size", type=int, default=256, help="evaluation size (squash), as in evaluate")
    ap.add_argument("--temperatures", default="0.3,0.38,0.5,0.7")
    ap.add_argument("--alphas", default="0,0.2,0.3,0.4,0.5,0.6")
    ap.add_argument("--working-sizes", default="192,224,256")
    ap.add_argument("--max-dcf", type=float, default=6.0)
    ap.add_argument("--write", action="store_true", help="store the choice in the checkpoint's metadata")
    args = ap.parse_args()
    files = find_images(args.data)
    random.Random(1).shuffle(files)
    imgs = load_eval_set(files, args.size, args.images)  # the same squashing as `evaluate`
    c = Colorizer.load(args.checkpoint)
    lam = c.metadata.get("training", {}).get("config", {}).get("rebalance_lambda", 0.5)
    centers = bins.load_bins()["centers"]
    classification = c.uses_temperature
    temps = [float(t) for t in args.temperatures.split(",")] if classification else [c.temperature]
    alphas = [float(a) for a in args.alphas.split(",")] if classification else [0.0]
    results = []
    for ws in (int(s) for s in args.working_sizes.split(",")):
        outs = []
        with torch.inference_mode():  # one forward pass per image and working size; decoding varies below
            for x in imgs:
                ls = model_input(x, ws).to(c.device)
                outs.append((ls, c.model(ls)))
        for a in alphas:
            shift = bins.prior_correction(a, lam) if a else None
            for t in temps:
                rows = []
                for (ls, out), x in zip(outs, imgs):
                    if classification:
                        ab = normalize_ab(bins.annealed_mean(out["logits"], centers, t, shift))
                    else:
                        ab = c.model.predict_ab(ls)
                    rows.append(image_metrics(join(x, ab), x))
                m = summarize(rows)
                results.append((ws, a, t, m))
                print(f"working {ws} alpha {a:.2f} T {t:.2f}: PSNR {m['psnr']:.2f} CIEDE {m['ciede2000']:.2f} "
                      f"CF {m['cf_pred']:.1f}/{m['cf_true']:.1f} |dCF| {m['dcf']:.1f}", flush=True)
    ok = [r for r in results if r[3]["dcf"] <= args.max_dcf]
    ws, a, t, m = max(ok, key=lambda r: r[3]["psnr"]) if ok else min(results, key=lambda r: r[3]["dcf"])
    print(f"chosen: working size {ws}, alpha {a}, temperature {t} (PSNR {m['psnr']:.2f}, CIEDE {m['ciede2000']:.2f}, "
          f"|dCF| {m['dcf']:.1f}) on {len(imgs)} training photos")
    if args.write:
        update_metadata(args.checkpoint, {
            "working_size": ws, "temperature": t, "prior_correction": a,
            "decode_tuning": {"images": len(imgs), "data": str(args.data), "max_dcf": args.max_dcf,
                              "rule": "best PSNR among settings with |dCF| <= max_dcf, on training photos"}})
        print(f"wrote to {args.checkpoint}")


if __name__ == "__main__":
    main()
